"""`emreport run`'s first step: expand districts × periods into jobs and check them all — an
unknown code, a bad period, a period without data, a missing parameter folder or notebook, a
unit's own notebook named for no unit, a narrative file that does not parse or names unknown
metrics — before anything runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from emreport.compose import arith, narrative
from emreport.data.periods import Period, PeriodError
from emreport.data.store import CITY, CITY_OWN, Store, StoreError, Unit
from emreport.errors import Problems
from emreport.metrics import compute, metric_ids
from emreport.run.notebook import NOTEBOOKS, OWN_NOTEBOOK, Job, own_notebook_name


class PlanError(Problems):
    """Parameters that cannot be run, every one listed."""


@dataclass
class Plan:
    jobs: list[Job]
    units: dict[str, Unit]
    periods: list[Period]
    # placeholders that write a figure of 0 (提示：…), for the run's summary; the run goes on
    warnings: list[str] = field(default_factory=list)


def plan(
    periods: list[str],
    districts: str,
    *,
    store: Path,
    params_dir: Path,
    notebooks: Path = NOTEBOOKS,
) -> Plan:
    """The grid of reports, or every problem with it at once (unknown code, bad period, a
    period without data, a missing parameter folder or notebook, a narrative file that does
    not parse or names unknown metrics)."""
    problems: list[str] = []
    if not params_dir.is_dir():
        problems.append(f"文字材料文件夹{params_dir}不存在（--params）")
    for kind in ("district", "city"):
        if not (notebooks / f"{kind}_report.ipynb").is_file():
            problems.append(f"找不到报告笔记本{notebooks / f'{kind}_report.ipynb'}")
    parsed: list[Period] = []
    for text in periods:
        try:
            parsed.append(Period.parse(text))
        except PeriodError as e:
            problems.append(str(e))
    try:
        st = Store(store)
    except StoreError as e:
        raise PlanError([*problems, str(e)]) from None
    with st:
        reg = st.registry()
        for p in parsed:
            if not st.covers(p):
                have = "、".join(sorted(st.halves())) or "无"
                problems.append(f"{p.label}（{p.code}）没有数据（已有数据的半年：{have}）")
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
    ids = metric_ids()
    jobs = []
    stories = []  # narratives with placeholders or typed figures, to look at their figures
    for p in parsed:
        for unit in units:
            path = narrative.path_for(unit.code, p.code, params_dir)
            try:
                story = narrative.load(path)
                narrative.check_names(story, ids)
                if any(re.search(r"[{\d０-９]", text) for text, _ in narrative.texts(story)):
                    stories.append((unit.code, p, story))
            except narrative.NarrativeError as e:
                problems.append(str(e))
            except OSError as e:
                problems.append(f"{path}无法读取：{e.strerror}")
            jobs.append(Job(unit.code, "city" if unit.level == CITY else "district", p.code))
    if problems:
        raise PlanError(problems)
    return Plan(jobs, {u.code: u for u in units}, parsed, zero_warnings(store, stories))


def zero_warnings(store: Path, stories: list[tuple[str, Period, narrative.Narrative]]) -> list[str]:
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
            m = compute(st, code, p)
            out += narrative.zeros(story, m) + arith.warnings(story, m)
    return out


def own_notebook_problems(notebooks: Path, reg) -> list[str]:
    """Every unit's own notebook (district_report.<code>.ipynb, city_report.<code>.ipynb) must
    name a unit of its kind: one named for no unit would silently never be used."""
    if not notebooks.is_dir():
        return []
    kinds = {
        r["code"]: ("city" if r["level"] == CITY else "district")
        for r in reg.to_dict("records")
        if r["level"] != CITY_OWN
    }
    out = []
    for path in sorted(notebooks.glob("*_report.*.ipynb")):
        m = OWN_NOTEBOOK.match(path.name)
        kind, code = (m["kind"], m["code"]) if m else ("", "")
        if kind not in ("district", "city") or code not in kinds:
            out.append(
                f"{path}：不是某个单位自己的笔记本（应命名为 district_report.<区划代码>.ipynb 或 "
                "city_report.<市代码>.ipynb，代码须已登记）：请改名，或移出此文件夹"
            )
        elif kinds[code] != kind:
            out.append(
                f"{path}：{code}是{'市' if kinds[code] == 'city' else '区县'}，"
                f"它自己的笔记本应命名为 {own_notebook_name(kinds[code], code)}"
            )
    return out
