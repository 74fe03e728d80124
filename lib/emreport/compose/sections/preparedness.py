"""（七）应急保障能力: teams, experts, plans, supplies, shelters, terminals at the period's end."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.metrics import wording

KEY = "应急保障能力"


def compose(ctx: Context) -> Section | None:
    if not ctx.m.has("preparedness"):
        return None
    clauses = [
        ctx.listing(
            [("应急救援队伍", "preparedness.teams"), ("队员", "preparedness.team_members")],
            sep="、",
        ),
        ctx.listing([("应急专家", "preparedness.experts")]),
        ctx.listing([("备案应急预案", "preparedness.plans")]),
        ctx.listing(
            [
                ("储备物资", "preparedness.supply_kinds"),
                (
                    "" if ctx.v("preparedness.supply_kinds") else "储备物资",
                    "preparedness.supply_items",
                ),
            ],
            sep="",
        ),
        ctx.listing([("避灾安置场所", "preparedness.shelters")]),
        ctx.listing([("指挥终端", "preparedness.terminals")]),
    ]
    items = "，".join(c for c in clauses if c)
    if not items:
        return None
    section = Section(KEY, "夯实应急基础，应急保障能力持续提升")
    text = f"{ctx.p.as_of}，{ctx.scope}共有{items}"
    teams = ctx.m["preparedness.teams"]
    if teams.prev is not None and teams.value != teams.prev:
        text += "，救援队伍" + wording.yoy_abs(teams.value or 0, teams.prev, "支").replace(
            "同比", "较上年同期", 1
        )
    section.points([f"加强应急力量建设。{text}。", *ctx.extras(KEY)])
    return section
