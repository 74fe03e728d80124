"""One streaming pass over a worksheet's XML before the reader opens it: formulas and extent.

The reader (calamine) allocates a grid from A1 to the last cell that holds anything, so one cell
at XFD1048576 asks for 17 billion cells. And it imports a formula's cached value as if typed.
Both are found here, from the XML as calamine reads it: elements by local name (any prefix),
the unprefixed `r` attribute, and cells without `r` placed after the previous one.

Two ways, one answer. The fast way (numpy over the raw bytes, chunk by chunk) only accepts a
sheet written in the usual form: UTF-8, no element named `f` or prefixed `c`/`row` anywhere, and
every `<c` and `<row` tag opening with `r="…"` in canonical form. Anything else -- a single-quoted
or reordered `r`, a namespace prefix, a cell without `r`, a formula anywhere, even text that only
looks like one -- sends the sheet to the exact way: a real XML parse with defusedxml (no DTD, no
entities), mirroring calamine's rules. A sheet from Excel or openpyxl costs a few percent of
reading it; an odd one costs one parse.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, XMLParser

MAX_ROWS = 1_048_576  # Excel's own limits
MAX_COLUMNS = 16_384
MAX_CELLS = 20_000_000  # the grid from A1 to the last cell: 1048576 rows x 19 columns
CHUNK = 4 << 20
_OVERLAP = 64  # longer than any tag the fast way looks at
_END = np.zeros(256, dtype=bool)
_END[list(b" \t\r\n/>")] = True
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,4}[0-9]{1,8}(?::[A-Z]{1,4}[0-9]{1,8})?)"\s*/?>')
_DECL = re.compile(rb'<\?xml[^>]*?encoding=["\']([^"\']*)["\']')


class _Slow(Exception):
    """The fast way cannot vouch for this sheet."""


@dataclass
class Extent:
    """What one sheet's XML holds: formula cells and how far its cells reach (1-based)."""

    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, column), 1-based
    rows: int = 0  # last row of any cell
    columns: int = 0  # last column of any cell
    row_tags: int = 0  # largest row number a <row r=…> names
    dimension: str = ""  # the declared <dimension ref=…>, if any
    bad_ref: str = ""  # a cell or row reference calamine could not read right
    entity: bool = False  # a DTD or entity declaration

    def too_large(self) -> bool:
        return (
            self.rows > MAX_ROWS
            or self.columns > MAX_COLUMNS
            or self.row_tags > MAX_ROWS
            or self.rows * self.columns > MAX_CELLS
        )

    def dimension_too_large(self) -> bool:
        end = self.dimension.rpartition(":")[2]
        position = ref_position(end) if end else (0, 0)
        return position is None or position[0] > MAX_ROWS or position[1] > MAX_COLUMNS


def ref_position(ref: str) -> tuple[int, int] | None:
    """A1 -> (1, 1); None for anything calamine would misread."""
    m = _REF.fullmatch(ref)
    if not m:
        return None
    column = 0
    for ch in m[1].upper():
        column = column * 26 + ord(ch) - 64
    row = int(m[2])
    return (row, column) if row >= 1 else None


