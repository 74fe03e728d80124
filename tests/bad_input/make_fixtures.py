"""Write the bad-input suite's files: a small valid folder and one file per kind of problem.

    .venv/bin/python tests/bad_input/make_fixtures.py

Deterministic: the same bytes on every run (zip entries and workbook properties carry a fixed
time), so the committed outputs only change when this script does. `good/` is a complete input
folder for 临江市 (990100) with 市本级, 江城区 and the 高新区; `cases/` holds files that are each
added to a copy of `good/` (or replace one of its files) by tests/test_bad_input.py.
Every record is fictional.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

HERE = Path(__file__).resolve().parent
GOOD = HERE / "good"
CASES = HERE / "cases"
PARAM_CASES = HERE / "params"  # parameter files: narratives (*.md), smtp.yaml, recipients.yaml
FIXED_TIME = (2025, 1, 1, 0, 0, 0)

# --- headers as the template writes them (name plus unit) ---------------------------------

HEADERS = {
    "区划名录": ["区划代码", "名称", "级别", "上级代码"],
    "隐患排查": [
        "隐患编号",
        "区划代码",
        "企业名称",
        "行业领域",
        "来源",
        "隐患等级",
        "发现日期",
        "整改期限",
        "整改日期",
        "挂牌督办",
    ],
    "生产安全事故": [
        "事故编号",
        "区划代码",
        "发生时间",
        "行业领域",
        "事故类别",
        "死亡人数（人）",
        "失踪人数（人）",
        "重伤人数（人）",
        "直接经济损失（万元）",
        "事故单位",
    ],
    "执法检查": [
        "检查编号",
        "区划代码",
        "检查日期",
        "检查单位",
        "行业领域",
        "执法人次（人次）",
        "发现问题隐患（处）",
        "是否立案",
        "罚款金额（万元）",
        "处罚类别",
        "停产停业整顿",
        "关闭取缔",
        "移送公安",
        "移送公安人数（人）",
        "行政复议",
        "行政诉讼",
    ],
    "防汛防台应急响应": [
        "响应编号",
        "区划代码",
        "灾害类型",
        "响应级别",
        "启动时间",
        "结束时间",
        "出动队伍（支）",
        "出动人员（人次）",
        "出动车辆（辆次）",
        "出动水泵（台次）",
        "转移人员（人）",
        "处置险情（处）",
    ],
    "防汛防台工作": [
        "区划代码",
        "统计期",
        "累计降雨量（毫米）",
        "气象预警（次）",
        "会商会议（次）",
        "预警信息（条）",
        "防汛演练（次）",
        "参演单位（家次）",
        "参演人员（人）",
    ],
    "专项整治": [
        "区划代码",
        "统计期",
        "专项名称",
        "检查企业（家）",
        "发现隐患（处）",
        "已整改（处）",
        "整改指令书（份）",
    ],
    "安全培训": [
        "区划代码",
        "统计期",
        "培训班（期）",
        "线下培训（人次）",
        "线上培训（人次）",
        "培训合计（人次）",
        "考试（人次）",
        "考试合格（人次）",
    ],
}

# --- the good folder ----------------------------------------------------------------------

REGISTRY = [
    ["990100", "临江市", "市", None],
    ["990101", "市本级", "市本级", "990100"],
    ["990102", "江城区", "区", "990100"],
    ["990171", "临江高新技术产业开发区", "开发区", "990100"],
]
HAZARDS_2025 = [
    [
        "YH2025001",
        "990102",
        "江城华兴化工有限公司",
        "危险化学品",
        "企业自查",
        "一般",
        "2025-01-10",
        "2025-01-31",
        "2025-01-20",
        "否",
    ],
    [
        "YH2025002",
        "990102",
        "江城永盛机械制造有限公司",
        "工贸",
        "政府检查",
        "一般",
        "2025-03-05",
        "2025-04-05",
        "2025-03-30",
        "否",
    ],
    [
        "YH2025003",
        "990102",
        "江城宏达建设工程有限公司",
        "建筑施工",
        "暗访",
        "重大",
        "2025-05-12",
        "2025-07-12",
        "2025-07-01",
        "是",
    ],
    [
        "YH2025004",
        "990102",
        "江城鑫源燃气有限公司",
        "燃气",
        "省市交办",
        "一般",
        "2025-08-20",
        "2025-09-20",
        "",
        "否",
    ],
    [
        "YH2025005",
        "990101",
        "临江恒通物流有限公司",
        "道路运输",
        "暗访",
        "一般",
        "2025-04-02",
        "2025-04-30",
        "2025-04-15",
        "否",
    ],
    [
        "YH2025006",
        "990171",
        "高新瑞丰电子科技有限公司",
        "工贸",
        "企业自查",
        "一般",
        "2025-09-03",
        "2025-10-03",
        "2025-09-25",
        "否",
    ],
]
HAZARDS_2024 = [
    [
        "YH2024001",
        "990102",
        "江城华兴化工有限公司",
        "危险化学品",
        "政府检查",
        "一般",
        "2024-02-10",
        "2024-03-10",
        "2024-03-01",
        "否",
    ],
    [
        "YH2024002",
        "990102",
        "江城天成纺织有限公司",
        "工贸",
        "企业自查",
        "一般",
        "2024-09-15",
        "2024-10-15",
        "2024-10-10",
        "否",
    ],
]
ACCIDENTS = [
    [
        "SG2025001",
        "990102",
        datetime(2025, 4, 18, 10, 30),
        "建筑施工",
        "高处坠落",
        1,
        0,
        0,
        85.5,
        "江城宏达建设工程有限公司",
    ],
    [
        "SG2025002",
        "990171",
        datetime(2025, 10, 9, 14, 0),
        "工贸",
        "机械伤害",
        0,
        0,
        1,
        12,
        "高新瑞丰电子科技有限公司",
    ],
    [
        "SG2024001",
        "990102",
        datetime(2024, 6, 2, 9, 15),
        "工贸",
        "物体打击",
        1,
        0,
        0,
        60,
        "江城永盛机械制造有限公司",
    ],
]
INSPECTIONS = [
    [
        "ZF2025001",
        "990102",
        date(2025, 3, 12),
        "江城华兴化工有限公司",
        "危险化学品",
        3,
        5,
        "是",
        2.5,
        "非事故处罚",
        "否",
        "否",
        "否",
        None,
        "否",
        "否",
    ],
    [
        "ZF2025002",
        "990102",
        date(2025, 9, 1),
        "江城永盛机械制造有限公司",
        "工贸",
        2,
        2,
        "否",
        None,
        None,
        "否",
        "否",
        "否",
        None,
        "否",
        "否",
    ],
    [
        "ZF2025003",
        "990171",
        date(2025, 5, 20),
        "高新瑞丰电子科技有限公司",
        "工贸",
        2,
        1,
        "否",
        None,
        None,
        "否",
        "否",
        "否",
        None,
        "否",
        "否",
    ],
]
FLOOD_RESPONSES = [
    [
        "XY2025001",
        "990102",
        "暴雨",
        "Ⅳ",
        datetime(2025, 6, 18, 20, 0),
        datetime(2025, 6, 19, 12, 0),
        6,
        180,
        25,
        12,
        340,
        3,
    ],
    [
        "XY2025002",
        "990102",
        "台风",
        "Ⅲ",
        datetime(2025, 8, 2, 8, 0),
        datetime(2025, 8, 4, 8, 0),
        9,
        260,
        38,
        20,
        1200,
        6,
    ],
]
FLOOD_WORK = [
    ["990102", "2025-H1", 612.5, 18, 9, 42000, 3, 12, 260],
    ["990102", "2025-H2", 488.0, 14, 7, 36000, 2, 8, 150],
]
CAMPAIGNS = [
    ["990102", "2025-H1", "有限空间专项整治", 40, 126, 120, 18],
    ["990102", "2025-H2", "城镇燃气安全专项整治", 35, 88, 88, 12],
]
TRAINING = [
    ["990102", "2025-H1", 6, 420, 1300, 1720, 210, 204],
    ["990102", "2025-H2", 5, 380, 1100, 1480, 180, 176],
    ["990171", "2025-H1", 2, 90, 240, 330, 60, 60],
]


def _hazard(hid: str, **changes: str) -> list[str]:
    """A valid hazard row of 江城区 with some cells changed (by header)."""
    row = dict(
        zip(
            HEADERS["隐患排查"],
            [
                "",
                "990102",
                "江城立信五金制品厂",
                "工贸",
                "企业自查",
                "一般",
                "2025-03-10",
                "2025-04-10",
                "2025-03-20",
                "否",
            ],
            strict=True,
        )
    )
    row["隐患编号"] = hid
    row.update(changes)
    return [row[h] for h in HEADERS["隐患排查"]]


# --- writers ------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8-sig") -> None:
    """A csv as Excel's “CSV UTF-8” writes it (with BOM, CRLF)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def xlsx_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """A workbook (sheet name -> header, rows) with fixed timestamps, so the bytes are stable."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
    wb.properties.creator = "emreport tests"
    wb.properties.created = wb.properties.modified = datetime(*FIXED_TIME)
    buf = io.BytesIO()
    wb.save(buf)
    return rezip(buf.getvalue())


