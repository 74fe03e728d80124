"""Getting a message to its recipients: the server settings (params/smtp.yaml), SMTP over
STARTTLS or implicit TLS with the certificate always verified, retries with back-off, and the
sent log that makes sending idempotent.

The password comes only from the environment (EMREPORT_SMTP_PASSWORD); a `password` key in the
settings file is refused. Server replies and error texts quoted in messages all go through
`said`, which blanks out the password before it cuts the text short, and smtplib's debug output
is never switched on, so no part of the password can reach a terminal, the log or a file.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from emreport.mail.recipients import ConfigError, address_problem, at, read_mapping, shown, value_of

PASSWORD_ENV = "EMREPORT_SMTP_PASSWORD"

# --- configuration: params/smtp.yaml ------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """The sending server; `configured` is False (dry run only) without an enabled host."""

    enabled: bool = False
    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    sender: str = ""
    cafile: str = ""
    timeout: float = 30.0
    retries: int = 3
    retry_delay: float = 1.0

    @property
    def configured(self) -> bool:
        return self.enabled and bool(self.host)


_SMTP_KEYS = (
    "enabled",
    "host",
    "port",
    "security",
    "user",
    "from",
    "cafile",
    "timeout",
    "retries",
    "retry_delay",
)
_SECURITY = {"starttls": 587, "tls": 465}


def load_smtp(path: Path) -> SmtpConfig:
    """The server settings; a missing file means no server. ConfigError lists every problem."""
    if not path.exists():
        return SmtpConfig()
    root = read_mapping(path)
    if root is None:
        return SmtpConfig()
    problems: list[str] = []
    values: dict[str, object] = {}
    nodes: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
        if key.lower() in ("password", "pass", "passwd", "密码"):
            problems.append(
                f"{at(path, key_node)}：密码不能写在文件里，请用环境变量 {PASSWORD_ENV}"
            )
        elif key not in _SMTP_KEYS:
            problems.append(
                f"{at(path, key_node)}：不认识的项目“{key}”（可用：{'、'.join(_SMTP_KEYS)}）"
            )
        elif not isinstance(value_node, yaml.ScalarNode):
            problems.append(f"{at(path, value_node)}：{key} 应为一个值")
        else:
            nodes[key] = value_node
            try:
                values[key] = value_of(path, value_node)
            except ConfigError as e:
                problems += e.problems

    def bad(key: str, what: str) -> None:
        problems.append(f"{at(path, nodes[key])}：{key} {what}")

    def number(key: str, default: float, low: float, high: float, integer: bool) -> float:
        v = values.get(key)
        if v is None:
            return default
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or (integer and v != int(v))
            or not low <= v <= high
        ):
            bad(key, f"应为{low:g}到{high:g}之间的{'整数' if integer else '数'}")
            return default
        return int(v) if integer else float(v)

    def text(key: str) -> str:
        v = values.get(key)
        if v is None:
            return ""
        if not isinstance(v, str) or not v.strip() or any(c.isspace() for c in v.strip()):
            bad(key, "应为一段不含空格的文字")
            return ""
        return v.strip()

    enabled = values.get("enabled", True)
    if not isinstance(enabled, bool):
        bad("enabled", "应为 true 或 false")
        enabled = False
    security = str(values.get("security") or "starttls").strip().lower()
    if security not in _SECURITY:
        bad(
            "security",
            "应为 starttls（先连接再加密，常用端口587）或 tls（直接加密连接，常用端口465）",
        )
        security = "starttls"
    conf = SmtpConfig(
        enabled=enabled,
        host=text("host"),
        security=security,
        user=text("user"),
        sender=text("from"),
        cafile=text("cafile"),
        port=number("port", _SECURITY[security], 1, 65535, True),
        timeout=number("timeout", 30.0, 1, 600, False),
        retries=number("retries", 3, 0, 10, True),
        retry_delay=number("retry_delay", 1.0, 0, 60, False),
    )
    if conf.sender and (why := address_problem(conf.sender)):
        bad("from", f"“{conf.sender}”{why}")
    if conf.cafile and not Path(conf.cafile).is_file():
        bad("cafile", f"找不到证书文件“{conf.cafile}”")
    if "enabled" in nodes and enabled and not conf.host:
        problems.append(f"{at(path, nodes['enabled'])}：已启用发送，但没有填写 host（发送服务器）")
    if conf.configured and not conf.sender:
        problems.append(f"{shown(path)}：没有填写 from（发件地址）")
    if problems:
        raise ConfigError(problems)
    return conf


# --- sending -----------------------------------------------------------------------------


class FatalSendError(Exception):
    """Nothing more can be sent in this run (login refused, certificate not trusted, …)."""


class _Transient(Exception):
    """Worth another attempt: the connection dropped or the server said try later."""


class _Permanent(Exception):
    """The server refused the message itself (not a recipient): no point trying again."""


@dataclass(frozen=True)
class Delivery:
    """What happened to one recipient of one message."""

    recipient: str
    status: str  # sent | refused | failed
    detail: str = ""


REPLY_MAX = 80  # characters of a server reply or error text quoted in a message


def said(message: object, secret: str | None, code: int | None = None) -> str:
    """A server reply or an exception's text as messages and the sent log show it: the
    password (as sent, and base64-encoded as AUTH sends it) blanked out first, then control
    characters made spaces, then cut to REPLY_MAX characters. Every such text goes through here."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    for s in _secret_forms(secret):
        text = text.replace(s, "***")
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    text = text if len(text) <= REPLY_MAX else text[: REPLY_MAX - 1] + "…"
    return f"{code} {text}".strip() if code is not None else text


