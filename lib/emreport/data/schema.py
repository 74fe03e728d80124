"""The input data model, declared once.

Validation (`validate`), the blank workbook (`template`) and the data-model documentation
(`docs/data-model.md`) are all generated from the declarations in this module; the fixed
vocabularies its columns allow (sectors, grades, levels and their aliases) are vocab.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from emreport.data.vocab import (
    ACCIDENT_CATEGORIES,
    DISASTER_TYPES,
    FLOOD_HAZARDS,
    GRADE_ALIASES,
    HAZARD_GRADES,
    HAZARD_SOURCES,
    LEVEL_ALIASES,
    PENALTY_TYPES,
    RESPONSE_LEVELS,
    SECTOR_ALIASES,
    SECTORS,
    SOURCE_ALIASES,
)

# the one word hazards are counted in, in every sentence, table and chart
HAZARD_UNIT = "处"
UNIT_LEVELS = ("市", "市本级", "区", "县", "县级市", "开发区")

# How a city's figure is made from its members' (a district's report is its own rows):
# rule → what the city's figure is, as the data-model documentation states it.
ROLLUPS = {
    "sum": "各单位之和",
    "mean": "各区县（不含市本级）的平均值（算术平均，不加权）",
    "own": "市本级自身的数字；各区县之和另作“各地”表述",
    "latest": "各单位期末最近一次统计的存量之和",
    "max": "各单位中的最大值",
}

# --- declarations -------------------------------------------------------------------------

# The largest plausible figure in one row, by unit: far above any real count or amount of one
# district's half year (or of one record), far below where sums stop being exact. A typo, an
# export error (1e20, 9223372036854775807) or infinity is refused instead of stored.
UNIT_MAX: dict[str, float] = {
    "人": 10_000_000,
    "人次": 100_000_000,
    "名": 1_000_000,
    "家": 1_000_000,
    "家次": 10_000_000,
    "处": 10_000_000,
    "次": 1_000_000,
    "条": 1_000_000_000,
    "份": 100_000_000,
    "块": 10_000_000,
    "场": 1_000_000,
    "期": 100_000,
    "支": 100_000,
    "辆次": 10_000_000,
    "台次": 10_000_000,
    "个": 1_000_000,
    "起": 1_000_000,
    "项": 1_000_000,
    "件": 10_000_000,
    "本": 10_000_000,
    "间": 10_000_000,
    "类": 10_000,
    "件套": 1_000_000_000,
    "部": 1_000_000,
    "万元": 100_000_000,  # 1万亿元
    "毫米": 20_000,
    "公顷": 10_000_000,
}
MAX_TEXT = 100  # characters in a name or other text cell (企业名称、专项名称……)
MAX_ID = 50  # characters in a record id

KINDS = ("code", "id", "text", "int", "number", "date", "datetime", "enum", "bool", "half")
KIND_NAMES = {
    "code": "6位区划代码",
    "id": "编号（文本）",
    "text": "文本",
    "int": "整数",
    "number": "数值",
    "date": "日期",
    "datetime": "日期时间",
    "enum": "选项",
    "bool": "是/否",
    "half": "统计期",
}


@dataclass(frozen=True)
class Column:
    """One column of an input table: header, type, unit and the values it may hold."""

    id: str
    name: str
    kind: str
    unit: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    future_ok: bool = False
    note: str = ""
    high: float = 0  # numbers: the largest plausible value (from UNIT_MAX unless declared)
    rollup: str = ""  # numbers: a key of ROLLUPS ("": sum, latest for a stock)
    unknown_blank: bool = False  # optional flags: blank is 未填报 (not reported), not 否

    @property
    def header(self) -> str:
        """The header as written in the template: name plus unit."""
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "number")

    @property
    def max_length(self) -> int:
        """Names and ids: the most characters a cell may hold (0: not a text column)."""
        return {"text": MAX_TEXT, "id": MAX_ID}.get(self.kind, 0)

    @property
    def range_text(self) -> str:
        """The accepted range in words, e.g. “0至1万人”."""
        high = f"{self.high:.0f}" if self.unit.startswith("万") else amount_text(self.high)
        return f"0至{high}{self.unit}"


def amount_text(x: float) -> str:
    """10000 -> 1万, 100000000 -> 1亿, 20000 -> 2万, 500 -> 500."""
    for size, word in ((100_000_000, "亿"), (10_000, "万")):
        if x >= size and x % size == 0:
            return f"{int(x // size)}{word}"
    return f"{x:g}"


@dataclass(frozen=True)
class Check:
    """A rule across the columns of one row.

    kind: "order" (dates: left <= right), "le" (numbers: left <= right),
    "sum" (left == sum of parts), "requires" (left > 0 only when flag `right` is 是).
    """

    kind: str
    left: str
    right: str = ""
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One input table: a sheet of a workbook or one csv file."""

    id: str
    name: str
    kind: str  # registry | event | total | stock
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    date: str = ""
    checks: tuple[Check, ...] = ()
    rollup: str = "sum"  # event tables: how a city counts the records (a key of ROLLUPS)

    def column(self, column_id: str) -> Column:
        return next(c for c in self.columns if c.id == column_id)

    def rule(self, column_id: str) -> str:
        """How a city's figure of a numeric column is made from its members' (ROLLUPS)."""
        declared = self.column(column_id).rollup
        return declared or ("latest" if self.kind == "stock" else "sum")

    @property
    def approx_allowed(self) -> bool:
        """Period totals and stocks may be entered as approximate figures (3300余)."""
        return self.kind in ("total", "stock")