def rezip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The same zip with every entry stamped FIXED_TIME; `replace` swaps parts' contents."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        names = src.namelist()
        for name in names + [n for n in replace if n not in names]:
            body = replace[name] if name in replace else src.read(name)
            if name == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2025-01-01T00:00:00Z",
                    body,
                )
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body, compresslevel=9)
    return out.getvalue()


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list]]]) -> None:
    path.write_bytes(xlsx_bytes(sheets))


def sheet(name: str, rows: list[list]) -> dict[str, tuple[list[str], list[list]]]:
    return {name: (HEADERS[name], rows)}


# --- good ---------------------------------------------------------------------------------


def make_good() -> None:
    write_xlsx(GOOD / "区划名录.xlsx", sheet("区划名录", REGISTRY))
    write_csv(GOOD / "隐患排查_2025.csv", HEADERS["隐患排查"], HAZARDS_2025)
    write_csv(GOOD / "隐患排查_2024.csv", HEADERS["隐患排查"], HAZARDS_2024)
    write_xlsx(GOOD / "生产安全事故.xlsx", sheet("生产安全事故", ACCIDENTS))
    write_xlsx(GOOD / "执法检查.xlsx", sheet("执法检查", INSPECTIONS))
    write_xlsx(
        GOOD / "防汛防台.xlsx",
        {**sheet("防汛防台应急响应", FLOOD_RESPONSES), **sheet("防汛防台工作", FLOOD_WORK)},
    )
    write_xlsx(
        GOOD / "工作台账.xlsx", {**sheet("专项整治", CAMPAIGNS), **sheet("安全培训", TRAINING)}
    )


