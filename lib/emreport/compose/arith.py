"""Arithmetic in the analyst's own text: a figure typed where a metric states the same thing and
says otherwise (「全年发生事故5起」 when the data says 3), and a sentence whose total, part done
and remainder do not add up (共…18个…已…13个，其余1个). Warnings with file and line for the run's
summary (`emreport run`, as for placeholders of 0); the report is still made."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from emreport.compose import narrative
from emreport.metrics import wording

_NUM = r"(\d+(?:\.\d+)?)(万)?(余)?"
_UNIT = r"([个起处条项家人次件份支名场期]|人次|家次)"
# figures an analyst commonly types, each a metric's own (the phrase must name it plainly)
LITERALS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (mid, re.compile(pattern.format(n=_NUM)))
    for mid, pattern in (
        ("accidents.count", r"发生(?:各类)?(?:生产安全)?事故(?:共)?{n}起"),
        ("hazards.found", r"(?:排查|发现)(?:各类)?(?:安全)?(?:事故)?隐患(?:共)?{n}[处条项个]"),
        ("inspections.count", r"(?:开展)?执法检查(?:共)?{n}家次"),
        ("inspections.cases", r"立案(?:查处)?(?:共)?{n}起"),
        ("flood.responses", r"启动(?:防汛防台)?应急响应(?:共)?{n}次"),
        ("training.total", r"培训(?:共)?{n}人次"),
    )
)
# words before a figure in its clause that make it another period's or another unit's
_OTHER = re.compile(r"上年|去年|同比|较上|下半年|明年|今后|其中|各地|[区县]发生")
_TOTAL = re.compile(r"共[^，,；;。其已]{0,30}?" + _NUM + _UNIT)
_DONE = re.compile(r"已[^，,；;。其]{0,20}?" + _NUM + _UNIT)
_REST = re.compile(r"其余(?:的)?" + _NUM + _UNIT)
_PARTS = re.compile(r"其中(.*?)(?=[;；。]|已|其余|$)")
_PART = re.compile(_NUM + _UNIT)


def _value(m: re.Match, at: int = 1) -> Decimal | None:
    """The figure as typed; None for an approximate one (余)."""
    if m.group(at + 2):
        return None
    d = Decimal(m.group(at))
    return d * 10_000 if m.group(at + 1) else d


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？!?])", unicodedata.normalize("NFKC", text)) if s]


def _clause_before(sentence: str, start: int) -> str:
    """The clause a figure stands in, up to the figure."""
    return re.split(r"[，,；;。]", sentence[:start])[-1]


def literal_warnings(text: str, metrics: Mapping, where: str) -> list[str]:
    """A typed figure that disagrees with the metric stating the same thing this period."""
    out = []
    for sentence in _sentences(text):
        for mid, pattern in LITERALS:
            metric = metrics.get(mid)
            if metric is None or metric.value is None:
                continue
            for m in pattern.finditer(sentence):
                typed = _value(m)
                if typed is None or _OTHER.search(_clause_before(sentence, m.start())):
                    continue
                shown = metric.text()
                if typed == Decimal(str(metric.value)) or m.group(0).endswith(shown):
                    continue
                out.append(
                    f"提示：{where}：“{m.group(0)}”与数据不符：本期{metric.label}为{shown}"
                    f"（占位符{{{mid}}}），请核对，或改用占位符"
                )
    return out


def sum_warnings(text: str, where: str) -> list[str]:
    """共 T … 已 D … 其余 R in one sentence where T ≠ D + R; 其中 parts beyond their total."""
    out = []
    for sentence in _sentences(text):
        total = _TOTAL.search(sentence)
        if total is None or _value(total) is None:
            continue
        t, unit = _value(total), total.group(4)
        parts = []
        for p in _PARTS.finditer(sentence[total.end() :]):
            parts += [
                v for x in _PART.finditer(p.group(1)) if x.group(4) == unit and (v := _value(x))
            ]
        if parts and sum(parts) > t:
            listed = "+".join(wording.number(float(x)) for x in parts)
            out.append(
                f"提示：{where}：其中的各项（{listed}={wording.number(float(sum(parts)))}{unit}）"
                f"多于总数{wording.number(float(t))}{unit}，请核对"
            )
        done = _DONE.search(sentence, total.end())
        rest = _REST.search(sentence, done.end()) if done else None
        if done is None or rest is None or done.group(4) != unit or rest.group(4) != unit:
            continue
        d, r = _value(done), _value(rest)
        if d is None or r is None or d + r == t:
            continue
        n = wording.number
        hint = f"（其余应为{n(float(t - d))}{unit}）" if t >= d else ""
        also = (
            f"；若“其余”指其中的{'+'.join(n(float(x)) for x in parts)}={n(float(sum(parts)))}"
            f"{unit}，请写明"
            if parts and sum(parts) == d + r
            else ""
        )
        out.append(
            f"提示：{where}：共{n(float(t))}{unit}，已{n(float(d))}{unit}，"
            f"其余{n(float(r))}{unit}，合计{n(float(d + r))}{unit}，与总数不符{hint}{also}"
        )
    return out


def warnings(story: narrative.Narrative, metrics: Mapping) -> list[str]:
    """Every arithmetic warning of a narrative file, with file and line."""
    out = []
    for text, line in narrative.texts(story):
        where = f"{story.name} 第{line}行"
        out += literal_warnings(text, metrics, where) + sum_warnings(text, where)
    return out
