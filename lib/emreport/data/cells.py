"""Reading one cell as the bureaus' systems write it.

Each reader takes a raw value (str, number, date or None) and returns the typed value, or raises
`CellError` with the words the analyst will see after “值“…””. Full-width forms, stray spaces,
numbers stored as text and the usual ways of writing dates are all accepted.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from emreport.data.periods import PeriodError, parse_half

EARLIEST = date(2000, 1, 1)
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_EPOCH_1904 = datetime(1904, 1, 1)  # workbooks saved with the 1904 date system (workbookPr)
DATE_HINT = "请写作2024-07-01、2024/7/1或2024年7月1日"

_SPACES = re.compile(r"\s+")
_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T ]?(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?秒?分?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_FORMULA_LEADS = ("=", "@")  # after NFKC, so full-width ＝ is caught too
# Characters that are not text: C0/C1 controls and DEL, zero-width and bidirectional formatting
# marks, line and paragraph separators. Names are cleaned of them at ingest: the ones that
# break a line become one space, the others are dropped. Literal characters (not \u escapes),
# so the same class works in Python's re and in pyarrow's RE2.
_LINE_BREAKS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"
CONTROLS = "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
_BREAKS_RE = re.compile(f"[{_LINE_BREAKS}]+")
_CONTROLS_RE = re.compile(CONTROLS)


class CellError(ValueError):
    """A cell value that cannot be read; the message completes “值“…”…”."""


def squash(value: object) -> str:
    """Normalise for matching: NFKC (full-width to ASCII), no spaces at all."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def clean(value: str) -> str:
    """Without control characters: line breaks and tabs become one space, the rest go."""
    return _CONTROLS_RE.sub("", _BREAKS_RE.sub(" ", value))


def text(value: object) -> str:
    """Free text (names): keep the writer's characters but controls, trim the ends."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = clean(str(value)).strip().replace("\u3000", " ").strip()
    if not result:
        raise CellError("没有文字（只有控制字符或空白）")
    return result


def identifier(value: object) -> str:
    """A record id: full-width folded, spaces and controls dropped, 12.0 from Excel read as 12."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = squash(clean(str(value)))
    if not result:
        raise CellError("没有文字（只有控制字符或空白）")
    return result


def code(value: object) -> str:
    """A 6-digit administrative division code."""
    if isinstance(value, bool):
        raise CellError("不是区划代码：区划代码应为6位数字")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = squash(value)
    if not (len(s) == 6 and s.isascii() and s.isdigit()):
        raise CellError("不是有效的区划代码：区划代码应为6位数字，如330108")
    return s


def number(
    value: object, *, integer: bool, unit: str = "", approx_ok: bool = False
) -> tuple[float, bool]:
    """A count or amount; returns (value, approximate). Negative values are refused; the
    column's range (infinity included) is checked by the caller."""
    approx = False
    if isinstance(value, bool):
        raise CellError("不是数字")
    if isinstance(value, int | float):
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            raise CellError("不是数字")
    else:
        s = squash(value)
        if s.startswith(_FORMULA_LEADS):
            raise CellError("是公式，不是数字：请在Excel中复制后“选择性粘贴为数值”")
        if unit and s.endswith(unit):
            s = s[: -len(unit)]
        if approx_ok and (s.endswith(("余", "多")) or s.startswith("约")):
            approx = True
            s = s.lstrip("约").rstrip("余多")
        if _THOUSANDS.match(s):
            s = s.replace(",", "")
        try:
            x = float(s)
        except ValueError:
            hint = "；约数请写作“3300余”" if approx_ok else ""
            raise CellError(f"不是数字{hint}") from None
        if math.isnan(x):
            raise CellError("不是数字")  # infinity is out of every column's range
    if x < 0:
        raise CellError("不能为负数")
    if integer and not x.is_integer():
        raise CellError("应为整数")
    return x, approx


def when(
    value: object, *, with_time: bool, future_ok: bool, today: date, date1904: bool = False
) -> datetime:
    """A date (or date and time) written in any of the forms the bureaus' systems export.

    A plain number is an Excel serial day, counted from 1904-01-01 in a 1904-system workbook.
    """
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise CellError(f"不是有效日期，{DATE_HINT}")
        result = (EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH) + timedelta(days=float(value))
        result = result.replace(microsecond=0)
    else:
        result = _parse_date_text(squash(value))
    if not with_time:
        result = datetime(result.year, result.month, result.day)
    latest = date(today.year + 10, 12, 31) if future_ok else today
    if not EARLIEST <= result.date() <= latest:
        upto = "今后10年内" if future_ok else "今天"
        raise CellError(f"超出合理的日期范围（2000年1月1日至{upto}）")
    return result


def _parse_date_text(s: str) -> datetime:
    if s.startswith(_FORMULA_LEADS):
        raise CellError("是公式，不是日期：请在Excel中“选择性粘贴为数值”")
    m = _DATE.match(s) or _COMPACT_DATE.match(s)
    if not m:
        raise CellError(f"不是有效日期，{DATE_HINT}")
    parts = [int(g) if g else 0 for g in m.groups()]
    parts += [0] * (6 - len(parts))
    try:
        return datetime(*parts[:6])
    except ValueError:
        raise CellError("不是存在的日期或时间") from None


def choice(value: object, choices: tuple[str, ...], aliases: dict[str, str]) -> str:
    """One of an enumeration, with the common variants folded onto the official name."""
    s = squash(value)
    if s in choices:
        return s
    folded = {squash(k): v for k, v in aliases.items()}
    if s in folded:
        return folded[s]
    for c in choices:
        if squash(c) == s:
            return c
    raise CellError(f"不在允许的取值之内（可选：{'、'.join(choices)}）")


_TRUE = {"是", "Y", "YES", "TRUE", "1", "√", "有"}
_FALSE = {"否", "N", "NO", "FALSE", "0", "×", "无", "X"}


def flag(value: object) -> bool:
    """是/否, with the usual spellings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    s = squash(value).upper()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CellError("应填“是”或“否”")


def half(value: object) -> str:
    """A half-year entry period, 2025-H1 or 2025-H2."""
    try:
        return parse_half(str(value))
    except PeriodError:
        raise CellError("不是有效的统计期：请写作2025-H1（1-6月）或2025-H2（7-12月）") from None
