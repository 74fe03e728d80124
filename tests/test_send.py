"""`emreport send`: reports by e-mail through a real SMTP server on 127.0.0.1.

The server is aiosmtpd with STARTTLS required and logins checked (or implicit TLS), on a
certificate made here by a CA made here, which the client trusts through `cafile`, so
certificate verification stays on. Reports are a temporary outputs tree: metrics.json built by
`report.build` on the session's sample store, exactly as the runner writes it, and a small real
PDF committed under tests/fixtures/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import html
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import CliRun
from emreport import config, report
from emreport.mail import message
from emreport.mail import send as mail
from emreport.mail.delivery import PASSWORD_ENV
from emreport.metrics import Metric

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDF = FIXTURES / "mail_report.pdf"
PASSWORD = "Sentinel-pw-7Hq2xZ-do-not-leak"
USER = "sender@linjiang.example.org"
FROM = "report@linjiang.example.org"
CITY, JIANGCHENG, LINHU, QINGSHAN = "990100", "990102", "990103", "990104"
PERIOD = "2025"

RECIPIENTS = f"""\
"{JIANGCHENG}":
  sender_name: 临江市应急管理局
  to:
    - jc1@jiangcheng.example.org
    - jc2@jiangcheng.example.org
  cc: [office@linjiang.example.org]
"{CITY}":
  sender_name: 临江市应急管理局
  to: city@linjiang.example.org
"""


# --- reports ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def metrics_bytes() -> dict[str, bytes]:
    """metrics.json of 江城区 and the city for 2025, as output.page.files_but_pdf writes it."""
    out = {}
    for code in (JIANGCHENG, CITY, LINHU):
        r = report.build(code, PERIOD, store=config.STORE)
        body = dict(r.bundle["metrics"], data_fingerprint=r.bundle["data_fingerprint"])
        out[code] = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    return out


@pytest.fixture
def outputs(tmp_path: Path, metrics_bytes: dict[str, bytes]) -> Callable[..., Path]:
    """outputs/<period>/<code>/ with metrics.json, report.pdf and report.html per code."""
    root = tmp_path / "outputs"

    def make(*codes: str) -> Path:
        for code in codes:
            folder = root / PERIOD / code
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "metrics.json").write_bytes(metrics_bytes[code])
            shutil.copyfile(PDF, folder / "report.pdf")
            (folder / "report.html").write_text("<!DOCTYPE html><p>报告</p>", encoding="utf-8")
        return root

    return make


# --- certificates and the server ----------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA, and a server certificate it signed for localhost and 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "emreport test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = Pki(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    raw: bytes


@dataclass
class Inbox:
    """The server's handler: keeps what it accepts; can refuse, defer or hang up."""

    refuse: set[str] = field(default_factory=set)  # 550 for these, always
    defer: set[str] = field(default_factory=set)  # 451 for these, the first time
    drops: int = 0  # hang up in DATA this many times
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.defer:
            self.defer.discard(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drops:
            self.drops -= 1
            server.transport.close()  # the connection drops before the reply
            return "250 never seen"
        raw = envelope.original_content or envelope.content
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(raw, policy=email.policy.default),
                    raw,
                )
            )
        return "250 OK queued"

    def all_rcpts(self) -> list[str]:
        return sorted(r for m in self.received for r in m.rcpt_tos)


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server replies 535


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(pki: Pki) -> Iterator[Callable[..., tuple[Inbox, int]]]:
    """Start a server: smtp_server(inbox, implicit_tls=False) → (inbox, port). Stopped after."""
    started: list[Controller] = []

    def start(
        inbox: Inbox | None = None, implicit_tls: bool = False, plain: bool = False
    ) -> tuple[Inbox, int]:
        inbox = inbox or Inbox()
        port = _free_port()
        common = dict(
            hostname="127.0.0.1",
            port=port,
            server_hostname="localhost",
            auth_required=True,
            authenticator=_authenticator,
        )
        if plain:  # no TLS at all: the client must refuse to log in
            controller = Controller(inbox, auth_require_tls=False, **common)
        elif implicit_tls:
            controller = Controller(
                inbox, ssl_context=pki.server_context(), auth_require_tls=False, **common
            )
        else:
            controller = Controller(
                inbox,
                tls_context=pki.server_context(),
                require_starttls=True,
                auth_require_tls=True,
                **common,
            )
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()
        assert controller._thread is None  # no server thread left behind


