"""`emreport send`: each unit's report by e-mail, with the headline figures in the body.

One message per report (unit and period) to the unit's `to` and `cc` in params/recipients.yaml:
a Chinese subject, a plain-text and an HTML body with the headline figures worded as the report
words them (from metrics.json), the PDF attached under its Chinese name (RFC 2231). A dry run
(the default until params/smtp.yaml enables a server) writes each message to the outbox as an
.eml file. Sending uses SMTP over STARTTLS or implicit TLS with certificate verification, the
password only from the environment; transient failures are retried with back-off. The sent log
(JSON lines) makes sending idempotent: a recipient who has had this version of the report (the
hash of its metrics.json, which changes with the figures) is skipped unless --resend.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import math
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid
from pathlib import Path

from emreport import config
from emreport.data.periods import Period, PeriodError
from emreport.mail.delivery import (
    PASSWORD_ENV,
    FatalSendError,
    SentLog,
    SmtpConfig,
    deliver,
    load_smtp,
)
from emreport.mail.recipients import ConfigError, Entry, shown
from emreport.mail.recipients import load as load_recipients
from emreport.metrics import wording
from emreport.output.folder import FAILED, HTML, METRICS, PDF, read_state, report_dir

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
        )
        if m.label and m.text():
            out.append(m)
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


def compose(
    found: Found, entry: Entry, sender: str, *, attach_html: bool = False, today: date | None = None
) -> EmailMessage:
    """The message for one report: headers, text and HTML bodies, the PDF (and the HTML)."""
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
    files = [(PDF, ".pdf", ("application", "pdf"))]
    if attach_html:
        files.append((HTML, ".html", ("text", "html")))
    for file, suffix, (main, sub) in files:
        name = attachment_name(found.name, found.period, suffix)
        data = (found.folder / file).read_bytes()
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
        list(msg.iter_attachments())[-1].set_param("name", name)  # for clients reading only this
    return msg


# --- the outbox ---------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes) -> None:
    """Beside the final name, then renamed: a reader never sees half a message."""
    from emreport import atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, data, mode=0o644)


# --- the command --------------------------------------------------------------------------


def add_parser(sub) -> argparse.ArgumentParser:
    """Add `send` to the `emreport` sub-commands."""
    s = sub.add_parser(
        "send", help="把报告用邮件发给各单位的收件人（未配置发送服务器时只写入发件箱）"
    )
    s.add_argument("--period", required=True, nargs="+", help="期间：YYYY-H1 或 YYYY，可多个")
    s.add_argument(
        "--district", default="all", help="all（收件人名单中的全部单位，默认）或逗号分隔的区划代码"
    )
    s.add_argument(
        "--dry-run",
        action="store_true",
        help="试发送：把邮件写成 .eml 文件放进发件箱，列出将发给谁，不发送",
    )
    s.add_argument("--resend", action="store_true", help="已发送过的同一版本报告也再发送一次")
    s.add_argument("--attach-html", action="store_true", help="同时附上 HTML 版报告")
    s.add_argument(
        "--recipients",
        default=str(config.PARAMS / "recipients.yaml"),
        help="收件人名单（默认 params/recipients.yaml）",
    )
    s.add_argument(
        "--smtp",
        default=str(config.PARAMS / "smtp.yaml"),
        help="发送服务器设置（默认 params/smtp.yaml）",
    )
    s.add_argument("--outputs", default=str(config.OUTPUTS), help="报告所在文件夹（默认 outputs/）")
    s.add_argument("--outbox", default=None, help="发件箱文件夹（默认 outputs/outbox/）")
    s.add_argument("--log", default=None, help="发送记录（默认 outputs/sent-log.jsonl）")
    s.add_argument("--store", default=str(config.STORE), help="数据库文件（用于核对区划代码）")
    return s


@dataclass
class Row:
    """One line of the table: a report, who it goes to, and what happened."""

    found: Found
    to: tuple[str, ...]
    cc: tuple[str, ...]
    files: str
    status: str
    notes: list[str] = field(default_factory=list)
    ok: bool = True


def _plan(
    args: argparse.Namespace,
) -> tuple[list[Period], list[str], dict[str, Entry], SmtpConfig, dict[str, tuple[str, str]]]:
    """Every parameter checked before anything is written or sent; ConfigError lists all."""
    from emreport.data.store import Store, StoreError

    problems: list[str] = []
    periods: list[Period] = []
    for text in args.period:
        try:
            p = Period.parse(text)
        except PeriodError as e:
            problems.append(str(e))
            continue
        if p not in periods:
            periods.append(p)
    registry: dict[str, tuple[str, str]] = {}
    try:
        with Store(args.store) as st:
            reg = st.registry()
            registry = {
                str(c): (str(n), str(lv))
                for c, n, lv in zip(reg["code"], reg["name"], reg["level"], strict=True)
            }
    except StoreError as e:
        problems.append(str(e))
    entries: dict[str, Entry] = {}
    listed = False
    if registry:
        try:
            entries = load_recipients(Path(args.recipients), registry)
            listed = True
        except ConfigError as e:
            problems += e.problems
    try:
        smtp = load_smtp(Path(args.smtp))
    except ConfigError as e:
        problems += e.problems
        smtp = SmtpConfig()
    codes: list[str] = []
    wanted = args.district.strip()
    if wanted.lower() == "all":
        codes = list(entries)
    else:
        for code in (c.strip() for c in wanted.replace("，", ",").split(",")):
            if not code or code in codes:
                continue
            if registry and code not in registry:
                problems.append(f"未知的区划代码“{code}”")
            elif listed and code not in entries:
                problems.append(
                    f"{code}{registry[code][0]}在收件人名单"
                    f"（{shown(Path(args.recipients))}）中没有登记收件人"
                )
            codes.append(code)
    if problems:
        raise ConfigError(problems)
    return periods, codes, entries, smtp, registry


def main(args: argparse.Namespace) -> int:
    """Run `emreport send`; 0 when everything that should go went (or is in the outbox)."""
    try:
        periods, codes, entries, smtp, registry = _plan(args)
    except ConfigError as e:
        return _fail(["无法发送，请先修改以下问题：", *e.problems])
    outputs = Path(args.outputs)
    run = _Run(
        args,
        entries,
        registry,
        smtp,
        dry=args.dry_run or not smtp.configured,
        outbox=Path(args.outbox) if args.outbox else outputs / "outbox",
    )
    if not args.dry_run and not smtp.configured:
        print(
            f"尚未配置发送服务器（{shown(Path(args.smtp))} 没有启用），本次为试发送："
            "邮件写入发件箱，不发送。"
        )
    if not run.dry and smtp.user:
        run.password = os.environ.get(PASSWORD_ENV) or None
        if run.password is None:
            return _fail(
                [
                    f"请先设置环境变量 {PASSWORD_ENV}（发件账号 {smtp.user} 的密码）；"
                    "密码不要写进任何文件"
                ]
            )
    log_path = Path(args.log) if args.log else outputs / "sent-log.jsonl"
    try:
        with SentLog(log_path, write=not run.dry) as run.log:
            for n in run.log.unreadable:
                print(f"{shown(log_path)} 第{n}行无法读取，已跳过", file=sys.stderr)
            rows = [run.one(p, c) for p in periods for c in codes]
    except ConfigError as e:
        return _fail(e.problems)
    _report(rows, run.dry, run.outbox)
    return 0 if all(r.ok for r in rows) else 1


@dataclass
class _Run:
    """One `emreport send`: what it was asked, and what it has met so far."""

    args: argparse.Namespace
    entries: dict[str, Entry]
    registry: dict[str, tuple[str, str]]
    smtp: SmtpConfig
    dry: bool
    outbox: Path
    password: str | None = None
    log: SentLog | None = None
    fatal: str = ""  # once the server refuses the login or certificate, nothing more is tried

    def one(self, period: Period, code: str) -> Row:
        """Write or send one report's message; the row says what happened."""
        entry, log = self.entries[code], self.log
        assert log is not None
        found = find_report(Path(self.args.outputs), period, code, self.registry[code][0])
        eml = self.outbox / period.code / f"{code}.eml"
        suffixes = (".pdf", ".html") if self.args.attach_html else (".pdf",)
        row = Row(
            found,
            entry.to,
            entry.cc,
            "、".join(attachment_name(found.name, period, s) for s in suffixes),
            "",
        )
        if found.state != "ready":
            row.status = "上次生成失败" if found.state == "failed" else "尚未生成"
            row.notes.append(found.reason)
        elif self.fatal:
            row.status = "未发送"
            row.notes.append(f"未发送：{self.fatal}")
        pending = (
            []
            if row.status
            else [
                r
                for r in entry.everyone
                if self.args.resend or not log.has(period.code, code, found.version, r)
            ]
        )
        if not row.status and not pending:
            row.status = "已发送过"
        if row.status:
            row.ok = row.status == "已发送过"
            if self.dry and eml.exists():
                eml.unlink()  # the outbox holds exactly what would go
            return row
        row.to = tuple(r for r in entry.to if r in pending)
        row.cc = tuple(r for r in entry.cc if r in pending)
        sender = self.smtp.sender or PLACEHOLDER_FROM
        msg = compose(found, entry, sender, attach_html=self.args.attach_html)
        data = msg.as_bytes()
        if self.dry:
            write_atomic(eml, data)
            row.status = "将发送"
            return row
        try:
            outcomes = deliver(data, sender, pending, self.smtp, self.password, _notifier(found))
        except FatalSendError as e:
            self.fatal = str(e)
            row.status, row.ok = "未发送", False
            row.notes.append(f"未发送：{self.fatal}")
            return row
        for o in outcomes:
            log.record(period.code, code, found.version, msg["Message-ID"], o)
            if o.status != "sent":
                row.notes.append(f"{o.recipient} {o.detail}")
        sent = sum(o.status == "sent" for o in outcomes)
        row.ok = sent == len(outcomes)
        row.status = (
            "已发送"
            if row.ok
            else "发送失败"
            if not sent
            else f"部分未送达（{len(outcomes) - sent}人）"
        )
        return row


