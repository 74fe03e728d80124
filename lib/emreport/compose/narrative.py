"""The analyst's own text for one report: a Markdown-like file under `params/<code>/<period>.md`.

Each `## 栏目` heading names a fixed part of the report; paragraphs are separated by blank lines;
`{metric.id}` writes a figure as the report does, `{metric.id|同比}` its year-on-year clause and
`{metric.id|上年}` last year's figure. Everything before the first heading is a note to the
analyst and is not printed. A placeholder naming an unknown metric, or one without a figure for
the period, is an error naming the file and line; so is a file beyond the limits below (size,
paragraph length, number of items), a control character, or a file that is not a regular file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from emreport import config
from emreport.compose import outline

# The headings a narrative file may use, and what each feeds: the outline's rooms, then the
# sign-off.
LEAD = outline.heading("导语")
SECTIONS = outline.WORK_SECTIONS
PROBLEMS = outline.heading("问题")
PLANS = outline.heading("安排")
SIGNATURE = "落款"
DATE = "成文日期"
HEADINGS = (LEAD, *SECTIONS, PROBLEMS, PLANS, SIGNATURE, DATE)

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")  # {{ and }} are literal braces
_FORMS = {"": "text", "同比": "yoy", "上年": "prev"}
# numbering the analyst may type; the report numbers items itself
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十百千零]+是[，,、：:]?|[（(][一二三四五六七八九十百千零\d]+[)）]|"
    r"\d+[.．、]|[-*•])\s*"
)

# Limits, documented in params/README.md; a file beyond them is refused before any work.
MAX_BYTES = 200 * 1024  # the whole file
MAX_PARAGRAPH = 2000  # characters of one paragraph, and of the 导语 (printed as one paragraph)
MAX_ITEMS = 50  # paragraphs of one part, items (###) of the plan, paragraphs of one item
MAX_TITLE = 100  # characters of a ### title, of 落款 and of 成文日期 (each kept on one page)
# characters a narrative may not hold: control characters (tab aside) and the Unicode line and
# paragraph separators, which print as nothing, as braces or as a stray line break
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


class NarrativeError(ValueError):
    """A narrative file that cannot be used; the message names the file and line."""


@dataclass
class Paragraph:
    """One paragraph as written, with the line it starts on for error messages."""

    text: str
    line: int


@dataclass
class Plan:
    """One item of the next-period plan: a heading and its paragraphs."""

    title: str
    paragraphs: list[Paragraph]
    line: int


@dataclass
class Narrative:
    """The analyst's text by part; empty parts mean the report writes them from data alone."""

    path: Path | None = None
    lead: list[Paragraph] = field(default_factory=list)
    sections: dict[str, list[Paragraph]] = field(default_factory=dict)
    problems: list[Paragraph] = field(default_factory=list)
    plans_lead: list[Paragraph] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    signature: str = ""
    date: str = ""

    @property
    def name(self) -> str:
        return _shown(self.path) if self.path else "（无文字材料）"


def path_for(code: str, period_code: str, root: Path | None = None) -> Path:
    """Where the narrative for a unit and period lives: params/<code>/<period>.md."""
    return (root or config.PARAMS) / code / f"{period_code}.md"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


class NotAFile(OSError):
    """A path that names a folder, a FIFO, a device …: nothing an analyst's file can be."""


