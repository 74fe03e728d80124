"""The analyst's own text for one report: a Markdown-like file under `params/<code>/<period>.md`.

Each `## 栏目` heading names a part of the report (`## 栏目：新标题` retitles it, a line
`【只用自己的文字】` leaves its generated paragraphs out; after a line `# 提纲` the headings are
the page's own outline, see outliner.py); paragraphs are separated by blank lines;
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
from emreport.compose.outline import DATE, NUMBER_STYLES, NUMBERS, SIGNATURE, SUMMARY, Outline
from emreport.compose.outliner import Outliner

# The headings a narrative file may use, and what each feeds: the outline's rooms, then the
# sign-off.
LEAD = outline.heading("导语")
SECTIONS = outline.WORK_SECTIONS
PROBLEMS = outline.heading("问题")
PLANS = outline.heading("安排")
HEADINGS = (LEAD, *SECTIONS, PROBLEMS, PLANS, SIGNATURE, DATE, NUMBERS)

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
class PlanItem:
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
    plans: list[PlanItem] = field(default_factory=list)
    signature: str = ""
    date: str = ""
    exact: bool = False  # ## 数字写法 精确: counts in full digits, not in 万
    # headings by room key (new titles, own text only); the analyst's outline, if they wrote one
    headings: dict[str, outline.Entry] = field(default_factory=dict)
    outline: list[outline.Entry] | None = None
    rooms: Outline = SUMMARY  # the kind of report the file is for

    def tree(self) -> list[outline.Entry]:
        """The page's outline: the analyst's, else the rooms' with the analyst's headings."""
        if self.outline is not None:
            return self.outline
        return self.rooms.default(self.headings)

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


def load(path: Path | None, rooms: Outline = SUMMARY) -> Narrative:
    """Read a narrative file; a missing file gives an empty narrative (a report from data alone).
    Only a regular file of at most MAX_BYTES is read."""
    if path is None:
        return Narrative(rooms=rooms)
    try:
        data = read_regular(path, MAX_BYTES)
    except NotAFile:
        raise NarrativeError(
            f"{_shown(path)}：不是普通文件（是文件夹、管道或设备）："
            "文字材料应为 .md 文本文件，请换成文件或删除"
        ) from None
    if data is None:
        return Narrative(rooms=rooms)
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
    return parse(text, path, rooms)


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


def parse(text: str, path: Path | None = None, rooms: Outline = SUMMARY) -> Narrative:
    """Split the file into parts by `##` headings and paragraphs by blank lines; after a line
    `# 提纲` the headings are the outline (see `Outliner`)."""
    n = Narrative(path=path, rooms=rooms)
    name = _shown(path) if path else "文字材料"
    at = Outliner(n, name, NarrativeError)
    buf: list[str] = []
    start = 0
    in_comment = False

    def flush() -> None:
        nonlocal buf
        if buf:
            _paragraph(at, Paragraph("".join(s.strip() for s in buf), start))
        buf = []

    for lineno, raw in enumerate(_lines(text, name), 1):
        line = raw.strip()
        if in_comment:
            in_comment = "-->" not in line
            continue
        if line.startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if line.startswith(("# ", "## ", "### ")) or not line:
            flush()
            if line:
                hashes, _, words = line.partition(" ")
                if len(hashes) == 3:
                    _plan_item(at, words.strip(), lineno)
                else:
                    at.heading(len(hashes), words.strip(), lineno)
            continue
        if line in (outline.OWN_ONLY, f"【{outline.OWN_ONLY}】"):
            flush()
            if at.entry is None:
                raise at.error(lineno, f"“【{outline.OWN_ONLY}】”要写在栏目标题之下")
            at.entry.own_only = True
            continue
        if not buf:
            start = lineno
        buf.append(line)
    flush()
    _check_sizes(n, name)
    return n


def _paragraph(at: Outliner, para: Paragraph) -> None:
    """Put one paragraph where the heading above it says."""
    n, part = at.n, at.part
    if at.entry is not None and at.entry.container:
        at.entry.paragraphs.append(para)
        return
    if part is None:
        if n.outline is not None:
            raise at.error(
                para.line,
                "这段文字不在任何栏目之下，放不进报告：请在它前面写栏目标题"
                f"（如“## {outline.OWN}：标题”），或用 <!-- --> 括起来作为说明",
            )
        return  # before the first heading: a note to the analyst
    key = n.rooms.places.get(part)
    if key == "导语":
        n.lead.append(para)
    elif key == "问题":
        para.text = _NUMBERING.sub("", para.text)
        n.problems.append(para)
    elif key == "安排":
        (at.plan.paragraphs if at.plan else n.plans_lead).append(para)
    elif key is not None:
        n.sections.setdefault(part, []).append(para)
    elif part == NUMBERS:
        if para.text not in NUMBER_STYLES:
            styles = "、".join(f"“{k}”" for k in NUMBER_STYLES)
            raise NarrativeError(
                f"{at.name} 第{para.line}行：“## {NUMBERS}”下写{styles}之一"
                f"（“精确”：数字全部照写，如51326人；“万”：1万以上写作5.1万余人），"
                f"不能写“{para.text[:20]}”"
            )
        n.exact = NUMBER_STYLES[para.text]
    elif part in (SIGNATURE, DATE):
        _short(para.text, part, at.name, para.line)
        if part == SIGNATURE:
            n.signature = para.text
        else:
            n.date = para.text


def _plan_item(at: Outliner, words: str, line: int) -> None:
    if at.part is None or at.n.rooms.places.get(at.part) != "安排":
        plans = _plans_heading(at.n)
        where = f"只能用在“## {plans}”之下" if plans else "在这种报告里没有位置"
        raise at.error(line, f"三级标题“{words}”{where}")
    at.plan = PlanItem(_short(_NUMBERING.sub("", words), "标题", at.name, line), [], line)
    at.n.plans.append(at.plan)


def _plans_heading(n: Narrative) -> str:
    """The heading of the plan (下一步工作安排, 工作思路) in this kind's file, "" if none."""
    return next((r.heading for r in n.rooms.rooms if r.key == "安排"), "")


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
        (f"“## {_plans_heading(n)}”", n.plans_lead),
        *((f"“### {p.title}”", p.paragraphs) for p in n.plans),
        *((f"“{e.title or e.key}”", e.paragraphs) for e in entries(n)),
    ]
    for e in entries(n):
        _short(e.title, "标题", name, e.line)
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
            f"{name} 第{n.plans[MAX_ITEMS].line}行：“## {_plans_heading(n)}”下有"
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
            near = outline.nearest(mid, metrics)
            raise NarrativeError(
                f"{where}：占位符“{{{inner}}}”中的指标“{mid}”不存在"
                + (f"：是不是“{{{near}}}”？" if near else "")
                + "（可用的指标见 docs/data-model.md 的“报告指标”）"
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


def entries(n: Narrative) -> list[outline.Entry]:
    """Every heading the analyst wrote: their outline's, else the rooms' and parts' they named."""
    if n.outline is None:
        return list(n.headings.values())
    out: list[outline.Entry] = []

    def walk(es: list[outline.Entry]) -> None:
        for e in es:
            out.append(e)
            walk(e.children)

    walk(n.outline)
    return out


def texts(n: Narrative) -> list[tuple[str, int]]:
    """Every paragraph and title the analyst wrote, with its line: what placeholders are in."""
    paras = [
        *n.lead,
        *(p for ps in n.sections.values() for p in ps),
        *n.problems,
        *n.plans_lead,
        *(p for plan in n.plans for p in plan.paragraphs),
        *(p for e in entries(n) for p in e.paragraphs),
    ]
    return [
        *((p.text, p.line) for p in paras),
        *((plan.title, plan.line) for plan in n.plans),
        *((e.title, e.line) for e in entries(n) if e.title),
    ]


def check(n: Narrative, metrics: Mapping) -> None:
    """Fill every paragraph and title once, so a bad placeholder fails before anything is
    written."""
    for text, line in texts(n):
        fill(text, metrics, where=f"{n.name} 第{line}行")


def zeros(n: Narrative, metrics: Mapping) -> list[str]:
    """A warning for each placeholder that writes a figure of 0 this period (转移{…}人 with 0
    is a sentence no one should sign), naming file and line; the report is still made."""
    out = []
    for text, line in texts(n):
        for m in _TOKEN.finditer(text):
            inner = (m.group(1) or "").strip()
            mid, _, form = inner.partition("|")
            metric = metrics.get(mid.strip()) if m.group(1) is not None else None
            if metric is not None and not form.strip() and metric.value == 0:
                out.append(f"提示：{n.name} 第{line}行：{{{inner}}} 本期为0，请核对这句话")
    return out
