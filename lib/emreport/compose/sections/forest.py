"""（五）森林防灭火: fire-source checks and drills."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section

KEY = "森林防灭火"


def compose(ctx: Context) -> Section | None:
    if not ctx.m.has("forest_fire"):
        return None
    section = Section(KEY, "严防森林火灾，森林防灭火形势平稳")
    checks = ctx.listing(
        [
            ("组织检查组", "forest_fire.groups"),
            ("检查", "forest_fire.checkers"),
            ("制止违规用火", "forest_fire.stopped"),
        ]
    )
    drills = ctx.listing(
        [("开展森林防灭火演练", "forest_fire.drills"), ("参演人员", "forest_fire.drill_persons")]
    )
    section.points(
        [
            f"加强火源管控。{checks}。" if checks else "",
            f"强化应急准备。{drills}。" if drills else "",
            *ctx.extras(KEY),
        ]
    )
    return section
