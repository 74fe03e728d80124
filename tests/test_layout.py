"""The package's layout is its architecture: stages in the order the work flows, each importing
only from itself and the stages before it, and one outline of the report's sections."""

from __future__ import annotations

import ast
from pathlib import Path

from emreport.compose import narrative, outline

PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "emreport"
# The order the work flows in. Shared plumbing (paths, the atomic writer, the error type, the
# Chinese argument parser) comes first; the notebook entry point (`emreport.report`) and the
# data-model page (`emreport.docs`) sit after the stages they show; the command line last.
STAGES = ("base", "data", "metrics", "compose", "output", "report", "run", "mail", "cli")
TOP_LEVEL = {
    "__init__": "base",
    "config": "base",
    "atomic": "base",
    "errors": "base",
    "cliparser": "base",
    "report": "report",
    "docs": "report",
    "cli": "cli",
}


def stage_of(module: str) -> str:
    """emreport.data.store → data; emreport.report → report."""
    parts = module.split(".")[1:]
    if not parts:
        return "base"
    if len(parts) == 1 and (PACKAGE / f"{parts[0]}.py").exists():
        return TOP_LEVEL[parts[0]]
    return parts[0]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every emreport module the file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "emreport":
                out |= {f"emreport.{a.name}" for a in node.names}
            elif node.module.startswith("emreport."):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("emreport.")}
    return out


def test_every_module_sits_in_a_stage():
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        assert stage_of(name) in STAGES, f"{name} is in no stage: put it in one of {STAGES}"


def test_no_module_imports_from_a_later_stage():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        mine = STAGES.index(stage_of(name))
        for imported in sorted(imports(path)):
            theirs = STAGES.index(stage_of(imported))
            if theirs > mine:
                wrong.append(f"{name} ({STAGES[mine]}) imports {imported} ({STAGES[theirs]})")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_the_outline_is_the_one_list_of_sections():
    keys = [r.key for r in outline.ROOMS]
    assert len(keys) == len(set(keys))
    rooms = {p.stem for p in (PACKAGE / "compose" / "sections").glob("*.py")} - {"__init__"}
    assert {r.module for r in outline.ROOMS} == rooms, "a room module not in the outline"
    # the narrative file's headings are the outline's
    assert narrative.SECTIONS == tuple(
        r.heading for r in outline.ROOMS if r.part == outline.ACHIEVEMENTS
    )
    assert {narrative.LEAD, narrative.PROBLEMS, narrative.PLANS} <= {
        r.heading for r in outline.ROOMS
    }


def test_the_report_follows_the_outline():
    from emreport import config
    from emreport.report import build

    doc = build("990100", "2025", store=config.STORE).document
    keys = [s.key for s in doc.sections]
    keys[keys.index(outline.ACHIEVEMENTS) : keys.index(outline.ACHIEVEMENTS) + 1] = [
        s.key for s in doc.sections[keys.index(outline.ACHIEVEMENTS)].sections
    ]
    assert keys == [r.key for r in outline.ROOMS], "the page's order is not the outline's"
