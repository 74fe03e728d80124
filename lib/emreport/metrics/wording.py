"""Numbers worded as the bureaus' summaries write them.

Arabic numerals without separators; counts from 1万 in 万 and from 1亿 in 亿 (money always in 万元,
亿元 from 10000万元); percentages to one decimal; rates compared in 百分点. Rounding is half-up
on the decimal value as written, never banker's.

A count from 1万 up is shown with the fewest decimals (0, 1 or 2) that leave out less than 1% of
it, never rounded up; 余 follows when what is left out is 0.5% of the figure or more: 10612 →
1.06万, 27436 → 2.74万, 28046 → 2.8万, 51326 → 5.1万余, 99999 → 9.9万余, 100000 → 10万. A figure
the data marks approximate (3300余) always carries 余: 3300余, 20余万, 5.1万余. `exact_counts()`
writes every count in full digits instead (the narrative's `## 数字写法` 精确), 余 kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

_Scales = tuple[tuple[Decimal, Decimal, str], ...]

_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
# (smallest value, as written in the scale below, that moves up to this scale, divisor, suffix)
_MONEY_SCALES: _Scales = ((_WAN, _WAN, "亿元"),)
_MONEY_UNIT = "万元"
# counts: (smallest value, divisor, suffix), largest first
_COUNT_STEPS = ((_YI, "亿"), (_WAN, "万"))
_LEAVE_OUT = Decimal("0.01")  # the most a count shown in 万 may leave out, as a share of it
_MATERIAL = Decimal("0.005")  # from this share left out, 余 says so
_EXACT: ContextVar[bool] = ContextVar("exact_counts", default=False)
_SPACES = re.compile(r"\s+")
# U+2160–U+2163; NFKC folds these and full-width letters onto I, II, III, IV
_LEVELS = {"1": "Ⅰ", "I": "Ⅰ", "2": "Ⅱ", "II": "Ⅱ", "3": "Ⅲ", "III": "Ⅲ", "4": "Ⅳ", "IV": "Ⅳ"}


def _dec(x: float) -> Decimal:
    """The value as written (shortest float repr), so 72.65 rounds up rather than to 72.6."""
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(float(x)))


def _quantize(d: Decimal, digits: int) -> Decimal:
    """Half-up rounding to `digits` decimals, the way figures are rounded by hand."""
    return d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def round_half_up(x: float, digits: int) -> Decimal:
    """Round as people do (0.125 → 0.13), immune to float noise and banker's rounding."""
    return _quantize(_dec(x), digits)


def _plain(d: Decimal) -> str:
    """Digits without trailing zeros, exponent or a minus sign on zero: 24.10 → 24.1."""
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def _checked(x: float) -> Decimal:
    """Counts and amounts are never negative; one that is must be a data error."""
    d = _dec(x)
    if not d.is_finite() or d < 0:
        raise ValueError(f"数值“{x}”无效：数量和金额应为非负数")
    return d


def _round(value: Decimal, approx: bool) -> Decimal:
    """Approximate figures floor to whole units (then 余); exact ones keep two decimals."""
    return value.to_integral_value(ROUND_FLOOR) if approx else _quantize(value, 2)


def _scaled(d: Decimal, unit: str, approx: bool, scales: _Scales, base: str = "") -> str:
    """Move up a scale only once the value as written reaches it: 99999999 → 1亿, not 10000万."""
    approx = approx and d >= 1
    shown, divisor, suffix = _round(d, approx), Decimal(1), base
    for threshold, larger, larger_suffix in scales:
        if shown * divisor < threshold:
            break
        shown, divisor, suffix = _round(d / larger, approx), larger, larger_suffix
    return f"{_plain(shown)}{'余' if approx else ''}{suffix}{unit}"


@contextmanager
def exact_counts(on: bool = True) -> Iterator[None]:
    """Within the block, counts are written in full digits (51326人, 3300余人), not in 万."""
    token = _EXACT.set(on)
    try:
        yield
    finally:
        _EXACT.reset(token)


def _in_scale(d: Decimal, divisor: Decimal, suffix: str, unit: str, approx: bool) -> str:
    """The fewest decimals that leave out under 1% (floored, never rounded up); 余 when 0.5%
    or more is left out, or the figure is approximate: 5.1万余, 1.06万, 20余万."""
    for digits in range(3):
        step = Decimal(1).scaleb(-digits)
        shown = (d / divisor).quantize(step, rounding=ROUND_FLOOR)
        left = d - shown * divisor
        if left < d * _LEAVE_OUT or digits == 2:
            break
    more = approx or left >= d * _MATERIAL
    text = _plain(shown)
    if not more:
        return f"{text}{suffix}{unit}"
    # 20余万 (more than 20万, a whole figure), 5.1万余 (just over 5.1万)
    return f"{text}余{suffix}{unit}" if "." not in text and approx else f"{text}{suffix}余{unit}"


