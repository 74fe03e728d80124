"""The analyst's own tables and figures, added from a notebook cell (`report.table`,
`report.figure`): checked, made plain, and placed at the end of a section of the Document,
where `numbered` gives them their 表N / 图N among the generated ones.

A table's cells become text, numbers or empty (NaN, None, NaT) before they join the Document,
so the page, report.xlsx and metrics.json all read the same plain values; column names and
index labels of any type become text. What a printed page cannot hold is refused with its
limit: more than `MAX_ROWS` rows or `MAX_COLUMNS` columns, an SVG over `MAX_SVG_BYTES`.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pandas as pd

from emreport.compose.document import Document, Figure, Section, Table
from emreport.compose.outline import ROOMS
from emreport.compose.svg import drawable
from emreport.metrics.wording import date_cn

MAX_ROWS = 200  # about five printed pages of a table
MAX_COLUMNS = 15  # beyond this an A4 portrait page cannot show the columns legibly
MAX_TITLE = 60
MAX_SVG_BYTES = 5_000_000
ROW_NUMBER = "序号"  # the index column of a frame whose index is just 0, 1, 2 …
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）)\s*")
_OWN_NUMBER = {
    "表": re.compile(r"^\s*表\s*\d+\s*[　 ]*"),
    "图": re.compile(r"^\s*图\s*\d+\s*[　 ]*"),
}


class OwnError(ValueError):
    """An own table or figure that cannot join the report: the message says why and what to
    write instead."""


# --- where: a section of the Document --------------------------------------------------------


def sections(doc: Document) -> list[Section]:
    """Every section of the Document in page order, sub-sections included."""
    out = []
    for s in doc.sections:
        out.append(s)
        out += [b for b in s.walk() if isinstance(b, Section)]
    return out


def _name(s: Section) -> str:
    """How a section is named to the analyst: its outline key, or a sub-section's title."""
    return s.title if "/" in s.key else s.key


def find(doc: Document, after: str) -> Section:
    """The section `after` names, by outline key (隐患排查治理, 问题, 安排, 成效, 附表) or title
    as the Document has it (a heading's 一、/（一） may be written or not)."""
    wanted = _NUMBERED.sub("", str(after or "")).strip()
    known = [s for s in sections(doc) if not s.empty]
    names = [_name(s) for s in known]
    listing = "、".join(dict.fromkeys(n for n in names if n))
    if not wanted:
        raise OwnError(f"请用 after= 写明放在哪一节的末尾（报告中的节：{listing}）")
    for s in known:
        if wanted in (s.key, s.title, _name(s)):
            return s
    if any(wanted in (r.key, r.heading) for r in ROOMS):
        raise OwnError(
            f"「{wanted}」这一节本期没有内容，不在报告中：请放在其他节的末尾（报告中的节：{listing}）"
        )
    candidates = list(dict.fromkeys([*names, *(s.title for s in known if s.title)]))
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.3)
    near = f"最接近的是{'、'.join(f'「{c}」' for c in close)}；" if close else ""
    raise OwnError(f"报告中没有名为「{wanted}」的节：{near}可以写的节：{listing}")


def place(doc: Document, block: Table | Figure, after: str) -> Section:
    """Put the block at the end of the named section; a block of the same title (caption) added
    before is replaced where it stood, so running a cell again does not add it twice."""
    target = find(doc, after)
    for s in sections(doc):
        for i, b in enumerate(s.blocks):
            if isinstance(b, Table | Figure) and b.own == block.own:
                if s is target:
                    s.blocks[i] = block
                    return target
                del s.blocks[i]
                break
    target.blocks.append(block)
    return target


def section_of(doc: Document, own: str) -> Section | None:
    """The section an own block sits in."""
    for s in sections(doc):
        if any(isinstance(b, Table | Figure) and b.own == own for b in s.blocks):
            return s
    return None


# --- what: a plain table ---------------------------------------------------------------------


def _title(text: object, kind: str) -> str:
    what = "表的标题（title=）" if kind == "表" else "图的说明（caption=）"
    if not isinstance(text, str) or not drawable(text).strip():
        raise OwnError(
            f"请写{what}，如 {'title' if kind == '表' else 'caption'}=“各镇隐患整改情况”"
        )
    out = _OWN_NUMBER[kind].sub("", " ".join(drawable(text).split()))  # 表N is added when printed
    if len(out) > MAX_TITLE:
        raise OwnError(f"{what}有{len(out)}个字，最多{MAX_TITLE}个字：“{out[:20]}…”")
    return out


def label(v: object) -> str:
    """A column name or index label as text: 2024 → 2024, ('事故', '起数') → 事故／起数."""
    if isinstance(v, tuple):
        return "／".join(label(x) for x in v if label(x))
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    text = value(v)
    return "" if text is None else drawable(str(text)).strip()


