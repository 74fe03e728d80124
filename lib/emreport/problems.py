"""Problems found in the input, worded for the analyst who has to fix them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time

SHOWN_PER_KIND = 10


class InputError(Exception):
    """Raised when input cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


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
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列“{self.column}”")
        return " ".join(parts)

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.location()}：{self.message}"
        return f"{self.location()}：值“{show(self.value)}”{self.message}"


def show(value: object, limit: int = 40) -> str:
    """Render a cell value for a message: printable, short, never a Python repr.

    Values read from xlsx come typed: 12 arrives as 12.0 and a date as a datetime at 00:00:00,
    so they are written back the way the cell shows them (12, 2025-03-12, 2025-06-18 08:00).
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        fmt = "%Y-%m-%d" if value.time() == time() else \
            "%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S"
        value = value.strftime(fmt)
    text = str(value)
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
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
            lines.append(f"{first.location()}：同类问题另有{len(rest)}处{where}")
    return lines
