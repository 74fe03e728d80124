"""Problems found in the input, worded for the analyst who has to fix them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time

from emreport.data.cells import CONTROLS
from emreport.errors import Problems

SHOWN_PER_KIND = 10
NAME_LIMIT = 80  # characters of a file, sheet or column name shown in a location
_CONTROLS = re.compile(CONTROLS)


class InputError(Problems):
    """Input that cannot be used: every Problem found, not just the first."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the analyst needs to fix it."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    code: str = ""

    def location(self) -> str:
        parts = [show(self.file, NAME_LIMIT)]
        if self.sheet:
            parts.append(f"工作表“{show(self.sheet, NAME_LIMIT)}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列“{show(self.column, NAME_LIMIT)}”")
        return " ".join(parts)

    def __str__(self) -> str:
        if self.value is None:
            return printable(f"{self.location()}：{self.message}")
        return printable(f"{self.location()}：值“{show(self.value)}”{self.message}")


def printable(text: str) -> str:
    """A line safe for a terminal: control characters written out (ESC as \\x1b, U+202E as
    \\u202e), so a name cannot move the cursor, erase a line or forge another one."""
    return _CONTROLS.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


def show(value: object, limit: int = 40) -> str:
    """Render a cell value for a message: printable, short, never a Python repr.

    Values read from xlsx come typed: 12 arrives as 12.0 and a date as a datetime at 00:00:00,
    so they are written back the way the cell shows them (12, 2025-03-12, 2025-06-18 08:00).
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    elif isinstance(value, float):
        value = f"{value:.15g}"
    if isinstance(value, datetime):
        fmt = (
            "%Y-%m-%d"
            if value.time() == time()
            else "%Y-%m-%d %H:%M"
            if value.second == 0
            else "%Y-%m-%d %H:%M:%S"
        )
        value = value.strftime(fmt)
    text = printable(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(problems: list[Problem]) -> list[str]:
    """Lines for the terminal: every problem, with long runs of the same kind folded."""
    groups: dict[tuple, list[Problem]] = defaultdict(list)
    for p in problems:
        groups[(p.file, p.sheet, p.column, p.code or p.message)].append(p)
    lines: list[str] = []
    for group in groups.values():
        lines.extend(str(p) for p in group[:SHOWN_PER_KIND])
        rest = group[SHOWN_PER_KIND:]
        if rest:
            first = rest[0]
            rows = "、".join(str(p.row) for p in rest[:20] if p.row is not None)
            more = "等" if len(rest) > 20 else ""
            where = f"（第{rows}{more}行）" if rows else ""
            lines.append(printable(f"{first.location()}：同类问题另有{len(rest)}处{where}"))
    return lines
