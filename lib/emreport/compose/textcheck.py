"""A check of a report's text as a reader sees it (`output.html.text(doc)`): punctuation doubled
or left dangling, half-width punctuation in Chinese text, a space between Chinese and a digit,
Latin words and "nan", an empty 其中, and a zero in a claim of success. Each rule is a name, a
pattern and what to do; `check` returns one finding per match with its line. The tests run it
on every sample report, `emreport run` prints its findings in the summary (提示), and
docs/guide.md lists the rules (`RULES` is the one list)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HAN = r"[\u3400-\u9fff]"
_DIGIT_WORDS = r"[0-9０-９]"


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    hint: str


RULES: tuple[Rule, ...] = (
    Rule(
        "重复或悬空的标点",
        re.compile(r"[，、；：。,;:]{2,}|[，、；：][）)]|[（(][，、；：。]|（）|\(\)|[，、；]$"),
        "删去多余的标点（如“，，”“；。”“、。”“（）”）",
    ),
    Rule(
        "中文中的半角标点",
        re.compile(rf"(?<={_HAN})[,;:?!()]|[,;:?!()](?={_HAN})"),
        "改用全角标点（，；：？！（））",
    ),
    Rule(
        "中文与数字之间的空格",
        # half-width and no-break spaces: the full-width one after 图1/表1 is the caption's
        re.compile(rf"{_HAN}[ \u00a0]+{_DIGIT_WORDS}|{_DIGIT_WORDS}[ \u00a0]+{_HAN}"),
        "删去中文与数字之间的空格",
    ),
    Rule("英文单词或nan", re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])"), "改写为中文"),
    Rule(
        "空的“其中”",
        re.compile(r"其中[，、：]?(?:[）)。；]|$)|（其中）"),
        "删去“其中”，或写出其中的数字",
    ),
    Rule(
        "零值的成效表述",
        re.compile(
            r"(?<![\d.])0(?:\.0+)?[^\d，。；、]{0,4}[，、]?(?:已全部整改|全部完成|均已整改|全部销号)"
            r"|(?:整改率|合格率|完成率)(?:为|达到?)?0%"
        ),
        "零不是成效：改写这句话，或删去",
    ),
)
# words the report may print in Latin letters
ALLOWED_LATIN = {"GB", "T"}


@dataclass(frozen=True)
class Finding:
    rule: str
    line: int
    excerpt: str
    hint: str

    def words(self, where: str = "") -> str:
        """The run summary's line: where, line, rule, the words around it, what to do."""
        place = f"{where} " if where else ""
        return f"文字检查：{place}第{self.line}行：{self.rule}（“{self.excerpt}”）：{self.hint}"


def check(text: str) -> list[Finding]:
    """Every finding in the text, by line (1 is the title) and rule."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        for rule in RULES:
            for m in rule.pattern.finditer(line):
                if rule.name == "英文单词或nan" and m.group() in ALLOWED_LATIN:
                    continue
                a, b = max(0, m.start() - 8), min(len(line), m.end() + 8)
                out.append(Finding(rule.name, n, line[a:b], rule.hint))
    return out


def rules_text() -> list[str]:
    """The rules as the guide lists them."""
    return [f"- {r.name}：{r.hint}" for r in RULES]
