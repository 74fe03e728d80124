"""The `emreport` command."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from emreport import config
from emreport.cliparser import ChineseParser
from emreport.mail.options import add_kind_option
from emreport.mail.options import add_parser as add_send_parser

MAX_HAZARDS = 20_000_000  # ten times the benchmark: more is a typo, not a test


def _parser() -> argparse.ArgumentParser:
    p = ChineseParser(prog="emreport", description="应急管理局工作总结的数据化生成工具")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    t = sub.add_parser("template", help="生成空白数据模板（xlsx）")
    t.add_argument("dir", nargs="?", default=".", help="输出文件夹（默认当前文件夹）")
    t.add_argument("--force", action="store_true", help="覆盖已有的模板文件")

    i = sub.add_parser("ingest", help="校验数据文件并建立数据库")
    i.add_argument("--data", default=str(config.SAMPLE), help="数据文件夹（默认示例数据）")
    i.add_argument("--store", default=str(config.STORE), help="数据库文件")

    f = sub.add_parser("figures", help="显示某区划某期间的主要数字")
    f.add_argument("--period", required=True, nargs="+", help="期间：YYYY-H1 或 YYYY，可多个")
    f.add_argument("--district", default="990100", help="区划代码（市代码表示全市）")
    f.add_argument("--store", default=str(config.STORE), help="数据库文件")

    r = sub.add_parser("run", help="生成报告：HTML、PDF、Word、Excel 附表、笔记本和 metrics.json")
    r.add_argument(
        "--period",
        required=True,
        nargs="+",
        help="期间：YYYY-H1 或 YYYY；规划期工作总结（--kind review）写十四五或2021-2025；可多个",
    )
    add_kind_option(r)
    r.add_argument(
        "--district",
        default="all",
        help="all（全部区县和全市）或逗号分隔的区划代码；市代码表示全市报告",
    )
    r.add_argument("--store", default=str(config.STORE), help="数据库文件")
    r.add_argument("--params", default=str(config.PARAMS), help="文字材料文件夹（默认 params/）")
    r.add_argument("--outputs", default=str(config.OUTPUTS), help="输出文件夹（默认 outputs/）")
    r.add_argument("--timeout", type=int, default=600, help="单个单元格的最长运行秒数（默认600）")
    r.add_argument(
        "--jobs", type=int, default=None, help="同时生成的报告数（默认为CPU核数，并受空闲内存限制）"
    )
    r.add_argument("--force", action="store_true", help="全部重新生成，不管输入是否变化")
    r.add_argument(
        "--scheduler",
        default="",
        help="Dask 调度器地址，如 tcp://10.0.0.5:8786：在集群上生成，结果传回本机写入",
    )

    s = sub.add_parser("sample", help="生成虚构的示例数据或基准测试数据")
    s.add_argument("dir", help="输出文件夹")
    s.add_argument("--districts", type=int, default=8, help="区县数量（不含市本级），1-200")
    s.add_argument("--hazards", type=int, default=None, help="隐患记录总数（默认按区县规模随机）")
    s.add_argument("--seed", type=int, default=20250101, help="随机种子")
    s.add_argument(
        "--format",
        choices=("csv", "csv.gz", "xlsx"),
        default="csv",
        help="隐患数据的文件格式（csv.gz为gzip压缩的csv）",
    )
    s.add_argument(
        "--first-year",
        type=int,
        default=None,
        help="数据的第一年，2020-2024（默认2020；数据都到2025年为止）",
    )

    d = sub.add_parser("docs", help="由数据模型生成 docs/data-model.md")
    d.add_argument("--check", action="store_true", help="只检查文档是否为最新")

    add_send_parser(sub)
    return p


def _fail(lines: Sequence[str]) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return 1


def _folder_problem(path: Path, what: str) -> str | None:
    """Why a folder a command writes into cannot be one (it, or a folder above it, is a file)."""
    from emreport.atomic import blocking_ancestor

    if path.exists() and not path.is_dir():
        return f"{what}{path}是文件，不是文件夹：请指定一个文件夹"
    blocking = None if path.exists() else blocking_ancestor(path)
    if blocking is not None:
        return f"{what}{path}无法建立：{blocking}是文件，不是文件夹"
    return None


def _distinct_periods(texts: Sequence[str], kind: str = "summary") -> list[str]:
    """Each period once, in the order given: 2025, 2025年度 and ２０２５ are one report (十四五
    and 2021-2025 one review)."""
    from emreport.data.kinds import KindError
    from emreport.data.kinds import kind as kind_of
    from emreport.data.periods import Period, PeriodError

    try:
        read = kind_of(kind).period
    except KindError:  # reported by the command
        read = Period.parse
    seen, kept = set(), []
    for text in texts:
        try:
            key: object = read(text).code
        except PeriodError:
            key = ("unreadable", text)  # reported by the command, once
        if key not in seen:
            seen.add(key)
            kept.append(text)
    return kept


def _district_codes(text: str) -> str:
    """District codes as typed, with full-width digits and commas (and 、) read as ASCII."""
    return unicodedata.normalize("NFKC", text).replace("、", ",")


def cmd_template(args: argparse.Namespace) -> int:
    from emreport.data.template import FILE_NAME, write_template

    target = Path(args.dir) / FILE_NAME
    problem = _folder_problem(Path(args.dir), "输出文件夹")
    if problem or target.is_dir():
        return _fail([f"无法生成模板：{problem or f'{target}是文件夹'}"])
    if target.exists() and not args.force:
        return _fail([f"{target} 已存在，可能已填写了数据：如确需覆盖，请加 --force"])
    path = write_template(Path(args.dir))
    print(f"已生成数据模板：{path}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    stopped: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopped.append(signum)  # DuckDB turns the KeyboardInterrupt into its own error
        raise KeyboardInterrupt

    # Ctrl-C and `kill` stop an ingest the same way: temporary files removed, old store kept
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _ingest(args)
    except (KeyboardInterrupt, Exception):
        if not stopped:
            raise
        _fail(["导入已中断，未导入；数据库保持上次成功导入的版本。"])
        return 130
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _ingest(args: argparse.Namespace) -> int:
    from emreport.data.ingest import ingest
    from emreport.data.problems import InputError, render
    from emreport.data.store import StoreError

    started = time.perf_counter()
    try:
        result = ingest(Path(args.data), Path(args.store))
    except InputError as e:
        lines = render(e.problems)
        head = f"数据有{len(e.problems)}处问题，未导入；数据库保持上次成功导入的版本。"
        return _fail([head, *lines, "请修改以上问题后重新运行 emreport ingest。"])
    except StoreError as e:
        return _fail([f"未导入：{e}"])
    total = sum(v for k, v in result.rows.items() if k != "districts")
    print(
        f"已导入 {result.files} 个文件（其中 {result.reused} 个未变化，未重新读取），"
        f"共 {total} 行数据，{result.rows.get('districts', 0)} 个区划单位，"
        f"用时 {time.perf_counter() - started:.1f} 秒。"
    )
    print(f"数据库：{result.store}")
    for note in result.notes:
        print(f"注意：{note}")
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    from emreport.data.periods import Period, PeriodError
    from emreport.data.store import Store, StoreError
    from emreport.mail.message import HEADLINE
    from emreport.metrics import compute

    try:
        periods = [Period.parse(p) for p in args.period]
        with Store(args.store) as store:
            for period in periods:
                m = compute(store, args.district, period)
                print(f"{m.unit.name}{period.label}（{period.months}）主要数字")
                for metric in (line for mid in HEADLINE for line in m[mid].stated()):
                    yoy = metric.yoy()
                    print(f"  {metric.label}：{metric.text()}" + (f"，{yoy}" if yoy else ""))
    except (PeriodError, StoreError) as e:
        return _fail([str(e)])
    return 0


def _stamp(args: argparse.Namespace) -> tuple:
    """The run's inputs key, where its stamp is kept, and what the stamp says if it still
    holds (run/stamp.py)."""
    from emreport.run import stamp

    store, params_dir, out = (Path(p).resolve() for p in (args.store, args.params, args.outputs))
    command = {
        **{"kind": args.kind, "period": args.period, "district": args.district},
        **{"outputs": [args.outputs, str(out)], "store": args.store, "params": args.params},
    }
    inputs = stamp.inputs(command, store=store, params_dir=params_dir, notebooks=config.NOTEBOOKS)
    where = stamp.path(out, command)
    return inputs, where, None if args.force else stamp.unchanged(inputs, where)


def cmd_run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    # One thread per numeric library, set before they load: the coordinator then has no
    # thread but its own when its first worker starts, and can start it as a copy of itself
    # (local.py); the kernels run with the same settings.
    from emreport.run.kernels import THREADS

    for name, value in THREADS.items():
        os.environ.setdefault(name, value)
    from emreport.run import stamp

    problems = []
    outputs = _folder_problem(Path(args.outputs), "输出文件夹（--outputs）")
    if outputs:
        problems.append(outputs)
    if args.jobs is not None and args.jobs < 1:
        problems.append(f"--jobs 应为正整数（现为{args.jobs}）")
    if args.timeout < 1:
        problems.append(f"--timeout 应为正整数秒（现为{args.timeout}）")
    from emreport.output.pdf import EngineError, engine

    try:
        engine()
    except EngineError as e:
        problems.append(str(e))
    inputs = stamped = None  # with a problem, the plan lists it with the others
    if not problems:
        try:
            inputs, stamped, said = _stamp(args)
        except (OSError, RuntimeError):  # a folder that cannot be resolved: the plan says
            inputs = stamped = said = None
        if said is not None:  # the same command on the same inputs, its reports untouched
            stamp.say(said, time.monotonic() - started)
            return 0
    from emreport.run import batch, plan
    from emreport.run.cluster import SchedulerError

    try:
        grid = plan.plan(
            args.period,
            args.district,
            store=Path(args.store),
            params_dir=Path(args.params),
            kind=args.kind,
        )
    except plan.PlanError as e:
        problems += e.problems
    if problems:
        return _fail(["无法开始生成，请先修改以下问题：", *problems])
    # `kill` stops a batch the way Ctrl-C does: nothing half-written, no worker left behind
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        result = batch.run(
            grid,
            store=Path(args.store),
            params_dir=Path(args.params),
            outputs=Path(args.outputs),
            timeout=args.timeout,
            jobs=args.jobs,
            force=args.force,
            scheduler=args.scheduler,
        )
    except SchedulerError as e:
        return _fail([str(e)])
    # a run that failed leaves the stamp it found: it no longer matches what it recorded
    made = len(result.done) + len(result.cached) == len(grid.jobs)
    if inputs is not None and stamped is not None and result.exit_code == 0 and made:
        stamp.record(
            inputs,
            stamped,
            folders=[j.out_dir(stamped.parent) for j in grid.jobs],
            indexes=result.indexes,
            jobs=[j.id for j in grid.jobs],
            notices=grid.notices,
            warnings=grid.warnings,
        )
    return result.exit_code


def cmd_sample(args: argparse.Namespace) -> int:
    from emreport.data.sample import CORE, YEARS, generate

    problems = []
    first_year = YEARS[0] if args.first_year is None else args.first_year
    if not 1 <= args.districts <= 200:
        problems.append(f"区县数量（--districts）应在1到200之间（现为{args.districts}）")
    if args.hazards is not None and not 1 <= args.hazards <= MAX_HAZARDS:
        problems.append(f"隐患记录总数（--hazards）应在1到{MAX_HAZARDS}之间（现为{args.hazards}）")
    if not 0 <= args.seed < 2**63:
        problems.append(f"随机种子（--seed）应为非负整数（现为{args.seed}）")
    if not YEARS[0] <= first_year <= CORE[0]:
        problems.append(f"第一年（--first-year）应在{YEARS[0]}到{CORE[0]}之间（现为{first_year}）")
    folder = _folder_problem(Path(args.dir), "输出文件夹")
    if folder:
        problems.append(folder)
    if problems:
        return _fail(["无法生成示例数据：", *problems])
    counts = generate(
        Path(args.dir),
        districts=args.districts,
        hazards_total=args.hazards,
        seed=args.seed,
        hazard_format=args.format,
        first_year=first_year,
    )
    print(
        f"已生成示例数据：{args.dir}（{first_year}—{CORE[-1]}年，隐患 {counts['hazards']} 条，"
        f"事故 {counts['accidents']} 起，执法检查 {counts['inspections']} 次）"
    )
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from emreport import docs

    if args.check:
        current = docs.DOC_PATH.read_text(encoding="utf-8") if docs.DOC_PATH.exists() else ""
        if current != docs.render():
            return _fail([f"{docs.DOC_PATH} 不是最新的：请运行 emreport docs"])
        return 0
    print(f"已生成：{docs.write()}")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    problems = [
        _folder_problem(Path(args.outputs), "报告所在文件夹（--outputs）"),
        args.outbox and _folder_problem(Path(args.outbox), "发件箱文件夹（--outbox）"),
    ]
    if any(problems):
        return _fail(["无法发送，请先修改以下问题：", *filter(None, problems)])
    from emreport.mail import send

    return send.main(args)


COMMANDS = {
    "template": cmd_template,
    "ingest": cmd_ingest,
    "figures": cmd_figures,
    "run": cmd_run,
    "sample": cmd_sample,
    "docs": cmd_docs,
    "send": cmd_send,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "period", None):
        args.period = _distinct_periods(args.period, getattr(args, "kind", "summary"))
    if getattr(args, "district", None):
        args.district = _district_codes(args.district)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0


def entry() -> None:
    """The installed `emreport` command: `main`, then an exit without the interpreter's
    teardown. Freeing pandas, DuckDB and Arrow module by module took a tenth of a second after
    every command had finished its work (an unchanged `emreport run` is over in half a
    second). The exit handlers still run (the batch's queues and semaphores, logging), and
    every file the command writes is closed and in place before `main` returns."""
    import atexit

    code = main()
    atexit._run_exitfuncs()  # what a normal exit runs before the teardown
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (head) or a closed stream
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