def read_regular(path: Path, limit: int) -> bytes | None:
    """At most limit + 1 bytes of a regular file (more means too big), None when there is
    none. A folder, a FIFO or a device raises NotAFile without being read, and the open does
    not block (a FIFO without a writer would wait for ever). Other OSErrors pass through."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise NotAFile(path)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced since the stat
            raise NotAFile(path)
        return f.read(limit + 1)


def load(path: Path | None) -> Narrative:
    """Read a narrative file; a missing file gives an empty narrative (a report from data alone).
    Only a regular file of at most MAX_BYTES is read."""
    if path is None:
        return Narrative()
    try:
        data = read_regular(path, MAX_BYTES)
    except NotAFile:
        raise NarrativeError(
            f"{_shown(path)}：不是普通文件（是文件夹、管道或设备）："
            "文字材料应为 .md 文本文件，请换成文件或删除"
        ) from None
    if data is None:
        return Narrative()
    if len(data) > MAX_BYTES:
        raise NarrativeError(
            f"{_shown(path)}：文件太大（超过{MAX_BYTES // 1024} KB）：请精简文字材料后再运行"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise NarrativeError(
            f"{_shown(path)}：不是 UTF-8 编码的文本文件（{e.reason}），"
            "请用记事本或 VS Code 另存为 UTF-8"
        ) from None
    return parse(text, path)


_INVISIBLE = {"\r": "回车符", "\u2028": "行分隔符", "\u2029": "段分隔符"}


def _lines(text: str, name: str) -> list[str]:
    """The lines as an editor counts them (split on \\n only, \\r\\n handled); a line with a
    control character or a Unicode line separator is an error naming line and character."""
    lines = [x.removesuffix("\r") for x in text.split("\n")]
    for lineno, line in enumerate(lines, 1):
        if bad := _FORBIDDEN.search(line):
            c = bad.group()
            raise NarrativeError(
                f"{name} 第{lineno}行：含有不可见的{_INVISIBLE.get(c, '控制字符')}"
                f"（U+{ord(c):04X}），常见于从网页或其他软件复制的文字："
                "请删除后重新输入这一处"
            )
    return lines


def parse(text: str, path: Path | None = None) -> Narrative:
    """Split the file into parts by `##` headings and paragraphs by blank lines."""
    n = Narrative(path=path)
    name = _shown(path) if path else "文字材料"
    part: str | None = None
    plan: Plan | None = None
    buf: list[str] = []
    start = 0
    in_comment = False

    def flush() -> None:
        nonlocal buf
        if not buf or part is None:
            buf = []
            return
        para = Paragraph("".join(s.strip() for s in buf), start)
        buf = []
        if part == LEAD:
            n.lead.append(para)
        elif part in SECTIONS:
            n.sections.setdefault(part, []).append(para)
        elif part == PROBLEMS:
            para.text = _NUMBERING.sub("", para.text)
            n.problems.append(para)
        elif part == PLANS:
            (plan.paragraphs if plan else n.plans_lead).append(para)
        elif part in (SIGNATURE, DATE):
            _short(para.text, part, name, para.line)
            if part == SIGNATURE:
                n.signature = para.text
            else:
                n.date = para.text

    for lineno, raw in enumerate(_lines(text, name), 1):
        line = raw.strip()
        if in_comment:
            in_comment = "-->" not in line
            continue
        if line.startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if line.startswith("### "):
            flush()
            if part != PLANS:
                raise NarrativeError(
                    f"{name} 第{lineno}行：三级标题“{line[4:].strip()}”只能用在“## {PLANS}”之下"
                )
            title = _short(_NUMBERING.sub("", line[4:].strip()), "标题", name, lineno)
            plan = Plan(title, [], lineno)
            n.plans.append(plan)
            continue
        if line.startswith("## "):
            flush()
            heading = line[3:].strip()
            if heading not in HEADINGS:
                raise NarrativeError(
                    f"{name} 第{lineno}行：栏目“{heading}”不认识，可用的栏目：{'、'.join(HEADINGS)}"
                )
            part, plan = heading, None
            continue
        if line.startswith("# ") or not line:
            flush()
            continue
        if not buf:
            start = lineno
        buf.append(line)
    flush()
    _check_sizes(n, name)
    return n


def _short(text: str, what: str, name: str, line: int) -> str:
    if len(text) > MAX_TITLE:
        raise NarrativeError(
            f"{name} 第{line}行：{what}有{len(text)}个字，超过{MAX_TITLE}字的上限：请精简"
        )
    return text


def _check_sizes(n: Narrative, name: str) -> None:
    """The limits on paragraphs and on the number of items (MAX_PARAGRAPH, MAX_ITEMS)."""
    parts: list[tuple[str, list]] = [
        (f"“## {LEAD}”", n.lead),
        *((f"“## {k}”", v) for k, v in n.sections.items()),
        (f"“## {PROBLEMS}”", n.problems),
        (f"“## {PLANS}”", n.plans_lead),
        *((f"“### {p.title}”", p.paragraphs) for p in n.plans),
    ]
    for title, paras in parts:
        for para in paras:
            if len(para.text) > MAX_PARAGRAPH:
                raise NarrativeError(
                    f"{name} 第{para.line}行：这一段有{len(para.text)}个字，"
                    f"超过{MAX_PARAGRAPH}字的上限：请分段或精简"
                )
        if len(paras) > MAX_ITEMS:
            raise NarrativeError(
                f"{name} 第{paras[MAX_ITEMS].line}行：{title}下有{len(paras)}段，"
                f"超过{MAX_ITEMS}段的上限：请合并或精简"
            )
    if (size := sum(len(p.text) for p in n.lead)) > MAX_PARAGRAPH:
        raise NarrativeError(
            f"{name} 第{n.lead[0].line}行：导语共{size}个字（各段连成一段印出），"
            f"超过{MAX_PARAGRAPH}字的上限：请精简"
        )
    if len(n.plans) > MAX_ITEMS:
        raise NarrativeError(
            f"{name} 第{n.plans[MAX_ITEMS].line}行：“## {PLANS}”下有"
            f"{len(n.plans)}项（###），超过{MAX_ITEMS}项的上限：请合并或精简"
        )


def fill(text: str, metrics: Mapping, *, where: str) -> str:
    """Replace each placeholder by the figure as the report writes it; `where` names file and
    line for the error when a placeholder names an unknown metric or one without a figure."""

    def one(m: re.Match) -> str:
        inner = m.group(1).strip()
        mid, _, form = inner.partition("|")
        mid, form = mid.strip(), form.strip()
        if mid not in metrics:
            raise NarrativeError(
                f"{where}：占位符“{{{inner}}}”中的指标“{mid}”不存在"
                "（可用的指标见 docs/data-model.md 的“报告指标”）"
            )
        if form not in _FORMS:
            raise NarrativeError(
                f"{where}：占位符“{{{inner}}}”的写法不认识，"
                f"可用：{{{mid}}}、{{{mid}|同比}}、{{{mid}|上年}}"
            )
        metric = metrics[mid]
        if _FORMS[form] == "text":
            out = metric.text()
        elif _FORMS[form] == "yoy":
            out = metric.yoy()
        else:
            out = metric.prev_text()
        if not out:
            what = "上年同期" if form == "上年" else "同比" if form == "同比" else "本期"
            raise NarrativeError(f"{where}：占位符“{{{inner}}}”没有{what}数据，无法填写")
        return out

    def token(m: re.Match) -> str:
        return m.group()[0] if m.group() in ("{{", "}}") else one(m)

    return _TOKEN.sub(token, text)


def filled(n: Narrative, para: Paragraph, metrics: Mapping) -> str:
    """One paragraph with its placeholders filled."""
    return fill(para.text, metrics, where=f"{n.name} 第{para.line}行")


class _Known(dict):
    """Metric ids mapped to a stand-in figure: checks placeholder names before any computing."""

    class _Any:
        def text(self) -> str:
            return "0"

        yoy = prev_text = text

    def __init__(self, ids):
        super().__init__({mid: self._Any() for mid in ids})


def check_names(n: Narrative, ids) -> None:
    """Every placeholder names a known metric: run before a batch so bad files fail early."""
    check(n, _Known(ids))


def check(n: Narrative, metrics: Mapping) -> None:
    """Fill every paragraph once, so a bad placeholder fails before anything is written."""
    paras = [
        *n.lead,
        *(p for ps in n.sections.values() for p in ps),
        *n.problems,
        *n.plans_lead,
        *(p for plan in n.plans for p in plan.paragraphs),
    ]
    for para in paras:
        filled(n, para, metrics)
    for plan in n.plans:
        fill(plan.title, metrics, where=f"{n.name} 第{plan.line}行")
