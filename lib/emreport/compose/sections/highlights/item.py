"""One highlight of the brief: a level-1 heading (the candidate's, or the analyst's new title)
and one paragraph with the figures that make it a highlight, each a Metric's `.text()`,
`.yoy()` or `.prev_text()` (a streak's years and a rank in numerals: 连续三年, 第一), from the
ids the candidate states (metrics.highlights); then the analyst's own paragraphs under it.

`default_tree` is the brief's outline without one of the analyst's: 导语, the candidates the
narrative names, then the highest-scored others that apply while the body fits one page."""

from __future__ import annotations

import math

from emreport.compose.context import Context
from emreport.compose.document import Paragraph, Section, cn_number
from emreport.compose.outline import Entry
from emreport.compose.sections.highlights import lead
from emreport.metrics.highlights import BY_KEY, Scored

MIN_ITEMS, MAX_ITEMS = 4, 6
FULL_SCORE = 30  # the fifth and sixth highlight only from this score up
# the body lines of the first page beside the title and the sign-off (the 28 × 22 grid of
# GB/T 9704, 3 lines of title, 3 of sign-off), so the brief is one page and 附表 the second
PAGE_LINES, LINE_EMS = 16, 28
STOPS = set("，、；：。！？")


def years_cn(n: int) -> str:
    """A number of years or of periods in numerals as the text counts them: 两 for 2."""
    return "两" if n == 2 else cn_number(n)


def compose(ctx: Context) -> Section | None:
    return section_of(ctx, ctx.room)


def section_of(ctx: Context, key: str) -> Section | None:
    """A candidate's section: its paragraph when it applies, the analyst's own after it; None
    when it does not apply and the analyst wrote nothing under it."""
    s = ctx.m.candidate(key)
    own = ctx.extras(key)
    if not s.applies and not own:
        return None
    section = Section(key, s.heading, 1)
    if s.applies:
        section.para(paragraph(ctx, s))
    for text in own:
        section.para(text)
    return section


def lines(text: str, indent: int = 2) -> int:
    """The lines a paragraph or heading takes on the page: LINE_EMS to a line, a CJK character
    or bracket one em, an ASCII one (digits, %) half of one, a comma or stop three quarters
    (Typst sets some of them half wide; measured against the sample's PDFs, never fewer lines
    than printed)."""
    width = indent + sum(0.5 if ord(c) < 128 else 0.75 if c in STOPS else 1 for c in text)
    return math.ceil(width / LINE_EMS)


def page_lines(section: Section, title: str = "") -> int:
    heading = lines(title or section.title, indent=4) if section.title else 0  # 一、 and indent
    return heading + sum(lines(b.text) for b in section.blocks if isinstance(b, Paragraph))


def default_tree(ctx: Context) -> list[Entry]:
    """导语, the candidates the narrative names (that apply, or with text of the analyst's
    under them), then the highest-scored others that apply while the body fits the first page
    (PAGE_LINES, beside the title and the sign-off; 附表 on the second): at least MIN_ITEMS
    if they fit, at most MAX_ITEMS, the fifth and sixth only from FULL_SCORE. In score order."""
    named = ctx.story.headings
    used = page_lines(lead.compose(ctx))
    keys = set()
    for s in ctx.m.candidates:
        if s.key in named and (s.applies or ctx.story.sections.get(s.key)):
            keys.add(s.key)
            used += page_lines(section_of(ctx, s.key), named[s.key].title)
    shown = 0
    for s in ctx.m.candidates:
        if s.key in keys or not s.applies or len(keys) >= MAX_ITEMS:
            continue
        if len(keys) >= MIN_ITEMS and s.score < FULL_SCORE:
            continue
        need = page_lines(section_of(ctx, s.key))
        if used + need <= PAGE_LINES or not shown and not keys:
            keys.add(s.key)
            used += need
            shown += 1
    entries = [named.get(s.key) or Entry(s.key) for s in ctx.m.candidates if s.key in keys]
    return [named.get("导语") or Entry("导语"), *entries]


def paragraph(ctx: Context, s: Scored) -> str:
    return WRITERS[s.key](ctx, Said(ctx, s)) + "。"


