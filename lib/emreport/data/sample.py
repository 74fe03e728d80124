"""A seeded generator of fictional input data, from the committed sample to benchmark scale.

The committed sample (`data/sample/`) is 临江市 (990100): eight districts, one of them a
development zone, plus 市本级, over the six calendar years 2020–2025 (the 十四五 period and its
base year). The same generator makes up to 100 districts and millions of hazard records for the
benchmarks. Everything is fictional.

2024 and 2025 are drawn from the seed's own stream; every earlier year from a stream of its own
(seed, year), scaled by the year's `Trend` (sample_trend.py), and the stocks of 应急保障 are
walked back from their mid-2024 values. So the rows of 2024 and 2025 are the same whichever
first year is asked for, and a year's rows do not depend on which other years are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from emreport.data.sample_files import all_messy, write_hazards, write_workbooks
from emreport.data.sample_totals import preparedness, totals
from emreport.data.sample_trend import CORE, TRENDS, Trend, stock_history

CITY = ("990100", "临江市")
OWN = ("990101", "市本级")
SAMPLE_DISTRICTS = (
    ("990102", "江城区", "区"),
    ("990103", "临湖区", "区"),
    ("990104", "青山区", "区"),
    ("990105", "白沙区", "区"),
    ("990121", "云溪县", "县"),
    ("990122", "石门县", "县"),
    ("990123", "梅岭县", "县"),
    ("990171", "临江高新技术产业开发区", "开发区"),
)
YEARS = tuple(range(min(TRENDS), CORE[-1] + 1))  # the committed sample's years
FORMATS = ("csv", "csv.gz", "xlsx")  # how the hazard records are written

_SECTORS = (
    "工贸",
    "危险化学品",
    "建筑施工",
    "消防火灾",
    "燃气",
    "道路运输",
    "特种设备",
    "城市运行",
    "旅游",
    "教育",
    "金属非金属矿山",
    "烟花爆竹",
)
_SECTOR_P = (0.38, 0.1, 0.15, 0.1, 0.05, 0.05, 0.05, 0.05, 0.02, 0.03, 0.01, 0.01)
_SOURCES = ("企业自查", "政府检查", "中介检查", "暗访", "省市交办")
_SOURCE_P = (0.45, 0.27, 0.2, 0.05, 0.03)
_PLACES = ("临江", "江城", "青山", "白沙", "云溪", "石门", "梅岭", "东港", "南湖", "北辰")
_BRANDS = (
    "华兴",
    "永盛",
    "宏达",
    "鑫源",
    "恒通",
    "瑞丰",
    "金诚",
    "天成",
    "新安",
    "博远",
    "中禾",
    "立信",
    "海川",
    "荣昌",
    "汇丰",
    "明德",
)
_TRADES = (
    "化工有限公司",
    "机械制造有限公司",
    "建设工程有限公司",
    "物流有限公司",
    "商贸有限公司",
    "纺织有限公司",
    "食品有限公司",
    "燃气有限公司",
    "电子科技有限公司",
    "五金制品厂",
)


@dataclass(frozen=True)
class SampleUnit:
    code: str
    name: str
    level: str
    scale: float  # relative size: drives counts


def units(n_districts: int) -> list[SampleUnit]:
    """市本级 plus n districts: the sample's eight first, then numbered ones."""
    out = [SampleUnit(OWN[0], OWN[1], "市本级", 0.3)]
    for i in range(n_districts):
        if i < len(SAMPLE_DISTRICTS):
            code, name, level = SAMPLE_DISTRICTS[i]
        else:
            code, name, level = f"99{2 + i // 90:02d}{i % 90 + 10:02d}", f"第{i + 1}区", "区"
        out.append(SampleUnit(code, name, level, {"区": 1.0, "县": 0.7, "开发区": 0.5}[level]))
    return out


