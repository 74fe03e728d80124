"""The report page as HTML: the numbered Document, one fragment per part, every string
escaped. The notebook shows the fragments one cell at a time; the page template joins them."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable

import pandas as pd

from emreport.compose.document import (
    APPENDIX,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    numbered,
)
from emreport.metrics import wording

TITLE, SIGNOFF = "标题", "落款"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def figure_html(f: Figure) -> str:
    """A chart inlined as an SVG data URI, so the page needs no other file."""
    data = base64.b64encode(f.svg).decode("ascii")
    return (
        f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{esc(f.caption)}"><figcaption>{esc(f.caption)}</figcaption></figure>'
    )


def paragraph_html(p: Paragraph) -> str:
    run_in = f'<span class="run-in">{esc(p.label)}</span>' if p.label else ""
    return f"<p>{run_in}{esc(p.text)}</p>"


def cell_text(v: object, unit: str) -> str:
    """A table cell: integers plainly, money to two decimals at most, rates as 98.5%."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    if isinstance(v, str):
        return v
    if unit == "%":
        return wording.percent(float(v))
    return wording.number(float(v))


def table_html(t: Table) -> str:
    """A table: Chinese headers with units, numbers right-aligned, 合计 row bold."""
    frame = t.frame
    head = [frame.index.name or ""] + [
        f"{c}（{t.units[c]}）" if t.units.get(c) else str(c) for c in frame.columns
    ]
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cls = ' class="total"' if str(label) == "合计" else ""
        cells = "".join(
            f'<td class="{"text" if isinstance(v, str) else "num"}">'
            f"{esc(cell_text(v, t.units.get(c, '')))}</td>"
            for c, v in zip(frame.columns, values, strict=True)
        )
        rows.append(f'<tr{cls}><th scope="row">{esc(label)}</th>{cells}</tr>')
    note = f'<p class="table-note">{esc(t.note)}</p>' if t.note else ""
    return (
        '<table class="data"><caption>'
        + esc(t.title)
        + "</caption><thead><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + note
    )


def section_html(s: Section) -> str:
    if s.key == APPENDIX:
        return (
            f'<section class="appendix"><h2>{esc(s.title)}</h2>'
            + "\n".join(block_html(b) for b in s.blocks)
            + "</section>"
        )
    out = [f"<h{s.level + 1}>{esc(s.title)}</h{s.level + 1}>"] if s.title else []
    out += [block_html(b) for b in s.blocks]
    return "\n".join(out)


def block_html(b: object) -> str:
    if isinstance(b, Paragraph):
        return paragraph_html(b)
    if isinstance(b, Figure):
        return figure_html(b)
    if isinstance(b, Table):
        return table_html(b)
    return section_html(b)  # type: ignore[arg-type]


def title_html(doc: Document) -> str:
    unit, _, rest = doc.title.partition("应急管理局")
    return f'<h1 class="doc-title">{esc(unit)}应急管理局<br>{esc(rest)}</h1>'


def signoff_html(doc: Document) -> str:
    date = f'<p class="doc-date">{esc(doc.date)}</p>' if doc.date else ""
    return f'<p class="signature">{esc(doc.signature)}</p>{date}'


def parts(doc: Document) -> list[tuple[str, Callable[[], str]]]:
    """(name, what writes its html) in page order, so a caller showing some of the report
    writes only those (the appendix tables are most of the page's markup)."""
    doc = numbered(doc)
    body = [s for s in doc.sections if s.key != APPENDIX]
    appendix = [s for s in doc.sections if s.key == APPENDIX]
    out = [(TITLE, lambda: title_html(doc))]
    out += [(s.key, lambda s=s: section_html(s)) for s in body]
    out.append((SIGNOFF, lambda: signoff_html(doc)))
    out += [(s.key, lambda s=s: section_html(s)) for s in appendix]
    return out


def own_blocks(doc: Document) -> dict[str, Callable[[], str]]:
    """The analyst's own tables and figures, numbered where they stand, by their `own` key:
    what their notebook cell previews."""
    out: dict[str, Callable[[], str]] = {}
    for s in numbered(doc).sections:
        for b in s.walk():
            if isinstance(b, Table | Figure) and b.own:
                out[b.own] = lambda b=b: block_html(b)
    return out


def lines(s: Section) -> list[str]:
    """A numbered section as the page reads: heading, paragraphs, captions, sub-sections."""
    out = [s.title] if s.title else []
    for b in s.blocks:
        if isinstance(b, Paragraph):
            out.append(b.label + b.text)
        elif isinstance(b, Figure):
            out.append(b.caption)
        elif isinstance(b, Section):
            out += lines(b)
    return out


def text(doc: Document) -> str:
    """The body's plain text (title, headings, paragraphs, captions), for tests and e-mail."""
    doc = numbered(doc)
    return "\n".join([doc.title, *("\n".join(lines(s)) for s in doc.sections if s.key != APPENDIX)])
