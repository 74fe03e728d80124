"""One report's message: finding the report's files for a unit and period, and composing the
e-mail — a Chinese subject, a plain-text and an HTML body with the headline figures worded as
the report words them (from metrics.json), the PDF attached under its Chinese name (RFC 2231).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid
from pathlib import Path

from emreport.data.periods import Period
from emreport.mail.recipients import Entry, shown
from emreport.metrics import wording
from emreport.output.folder import DOCX, FAILED, HTML, METRICS, PDF, read_state, report_dir

HEADLINE = (
    "accidents.count",
    "accidents.deaths",
    "accidents.major_or_above",
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "hazards.major",
    "hazards.overdue",
    "inspections.count",
    "inspections.cases",
    "inspections.fines",
    "flood.responses",
)
PLACEHOLDER_FROM = "noreply@example.invalid"
NAME_MAX = 60  # characters of a unit's name in a subject, a file name and the table

# --- the reports --------------------------------------------------------------------------


@dataclass
class Found:
    """A report on disk: ready to send, or why not ("missing" or "failed")."""

    period: Period
    code: str
    name: str
    state: str
    reason: str = ""
    folder: Path = Path()
    metrics_bytes: bytes = b""
    body: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The report version: new figures (or a new data fingerprint) make a new version."""
        return hashlib.sha256(self.metrics_bytes).hexdigest()


def find_report(outputs: Path, period: Period, code: str, name: str) -> Found:
    """The report of a unit and period under outputs/, if it can be sent."""
    folder = report_dir(outputs, period.code, code)
    name = short(name)
    run = f"emreport run --period {period.code} --district {code}"
    if (folder / FAILED).exists():
        return Found(
            period,
            code,
            name,
            "failed",
            f"上次生成失败，未发送（见 {shown(folder / FAILED)}）：修正后请重新运行 {run}",
            folder,
        )

    if read_state(folder).get("status") == "failed":  # a failure with no notebook to keep
        return Found(
            period,
            code,
            name,
            "failed",
            f"上次生成失败，未发送（{read_state(folder).get('error', '')}）"
            f"：修正后请重新运行 {run}",
            folder,
        )
    pdf, metrics = folder / PDF, folder / METRICS
    if not pdf.is_file() or not metrics.is_file():
        return Found(period, code, name, "missing", f"尚未生成：请先运行 {run}", folder)
    raw = metrics.read_bytes()
    try:
        body = json.loads(raw)
        ok = body["unit"]["code"] == code and body["period"] == period.code
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        return Found(
            period,
            code,
            name,
            "failed",
            f"{shown(metrics)} 无法读取或与所在文件夹不符，未发送：请重新运行 {run}",
            folder,
        )
    return Found(
        period, code, short(str(body["unit"].get("name") or name)), "ready", "", folder, raw, body
    )


# --- the message --------------------------------------------------------------------------


