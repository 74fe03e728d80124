"""The analyst's files around a store, and every store path or option that is not what it must be.

emreport keeps what an ingest needs besides the store (cache, manifest, lock, the store being
built) in `<store>.emreport/`, a folder it creates with a marker, and deletes only there and only
files it names. A `--store` that exists and is not an emreport store is refused before anything
is written; commands that read a store, write outputs or take numbers answer a wrong one with a
message (exact lines below), a non-zero exit and no traceback.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from pathlib import Path

import pytest

from conftest import FileState
from emreport import cli, config
from emreport.data import companions, ingest
from emreport.data.store import Store

INGEST_HINT = (
    "为免覆盖，未写入任何内容；请用 --store（或环境变量 EMREPORT_STORE）"
    "指定emreport数据库或一个新文件的路径"
)
READ_HINT = (
    "请检查 --store 或环境变量 EMREPORT_STORE 所指的路径；如尚未导入数据，请先运行 emreport ingest"
)
DEAD_PID = 4_194_305  # above the largest pid Linux hands out
RECIPIENTS = """\
"990102":
  sender_name: 临江市应急管理局
  to: [jiangcheng@jiangcheng.example.org]
"""


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder (not inside the companion folder) with the hash of its bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0].endswith(companions.SUFFIX) or not path.is_file():
            continue
        out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def user_files(folder: Path) -> dict[str, FileState]:
    """Files an analyst keeps beside a store, some named as earlier versions named theirs."""
    files = {
        "cache/笔记.txt": b"my notes\n",
        "cache/0119efc1e4dacbad342729bfb79f5f78-0.parquet": b"not a part of emreport's\n",
        "cache/sub/表.csv": "区划代码\n990102\n".encode(),
        "manifest.json": b'{"my": "manifest"}\n',
        ".lock": b"mine\n",
        "汇总.xlsx": b"PK\x03\x04 a workbook of mine",
        ".报告.duckdb.tmp": b"a name close to emreport's\n",
    }
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return {name: FileState.of(folder / name) for name in files}


def test_the_analysts_files_beside_a_store_survive_ingest_run_and_send(
    tmp_path, data_copy, run_cli
):
    folder = tmp_path / "项目"
    folder.mkdir()
    mine = user_files(folder)
    store = folder / "报告.duckdb"
    data = data_copy()

    first = run_cli("ingest", "--data", data, "--store", store)
    assert first.code == 0, first.err
    (data / "防汛防台.xlsx").unlink()  # the next ingest drops that file's cached parts
    again = run_cli("ingest", "--data", data, "--store", store)
    assert again.code == 0, again.err
    assert again.out.startswith("已导入 6 个文件（其中 6 个未变化")
    own = companions.folder_for(store)
    cached = {p.name for p in (own / "cache").iterdir()}
    assert len(cached) == 2 * 6 + 1  # an index and a part per file, two sheets in one

    params, outputs = tmp_path / "params", tmp_path / "outputs"
    params.mkdir()
    run = run_cli(
        "run",
        "--period",
        "2025",
        "--district",
        "990102",
        "--store",
        store,
        "--params",
        params,
        "--outputs",
        outputs,
        "--jobs",
        "1",
    )
    assert run.code == 0, run.err
    assert (outputs / "2025" / "990102" / "report.pdf").is_file()
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(RECIPIENTS, encoding="utf-8")
    send = run_cli(
        "send",
        "--period",
        "2025",
        "--district",
        "990102",
        "--dry-run",
        "--store",
        store,
        "--outputs",
        outputs,
        "--recipients",
        recipients,
        "--smtp",
        tmp_path / "no-smtp.yaml",
    )
    assert send.code == 0, send.err

    assert {name: FileState.of(folder / name) for name in mine} == mine
    assert set(tree(folder)) == set(mine) | {"报告.duckdb"}
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        {Path(n).parts[0] for n in mine} | {"报告.duckdb", "报告.duckdb.emreport"}
    )
    assert (
        (own / companions.OWNER).read_text(encoding="utf-8").startswith(companions.OWNER_FIRST_LINE)
    )


def test_garbage_collection_removes_only_files_named_as_emreport_names_them(
    tmp_path, data_copy, run_cli
):
    store = tmp_path / "s" / "emreport.duckdb"
    assert run_cli("ingest", "--data", data_copy(), "--store", store).code == 0
    cache = companions.folder_for(store) / "cache"
    stale = cache / f"{'a' * 32}-0.parquet"
    stale.write_bytes(b"left by an earlier ingest")
    kept = [cache / "mine.txt", cache / f"{'b' * 32}.parquet.bak", cache / "sub"]
    kept[0].write_bytes(b"x")
    kept[1].write_bytes(b"y")
    kept[2].mkdir()

    assert run_cli("ingest", "--data", data_copy(name="data2"), "--store", store).code == 0

    assert not stale.exists()
    assert all(p.exists() for p in kept)


def _ingest_refusal(tmp_path: Path, good: Path) -> dict[str, tuple]:
    """Store paths ingest must refuse: (path, the message's first part, what must be unchanged)."""
    data_file = tmp_path / "数据" / "隐患排查_2025.csv"
    data_file.parent.mkdir()
    shutil.copy2(good / "隐患排查_2025.csv", data_file)
    fifo = tmp_path / "pipe.duckdb"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    foreign = tmp_path / "other.duckdb"
    (tmp_path / "other.duckdb.emreport").mkdir()
    (tmp_path / "other.duckdb.emreport" / "x.txt").write_bytes(b"mine")
    return {
        "csv": (
            data_file,
            f"{data_file}不是emreport数据库（不是DuckDB数据库文件，可能是数据文件或其他文件）："
            f"{INGEST_HINT}",
        ),
        "device": (Path("/dev/null"), f"/dev/null是字符设备，不是数据库文件：{INGEST_HINT}"),
        "fifo": (fifo, f"{fifo}是命名管道（FIFO），不是数据库文件：{INGEST_HINT}"),
        "folder": (folder, f"{folder}是文件夹，不是数据库文件：{INGEST_HINT}"),
        "empty": (empty, f"{empty}是空文件，不是emreport数据库：{INGEST_HINT}"),
        "under_a_file": (
            data_file / "x.duckdb",
            f"数据库{data_file / 'x.duckdb'}无法建立："
            f"{data_file}是文件，不是文件夹：未写入任何内容；请用 --store 指定另一个路径",
        ),
        "foreign_companion_folder": (
            foreign,
            (
                f"{tmp_path / 'other.duckdb.emreport'}已存在，但不是emreport建立的文件夹（其中没有emreport的"
                "标记文件OWNER）：emreport不会在其中写入或删除任何文件；请移走它，或用 --store 指定另一个路径"
            ),
        ),
    }


REFUSED = ("csv", "device", "fifo", "folder", "empty", "under_a_file", "foreign_companion_folder")


@pytest.mark.parametrize("case", REFUSED)
def test_a_store_path_that_is_not_a_store_is_refused_before_anything_is_written(
    case, tmp_path, good_data, data_copy, run_cli
):
    data = data_copy()
    path, message = _ingest_refusal(tmp_path, good_data)[case]
    before = tree(tmp_path) | {"/dev/null": str(os.stat("/dev/null").st_rdev)}
    listing = sorted(str(p) for p in tmp_path.rglob("*"))

    run = run_cli("ingest", "--data", data, "--store", path)

    assert (run.code, run.out, run.err_lines) == (1, "", [f"未导入：{message}"])
    assert tree(tmp_path) | {"/dev/null": str(os.stat("/dev/null").st_rdev)} == before
    assert sorted(str(p) for p in tmp_path.rglob("*")) == listing


def test_a_store_inside_the_data_folder_is_refused(data_copy, run_cli):
    data = data_copy()
    before = sorted(p.name for p in data.iterdir())

    run = run_cli("ingest", "--data", data, "--store", data / "sub" / "emreport.duckdb")

    assert run.code == 1
    assert run.err_lines == [
        f"未导入：数据库{data / 'sub' / 'emreport.duckdb'}位于要导入的数据文件夹"
        f"{data}之内：未写入任何内容；请用 --store 指定数据文件夹以外的路径"
    ]
    assert sorted(p.name for p in data.iterdir()) == before


def test_emreport_store_naming_a_folder_writes_nothing_beside_it(
    tmp_path, data_copy, run_cli, monkeypatch
):
    folder = tmp_path / "stores"
    folder.mkdir()
    monkeypatch.setattr(config, "STORE", folder)  # what EMREPORT_STORE=<folder> sets

    run = run_cli("ingest", "--data", data_copy())

    assert run.code == 1
    assert run.err_lines == [f"未导入：{folder}是文件夹，不是数据库文件：{INGEST_HINT}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "stores"]
    assert list(folder.iterdir()) == []


def _broken_stores(tmp_path: Path, good_store: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.duckdb"
    data = good_store.read_bytes()
    truncated.write_bytes(data[: len(data) - 1000])
    folder = tmp_path / "folder"
    folder.mkdir()
    csv = tmp_path / "隐患排查_2025.csv"
    csv.write_text("隐患编号,区划代码\nYH1,990102\n", encoding="utf-8")
    return {
        "empty": (empty, f"{empty}是空文件，不是emreport数据库"),
        "truncated": (truncated, f"{truncated}无法作为数据库打开（文件已损坏或不完整）"),
        "folder": (folder, f"{folder}是文件夹，不是数据库文件"),
        "csv": (csv, f"{csv}不是emreport数据库（不是DuckDB数据库文件，可能是数据文件或其他文件）"),
    }


@pytest.mark.parametrize("case", ("empty", "truncated", "folder", "csv"))
def test_every_command_that_reads_a_store_names_one_that_is_not(
    case, tmp_path, good_store, data_copy, run_cli
):
    path, words = _broken_stores(tmp_path, good_store)[case]
    data = data_copy()
    before = tree(tmp_path)
    out = tmp_path / "outputs"

    figures = run_cli("figures", "--period", "2025", "--district", "990102", "--store", path)
    assert (figures.code, figures.err_lines) == (1, [f"{words}：{READ_HINT}"])
    send = run_cli(
        "send",
        "--period",
        "2025",
        "--dry-run",
        "--store",
        path,
        "--outputs",
        out,
        "--smtp",
        tmp_path / "none.yaml",
    )
    assert (send.code, send.err_lines) == (
        1,
        ["无法发送，请先修改以下问题：", f"{words}：{READ_HINT}"],
    )
    if case in ("truncated", "folder"):  # each run starts a worker: two cases are enough
        run = run_cli(
            "run", "--period", "2025", "--district", "990102", "--store", path, "--outputs", out
        )
        assert (run.code, run.err_lines) == (
            1,
            ["无法开始生成，请先修改以下问题：", f"{words}：{READ_HINT}"],
        )
    ingested = run_cli("ingest", "--data", data, "--store", path)
    assert ingested.code == 1 and ingested.err_lines == [f"未导入：{words}：{INGEST_HINT}"]
    assert tree(tmp_path) == before
    assert not out.exists()


def test_a_store_built_before_the_marker_is_still_a_store(store_copy, run_cli):
    import duckdb

    con = duckdb.connect(str(store_copy))
    con.execute("DELETE FROM meta WHERE key = 'made_by'")
    con.close()

    run = run_cli("figures", "--period", "2025", "--district", "990102", "--store", store_copy)

    assert run.code == 0, run.err


def test_ctrl_c_during_ingest_keeps_the_store_and_removes_temporary_files(
    store_copy, data_copy, run_cli, monkeypatch
):
    before = FileState.of(store_copy)
    real = ingest.arrow_schema

    def interrupted(table, provenance=True):  # first called by _build, with the new store open
        if not provenance:
            os.kill(os.getpid(), signal.SIGINT)
        return real(table, provenance)

    monkeypatch.setattr(ingest, "arrow_schema", interrupted)
    run = run_cli("ingest", "--data", data_copy(), "--store", store_copy)

    assert (run.code, run.out, run.err_lines) == (
        130,
        "",
        ["导入已中断，未导入；数据库保持上次成功导入的版本。"],
    )
    assert FileState.of(store_copy) == before
    own = companions.folder_for(store_copy)
    assert [p.name for p in own.iterdir() if "tmp" in p.name] == []
    assert sorted(p.name for p in store_copy.parent.iterdir()) == [store_copy.name, own.name]


def test_a_killed_ingests_leftovers_are_removed_by_the_next(store_copy, data_copy, run_cli):
    own = companions.folder_for(store_copy)
    beside = store_copy.parent
    leftovers = [
        own / f"store.{DEAD_PID}.tmp",
        own / f"store.{DEAD_PID}.tmp.wal",
        own / "cache" / f".{'c' * 32}-0.parquet.{DEAD_PID}.tmp",
        beside / f".{store_copy.name}.{DEAD_PID}.tmp",  # where earlier versions built
        beside / f".{store_copy.name}.{DEAD_PID}.tmp.wal",
    ]
    kept = [
        beside / f".{store_copy.name}.{os.getpid()}.tmp",  # a live process's, maybe
        beside / f".{store_copy.name}.old.tmp",
        own / "notes.tmp",
    ]
    for path in leftovers + kept:
        path.write_bytes(b"DUCK")
    (beside / f".{own.name}.{DEAD_PID}.tmp").mkdir()  # a companion folder being made
    (beside / f".{own.name}.{DEAD_PID}.tmp" / companions.OWNER).write_text("x")

    run = run_cli("ingest", "--data", data_copy(), "--store", store_copy)

    assert run.code == 0, run.err
    assert [p for p in leftovers if p.exists()] == []
    assert not (beside / f".{own.name}.{DEAD_PID}.tmp").exists()
    assert all(p.exists() for p in kept)


@pytest.mark.parametrize("command", ("run", "send"))
def test_outputs_naming_a_file_is_refused(command, tmp_path, store_copy, run_cli):
    file = tmp_path / "report.pdf"
    file.write_bytes(b"%PDF")
    extra = ("--dry-run",) if command == "send" else ()
    head = (
        "无法开始生成，请先修改以下问题：" if command == "run" else "无法发送，请先修改以下问题："
    )
    what = "输出文件夹（--outputs）" if command == "run" else "报告所在文件夹（--outputs）"

    for outputs, words in (
        (file, f"{file}是文件，不是文件夹：请指定一个文件夹"),
        (file / "out", f"{file / 'out'}无法建立：{file}是文件，不是文件夹"),
    ):
        r = run_cli(
            command,
            "--period",
            "2025",
            "--district",
            "990102",
            "--store",
            store_copy,
            "--outputs",
            outputs,
            *extra,
        )
        assert (r.code, r.err_lines) == (1, [head, f"{what}{words}"])
    assert file.read_bytes() == b"%PDF"


def test_template_under_a_file_is_refused(tmp_path, run_cli):
    file = tmp_path / "笔记.txt"
    file.write_bytes(b"x")
    r = run_cli("template", file / "模板")
    assert (r.code, r.err_lines) == (
        1,
        [f"无法生成模板：输出文件夹{file / '模板'}无法建立：{file}是文件，不是文件夹"],
    )
    r = run_cli("template", file)
    assert (r.code, r.err_lines) == (
        1,
        [f"无法生成模板：输出文件夹{file}是文件，不是文件夹：请指定一个文件夹"],
    )
    assert file.read_bytes() == b"x"


def test_sample_refuses_numbers_out_of_range(tmp_path, run_cli):
    r = run_cli("sample", tmp_path / "s", "--hazards", "-5")
    assert (r.code, r.err_lines) == (
        1,
        ["无法生成示例数据：", "隐患记录总数（--hazards）应在1到20000000之间（现为-5）"],
    )
    r = run_cli("sample", tmp_path / "s", "--districts", "0", "--seed", "-1")
    assert (r.code, r.err_lines) == (
        1,
        [
            "无法生成示例数据：",
            "区县数量（--districts）应在1到200之间（现为0）",
            "随机种子（--seed）应为非负整数（现为-1）",
        ],
    )
    r = run_cli("sample", tmp_path / "s", "--first-year", "2019")
    assert (r.code, r.err_lines) == (
        1,
        ["无法生成示例数据：", "第一年（--first-year）应在2020到2024之间（现为2019）"],
    )
    assert not (tmp_path / "s").exists()


USAGE_ERRORS = (
    (("run",), "emreport run：缺少必填参数：--period（运行 emreport run -h 查看用法）"),
    (
        ("bogus",),
        "emreport：参数 命令：“bogus”不在可选范围内（可选：template、ingest、figures、run、"
        "sample、docs、send）（运行 emreport -h 查看用法）",
    ),
    (
        ("run", "--period", "2025", "--jobs", "x"),
        "emreport run：参数 --jobs：值“x”不是整数（运行 emreport run -h 查看用法）",
    ),
    (
        ("run", "--period"),
        "emreport run：参数 --period：缺少取值：其后须跟至少一个值（运行 emreport run -h 查看用法）",
    ),
    (
        ("ingest", "--store"),
        "emreport ingest：参数 --store：缺少取值：其后须跟一个值（运行 emreport ingest -h 查看用法）",
    ),
    (
        ("figures", "--period", "2025", "--extra"),
        "emreport：无法识别的参数：--extra（运行 emreport -h 查看用法）",
    ),
)


@pytest.mark.parametrize(
    ("argv", "message"), USAGE_ERRORS, ids=[" ".join(argv) for argv, _ in USAGE_ERRORS]
)
def test_usage_errors_are_in_chinese(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(list(argv))
    err = capsys.readouterr().err.splitlines()
    assert exit_.value.code == 2
    assert err[0].startswith("用法：emreport")
    assert err[-1] == message


def test_help_is_in_chinese(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "-h"])
    out = capsys.readouterr().out
    assert (
        out.startswith("用法：emreport run") and "显示本帮助并退出" in out and "options" not in out
    )


def test_periods_given_twice_are_one_and_full_width_districts_read_as_ascii(monkeypatch):
    seen = {}
    for command in ("run", "send", "figures"):
        monkeypatch.setitem(cli.COMMANDS, command, lambda a: seen.setdefault(a.command, a) and 0)
    cli.main(
        [
            "run",
            "--period",
            "2025",
            "2025年度",
            "２０２５",
            "2025-H1",
            "2025-h1",
            "2205",
            "--district",
            "９９０１０２，９９０１０３、990104",
        ]
    )
    cli.main(["send", "--period", "2025", "２０２５", "--district", "９９０１０２"])
    cli.main(["figures", "--period", "2025年度", "2025", "--district", "９９０１００"])

    assert seen["run"].period == ["2025", "2025-H1", "2205"]  # 2205 is refused by run, once
    assert seen["run"].district == "990102,990103,990104"
    assert (seen["send"].period, seen["send"].district) == (["2025"], "990102")
    assert (seen["figures"].period, seen["figures"].district) == (["2025年度"], "990100")


def test_figures_with_repeated_periods_and_a_full_width_district(store_copy, run_cli):
    once = run_cli("figures", "--period", "2025", "--district", "990102", "--store", store_copy)
    thrice = run_cli(
        "figures",
        "--period",
        "2025",
        "2025年度",
        "２０２５",
        "--district",
        "９９０１０２",
        "--store",
        store_copy,
    )
    assert once.code == thrice.code == 0
    assert thrice.out == once.out
    with Store(store_copy) as s:
        assert s.unit("９９０１０２").code == "990102"