def _district() -> Column:
    return Column("district", "区划代码", "code", note="填报单位的6位区划代码，须在区划名录中")


def _half() -> Column:
    return Column("half", "统计期", "half", note="2025-H1 表示1-6月，2025-H2 表示7-12月")


def _n(
    cid: str,
    name: str,
    unit: str,
    *,
    kind: str = "int",
    required: bool = True,
    note: str = "",
    high: float = 0,
    rollup: str = "",
) -> Column:
    return Column(
        cid,
        name,
        kind,
        unit=unit,
        required=required,
        note=note,
        high=high or UNIT_MAX[unit],
        rollup=rollup,
    )


def _flag(cid: str, name: str, unknown_blank: bool = False) -> Column:
    if unknown_blank:
        note = "是/否，空白表示未填报：报告不据空白作“无…”的表述"
        return Column(cid, name, "bool", required=False, note=note, unknown_blank=True)
    return Column(cid, name, "bool", required=False, note="是/否，空白视为否")


def _sector(required: bool = True) -> Column:
    return Column(
        "sector", "行业领域", "enum", choices=SECTORS, aliases=SECTOR_ALIASES, required=required
    )


def _total(
    tid: str,
    name: str,
    description: str,
    *cols: Column,
    extra_key: tuple[str, ...] = (),
    checks: tuple[Check, ...] = (),
) -> Table:
    lead = [_district(), _half()]
    return Table(
        tid,
        name,
        "total",
        description,
        tuple(lead) + cols,
        key=("district", "half") + extra_key,
        date="half",
        checks=checks,
    )