# --- running the command ------------------------------------------------------------------


@pytest.fixture
def send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliRun]:
    """Run `emreport send` in-process through a parser built with mail.add_parser, on the
    tmp outputs tree, recipients and smtp files (written unless given)."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    parser = argparse.ArgumentParser(prog="emreport")
    mail.add_parser(parser.add_subparsers(dest="command"))

    def run(
        *args: str,
        recipients: str = RECIPIENTS,
        smtp: str | None = None,
        outputs: Path | None = None,
    ) -> CliRun:
        rec = tmp_path / "recipients.yaml"
        rec.write_text(recipients, encoding="utf-8")
        smtp_file = tmp_path / "smtp.yaml"
        if smtp is None:
            smtp_file.unlink(missing_ok=True)
        else:
            smtp_file.write_text(smtp, encoding="utf-8")
        argv = [
            "send",
            "--period",
            PERIOD,
            *args,
            "--recipients",
            str(rec),
            "--smtp",
            str(smtp_file),
            "--outputs",
            str(outputs or tmp_path / "outputs"),
            "--store",
            str(config.STORE),
        ]
        capsys.readouterr()
        code = mail.main(parser.parse_args(argv))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


def smtp_yaml(port: int, pki: Pki | None, security: str = "starttls", **extra: object) -> str:
    lines = [
        "enabled: true",
        "host: 127.0.0.1",
        f"port: {port}",
        f"security: {security}",
        f"user: {USER}",
        f"from: {FROM}",
        "timeout: 5",
        "retries: 2",
        "retry_delay: 0.01",
    ]
    if pki is not None:
        lines.append(f"cafile: {pki.ca}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def log_lines(tmp_path: Path) -> list[dict]:
    path = tmp_path / "outputs" / "sent-log.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def expected_lines(metrics_json: bytes) -> list[str]:
    """Each headline figure as the report words it, from metrics.json's own values."""
    stated = json.loads(metrics_json)["metrics"]
    out = []
    for mid in message.HEADLINE:
        f = stated[mid]
        m = Metric(mid, f["label"], f["unit"], f["value"], f["previous"], f["approximate"])
        out.append(f"{m.label}{m.text()}，{m.yoy()}" if m.yoy() else f"{m.label}{m.text()}")
    return out


def by_subject(inbox: Inbox, text: str) -> Received:
    found = [m for m in inbox.received if text in m.message["Subject"]]
    assert len(found) == 1, [m.message["Subject"] for m in inbox.received]
    return found[0]


# --- what arrives -------------------------------------------------------------------------


