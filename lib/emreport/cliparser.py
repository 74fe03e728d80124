"""An argparse parser that speaks Chinese: usage, help headings and its own error messages.

argparse words its errors in English through gettext; rather than change gettext for the whole
process (pytest parses its own command line too), the parser translates the message it is about
to print. A message it does not know is printed as argparse wrote it.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from typing import NoReturn

_TYPES = {"int": "整数", "float": "数字"}


def _value(text: str) -> str:
    """A value argparse quoted with repr, unquoted."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def _listed(text: str) -> str:
    return "、".join(_value(v.strip()) for v in text.split(","))


def _argument(message: str) -> str:
    """The part after “argument X: ”."""
    rules = (
        (
            r"invalid choice: (.+?) \(choose from (.+)\)",
            lambda m: f"“{_value(m[1])}”不在可选范围内（可选：{_listed(m[2])}）",
        ),
        (r"invalid (\w+) value: (.+)", lambda m: f"值“{_value(m[2])}”不是{_TYPES.get(m[1], m[1])}"),
        (r"expected one argument", lambda m: "缺少取值：其后须跟一个值"),
        (r"expected at least one argument", lambda m: "缺少取值：其后须跟至少一个值"),
        (r"expected at most one argument", lambda m: "其后最多跟一个值"),
        (r"expected (\d+) arguments?", lambda m: f"其后须跟{m[1]}个值"),
        (r"ignored explicit argument (.+)", lambda m: f"不接受取值“{_value(m[1])}”"),
        (r"not allowed with argument (.+)", lambda m: f"不能与参数 {m[1]} 同时使用"),
    )
    for pattern, words in rules:
        m = re.fullmatch(pattern, message)
        if m:
            return words(m)
    return message


def translate(message: str) -> str:
    """argparse's error message in Chinese (unknown messages unchanged)."""
    rules = (
        (
            r"the following arguments are required: (.+)",
            lambda m: f"缺少必填参数：{'、'.join(m[1].split(', '))}",
        ),
        (r"unrecognized arguments: (.+)", lambda m: f"无法识别的参数：{m[1]}"),
        (
            r"ambiguous option: (\S+) could match (.+)",
            lambda m: f"选项 {m[1]} 不明确，可能是：{'、'.join(m[2].split(', '))}",
        ),
        (r"one of the arguments (.+) is required", lambda m: f"以下参数须填写其一：{m[1]}"),
        (r"argument (.+?): (.+)", lambda m: f"参数 {m[1]}：{_argument(m[2])}"),
    )
    for pattern, words in rules:
        m = re.fullmatch(pattern, message, re.DOTALL)
        if m:
            return words(m)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """ArgumentParser with Chinese usage, headings, -h and error messages (exit 2)."""

    def __init__(self, *args, add_help: bool = True, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出"
            )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：{translate(message)}（运行 {self.prog} -h 查看用法）\n")