def _notifier(found: Found):
    def say(text: str) -> None:
        print(f"{found.period.code}/{found.code} {found.name}：{text}", file=sys.stderr, flush=True)

    return say


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]


def _report(rows: list[Row], dry: bool, outbox: Path) -> None:
    table = [
        (
            f"{r.found.code} {r.found.name}",
            r.found.period.code,
            ", ".join(r.to) or "—",
            ", ".join(r.cc) or "—",
            r.files,
            r.status,
        )
        for r in rows
    ]
    if rows:
        print("\n".join(_table(("区划", "期间", "收件人", "抄送", "附件", "状态"), table)))
    for r in rows:
        for note in r.notes:
            print(f"{r.found.period.code}/{r.found.code} {r.found.name}：{note}", file=sys.stderr)
    count = {
        s: sum(r.status == s for r in rows)
        for s in ("将发送", "已发送", "已发送过", "尚未生成", "上次生成失败", "未发送")
    }
    partial = sum(r.status.startswith(("部分", "发送失败")) for r in rows)
    parts = [f"共{len(rows)}份报告"]
    if dry:
        parts.append(f"{count['将发送']}封邮件已写入发件箱 {shown(outbox)}（试发送，未发送）")
    else:
        parts.append(f"已发送{count['已发送']}份")
        if partial:
            parts.append(f"有收件人未送达{partial}份")
    if count["已发送过"]:
        parts.append(f"已发送过{count['已发送过']}份（未重复发送）")
    for s in ("尚未生成", "上次生成失败", "未发送"):
        if count[s]:
            names = "、".join(
                f"{r.found.period.code}/{r.found.code}{r.found.name}" for r in rows if r.status == s
            )
            parts.append(f"{s}{count[s]}份（{names}）")
    print("，".join(parts) + "。")


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return 1