def _secret_forms(secret: str | None) -> list[str]:
    """The password and the forms AUTH LOGIN and AUTH PLAIN put it on the wire in."""
    if not secret:
        return []
    from base64 import b64encode

    raw = secret.encode("utf-8", "replace")
    forms = [secret, b64encode(raw).decode("ascii")]
    return sorted({f for f in forms if f}, key=len, reverse=True)


def _tls_context(conf: SmtpConfig) -> ssl.SSLContext:
    """Certificates and host names verified, always; an internal CA may be added by cafile."""
    return ssl.create_default_context(cafile=conf.cafile or None)


def _certificate(e: ssl.SSLCertVerificationError) -> str:
    why = str(getattr(e, "verify_message", "") or e).lower()
    if "expired" in why:
        return "服务器证书已过期"
    if "mismatch" in why:
        return "服务器证书与 host 不符：host 应写证书上的名称"
    if "self" in why or "issuer" in why:
        return "服务器证书不是受信任的机构签发的（内部 CA 的证书请用 cafile 指定）"
    return "服务器证书验证失败"


def _attempt(
    conf: SmtpConfig, password: str | None, sender: str, rcpts: list[str], data: bytes
) -> dict:
    """One connection: TLS, login, one transaction. Returns the refused recipients
    (smtplib's {address: (code, reply)}); raises _Transient, _Permanent or FatalSendError."""
    ctx = _tls_context(conf)
    phase = "连接"
    client = None
    try:
        if conf.security == "tls":
            client = smtplib.SMTP_SSL(conf.host, conf.port, timeout=conf.timeout, context=ctx)
        else:
            client = smtplib.SMTP(conf.host, conf.port, timeout=conf.timeout)
            phase = "加密"
            client.ehlo()
            client.starttls(context=ctx)  # SMTPNotSupportedError when not offered: no fallback
            client.ehlo()
        if conf.user:
            phase = "登录"
            client.login(conf.user, password or "")
        phase = "发送"
        refused = client.sendmail(sender, rcpts, data)
    except smtplib.SMTPRecipientsRefused as e:  # every recipient refused, some maybe for now
        _close(client)
        return e.recipients
    except Exception as e:
        _close(client)
        raise _classified(e, phase, f"{conf.host}:{conf.port}", password) from None
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        _close(client)
    return refused


def _classified(e: Exception, phase: str, where: str, password: str | None) -> Exception:
    """What a failure means for the run, worded for the analyst; never the server's own text
    for a login (it may echo what was sent)."""
    if isinstance(e, smtplib.SMTPAuthenticationError):
        if 400 <= e.smtp_code < 500:
            return _Transient(f"服务器暂时无法登录（{e.smtp_code}）")
        return FatalSendError("登录被拒绝（用户名或密码错误）")
    if isinstance(e, UnicodeEncodeError) and phase == "登录":
        return FatalSendError("用户名或密码含有中文等非 ASCII 字符，无法登录")
    if isinstance(e, smtplib.SMTPNotSupportedError):
        what = "加密（STARTTLS）" if phase == "加密" else "登录（AUTH）"
        return FatalSendError(f"服务器 {where} 不支持{what}")
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return _Transient(f"{phase}时连接被服务器断开")
    if isinstance(e, smtplib.SMTPResponseException):  # sender or DATA refused, greeting 4xx …
        reply = said(e.smtp_error, password, e.smtp_code)
        if 400 <= e.smtp_code < 500:
            return _Transient(f"服务器暂时不能接收（{reply}）")
        return _Permanent(f"服务器拒收这封邮件（{reply}）")
    if isinstance(e, ssl.SSLCertVerificationError):
        return FatalSendError(_certificate(e))
    if isinstance(e, ssl.SSLError):
        return FatalSendError(
            f"与 {where} 的加密连接失败：请检查 security 和 port（starttls 常用587，tls 常用465）"
        )
    if isinstance(e, smtplib.SMTPException):
        return _Transient(f"{phase}时服务器应答异常")
    if isinstance(e, ConnectionRefusedError):
        return _Transient(f"无法连接 {where}（连接被拒绝）")
    if isinstance(e, TimeoutError):
        return _Transient(f"{phase}超时（{where}）")
    if isinstance(e, OSError):
        return _Transient(f"{phase}时网络出错（{where}，错误号 {e.errno}）")
    return _Permanent(f"{phase}时出错（{said(e, password) or type(e).__name__}）")


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        try:
            client.close()
        except OSError:
            pass


