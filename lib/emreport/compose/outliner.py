"""Where each heading of a narrative file goes: the rooms it names, new titles, and, after a
line `# 提纲`, the analyst's own outline (`outline.Entry`), with an error naming the line for a
heading that has no place. `narrative.parse` reads the lines and puts the text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emreport.compose import outline
from emreport.compose.outline import SETTINGS

if TYPE_CHECKING:
    from emreport.compose.narrative import Narrative, PlanItem


class Outliner:
    """Where each heading and paragraph of a file goes, as `parse` reads it line by line.

    Without `# 提纲` (the format since the start): `##` names a room or the part
    主要工作和成效 (optionally `：新标题`), `#` lines are notes, the page keeps its order. After
    `# 提纲`: the headings in order are the page's outline; `#` starts a part (一、), `##` a
    section (（一）) of the part above it (work rooms and `自拟` sections before any part go
    into 主要工作和成效); a room not named is left out. Anything that has no place is an error
    naming the line."""

    def __init__(self, n: Narrative, name: str, error: type[Exception]):
        self.n, self.name, self._error = n, name, error
        self.rooms = n.rooms  # the kind's sections: the headings the file may use
        self.part: str | None = None  # the narrative heading whose text this is
        self.entry: outline.Entry | None = None
        self.plan: PlanItem | None = None  # the `###` item the text is under
        self.container: outline.Entry | None = None
        self.seen = False  # a heading before: `# 提纲` must come first

    def error(self, line: int, what: str) -> Exception:
        return self._error(f"{self.name} 第{line}行：{what}")

    def heading(self, level: int, words: str, line: int) -> None:
        if level == 1 and words == outline.OUTLINE:
            if self.seen:
                raise self.error(line, f"“# {outline.OUTLINE}”要写在所有栏目标题之前")
            self.n.outline = []
            self.seen = True
            return None
        if level == 1 and self.n.outline is None:
            key = outline.split_heading(words)[0]
            if key == outline.OWN or key in self.rooms.places:
                raise self.error(
                    line,
                    f"一级标题“# {words}”只能用在提纲里：请在第一个栏目标题之前加一行"
                    f"“# {outline.OUTLINE}”，或写作“## {words}”",
                )
            return None  # a title line for the analyst, as before outlines
        self.seen = True
        self.plan = None
        key, title = outline.split_heading(words)
        mark = "#" * level
        if words in SETTINGS:
            self.part, self.entry = words, None
            return None
        if key in SETTINGS:
            raise self.error(line, f"“{mark} {key}”不带标题：{key}写在下一行")
        if key == outline.OWN:
            if self.n.outline is None:
                raise self.error(
                    line,
                    f"自拟栏目“{title}”只能用在提纲里：请在第一个栏目标题之前加一行"
                    f"“# {outline.OUTLINE}”（写法见 params/README.md）",
                )
            if not title:
                raise self.error(line, f"自拟栏目要写标题：如“{mark} {outline.OWN}：强化督导检查”")
            entry = outline.Entry("", title, line)
        elif key in self.rooms.places:
            entry = self.place(key, title, mark, line)
        else:
            raise self.error(line, self.unknown(key, mark))
        self.part = key if entry.key and entry.key != outline.ACHIEVEMENTS else None
        self.entry = entry
        if self.n.outline is not None:
            self.put(entry, level, mark, key, line)
        return None

    def unknown(self, key: str, mark: str) -> str:
        names = [*self.rooms.places, *SETTINGS]
        near = outline.nearest(key, names)
        hint = f"是不是“{mark} {near}”？" if near else ""
        own = (
            f"自己的栏目请写作“{mark} {outline.OWN}：{key}”，" if self.n.outline is not None else ""
        )
        return f"栏目“{key}”不认识：{hint}{own}可用的栏目：{'、'.join(names)}"

    def place(self, key: str, title: str, mark: str, line: int) -> outline.Entry:
        room_key = self.rooms.places[key]
        if room_key == "导语" and title:
            raise self.error(line, f"导语没有标题：请写作“{mark} 导语”")
        entry = self.n.headings.get(room_key)
        if entry is not None and self.n.outline is not None:
            raise self.error(line, f"栏目“{key}”在第{entry.line}行已经写过：提纲里每个栏目只写一次")
        if entry is None:
            entry = self.n.headings[room_key] = outline.Entry(room_key, title, line)
        elif title:
            entry.title = title
        return entry

    def put(self, entry: outline.Entry, level: int, mark: str, key: str, line: int) -> None:
        """Place a heading of an outline: a part (一、) or a section (（一）) of the last part."""
        top = self.n.outline
        assert top is not None
        # a kind without work sections (the highlights) has parts only: every heading is one
        if level == 1 or entry.key in self.rooms.top or not self.rooms.work_sections:
            top.append(entry)
            self.container = entry if entry.container else None
            return
        if self.container is None:
            if outline.ACHIEVEMENTS in self.n.headings:
                raise self.error(
                    line,
                    f"“{mark} {key}”不在任何一级标题（# …）之下：请把它移到“# "
                    f"{outline.ACHIEVEMENTS_HEADING}”或自拟的一级标题之下，或写作“# {key}”",
                )
            work = self.n.headings[outline.ACHIEVEMENTS] = outline.Entry(
                outline.ACHIEVEMENTS, line=line
            )
            top.append(work)
            self.container = work
        self.container.children.append(entry)
