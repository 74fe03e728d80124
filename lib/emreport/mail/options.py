"""The options of `emreport send`, apart from the sending itself: building the command line
must not import what sending needs (the metrics, pandas), so every command starts fast."""

from __future__ import annotations

import argparse

from emreport import config


def add_kind_option(parser: argparse.ArgumentParser) -> None:
    """--kind, shared by `run` and `send`: which kind of report (data/kinds.py; checked,
    with its Chinese aliases, by the command, which names the known ones)."""
    parser.add_argument(
        "--kind",
        default="summary",
        help="报告种类：summary（半年、年度工作总结，默认）、review（规划期工作总结，期间写"
        "十四五或2021-2025）、highlights（工作亮点）；也可写总结、规划总结、亮点",
    )


def add_parser(sub) -> argparse.ArgumentParser:
    """Add `send` to the `emreport` sub-commands."""
    s = sub.add_parser(
        "send", help="把报告用邮件发给各单位的收件人（未配置发送服务器时只写入发件箱）"
    )
    s.add_argument(
        "--period",
        required=True,
        nargs="+",
        help="期间：YYYY-H1 或 YYYY；规划期工作总结（--kind review）写十四五或2021-2025；可多个",
    )
    add_kind_option(s)
    s.add_argument(
        "--district", default="all", help="all（收件人名单中的全部单位，默认）或逗号分隔的区划代码"
    )
    s.add_argument(
        "--dry-run",
        action="store_true",
        help="试发送：把邮件写成 .eml 文件放进发件箱，列出将发给谁，不发送",
    )
    s.add_argument("--resend", action="store_true", help="已发送过的同一版本报告也再发送一次")
    s.add_argument(
        "--attach",
        nargs="+",
        choices=("docx", "html"),
        default=[],
        help="除 PDF 外同时附上：docx（可编辑的 Word 版）、html（网页版），可多个",
    )
    s.add_argument(
        "--attach-html", action="store_true", help="同时附上 HTML 版报告（同 --attach html）"
    )
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
