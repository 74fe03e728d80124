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

from emreport.data import kinds
from emreport.data.kinds import Kind
from emreport.data.periods import Period, PlanPeriod
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
# a review's: the years' totals, and the last year against the base year (较“十三五”末)
REVIEW_HEADLINE = (
    "accidents.count.total",
    "accidents.count.vs_base",
    "accidents.deaths.total",
    "accidents.deaths.vs_base",
    "accidents.major_or_above.total",
    "hazards.found.total",
    "hazards.rectified.total",
    "hazards.rectification_rate.total",
    "hazards.major.total",
    "inspections.count.total",
    "inspections.cases.total",
    "inspections.fines.total",
)
HEADLINES = {kinds.SUMMARY: HEADLINE, kinds.REVIEW: REVIEW_HEADLINE, kinds.HIGHLIGHTS: HEADLINE}
PLACEHOLDER_FROM = "noreply@example.invalid"
NAME_MAX = 60  # characters of a unit's name in a subject, a file name and the table

# --- the reports --------------------------------------------------------------------------


@dataclass
class Found:
    """A report on disk: ready to send, or why not ("missing" or "failed")."""

    period: Period | PlanPeriod
    code: str
    name: str
    state: str
    reason: str = ""
    folder: Path = Path()
    metrics_bytes: bytes = b""
    body: dict = field(default_factory=dict)
    kind: Kind = kinds.KINDS[kinds.SUMMARY]

    @property
    def version(self) -> str:
        """The report version: new figures (or a new data fingerprint) make a new version."""
        return hashlib.sha256(self.metrics_bytes).hexdigest()

    @property
    def where(self) -> str:
        """Its folder under outputs/ (and the outbox's): 2025, 2021-2025, 2025-highlights."""
        return self.kind.folder(self.period)

    @property
    def run_command(self) -> str:
        """The command that makes this report."""
        kind = "" if self.kind.name == kinds.SUMMARY else f" --kind {self.kind.name}"
        return f"emreport run{kind} --period {self.period.code} --district {self.code}"


