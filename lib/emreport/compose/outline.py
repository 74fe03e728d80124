"""The report's outline: every section room once, in page order. It drives the order of the
page, the names `report.show` takes, the headings a narrative file may use and the tests.

An analyst may write their own outline in the narrative file (`# 提纲`, see params/README.md):
`Entry` is one heading of it, a room placed, the part 主要工作和成效, or a section of their own;
`default_outline` is the page without one. The appendix is always last and not in an outline.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

ACHIEVEMENTS = "成效"  # the part 一、主要工作和成效 that holds the work sections
ACHIEVEMENTS_HEADING = "主要工作和成效"  # its heading in a narrative file
APPENDIX = "附表"
OUTLINE = "提纲"  # `# 提纲`: the file gives the whole outline
OWN = "自拟"  # `## 自拟：标题`: a section of the analyst's own
OWN_ONLY = "只用自己的文字"  # a line of its own: the room's generated paragraphs are left out
SIGNATURE, DATE = "落款", "成文日期"  # the sign-off's headings in a narrative file
NUMBERS = "数字写法"  # a setting: 精确 writes every count in full digits
NUMBER_STYLES = {"万": False, "精确": True}  # its values: exact or not
SETTINGS = (SIGNATURE, DATE, NUMBERS)  # headings that set something, not a place


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
    Room(APPENDIX, "appendix"),
)


@dataclass(frozen=True)
class Outline:
    """The sections of one kind of report, in page order: what its page holds, the headings
    its narrative file may use, and its page without an outline of the analyst's."""

    kind: str
    rooms: tuple[Room, ...]

    def room(self, key: str) -> Room:
        return next(r for r in self.rooms if r.key == key)

    def heading(self, key: str) -> str:
        """A room's heading in the narrative file."""
        return self.room(key).heading

    @property
    def work_sections(self) -> tuple[str, ...]:
        return tuple(r.heading for r in self.rooms if r.part == ACHIEVEMENTS)

    @property
    def places(self) -> dict[str, str]:
        """What a heading of the narrative file may name in an outline, by its words: the
        rooms (the appendix aside) and, if the kind has it, the part 主要工作和成效."""
        out = {r.heading: r.key for r in self.rooms if r.heading}
        if self.work_sections:
            out[ACHIEVEMENTS_HEADING] = ACHIEVEMENTS
        return out

    @property
    def top(self) -> set[str]:
        """Places that are a part (一、) of the report wherever they are written."""
        return {ACHIEVEMENTS, *(r.key for r in self.rooms if r.heading and not r.part)}

    def default(self, entries: dict[str, Entry] | None = None) -> list[Entry]:
        """The page without an outline of the analyst's: the rooms in order, the work sections
        in 主要工作和成效; a room the narrative names takes its entry (new title, own text
        only)."""
        entries = entries or {}
        out: list[Entry] = []
        work = None
        for r in self.rooms:
            if r.key == APPENDIX:
                continue
            entry = entries.get(r.key) or Entry(r.key)
            if r.part != ACHIEVEMENTS:
                out.append(entry)
                continue
            if work is None:
                work = entries.get(ACHIEVEMENTS) or Entry(ACHIEVEMENTS)
                work.children = []
                out.append(work)
            work.children.append(entry)
        return out


SUMMARY = Outline("summary", ROOMS)
OUTLINES = {SUMMARY.kind: SUMMARY}  # every kind's, filled by compose.kinds


def room(key: str) -> Room:
    return SUMMARY.room(key)


def heading(key: str) -> str:
    """A room's heading in the summary's narrative file."""
    return SUMMARY.heading(key)


WORK_SECTIONS = SUMMARY.work_sections
PLACES = SUMMARY.places
TOP = SUMMARY.top


@dataclass(eq=False)
class Entry:
    """One heading of an outline: `key` is a room's key, ACHIEVEMENTS, or "" for a section of
    the analyst's own; `title` replaces the room's own ("" keeps it); `paragraphs` are the
    analyst's text written right under it (own sections and parts; a room's text is kept by
    the narrative by part); `children` the sections (（一）) of a part."""

    key: str
    title: str = ""
    line: int = 0
    own_only: bool = False
    paragraphs: list = field(default_factory=list)
    children: list[Entry] = field(default_factory=list)

    @property
    def container(self) -> bool:
        """A part that holds sections: 主要工作和成效 or one of the analyst's own."""
        return self.key in ("", ACHIEVEMENTS)


def default_outline(entries: dict[str, Entry] | None = None) -> list[Entry]:
    return SUMMARY.default(entries)


# numbering an analyst may type in a heading; the report numbers headings itself
HEADING_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十百千零]+[、.．]|[（(][一二三四五六七八九十百千零\d]+[)）]|"
    r"\d+[.．、])\s*"
)


def split_heading(text: str) -> tuple[str, str]:
    """A heading's name and its new title: 隐患排查治理：强化隐患排查 → (隐患排查治理,
    强化隐患排查); a number typed before the title is dropped."""
    name, sep, title = (
        re.split("([：:])", text, maxsplit=1)
        if re.search("[：:]", text)
        else (
            text,
            "",
            "",
        )
    )
    return name.strip(), HEADING_NUMBER.sub("", title.strip())


def nearest(name: str, names) -> str:
    """The known name nearest to a mistyped one, or ""."""
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.4)
    return close[0] if close else ""