class _MailPolicy(EmailPolicy):
    """SMTP line endings; attachment names stay one RFC 2231 parameter (filename*=utf-8''…)
    instead of numbered continuations, which some mail clients still show as 'ATT00001'."""

    _LONG = ("content-disposition", "content-type")

    def fold(self, name: str, value: str) -> str:
        policy = self.clone(max_line_length=998) if name.lower() in self._LONG else self
        return EmailPolicy.fold(policy, name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        policy = self.clone(max_line_length=998) if name.lower() in self._LONG else self
        return EmailPolicy.fold_binary(policy, name, value)


POLICY = _MailPolicy(linesep="\r\n")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_FILE_UNSAFE = re.compile(r'[\\/:*?"<>|]')


def clean(text: str) -> str:
    """A name for a header or a file name: line breaks and control characters become spaces."""
    return " ".join(_UNSAFE.sub(" ", text).split())


def short(name: str) -> str:
    """A unit's name for a header: cleaned, and cut to NAME_MAX characters (ending in …), so
    that no header is long enough to make folding it slow (its cost grows with the square)."""
    text = clean(name[: NAME_MAX * 8])
    return text if len(text) <= NAME_MAX else text[: NAME_MAX - 1] + "…"


def subject(name: str, period: Period) -> str:
    """江城区应急管理局2025年度工作总结, as the report's own title."""
    return f"{short(name)}应急管理局{period.label}工作总结"


def attachment_name(name: str, period: Period, suffix: str) -> str:
    """江城区2025年度工作总结.pdf"""
    return _FILE_UNSAFE.sub("_", f"{short(name)}{period.label}工作总结") + suffix


def headline(body: dict) -> list:
    """The headline metrics stated in metrics.json, as metrics.Metric objects, so they are
    worded exactly as the report words them; figures absent from the file are left out."""
    from emreport.metrics import Metric

    def figure(x: object) -> float | None:
        ok = isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and x >= 0
        return x if ok else None

    out = []
    stated = body.get("metrics") or {}
    for mid in HEADLINE:
        f = stated.get(mid)
        if not isinstance(f, dict) or figure(f.get("value")) is None:
            continue
        m = Metric(
            mid,
            clean(str(f.get("label") or "")),
            str(f.get("unit") or ""),
            f["value"],
            figure(f.get("previous")),
            bool(f.get("approximate")),
            "own" if f.get("rollup") == "own" else "sum",
            figure(f.get("others")),
        )
        if m.label and m.text():
            out += m.stated()
    return out


def figure_line(m) -> str:
    """生产安全事故3起，同比下降50.0%"""
    yoy = m.yoy()
    return f"{m.label}{m.text()}" + (f"，{yoy}" if yoy else "")


def text_body(found: Found, sender_name: str, today: date) -> str:
    title = subject(found.name, found.period)
    lines = [
        "您好！",
        "",
        f"现将《{title}》发送给您，请查收附件。"
        f"{found.period.label}（{found.period.months}）主要数字如下：",
        "",
    ]
    lines += [f"{i}. {figure_line(m)}" for i, m in enumerate(headline(found.body), 1)]
    lines += ["", "详细情况见附件。", "", clean(sender_name), wording.date_cn(today), ""]
    return "\n".join(lines)


_CELL = "border:1px solid #999;padding:4px 10px;"


def html_body(found: Found, sender_name: str, today: date) -> str:
    e = html.escape
    title = subject(found.name, found.period)
    rows = []
    for m in headline(found.body):
        yoy = m.yoy().removeprefix("同比") or "—"
        cells = (m.label, m.text(), m.prev_text() or "—", yoy)
        rows.append(
            "<tr>"
            + "".join(
                f'<td style="{_CELL}{"" if i == 0 else "text-align:right;"}">{e(c)}</td>'
                for i, c in enumerate(cells)
            )
            + "</tr>"
        )
    head = "".join(
        f'<th style="{_CELL}background:#eee;">{h}</th>'
        for h in ("指标", "本期", "上年同期", "同比")
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title></head>\n"
        "<body style=\"font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',"
        'sans-serif;font-size:14px;color:#222;line-height:1.7;">\n'
        "<p>您好！</p>\n"
        f"<p>现将《{e(title)}》发送给您，请查收附件。{e(found.period.label)}"
        f"（{e(found.period.months)}）主要数字如下：</p>\n"
        f'<table style="border-collapse:collapse;font-size:14px;">\n<tr>{head}</tr>\n'
        + "\n".join(rows)
        + "\n</table>\n"
        "<p>详细情况见附件。</p>\n"
        f'<p style="margin-top:24px;">{e(clean(sender_name))}<br>{e(wording.date_cn(today))}</p>\n'
        "</body></html>\n"
    )


# what `--attach` can add to the PDF: the file, its suffix, its MIME type
EXTRAS = {
    "docx": (
        DOCX,
        ".docx",
        ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ),
    "html": (HTML, ".html", ("text", "html")),
}


def attached(attach: list[str] | tuple[str, ...], attach_html: bool = False) -> list[tuple]:
    """The files a message carries: the PDF, then those asked for, in the order of EXTRAS."""
    wanted = set(attach) | ({"html"} if attach_html else set())
    return [(PDF, ".pdf", ("application", "pdf"))] + [
        extra for key, extra in EXTRAS.items() if key in wanted
    ]


def compose(
    found: Found,
    entry: Entry,
    sender: str,
    *,
    attach: list[str] | tuple[str, ...] = (),
    attach_html: bool = False,
    today: date | None = None,
) -> EmailMessage:
    """The message for one report: headers, text and HTML bodies, the PDF (and the report.docx
    or HTML asked for)."""
    today = today or date.today()
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject(found.name, found.period)
    msg["From"] = Address(display_name=clean(entry.sender_name), addr_spec=sender)
    msg["To"] = [Address(addr_spec=a) for a in entry.to]
    if entry.cc:
        msg["Cc"] = [Address(addr_spec=a) for a in entry.cc]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(text_body(found, entry.sender_name, today), cte="base64")
    msg.add_alternative(html_body(found, entry.sender_name, today), subtype="html", cte="base64")
    for file, suffix, (main, sub) in attached(attach, attach_html):
        name = attachment_name(found.name, found.period, suffix)
        data = (found.folder / file).read_bytes()
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
        list(msg.iter_attachments())[-1].set_param("name", name)  # for clients reading only this
    return msg


# --- the outbox ---------------------------------------------------------------------------
