"""`emreport run`: expand districts × periods into jobs, check them all, then make each report."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from emreport import narrative, render
from emreport.metrics import metric_ids
from emreport.periods import Period, PeriodError
from emreport.render import Job, RenderError
from emreport.store import CITY, CITY_OWN, Store, StoreError


class PlanError(Exception):
    """Parameters that cannot be run, every one listed."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def plan(periods: list[str], districts: str, *, store: Path, params_dir: Path) -> list[Job]:
    """The grid of reports, or every problem with it at once (unknown code, bad period, a
    period without data, a narrative file that does not parse or names unknown metrics)."""
    problems: list[str] = []
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
    ids = metric_ids()
    jobs = []
    for p in parsed:
        for unit in units:
            path = narrative.path_for(unit.code, p.code, params_dir)
            try:
                narrative.check_names(narrative.load(path), ids)
            except narrative.NarrativeError as e:
                problems.append(str(e))
            jobs.append(Job(unit.code, "city" if unit.level == CITY else "district", p.code))
    if problems:
        raise PlanError(problems)
    return jobs


@dataclass
class Result:
    done: list[Job] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)


def run(jobs: list[Job], *, store: Path, params_dir: Path, outputs: Path,
        timeout: int = 600) -> Result:
    """Make each report in turn; a failure is reported and the others still run."""
    from emreport.pdf import default_printer

    result = Result()
    started = time.perf_counter()
    with default_printer() as printer:
        for i, job in enumerate(jobs, 1):
            t0 = time.perf_counter()
            out_dir = job.out_dir(outputs)
            try:
                nb = render.execute(job, store=store.resolve(), params_dir=params_dir.resolve(),
                                    failed=out_dir / "report.failed.ipynb", timeout=timeout)
                render.write(out_dir, render.outputs(nb, job, printer))
            except RenderError as e:
                result.failed.append((job, str(e)))
                print(f"[{i}/{len(jobs)}] 失败 {job.period}/{job.code}：{e}", file=sys.stderr)
                continue
            result.done.append(job)
            print(f"[{i}/{len(jobs)}] 完成 {out_dir}（{time.perf_counter() - t0:.1f}秒）")
    print(f"共{len(jobs)}份报告：完成{len(result.done)}份，失败{len(result.failed)}份，"
          f"用时{time.perf_counter() - started:.1f}秒。")
    for job, message in result.failed:
        kept = job.out_dir(outputs) / "report.failed.ipynb"
        where = f"；出错的笔记本：{kept}" if kept.exists() else ""
        print(f"  失败：{job.period}/{job.code}：{message}{where}", file=sys.stderr)
    return result