def test_messages_arrive_with_recipients_subject_figures_and_the_pdf(
    send, outputs, smtp_server, pki, metrics_bytes, tmp_path
):
    inbox, port = smtp_server()
    r = send(smtp=smtp_yaml(port, pki), outputs=outputs(JIANGCHENG, CITY))
    assert r.code == 0, r.err
    assert len(inbox.received) == 2

    got = by_subject(inbox, "江城区")
    msg = got.message
    assert got.mail_from == FROM
    assert sorted(got.rcpt_tos) == [
        "jc1@jiangcheng.example.org",
        "jc2@jiangcheng.example.org",
        "office@linjiang.example.org",
    ]
    assert [a.addr_spec for a in msg["To"].addresses] == [
        "jc1@jiangcheng.example.org",
        "jc2@jiangcheng.example.org",
    ]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["office@linjiang.example.org"]
    assert msg["Subject"] == "江城区应急管理局2025年度工作总结"
    sender = msg["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("临江市应急管理局", FROM)
    assert msg["Message-ID"].endswith("@linjiang.example.org>") and msg["Date"]
    assert msg["Bcc"] is None
    assert got.raw.isascii(), "headers and bodies must be 7-bit (encoded words, base64)"

    text = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    for line in expected_lines(metrics_bytes[JIANGCHENG]):
        assert line in text
    # hand-checked figures of the sample: 江城区 2025
    assert "生产安全事故3起，同比下降50%" in text
    assert "发现隐患3131处，同比增长21.5%" in text
    assert "隐患整改率97%，同比提高0.7个百分点" in text
    assert "罚款金额398.35万元，同比增长4.5%" in text
    assert text.splitlines()[-2] == "临江市应急管理局"
    for bad in ("nan", "None", "null"):
        assert bad not in text
    assert not re.search(r"[A-Za-z]{2,}", text), "English words in the text body"
    visible = re.sub(r"<[^>]+>", "", page)
    assert not re.search(r"[A-Za-z]{2,}", html.unescape(visible).replace("DOCTYPE", ""))
    stated = json.loads(metrics_bytes[JIANGCHENG])["metrics"]
    for mid in message.HEADLINE:
        m = Metric(
            mid,
            stated[mid]["label"],
            stated[mid]["unit"],
            stated[mid]["value"],
            stated[mid]["previous"],
            stated[mid]["approximate"],
        )
        assert f">{html.escape(m.label)}</td>" in page and f">{m.text()}</td>" in page
    assert ">生产安全事故</td>" in page and ">3起</td>" in page and ">6起</td>" in page

    [pdf] = list(msg.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "江城区2025年度工作总结.pdf"
    assert pdf.get_content() == PDF.read_bytes()
    assert f"filename*=utf-8''{quote('江城区2025年度工作总结.pdf')}".encode() in got.raw

    city = by_subject(inbox, "临江市")
    assert city.rcpt_tos == ["city@linjiang.example.org"] and city.message["Cc"] is None
    assert city.message["Subject"] == "临江市应急管理局2025年度工作总结"
    for line in expected_lines(metrics_bytes[CITY]):
        assert line in city.message.get_body(("plain",)).get_content()

    logged = log_lines(tmp_path)
    assert len(logged) == 4 and {x["status"] for x in logged} == {"sent"}
    assert {x["message_id"] for x in logged if x["code"] == JIANGCHENG} == {msg["Message-ID"]}
    assert "已发送" in r.out and "共2份报告，已发送2份" in r.out


def test_html_attachment_on_request(send, outputs, smtp_server, pki):
    inbox, port = smtp_server()
    r = send(
        "--district",
        JIANGCHENG,
        "--attach-html",
        smtp=smtp_yaml(port, pki),
        outputs=outputs(JIANGCHENG),
    )
    assert r.code == 0, r.err
    names = [a.get_filename() for a in inbox.received[0].message.iter_attachments()]
    assert names == ["江城区2025年度工作总结.pdf", "江城区2025年度工作总结.html"]


def test_docx_attachment_on_request(send, outputs, smtp_server, pki):
    inbox, port = smtp_server()
    root = outputs(JIANGCHENG)
    (root / PERIOD / JIANGCHENG / "report.docx").write_bytes(b"PK docx")
    r = send(
        "--district",
        JIANGCHENG,
        "--attach",
        "docx",
        "html",
        smtp=smtp_yaml(port, pki),
        outputs=root,
    )
    assert r.code == 0, r.err
    parts = list(inbox.received[0].message.iter_attachments())
    assert [a.get_filename() for a in parts] == [
        "江城区2025年度工作总结.pdf",
        "江城区2025年度工作总结.docx",
        "江城区2025年度工作总结.html",
    ]
    assert parts[1].get_content_type().endswith("wordprocessingml.document")
    assert parts[1].get_content() == b"PK docx"


def test_docx_asked_for_but_not_made_is_not_sent(send, outputs, smtp_server, pki):
    inbox, port = smtp_server()
    r = send(
        "--district",
        JIANGCHENG,
        "--attach",
        "docx",
        smtp=smtp_yaml(port, pki),
        outputs=outputs(JIANGCHENG),
    )
    assert r.code == 1 and not inbox.received
    assert (
        f"江城区：缺少 report.docx：请先运行 emreport run --period {PERIOD} --district {JIANGCHENG}"
        in r.err
    )


# aiosmtpd only counts STARTTLS as TLS, so it warns about AUTH on an implicit-TLS port
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(send, outputs, smtp_server, pki):
    inbox, port = smtp_server(implicit_tls=True)
    r = send("--district", CITY, smtp=smtp_yaml(port, pki, security="tls"), outputs=outputs(CITY))
    assert r.code == 0, r.err
    assert inbox.all_rcpts() == ["city@linjiang.example.org"]


# --- failures -----------------------------------------------------------------------------


def test_refused_recipient_is_reported_and_the_others_still_arrive(
    send, outputs, smtp_server, pki, tmp_path
):
    inbox, port = smtp_server(Inbox(refuse={"jc2@jiangcheng.example.org"}))
    r = send(smtp=smtp_yaml(port, pki), outputs=outputs(JIANGCHENG, CITY))
    assert r.code == 1
    assert inbox.all_rcpts() == [
        "city@linjiang.example.org",
        "jc1@jiangcheng.example.org",
        "office@linjiang.example.org",
    ]
    assert "jc2@jiangcheng.example.org 被拒收（550" in r.err
    assert "部分未送达（1人）" in r.out
    status = {x["recipient"]: x["status"] for x in log_lines(tmp_path)}
    assert status["jc2@jiangcheng.example.org"] == "refused"
    assert status["jc1@jiangcheng.example.org"] == "sent"


@pytest.mark.parametrize("trouble", ["drop", "defer"])
def test_transient_failures_are_retried(send, outputs, smtp_server, pki, trouble):
    inbox = Inbox(drops=1) if trouble == "drop" else Inbox(defer={"jc1@jiangcheng.example.org"})
    inbox, port = smtp_server(inbox)
    r = send("--district", JIANGCHENG, smtp=smtp_yaml(port, pki), outputs=outputs(JIANGCHENG))
    assert r.code == 0, r.err
    assert "重试（第1次" in r.err
    assert inbox.all_rcpts() == [
        "jc1@jiangcheng.example.org",
        "jc2@jiangcheng.example.org",
        "office@linjiang.example.org",
    ], "each recipient exactly once"


def test_a_server_that_never_answers_fails_after_the_retries(send, outputs, tmp_path):
    r = send(
        "--district", JIANGCHENG, smtp=smtp_yaml(_free_port(), None), outputs=outputs(JIANGCHENG)
    )
    assert r.code == 1
    assert r.err.count("秒后重试") == 2 and "连接被拒绝" in r.err
    assert "发送失败" in r.out
    assert {x["status"] for x in log_lines(tmp_path)} == {"failed"}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_server_without_starttls_gets_no_login_and_no_mail(send, outputs, smtp_server, pki):
    inbox, port = smtp_server(plain=True)
    r = send("--district", JIANGCHENG, smtp=smtp_yaml(port, pki), outputs=outputs(JIANGCHENG))
    assert r.code == 1
    assert "不支持加密（STARTTLS）" in r.err
    assert inbox.received == []


def test_an_untrusted_certificate_stops_sending(send, outputs, smtp_server, pki):
    inbox, port = smtp_server()
    r = send(smtp=smtp_yaml(port, None), outputs=outputs(JIANGCHENG, CITY))  # no cafile
    assert r.code == 1
    assert "服务器证书不是受信任的机构签发的" in r.err
    assert inbox.received == []
    assert r.out.count("未发送") >= 2


# --- idempotence --------------------------------------------------------------------------


def test_a_second_send_sends_nothing_new_and_resend_sends_again(
    send, outputs, smtp_server, pki, tmp_path
):
    inbox, port = smtp_server()
    conf = smtp_yaml(port, pki)
    out = outputs(JIANGCHENG, CITY)
    assert send(smtp=conf, outputs=out).code == 0
    assert len(inbox.received) == 2

    again = send(smtp=conf, outputs=out)
    assert again.code == 0
    assert len(inbox.received) == 2, "the same version was sent twice"
    assert again.out.count("已发送过") >= 2 and "已发送过2份" in again.out

    resent = send("--resend", "--district", JIANGCHENG, smtp=conf, outputs=out)
    assert resent.code == 0
    assert len(inbox.received) == 3
    assert sorted(inbox.received[-1].rcpt_tos) == [
        "jc1@jiangcheng.example.org",
        "jc2@jiangcheng.example.org",
        "office@linjiang.example.org",
    ]
    assert len(log_lines(tmp_path)) == 4 + 3


def test_a_regenerated_report_with_new_figures_is_a_new_version(
    send, outputs, smtp_server, pki, metrics_bytes, tmp_path
):
    inbox, port = smtp_server()
    conf = smtp_yaml(port, pki)
    out = outputs(JIANGCHENG)
    assert send("--district", JIANGCHENG, smtp=conf, outputs=out).code == 0
    body = json.loads(metrics_bytes[JIANGCHENG])
    body["metrics"]["accidents.count"]["value"] = 4
    body["data_fingerprint"] = "0123456789abcdef"
    (out / PERIOD / JIANGCHENG / "metrics.json").write_text(
        json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    r = send("--district", JIANGCHENG, smtp=conf, outputs=out)
    assert r.code == 0
    assert len(inbox.received) == 2
    assert (
        "生产安全事故4起，同比下降33.3%"
        in inbox.received[-1].message.get_body(("plain",)).get_content()
    )
    versions = {x["version"] for x in log_lines(tmp_path)}
    assert len(versions) == 2


def test_failed_and_missing_reports_are_not_sent_and_named(
    send, outputs, smtp_server, pki, metrics_bytes
):
    inbox, port = smtp_server()
    out = outputs(JIANGCHENG, LINHU)
    (out / PERIOD / LINHU / "report.failed.ipynb").write_text("{}", encoding="utf-8")
    recipients = RECIPIENTS + (
        f'"{LINHU}":\n  sender_name: 临江市应急管理局\n  to: lh@linhu.example.org\n'
        f'"{QINGSHAN}":\n  sender_name: 临江市应急管理局\n'
        "  to: qs@qingshan.example.org\n"
    )
    r = send(
        "--district",
        f"{JIANGCHENG},{LINHU},{QINGSHAN}",
        recipients=recipients,
        smtp=smtp_yaml(port, pki),
        outputs=out,
    )
    assert r.code == 1
    assert [m.message["Subject"] for m in inbox.received] == ["江城区应急管理局2025年度工作总结"]
    assert "上次生成失败1份（2025/990103临湖区）" in r.out
    assert "尚未生成1份（2025/990104青山区）" in r.out
    assert "emreport run --period 2025 --district 990104" in r.err
    assert "report.failed.ipynb" in r.err


# --- secrets ------------------------------------------------------------------------------


def test_the_password_appears_in_no_output_or_file(
    send, outputs, smtp_server, pki, tmp_path, monkeypatch
):
    inbox, port = smtp_server(Inbox(refuse={"jc2@jiangcheng.example.org"}, drops=1))
    out = outputs(JIANGCHENG, CITY)
    runs = [
        send(smtp=smtp_yaml(port, pki), outputs=out),
        send("--dry-run", smtp=smtp_yaml(port, pki), outputs=out),
    ]
    assert len(inbox.received) == 2
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD + "-wrong")
    refused = send("--resend", smtp=smtp_yaml(port, pki), outputs=out)
    assert refused.code == 1 and "登录被拒绝（用户名或密码错误）" in refused.err
    for r in [*runs, refused]:
        assert PASSWORD not in r.out + r.err
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".eml" for p in files) and any(p.suffix == ".jsonl" for p in files)
    for p in files:
        assert PASSWORD.encode() not in p.read_bytes(), p


def _pieces(secret: str, size: int = 6) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


@dataclass
class EchoingInbox(Inbox):
    """A server whose refusals quote the password, `offset` characters into the reply text."""

    phase: str = "rcpt"
    offset: int = 0

    def reply(self, code: str) -> str:
        return f"{code} " + "x" * self.offset + PASSWORD + " was not expected here"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.phase == "rcpt" and address == "jc2@jiangcheng.example.org":
            return self.reply("550")
        if self.phase == "defer" and address in self.defer:
            self.defer.discard(address)
            return self.reply("451")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.phase == "data":
            return self.reply("554")
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("offset", [0, 40, 60, 70, 75, 79, 80, 100])
@pytest.mark.parametrize("phase", ["rcpt", "defer", "data"])
def test_a_reply_quoting_the_password_shows_no_part_of_it(
    phase, offset, send, outputs, smtp_server, pki, tmp_path
):
    inbox = EchoingInbox(phase=phase, offset=offset, defer={"jc1@jiangcheng.example.org"})
    inbox, port = smtp_server(inbox)
    r = send("--district", JIANGCHENG, smtp=smtp_yaml(port, pki), outputs=outputs(JIANGCHENG))
    assert r.code == (0 if phase == "defer" else 1), r.err
    shown = r.out + r.err + (tmp_path / "outputs" / "sent-log.jsonl").read_text(encoding="utf-8")
    assert not [p for p in _pieces(PASSWORD) if p in shown], shown
    if offset < 70:  # the mask itself is within the 80 characters quoted
        assert "***" in r.err
    assert "Traceback" not in r.err


def test_the_password_is_masked_before_the_reply_is_cut():
    from emreport.mail.delivery import REPLY_MAX, said

    for offset in range(0, 130):
        for text in ("x" * offset + PASSWORD, "x" * offset + PASSWORD + "y" * 50):
            out = said(text.encode(), PASSWORD, 550)
            assert len(out) <= len("550 ") + REPLY_MAX
            assert not [p for p in _pieces(PASSWORD, 4) if p in out], (offset, out)
    assert said("5.7.1 " + PASSWORD, PASSWORD, 550) == "550 5.7.1 ***"
    assert said(ValueError("bad\r\nline " + PASSWORD), PASSWORD) == "bad line ***"


def test_a_password_in_the_config_file_is_refused(send, outputs, smtp_server, pki, tmp_path):
    inbox, port = smtp_server()
    r = send(smtp=smtp_yaml(port, pki, password="secret"), outputs=outputs(JIANGCHENG))
    assert r.code == 1
    assert (
        f"{tmp_path / 'smtp.yaml'}:11：密码不能写在文件里，请用环境变量 EMREPORT_SMTP_PASSWORD"
        in r.err
    )
    assert inbox.received == [] and not (tmp_path / "outputs" / "sent-log.jsonl").exists()


def test_sending_needs_the_password_in_the_environment(
    send, outputs, smtp_server, pki, monkeypatch
):
    inbox, port = smtp_server()
    monkeypatch.delenv(PASSWORD_ENV)
    r = send(smtp=smtp_yaml(port, pki), outputs=outputs(JIANGCHENG))
    assert r.code == 1 and f"请先设置环境变量 {PASSWORD_ENV}" in r.err
    assert inbox.received == []


# --- the recipients file ------------------------------------------------------------------

BAD_RECIPIENTS = """\
"990102":
  sender_name: 临江市应急管理局
  to:
    - good@jiangcheng.example.org
    - "bad@@jiangcheng.example.org"
    - "a@b.org\\nBcc: x@y.org"
    - GOOD@jiangcheng.example.org
    - 张三 <zs@example.org>
"999999":
  sender_name: 某区
  to: a@example.org
"990101":
  sender_name: 市本级
  to: b@example.org
"990103":
  sender_name: 临江市应急管理局
  to: []
  bcc: c@example.org
"990104":
  to: nodomain@localhost
  cc: ["x@example.org, y@example.org"]
"""


def test_recipient_file_problems_are_all_listed_with_file_and_line(send, outputs, tmp_path):
    out = outputs(JIANGCHENG)
    r = send(recipients=BAD_RECIPIENTS, outputs=out)
    assert r.code == 1
    f = tmp_path / "recipients.yaml"
    expected = {
        5: "地址“bad@@jiangcheng.example.org”应有且只有一个“@”",
        6: "地址“a@b.org\\x0aBcc: x@y.org”含有换行或控制字符",
        7: "地址“GOOD@jiangcheng.example.org”重复（第4行已写过）",
        8: "地址“张三 <zs@example.org>”只写地址本身，不写姓名",
        9: "区划代码“999999”不在区划名录中",
        12: "990101是市本级",
        17: "990103的 to 没有收件人",
        18: "不认识的项目“bcc”",
        19: "990104缺少 sender_name",
        20: "地址“nodomain@localhost”的域名（“@”后面的部分）无效",
        21: "地址“x@example.org, y@example.org”含有逗号或分号",
    }
    for line, text in expected.items():
        assert any(x.startswith(f"{f}:{line}：") and text in x for x in r.err.splitlines()), (
            line,
            text,
            r.err,
        )
    lines = [int(x.split("：")[0].rpartition(":")[2]) for x in r.err_lines if x.startswith(str(f))]
    assert lines == sorted(lines) and len(lines) == len(expected), "listed in file order, once"
    assert r.out == ""
    assert sorted(p.name for p in out.iterdir()) == [PERIOD], "something was written"


def test_a_yaml_syntax_error_is_named_with_its_line(send, outputs, tmp_path):
    r = send(
        recipients='"990102":\n  sender_name: 临江市应急管理局\n  to: [a@example.org\n'
        '"990100":\n  to: b@example.org\n',
        outputs=outputs(JIANGCHENG),
    )
    assert r.code == 1
    assert re.search(rf"{re.escape(str(tmp_path / 'recipients.yaml'))}:\d+：YAML 格式错误", r.err)


def test_bad_periods_and_districts_are_listed_together(send, outputs):
    r = send(
        "2025-H3", "--district", f"{JIANGCHENG},999999,{QINGSHAN}", outputs=outputs(JIANGCHENG)
    )
    assert r.code == 1
    assert "期间“2025-H3”无效" in r.err
    assert "未知的区划代码“999999”" in r.err
    assert "990104青山区在收件人名单" in r.err and "没有登记收件人" in r.err


# --- dry run ------------------------------------------------------------------------------


def test_dry_run_is_the_default_without_a_server_and_writes_readable_eml(
    send, outputs, tmp_path, metrics_bytes
):
    out = outputs(JIANGCHENG, CITY)
    r = send(
        smtp="enabled: false\nhost: smtp.example.org\nfrom: report@linjiang.example.org\n",
        outputs=out,
    )
    assert r.code == 0, r.err
    assert "尚未配置发送服务器" in r.out and "将发送" in r.out
    assert "jc1@jiangcheng.example.org, jc2@jiangcheng.example.org" in r.out
    assert "2封邮件已写入发件箱" in r.out
    header = r.out.splitlines()[1].split()
    assert header[:6] == ["区划", "期间", "收件人", "抄送", "附件", "状态"]
    eml = out / "outbox" / PERIOD / f"{JIANGCHENG}.eml"
    raw = eml.read_bytes()
    with eml.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.default)
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_filename() == "江城区2025年度工作总结.pdf"
    assert pdf.get_content() == PDF.read_bytes()
    assert f"filename*=utf-8''{quote('江城区2025年度工作总结.pdf')}".encode() in raw
    assert msg["Subject"] == "江城区应急管理局2025年度工作总结"
    assert expected_lines(metrics_bytes[JIANGCHENG])[0] in msg.get_body(("plain",)).get_content()
    assert not (out / "sent-log.jsonl").exists(), "a dry run wrote the sent log"
    assert sorted(p.name for p in (out / "outbox" / PERIOD).iterdir()) == [
        f"{CITY}.eml",
        f"{JIANGCHENG}.eml",
    ]