# --- cases --------------------------------------------------------------------------------


def _inspection(iid: str, **changes: object) -> list:
    row = dict(
        zip(
            HEADERS["执法检查"],
            [
                "",
                "990102",
                date(2025, 4, 8),
                "江城博远物流有限公司",
                "道路运输",
                2,
                3,
                "否",
                None,
                None,
                "否",
                "否",
                "否",
                None,
                "否",
                "否",
            ],
            strict=True,
        )
    )
    row["检查编号"] = iid
    row.update(changes)
    return [row[h] for h in HEADERS["执法检查"]]


def _accident_csv(aid: str, **changes: object) -> list:
    row = dict(
        zip(
            HEADERS["生产安全事故"],
            [
                "",
                "990102",
                "2025-05-06 11:20",
                "工贸",
                "触电",
                1,
                0,
                0,
                30,
                "江城明德电子科技有限公司",
            ],
            strict=True,
        )
    )
    row["事故编号"] = aid
    row.update(changes)
    return [row[h] for h in HEADERS["生产安全事故"]]


def make_csv_cases() -> None:
    h = HEADERS["隐患排查"]
    c = CASES

    missing = [x for x in h if x != "企业名称"]
    write_csv(
        c / "隐患排查_missing_column.csv",
        missing,
        [[v for k, v in zip(h, _hazard("YHC0101"), strict=True) if k != "企业名称"]],
    )
    write_csv(
        c / "隐患排查_misspelt_column.csv",
        [("发现日其" if x == "发现日期" else x) for x in h],
        [_hazard("YHC0201")],
    )
    write_csv(
        c / "隐患排查_unknown_column.csv", [*h, "备注说明"], [[*_hazard("YHC0301"), "已复查"]]
    )
    write_csv(
        c / "执法检查_text_in_number.csv",
        HEADERS["执法检查"],
        [_inspection("ZFC0401", **{"执法人次（人次）": "三人"})],
    )
    write_csv(
        c / "生产安全事故_negative_count.csv",
        HEADERS["生产安全事故"],
        [_accident_csv("SGC0501", **{"死亡人数（人）": -1})],
    )
    write_csv(
        c / "生产安全事故_not_integer.csv",
        HEADERS["生产安全事故"],
        [_accident_csv("SGC0601", **{"重伤人数（人）": 1.5})],
    )
    write_csv(
        c / "执法检查_formula_text.csv",
        HEADERS["执法检查"],
        [_inspection("ZFC0701", **{"发现问题隐患（处）": "=1+2"})],
    )
    write_csv(c / "隐患排查_enum_value.csv", h, [_hazard("YHC0801", 隐患等级="较大")])
    write_csv(c / "隐患排查_bad_flag.csv", h, [_hazard("YHC0901", 挂牌督办="待定")])
    write_csv(c / "隐患排查_unknown_district.csv", h, [_hazard("YHC1001", 区划代码="990199")])
    write_csv(c / "隐患排查_city_code_for_data.csv", h, [_hazard("YHC1101", 区划代码="990100")])
    write_csv(c / "隐患排查_bad_district_code.csv", h, [_hazard("YHC1201", 区划代码="99012")])
    write_csv(
        c / "隐患排查_duplicate_id_in_file.csv",
        h,
        [
            _hazard("YHC1301"),
            _hazard("YHC1302"),
            _hazard("YHC1301", 企业名称="江城海川食品有限公司"),
        ],
    )
    write_csv(c / "隐患排查_duplicate_id_across_files.csv", h, [_hazard("YH2025002")])
    write_csv(
        c / "隐患排查_rectified_before_found.csv",
        h,
        [_hazard("YHC1501", 发现日期="2025-03-10", 整改日期="2025-03-01")],
    )
    write_csv(c / "隐患排查_implausible_date.csv", h, [_hazard("YHC1601", 发现日期="1925-03-10")])
    write_csv(
        c / "隐患排查_future_date.csv",
        h,
        [_hazard("YHC1701", 发现日期="2095-03-10", 整改期限="", 整改日期="")],
    )
    write_csv(
        c / "隐患排查_impossible_date.csv",
        h,
        [_hazard("YHC1801", 发现日期="2025-02-30", 整改期限="", 整改日期="")],
    )
    write_csv(c / "隐患排查_required_blank.csv", h, [_hazard("YHC1901", 企业名称="")])
    (c / "隐患排查_empty.csv").write_bytes(b"")
    # a csv header followed by what an image or a database file holds
    (c / "隐患排查_binary.csv").write_bytes(
        ",".join(h).encode() + b"\r\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
    )
    write_csv(c / "unnamed.csv", h, [_hazard("YHC2201")])
    ragged = io.StringIO()
    w = csv.writer(ragged, lineterminator="\r\n")
    w.writerow(h)
    w.writerow(_hazard("YHC2301"))
    w.writerow([*_hazard("YHC2302", 企业名称="江城荣昌商贸有限公司"), "多出的一格"])
    (c / "隐患排查_ragged_row.csv").write_bytes(ragged.getvalue().encode("utf-8-sig"))
    # accepted: what Excel's plain “CSV（逗号分隔）” writes on a Chinese Windows
    write_csv(
        c / "隐患排查_gbk_encoded.csv",
        h,
        [
            _hazard("YHC2401", 企业名称="江城中禾食品有限公司"),
            _hazard(
                "YHC2402",
                企业名称="江城汇丰商贸有限公司",
                发现日期="2025-08-01",
                整改期限="2025-08-31",
                整改日期="2025-08-20",
            ),
        ],
        encoding="gbk",
    )


