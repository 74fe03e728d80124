"""The analyst's outline in the narrative file (params/README.md, “自定提纲”): new titles,
order, sections left out, generated paragraphs off, sections of their own at both levels, and
nothing the analyst wrote dropped; errors naming file and line with the nearest name; the
warning for a placeholder writing 0; the zone report of ../shared/seeds written as an outline.

Documents are composed from a few rows in memory, as in test_sections.py (whose helpers these
tests use); the zone report and the run summary use the sample data and the committed fixture.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emreport import config
from emreport import report as reports
from emreport.compose import narrative
from emreport.compose.narrative import NarrativeError
from emreport.data.ingest import ingest
from emreport.metrics import metric_ids
from emreport.output import html
from emreport.run import notebook
from test_sections import D, hazard, headings, inspection, report, section

ZONE = Path(__file__).parent / "fixtures" / "outline" / "zone-half-year.md"
ROWS = (
    hazard("2025-02-10", fixed="2025-03-01"),
    hazard("2025-03-05", "建筑施工"),
    inspection("2025-04-02"),
)


def titles(story: str, *rows) -> list[str]:
    return headings(report(*(rows or ROWS), story=story))


# --- 1. the analyst owns the outline --------------------------------------------------------


def test_without_a_file_the_outline_is_the_rooms():
    assert titles("") == [
        "一、上半年主要工作和成效",
        "（一）强化源头治理，安全生产形势总体平稳",
        "（二）深化隐患排查，闭环整改成效明显",
        "（三）严格监管执法，依法治安持续加强",
        "二、下半年工作思路",
        "（一）坚持严格执法，压实企业主体责任",
        "（二）提升自然灾害防御能力",
        "附表",
    ]


def test_a_section_and_the_part_retitled_numbering_typed_is_dropped():
    story = (
        "## 隐患排查治理：（一）强化隐患排查，守牢安全底线\n\n"
        "## 主要工作和成效：一、上半年重点工作落实情况\n\n"
        "## 存在的问题和不足：存在的困难\n\n基层力量不足。\n"
    )
    got = titles(story)
    assert got[:3] == [
        "一、上半年重点工作落实情况",
        "（一）强化源头治理，安全生产形势总体平稳",
        "（二）强化隐患排查，守牢安全底线",
    ]
    assert "二、存在的困难" in got


def test_an_outline_reorders_and_leaves_out():
    story = "# 提纲\n\n## 导语\n## 监管执法\n## 隐患排查治理\n## 下一步工作安排\n"
    assert titles(story) == [
        "一、上半年主要工作和成效",
        "（一）严格监管执法，依法治安持续加强",
        "（二）深化隐患排查，闭环整改成效明显",
        "二、下半年工作思路",
        "（一）坚持严格执法，压实企业主体责任",
        "（二）提升自然灾害防御能力",
        "附表",
    ]


def test_without_an_outline_the_order_stays_the_rooms():
    story = "## 监管执法\n\n执法文字。\n\n## 隐患排查治理\n\n隐患文字。\n"
    got = titles(story)
    assert got.index("（二）深化隐患排查，闭环整改成效明显") < got.index(
        "（三）严格监管执法，依法治安持续加强"
    )


def test_generated_paragraphs_off_keeps_the_analysts_with_placeholders():
    story = "## 隐患排查治理：强化隐患排查\n\n【只用自己的文字】\n\n全年发现隐患{hazards.found}。\n"
    doc = report(*ROWS, story=story)
    lines = section(doc, "隐患排查治理")
    assert lines[0] == "（二）强化隐患排查"
    assert lines[1] == "全年发现隐患2处。"  # as written: no 一是, no generated sentence
    assert not any("隐患排查整改有序推进" in x for x in lines)
    assert any(x.startswith("图") for x in lines)  # the charts stay
    # with the generated text on, the analyst's paragraph follows the measures as the next one
    lines = section(
        report(*ROWS, story="## 隐患排查治理\n\n全年发现隐患{hazards.found}。\n"), "隐患排查治理"
    )
    assert re.match(r"[二三四]是全年发现隐患2处。", [x for x in lines if "全年" in x][0])


def test_lead_with_own_text_only_drops_the_headline_figures():
    story = "## 导语\n\n【只用自己的文字】\n\n今年以来，各项工作稳步推进。\n"
    doc = report(*ROWS, story=story)
    assert section(doc, "导语") == ["今年以来，各项工作稳步推进。"]


def test_own_sections_at_both_levels_are_numbered_by_the_outline():
    story = (
        "说明：给自己看的\n\n"
        "# 提纲\n\n"
        "## 导语\n\n"
        "# 自拟：提高政治站位，凝聚齐抓共管合力\n\n"
        "强化安排部署。\n\n"
        "## 自拟：强化督导检查\n\n"
        "检查企业{inspections.units}。\n\n"
        "## 隐患排查治理：持续攻坚治理\n\n"
        "# 宣传培训：强化安全宣传教育培训\n\n"
        "【只用自己的文字】\n\n"
        "加强宣传引导。\n\n"
        "# 自拟：只有标题的部分\n\n"
        "# 存在的问题和不足\n\n基层力量不足。\n"
    )
    doc = report(*ROWS, story=story)
    assert headings(doc) == [
        "一、提高政治站位，凝聚齐抓共管合力",
        "（一）强化督导检查",
        "（二）持续攻坚治理",
        "二、强化安全宣传教育培训",
        "三、只有标题的部分",
        "四、存在的问题和不足",
        "附表",
    ]
    text = html.text(doc)
    assert "强化安排部署。\n（一）强化督导检查\n检查企业1家。" in text
    assert "二、强化安全宣传教育培训\n加强宣传引导。" in text  # no data for training: printed
    assert "四、存在的问题和不足\n一是基层力量不足。" in text
    assert "说明" not in text


# --- 2. nothing the analyst wrote is dropped ------------------------------------------------


def test_text_under_a_section_without_data_is_printed():
    story = "## 森林防灭火\n\n开展森林防火宣传进村入户活动。\n"
    doc = report(*ROWS, story=story)  # no forest_fire rows
    assert section(doc, "森林防灭火") == ["（四）森林防灭火", "一是开展森林防火宣传进村入户活动。"]
    # a heading alone, without data, is not a section anyone wrote: left out
    assert section(report(*ROWS, story="## 森林防灭火：严防森林火灾\n"), "森林防灭火") == []


def test_a_plan_item_with_only_a_heading_is_printed():
    story = "## 下一步工作安排\n\n### 压紧压实安全生产责任\n\n### 深化专项整治\n\n推动重大隐患动态清零。\n"
    doc = report(*ROWS, story=story)
    assert section(doc, "安排")[1:] == [
        "下半年，江城区应急管理局将坚持人民至上、生命至上，统筹发展和安全，重点抓好以下工作：",
        "（一）压紧压实安全生产责任",
        "（二）深化专项整治",
        "推动重大隐患动态清零。",
    ]


@pytest.mark.parametrize(
    ("story", "line", "words"),
    [
        (
            "说明\n\n## 存在的问题与不足\n\n文字\n",
            3,
            "栏目“存在的问题与不足”不认识：是不是“## 存在的问题和不足”？",
        ),
        (
            "# 提纲\n\n## 隐患排查\n",
            3,
            "是不是“## 隐患排查治理”？自己的栏目请写作“## 自拟：隐患排查”",
        ),
        ("# 提纲\n\n这一段不在栏目之下。\n", 3, "这段文字不在任何栏目之下"),
        ("## 导语\n\n文字\n\n# 提纲\n", 5, "“# 提纲”要写在所有栏目标题之前"),
        ("## 自拟：我的栏目\n", 1, "自拟栏目“我的栏目”只能用在提纲里"),
        ("# 提纲\n## 监管执法\n\n## 监管执法\n", 4, "栏目“监管执法”在第2行已经写过"),
        (
            "# 提纲\n# 主要工作和成效\n# 存在的问题和不足\n## 监管执法\n",
            4,
            "不在任何一级标题（# …）之下",
        ),
        ("【只用自己的文字】\n", 1, "要写在栏目标题之下"),
        ("## 导语\n\n文字\n\n# 自拟：我的部分\n", 5, "一级标题“# 自拟：我的部分”只能用在提纲里"),
    ],
)
def test_what_cannot_be_placed_names_file_and_line(story, line, words):
    with pytest.raises(NarrativeError) as e:
        narrative.parse(story, config.PARAMS / D / "2025.md")
    assert str(e.value).startswith(f"params/{D}/2025.md 第{line}行：")
    assert words in str(e.value)


def test_a_mistyped_metric_suggests_the_nearest(tmp_path):
    n = narrative.parse("## 导语\n\n发现隐患{hazards.fund}。\n")
    with pytest.raises(
        NarrativeError, match="第3行：.*“hazards.fund”不存在：是不是“{hazards.found}”？"
    ):
        narrative.check_names(n, metric_ids())


def test_unknown_names_are_caught_while_planning(tmp_path, store_copy):
    from emreport.run.plan import PlanError, plan

    (tmp_path / D).mkdir()
    (tmp_path / D / "2025-H1.md").write_text("# 提纲\n\n## 隐患排查\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        plan(["2025-H1"], D, store=store_copy, params_dir=tmp_path)
    assert any(
        "第3行：栏目“隐患排查”不认识：是不是“## 隐患排查治理”？" in p for p in e.value.problems
    )


# --- errors in a notebook -------------------------------------------------------------------


def test_the_notebook_and_the_batch_agree_on_the_projects_own_errors():
    assert {e.__name__ for e in reports.OWN_ERRORS} == notebook.OWN_ERRORS


def test_an_own_error_is_one_line_in_ipython(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        reports._register_errors()
        shell.run_cell(
            "from emreport.compose.narrative import NarrativeError\n"
            "raise NarrativeError('params/990102/2025.md 第3行：栏目不认识')"
        )
        out = capsys.readouterr()
        assert "params/990102/2025.md 第3行：栏目不认识" in out.out + out.err
        assert "Traceback" not in out.out + out.err and "raise" not in out.out + out.err
    finally:
        InteractiveShell.clear_instance()


# --- the zone report as an analyst's outline ------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("outline") / "emreport.duckdb"
    ingest(config.SAMPLE, path)
    return path


ZONE_PARTS = [
    "一、提高政治站位，凝聚安全生产齐抓共管合力",
    "二、持续攻坚治理，动真碰硬守牢安全生产底线",
    "三、坚持舆论引导，强化安全宣传教育培训",
    "四、坚持预防为主，提升防灾减灾救灾能力",
]


def test_the_zone_report_renders_with_its_own_outline(sample_store):
    r = reports.build("990171", "2025-H1", store=sample_store, narrative_file=ZONE)
    text = html.text(r.document)
    lines = text.splitlines()
    assert [x for x in lines if re.match("[一二三四五六七八九十]+、", x)] == ZONE_PARTS
    assert lines[1].startswith("今年以来，在区党工委、管委会的领导下")  # the lead, no figures after
    assert lines[1].endswith("持续稳定向好。")
    # the figures the data model has, from the store; the rest as the report wrote it
    assert "全区先后召开区安委会会议、安全生产专题会议4次" in text
    assert "区、街两级检查企业40家次，排查安全隐患842处，立案13起，处罚金额71.18万元" in text
    assert "制作各类展板61块" in text and "加强教育培训。" in text
    assert "细化党政领导40项职责" in text
    # the parts not in the outline are left out, the sign-off is the analyst's
    assert "存在的问题" not in text and "工作思路" not in text and "主要工作和成效" not in text
    assert r.document.signature == "临江高新技术产业开发区应急管理局"
    assert headings(r.document)[:4] == ZONE_PARTS


# --- the warning for a placeholder that writes 0 --------------------------------------------


def test_zero_placeholder_is_named_in_the_run_summary(tmp_path, store_copy, run_cli):
    params = tmp_path / "params"
    (params / D).mkdir(parents=True)
    (params / D / "2025-H1.md").write_text(
        "## 隐患排查治理\n\n全年发现隐患{hazards.found}。\n\n"
        "有{hazards.major_overdue}重大隐患逾期，{hazards.major_overdue|上年}上年。\n",
        encoding="utf-8",
    )
    r = run_cli(
        "run",
        "--period",
        "2025-H1",
        "--district",
        D,
        "--store",
        store_copy,
        "--params",
        params,
        "--outputs",
        tmp_path / "out",
        "--jobs",
        "1",
    )
    assert r.code == 0, r.err
    name = f"{params / D / '2025-H1.md'}"
    assert f"提示：{name} 第5行：{{hazards.major_overdue}} 本期为0，请核对这句话" in r.out
    assert r.out.count("提示：") == 1  # 0 last year, or a figure this year, is no warning
    assert (tmp_path / "out" / "2025-H1" / D / "report.pdf").exists()


def test_the_notebooks_cells_show_an_outline_in_its_order(sample_store, monkeypatch):
    """The notebooks show 标题 and 导语, 成效, 问题, 安排 in turn: with the analyst's outline the
    whole body comes with 导语, in the outline's order, and nothing twice."""
    import IPython.display

    shown: list[str] = []
    monkeypatch.setattr(
        IPython.display,
        "display",
        lambda obj, metadata, **_: shown.append(metadata["emreport"]["part"]),
    )
    r = reports.build("990171", "2025-H1", store=sample_store, narrative_file=ZONE)
    for cell in (("标题", "导语"), ("成效",), ("问题",), ("安排",), ("落款", "附表")):
        reports.show(r, *cell)
    assert shown == ["标题", "导语", *(s.key for s in r.document.sections[1:-1]), "落款", "附表"]
    assert len(shown) == 4 + len(ZONE_PARTS)