def test_the_outbox_holds_only_what_would_go(send, outputs):
    out = outputs(JIANGCHENG, CITY)
    assert send(outputs=out).code == 0
    (out / PERIOD / CITY / "report.failed.ipynb").write_text("{}", encoding="utf-8")
    r = send(outputs=out)
    assert r.code == 1 and "上次生成失败" in r.out
    assert sorted(p.name for p in (out / "outbox" / PERIOD).iterdir()) == [f"{JIANGCHENG}.eml"]


def test_explicit_dry_run_with_a_server_configured_contacts_nobody(send, outputs, tmp_path):
    out = outputs(JIANGCHENG)
    # nothing listens on this port: any attempt to send would fail the run
    r = send("--dry-run", "--district", JIANGCHENG, smtp=smtp_yaml(_free_port(), None), outputs=out)
    assert r.code == 0, r.err
    assert "尚未配置" not in r.out
    msg = email.message_from_bytes(
        (out / "outbox" / PERIOD / f"{JIANGCHENG}.eml").read_bytes(), policy=email.policy.default
    )
    assert msg["From"].addresses[0].addr_spec == FROM


def test_hostile_names_are_escaped_and_cannot_inject_headers(send, outputs, metrics_bytes):
    out = outputs(JIANGCHENG)
    body = json.loads(metrics_bytes[JIANGCHENG])
    body["unit"]["name"] = "<img src=x onerror=alert(1)>江/城区\r\nBcc: evil@example.org"
    body["metrics"]["accidents.count"]["label"] = "事故<b>起数</b>"
    (out / PERIOD / JIANGCHENG / "metrics.json").write_text(
        json.dumps(body, ensure_ascii=False), encoding="utf-8"
    )
    r = send("--district", JIANGCHENG, outputs=out)
    assert r.code == 0, r.err
    raw = (out / "outbox" / PERIOD / f"{JIANGCHENG}.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None and not re.search(rb"(?m)^Bcc:", raw)
    assert "\n" not in msg["Subject"] and "evil@example.org" not in msg["To"]
    page = msg.get_body(("html",)).get_content()
    assert "<img" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "事故&lt;b&gt;起数&lt;/b&gt;" in page
    [pdf] = list(msg.iter_attachments())
    assert "/" not in pdf.get_filename() and "\n" not in pdf.get_filename()


def test_a_40000_character_name_sends_quickly_with_a_bounded_subject(send, outputs, metrics_bytes):
    import time

    out = outputs(JIANGCHENG)
    body = json.loads(metrics_bytes[JIANGCHENG])
    body["unit"]["name"] = "江城" * 20000
    (out / PERIOD / JIANGCHENG / "metrics.json").write_text(
        json.dumps(body, ensure_ascii=False), encoding="utf-8"
    )
    started = time.perf_counter()
    r = send("--district", JIANGCHENG, outputs=out)
    took = time.perf_counter() - started
    assert r.code == 0, r.err
    assert took < 1.0, f"send took {took:.1f} s"
    msg = email.message_from_bytes(
        (out / "outbox" / PERIOD / f"{JIANGCHENG}.eml").read_bytes(), policy=email.policy.default
    )
    name = "江城" * 29 + "江…"  # message.NAME_MAX characters, the last one …
    assert len(name) == message.NAME_MAX
    assert msg["Subject"] == f"{name}应急管理局2025年度工作总结"
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_filename() == f"{name}2025年度工作总结.pdf"
    assert max(len(line) for line in r.out.splitlines()) < 400


def test_the_installed_command_runs_send(tmp_path, outputs):
    exe = Path(sys.executable).parent / "emreport"
    listed = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    if " send" not in listed.stdout and "send," not in listed.stdout:
        pytest.skip("`send` is not wired into emreport's command line yet")
    (tmp_path / "recipients.yaml").write_text(RECIPIENTS, encoding="utf-8")
    out = outputs(JIANGCHENG)
    env = dict(os.environ, EMREPORT_STORE=str(config.STORE))
    env.pop(PASSWORD_ENV, None)
    r = subprocess.run(
        [
            str(exe),
            "send",
            "--period",
            PERIOD,
            "--district",
            JIANGCHENG,
            "--dry-run",
            "--recipients",
            str(tmp_path / "recipients.yaml"),
            "--smtp",
            str(tmp_path / "none.yaml"),
            "--outputs",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert (out / "outbox" / PERIOD / f"{JIANGCHENG}.eml").exists()


def test_the_committed_example_files_are_valid_and_default_to_a_dry_run():
    from emreport.data.store import CITY_OWN, Store
    from emreport.mail.delivery import load_smtp
    from emreport.mail.recipients import load

    with Store(config.STORE) as st:
        reg = st.registry()
    registry = {c: (n, lv) for c, n, lv in zip(reg["code"], reg["name"], reg["level"], strict=True)}
    entries = load(config.PARAMS / "recipients.yaml", registry)
    assert set(entries) == {c for c, (_, lv) in registry.items() if lv != CITY_OWN}
    assert all(a.endswith(".example.org") for e in entries.values() for a in e.everyone)
    smtp = load_smtp(config.PARAMS / "smtp.yaml")
    assert not smtp.configured and smtp.sender


def test_a_city_figure_of_the_own_rule_is_stated_as_the_report_states_it():
    """The city's 防汛防台应急响应 is the 市本级's own (rule "own"): the message states it as
    the 市本级's, with the districts' (各地) beside it, never the 市本级's 0 as the city's."""
    body = {
        "metrics": {
            "flood.responses": {
                "label": "防汛防台应急响应",
                "value": 0,
                "unit": "次",
                "previous": 1,
                "approximate": False,
                "rollup": "own",
                "others": 43,
            },
            "accidents.count": {"label": "生产安全事故", "value": 3, "unit": "起", "previous": 6},
        }
    }
    lines = [message.figure_line(m) for m in message.headline(body)]
    assert lines == [
        "生产安全事故3起，同比下降50%",
        "市本级防汛防台应急响应0次，同比下降100%",
        "各地防汛防台应急响应43次",
    ]