TABLES: tuple[Table, ...] = (
    Table(
        "districts",
        "区划名录",
        "registry",
        "本市及所辖区、县、县级市、开发区和市本级的名录。市本级指市局本级开展的工作。",
        (
            Column("code", "区划代码", "code"),
            Column("name", "名称", "text"),
            Column("level", "级别", "enum", choices=UNIT_LEVELS),
            Column(
                "parent",
                "上级代码",
                "code",
                required=False,
                note="区、县、县级市、开发区和市本级填所属市的代码；市留空",
            ),
        ),
        key=("code",),
    ),
    Table(
        "accidents",
        "生产安全事故",
        "event",
        "每起生产安全事故一行。等级按国务院令第493号第三条由死亡、重伤和直接经济损失推定。",
        (
            Column("id", "事故编号", "id"),
            _district(),
            Column("occurred_at", "发生时间", "datetime"),
            _sector(),
            Column(
                "category",
                "事故类别",
                "enum",
                choices=ACCIDENT_CATEGORIES,
                note="GB 6441-86 的20类",
            ),
            _n("deaths", "死亡人数", "人", high=10_000),
            _n("missing", "失踪人数", "人", high=10_000),
            _n("serious_injuries", "重伤人数", "人", note="含急性工业中毒", high=10_000),
            _n("loss", "直接经济损失", "万元", kind="number", high=10_000_000),
            Column("enterprise", "事故单位", "text", required=False),
        ),
        key=("id",),
        date="occurred_at",
    ),
    Table(
        "hazards",
        "隐患排查",
        "event",
        "每条隐患一行。整改日期空白表示尚未整改；超过整改期限仍未整改即为逾期。",
        (
            Column("id", "隐患编号", "id"),
            _district(),
            Column("enterprise", "企业名称", "text"),
            _sector(),
            Column("source", "来源", "enum", choices=HAZARD_SOURCES, aliases=SOURCE_ALIASES),
            Column(
                "grade",
                "隐患等级",
                "enum",
                choices=HAZARD_GRADES,
                aliases=GRADE_ALIASES,
                note="总局令第16号：一般事故隐患/重大事故隐患",
            ),
            Column("found_on", "发现日期", "date"),
            Column("deadline", "整改期限", "date", required=False, future_ok=True),
            Column("rectified_on", "整改日期", "date", required=False, note="空白表示尚未整改"),
            _flag("supervised", "挂牌督办"),
        ),
        key=("id",),
        date="found_on",
        checks=(Check("order", "found_on", "rectified_on"), Check("order", "found_on", "deadline")),
    ),
    Table(
        "inspections",
        "执法检查",
        "event",
        "每次执法检查一行，含立案与处罚结果。罚款只能出现在已立案的检查上。",
        (
            Column("id", "检查编号", "id"),
            _district(),
            Column("inspected_on", "检查日期", "date"),
            Column("enterprise", "检查单位", "text"),
            _sector(),
            _n("inspectors", "执法人次", "人次", high=10_000),
            _n("problems", "发现问题隐患", HAZARD_UNIT, high=100_000),
            _flag("case_filed", "是否立案"),
            _n("fine", "罚款金额", "万元", kind="number", required=False, high=1_000_000),
            Column("penalty_type", "处罚类别", "enum", choices=PENALTY_TYPES, required=False),
            _flag("suspended", "停产停业整顿"),
            _flag("closed", "关闭取缔"),
            _flag("police", "移送公安"),
            _n("police_persons", "移送公安人数", "人", required=False, high=10_000),
            _flag("review", "行政复议", unknown_blank=True),
            _flag("litigation", "行政诉讼", unknown_blank=True),
        ),
        key=("id",),
        date="inspected_on",
        checks=(
            Check("requires", "fine", "case_filed"),
            Check("requires", "police_persons", "police"),
        ),
    ),
    Table(
        "flood_responses",
        "防汛防台应急响应",
        "event",
        "每次启动的防汛防台应急响应一行，级别Ⅰ（最高）至Ⅳ。",
        (
            Column("id", "响应编号", "id"),
            _district(),
            Column("hazard", "灾害类型", "enum", choices=FLOOD_HAZARDS),
            Column("level", "响应级别", "enum", choices=RESPONSE_LEVELS, aliases=LEVEL_ALIASES),
            Column("started_at", "启动时间", "datetime"),
            Column("ended_at", "结束时间", "datetime", required=False),
            _n("teams", "出动队伍", "支"),
            _n("personnel", "出动人员", "人次"),
            _n("vehicles", "出动车辆", "辆次"),
            _n("pumps", "出动水泵", "台次"),
            _n("relocated", "转移人员", "人", note="防汛转移人员，不同于灾情中的紧急转移安置"),
            _n("incidents", "处置险情", "处"),
        ),
        key=("id",),
        date="started_at",
        checks=(Check("order", "started_at", "ended_at"),),
        rollup="own",  # the city's responses are the 市防指's; the districts' are 各地's
    ),
    _total(
        "flood_work",
        "防汛防台工作",
        "防汛防台的半年合计：降雨、预警、会商和演练。",
        _n("rainfall", "累计降雨量", "毫米", kind="number", rollup="mean"),
        _n("warnings", "气象预警", "次"),
        _n("consultations", "会商会议", "次", rollup="own"),
        _n("alerts", "预警信息", "条"),
        _n("drills", "防汛演练", "次"),
        _n("drill_units", "参演单位", "家次"),
        _n("drill_persons", "参演人员", "人"),
    ),
    _total(
        "disasters",
        "自然灾害灾情",
        "按灾种的半年灾情合计（应急〔2020〕19号）。",
        Column("disaster", "灾害种类", "enum", choices=DISASTER_TYPES),
        _n("affected", "受灾人口", "人次"),
        _n("dead_missing", "因灾死亡失踪", "人"),
        _n("evacuated", "紧急转移安置", "人"),
        _n("crop_area", "农作物受灾面积", "公顷", kind="number"),
        _n("collapsed", "倒塌房屋", "间"),
        _n("damaged", "损坏房屋", "间"),
        _n("loss", "直接经济损失", "万元", kind="number"),
        extra_key=("disaster",),
    ),
    _total(
        "campaigns",
        "专项整治",
        "每个专项整治行动的半年合计。已整改不能多于发现隐患。",
        Column("campaign", "专项名称", "text"),
        _n("enterprises", "检查企业", "家"),
        _n("found", "发现隐患", HAZARD_UNIT),
        _n("rectified", "已整改", HAZARD_UNIT),
        _n("orders", "整改指令书", "份"),
        extra_key=("campaign",),
        checks=(Check("le", "rectified", "found"),),
    ),
    _total(
        "covert_checks",
        "暗访督办",
        "重大安全隐患暗访曝光和省市交办隐患的半年合计。",
        _n("rounds", "暗访", "期"),
        _n("enterprises", "暗访企业", "家"),
        _n("notices", "隐患交办单", "份"),
        _n("exposed", "曝光隐患", HAZARD_UNIT),
        _n("assigned", "省市交办隐患", HAZARD_UNIT),
        _n("assigned_rectified", "交办隐患已整改", HAZARD_UNIT),
        checks=(Check("le", "assigned_rectified", "assigned"),),
    ),
    _total(
        "training",
        "安全培训",
        "培训的半年合计。培训合计须等于线下与线上之和。",
        _n("classes", "培训班", "期"),
        _n("offline", "线下培训", "人次"),
        _n("online", "线上培训", "人次"),
        _n("total", "培训合计", "人次"),
        _n("exams", "考试", "人次"),
        _n("passed", "考试合格", "人次"),
        checks=(Check("sum", "total", parts=("offline", "online")), Check("le", "passed", "exams")),
    ),
    _total(
        "publicity",
        "宣传教育",
        "宣传教育的半年合计。",
        _n("materials", "宣传资料", "份"),
        _n("boards", "展板", "块"),
        _n("messages", "短信提示", "条"),
        _n("events", "宣传活动", "场"),
    ),
    _total(
        "forest_fire",
        "森林防灭火",
        "森林防灭火的半年合计。",
        _n("groups", "检查组", "个"),
        _n("checkers", "检查人次", "人次"),
        _n("stopped", "制止违规用火", "起"),
        _n("drills", "演练", "次"),
        _n("drill_persons", "参演人员", "人"),
    ),
    _total(
        "responsibility",
        "责任体系",
        "安全生产责任体系的半年合计。",
        _n("letters", "签订责任书", "家"),
        _n("meetings", "安委会会议", "次", rollup="own"),
        _n("key_departments", "重点部门", "个"),
        _n("key_posts", "重点岗位", "个"),
        _n("key_tasks", "重点任务", "项"),
    ),
    _total(
        "accountability",
        "事故追责",
        "事故责任追究的半年合计。",
        _n("criminal", "刑事追责", "人"),
        _n("disciplined", "党纪政务处分", "人"),
        _n("blacklisted", "黑名单企业", "家"),
    ),
    _total(
        "licensing",
        "行政许可",
        "危险化学品等行政许可的半年合计。",
        _n("accepted", "许可受理", "件"),
        _n("issued", "发证", "本"),
        _n("filings", "备案", "家"),
    ),
    Table(
        "preparedness",
        "应急保障",
        "stock",
        "应急保障力量在统计日期的存量；报告取期末及以前最近一次统计。",
        (
            _district(),
            Column("as_of", "统计日期", "date"),
            _n("teams", "救援队伍", "支"),
            _n("team_members", "救援队员", "人"),
            _n("experts", "专家", "名"),
            _n("plans", "预案备案", "件"),
            _n("supply_kinds", "物资种类", "类", rollup="max"),
            _n("supply_items", "物资数量", "件套"),
            _n("shelters", "避灾安置场所", "个"),
            _n("terminals", "指挥终端", "部"),
        ),
        key=("district", "as_of"),
        date="as_of",
    ),
)

BY_ID: dict[str, Table] = {t.id: t for t in TABLES}
REGISTRY = BY_ID["districts"]
NOTE_SHEETS = ("说明", "选项")


def fingerprint() -> str:
    """A hash of every declaration: cached parses made under another model are not reused."""
    text = json.dumps([asdict(t) for t in TABLES], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
