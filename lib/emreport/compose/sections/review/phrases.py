"""The clauses a review writes of one measure over the years, each from the metrics of
metrics.review, so every figure is worded as metrics.json states it: the years' total, the
change against the base year (较“十三五”末下降30.2%), 年均, from the base year to the last
(由120支增加到137支), the figures year by year, the best year, streaks."""

from __future__ import annotations

from emreport.compose.context import Context
from emreport.compose.document import cn_number
from emreport.metrics import Metric, wording
from emreport.metrics.review import annual_text


def get(ctx: Context, mid: str) -> Metric | None:
    """A review metric with a figure, or None (no data, or not stated for this measure)."""
    m = ctx.m.get(mid)
    return None if m is None or m.value is None else m


def worded(m: Metric, form: str) -> str:
    """A metric in one of the forms the review writes it: text (26.8万处), yoy (较“十三五”末
    下降30.2%), prev (the earlier figure), annual (年均下降6.9%), points (a rate's 年均提高
    0.4个百分点), years (a streak: 三年), own and others (a city's 市本级 and 各地 figures of
    rule "own")."""
    if form == "text":
        return m.text()
    if form == "yoy":
        return m.yoy()
    if form == "prev":
        return m.prev_text()
    if form in ("annual", "points"):
        return annual_text(m, rate=form == "points")
    if form == "years":
        return years_n(int(m.value or 0))
    own, others = m.stated()
    return (own if form == "own" else others).text()


def cite(ctx: Context, m: Metric, form: str = "text") -> str:
    """The metric's words in a form, recorded as stated (Document.cited): a test reads each
    back from the PDF against metrics.json."""
    ctx.cited.add((m.id, form))
    return worded(m, form)


def years_n(n: int) -> str:
    """两年, 五年: a count of years as the text writes it."""
    return f"{'两' if n == 2 else cn_number(n)}年"


def years_word(ctx: Context) -> str:
    """五年来, 两年来: as many years as the period has."""
    return f"{years_n(len(ctx.p.years))}来"


def total(ctx: Context, mid: str) -> str:
    """The years' total: 26.8万处; "" when a year has no data. A city's figure of rule "own"
    (the 市本级's own work) is stated with the districts' beside it (市本级12次、各地94次),
    or as the districts' alone when the 市本级 did none."""
    m = get(ctx, f"{mid}.total")
    if m is None:
        return ""
    if m.rollup == "own" and m.others is not None:
        if not m.value:
            return cite(ctx, m, "others")
        return f"市本级{cite(ctx, m, 'own')}、各地{cite(ctx, m, 'others')}"
    return cite(ctx, m)


def nonzero(ctx: Context, mid: str) -> str:
    """The total, "" when it is 0 (a clause of what was done: 转移人员0人 is not said)."""
    m = get(ctx, f"{mid}.total")
    if m is None or not (m.value or m.others):
        return ""
    return total(ctx, mid)


def vs_base(ctx: Context, mid: str) -> str:
    """较“十三五”末下降30.2% (a count), 较“十三五”末提高2.1个百分点 (a rate); "" when the base
    year or the last has no data."""
    m = get(ctx, f"{mid}.vs_base")
    if m is None or m.prev is None:
        return ""
    return cite(ctx, m, "yoy")


def annual(ctx: Context, mid: str) -> str:
    """年均下降6.9%; "" when not stated (a base of 0, a year without data)."""
    m = get(ctx, f"{mid}.annual")
    if m is None:
        return ""
    return cite(ctx, m, "points" if ctx.m.yearly(mid).is_rate else "annual")


def change(ctx: Context, mid: str) -> str:
    """较“十三五”末下降30.2%，年均下降6.9%, whatever of the two is stated."""
    bits = [b for b in (vs_base(ctx, mid), annual(ctx, mid)) if b]
    return "，".join(bits)


def from_to(ctx: Context, mid: str, base: bool = True) -> str:
    """由“十三五”末的120支增加到137支 (a stock's growth); "" without both figures."""
    m = get(ctx, f"{mid}.vs_base")
    if m is None or m.prev is None or m.value == m.prev:
        return ""
    verb = "增加到" if m.value > m.prev else "减少到"
    since = f"{ctx.p.base_label}的" if base else ""
    return f"由{since}{cite(ctx, m, 'prev')}{verb}{cite(ctx, m)}"


def sequence(ctx: Context, mid: str) -> str:
    """2021年至2025年分别为5起、4起、6起、3起、2起 (years without data: 无数据)."""
    texts = []
    for year in ctx.p.years:
        m = get(ctx, f"{mid}.{year}")
        texts.append(cite(ctx, m) if m else "无数据")
    first, last = ctx.p.years[0], ctx.p.years[-1]
    return f"{first}年至{last}年分别为{'、'.join(texts)}"


def best(ctx: Context, mid: str, noun: str, word: str) -> str:
    """2025年事故起数为五年来最少 (`word`: 最少, 最高); "" when not stated or a tie leaves
    the best year's figure equal to another's."""
    m = get(ctx, f"{mid}.best")
    if m is None:
        return ""
    year = int(m.value)
    figures = [v for y, v in ctx.m.yearly(mid).years.items() if v is not None and y != year]
    if ctx.m.yearly(mid).years[year] in figures:
        return ""
    return f"{cite(ctx, m)}{noun}为{years_word(ctx)}{word}"


def streak(ctx: Context, mid: str, suffix: str) -> int:
    """The years of a streak (falls, zero) as a number; 0 when not stated."""
    m = get(ctx, f"{mid}.{suffix}")
    return int(m.value) if m else 0


def streak_words(ctx: Context, mid: str, suffix: str) -> str:
    """A streak as the text writes it: 三年."""
    m = get(ctx, f"{mid}.{suffix}")
    return cite(ctx, m, "years") if m else ""


def text(ctx: Context, mid: str) -> str:
    """One review metric's figure, cited; "" without one."""
    m = get(ctx, mid)
    return cite(ctx, m) if m else ""


def rises(ctx: Context, mid: str) -> list[int]:
    """The years whose figure rose over the year before: the setbacks."""
    y = ctx.m.yearly(mid)
    out = []
    for year, value in y.years.items():
        before = y.before(year)
        if value is not None and before is not None and value > before:
            out.append(year)
    return out


def count_text(n: int, unit: str) -> str:
    return wording.count(n, unit)