def _enterprises(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.array(
        [f"{rng.choice(_PLACES)}{rng.choice(_BRANDS)}{rng.choice(_TRADES)}" for _ in range(n)],
        dtype=object,
    )


def hazards(
    rng: np.random.Generator, unit: SampleUnit, year: int, count: int, trend: Trend = TRENDS[2025]
) -> pd.DataFrame:
    """Hazard records of one unit and year, vectorised so millions stay quick."""
    firms = _enterprises(rng, max(20, count // 15))
    days = 366 if year % 4 == 0 else 365
    found = np.datetime64(f"{year}-01-01") + rng.integers(0, days, count).astype("timedelta64[D]")
    major = rng.random(count) < 0.006
    allowed = np.where(major, rng.integers(30, 91, count), rng.integers(3, 31, count))
    deadline = found + allowed.astype("timedelta64[D]")
    state = rng.random(count)
    took = (allowed * rng.random(count)).astype(int)
    late = state > trend.late_from
    took = np.where(late, allowed + rng.integers(1, 40, count), took)
    rectified = (found + took.astype("timedelta64[D]")).astype("datetime64[D]")
    open_ = state > trend.open_from
    source = rng.choice(_SOURCES, count, p=_SOURCE_P)
    source = np.where(unit.level == "市本级", rng.choice(("暗访", "政府检查"), count), source)
    seq = np.arange(1, count + 1)
    return pd.DataFrame(
        {
            "隐患编号": [f"YH{unit.code}{year}{s:06d}" for s in seq],
            "区划代码": unit.code,
            "企业名称": rng.choice(firms, count),
            "行业领域": rng.choice(_SECTORS, count, p=_SECTOR_P),
            "来源": source,
            "隐患等级": np.where(major, "重大", "一般"),
            "发现日期": found,
            "整改期限": deadline,
            "整改日期": np.where(open_, np.datetime64("NaT"), rectified),
            "挂牌督办": np.where(major & (rng.random(count) < 0.8), "是", "否"),
        }
    )


def _events(
    rng: np.random.Generator, unit: SampleUnit, year: int, trend: Trend
) -> dict[str, list[dict]]:
    """Accidents, inspections and flood responses of one unit and year."""

    def day(start: int = 0, end: int = 365) -> datetime:
        d = datetime(year, 1, 1) + timedelta(days=int(rng.integers(start, end)))
        return d.replace(hour=int(rng.integers(6, 22)), minute=int(rng.integers(0, 60)))

    out: dict[str, list[dict]] = {"accidents": [], "inspections": [], "flood_responses": []}
    n_acc = rng.poisson(4.5 * unit.scale * trend.accidents) if unit.level != "市本级" else 0
    for i in range(n_acc):
        deaths = int(rng.choice((0, 1, 1, 1, 2), p=(0.15, 0.3, 0.3, 0.15, 0.1)))
        if unit.code in trend.no_deaths:
            deaths = 0  # accidents with injuries only: a district's years without a death
        if i == 0 and unit.code in trend.major:
            deaths = trend.major[unit.code]  # a 较大 accident (3 or more deaths)
        out["accidents"].append(
            {
                "事故编号": f"SG{unit.code}{year}{i + 1:03d}",
                "区划代码": unit.code,
                "发生时间": day(),
                "行业领域": rng.choice(
                    ("建筑施工", "工贸", "道路运输", "消防火灾", "危险化学品", "燃气")
                ),
                "事故类别": rng.choice(
                    (
                        "高处坠落",
                        "物体打击",
                        "机械伤害",
                        "车辆伤害",
                        "触电",
                        "中毒和窒息",
                        "坍塌",
                        "火灾",
                    )
                ),
                "死亡人数": deaths,
                "失踪人数": 0,
                "重伤人数": int(rng.integers(0, 3)),
                "直接经济损失": round(float(rng.uniform(8, 320)), 2),
                "事故单位": _enterprises(rng, 1)[0],
            }
        )
    n_insp = int(rng.poisson((140 * unit.scale + 30) * trend.inspections))
    for i in range(n_insp):
        filed = rng.random() < 0.33
        accident_fine = filed and rng.random() < 0.05
        police = filed and rng.random() < 0.02
        out["inspections"].append(
            {
                "检查编号": f"ZF{unit.code}{year}{i + 1:04d}",
                "区划代码": unit.code,
                "检查日期": day().date(),
                "检查单位": _enterprises(rng, 1)[0],
                "行业领域": rng.choice(_SECTORS[:8]),
                "执法人次": int(rng.integers(2, 5)),
                "发现问题隐患": int(rng.integers(0, 9)),
                "是否立案": "是" if filed else "否",
                "罚款金额": round(float(rng.uniform(0.5, 12)), 2) if filed else None,
                "处罚类别": ("事故处罚" if accident_fine else "非事故处罚") if filed else None,
                "停产停业整顿": "是" if filed and rng.random() < 0.12 else "否",
                "关闭取缔": "是" if filed and rng.random() < 0.02 else "否",
                "移送公安": "是" if police else "否",
                "移送公安人数": int(rng.integers(1, 3)) if police else None,
                "行政复议": "否",
                "行政诉讼": "否",
            }
        )
    return out


def _flood(
    rng: np.random.Generator, unit: SampleUnit, year: int, storms: list[tuple]
) -> list[dict]:
    rows = []
    for i, (start, hazard, base) in enumerate(storms):
        if rng.random() < 0.25:
            continue
        level = min(4, max(1, base + int(rng.choice((0, 0, 1, -1)))))
        hours = int(rng.integers(18, 96))
        s = start + timedelta(hours=int(rng.integers(0, 12)))
        rows.append(
            {
                "响应编号": f"XY{unit.code}{year}{i + 1:02d}",
                "区划代码": unit.code,
                "灾害类型": hazard,
                "响应级别": "ⅠⅡⅢⅣ"[level - 1],
                "启动时间": s,
                "结束时间": s + timedelta(hours=hours),
                "出动队伍": int(rng.integers(5, 80) * unit.scale) + 1,
                "出动人员": int(rng.integers(200, 1500) * unit.scale) + 10,
                "出动车辆": int(rng.integers(20, 200) * unit.scale) + 1,
                "出动水泵": int(rng.integers(5, 80) * unit.scale),
                "转移人员": int(rng.integers(0, 3000) * unit.scale),
                "处置险情": int(rng.integers(0, 40) * unit.scale),
            }
        )
    return rows


def _storms(rng: np.random.Generator, year: int) -> list[tuple]:
    n = int(rng.integers(4, 7))
    out = []
    for _ in range(n):
        d = datetime(year, 4, 15) + timedelta(days=int(rng.integers(0, 170)))
        hazard = "台风" if d.month in (7, 8, 9) and rng.random() < 0.6 else "暴雨"
        out.append(
            (d.replace(hour=int(rng.integers(0, 24))), hazard, int(rng.choice((4, 4, 4, 3, 3, 2))))
        )
    return sorted(out)


def _registry(all_units: list[SampleUnit]) -> list[dict]:
    rows = [{"区划代码": CITY[0], "名称": CITY[1], "级别": "市", "上级代码": None}]
    rows += [
        {"区划代码": u.code, "名称": u.name, "级别": u.level, "上级代码": CITY[0]}
        for u in all_units
    ]
    return rows


def _allocate(total: int, weight: np.ndarray, years: int) -> np.ndarray:
    """Split exactly `total` records over units (by size) and years: units x years counts."""
    share = np.floor(total * weight / weight.sum()).astype(int)
    share[: total - share.sum()] += 1
    each = share // years
    counts = np.repeat(each[:, None], years, axis=1)
    counts[:, -1] = share - each * (years - 1)
    return counts


TABLE_IDS = (
    "accidents",
    "inspections",
    "flood_responses",
    "flood_work",
    "training",
    "publicity",
    "covert_checks",
    "forest_fire",
    "responsibility",
    "accountability",
    "licensing",
    "campaigns",
    "disasters",
    "preparedness",
)


def _year(
    rng: np.random.Generator,
    year: int,
    all_units: list[SampleUnit],
    counts: np.ndarray | None,
    tables: dict[str, list[dict]],
    frames: dict[tuple[int, int], pd.DataFrame],
) -> None:
    """Every row of one year but the stocks, drawn from rng in a fixed order."""
    trend = TRENDS[year]
    storms = _storms(rng, year)
    for i, unit in enumerate(all_units):
        n = (
            counts[i]
            if counts is not None
            else int(rng.integers(2500, 5000) * unit.scale * trend.hazards)
        )
        frames[(year, i)] = hazards(rng, unit, year, n, trend)
        for table, rows in _events(rng, unit, year, trend).items():
            tables[table] += rows
        if unit.level != "市本级":
            tables["flood_responses"] += _flood(rng, unit, year, storms)
        for half in (f"{year}-H1", f"{year}-H2"):
            for table, rows in totals(rng, unit, half, trend).items():
                tables[table] += rows


def generate(
    out: Path,
    *,
    districts: int = 8,
    hazards_total: int | None = None,
    seed: int = 20250101,
    hazard_format: str = "csv",
    first_year: int = YEARS[0],
) -> dict[str, int]:
    """Write a complete input folder for first_year to 2025; returns row counts by table.
    Deterministic for a seed; the rows of a year are the same whatever first_year is."""
    if not 1 <= districts <= 200:
        raise ValueError("districts must be between 1 and 200")
    if not YEARS[0] <= first_year <= CORE[0]:
        raise ValueError(f"first_year must be between {YEARS[0]} and {CORE[0]}")
    if hazard_format not in FORMATS:
        raise ValueError(f"hazard_format must be one of {FORMATS}")
    years = list(range(first_year, CORE[-1] + 1))
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    all_units = units(districts)
    weight = np.array([u.scale for u in all_units])
    per_unit_year = _allocate(hazards_total, weight, len(years)) if hazards_total else None

    def counts(year: int) -> np.ndarray | None:
        return None if per_unit_year is None else per_unit_year[:, years.index(year)]

    frames: dict[tuple[int, int], pd.DataFrame] = {}
    core: dict[str, list[dict]] = {t: [] for t in TABLE_IDS}
    for year in CORE:
        _year(rng, year, all_units, counts(year), core, frames)
    stocks = {unit.code: preparedness(rng, unit) for unit in all_units}
    all_messy(rng, core)
    tables: dict[str, list[dict]] = {t: [] for t in TABLE_IDS}
    for year in years[: years.index(CORE[0])]:
        own = np.random.default_rng([seed, year])
        rows: dict[str, list[dict]] = {t: [] for t in TABLE_IDS}
        _year(own, year, all_units, counts(year), rows, frames)
        all_messy(own, rows)
        for t in TABLE_IDS:
            tables[t] += rows[t]
    for t in TABLE_IDS:
        tables[t] += core[t]
    for i, unit in enumerate(all_units):
        walk = np.random.default_rng([seed, 0, i])
        earlier = stock_history(walk, stocks[unit.code][0], first_year)
        tables["preparedness"] += earlier + stocks[unit.code]
    write_workbooks(out, _registry(all_units), tables)
    grouped: dict[str, list[pd.DataFrame]] = {}
    for year in years:
        for i, unit in enumerate(all_units):
            key = unit.code if hazard_format == "xlsx" else str(year)
            grouped.setdefault(key, []).append(frames[(year, i)])
    for key, parts in grouped.items():
        write_hazards(out, key, pd.concat(parts, ignore_index=True), hazard_format)
    counts_by_table = {t: len(rows) for t, rows in tables.items()}
    return {
        "hazards": sum(len(f) for f in frames.values()),
        **counts_by_table,
        "districts": len(all_units) + 1,
    }