def make_xlsx_cases() -> None:
    c = CASES
    write_xlsx(
        c / "rectified_more_than_found.xlsx",
        sheet("专项整治", [["990102", "2025-H1", "防范火灾爆炸专项整治", 20, 10, 12, 4]]),
    )
    write_xlsx(
        c / "parts_do_not_add_up.xlsx",
        sheet("安全培训", [["990101", "2025-H1", 3, 100, 200, 310, 40, 40]]),
    )
    write_xlsx(
        c / "passed_more_than_exams.xlsx",
        sheet("安全培训", [["990101", "2025-H1", 3, 100, 200, 300, 40, 45]]),
    )
    write_xlsx(
        c / "fine_without_case.xlsx",
        sheet("执法检查", [_inspection("ZFC3101", **{"罚款金额（万元）": 3})]),
    )
    write_xlsx(
        c / "duplicate_half_year_entry.xlsx",
        sheet(
            "安全培训",
            [
                ["990101", "2025-H1", 3, 100, 200, 300, 40, 40],
                ["990101", "2025-H1", 4, 120, 200, 320, 50, 48],
            ],
        ),
    )
    write_xlsx(
        c / "bad_half_year.xlsx",
        sheet("安全培训", [["990101", "2025-H3", 3, 100, 200, 300, 40, 40]]),
    )
    write_xlsx(
        c / "flood_end_before_start.xlsx",
        sheet(
            "防汛防台应急响应",
            [
                [
                    "XYC3501",
                    "990171",
                    "暴雨",
                    "Ⅳ",
                    datetime(2025, 6, 18, 20, 0),
                    datetime(2025, 6, 18, 8, 0),
                    2,
                    40,
                    5,
                    3,
                    0,
                    1,
                ]
            ],
        ),
    )
    write_xlsx(
        c / "unknown_sheet.xlsx",
        {"安全培训统计": (HEADERS["安全培训"], [["990101", "2025-H1", 3, 100, 200, 300, 40, 40]])},
    )
    write_xlsx(c / "empty_sheet.xlsx", {"执法检查": ([], [])})
    # a formula written by openpyxl has no cached value: Excel shows 2, the file holds none
    write_xlsx(
        c / "formula_in_number.xlsx",
        sheet("执法检查", [_inspection("ZFC3801", **{"执法人次（人次）": "=1+1"})]),
    )
    write_xlsx(
        c / "registry_bad_parent.xlsx",
        sheet(
            "区划名录",
            [REGISTRY[0], REGISTRY[1], ["990102", "江城区", "区", "990101"], REGISTRY[3]],
        ),
    )

    # a workbook cut off half way, as an interrupted download leaves it
    whole = xlsx_bytes(sheet("安全培训", TRAINING))
    (c / "corrupt.xlsx").write_bytes(whole[: len(whole) // 2])

    # a valid workbook whose sheet part inflates to 21 MiB of blanks (about 1000:1)
    base = xlsx_bytes(sheet("安全培训", [["990101", "2025-H1", 3, 100, 200, 300, 40, 40]]))
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        part = zf.read("xl/worksheets/sheet1.xml")
    (c / "zip_bomb.xlsx").write_bytes(
        rezip(base, {"xl/worksheets/sheet1.xml": part + b" " * (21 << 20)})
    )

    # billion laughs in the shared strings: nine levels of ten, 10^9 “lol”s if expanded
    base = xlsx_bytes(sheet("安全培训", [["990101", "2025-H1", 3, 100, 200, 300, 40, 40]]))
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        types, rels = zf.read("[Content_Types].xml"), zf.read("xl/_rels/workbook.xml.rels")
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<!DOCTYPE sst [\n " + "\n ".join(entities) + "\n]>\n"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType='
        b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
        b'sharedStrings+xml"/></Types>',
    )
    rels = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSst" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml"/></Relationships>',
    )
    (c / "entity_expansion.xlsx").write_bytes(
        rezip(
            base,
            {
                "[Content_Types].xml": types,
                "xl/_rels/workbook.xml.rels": rels,
                "xl/sharedStrings.xml": strings,
            },
        )
    )

    # an Excel 97-2003 workbook: only its OLE2 signature matters, the file is never opened
    (c / "old_format.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)


def make_param_cases() -> None:
    """Files of params/ a careless or hostile analyst might write: each narrative is used as
    params/990102/2025.md by `emreport run`, each yaml as smtp.yaml or recipients.yaml by
    `emreport send` (tests/test_bad_params.py)."""
    c = PARAM_CASES

    def text(name: str, body: str) -> None:
        (c / name).write_bytes(body.encode("utf-8"))

    # control characters and Unicode line separators in a narrative
    text("nul.md", "## 导语\n\n第一段。\n\n含有\x00空字符。\n")
    text("control_01.md", "## 存在的问题和不足\n\n执法力量\x01不足。\n")
    text("line_separator.md", "## 导语\n\n第一段\u2028第二行。\n\n全年发现{hazards.fund}。\n")
    text("next_line.md", "## 导语\n\n第一段\x85第二行\x0b第三行。\n")
    text("crlf.md", "## 导语\r\n\r\n第一段。\r\n\r\n全年发现{hazards.fund}。\r\n")
    # sizes beyond the documented limits (narrative.MAX_PARAGRAPH, MAX_ITEMS, MAX_TITLE)
    text("long_paragraph.md", "## 隐患排查治理\n\n" + "字" * 2001 + "\n")
    text("long_lead.md", "## 导语\n\n" + "甲" * 1200 + "\n\n" + "乙" * 1200 + "\n")
    text(
        "too_many_problems.md",
        "## 存在的问题和不足\n\n" + "".join(f"第{i}条问题。\n\n" for i in range(1, 52)),
    )
    text(
        "too_many_plans.md",
        "## 下一步工作安排\n\n"
        + "".join(f"### 第{i}项\n\n做好第{i}项工作。\n\n" for i in range(1, 52)),
    )
    text("long_title.md", "## 下一步工作安排\n\n### " + "标" * 101 + "\n\n内容。\n")
    # smtp.yaml and recipients.yaml
    text("smtp_int_tag.yaml", "enabled: false\nport: !!int abc\n")
    text(
        "smtp_python_object.yaml", 'enabled: false\nhost: !!python/object/apply:os.system ["id"]\n'
    )
    text("smtp_binary.yaml", "enabled: false\nfrom: !!binary cmVwb3J0QGV4YW1wbGUub3Jn\n")
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
        f"{x}: &{x} [{', '.join(['*' + p] * 9)}]"
        for p, x in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    text("smtp_alias_bomb.yaml", "enabled: false\n" + "\n".join(laughs) + "\n")
    text("smtp_duplicate_key.yaml", "enabled: false\nhost: a.example.org\nhost: b.example.org\n")
    text("smtp_bad_date.yaml", "enabled: false\nhost: 2025-13-45\n")
    text(
        "recipients_deep.yaml",
        '"990102":\n  sender_name: 临江市应急管理局\n  to: ' + "[" * 3000 + "]" * 3000 + "\n",
    )
    text(
        "recipients_duplicate_code.yaml",
        '"990102":\n  sender_name: 临江市应急管理局\n'
        "  to: a@jiangcheng.example.org\n990102:\n  sender_name: 江城区应急管理局\n"
        "  to: b@jiangcheng.example.org\n",
    )


def _replace_row2(data: bytes, row: str) -> bytes:
    """The workbook with its first sheet's row 2 replaced by hand-written XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        part = zf.read("xl/worksheets/sheet1.xml").decode()
    part = re.sub(r'<row r="2">.*?</row>', row, part)
    return rezip(data, {"xl/worksheets/sheet1.xml": part.encode()})


def _with_workbook(data: bytes, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = zf.read("xl/workbook.xml").decode()
    return rezip(data, {"xl/workbook.xml": change(book).encode()})


def make_gzip_cases() -> None:
    """gzip-compressed csv, as bureau exports often come: one good, the others broken."""
    c = CASES
    h = HEADERS["隐患排查"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(h)
    writer.writerows(
        [
            _hazard("YHG0101", 企业名称="江城博远纺织有限公司"),
            _hazard("YHG0102", 企业名称="江城瑞丰物流有限公司", 整改日期=""),
        ]
    )
    text = buf.getvalue().encode("utf-8-sig")
    packed = gzip.compress(text, compresslevel=9, mtime=0)  # no time in the header: same bytes
    (c / "隐患排查_gzipped.csv.gz").write_bytes(packed)
    # cut off halfway, as an interrupted download or copy leaves it
    (c / "隐患排查_truncated.csv.gz").write_bytes(packed[: len(packed) // 2])
    # one byte of the compressed data changed: the checksum no longer matches
    middle = len(packed) // 2
    (c / "隐患排查_damaged.csv.gz").write_bytes(
        packed[:middle] + bytes([packed[middle] ^ 0x55]) + packed[middle + 1 :]
    )
    # a plain csv given the name of a compressed one
    (c / "隐患排查_not_gzip.csv.gz").write_bytes(text)
    # 21 MiB of one character in 21 KB: stopped once 20 MiB are out at a ratio above 100
    (c / "隐患排查_gzip_bomb.csv.gz").write_bytes(
        gzip.compress(b"0" * (21 << 20), compresslevel=9, mtime=0)
    )


def make_issue12_cases() -> None:
    """Hostile and odd files found by probing: extent, numbers, formulas, names, formats."""
    c = CASES
    h = HEADERS["隐患排查"]
    training = sheet("安全培训", [["990171", "2025-H2", 3, 100, 200, 300, 40, 40]])
    # one cell at the last cell Excel has: the reader would allocate 17 billion cells (512 GiB)
    last = '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    base = xlsx_bytes(training)
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        part = zf.read("xl/worksheets/sheet1.xml").decode()
    (c / "huge_cell_ref.xlsx").write_bytes(
        rezip(base, {"xl/worksheets/sheet1.xml": part.replace("</sheetData>", last).encode()})
    )
    # formulas with cached values, written as other writers (or a forger) write them: attributes
    # reordered, single-quoted, a namespace prefix, no r at all, and no cached value
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>990171</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>2025-H2</t></is></c>'
        '<c t="n" r="C2"><f>1+2</f><v>3</v></c>'
        "<c r='D2'><f>50*2</f><v>100</v></c>"
        f'<x:c xmlns:x="{main}" r="E2"><x:f>100*2</x:f><x:v>200</x:v></x:c>'
        "<c><f>D2+E2</f><v>300</v></c>"
        '<c r="G2"><f>20*2</f></c><c r="H2" t="n"><v>40</v></c></row>'
    )
    (c / "formula_disguised.xlsx").write_bytes(_replace_row2(base, row))
    # numbers no column can hold: 1e20 deaths, int64's largest, infinity three ways
    write_csv(
        c / "生产安全事故_number_out_of_range.csv",
        HEADERS["生产安全事故"],
        [
            _accident_csv("SGC4001", **{"死亡人数（人）": "1e20"}),
            _accident_csv("SGC4002", **{"重伤人数（人）": "9223372036854775807"}),
            _accident_csv("SGC4003", **{"直接经济损失（万元）": "inf"}),
            _accident_csv("SGC4004", **{"直接经济损失（万元）": "Infinity"}),
            _accident_csv("SGC4005", **{"直接经济损失（万元）": "1e400"}),
        ],
    )
    # two parts of 1e308 each: accepted one by one, their sum overflows to infinity
    write_xlsx(
        c / "number_overflow.xlsx",
        sheet("安全培训", [["990171", "2025-H2", 3, 1e308, 1e308, 1e308, 40, 40]]),
    )
    write_csv(
        c / "隐患排查_name_too_long.csv",
        h,
        [_hazard("YHC4101", 企业名称="江城" + "恒" * 39_996 + "有限公司")],
    )
    # a header that would erase the terminal's line and write over it
    write_csv(
        c / "隐患排查_escape_in_header.csv",
        [*h, "备注\x1b[2K\x1b[1G已导入"],
        [[*_hazard("YHC4201"), "无"]],
    )
    (c / "安全培训.ods").write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    write_csv(
        c / "隐患排查_many_unknown_columns.csv",
        [*h, *(f"备注{i}" for i in range(1, 10_001))],
        [[*_hazard("YHC4301"), *([""] * 10_000)]],
    )

    # accepted, each with a note or a cleaning the tests check
    write_csv(
        c / "隐患排查_control_chars.csv",
        h,
        [
            _hazard(
                "YHC4401",
                区划代码="990171",
                企业名称="高新\x1b[31m恒远\x0b电子\n科技有限公司\u202e",
            ),
            _hazard("YHC\x7f4402", 区划代码="990171", 企业名称="高新\t瑞达\u200b物流有限公司"),
        ],
    )
    hidden = xlsx_bytes(sheet("安全培训", [["990171", "2025-H2", 3, 100, 200, 300, 40, 40]]))
    (c / "hidden_sheet.xlsx").write_bytes(
        _with_workbook(hidden, lambda b: b.replace('state="visible"', 'state="hidden"'))
    )
    # a workbook of the 1904 date system (Excel for Mac before 2011): plain-number dates count
    # from 1904-01-01, and a date-formatted cell is read by its format
    serial = (date(2025, 3, 10) - date(1904, 1, 1)).days
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "隐患排查"
    ws.append(h)
    ws.append(
        [
            "YHC4501",
            "990171",
            "高新明辉光电有限公司",
            "工贸",
            "企业自查",
            "一般",
            serial,
            serial + 31,
            date(2025, 3, 20),
            "否",
        ]
    )
    wb.properties.creator = "emreport tests"
    wb.properties.created = wb.properties.modified = datetime(*FIXED_TIME)
    buf = io.BytesIO()
    wb.save(buf)
    (c / "date1904.xlsx").write_bytes(rezip(buf.getvalue()))


def main() -> None:
    for folder in (GOOD, CASES, PARAM_CASES):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    make_good()
    make_csv_cases()
    make_xlsx_cases()
    make_param_cases()
    make_issue12_cases()
    make_gzip_cases()
    for folder in (GOOD, CASES, PARAM_CASES):
        for path in sorted(folder.iterdir()):
            print(f"{path.relative_to(HERE)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
