"""A report as an ordered list of parts, each rendered to an HTML fragment with every string
escaped. The notebook shows the parts one cell at a time; the page template joins them."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from emreport.appendix import AppendixTable

CN_DIGITS = "零一二三四五六七八九"
# metadata key of the notebook outputs that belong to the printed report
OUTPUT_KEY = "emreport"
BUNDLE_MIME = "application/vnd.emreport.bundle+json"


def cn_number(n: int) -> str:
    """A count in Chinese numerals, for headings and 一是/二是: 1 → 一, 10 → 十, 12 → 十二,
    20 → 二十, 100 → 一百, 101 → 一百零一, 110 → 一百一十, 1001 → 一千零一, 10000 → 一万,
    100000 → 十万 (a leading 一十 is written 十)."""
    if n < 1 or n != int(n):
        raise ValueError(f"cn_number: {n!r} is not a positive integer")
    groups: list[int] = []  # of four digits, lowest first: 个, 万, 亿, 万亿 …
    while n:
        n, low = divmod(n, 10000)
        groups.append(low)
    out, zero = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if not g:
            zero = bool(out)
            continue
        if out and (zero or g < 1000):
            out += "零"
        out += _four(g, first=not out) + ("万" * (i % 2) + "亿" * (i // 2))
        zero = False
    return out


def _four(g: int, first: bool) -> str:
    """1 to 9999 in numerals: 一千零一, 一百一十, 十二 (this last only leading the number)."""
    out, zero = "", False
    for unit, place in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = g // unit % 10
        if not d:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if d == 1 and place == "十" and not out and first else CN_DIGITS[d]) + place
    return out


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass
class Figure:
    """A chart with its caption; the image is inlined so the page needs no other file."""

    svg: bytes
    caption: str

    def html(self) -> str:
        data = base64.b64encode(self.svg).decode("ascii")
        return (f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" '
                f'alt="{esc(self.caption)}"><figcaption>{esc(self.caption)}</figcaption></figure>')


@dataclass
class Part:
    """One heading-led part of the report: paragraphs, run-in labels, charts, sub-parts."""

    key: str
    title: str = ""
    level: int = 2  # 1 = 一、 2 = （一） 3 = 1．
    items: list = field(default_factory=list)

    def para(self, text: str, label: str = "") -> None:
        """A body paragraph; `label` is a run-in heading such as 防汛防台工作方面：."""
        if text or label:
            self.items.append(("p", label, text))

    def figure(self, fig: Figure | None) -> None:
        if fig is not None:
            self.items.append(("fig", fig))

    def sub(self, title: str) -> Part:
        child = Part(self.key + "/" + title, title, self.level + 1)
        self.items.append(("part", child))
        return child

    @property
    def empty(self) -> bool:
        return not any(kind != "part" or not item.empty for kind, item, *_ in self.items)

    def html(self) -> str:
        out = []
        if self.title:
            tag = f"h{self.level + 1}"
            out.append(f"<{tag}>{esc(self.title)}</{tag}>")
        for kind, *rest in self.items:
            if kind == "p":
                label, text = rest
                run_in = f'<span class="run-in">{esc(label)}</span>' if label else ""
                out.append(f"<p>{run_in}{esc(text)}</p>")
            elif kind == "fig":
                out.append(rest[0].html())
            elif not rest[0].empty:
                out.append(rest[0].html())
        return "\n".join(out)

    def text(self) -> str:
        """Plain text of the part, for tests and the e-mail body."""
        out = [self.title] if self.title else []
        for kind, *rest in self.items:
            if kind == "p":
                out.append(rest[0] + rest[1])
            elif kind == "fig":
                out.append(rest[0].caption)
            else:
                out.append(rest[0].text())
        return "\n".join(out)


def table_html(t: AppendixTable) -> str:
    """An appendix table: Chinese headers with units, numbers right-aligned, 合计 row bold."""
    frame = t.frame
    head = [frame.index.name or ""] + [
        f"{c}（{t.units[c]}）" if t.units.get(c) else str(c) for c in frame.columns]
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        cls = ' class="total"' if str(label) == "合计" else ""
        cells = "".join(
            f'<td class="{"text" if isinstance(v, str) else "num"}">'
            f'{esc(cell_text(v, t.units.get(c, "")))}</td>'
            for c, v in zip(frame.columns, values, strict=True))
        rows.append(f'<tr{cls}><th scope="row">{esc(label)}</th>{cells}</tr>')
    note = f'<p class="table-note">{esc(t.note)}</p>' if t.note else ""
    return ('<table class="data"><caption>' + esc(t.title) + "</caption><thead><tr>" +
            "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>" +
            "".join(rows) + "</tbody></table>" + note)


def cell_text(v: object, unit: str) -> str:
    """A table cell: integers plainly, money to two decimals at most, rates as 98.5%."""
    from emreport import wording

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    if isinstance(v, str):
        return v
    if unit == "%":
        return wording.percent(float(v))
    return wording.number(float(v))


@dataclass
class Document:
    """The whole report: title, parts in order, sign-off, and the appendix tables."""

    title: str
    parts: list[Part]
    appendix: list[AppendixTable]
    signature: str
    date: str

    def title_html(self) -> str:
        unit, _, rest = self.title.partition("应急管理局")
        return f'<h1 class="doc-title">{esc(unit)}应急管理局<br>{esc(rest)}</h1>'

    def signoff_html(self) -> str:
        date = f'<p class="doc-date">{esc(self.date)}</p>' if self.date else ""
        return f'<p class="signature">{esc(self.signature)}</p>{date}'

    def appendix_html(self) -> str:
        if not self.appendix:
            return ""
        return ('<section class="appendix"><h2>附表</h2>' +
                "\n".join(table_html(t) for t in self.appendix) + "</section>")

    def sections(self) -> list[tuple[str, Callable[[], str]]]:
        """(name, what writes its html) in page order, so a caller showing some of the report
        writes only those (the appendix tables are most of the page's markup)."""
        out = [("标题", self.title_html)]
        out += [(p.key, p.html) for p in self.parts if not p.empty]
        return [*out, ("落款", self.signoff_html), ("附表", self.appendix_html)]

    def fragments(self) -> list[tuple[str, str]]:
        """(name, html) in page order: what the notebook displays, one cell each."""
        return [(k, html) for k, write in self.sections() if (html := write())]

    def text(self) -> str:
        return "\n".join([self.title, *(p.text() for p in self.parts if not p.empty)])
