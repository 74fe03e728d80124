"""The committed sample's tables of period totals and stocks: one half-year of every
period-total table for a unit (`totals`), and a unit's 应急保障 stocks at each half-year's end
of the core years (`preparedness`), drawn from the generator's stream (sample.py).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from emreport.data.sample_trend import CORE, Trend

if TYPE_CHECKING:
    from emreport.data.sample import SampleUnit

_CAMPAIGNS = (
    "有限空间专项整治",
    "防范火灾爆炸专项整治",
    "涉爆粉尘专项整治",
    "危险化学品安全风险集中治理",
    "城镇燃气安全专项整治",
)


def _r(rng: np.random.Generator, low: float, high: float, scale: float) -> int:
    return int(rng.integers(int(low * scale), int(high * scale) + 2))


def totals(
    rng: np.random.Generator, unit: SampleUnit, half: str, trend: Trend
) -> dict[str, list[dict]]:
    """One half-year of every period-total table for a unit."""
    s = unit.scale + 0.2
    st = s * trend.training  # training grows over the years
    key = {"区划代码": unit.code, "统计期": half}
    offline, online = _r(rng, 300, 900, st), _r(rng, 800, 2500, st)
    exams = _r(rng, 100, 400, st)
    assigned = _r(rng, 20, 120, s)
    rows: dict[str, list[dict]] = {
        "flood_work": [
            {
                **key,
                "累计降雨量": round(float(rng.uniform(300, 900)), 1),
                "气象预警": _r(rng, 10, 40, 1),
                "会商会议": _r(rng, 5, 20, 1),
                "预警信息": _r(rng, 20000, 900000, s),
                "防汛演练": _r(rng, 1, 6, 1),
                "参演单位": _r(rng, 5, 30, s),
                "参演人员": _r(rng, 100, 500, s),
            }
        ],
        "training": [
            {
                **key,
                "培训班": _r(rng, 4, 12, st),
                "线下培训": offline,
                "线上培训": online,
                "培训合计": offline + online,
                "考试": exams,
                "考试合格": exams - _r(rng, 0, 10, 1) if exams > 12 else exams,
            }
        ],
        "publicity": [
            {
                **key,
                "宣传资料": _r(rng, 3000, 15000, s),
                "展板": _r(rng, 20, 120, s),
                "短信提示": _r(rng, 5000, 60000, s),
                "宣传活动": _r(rng, 5, 30, s),
            }
        ],
        "covert_checks": [
            {
                **key,
                "暗访": _r(rng, 1, 4, 1),
                "暗访企业": _r(rng, 10, 40, s),
                "隐患交办单": _r(rng, 50, 300, s),
                "曝光隐患": _r(rng, 20, 120, s),
                "省市交办隐患": assigned,
                "交办隐患已整改": assigned - int(rng.integers(0, 3)),
            }
        ],
        "forest_fire": [
            {
                **key,
                "检查组": _r(rng, 20, 80, s),
                "检查人次": _r(rng, 200, 700, s),
                "制止违规用火": _r(rng, 2, 12, s),
                "演练": _r(rng, 0, 2, 1),
                "参演人员": _r(rng, 30, 120, s),
            }
        ],
        "responsibility": [
            {
                **key,
                "签订责任书": _r(rng, 15, 40, s),
                "安委会会议": _r(rng, 2, 6, 1),
                "重点部门": _r(rng, 20, 40, 1),
                "重点岗位": _r(rng, 60, 120, 1),
                "重点任务": _r(rng, 100, 180, 1),
            }
        ],
        "accountability": [
            {
                **key,
                "刑事追责": _r(rng, 0, 2, 1),
                "党纪政务处分": _r(rng, 0, 3, 1),
                "黑名单企业": _r(rng, 0, 2, 1),
            }
        ],
        "licensing": [
            {
                **key,
                "许可受理": _r(rng, 1, 8, s),
                "发证": _r(rng, 1, 6, s),
                "备案": _r(rng, 2, 15, s),
            }
        ],
        "campaigns": [],
        "disasters": [],
    }
    for name in rng.choice(_CAMPAIGNS, 2, replace=False):
        found = _r(rng, 50, 400, s)
        rows["campaigns"].append(
            {
                **key,
                "专项名称": name,
                "检查企业": _r(rng, 15, 140, s),
                "发现隐患": found,
                "已整改": found - int(rng.integers(0, 4)),
                "整改指令书": _r(rng, 5, 30, s),
            }
        )
    if half.endswith("H2") or rng.random() < 0.5:
        rows["disasters"].append(
            {
                **key,
                "灾害种类": "台风" if half.endswith("H2") else "洪涝",
                "受灾人口": _r(rng, 100, 3000, s),
                "因灾死亡失踪": 0,
                "紧急转移安置": _r(rng, 50, 1500, s),
                "农作物受灾面积": round(float(rng.uniform(5, 300)), 1),
                "倒塌房屋": _r(rng, 0, 3, 1),
                "损坏房屋": _r(rng, 0, 20, s),
                "直接经济损失": round(float(rng.uniform(20, 800)), 2),
            }
        )
    return rows


def preparedness(rng: np.random.Generator, unit: SampleUnit) -> list[dict]:
    """The stocks of a unit at each half-year's end of 2024 and 2025."""
    s = unit.scale + 0.3
    base = {
        "救援队伍": _r(rng, 6, 20, s),
        "救援队员": _r(rng, 150, 500, s),
        "专家": _r(rng, 15, 40, s),
        "预案备案": _r(rng, 20, 80, s),
        "物资种类": _r(rng, 20, 45, 1),
        "物资数量": _r(rng, 5000, 30000, s),
        "避灾安置场所": _r(rng, 10, 60, s),
        "指挥终端": _r(rng, 5, 25, s),
    }
    rows = []
    for year in CORE:
        for as_of in (date(year, 6, 30), date(year, 12, 31)):
            base = {k: v + int(rng.integers(0, 3)) for k, v in base.items()}
            rows.append({"区划代码": unit.code, "统计日期": as_of, **base})
    return rows