def count(n: int | float, unit: str = "", approx: bool = False) -> str:
    """A count as the text writes it: 21358人 below 1万, 1.06万处, 5.1万余人, 1.01亿, 3300余人,
    20余万人次 (approximate), or in full digits within `exact_counts()`."""
    d = _checked(n)
    if not _EXACT.get():
        for divisor, suffix in _COUNT_STEPS:
            if d >= divisor:
                return _in_scale(d, divisor, suffix, unit, approx)
    approx = approx and d >= 1
    return f"{_plain(_round(d, approx))}{'余' if approx else ''}{unit}"


def money(wan_yuan: float, approx: bool = False) -> str:
    """An amount given in 万元, always written in 万元 or 亿元: 250.16万元, 1.01亿元, 24余万元."""
    return _scaled(_checked(wan_yuan), "", approx, _MONEY_SCALES, _MONEY_UNIT)


def _amount(x: float, unit: str) -> str:
    """A count, or money when the unit is 万元, so absolute changes in money reach 亿元."""
    return money(x) if unit == _MONEY_UNIT else count(x, unit)


def number(x: float, digits: int = 2) -> str:
    """A table cell's figure: rounded half-up, trailing zeros dropped, never scaled to 万."""
    return _plain(_quantize(_dec(x), digits))


def percent(rate: float) -> str:
    """A fraction as a percentage to one decimal: 0.985 → 98.5%, 1 → 100%."""
    return f"{_plain(_quantize(_dec(rate) * 100, 1))}%"


def _change(cur: float, prev: float) -> Decimal | None:
    """Fractional change on last year's base, or None when there is no base to divide by."""
    c, p = _checked(cur), _checked(prev)
    return None if p == 0 else (c - p) / p


def pct_change(cur: float, prev: float) -> float | None:
    """Fractional change for charts and thresholds; None when last year's base is 0."""
    change = _change(cur, prev)
    return None if change is None else float(change)


def _direction(delta: Decimal, up: str, down: str, suffix: str) -> tuple[str, str]:
    """Verb and size of a change shown to one decimal; 基本持平 when a real change rounds away."""
    if delta == 0:
        return "持平", ""
    shown = _quantize(abs(delta), 1)
    if shown == 0:
        return "基本持平", ""
    return (up if delta > 0 else down), f"{_plain(shown)}{suffix}"


def _movement(cur: float, prev: float, unit: str) -> tuple[str, str]:
    """Verb and size of a year-on-year change; absolute when last year's base is 0."""
    change = _change(cur, prev)
    if change is None:
        return ("增加", _amount(cur, unit)) if cur > 0 else ("持平", "")
    return _direction(change * 100, "增长", "下降", "%")


def yoy(cur: float, prev: float | None, unit: str = "") -> str:
    """同比 clause for one figure: 同比增长12.5%, 同比增加3起 on a zero base; "" without a base."""
    if prev is None:
        return ""
    return "同比" + "".join(_movement(cur, prev, unit))


def yoy_abs(cur: float, prev: float, unit: str = "") -> str:
    """同比 clause in absolute terms, for small counts where percentages mislead: 同比减少4起."""
    diff = _checked(cur) - _checked(prev)
    if diff == 0:
        return "同比持平"
    if _quantize(abs(diff), 2) == 0:
        return "同比基本持平"
    verb = "增加" if diff > 0 else "减少"
    return f"同比{verb}{_amount(float(abs(diff)), unit)}"


def yoy_pair(pairs: list[tuple[float, float]], units: list[str] | None = None) -> str:
    """One 同比 clause for several figures: 同比分别下降72.7%、66.7%; mixed moves keep each verb."""
    if not pairs:
        raise ValueError("没有可比较的数据")
    units = units if units is not None else [""] * len(pairs)
    items = [_movement(cur, prev, unit) for (cur, prev), unit in zip(pairs, units, strict=True)]
    if len(items) == 1:
        return "同比" + "".join(items[0])
    verb = items[0][0]
    if all(v == verb for v, _ in items):
        if not items[0][1]:
            return f"同比均{verb}"
        return f"同比分别{verb}" + "、".join(size for _, size in items)
    return "同比分别" + "、".join(v + size for v, size in items)


def rate_change(cur: float | None, prev: float | None) -> str:
    """Change of a rate in 百分点: 提高2.3个百分点, 下降2.3个百分点, 持平; "" without both."""
    if cur is None or prev is None:
        return ""
    return "".join(_direction((_dec(cur) - _dec(prev)) * 100, "提高", "下降", "个百分点"))


def date_cn(d: date | datetime) -> str:
    """A date as official text writes it, without zero padding: 2022年7月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


def level(n: int | str) -> str:
    """An emergency response level in Roman numerals (U+2160–U+2163): 1 → Ⅰ级."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", str(n))).upper().removesuffix("级")
    if key not in _LEVELS:
        raise ValueError(f"响应级别“{n}”无效：应为1至4或Ⅰ至Ⅳ")
    return f"{_LEVELS[key]}级"
