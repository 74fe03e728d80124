"""Composing: the report's sentences, tables and charts, written from the computed metrics and
the analyst's narrative into one `Document`.

Each section of the genre is a room under `sections/` with its district and city sentences
side by side; `outline.ROOMS` lists them once, in page order. Every figure in the text is a
`Metric` (or a row of one of its breakdown tables) worded by `emreport.metrics.wording`, so the text,
the tables and metrics.json agree. The page follows the narrative's outline (`Narrative.tree`:
the rooms in order unless the analyst wrote their own, see params/README.md). A section without
data for the period is left out unless the analyst wrote text for it; a heading of the
analyst's own (an own section, a plan item) is printed even alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from emreport.compose import narrative
from emreport.compose.context import Context, Peer
from emreport.compose.document import Block, Document, Paragraph, Section
from emreport.compose.kinds import OUTLINES, outline_of
from emreport.compose.outline import APPENDIX, Entry
from emreport.compose.sections import plans
from emreport.data import kinds
from emreport.metrics import Metrics, wording

__all__ = ["Peer", "compose", "outline_of"]

# every kind's rooms are imported with the package, so a warm kernel has them all loaded
WRITERS = {(o.kind, r.key): r.compose for o in OUTLINES.values() for r in o.rooms}


def compose(
    m: Metrics, story: narrative.Narrative, peers: Sequence[Peer] = (), today: date | None = None
) -> Document:
    """The whole report for one unit and period. `today` fixes the 成文日期 over the
    narrative's; without it the narrative's date, else today's."""
    narrative.check(story, m)
    ctx = Context(m, story, list(peers), today)
    kind = story.rooms.kind
    with wording.exact_counts(story.exact):  # ## 数字写法 精确: every count in full digits
        sections = [s for e in tree(ctx) if (s := place(ctx, e, 1, "")) is not None]
        if (kind, APPENDIX) in WRITERS and (appendix := WRITERS[kind, APPENDIX](ctx)) is not None:
            sections.append(appendix)
    name = m.unit.name
    dated = wording.date_cn(today or date.today())
    return Document(
        kinds.KINDS[kind].title(name, m.period),
        sections,
        story.signature or f"{name}应急管理局",
        dated if today is not None else (story.date or dated),
        tuple(sorted(ctx.cited)),
    )


def tree(ctx: Context) -> list[Entry]:
    """The page's outline: the analyst's, else the kind's default (the highlights' own: the
    highest-scored candidates first)."""
    if ctx.story.rooms.kind == kinds.HIGHLIGHTS and ctx.story.outline is None:
        from emreport.compose.sections.highlights import item

        return item.default_tree(ctx)
    return ctx.story.tree()


def work_title(ctx: Context) -> str:
    """The part 主要工作和成效 as the kind and period name it."""
    if ctx.story.rooms.kind == kinds.REVIEW:
        return f"{ctx.when}主要工作和成效"
    return "上半年主要工作和成效" if ctx.p.half else "主要工作和成效"


def place(ctx: Context, e: Entry, level: int, parent: str) -> Section | None:
    """One heading of the outline as a section at `level` (1: 一、, 2: （一）)."""
    title = _title(ctx, e)
    if e.container:
        if not title:  # 主要工作和成效 without a new title
            title = work_title(ctx)
        key = e.key or (f"{parent}/{title}" if parent else title)
        section = Section(key, title, level, keep=not e.key)
        for p in e.paragraphs:
            section.para(ctx.filled(p))
        for child in e.children:
            section.add(place(ctx, child, level + 1, key))
        return section
    ctx.room = e.key
    section = WRITERS[ctx.story.rooms.kind, e.key](ctx)
    ctx.room = ""
    own = own_blocks(ctx, e.key, points=not e.own_only)
    if section is not None and e.own_only:  # the generated paragraphs out, charts kept
        kept = [b for b in section.blocks if not isinstance(b, Paragraph | Section)]
        section.blocks = [*own, *kept]
    elif section is None and own:  # no data for the period: the analyst's text all the same
        section = Section(e.key, ctx.story.rooms.heading(e.key), level, own)
    if section is None:
        return None
    if title:
        section.title = title
    _relevel(section, level)
    return section


def own_blocks(ctx: Context, key: str, points: bool = True) -> list[Block | Section]:
    """The analyst's own text for a room, laid out as the room lays it out: a work section's
    paragraphs as its measures (一是…), or as written when they are all the section says
    (`points` false); the problems always as 一是…"""
    story = ctx.story
    if key == "导语":
        return [Paragraph("".join(ctx.filled(p) for p in story.lead))] if story.lead else []
    if key == "问题":
        return [Paragraph(ctx.filled(p), point=True) for p in story.problems]
    if key == "安排":
        out: list[Block | Section] = [Paragraph(ctx.filled(p)) for p in story.plans_lead]
        for heading, paras in plans.own_plans(ctx):
            item = Section(f"{plans.KEY}/{heading}", heading, 2, keep=True)
            for text in paras:
                item.para(text)
            out.append(item)
        return out
    return [Paragraph(text, point=points) for text in ctx.extras(key) if text]


def _title(ctx: Context, e: Entry) -> str:
    if not e.title:
        return ""
    return narrative.fill(e.title, ctx.m, where=f"{ctx.story.name} 第{e.line}行")


def _relevel(section: Section, level: int) -> None:
    """A room placed at another level than its own (a work section as a part of its own)."""
    if section.level != level:
        section.level = level
        for sub in section.sections:
            _relevel(sub, level + 1)