def deliver(
    data: bytes,
    sender: str,
    rcpts: Iterable[str],
    conf: SmtpConfig,
    password: str | None,
    notify: Callable[[str], None],
) -> list[Delivery]:
    """Send one message to each recipient, retrying transient failures with back-off
    (retry_delay, doubled each time); a recipient refused for good is reported, not retried,
    and does not stop the others. FatalSendError stops the whole run."""
    pending = list(rcpts)
    done: dict[str, Delivery] = {}
    last = ""
    for attempt in range(conf.retries + 1):
        if attempt:
            delay = conf.retry_delay * 2 ** (attempt - 1)
            notify(f"{last}，{delay:g}秒后重试（第{attempt}次，共{conf.retries}次）")
            time.sleep(delay)
        try:
            refused = _attempt(conf, password, sender, pending, data)
        except _Transient as e:
            last = str(e)
            continue
        except _Permanent as e:
            last = str(e)
            break
        later = []
        for r in pending:
            if r not in refused:
                done[r] = Delivery(r, "sent")
                continue
            code, reply = refused[r]
            if 400 <= code < 500:
                later.append(r)
                last = f"{r} 暂时不能接收（{said(reply, password, code)}）"
            else:
                done[r] = Delivery(r, "refused", f"被拒收（{said(reply, password, code)}）")
        pending = later
        if not pending:
            break
    for r in pending:
        done[r] = Delivery(r, "failed", f"未送达：{last}")
    return [done[r] for r in rcpts if r in done]


# --- the sent log ------------------------------------------------------------------------


class SentLog:
    """outputs/sent-log.jsonl: one JSON line per recipient and attempt, appended and synced;
    locked while a send runs so two runs cannot both send. A dry run only reads it."""

    def __init__(self, path: Path, write: bool):
        self.path = path
        self.write = write
        self.sent: set[tuple[str, str, str, str]] = set()
        self._file = None
        self.unreadable: list[int] = []

    def __enter__(self) -> SentLog:
        if self.write:
            import fcntl

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a+", encoding="utf-8")
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise ConfigError(
                    [f"{shown(self.path)}：另一个 emreport send 正在运行，请等它结束后再试"]
                ) from None
            self._file.seek(0)
            lines = self._file.read().splitlines()
        elif self.path.exists():
            lines = self.path.read_text(encoding="utf-8").splitlines()
        else:
            lines = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                if r["status"] == "sent":
                    self.sent.add(self._key(r["period"], r["code"], r["version"], r["recipient"]))
            except (ValueError, KeyError, TypeError):
                self.unreadable.append(n)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    @staticmethod
    def _key(period: str, code: str, version: str, recipient: str) -> tuple[str, str, str, str]:
        return period, code, version, recipient.lower()

    def has(self, period: str, code: str, version: str, recipient: str) -> bool:
        """Whether the recipient has had this version of the report (case-blind address)."""
        return self._key(period, code, version, recipient) in self.sent

    def record(
        self, period: str, code: str, version: str, message_id: str, outcome: Delivery
    ) -> None:
        """Append one line and sync it, so a crash right after a send still remembers it."""
        line = {
            "time": datetime.now().astimezone().isoformat(timespec="seconds"),
            "period": period,
            "code": code,
            "version": version,
            "recipient": outcome.recipient,
            "message_id": message_id,
            "status": outcome.status,
        }
        if outcome.detail:
            line["detail"] = outcome.detail
        assert self._file is not None
        self._file.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
