"""The report as one model: a title, sections of paragraphs, figures, tables and sub-sections,
the sign-off. Plain objects, filled by the section rooms and read by every renderer.

Nothing is numbered while a report is composed: headings (一、（一）), measures (一是、二是),
figures (图N) and tables (表N) are numbered by `numbered`, which every renderer calls, so a
section left out, moved or added never leaves a gap or a stale number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

CN_DIGITS = "一二三四五六七八九"
APPENDIX = "附表"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二: the numbering of headings and 一是/二是."""
    if n <= 9:
        return CN_DIGITS[n - 1]
    if n < 20:
        return "十" + (CN_DIGITS[n - 11] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN_DIGITS[tens - 1] + "十" + (CN_DIGITS[ones - 1] if ones else "")


@dataclass
class Paragraph:
    """A body paragraph. `label` is a run-in heading; a `point` is one of a section's measures,
    opened 一是、二是… in order when the document is numbered."""

    text: str
    label: str = ""
    point: bool = False


@dataclass
class Figure:
    """A chart (SVG) and its caption, 图N added when numbered."""

    svg: bytes
    caption: str


@dataclass(eq=False)
class Table:
    """A table of the report: title (表N added when numbered), rows with the index as first
    column, units by column, a note below."""

    title: str
    frame: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)
    note: str = ""


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
        return all(isinstance(b, Section) and b.empty for b in self.blocks)

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

    @property
    def appendix(self) -> list[Table]:
        return [b for s in self.sections if s.key == APPENDIX for b in s.walk()
                if isinstance(b, Table)]

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
            title = f"{cn_number(number)}、{title}" if s.level == 1 else f"（{cn_number(number)}）{title}"
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
