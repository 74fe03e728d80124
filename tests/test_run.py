"""`emreport run`: every bad parameter listed before any work, and a failing report named."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from emreport import config
from emreport.data.ingest import ingest


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, path)
    return path


def workers_left() -> list[int]:
    """Worker processes this test process started that are still alive (the first worker is
    started while the batch is planned, so a run that makes nothing must send it away)."""
    me, left = os.getpid(), []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            state, ppid = (proc / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            cmdline = (proc / "cmdline").read_bytes()
            comm = (proc / "comm").read_text().strip()
        except OSError:
            continue
        worker = comm == "emreport-worker" or b"spawn_main" in cmdline  # forked, or spawned
        if int(ppid) == me and state != "Z" and worker:
            left.append(int(proc.name))
    return left


def test_bad_parameters_are_listed_together_and_nothing_runs(run_cli, store, tmp_path):
    params = tmp_path / "params"
    (params / "990102").mkdir(parents=True)
    (params / "990102" / "2025.md").write_text(
        "## 存在的问题和不足\n\n仍有{hazards.overdu}隐患。\n", encoding="utf-8"
    )
    out = tmp_path / "outputs"
    r = run_cli(
        "run",
        "--period",
        "2025",
        "2025-H3",
        "2019",
        "--district",
        "990102,999999,990101",
        "--store",
        str(store),
        "--params",
        str(params),
        "--outputs",
        str(out),
    )
    assert r.code == 1
    err = r.err
    assert "2025-H3" in err  # malformed period
    assert "2019年度（2019）没有数据" in err  # a period without data
    assert "未知的区划代码“999999”" in err  # unknown district
    assert "990101是市本级" in err  # 市本级 has no report of its own
    assert "2025.md 第3行" in err and "hazards.overdu" in err  # unknown placeholder, file and line
    assert not out.exists(), "work started although the parameters were wrong"
    assert workers_left() == []


def test_failing_report_is_named_and_the_others_still_finish(run_cli, store, tmp_path):
    params = tmp_path / "params"
    shutil.copytree(config.PARAMS, params)
    # 2020, the sample's first year, has no year before it, so 上年 has nothing to write
    (params / "990103").mkdir()
    (params / "990103" / "2020.md").write_text(
        "## 导语\n\n上年为{hazards.found|上年}。\n", encoding="utf-8"
    )
    out = tmp_path / "outputs"
    r = run_cli(
        "run",
        "--period",
        "2020",
        "--district",
        "990103,990104",
        "--store",
        str(store),
        "--params",
        str(params),
        "--outputs",
        str(out),
    )
    assert r.code == 1
    assert "失败 2020/990103" in r.err and "第2个单元格" not in r.err
    assert "2020.md 第3行" in r.err and "没有上年同期数据" in r.err
    assert (out / "2020" / "990103" / "report.failed.ipynb").exists()
    assert not (out / "2020" / "990103" / "report.pdf").exists()
    assert (out / "2020" / "990104" / "report.pdf").exists()
    assert "完成1份，未变化0份，失败1份" in r.out


def test_rerun_is_cached_and_force_replaces_outputs_whole(run_cli, store, tmp_path):
    out = tmp_path / "outputs"
    args = (
        "run",
        "--period",
        "2025-H1",
        "--district",
        "990171",
        "--store",
        str(store),
        "--outputs",
        str(out),
    )
    assert run_cli(*args).code == 0
    folder = out / "2025-H1" / "990171"
    first = (folder / "metrics.json").read_bytes()
    pdf_time = (folder / "report.pdf").stat().st_mtime_ns
    again = run_cli(*args)
    assert again.code == 0 and "完成0份，未变化1份" in again.out
    assert workers_left() == [], "the worker started for a run with nothing to do stayed"
    assert (folder / "report.pdf").stat().st_mtime_ns == pdf_time
    forced = run_cli(*args, "--force")
    assert forced.code == 0 and "完成1份" in forced.out
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            ".emreport-run.json",
            "report.html",
            "report.pdf",
            "report.docx",
            "report.xlsx",
            "report.ipynb",
            "metrics.json",
        ]
    )
    assert (folder / "metrics.json").read_bytes() == first
    assert (folder / "report.pdf").stat().st_mtime_ns != pdf_time


def test_bad_jobs_and_a_missing_params_folder_are_refused(run_cli, store, tmp_path):
    r = run_cli(
        "run",
        "--period",
        "2025",
        "--district",
        "990102",
        "--store",
        str(store),
        "--params",
        str(tmp_path / "nowhere"),
        "--jobs",
        "0",
        "--outputs",
        str(tmp_path / "out"),
    )
    assert r.code == 1
    assert "--jobs 应为正整数（现为0）" in r.err
    assert f"文字材料文件夹{tmp_path / 'nowhere'}不存在" in r.err
    assert not (tmp_path / "out").exists()
