"""The bundle: what a report notebook's last cell hands the runner besides the page —
metrics.json's body, the appendix tables, the title, the data fingerprint — defined here once,
for the side that writes it (`report.publish`) and the side that reads it (the worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from emreport.compose import own, textcheck
from emreport.compose.document import (
    APPENDIX,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    numbered,
)
from emreport.metrics import Metrics, as_number
from emreport.output import html

if TYPE_CHECKING:
    import nbformat

# metadata key of the notebook outputs that belong to the printed report
OUTPUT_KEY = "emreport"
MIME = "application/vnd.emreport.bundle+json"
TYPST = "typst"  # the bundle's key for the report's Typst source
DOCUMENT = "document"  # the Document itself, from which the worker writes report.docx
TEXT_CHECK = "text_check"  # the bundle's key for the text check's findings


class BundleError(ValueError):
    """A notebook that published no bundle."""


def make(
    doc: Document, m: Metrics, *, fingerprint: str, narrative: str, typst: bool | None = None
) -> dict:
    """The bundle of one composed report. The analyst's own tables (report.table) go to
    metrics.json as `own_tables` (numbered title, the section they follow, rows of numbers),
    and with the appendix tables to report.xlsx. With `typst` (by default when Typst prints
    the PDF, see pdf.engine), the report's Typst source and charts, from which the worker
    typesets report.pdf (they leave the notebook before it is saved)."""
    stated = doc.stated()
    printed = numbered(doc)
    cells: dict[int, list] = {}  # a table's rows, written once: numbering keeps its frame
    body = m.to_json()
    body["tables"] = {
        bid: _table_json(t) for bid, t in {**m.tables, **stated.get("tables", {})}.items()
    }
    if stated.get("splits"):
        body["splits"] = stated["splits"]
    if stated.get("members"):
        body["members"] = stated["members"]
    # the body's own tables (a review's yearly figures) come before the appendix's in
    # report.xlsx, as they come before them on the page; the analyst's are listed apart
    body_tables = [
        b
        for s in printed.sections
        if s.key != APPENDIX
        for b in s.walk()
        if isinstance(b, Table) and not b.own
    ]
    appendix = [*body_tables, *printed.appendix]
    mine = [
        (s.key, b)
        for s in own.sections(printed)
        for b in s.blocks
        if isinstance(b, Table) and b.own
    ]
    if mine:
        body["own_tables"] = [dict(_appendix_json(t, cells), after=key) for key, t in mine]
    out = {
        "metrics": body,
        "title": doc.title,
        "data_fingerprint": fingerprint,
        "narrative": narrative,
        "appendix": [_appendix_json(t, cells) for t in appendix],
        # the text check's findings (compose.textcheck), for the run's summary
        TEXT_CHECK: [f.words() for f in textcheck.check(html.text(doc))],
    }
    if mine:
        out["own"] = [
            _appendix_json(t, cells) for _, t in mine if not any(t is a for a in appendix)
        ]
    if typst is None:
        from emreport.output.pdf import engine

        typst = engine() == "typst"
    if typst:
        from emreport.output.typst import source

        src, files = source(doc)
        out[TYPST] = {"source": src, "files": {k: v.decode("utf-8") for k, v in files.items()}}
    out[DOCUMENT] = document_json(doc, cells)
    return out


def _take(nb: nbformat.NotebookNode, key: str) -> object:
    """A part of the bundle, removed from the notebook (so the saved report.ipynb carries
    only what it always did); None when the bundle has none."""
    for cell in reversed(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {}) if out.get("output_type") == "display_data" else {}
            if MIME not in data:
                continue
            import json

            bundle = json.loads(data[MIME]) if isinstance(data[MIME], str) else data[MIME]
            part = bundle.pop(key, None)
            data[MIME] = bundle
            return part
    return None


def take_typst(nb: nbformat.NotebookNode) -> tuple[str, dict[str, bytes]] | None:
    """The Typst source and chart files the bundle carries, removed from the notebook; None
    when the kernel composed none."""
    part = _take(nb, TYPST)
    if not part:
        return None
    return part["source"], {k: v.encode("utf-8") for k, v in part["files"].items()}


def take_document(nb: nbformat.NotebookNode) -> Document | None:
    """The report's Document the bundle carries, removed from the notebook."""
    part = _take(nb, DOCUMENT)
    return document_of(part) if part else None


