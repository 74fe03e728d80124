"""`emreport send`: each unit's report by e-mail, with the headline figures in the body.

One message per report (unit and period, composed by message.py) to the unit's `to` and `cc` in
params/recipients.yaml. A dry run
(the default until params/smtp.yaml enables a server) writes each message to the outbox as an
.eml file. Sending uses SMTP over STARTTLS or implicit TLS with certificate verification, the
password only from the environment; transient failures are retried with back-off. The sent log
(JSON lines) makes sending idempotent: a recipient who has had this version of the report (the
hash of its metrics.json, which changes with the figures) is skipped unless --resend.
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from emreport.data import kinds
from emreport.data.kinds import KindError
from emreport.data.periods import Period, PlanPeriod
from emreport.mail.delivery import (
    PASSWORD_ENV,
    FatalSendError,
    SentLog,
    SmtpConfig,
    deliver,
    load_smtp,
)
from emreport.mail.message import (
    PLACEHOLDER_FROM,
    Found,
    attached,
    attachment_name,
    compose,
    find_report,
)
from emreport.mail.options import add_parser  # noqa: F401 - the command's options
from emreport.mail.recipients import ConfigError, Entry, shown
from emreport.mail.recipients import load as load_recipients
from emreport.run.plan import parse_periods


def write_atomic(path: Path, data: bytes) -> None:
    """Beside the final name, then renamed: a reader never sees half a message."""
    from emreport import atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, data, mode=0o644)


# --- the command --------------------------------------------------------------------------


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
) -> tuple[
    list[Period | PlanPeriod], list[str], dict[str, Entry], SmtpConfig, dict[str, tuple[str, str]]
]:
    """Every parameter checked before anything is written or sent; ConfigError lists all."""
    from emreport.data.store import Store, StoreError

    problems: list[str] = []
    periods: list[Period | PlanPeriod] = []
    try:
        k = kinds.kind(args.kind)
        periods, problems = parse_periods(k, args.period)
    except KindError as e:
        problems.append(str(e))
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

    def one(self, period: Period | PlanPeriod, code: str) -> Row:
        """Write or send one report's message; the row says what happened."""
        entry, log = self.entries[code], self.log
        assert log is not None
        k = kinds.kind(self.args.kind)
        found = find_report(Path(self.args.outputs), period, code, self.registry[code][0], k)
        eml = self.outbox / found.where / f"{code}.eml"
        files = attached(self.args.attach, self.args.attach_html)
        row = Row(
            found,
            entry.to,
            entry.cc,
            "、".join(attachment_name(found.name, period, s, k) for _, s, _ in files),
            "",
        )
        absent = [f for f, _, _ in files if not (found.folder / f).is_file()]
        if found.state == "ready" and absent:  # a report made before report.docx existed
            found.state = "missing"
            found.reason = f"缺少 {'、'.join(absent)}：请先运行 {found.run_command}"
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
                if self.args.resend or not log.has(found.where, code, found.version, r)
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
        msg = compose(
            found, entry, sender, attach=self.args.attach, attach_html=self.args.attach_html
        )
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
            log.record(found.where, code, found.version, msg["Message-ID"], o)
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
        print(f"{found.where}/{found.code} {found.name}：{text}", file=sys.stderr, flush=True)

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
            r.found.where,
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
            print(f"{r.found.where}/{r.found.code} {r.found.name}：{note}", file=sys.stderr)
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
                f"{r.found.where}/{r.found.code}{r.found.name}" for r in rows if r.status == s
            )
            parts.append(f"{s}{count[s]}份（{names}）")
    print("，".join(parts) + "。")


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return 1
