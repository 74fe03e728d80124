"""Composing: the report's sentences, tables and charts, written from the computed metrics and
the analyst's narrative into one `Document`.

Each section of the genre is a room under `sections/` with its district and city sentences
side by side; `outline.ROOMS` lists them once, in page order. Every figure in the text is a
`Metric` (or a row of one of its breakdown tables) worded by `emreport.metrics.wording`, so the text,
the tables and metrics.json agree. Sections without data for the period are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from emreport.compose import narrative
from emreport.compose.context import Context, Peer
from emreport.compose.document import Document, Section
from emreport.compose.outline import ACHIEVEMENTS, ROOMS
from emreport.metrics import Metrics, wording

__all__ = ["Peer", "compose"]

# every room is imported with the package, so a warm kernel has them all loaded
WRITERS = {room.key: room.compose for room in ROOMS}


def compose(
    m: Metrics, story: narrative.Narrative, peers: Sequence[Peer] = (), today: date | None = None
) -> Document:
    """The whole report for one unit and period. `today` fixes the 成文日期 over the
    narrative's; without it the narrative's date, else today's."""
    narrative.check(story, m)
    ctx = Context(m, story, list(peers), today)
    sections: list[Section] = []
    work = None
    for room in ROOMS:
        section = WRITERS[room.key](ctx)
        if room.part != ACHIEVEMENTS:
            sections.append(section)
            continue
        if work is None:
            title = "上半年主要工作和成效" if m.period.half else "主要工作和成效"
            work = Section(ACHIEVEMENTS, title, 1)
            sections.append(work)
        work.add(section)
    name = m.unit.name
    dated = wording.date_cn(today or date.today())
    return Document(
        f"{name}应急管理局{m.period.label}工作总结",
        sections,
        story.signature or f"{name}应急管理局",
        dated if today is not None else (story.date or dated),
    )
