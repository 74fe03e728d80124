"""（六）宣传培训: training with its offline/online split and exams, publicity."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import Section

KEY = "宣传培训"


def compose(ctx: Context) -> Section | None:
    if not ctx.m.has("training") and not ctx.m.has("publicity"):
        return None
    section = Section(KEY, "强化宣传培训，全民安全素质不断提升")
    points = []
    if ctx.m.has("training"):
        parts = [("线下", "training.offline"), ("线上", "training.online")]
        given = [(word, mid) for word, mid in parts if ctx.v(mid)]
        whole = ctx.m["training.total"]
        if len(given) == 1 and ctx.v(given[0][1]) == whole.value:
            # the one part is the whole: 线上培训20余万人次, not 培训…（其中线上…）
            text = ctx.listing(
                [("举办安全培训班", "training.classes"), (f"{given[0][0]}培训", "training.total")]
            )
        else:
            text = ctx.listing([("举办安全培训班", "training.classes"), ("培训", "training.total")])
            split = ctx.listing(parts, "、")
            if split:
                text += f"（其中{split}）"
        if ctx.v("training.exams"):
            text += f"；组织考试{ctx.t('training.exams')}，合格率{ctx.t('training.pass_rate')}"
        points.append(f"深化安全培训。{text}。" if text else "")
    if ctx.m.has("publicity"):
        items = ctx.listing(
            [
                ("发放宣传资料", "publicity.materials"),
                ("制作展板", "publicity.boards"),
                ("发送安全提示短信", "publicity.messages"),
                ("开展宣传活动", "publicity.events"),
            ]
        )
        points.append(f"营造安全氛围。{items}。" if items else "")
    section.points(points + ctx.extras(KEY))
    return section
