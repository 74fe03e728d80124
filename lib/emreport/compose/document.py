"""The report as one model: a title, sections of paragraphs, figures, tables and sub-sections,
the sign-off. Plain objects, filled by the section rooms and read by every renderer.

Nothing is numbered while a report is composed: headings (一、（一）), measures (一是、二是),
figures (图N) and tables (表N) are numbered by `numbered`, which every renderer calls, so a
section left out, moved or added never leaves a gap or a stale number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

CN_DIGITS = "零一二三四五六七八九"
APPENDIX = "附表"


def cn_number(n: int) -> str:
    """A count in Chinese numerals, for headings and 一是/二是: 1 → 一, 10 → 十, 12 → 十二,
    20 → 二十, 100 → 一百, 101 → 一百零一, 110 → 一百一十, 1001 → 一千零一, 10000 → 一万,
    100000 → 十万 (a leading 一十 is written 十)."""
    if n < 1 or n != int(n):
        raise ValueError(f"cn_number: {n!r} is not a positive integer")
    groups: list[int] = []  # of four digits, lowest first: 个, 万, 亿, 万亿 …
    while n:
        n, low = divmod(n, 10000)
        groups.append(low)
    out, zero = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if not g:
            zero = bool(out)
            continue
        if out and (zero or g < 1000):
            out += "零"
        out += _four(g, first=not out) + ("万" * (i % 2) + "亿" * (i // 2))
        zero = False
    return out


def _four(g: int, first: bool) -> str:
    """1 to 9999 in numerals: 一千零一, 一百一十, 十二 (this last only leading the number)."""
    out, zero = "", False
    for unit, place in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = g // unit % 10
        if not d:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if d == 1 and place == "十" and not out and first else CN_DIGITS[d]) + place
    return out


@dataclass
class Paragraph:
    """A body paragraph. `label` is a run-in heading; a `point` is one of a section's measures,
    opened 一是、二是… in order when the document is numbered."""

    text: str
    label: str = ""
    point: bool = False


@dataclass
class Figure:
    """A chart (SVG) and its caption, 图N added when numbered. `own` names a figure the
    analyst added from the notebook (report.figure)."""

    svg: bytes
    caption: str
    own: str = ""


@dataclass(eq=False)
class Table:
    """A table of the report: title (表N added when numbered), rows with the index as first
    column, units by column, a note below. `own` names a table the analyst added from the
    notebook (report.table)."""

    title: str
    frame: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)
    note: str = ""
    own: str = ""


Block = Paragraph | Figure | Table


@dataclass(eq=False)
class Section:
    """A heading-led part of the report. `key` is its name in the outline (and for `show`);
    `stated` holds figures the text states beyond the metrics (tables by id, 市本级/各地
    splits, members' figures), which metrics.json carries."""

    key: str
    title: str = ""
    level: int = 2  # 1 = 一、 2 = （一）
    blocks: list[Block | Section] = field(default_factory=list)
    numbered: bool = True
    stated: dict[str, dict] = field(default_factory=dict)
    keep: bool = False  # printed even without blocks: a heading the analyst wrote

    def para(self, text: str, label: str = "") -> None:
        if text or label:
            self.blocks.append(Paragraph(text, label))

    def point(self, text: str) -> None:
        if text:
            self.blocks.append(Paragraph(text, point=True))

    def points(self, texts: list[str]) -> None:
        for text in texts:
            self.point(text)

    def add(self, block: Block | Section | None) -> None:
        if block is not None:
            self.blocks.append(block)

    def sub(self, title: str) -> Section:
        child = Section(f"{self.key}/{title}", title, self.level + 1)
        self.blocks.append(child)
        return child

    @property
    def sections(self) -> list[Section]:
        return [b for b in self.blocks if isinstance(b, Section)]

    @property
    def empty(self) -> bool:
        return not self.keep and all(isinstance(b, Section) and b.empty for b in self.blocks)

    def walk(self):
        """Every block in page order, sub-sections' blocks included."""
        for b in self.blocks:
            yield b
            if isinstance(b, Section):
                yield from b.walk()


@dataclass(eq=False)
class Document:
    """The whole report: title, sections in page order (the appendix last), sign-off."""

    title: str
    sections: list[Section]
    signature: str
    date: str
    cited: tuple[str, ...] = ()  # metric ids the text states by phrase (a review's), for checks

    @property
    def appendix(self) -> list[Table]:
        return [
            b for s in self.sections if s.key == APPENDIX for b in s.walk() if isinstance(b, Table)
        ]

    def stated(self) -> dict[str, dict]:
        """Everything the sections state beyond the metrics, merged by kind."""
        out: dict[str, dict] = {}
        for s in self.sections:
            for section in [s, *(b for b in s.walk() if isinstance(b, Section))]:
                for kind, items in section.stated.items():
                    out.setdefault(kind, {}).update(items)
        return out


def numbered(doc: Document) -> Document:
    """A copy with every number in place: headings among the non-empty sections of their
    level, measures within their section, figures and tables in page order."""
    counts = {"fig": 0, "table": 0}

    def block(b: Block | Section) -> Block | Section:
        if isinstance(b, Figure):
            counts["fig"] += 1
            return replace(b, caption=f"图{counts['fig']}　{b.caption}")
        if isinstance(b, Table):
            counts["table"] += 1
            return replace(b, title=f"表{counts['table']}　{b.title}")
        return b

    def section(s: Section, number: int | None) -> Section:
        title = s.title
        if number is not None:
            title = (
                f"{cn_number(number)}、{title}"
                if s.level == 1
                else f"（{cn_number(number)}）{title}"
            )
        blocks, n, point = [], 0, 0
        for b in s.blocks:
            if isinstance(b, Section):
                if b.empty:
                    continue
                n += b.numbered
                blocks.append(section(b, n if b.numbered else None))
            elif isinstance(b, Paragraph) and b.point:
                point += 1
                blocks.append(replace(b, text=f"{cn_number(point)}是{b.text}"))
            else:
                blocks.append(block(b))
        return replace(s, title=title, blocks=blocks)

    top, n = [], 0
    for s in doc.sections:
        if s.empty:
            continue
        numbering = s.numbered and bool(s.title)
        n += numbering
        top.append(section(s, n if numbering else None))
    return replace(doc, sections=top)