class Said:
    """The figures a candidate states, worded, and whether it states one."""

    def __init__(self, ctx: Context, s: Scored):
        self.ctx, self.s, self.m = ctx, s, ctx.m

    def __contains__(self, mid: str) -> bool:
        return mid in self.s.states

    def t(self, mid: str) -> str:
        return self.m[mid].text()

    def n(self, mid: str) -> str:
        """A count of years or a place in numerals: 三, 一 (see `years`)."""
        return cn_number(int(self.m[mid].value))

    def years(self, mid: str) -> str:
        """A streak's years as the text counts them: 两 for 2 (连续两年), else 三, 十二."""
        return years_cn(int(self.m[mid].value))

    def same(self) -> str:
        """同期 in a half-year's streak: the first halves of years in a row, not whole years."""
        return "同期" if self.ctx.p.half else ""

    def last_year(self) -> str:
        return "上年同期" if self.ctx.p.half else "上年"

    def since(self, mid: str) -> str:
        """2020年以来(同期), or 有数据的五个年度(年份同期)中 when a year between has none."""
        half = self.ctx.p.half
        gap = f"highlights.{mid}.years"
        if gap in self:
            return f"有数据的{years_cn(int(self.m[gap].value))}个{'年份同期' if half else '年度'}中"
        return f"{self.t(f'highlights.{mid}.since')}以来{'同期' if half else ''}"

    def record(self, mid: str, word: str) -> str:
        """，为2020年以来最少（此前最少为2023年的5起）"""
        rec = f"highlights.{mid}.record"
        if rec not in self:
            return ""
        return (
            f"，为{self.since(mid)}最{word}（此前最{word}为{self.t(rec + '_year')}的{self.t(rec)}）"
        )

    def held(self, mid: str, what: str) -> str:
        """A zero held: ，连续三年{what}, ，为2020年以来首次, （上年同期3人）."""
        out = ""
        if mid in self and self.m[mid].prev:
            out += f"（{self.last_year()}{self.m[mid].prev_text()}）"
        streak = f"highlights.{mid}.zero_streak"
        if streak in self:
            out += f"，已连续{self.years(streak)}年{self.same()}{what}"
        first = f"highlights.{mid}.first_zero"
        if first in self:
            if f"highlights.{mid}.years" in self:
                out += f"，在{self.since(mid)}为首次"
            else:
                out += f"，为{self.t(first)}以来{'同期' if self.ctx.p.half else ''}首次"
        return out


def _both_down(ctx: Context, say: Said) -> str:
    c, d = ctx.m["accidents.count"], ctx.m["accidents.deaths"]
    out = f"{ctx.when}，{ctx.scope}"
    if c.value == 0:  # none at all: no 下降100%
        out += f"未发生生产安全事故（{say.last_year()}{c.prev_text()}、死亡{d.prev_text()}）"
    elif d.value == 0:
        out += (
            f"共发生生产安全事故{c.text()}，{c.yoy()}，未造成人员死亡"
            f"（{say.last_year()}死亡{d.prev_text()}）"
        )
    else:
        out += f"共发生生产安全事故{c.text()}、死亡{d.text()}，" + ctx.yoy_pair(
            "accidents.count", "accidents.deaths"
        )
    out += say.record("accidents.count", "少")
    if "highlights.accidents.both_down_streak" in say:
        out += f"，连续{say.years('highlights.accidents.both_down_streak')}年实现“双下降”"
    else:
        out += "，实现事故起数和死亡人数“双下降”"
    if "highlights.members.largest_fall" in say:
        m = ctx.m["highlights.members.largest_fall"]
        name = m.label.removesuffix("生产安全事故")
        if m.value == 0:
            out += f"，其中{name}未发生生产安全事故（{say.last_year()}{m.prev_text()}）"
        else:
            out += f"，其中{name}降幅最大，事故起数{m.yoy()}"
    return out


def _no_major(ctx: Context, say: Said) -> str:
    mid = "accidents.major_or_above"
    streak = f"highlights.{mid}.zero_streak"
    if streak in say:  # 已连续五年未发生…, as the documents put it
        out = f"{ctx.when}，{ctx.scope}已连续{say.years(streak)}年{say.same()}"
        return out + "未发生较大及以上生产安全事故"
    return f"{ctx.when}，{ctx.scope}未发生较大及以上生产安全事故" + say.held(mid, "")


