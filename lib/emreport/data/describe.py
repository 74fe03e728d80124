"""The data model described in words, from the declarations in `schema`: the kind labels,
column notes and row rules that the input template's comments (template.py) and the data
model document (emreport.docs, docs/data-model.md) share, so they never say different things.
`tables()` is that document's part about the input tables.
"""

from __future__ import annotations

from emreport.data.schema import (
    KIND_NAMES,
    MAX_ID,
    MAX_TEXT,
    ROLLUPS,
    TABLES,
    Check,
    Column,
    Table,
)

KIND_LABELS = {
    "registry": "[R] 名录",
    "event": "[E] 逐条记录",
    "total": "[A] 半年合计",
    "stock": "[S] 时点存量",
}
KIND_RULES = {
    "registry": "列出本市及所辖区、县、开发区和市本级，每个单位一行；其他各表的区划代码都须在名录中。",
    "event": "每条记录一行（每起事故、每条隐患、每次检查……），按记录中的日期归入统计期。",
    "total": "每个区划单位每个统计期（半年）一行，填该半年的合计数；2025-H1 表示1-6月，2025-H2 表示7-12月。",
    "stock": "每个区划单位每个统计日期一行，填当日的存量；报告取期末及以前最近一次统计。",
}
DATE_FORMS = "2024-07-01、2024/7/1 或 2024年7月1日"
APPROX_EXAMPLE = "3300余"


def kind_label(table: Table) -> str:
    """The table's kind as the analyst reads it, e.g. “[E] 逐条记录”."""
    return KIND_LABELS[table.kind]


def column_names(table: Table, column_ids: tuple[str, ...]) -> str:
    """Column ids as their Chinese names joined with 、, for keys and rules."""
    return "、".join(table.column(c).name for c in column_ids)


def key_text(table: Table) -> str:
    """The uniqueness key in words: which values may not repeat, across all files."""
    if len(table.key) == 1:
        return f"{column_names(table, table.key)}不能重复"
    joined = "＋".join(table.column(c).name for c in table.key)
    return f"{joined}的组合不能重复"


def check_text(table: Table, check: Check) -> str:
    """One row rule in words; blank dates are not compared."""
    left = table.column(check.left)
    if check.kind == "sum":
        parts = "与".join(table.column(p).name for p in check.parts)
        return f"{left.name}须等于{parts}之和"
    right = table.column(check.right)
    if check.kind == "order":
        return f"{right.name}不能早于{left.name}（{right.name}空白时不比较）"
    if check.kind == "le":
        return f"{left.name}不能多于{right.name}"
    if check.kind == "requires":
        return f"只有{right.name}为“是”时，{left.name}才能大于0"
    raise ValueError(f"unknown check kind: {check.kind}")


def allowed_text(column: Column) -> str:
    """The values an enumeration or flag column accepts, or '' for other kinds."""
    if column.kind == "enum":
        return "、".join(column.choices)
    if column.kind == "bool":
        return "是、否"
    return ""


def alias_text(column: Column) -> str:
    """Common variants folded onto the official value, so analysts need not retype exports."""
    return "、".join(f"{k}→{v}" for k, v in column.aliases.items())


def column_notes(column: Column) -> list[str]:
    """What to say about a column beyond type, unit, 必填 and allowed values (dates, blanks)."""
    notes = []
    if column.note:
        notes.append(column.note)
    if column.kind == "datetime":
        notes.append("可带时间，如 2024-07-01 14:30")
    if column.future_ok:
        notes.append("可填今后的日期")
    if column.numeric and not column.required:
        notes.append("空白按0计")
    if column.numeric:
        notes.append(f"取值{column.range_text}")
    if column.rollup:
        notes.append(f"全市数字：{ROLLUPS[column.rollup]}")
    if column.max_length:
        notes.append(f"最多{column.max_length}字")
    return list(dict.fromkeys(notes))


def alias_sections() -> list[tuple[str, str]]:
    """Each distinct set of accepted variants once: (column name, variant→value list)."""
    seen: dict[str, str] = {}
    for table in TABLES:
        for column in table.columns:
            text = alias_text(column)
            if text and text not in seen.values():
                seen[column.name] = text
    return list(seen.items())


