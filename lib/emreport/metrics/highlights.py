"""The highlights brief's candidates (工作亮点): what the figures can call a highlight, each
scored so the best lead. (Scoring is built on this catalogue.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """One kind of highlight: its name in a narrative file (## 事故双降) and its heading."""

    key: str
    heading: str


CANDIDATES = (
    Candidate("事故双降", "“稳”字当头，事故起数和死亡人数实现双下降"),
    Candidate("无较大事故", "守牢底线，未发生较大及以上生产安全事故"),
    Candidate("零死亡", "压实责任，多地实现生产安全事故零死亡"),
    Candidate("隐患整改", "“实”字打底，隐患排查整改取得新突破"),
    Candidate("重大隐患", "盯紧重大隐患，重大事故隐患动态清零"),
    Candidate("执法检查", "“严”字立威，监管执法力度持续加大"),
    Candidate("宣传培训", "“广”字发力，安全宣传培训覆盖面持续扩大"),
    Candidate("应急保障", "“强”字筑基，应急保障能力稳步提升"),
    Candidate("防汛防台", "“早”字先行，防汛防台实现人员零伤亡"),
    Candidate("排名", "争先进位，主要指标位居全市前列"),
)


def compute_highlights(store, code: str, period):
    raise NotImplementedError
