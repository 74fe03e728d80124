"""An unchanged `emreport run` is answered from the outputs folder's stamp, without planning:
what it says is what a planned run says; any change of input or output misses the stamp."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from emreport import config
from emreport.data.ingest import ingest
from emreport.output import folder
from emreport.run import plan, stamp


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "sample.duckdb"
    ingest(config.SAMPLE, path)
    return path


@pytest.fixture
def workspace(tmp_path, store):
    params = tmp_path / "params"
    shutil.copytree(config.PARAMS, params)
    return params, tmp_path / "outputs"


@pytest.fixture
def planned(monkeypatch):
    """How many times the run planned (a run answered from the stamp plans none)."""
    calls = []
    real = plan.plan

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "plan", counting)
    return calls


def run(run_cli, store, params, out, *extra):
    return run_cli(
        "run",
        *("--period", "2025", "--district", "990102,990100"),
        *("--store", store, "--params", params, "--outputs", out),
        *extra,
    )


def stamps(out: Path) -> list[Path]:
    return sorted(out.glob(stamp.STAMP.format("*")))


def untimed(text: str) -> str:
    return re.sub(r"（[0-9.]+秒）|用时[0-9.]+秒", "", text)


def test_an_unchanged_run_says_what_a_planned_one_says_without_planning(
    run_cli, store, workspace, planned
):
    params, out = workspace
    first = run(run_cli, store, params, out)
    assert first.code == 0 and "完成2份" in first.out and stamps(out)
    assert len(planned) == 1
    again = run(run_cli, store, params, out)
    assert again.code == 0 and len(planned) == 1, "the unchanged run planned"
    stamps(out)[0].unlink()  # the same run, planned
    planned_again = run(run_cli, store, params, out)
    assert len(planned) == 2
    assert untimed(again.out) == untimed(planned_again.out)
    assert "未变化2份" in again.out and "索引：" in again.out
    assert again.err == planned_again.err == ""


def test_every_change_misses_the_stamp(run_cli, store, workspace, planned, monkeypatch, tmp_path):
    params, out = workspace
    assert run(run_cli, store, params, out).code == 0
    n = len(planned)

    def again(*extra) -> str:
        nonlocal n
        r = run(run_cli, store, params, out, *extra)
        assert r.code == 0
        assert len(planned) == n + 1, "the run was answered from a stamp that no longer holds"
        n += 1
        assert run(run_cli, store, params, out).code == 0 and len(planned) == n  # stamped anew
        return r.out

    # a narrative edited, its size and time kept: its report is made again
    story = params / "990102" / "2025.md"
    text, times = story.read_bytes(), (story.stat().st_atime_ns, story.stat().st_mtime_ns)
    story.write_bytes(text.replace("。".encode(), "；".encode(), 1))  # as many bytes
    os.utime(story, ns=times)  # kept its time: the content still tells
    assert "完成1份" in again()
    (params / "990102" / "新文件.txt").write_text("另一份材料", encoding="utf-8")
    assert "未变化2份" in again()
    (out / "2025" / "990100" / folder.PDF).unlink()  # a report's file gone: made again
    assert "完成1份" in again()
    (out / "2025" / "index.html").unlink()
    assert "未变化2份" in again() and (out / "2025" / "index.html").is_file()
    copy = tmp_path / "copy.duckdb"  # a new ingest of the same data: a new store file
    shutil.copy(store, copy)
    copy.replace(store)
    assert "未变化2份" in again()
    assert "完成2份" in again("--force")
    monkeypatch.setattr("emreport.run.cache.code_key", lambda: "other code")
    assert "完成2份" in again()
    other = run_cli(
        "run",
        *("--period", "2025", "--district", "990102"),
        *("--store", store, "--params", params, "--outputs", out),
    )
    assert other.code == 0 and len(planned) == n + 1  # another command: planned
    assert "未变化1份" in other.out


def test_a_failed_report_is_not_answered_from_an_older_stamp(run_cli, store, workspace, planned):
    params, out = workspace
    first = ("--period", "2020", "--district", "990102")  # the sample's first year
    where = ("--store", store, "--params", params, "--outputs", out)
    assert run_cli("run", *first, *where).code == 0 and len(stamps(out)) == 1
    # a placeholder with no figure (no year before the first) fails the report in its
    # notebook; the plan lets it by
    (params / "990102" / "2020.md").write_text(
        "## 导语\n\n上年为{hazards.found|上年}。\n", encoding="utf-8"
    )
    for _ in range(2):  # and again: planned, and failed, each time
        failed = run_cli("run", *first, *where)
        assert failed.code == 1 and "失败1份" in failed.out
    assert len(planned) == 3
