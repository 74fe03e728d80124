"""Who receives each unit's report: `params/recipients.yaml`, checked like every other input.

One entry per unit code (a district, or the city for the city report): `to` (one address or a
list), `cc` (optional) and `sender_name`, the display name the message comes from. Every
problem is listed at once as "file:line：what is wrong", so a bad file never half-sends.
Addresses are checked strictly (plain `local@domain.tld`, nothing else), which also makes header
injection through the file impossible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path

import yaml

from emreport import config
from emreport.compose.narrative import NotAFile, read_regular
from emreport.data.problems import show
from emreport.errors import Problems

ENTRY_KEYS = ("to", "cc", "sender_name")
CITY_OWN = "市本级"  # store.CITY_OWN, not imported: the store pulls in DuckDB and pandas

_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ConfigError(Problems):
    """A configuration file that cannot be used: every problem, one line each."""


@dataclass(frozen=True)
class Entry:
    """The recipients of one unit's reports."""

    code: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    sender_name: str

    @property
    def everyone(self) -> tuple[str, ...]:
        return self.to + self.cc


def shown(path: Path) -> str:
    """A path as messages name it: relative to the workspace when inside it."""
    try:
        return str(path.resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def at(path: Path, node: yaml.Node | None) -> str:
    """`file:line` for a problem at a node (the file alone without one)."""
    return f"{shown(path)}:{node.start_mark.line + 1}" if node is not None else shown(path)


YAML_DEPTH = 10  # nesting levels a parameter file may have (recipients.yaml needs 3)
YAML_BYTES = 1024 * 1024  # a recipients list of a thousand units is under 100 KB


class _Refused(Exception):
    def __init__(self, node_or_event: object, why: str):
        self.mark, self.why = node_or_event.start_mark, why


class ParamLoader(yaml.SafeLoader):
    """The one YAML reader of the parameter files (recipients.yaml, smtp.yaml): it composes
    nodes (which keep line numbers) and refuses what such a file never needs and a hostile
    one uses: explicit tags (`!!int`, `!!python/object`, `!!binary` …), anchors and aliases
    (`&x`, `*x`, the "billion laughs"), nesting deeper than YAML_DEPTH, and a key written
    twice in one mapping (every duplicate is listed)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.depth = 0
        self.duplicates: list[tuple[yaml.Node, str, int]] = []

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event, f"不支持别名“*{event.anchor}”：请把内容直接写出来")
        if getattr(event, "anchor", None) is not None:
            raise _Refused(event, f"不支持锚点“&{event.anchor}”：请去掉")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            tag = show(tag.replace("tag:yaml.org,2002:", "!!"), 40)
            raise _Refused(event, f"不支持标签“{tag}”：请去掉标签，要写成文字时加引号")
        self.depth += 1
        if self.depth > YAML_DEPTH:
            raise _Refused(event, f"层次太深（超过{YAML_DEPTH}层）：请检查缩进和括号")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        first: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            text = key.value
            if text in first:
                self.duplicates.append((key, text, first[text]))
            else:
                first[text] = key.start_mark.line + 1
        return node


def read_mapping(path: Path) -> yaml.MappingNode | None:
    """The file's top-level mapping as YAML nodes (which keep line numbers), or None for an
    empty file; ConfigError for a file that cannot be read, is not a mapping, or has what
    ParamLoader refuses."""
    try:
        data = read_regular(path, YAML_BYTES)
    except NotAFile:
        raise ConfigError([f"{shown(path)}：不是普通文件（是文件夹、管道或设备）"]) from None
    except OSError as e:
        raise ConfigError([f"{shown(path)}：无法读取（{e.strerror}）"]) from None
    if data is None:
        raise ConfigError([f"{shown(path)}：找不到文件（写法见 docs/email.md）"])
    if len(data) > YAML_BYTES:
        raise ConfigError([f"{shown(path)}：文件太大（超过{YAML_BYTES // 1024} KB）"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError([f"{shown(path)}：不是 UTF-8 编码的文本文件，请另存为 UTF-8"]) from None
    try:
        loader = ParamLoader(text)
    except yaml.reader.ReaderError as e:
        line = text[: e.position].count("\n") + 1
        raise ConfigError(
            [f"{shown(path)}:{line}：含有不允许的字符（U+{e.character:04X}），请删除"]
        ) from None
    try:
        node = loader.get_single_node()
    except _Refused as e:
        raise ConfigError([f"{shown(path)}:{e.mark.line + 1}：{e.why}"]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(
            [f"{shown(path)}{line}：YAML 格式错误，请检查这一行及上一行的缩进、冒号和引号"]
        ) from None
    except yaml.YAMLError:
        raise ConfigError([f"{shown(path)}：YAML 格式错误"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise ConfigError(
            [
                f"{at(path, key)}：“{show(text)}”重复（第{line}行已写过）"
                for key, text, line in loader.duplicates
            ]
        )
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
        return None
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError([f"{at(path, node)}：应为“名称: 值”的形式"])
    return node


def value_of(path: Path, node: yaml.ScalarNode) -> object:
    """A plain scalar as YAML reads it (true, 587, 1.5, text …); ConfigError for one that
    cannot be read (a date such as 2025-13-45, an integer of thousands of digits)."""
    try:
        return ParamLoader("").construct_object(node)
    except (ValueError, OverflowError, yaml.YAMLError):
        raise ConfigError([f"{at(path, node)}：值“{show(node.value, 60)}”无法读取"]) from None


def text_of(node: yaml.Node) -> str | None:
    """A scalar's text exactly as written (990102 stays a string), or None for a list/map."""
    return node.value if isinstance(node, yaml.ScalarNode) else None


def address_problem(text: str) -> str | None:
    """Why `text` is not a plain e-mail address (worded to follow “地址“…””), or None."""
    if not text:
        return "是空的"
    if _CONTROL.search(text):
        return "含有换行或控制字符"
    if any(ch in text for ch in ",;，；、"):
        return "含有逗号或分号：每个地址单独写一项"
    if any(ch in text for ch in "<>《》\"'"):
        return "只写地址本身，不写姓名、尖括号和引号"
    if any(ch.isspace() for ch in text):
        return "含有空格"
    if not text.isascii():
        return "含有中文或全角字符：地址只能用英文字母、数字和 . _ - 等符号"
    if text.count("@") != 1:
        return "应有且只有一个“@”"
    local, domain = text.split("@")
    if not local:
        return "在“@”前面没有内容"
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return "在“@”前面有不允许的字符或多余的点"
    labels = domain.split(".")
    if (
        len(labels) < 2
        or len(domain) > 253
        or not all(_LABEL.fullmatch(x) for x in labels)
        or labels[-1].isdigit()
    ):
        return "的域名（“@”后面的部分）无效：应形如 example.org"
    try:  # the email package must read it back as exactly this one address
        same = Address(addr_spec=text).addr_spec == text and parseaddr(text) == ("", text)
    except (ValueError, IndexError, HeaderParseError):
        same = False
    return None if same else "不是有效的邮件地址"


def name_problem(text: str) -> str | None:
    """Why a display name cannot go in a header, or None."""
    if not text.strip():
        return "是空的"
    if _CONTROL.search(text):
        return "含有换行或控制字符"
    if len(text) > 60:
        return "太长（不超过60个字）"
    return None


def load(path: Path, registry: dict[str, tuple[str, str]]) -> dict[str, Entry]:
    """Every entry of the recipients file, by unit code; `registry` maps each code to its
    (name, level). ConfigError lists every problem found, each with file and line."""
    root = read_mapping(path)
    if root is None:
        raise ConfigError(
            [f"{shown(path)}：文件是空的，没有登记任何收件人（写法见 docs/email.md）"]
        )
    problems: list[str] = []
    entries: dict[str, Entry] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in root.value:
        code = (text_of(key_node) or "").strip()
        where = at(path, key_node)
        if code in first_line:
            problems.append(f"{where}：区划代码“{code}”重复（第{first_line[code]}行已登记）")
            continue
        first_line[code] = key_node.start_mark.line + 1
        if code not in registry:
            problems.append(f"{where}：区划代码“{show(code)}”不在区划名录中")
        elif registry[code][1] == CITY_OWN:
            problems.append(
                f"{where}：{code}是市本级：市本级的数据计入全市报告，没有单独的报告，"
                "请登记在市代码下"
            )
        entry = _entry(path, code, key_node, value_node, problems)
        if entry is not None and code in registry and registry[code][1] != CITY_OWN:
            entries[code] = entry
    if problems:
        raise ConfigError(sorted(problems, key=_line))
    return dict(sorted(entries.items()))


def _line(problem: str) -> int:
    """The line a problem names, so problems are listed in file order."""
    head = problem.partition("：")[0]
    number = head.rpartition(":")[2]
    return int(number) if number.isdigit() else 0


def _entry(
    path: Path, code: str, code_node: yaml.Node, node: yaml.Node, problems: list[str]
) -> Entry | None:
    """One unit's entry; problems are added to `problems` and None returned."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(f"{at(path, code_node)}：{show(code)}下应写 to、cc 和 sender_name")
        return None
    found: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        name = text_of(key_node) or ""
        if name not in ENTRY_KEYS:
            problems.append(
                f"{at(path, key_node)}：不认识的项目“{show(name)}”（可用：{'、'.join(ENTRY_KEYS)}）"
            )
        else:
            found[name] = value_node
    ok = True
    lists: dict[str, tuple[str, ...]] = {}
    seen: dict[str, int] = {}
    for key in ("to", "cc"):
        items = _addresses(path, found.get(key), key, seen, problems)
        ok = ok and items is not None
        lists[key] = items or ()
    if "to" in found and not lists["to"] and ok:
        problems.append(f"{at(path, found['to'])}：{code}的 to 没有收件人")
        ok = False
    if "to" not in found:
        problems.append(f"{at(path, code_node)}：{code}缺少 to（收件人）")
        ok = False
    name_node = found.get("sender_name")
    name = text_of(name_node) if name_node is not None else None
    if name_node is None:
        problems.append(
            f"{at(path, code_node)}：{code}缺少 sender_name（发件人名称，如“临江市应急管理局”）"
        )
        ok = False
    elif name is None or (why := name_problem(name)):
        why = "应为一段文字" if name is None else why
        problems.append(f"{at(path, name_node)}：发件人名称“{show(name or '')}”{why}")
        ok = False
    return Entry(code, lists["to"], lists["cc"], name.strip()) if ok and name else None


def _addresses(
    path: Path, node: yaml.Node | None, key: str, seen: dict[str, int], problems: list[str]
) -> tuple[str, ...] | None:
    """The addresses under `to` or `cc` (one, or a list); None when any is wrong."""
    if node is None:
        return ()
    if isinstance(node, yaml.ScalarNode):
        items = [node] if node.value.strip() or node.style else []
    elif isinstance(node, yaml.SequenceNode):
        items = node.value
    else:
        problems.append(f"{at(path, node)}：{key} 应为一个地址或地址列表")
        return None
    out: list[str] = []
    ok = True
    for item in items:
        text = text_of(item)
        where = at(path, item)
        if text is None:
            problems.append(f"{where}：{key} 的每一项应为一个地址")
            ok = False
            continue
        why = address_problem(text)
        if why:
            problems.append(f"{where}：地址“{show(text, 60)}”{why}")
            ok = False
            continue
        folded = text.lower()
        if folded in seen:
            problems.append(f"{where}：地址“{text}”重复（第{seen[folded]}行已写过）")
            ok = False
            continue
        seen[folded] = item.start_mark.line + 1
        out.append(text)
    return tuple(out) if ok else None
