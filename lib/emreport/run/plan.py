"""`emreport run`'s first step: expand districts × periods of one kind of report into jobs and
check them all — an unknown kind or code, a period the kind cannot read, a period without data
(a review: its years without data, named before the run), a missing parameter folder or notebook, a
unit's own notebook named for no unit, a narrative file that does not parse or names unknown
metrics — before anything runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from emreport.compose import arith, narrative, outline_of
from emreport.data import kinds
from emreport.data.kinds import Kind, KindError
from emreport.data.periods import Period, PeriodError, PlanPeriod
from emreport.data.store import CITY, CITY_OWN, Store, StoreError, Unit
from emreport.errors import Problems
from emreport.metrics import kinds as kind_figures
from emreport.metrics.review import missing_years
from emreport.run.notebook import NOTEBOOKS, OWN_NOTEBOOK, Job, own_notebook_name


class PlanError(Problems):
    """Parameters that cannot be run, every one listed."""


@dataclass
class Plan:
    jobs: list[Job]
    units: dict[str, Unit]
    periods: list[Period | PlanPeriod]
    # placeholders that write a figure of 0 (提示：…), for the run's summary; the run goes on
    warnings: list[str] = field(default_factory=list)
    kind: str = kinds.SUMMARY
    # said before the run starts: a review's years without data (what is left out)
    notices: list[str] = field(default_factory=list)


def parse_periods(k: Kind, texts: list[str]) -> tuple[list[Period | PlanPeriod], list[str]]:
    """The periods as the kind reads them, each once, and a message for each it cannot read:
    a review takes a plan period (十四五, 2021-2025), the others a half-year or a year."""
    parsed: list[Period | PlanPeriod] = []
    problems: list[str] = []
    for text in texts:
        try:
            p = k.period(text)
        except PeriodError as e:
            problems.append(_period_words(k, text, e))
            continue
        if p not in parsed:
            parsed.append(p)
    return parsed, problems


def _period_words(k: Kind, text: str, e: PeriodError) -> str:
    """A period the kind cannot read; the hint names the kind that would read it."""
    other = kinds.SUMMARY if k.name == kinds.REVIEW else kinds.REVIEW
    try:
        kinds.kind(other).period(text)
    except PeriodError:
        return str(e)
    if k.name == kinds.REVIEW:
        return (
            f"{k.label}（--kind review）的期间“{text.strip()}”无效：应写作规划期“十四五”"
            "（或“十三五”）或起止年份“2021-2025”；半年和年度的工作总结不加 --kind"
        )
    asked = "半年和年度工作总结" if k.name == kinds.SUMMARY else f"{k.label}（--kind {k.name}）"
    return (
        f"{asked}的期间“{text.strip()}”无效：应写作2025-H1（上半年）或2025（全年）；"
        "规划期（如“十四五”）的工作总结请加 --kind review"
    )


def plan(
    periods: list[str],
    districts: str,
    *,
    store: Path,
    params_dir: Path,
    notebooks: Path = NOTEBOOKS,
    kind: str = kinds.SUMMARY,
) -> Plan:
    """The grid of reports of one kind, or every problem with it at once (unknown kind or
    code, a period the kind cannot read, a period without data, a missing parameter folder or
    notebook, a narrative file that does not parse or names unknown metrics). A review's years
    without data are named in `notices` (the run goes on); all of its years without data stop
    it."""
    problems: list[str] = []
    try:
        k = kinds.kind(kind)
    except KindError as e:
        raise PlanError([str(e)]) from None
    if not params_dir.is_dir():
        problems.append(f"文字材料文件夹{params_dir}不存在（--params）")
    parsed, bad = parse_periods(k, periods)
    problems += bad
    notices: list[str] = []
    try:
        st = Store(store)
    except StoreError as e:
        raise PlanError([*problems, str(e)]) from None
    with st:
        reg = st.registry()
        for p in parsed:
            problems += _coverage(st, p, notices)
        if districts.strip().lower() == "all":
            codes = list(reg.loc[reg["level"] != CITY_OWN, "code"])
        else:
            codes = [c.strip() for c in districts.replace("，", ",").split(",") if c.strip()]
        units = []
        for code in codes:
            try:
                unit = st.unit(code)
            except StoreError as e:
                problems.append(str(e))
                continue
            if unit.level == CITY_OWN:
                problems.append(f"{code}是市本级：市本级的数据计入全市报告（市代码），不单独成报告")
                continue
            units.append(unit)
        problems += own_notebook_problems(notebooks, reg)
    units = list({u.code: u for u in units}.values())  # a code given twice is one report
    for level in sorted({_level(u) for u in units}):
        path = notebooks / f"{k.notebook(level)}.ipynb"
        if not path.is_file():
            problems.append(f"找不到报告笔记本{path}")
    jobs = []
    stories = []  # narratives with placeholders or typed figures, to look at their figures
    outline = outline_of(k)
    for p in parsed:
        ids = kind_figures.ids(k.name, p)
        for unit in units:
            path = narrative.path_for(unit.code, k.folder(p), params_dir)
            try:
                story = narrative.load(path, outline)
                narrative.check_names(story, ids)
                if any(re.search(r"[{\d０-９]", text) for text, _ in narrative.texts(story)):
                    stories.append((unit.code, p, story))
            except narrative.NarrativeError as e:
                problems.append(str(e))
            except OSError as e:
                problems.append(f"{path}无法读取：{e.strerror}")
            jobs.append(Job(unit.code, _level(unit), p.code, k.name))
    if problems:
        raise PlanError(problems)
    warnings = zero_warnings(store, stories, k.name)
    return Plan(jobs, {u.code: u for u in units}, parsed, warnings, k.name, notices)


def _level(unit: Unit) -> str:
    return "city" if unit.level == CITY else "district"


def _coverage(st: Store, p: Period | PlanPeriod, notices: list[str]) -> list[str]:
    """A period without data is a problem. Of a review's years, those without data are
    named in `notices` with what the review leaves out; none with data is a problem."""
    have = "、".join(sorted(st.halves())) or "无"
    if isinstance(p, Period):
        return [] if st.covers(p) else [f"{p.label}（{p.code}）没有数据（已有数据的半年：{have}）"]
    missing = missing_years(st, p)
    if all(y in missing for y in p.years):
        return [f"{p.label}（{p.code}）各年都没有数据（已有数据的半年：{have}）"]
    for year in missing:
        if year == p.base:
            notices.append(
                f"提示：{p.label}（{p.code}）：{year}年（基期）没有数据：较基期的比较不写"
            )
        else:
            notices.append(f"提示：{p.label}（{p.code}）：{year}年没有数据：该年空缺，累计不写")
    return []


def zero_warnings(
    store: Path,
    stories: list[tuple[str, Period | PlanPeriod, narrative.Narrative]],
    kind: str = kinds.SUMMARY,
) -> list[str]:
    """A warning for each placeholder whose figure is 0 in its period, each typed figure that
    disagrees with its metric and each 共…已…其余… that does not add up (compose.arith); the
    run goes on. The metrics are computed here only for narratives that have placeholders or
    figures (a few, a tenth of a second each); a placeholder without a figure fails that
    report in its notebook, as before."""
    out: list[str] = []
    if not stories:
        return out
    with Store(store) as st:
        for code, p, story in stories:
            m = kind_figures.figures(st, kind, code, p)
            out += narrative.zeros(story, m) + arith.warnings(story, m)
    return out


def own_notebook_problems(notebooks: Path, reg) -> list[str]:
    """Every unit's own notebook (district_report.<code>.ipynb, city_report.<code>.ipynb,
    review_report.<code>.ipynb, highlights_report.<code>.ipynb) must name a unit of its level
    (a review's or a highlights' any unit): one named for no unit would silently never be
    used."""
    if not notebooks.is_dir():
        return []
    levels = {
        r["code"]: ("city" if r["level"] == CITY else "district")
        for r in reg.to_dict("records")
        if r["level"] != CITY_OWN
    }
    families = {"district", "city", *(k for k in kinds.KINDS if k != kinds.SUMMARY)}
    out = []
    for path in sorted(notebooks.glob("*_report.*.ipynb")):
        m = OWN_NOTEBOOK.match(path.name)
        family, code = (m["family"], m["code"]) if m else ("", "")
        if family not in families or code not in levels:
            out.append(
                f"{path}：不是某个单位自己的笔记本（应命名为 district_report.<区划代码>.ipynb、"
                "city_report.<市代码>.ipynb，或 review_report.<代码>.ipynb、"
                "highlights_report.<代码>.ipynb，代码须已登记）：请改名，或移出此文件夹"
            )
        elif family in ("district", "city") and levels[code] != family:
            out.append(
                f"{path}：{code}是{'市' if levels[code] == 'city' else '区县'}，"
                f"它自己的笔记本应命名为 {own_notebook_name(f'{levels[code]}_report', code)}"
            )
    return out
