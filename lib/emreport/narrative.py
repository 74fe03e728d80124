"""The analyst's own text for one report: a Markdown-like file under `params/<code>/<period>.md`.

Each `## 栏目` heading names a fixed part of the report; paragraphs are separated by blank lines;
`{metric.id}` writes a figure as the report does, `{metric.id|同比}` its year-on-year clause and
`{metric.id|上年}` last year's figure. Everything before the first heading is a note to the
analyst and is not printed. A placeholder naming an unknown metric, or one without a figure for
the period, is an error naming the file and line.
"""

from __future__ import annotations

import re
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

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FORMS = {"": "text", "同比": "yoy", "上年": "prev"}
# numbering the analyst may type; the report numbers items itself
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+是[，,、：:]?|[（(][一二三四五六七八九十\d]+[)）]|"
                        r"\d+[.．、]|[-*•])\s*")


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


def load(path: Path | None) -> Narrative:
    """Read a narrative file; a missing file gives an empty narrative (a report from data alone)."""
    if path is None or not path.exists():
        return Narrative()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise NarrativeError(f"{_shown(path)}：不是 UTF-8 编码的文本文件（{e.reason}），"
                             "请用记事本或 VS Code 另存为 UTF-8") from None
    return parse(text, path)


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
        elif part == SIGNATURE:
            n.signature = para.text
        elif part == DATE:
            n.date = para.text

    for lineno, raw in enumerate(text.splitlines(), 1):
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
                raise NarrativeError(f"{name} 第{lineno}行：三级标题“{line[4:].strip()}”只能用在"
                                     f"“## {PLANS}”之下")
            title = _NUMBERING.sub("", line[4:].strip())
            plan = Plan(title, [], lineno)
            n.plans.append(plan)
            continue
        if line.startswith("## "):
            flush()
            heading = line[3:].strip()
            if heading not in HEADINGS:
                raise NarrativeError(f"{name} 第{lineno}行：栏目“{heading}”不认识，"
                                     f"可用的栏目：{'、'.join(HEADINGS)}")
            part, plan = heading, None
            continue
        if line.startswith("# ") or not line:
            flush()
            continue
        if not buf:
            start = lineno
        buf.append(line)
    flush()
    return n


def fill(text: str, metrics: Mapping, *, where: str) -> str:
    """Replace each placeholder by the figure as the report writes it; `where` names file and
    line for the error when a placeholder names an unknown metric or one without a figure."""

    def one(m: re.Match) -> str:
        inner = m.group(1).strip()
        mid, _, form = inner.partition("|")
        mid, form = mid.strip(), form.strip()
        if mid not in metrics:
            raise NarrativeError(f"{where}：占位符“{{{inner}}}”中的指标“{mid}”不存在"
                                 "（可用的指标见 docs/data-model.md 的“报告指标”）")
        if form not in _FORMS:
            raise NarrativeError(f"{where}：占位符“{{{inner}}}”的写法不认识，"
                                 f"可用：{{{mid}}}、{{{mid}|同比}}、{{{mid}|上年}}")
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

    text = text.replace("{{", "\x00").replace("}}", "\x01")
    return _PLACEHOLDER.sub(one, text).replace("\x00", "{").replace("\x01", "}")


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
    paras = [*n.lead, *(p for ps in n.sections.values() for p in ps), *n.problems,
             *n.plans_lead, *(p for plan in n.plans for p in plan.paragraphs)]
    for para in paras:
        filled(n, para, metrics)
    for plan in n.plans:
        fill(plan.title, metrics, where=f"{n.name} 第{plan.line}行")