def value(v: object) -> str | int | float | None:
    """One cell as the report holds it: text, a finite number, or None (empty)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, str):
        return drawable(v)
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return "是" if v else "否"
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real | Decimal):
        f = float(v)
        if math.isnan(f):
            return None
        if math.isinf(f):
            raise OwnError("表中有无穷大的数（如除以0的结果）：请先把它改成空值或一个数")
        return f
    if isinstance(v, datetime):
        return date_cn(v) + (f" {v:%H:%M}" if v.time() != time() else "")
    if isinstance(v, date):
        return date_cn(v)
    if isinstance(v, timedelta):
        return _duration(v)
    return drawable(str(v))


def _duration(d: timedelta) -> str:
    """A duration in words: 3天4小时, 2小时30分钟, 45分钟 (seconds dropped)."""
    if pd.isna(d):
        return ""
    minutes = int(abs(d).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else ""]
    parts.append(f"{minutes}分钟" if minutes or not (days or hours) else "")
    return ("负" if d < timedelta(0) else "") + "".join(parts)


def table(frame: object, title: str, units: object = None, note: object = "") -> Table:
    """The analyst's frame as a Table of plain values, or OwnError saying what is wrong."""
    title = _title(title, "表")
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=frame.name if frame.name is not None else "数值")
    if not isinstance(frame, pd.DataFrame):
        raise OwnError(
            f"表“{title}”：report.table 需要一个 pandas 表格（DataFrame），"
            f"收到的是{type(frame).__name__}"
        )
    rows, cols = frame.shape
    if not rows or not cols:
        raise OwnError(f"表“{title}”没有数据（{rows}行{cols}列）：请检查筛选条件")
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        raise OwnError(
            f"表“{title}”有{rows}行{cols}列，报告里的表最多{MAX_ROWS}行{MAX_COLUMNS}列："
            "请先汇总（如 df.groupby(...).sum()）或只取需要的行和列"
        )
    columns = [label(c) for c in frame.columns]
    for i, c in enumerate(columns):
        if not c:
            raise OwnError(f"表“{title}”的第{i + 1}列没有列名：请用 df.rename(columns=...) 起名")
        if c in columns[:i]:
            raise OwnError(f"表“{title}”有两列都叫“{c}”：请改成不同的列名")
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.name is None and list(index) == list(range(rows)):
        labels, index_name = [str(i + 1) for i in range(rows)], ROW_NUMBER
    else:
        labels = [label(v) for v in index]
        names = [label(n) for n in index.names if n is not None]
        index_name = "／".join(n for n in names if n)
    try:
        cells = [[value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    except OwnError as e:
        raise OwnError(f"表“{title}”：{e}") from None
    plain = pd.DataFrame(cells, columns=columns, index=pd.Index(labels, name=index_name or None))
    return Table(
        title,
        plain.astype(object),
        _units(title, frame, columns, units),
        _note(note),
        own=f"表:{title}",
    )


def _units(title: str, frame: pd.DataFrame, columns: list[str], units: object) -> dict[str, str]:
    """`units` as {column: unit}: one unit for every numeric column, or a dict by column."""
    if units is None or units == "":
        return {}
    if isinstance(units, str):
        numeric = [
            c for c, (_, s) in zip(columns, frame.items(), strict=True) if _numeric(s.tolist())
        ]
        return dict.fromkeys(numeric, units.strip())
    if not isinstance(units, dict):
        raise OwnError(
            f"表“{title}”：units= 应写一个单位（如 units=“处”）或按列写（如 units={{“发现隐患”: “处”}}）"
        )
    out = {}
    for key, unit in units.items():
        name = label(key)
        if name not in columns:
            close = difflib.get_close_matches(name, columns, n=1, cutoff=0.3)
            near = f"，是不是“{close[0]}”" if close else ""
            raise OwnError(
                f"表“{title}”的 units= 写了没有的列“{name}”{near}（表的列：{'、'.join(columns)}）"
            )
        if not isinstance(unit, str):
            raise OwnError(f"表“{title}”列“{name}”的单位应是文字，如“处”")
        out[name] = unit.strip()
    return out


def _numeric(values: list) -> bool:
    kept = [v for v in (value(x) for x in values) if v is not None]
    return bool(kept) and all(isinstance(v, int | float) for v in kept)


def _note(note: object) -> str:
    if note is None:
        return ""
    return " ".join(drawable(str(note)).split())


# --- what: a checked SVG ---------------------------------------------------------------------


def svg(data: bytes, caption: str) -> bytes:
    """An SVG the page can embed: well-formed XML with an <svg> root, within the size limit."""
    if len(data) > MAX_SVG_BYTES:
        raise OwnError(
            f"图“{caption}”有{len(data) / 1e6:.1f} MB，报告里的图最多{MAX_SVG_BYTES / 1e6:.0f} MB："
            "点太多时请先汇总，或画成柱状图、折线图"
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        line, column = e.position
        raise OwnError(f"图“{caption}”不是有效的 SVG（第{line}行第{column}列）") from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise OwnError(f"图“{caption}”不是 SVG 图（最外层是<{root.tag}>，应为<svg>）")
    return data


def figure(data: bytes, caption: str) -> Figure:
    caption = _title(caption, "图")
    return Figure(svg(data, caption), caption, own=f"图:{caption}")