# --- the Document as JSON: what the page, the PDF and report.docx are rendered from ------------


def document_json(doc: Document, cells: dict[int, list] | None = None) -> dict:
    """The Document, not yet numbered, as plain JSON (charts as their SVG text). `cells`
    holds rows already written, by their frame's id (see `_appendix_json`)."""
    cells = {} if cells is None else cells
    return {
        "title": doc.title,
        "signature": doc.signature,
        "date": doc.date,
        "sections": [_section_json(s, cells) for s in doc.sections],
    }


def _section_json(s: Section, cells: dict[int, list]) -> dict:
    return {
        "key": s.key,
        "title": s.title,
        "level": s.level,
        "numbered": s.numbered,
        "keep": s.keep,
        "blocks": [_block_json(b, cells) for b in s.blocks],
    }


def _block_json(b: object, cells: dict[int, list]) -> dict:
    if isinstance(b, Paragraph):
        return {"p": b.text, "label": b.label, "point": b.point}
    if isinstance(b, Figure):
        return {"figure": b.svg.decode("utf-8"), "caption": b.caption, "own": b.own}
    if isinstance(b, Table):
        return {"table": dict(_appendix_json(b, cells), own=b.own)}
    return {"section": _section_json(b, cells)}  # type: ignore[arg-type]


def document_of(data: dict) -> Document:
    """The Document back from `document_json`."""
    return Document(
        data["title"],
        [_section_of(s) for s in data["sections"]],
        data["signature"],
        data["date"],
    )


def _section_of(data: dict) -> Section:
    return Section(
        data["key"],
        data["title"],
        data["level"],
        [_block_of(b) for b in data["blocks"]],
        numbered=data["numbered"],
        keep=data["keep"],
    )


def _block_of(data: dict) -> Paragraph | Figure | Table | Section:
    if "p" in data:
        return Paragraph(data["p"], data["label"], data["point"])
    if "figure" in data:
        return Figure(data["figure"].encode("utf-8"), data["caption"], data["own"])
    if "table" in data:
        t = data["table"]
        return dict_table(t, own=t.get("own", ""))
    return _section_of(data["section"])


def dict_table(t: dict, own: str = "") -> Table:
    """A table from its JSON (`_appendix_json`)."""
    return Table(
        t["title"],
        pd.DataFrame(
            t["rows"], columns=t["columns"], index=pd.Index(t["index"], name=t["index_name"])
        ),
        t["units"],
        t["note"],
        own,
    )


def of(nb: nbformat.NotebookNode) -> dict:
    """The bundle the notebook's last cell published."""
    import json

    for cell in reversed(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "display_data" and MIME in out.get("data", {}):
                data = out["data"][MIME]
                return json.loads(data) if isinstance(data, str) else data
    raise BundleError("笔记本没有发布报告数据：最后一个单元格应为 report.publish(r)")


def tables(bundle: dict) -> list[Table]:
    """The tables of report.xlsx, as the Document held them, in page order: the analyst's own
    tables in the body, then the appendix (own tables placed there included)."""
    return [dict_table(t) for t in [*bundle.get("own", []), *bundle["appendix"]]]


def _table_json(t: pd.DataFrame) -> dict:
    return {
        "index_name": t.index.name,
        "index": [str(i) for i in t.index],
        "columns": {c: [as_number(v) for v in t[c]] for c in t.columns},
    }


def _appendix_json(t: Table, cells: dict[int, list] | None = None) -> dict:
    """A table as JSON. `cells` keeps the rows written during one bundle by their frame's id
    (the frames live as long as the bundle is made), so a table in the Document and in the
    appendix is written once; each table gets its own copy of the rows."""
    frame = t.frame
    if cells is None or id(frame) not in cells:
        rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        if cells is None:
            cells = {}
        cells[id(frame)] = rows
    return {
        "title": t.title,
        "index_name": frame.index.name or "",
        "index": [str(i) for i in frame.index],
        "columns": list(map(str, frame.columns)),
        "rows": [list(row) for row in cells[id(frame)]],
        "units": dict(t.units),
        "note": t.note,
    }


def _plain(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    f = float(v)
    return None if f != f else as_number(f)  # NaN is an empty cell
