"""A seeded generator of fictional input data, from the committed sample to benchmark scale.

The committed sample (`data/sample/`) is 临江市 (990100): eight districts, one of them a
development zone, plus 市本级, over two calendar years. The same generator makes up to 100
districts and millions of hazard records for the benchmarks. Everything is fictional.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from emreport.data.schema import BY_ID, Table

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
YEARS = (2024, 2025)

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
_CAMPAIGNS = (
    "有限空间专项整治",
    "防范火灾爆炸专项整治",
    "涉爆粉尘专项整治",
    "危险化学品安全风险集中治理",
    "城镇燃气安全专项整治",
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


def hazards(rng: np.random.Generator, unit: SampleUnit, year: int, count: int) -> pd.DataFrame:
    """Hazard records of one unit and year, vectorised so millions stay quick."""
    firms = _enterprises(rng, max(20, count // 15))
    days = 366 if year % 4 == 0 else 365
    found = np.datetime64(f"{year}-01-01") + rng.integers(0, days, count).astype("timedelta64[D]")
    major = rng.random(count) < 0.006
    allowed = np.where(major, rng.integers(30, 91, count), rng.integers(3, 31, count))
    deadline = found + allowed.astype("timedelta64[D]")
    state = rng.random(count)
    took = (allowed * rng.random(count)).astype(int)
    late = state > 0.955
    took = np.where(late, allowed + rng.integers(1, 40, count), took)
    rectified = (found + took.astype("timedelta64[D]")).astype("datetime64[D]")
    open_ = state > 0.985
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


def _events(rng: np.random.Generator, unit: SampleUnit, year: int) -> dict[str, list[dict]]:
    """Accidents, inspections and flood responses of one unit and year."""

    def day(start: int = 0, end: int = 365) -> datetime:
        d = datetime(year, 1, 1) + timedelta(days=int(rng.integers(start, end)))
        return d.replace(hour=int(rng.integers(6, 22)), minute=int(rng.integers(0, 60)))

    out: dict[str, list[dict]] = {"accidents": [], "inspections": [], "flood_responses": []}
    trend = 1.25 if year == YEARS[0] else 0.85
    n_acc = rng.poisson(4.5 * unit.scale * trend) if unit.level != "市本级" else 0
    for i in range(n_acc):
        deaths = int(rng.choice((0, 1, 1, 1, 2), p=(0.15, 0.3, 0.3, 0.15, 0.1)))
        if i == 0 and year == YEARS[0] and unit.code == SAMPLE_DISTRICTS[1][0]:
            deaths = 3  # one 较大 accident in the first year, so 同比 has something to say
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
    n_insp = int(rng.poisson(140 * unit.scale + 30))
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


def _r(rng: np.random.Generator, low: float, high: float, scale: float) -> int:
    return int(rng.integers(int(low * scale), int(high * scale) + 2))


def _totals(rng: np.random.Generator, unit: SampleUnit, half: str) -> dict[str, list[dict]]:
    """One half-year of every period-total table for a unit."""
    s = unit.scale + 0.2
    key = {"区划代码": unit.code, "统计期": half}
    offline, online = _r(rng, 300, 900, s), _r(rng, 800, 2500, s)
    exams = _r(rng, 100, 400, s)
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
                "培训班": _r(rng, 4, 12, s),
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


def _preparedness(rng: np.random.Generator, unit: SampleUnit) -> list[dict]:
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
    for year in YEARS:
        for as_of in (date(year, 6, 30), date(year, 12, 31)):
            base = {k: v + int(rng.integers(0, 3)) for k, v in base.items()}
            rows.append({"区划代码": unit.code, "统计日期": as_of, **base})
    return rows


def _messy(rng: np.random.Generator, rows: list[dict], column: str, how: str) -> None:
    """Write a few cells the way bureau exports do: text dates, full-width digits, aliases."""
    for row in rows:
        if rng.random() >= 0.15 or row.get(column) is None:
            continue
        v = row[column]
        if how == "cn-date":
            row[column] = f"{v.year}年{v.month}月{v.day}日"
        elif how == "slash-date":
            row[column] = f"{v.year}/{v.month}/{v.day}"
        elif how == "text-number":
            row[column] = str(v).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
        elif how == "alias" and v == "危险化学品":
            row[column] = "危化品"


def _write_xlsx(path: Path, sheets: dict[str, list[dict]]) -> None:
    wb = Workbook(write_only=True)
    for table_id, rows in sheets.items():
        table: Table = BY_ID[table_id]
        ws = wb.create_sheet(table.name)
        headers = [c.header for c in table.columns]
        names = [c.name for c in table.columns]
        ws.append(headers)
        for row in rows:
            ws.append([_cell(row.get(n)) for n in names])
    wb.save(path)


def _cell(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _registry(all_units: list[SampleUnit]) -> list[dict]:
    rows = [{"区划代码": CITY[0], "名称": CITY[1], "级别": "市", "上级代码": None}]
    rows += [
        {"区划代码": u.code, "名称": u.name, "级别": u.level, "上级代码": CITY[0]}
        for u in all_units
    ]
    return rows


def _allocate(total: int, weight: np.ndarray) -> np.ndarray:
    """Split exactly `total` records over units (by size) and years: units x years counts."""
    share = np.floor(total * weight / weight.sum()).astype(int)
    share[: total - share.sum()] += 1
    first = share // len(YEARS)
    return np.column_stack([first, share - first])


def generate(
    out: Path,
    *,
    districts: int = 8,
    hazards_total: int | None = None,
    seed: int = 20250101,
    hazard_format: str = "csv",
) -> dict[str, int]:
    """Write a complete input folder; returns row counts by table. Deterministic for a seed."""
    if not 1 <= districts <= 200:
        raise ValueError("districts must be between 1 and 200")
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    all_units = units(districts)
    weight = np.array([u.scale for u in all_units])
    per_unit_year = _allocate(hazards_total, weight) if hazards_total else None
    tables: dict[str, list[dict]] = {
        t: []
        for t in (
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
    }
    counts = {"hazards": 0}
    hazard_frames: dict[str, list[pd.DataFrame]] = {}
    for year in YEARS:
        storms = _storms(rng, year)
        for i, unit in enumerate(all_units):
            n = (
                per_unit_year[i, YEARS.index(year)]
                if per_unit_year is not None
                else int(rng.integers(2500, 5000) * unit.scale)
            )
            frame = hazards(rng, unit, year, n)
            counts["hazards"] += len(frame)
            hazard_frames.setdefault(f"{year}" if hazard_format == "csv" else unit.code, []).append(
                frame
            )
            for table, rows in _events(rng, unit, year).items():
                tables[table] += rows
            if unit.level != "市本级":
                tables["flood_responses"] += _flood(rng, unit, year, storms)
            for half in (f"{year}-H1", f"{year}-H2"):
                for table, rows in _totals(rng, unit, half).items():
                    tables[table] += rows
    for unit in all_units:
        tables["preparedness"] += _preparedness(rng, unit)
    _messy(rng, tables["accidents"], "发生时间", "cn-date")
    _messy(rng, tables["inspections"], "检查日期", "slash-date")
    _messy(rng, tables["inspections"], "执法人次", "text-number")
    _messy(rng, tables["inspections"], "行业领域", "alias")
    _write_xlsx(out / "区划名录.xlsx", {"districts": _registry(all_units)})
    _write_xlsx(out / "生产安全事故.xlsx", {"accidents": tables["accidents"]})
    _write_xlsx(out / "执法检查.xlsx", {"inspections": tables["inspections"]})
    _write_xlsx(
        out / "防汛防台.xlsx",
        {t: tables[t] for t in ("flood_responses", "flood_work", "disasters")},
    )
    _write_xlsx(
        out / "工作台账.xlsx",
        {
            t: tables[t]
            for t in (
                "campaigns",
                "covert_checks",
                "training",
                "publicity",
                "forest_fire",
                "responsibility",
                "accountability",
                "licensing",
            )
        },
    )
    _write_xlsx(out / "应急保障.xlsx", {"preparedness": tables["preparedness"]})
    for key, frames in hazard_frames.items():
        _write_hazards(out, key, pd.concat(frames, ignore_index=True), hazard_format)
    counts.update({t: len(rows) for t, rows in tables.items()})
    counts["districts"] = len(all_units) + 1
    return counts


def _write_hazards(out: Path, key: str, frame: pd.DataFrame, fmt: str) -> None:
    for column in ("发现日期", "整改期限", "整改日期"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    if fmt == "csv":
        frame.to_csv(
            out / f"隐患排查_{key}.csv",
            index=False,
            encoding="utf-8-sig",
            quoting=csv.QUOTE_MINIMAL,
        )
        return
    for column in ("发现日期", "整改期限", "整改日期"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    _write_xlsx(out / f"隐患排查_{key}.xlsx", {"hazards": rows})
