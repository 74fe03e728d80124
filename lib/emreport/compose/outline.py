"""The report's outline: every section room once, in page order. It drives the order of the
page, the names `report.show` takes, the headings a narrative file may use and the tests."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

ACHIEVEMENTS = "成效"  # the part 一、主要工作和成效 that holds the work sections


@dataclass(frozen=True)
class Room:
    """One section of the genre: its name, the module under `compose.sections` that writes
    it, the part it sits in, and its heading in the analyst's narrative file (if any)."""

    key: str
    module: str
    part: str = ""
    heading: str = ""

    @property
    def compose(self) -> Callable:
        return importlib.import_module(f"emreport.compose.sections.{self.module}").compose


ROOMS = (
    Room("导语", "lead", heading="导语"),
    Room("安全生产形势", "safety", ACHIEVEMENTS, "安全生产形势"),
    Room("隐患排查治理", "hazards", ACHIEVEMENTS, "隐患排查治理"),
    Room("监管执法", "enforcement", ACHIEVEMENTS, "监管执法"),
    Room("防汛防台与自然灾害防御", "flood", ACHIEVEMENTS, "防汛防台与自然灾害防御"),
    Room("森林防灭火", "forest", ACHIEVEMENTS, "森林防灭火"),
    Room("宣传培训", "training", ACHIEVEMENTS, "宣传培训"),
    Room("应急保障能力", "preparedness", ACHIEVEMENTS, "应急保障能力"),
    Room("问题", "problems", heading="存在的问题和不足"),
    Room("安排", "plans", heading="下一步工作安排"),
    Room("附表", "appendix"),
)


def room(key: str) -> Room:
    return next(r for r in ROOMS if r.key == key)


def heading(key: str) -> str:
    """A room's heading in the narrative file."""
    return room(key).heading


WORK_SECTIONS = tuple(r.heading for r in ROOMS if r.part == ACHIEVEMENTS)