def find_report(
    outputs: Path,
    period: Period | PlanPeriod,
    code: str,
    name: str,
    kind: Kind = kinds.KINDS[kinds.SUMMARY],
) -> Found:
    """The report of a unit, period and kind under outputs/, if it can be sent."""
    name = short(name)
    found = Found(period, code, name, "failed", kind=kind)
    found.folder = folder = report_dir(outputs, found.where, code)
    run = found.run_command
    if (folder / FAILED).exists():
        found.reason = (
            f"上次生成失败，未发送（见 {shown(folder / FAILED)}）：修正后请重新运行 {run}"
        )
        return found
    if read_state(folder).get("status") == "failed":  # a failure with no notebook to keep
        found.reason = (
            f"上次生成失败，未发送（{read_state(folder).get('error', '')}）：修正后请重新运行 {run}"
        )
        return found
    pdf, metrics = folder / PDF, folder / METRICS
    if not pdf.is_file() or not metrics.is_file():
        found.state, found.reason = "missing", f"尚未生成：请先运行 {run}"
        return found
    raw = metrics.read_bytes()
    try:
        body = json.loads(raw)
        ok = (
            body["unit"]["code"] == code
            and body["period"] == period.code
            and body.get("kind", kinds.SUMMARY) == kind.name
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        found.reason = f"{shown(metrics)} 无法读取或与所在文件夹不符，未发送：请重新运行 {run}"
        return found
    found.name = short(str(body["unit"].get("name") or name))
    found.state, found.metrics_bytes, found.body = "ready", raw, body
    return found


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


def subject(name: str, period: Period | PlanPeriod, kind: Kind = kinds.KINDS[kinds.SUMMARY]) -> str:
    """江城区应急管理局2025年度工作总结, 临江市应急管理局“十四五”工作总结: the report's title
    (Kind.title)."""
    return kind.title(short(name), period)


def attachment_name(
    name: str, period: Period | PlanPeriod, suffix: str, kind: Kind = kinds.KINDS[kinds.SUMMARY]
) -> str:
    """江城区2025年度工作总结.pdf, 临江市“十四五”工作总结.pdf: the title without 应急管理局."""
    return _FILE_UNSAFE.sub("_", f"{short(name)}{period.label}{kind.words}") + suffix


def _review_period(body: dict) -> PlanPeriod | None:
    """The plan period of a review's metrics.json, else None (a summary's, or unreadable)."""
    if body.get("kind") != kinds.REVIEW:
        return None
    try:
        return PlanPeriod.parse(str(body.get("period", "")))
    except ValueError:
        return None


def against(body: dict) -> str:
    """What a headline figure is compared with: 同比, or a review's 较“十三五”末."""
    p = _review_period(body)
    return f"较{p.base_label}" if p else "同比"


def headline(body: dict) -> list:
    """The headline metrics stated in metrics.json (HEADLINES, by the report's kind), as
    metrics.Metric objects, so they are worded exactly as the report words them; figures
    absent from the file are left out. A review's figure against the base year is labelled
    with its year: 2025年死亡人数."""
    from emreport.metrics import Metric

    def figure(x: object) -> float | None:
        ok = isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and x >= 0
        return x if ok else None

    out = []
    stated = body.get("metrics") or {}
    review = _review_period(body)
    ids = REVIEW_HEADLINE if review else HEADLINE
    for mid in ids:
        f = stated.get(mid)
        if not isinstance(f, dict) or figure(f.get("value")) is None:
            continue
        label = clean(str(f.get("label") or ""))
        if review and mid.endswith(".vs_base"):
            label = f"{review.last}年{label.removesuffix(f'较{review.base_label}')}"
        m = Metric(
            mid,
            label,
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


def when(period: Period | PlanPeriod) -> str:
    """2025年度（2025年1—12月）, “十四五”（2021—2025年）; a span without a plan's name once:
    2024—2025年."""
    return period.label if period.label == period.months else f"{period.label}（{period.months}）"


def figure_line(m, compared: str = "同比") -> str:
    """生产安全事故3起，同比下降50.0%; a review's 2025年死亡人数3人，较“十三五”末下降40%."""
    change = m.yoy().replace("同比", compared, 1)
    return f"{m.label}{m.text()}" + (f"，{change}" if change else "")


def text_body(found: Found, sender_name: str, today: date) -> str:
    title = subject(found.name, found.period, found.kind)
    compared = against(found.body)
    lines = [
        "您好！",
        "",
        f"现将《{title}》发送给您，请查收附件。{when(found.period)}主要数字如下：",
        "",
    ]
    lines += [f"{i}. {figure_line(m, compared)}" for i, m in enumerate(headline(found.body), 1)]
    lines += ["", "详细情况见附件。", "", clean(sender_name), wording.date_cn(today), ""]
    return "\n".join(lines)


_CELL = "border:1px solid #999;padding:4px 10px;"


def html_body(found: Found, sender_name: str, today: date) -> str:
    e = html.escape
    title = subject(found.name, found.period, found.kind)
    compared = against(found.body)
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
        for h in (
            ("指标", "本期", "上年同期", "同比")
            if compared == "同比"
            else ("指标", "数字", "基期", compared)
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title></head>\n"
        "<body style=\"font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',"
        'sans-serif;font-size:14px;color:#222;line-height:1.7;">\n'
        "<p>您好！</p>\n"
        f"<p>现将《{e(title)}》发送给您，请查收附件。{e(when(found.period))}主要数字如下：</p>\n"
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
    msg["Subject"] = subject(found.name, found.period, found.kind)
    msg["From"] = Address(display_name=clean(entry.sender_name), addr_spec=sender)
    msg["To"] = [Address(addr_spec=a) for a in entry.to]
    if entry.cc:
        msg["Cc"] = [Address(addr_spec=a) for a in entry.cc]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(text_body(found, entry.sender_name, today), cte="base64")
    msg.add_alternative(html_body(found, entry.sender_name, today), subtype="html", cte="base64")
    for file, suffix, (main, sub) in attached(attach, attach_html):
        name = attachment_name(found.name, found.period, suffix, found.kind)
        data = (found.folder / file).read_bytes()
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
        list(msg.iter_attachments())[-1].set_param("name", name)  # for clients reading only this
    return msg


# --- the outbox ---------------------------------------------------------------------------
