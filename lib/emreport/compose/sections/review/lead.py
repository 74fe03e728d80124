"""A review's 导语: the opening (the analyst's, or the standard one for a plan period), then
what the years come to: accidents and deaths over the years and against the base year, the
streak without a 较大 accident, the hazards put right."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section
from emreport.compose.sections import lead
from emreport.compose.sections.review import phrases as ph


def compose(ctx: Context) -> Section:
    # the headline figures are worked out first: they cite the figures they state
    figures = headline(ctx)
    return lead.section(
        ctx,
        "全力防范化解重大安全风险，安全生产形势持续稳定向好，"
        "应急管理体系和能力现代化建设取得明显成效。",
        figures,
    )


def headline(ctx: Context) -> str:
    bits = []
    if ph.get(ctx, "accidents.count.total") and ph.get(ctx, "accidents.deaths.total"):
        accidents, deaths = ph.total(ctx, "accidents.count"), ph.total(ctx, "accidents.deaths")
        bits.append(f"{ph.years_word(ctx)}，{ctx.scope}共发生生产安全事故{accidents}、死亡{deaths}")
    last = ctx.p.last
    if all(ph.get(ctx, f"{m}.vs_base") for m in ("accidents.count", "accidents.deaths")):
        pair = [
            ph.vs_base(ctx, m).removeprefix(f"较{ctx.p.base_label}")
            for m in ("accidents.count", "accidents.deaths")
        ]
        if pair[0][:2] == pair[1][:2]:  # 分别下降51.7%、44.4%
            pair[1] = pair[1][2:]
        bits.append(f"{last}年事故起数、死亡人数较{ctx.p.base_label}分别{'、'.join(pair)}")
    quiet = ph.streak(ctx, "accidents.major_or_above", "zero")
    if quiet >= 2:
        bits.append(
            f"连续{ph.streak_words(ctx, 'accidents.major_or_above', 'zero')}未发生较大及以上生产安全事故"
        )
    if ph.get(ctx, "hazards.found.total") and ph.get(ctx, "hazards.rectification_rate.total"):
        found, rate = ph.total(ctx, "hazards.found"), ph.total(ctx, "hazards.rectification_rate")
        bits.append(f"累计排查隐患{found}，整改率{rate}")
    return "；".join(bits) + "。" if bits else ""
