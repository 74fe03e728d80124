"""The bad-input suite for params/: narratives, smtp.yaml and recipients.yaml.

Each narrative case of tests/bad_input/params/ (made by make_fixtures.py) becomes
params/990102/2025.md for `emreport run`; each yaml case the smtp.yaml or recipients.yaml of
`emreport send`. Every case exits with 1, prints exactly the lines below and no traceback, and
leaves the store, the outputs and the sent log as they were. What cannot be committed (a FIFO, a
folder, a device, a file over the size limit) is made here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import BAD_INPUT, FileState
from emreport.compose import narrative

PARAM_CASES = BAD_INPUT / "params"
RUN_HEAD = "无法开始生成，请先修改以下问题："
SEND_HEAD = "无法发送，请先修改以下问题："
GOOD_RECIPIENTS = '"990102":\n  sender_name: 临江市应急管理局\n  to: a@jiangcheng.example.org\n'
CONTROL = "常见于从网页或其他软件复制的文字：请删除后重新输入这一处"


@dataclass(frozen=True)
class Case:
    file: str
    line: str  # the one line after the heading; {f} is the file as the message names it


NARRATIVES = (
    Case("nul.md", f"{{f}} 第5行：含有不可见的控制字符（U+0000），{CONTROL}"),
    Case("control_01.md", f"{{f}} 第3行：含有不可见的控制字符（U+0001），{CONTROL}"),
    Case("line_separator.md", f"{{f}} 第3行：含有不可见的行分隔符（U+2028），{CONTROL}"),
    Case("next_line.md", f"{{f}} 第3行：含有不可见的控制字符（U+0085），{CONTROL}"),
    Case(
        "crlf.md",
        "{f} 第5行：占位符“{{hazards.fund}}”中的指标“hazards.fund”不存在："
        "是不是“{{hazards.found}}”？（可用的指标见 docs/data-model.md 的“报告指标”）",
    ),
    Case("long_paragraph.md", "{f} 第3行：这一段有2001个字，超过2000字的上限：请分段或精简"),
    Case("long_lead.md", "{f} 第3行：导语共2400个字（各段连成一段印出），超过2000字的上限：请精简"),
    Case(
        "too_many_problems.md",
        "{f} 第103行：“## 存在的问题和不足”下有51段，超过50段的上限：请合并或精简",
    ),
    Case(
        "too_many_plans.md",
        "{f} 第203行：“## 下一步工作安排”下有51项（###），超过50项的上限：请合并或精简",
    ),
    Case("long_title.md", "{f} 第3行：标题有101个字，超过100字的上限：请精简"),
)
NOT_A_FILE = (
    "{f}：不是普通文件（是文件夹、管道或设备）：文字材料应为 .md 文本文件，请换成文件或删除"
)
MADE_HERE = ("fifo", "folder", "device", "too_big")

YAMLS = (
    Case("smtp_int_tag.yaml", "{f}:2：不支持标签“!!int”：请去掉标签，要写成文字时加引号"),
    Case(
        "smtp_python_object.yaml",
        "{f}:2：不支持标签“!!python/object/apply:os.system”：请去掉标签，要写成文字时加引号",
    ),
    Case("smtp_binary.yaml", "{f}:2：不支持标签“!!binary”：请去掉标签，要写成文字时加引号"),
    Case("smtp_alias_bomb.yaml", "{f}:2：不支持锚点“&a”：请去掉"),
    Case("smtp_duplicate_key.yaml", "{f}:3：“host”重复（第2行已写过）"),
    Case("smtp_bad_date.yaml", "{f}:2：值“2025-13-45”无法读取"),
    Case("recipients_deep.yaml", "{f}:3：层次太深（超过10层）：请检查缩进和括号"),
    Case("recipients_duplicate_code.yaml", "{f}:4：“990102”重复（第1行已写过）"),
)


def test_every_param_case_file_is_in_the_suite():
    listed = {c.file for c in (*NARRATIVES, *YAMLS)}
    assert listed == {p.name for p in PARAM_CASES.iterdir()}


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    """An outputs folder from an earlier run: a report, the sent log and the outbox."""
    out = tmp_path / "outputs"
    (out / "2025" / "990102").mkdir(parents=True)
    (out / "2025" / "990102" / "report.pdf").write_bytes(b"%PDF-1.7 earlier report\n")
    (out / "sent-log.jsonl").write_text('{"status": "sent"}\n', encoding="utf-8")
    (out / "outbox" / "2025").mkdir(parents=True)
    (out / "outbox" / "2025" / "990102.eml").write_bytes(b"Subject: earlier\r\n\r\n")
    return out


def states(folder: Path) -> dict[str, FileState]:
    return {
        str(p.relative_to(folder)): FileState.of(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_with(run_cli, store: Path, params: Path, outputs: Path):
    return run_cli(
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
    )


def _refused(run, head: str, line: str) -> None:
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [head, line]
    assert "Traceback" not in run.err


@pytest.mark.parametrize("case", NARRATIVES, ids=lambda c: c.file)
def test_a_bad_narrative_is_refused_before_any_work(case, run_cli, store_copy, outputs, tmp_path):
    md = tmp_path / "params" / "990102" / "2025.md"
    md.parent.mkdir(parents=True)
    md.write_bytes((PARAM_CASES / case.file).read_bytes())
    before, store = states(outputs), FileState.of(store_copy)

    run = run_with(run_cli, store_copy, tmp_path / "params", outputs)

    _refused(run, RUN_HEAD, case.line.format(f=md))
    assert states(outputs) == before and FileState.of(store_copy) == store


@pytest.mark.parametrize("kind", MADE_HERE)
def test_a_narrative_that_is_not_a_readable_file_is_refused(
    kind, run_cli, store_copy, outputs, tmp_path
):
    md = tmp_path / "params" / "990102" / "2025.md"
    md.parent.mkdir(parents=True)
    expected = NOT_A_FILE
    if kind == "fifo":
        os.mkfifo(md)  # opening it for reading would wait for a writer forever
    elif kind == "folder":
        md.mkdir()
    elif kind == "device":
        md.symlink_to("/dev/zero")
    else:
        md.write_bytes(b"## \xe5\xaf\xbc\xe8\xaf\xad\n\n" + "字".encode() * 70000)
        expected = "{f}：文件太大（超过200 KB）：请精简文字材料后再运行"
    before = states(outputs)

    run = run_with(run_cli, store_copy, tmp_path / "params", outputs)

    _refused(run, RUN_HEAD, expected.format(f=md))
    assert states(outputs) == before


@pytest.mark.parametrize("case", YAMLS, ids=lambda c: c.file)
def test_a_bad_smtp_or_recipients_file_is_refused_before_sending(
    case, run_cli, store_copy, outputs, tmp_path
):
    which = "recipients" if case.file.startswith("recipients") else "smtp"
    files = {"recipients": tmp_path / "recipients.yaml", "smtp": tmp_path / "smtp.yaml"}
    files["recipients"].write_text(GOOD_RECIPIENTS, encoding="utf-8")
    files["smtp"].write_text("enabled: false\n", encoding="utf-8")
    files[which].write_bytes((PARAM_CASES / case.file).read_bytes())
    before = states(outputs)

    run = run_cli(
        "send",
        "--period",
        "2025",
        "--district",
        "990102",
        "--store",
        store_copy,
        "--recipients",
        files["recipients"],
        "--smtp",
        files["smtp"],
        "--outputs",
        outputs,
    )

    _refused(run, SEND_HEAD, case.line.format(f=files[which]))
    assert states(outputs) == before


@pytest.mark.parametrize("which", ["smtp", "recipients"])
def test_a_fifo_as_a_settings_file_is_refused_without_waiting(
    which, run_cli, store_copy, outputs, tmp_path
):
    files = {"recipients": tmp_path / "recipients.yaml", "smtp": tmp_path / "smtp.yaml"}
    files["recipients"].write_text(GOOD_RECIPIENTS, encoding="utf-8")
    files["smtp"].write_text("enabled: false\n", encoding="utf-8")
    files[which].unlink()
    os.mkfifo(files[which])
    before = states(outputs)

    run = run_cli(
        "send",
        "--period",
        "2025",
        "--district",
        "990102",
        "--store",
        store_copy,
        "--recipients",
        files["recipients"],
        "--smtp",
        files["smtp"],
        "--outputs",
        outputs,
    )

    _refused(run, SEND_HEAD, f"{files[which]}：不是普通文件（是文件夹、管道或设备）")
    assert states(outputs) == before


def test_an_alias_is_refused_with_its_line(tmp_path):
    from emreport.mail.delivery import load_smtp
    from emreport.mail.recipients import ConfigError

    f = tmp_path / "smtp.yaml"
    f.write_text("enabled: false\nhost: *somewhere\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_smtp(f)
    assert e.value.problems == [f"{f}:2：不支持别名“*somewhere”：请把内容直接写出来"]


def test_line_numbers_are_counted_as_an_editor_counts_them():
    # \x0c, \x1c-\x1e and \x85 split lines for str.splitlines, not for an editor: each is
    # refused on the line an editor shows it on; the unknown metric is on line 3 either way
    assert narrative.parse("## 导语\n\n{a}\n").lead[0].line == 3
    for sep in ("\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x0b", "\r"):
        with pytest.raises(narrative.NarrativeError, match=f"第2行.*U\\+{ord(sep):04X}"):
            narrative.parse(f"## 导语\n第一{sep}段\n\n{{a}}\n")


def test_doubled_braces_are_literal_without_stand_in_characters():
    from emreport.compose.narrative import fill

    assert fill("{{x}} 与 {{{{y}}}}", {}, where="f") == "{x} 与 {{y}}"
    assert fill("单个 } 和 { 照写", {}, where="f") == "单个 } 和 { 照写"