def _cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, line breaks flattened."""
    return text.replace("|", "\\|").replace("\n", " ")


def intro() -> list[str]:
    """The part of the document that applies to every table."""
    lines = [
        "# 数据模型",
        "",
        "本文件根据数据模型的声明自动生成，请勿手工修改；声明修改后运行 `emreport docs` 重新生成。"
        "空白数据模板（`emreport template`）、导入时的校验和本文件出自同一份声明，三者始终一致。",
        "",
        "## 表的类别",
        "",
        "每张表可以是 xlsx 文件中的一个工作表（工作表名即表名），也可以是一个 csv 文件"
        "（文件名以表名开头，如 隐患排查_2024.csv），也可以是 gzip 压缩的 csv 文件"
        "（如 隐患排查_2024.csv.gz）。同一张表的数据可以分放在多个文件中。",
        "",
    ]
    lines += [f"- **{KIND_LABELS[k]}**：{KIND_RULES[k]}" for k in KIND_LABELS]
    lines += [
        "",
        "## 通用规则",
        "",
        "- 第1行为表头；表头可写作带单位的“死亡人数（人）”，也可只写“死亡人数”。",
        f"- 日期写作{DATE_FORMS}；日期须在2000年1月1日至今天之间（注明可填今后日期的列除外）。",
        "- 统计期写作 2025-H1（1-6月）或 2025-H2（7-12月）。",
        "- 数字不能为负数，类型为整数的列不能有小数；每个数字列有合理的取值范围（见各表“允许值/说明”），"
        "超出范围的数字（如1e20、inf）不导入，请核对数字和单位。",
        f"- 名称等文本列最多{MAX_TEXT}字，编号最多{MAX_ID}字。文本中的控制字符在导入时去除："
        "换行、制表符等记作一个空格，其余（如ESC、零宽字符、文字方向控制符）删去。",
        "- 一个工作表最多1048576行、16384列，从A1到最后一个单元格（含只设了格式的空单元格）"
        "共不超过2000万个单元格；超出的工作表不读取。",
        "- 单元格不能是公式（无论有无计算结果），请“选择性粘贴为数值”后导入。"
        "使用1904日期系统的工作簿（Mac版Excel），其日期按1904年起算读取。",
        "- 隐藏的工作表照常导入，导入报告中会注明。",
        f"- 半年合计表和时点存量表的数字可写约数，如“{APPROX_EXAMPLE}”，导入时记为约数。",
        "- 必填列不能空白；选填的数字列空白按0计，是/否列空白视为否（注明“空白表示未填报”的列除外："
        "空白不当作否，报告不据空白作“无…”的表述）。",
        "- 区划代码须在区划名录中；市局本级的数据填市本级的代码，不填级别为“市”的代码。",
        "- 唯一键在全部文件中不能重复。",
        "",
        "## 选项的常见写法",
        "",
        "以下常见写法在导入时自动归并为规范的选项值，不必逐条改写：",
        "",
    ]
    lines += [f"- {name}：{text}" for name, text in alias_sections()]
    lines.append("")
    return lines + rollups()


def rollups() -> list[str]:
    """How a city's figures are made from its members', rule by rule, with the measures."""
    lines = [
        "## 全市数字的汇总方式",
        "",
        "市的报告中，每个数字按其声明的方式由市本级和各区县的数字得出；报告的文字按同一方式表述"
        "（如“全市平均降雨量…”“市防指组织防汛会商…次，各地…次”），metrics.json 中每个指标的"
        "rollup 记录其方式（own 还记录各地之和 others）。",
        "",
    ]
    for rule, words in ROLLUPS.items():
        used = [
            f"{t.name}·{c.name}"
            for t in TABLES
            for c in t.columns
            if c.numeric and t.rule(c.id) == rule and rule != "sum"
        ] + [f"{t.name}·记录条数" for t in TABLES if t.kind == "event" and t.rollup == rule]
        if rule == "sum":
            lines.append(f"- {rule}：{words}。未另行声明的数字均按此方式")
        elif used:
            lines.append(f"- {rule}：{words}。用于：{'、'.join(used)}")
        else:
            lines.append(f"- {rule}：{words}。")
    lines += [
        "",
        "比率（整改率、合格率等）由全市的合计数计算，不取各区县比率的平均。"
        "数据模型中没有面积等权数，平均值不加权。",
        "",
    ]
    return lines


def table_section(table: Table) -> list[str]:
    """One table: description, kind, key, row rules and the column reference."""
    lines = [f"## {table.name}({table.id})", "", table.description, ""]
    lines.append(f"- 类别：{kind_label(table)}")
    lines.append(f"- 唯一键：{key_text(table)}")
    if table.date and table.column(table.date).kind != "half":
        lines.append(f"- 统计期依据：{table.column(table.date).name}")
    if table.approx_allowed:
        lines.append(f"- 约数：本表数字可写约数，如“{APPROX_EXAMPLE}”")
    if table.kind == "event" and table.rollup != "sum":
        lines.append(f"- 全市记录条数：{ROLLUPS[table.rollup]}")
    if table.checks:
        lines.append("- 行内规则：")
        lines += [f"  - {check_text(table, c)}" for c in table.checks]
    lines += ["", "| 列名 | 类型 | 单位 | 必填 | 允许值/说明 |", "|---|---|---|---|---|"]
    for column in table.columns:
        detail = [allowed_text(column)] if column.kind == "enum" else []
        detail += column_notes(column)
        cells = (
            column.header,
            KIND_NAMES[column.kind],
            column.unit or "—",
            "是" if column.required else "否",
            "；".join(detail) or "—",
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    return lines


def tables() -> list[str]:
    """The document's part about the input: the introduction and one section per table."""
    lines = intro()
    for table in TABLES:
        lines += table_section(table)
    return lines