def _zero_deaths(ctx: Context, say: Said) -> str:
    bits = []
    if "highlights.members.zero_deaths" in say:
        names = "、".join(ctx.m.zero_death_districts)
        bits.append(
            f"{ctx.when}，全市{say.t('highlights.members.districts')}县（市、区）中，"
            f"{names}{say.t('highlights.members.zero_deaths')}县（市、区）实现生产安全事故零死亡"
        )
    if ctx.m["accidents.deaths"].value == 0:
        what = (
            "未发生生产安全事故"
            if ctx.m["accidents.count"].value == 0
            else "未发生生产安全事故死亡"
        )
        head = f"{ctx.when}，{ctx.scope}" if not bits else f"{ctx.scope}"
        bits.append(f"{head}{what}" + say.held("accidents.deaths", "实现零死亡"))
    return "；".join(bits)


def _rectification(ctx: Context, say: Said) -> str:
    rate = ctx.m["hazards.rectification_rate"]
    out = (
        f"{ctx.when}，{ctx.scope}排查发现隐患{say.t('hazards.found')}，"
        f"已整改{say.t('hazards.rectified')}，整改率{rate.text()}"
    )
    if rate.yoy():
        out += f"，{rate.yoy()}"
    return out + say.record("hazards.rectification_rate", "高")


def _major(ctx: Context, say: Said) -> str:
    rate = ctx.m["hazards.major_rate"]
    out = f"{ctx.when}，{ctx.scope}排查重大事故隐患{say.t('hazards.major')}"
    out += f"，已整改销号{say.t('hazards.major_rectified')}，整改率{rate.text()}"
    if rate.prev is not None and rate.yoy():
        out += f"，{rate.yoy()}"
    return out + "，无逾期未整改的重大事故隐患"


WORK = {
    "inspections.count": "开展执法检查",
    "inspections.cases": "立案",
    "inspections.fines": "罚款",
    "training.total": "开展安全培训",
    "training.exams": "组织安全生产考试",
    "publicity.events": "开展宣传活动",
    "publicity.materials": "发放宣传资料",
    "preparedness.teams": "建有应急救援队伍",
    "preparedness.team_members": "救援队员",
    "preparedness.experts": "应急专家",
    "preparedness.supply_items": "储备应急物资",
    "preparedness.shelters": "避灾安置场所",
}


def _grown(ctx: Context, say: Said) -> str:
    """Work done or stocks that rose, each with its 同比 (and a record where there is one)."""
    bits = []
    for mid in say.s.states:
        if mid in WORK:
            m = ctx.m[mid]
            bits.append(f"{WORK[mid]}{m.text()}，{m.yoy()}" + say.record(mid, "多"))
    stock = say.s.key == "应急保障"
    return f"{ctx.p.as_of if stock else ctx.when}，{ctx.scope}" + "；".join(bits)


def _flood(ctx: Context, say: Said) -> str:
    words = {
        "flood.responses": "启动防汛防台应急响应",
        "flood.personnel": "出动抢险人员",
        "flood.relocated": "转移危险区域人员",
        "flood.incidents": "处置险情",
        "disasters.evacuated": "紧急转移安置群众",
    }
    bits = [f"{w}{say.t(mid)}" for mid, w in words.items() if mid in say]
    out = f"{ctx.when}，{ctx.scope}" + "，".join(bits) + "，未发生因灾死亡失踪"
    return out + say.held("disasters.dead_missing", "实现因灾零死亡")


def _rank(ctx: Context, say: Said) -> str:
    bits = []
    if "highlights.rank.accidents.count" in say:
        c = ctx.m["accidents.count"]
        bits.append(
            f"生产安全事故{c.yoy()}，降幅居全市第{say.n('highlights.rank.accidents.count')}"
        )
    if "highlights.rank.hazards.rectification_rate" in say:
        bits.append(
            f"隐患整改率{say.t('hazards.rectification_rate')}，"
            f"居全市第{say.n('highlights.rank.hazards.rectification_rate')}"
        )
    return f"{ctx.when}，{ctx.scope}" + "；".join(bits)


WRITERS = {
    "事故双降": _both_down,
    "无较大事故": _no_major,
    "零死亡": _zero_deaths,
    "隐患整改": _rectification,
    "重大隐患": _major,
    "执法检查": _grown,
    "宣传培训": _grown,
    "应急保障": _grown,
    "防汛防台": _flood,
    "排名": _rank,
}
assert set(WRITERS) == set(BY_KEY)