def column_letters(column: int) -> str:
    """1 -> A, 28 -> AB."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent:
    """The formulas and extent of one worksheet part (fast when possible, exact always)."""
    try:
        return _fast(zf, info)
    except _Slow:
        return _exact(zf, info)


# --- the fast way ----------------------------------------------------------------------------


def _fast(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent:
    out = Extent()
    tail = b""
    first = True
    with zf.open(info) as fh:
        chunk = fh.read(CHUNK)
        while chunk:
            following = fh.read(CHUNK)
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                out.entity = True
                return out
            if first:
                _check_encoding(window)
                first = False
            limit = len(window) if not following else len(window) - _OVERLAP
            _fast_window(window, limit, out)
            tail = window[limit:]
            chunk = following
    return out


def _check_encoding(head: bytes) -> None:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.startswith(b"<"):
        raise _Slow
    m = _DECL.match(head)
    if m and m[1].lower() not in (b"utf-8", b"utf8"):
        raise _Slow


def _fast_window(window: bytes, n: int, out: Extent) -> None:
    a = np.frombuffer(window + b"\0" * _OVERLAP, dtype=np.uint8)
    # any element named f, with or without a prefix; any prefixed c or row
    for lead in (60, 58):  # < and :
        at = np.flatnonzero(a[:n] == lead)
        one, two = a[at + 1], a[at + 2]
        is_c = (one == 99) & _END[two]
        is_row = (one == 114) & (two == 111) & (a[at + 3] == 119) & _END[a[at + 4]]
        if ((one == 102) & _END[two]).any() or (lead == 58 and (is_c | is_row).any()):
            raise _Slow
        if lead == 60:
            cells, tags = at[is_c], at[is_row]
    if len(cells):
        rows, columns = _refs(a, cells, letters=True)
        out.rows, out.columns = max(out.rows, rows), max(out.columns, columns)
    if len(tags):
        out.row_tags = max(out.row_tags, _refs(a, tags + 2, letters=False)[0])
    start = 0
    while (i := window.find(b"dimension", start, n)) >= 0:
        start = i + 1
        if window[i - 1 : i] not in (b"<", b":"):
            continue
        m = _DIMENSION.match(window, i - 1)
        if not m or window[i - 1 : i] != b"<":
            raise _Slow
        out.dimension = m[1].decode()


_UPPER = np.zeros(256, dtype=bool)
_UPPER[65:91] = True
_NOT_DIGIT = np.ones(256, dtype=bool)
_NOT_DIGIT[48:58] = False
_PLACES = np.arange(11)
_POWERS = 10 ** np.arange(6, -1, -1, dtype=np.int64)


def _refs(a: np.ndarray, starts: np.ndarray, *, letters: bool) -> tuple[int, int]:
    """Largest row and column of tags at `starts` written exactly `<c r="AB12"` / `<row r="12"`."""
    if not (
        (a[starts + 2] == 32)
        & (a[starts + 3] == 114)
        & (a[starts + 4] == 61)
        & (a[starts + 5] == 34)
    ).all():
        raise _Slow
    w = a[starts[:, None] + (6 + _PLACES)]
    if letters:  # one to three capitals
        u0, u1, u2, u3 = (_UPPER[w[:, k]] for k in range(4))
        n_letters = u0.astype(np.int64) + (u0 & u1) + (u0 & u1 & u2)
        if not (u0.all() and not (u0 & u1 & u2 & u3).any()):
            raise _Slow
    else:
        n_letters = np.zeros(len(w), dtype=np.int64)
    # then one to seven digits, then the closing quote
    quote = np.argmax(w == 34, axis=1)
    first_other = np.argmax(_NOT_DIGIT[w] & (_PLACES >= n_letters[:, None]), axis=1)
    n_digits = quote - n_letters
    if not (
        (first_other == quote)
        & (n_digits >= 1)
        & (n_digits <= 7)
        & (w[np.arange(len(w)), quote] == 34)
    ).all():
        raise _Slow
    longest = n_digits == n_digits.max()  # only the longest numbers can be the largest
    wl, nl, nd = w[longest].astype(np.int64), n_letters[longest], int(n_digits.max())
    rows = (
        (wl[np.arange(len(wl))[:, None], nl[:, None] + np.arange(nd)] - 48) * _POWERS[7 - nd :]
    ).sum(axis=1)
    if (rows < 1).any():
        raise _Slow
    if not letters:
        return int(rows.max()), 0
    c = w[:, :3].astype(np.int64) - 64
    columns = np.where(
        n_letters == 1,
        c[:, 0],
        np.where(n_letters == 2, c[:, 0] * 26 + c[:, 1], c[:, 0] * 676 + c[:, 1] * 26 + c[:, 2]),
    )
    return int(rows.max()), int(columns.max())


# --- the exact way ---------------------------------------------------------------------------


class _Cells:
    """An XML parser target that places cells the way calamine does."""

    def __init__(self, out: Extent):
        self.out = out
        self.in_data = False
        self.row = 1  # the row a cell without r is in
        self.column = 1  # the column a cell without r is in
        self.cell: tuple[int, int] | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = tag.rpartition("}")[2]
        out = self.out
        if local == "c" and self.in_data and self.cell is None:
            ref = attrib.get("r")
            position = ref_position(ref) if ref is not None else (self.row, self.column)
            if position is None:
                out.bad_ref = out.bad_ref or ref
                position = (self.row, self.column)
            self.cell = position
            self.column = position[1]
            out.rows, out.columns = max(out.rows, position[0]), max(out.columns, position[1])
        elif local == "f" and self.cell is not None:
            if not out.formulas or out.formulas[-1] != self.cell:
                out.formulas.append(self.cell)
        elif local == "row" and self.in_data:
            ref = attrib.get("r")
            if ref is not None:
                if ref.isascii() and ref.isdigit() and len(ref) <= 7 and int(ref) >= 1:
                    self.row = int(ref)
                    out.row_tags = max(out.row_tags, self.row)
                else:
                    out.bad_ref = out.bad_ref or ref
        elif local == "sheetData":
            self.in_data = True
        elif local == "dimension" and not self.in_data:
            out.dimension = attrib.get("ref", "")

    def end(self, tag: str) -> None:
        local = tag.rpartition("}")[2]
        if local == "c" and self.cell is not None:
            self.cell = None
            self.column += 1
        elif local == "row" and self.in_data:
            self.row += 1
            self.column = 1
        elif local == "sheetData":
            self.in_data = False

    def close(self) -> None:
        return None


class BrokenSheet(ValueError):
    """The sheet's XML is not well-formed."""


def _exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent:
    out = Extent()
    parser = XMLParser(target=_Cells(out), forbid_dtd=True)
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                parser.feed(chunk)
        parser.close()
    except DefusedXmlException:
        out.entity = True
    except ParseError as e:
        raise BrokenSheet(str(e)) from None
    return out
