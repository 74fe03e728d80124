"""A review's 附表: every measure with data, year by year, one table per kind of data, in the
order of the input tables."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import APPENDIX, Section
from emreport.compose.sections.review.figures import explained, yearly_table
from emreport.data.schema import BY_ID

TABLE_OF = {"flood": "flood_responses"}  # metric ids' first word where it is not a table's id


def compose(ctx: Context) -> Section:
    section = Section(APPENDIX, APPENDIX, 1, numbered=False)
    section.para(f"以下为{ctx.when}各项指标逐年情况。{explained(ctx, annual=False)}")
    groups: dict[str, list[str]] = {}
    for mid in ctx.m.measures:
        groups.setdefault(mid.split(".")[0], []).append(mid)
    for table_id, mids in groups.items():
        name = BY_ID[TABLE_OF.get(table_id, table_id)].name
        section.add(yearly_table(ctx, mids, f"{name}逐年情况"))
    return section
