"""A document's rendered text built block by block, with typed Blocks spanning into it.

The Markdown and reStructuredText readers walk their parser's tree and call this:
a heading opens a section (the heading path is every open heading's title, page
title first), an entry (a definition-list term, a field, a Sphinx object) is a
step of the path of its own, and a unit (a list, an admonition, an entry) keeps
its blocks together as one passage. Blocks are joined by a blank line, so the
text reads as the page does and every span is exact to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.documents.blockwriter import BlockWriter
from bot.documents.passages import Block

ENTRY_LEVEL = 7  # an entry term sits below any heading of its section


@dataclass
class _Frame:
    level: int
    title: str
    anchor: str | None
    entry: bool = False


@dataclass
class TextBuilder(BlockWriter):
    """Appends blocks; ``blocks`` index into ``text()``."""

    frames: list[_Frame] = field(default_factory=list)
    unit: int = 0
    units: int = 0
    unit_stack: list[int] = field(default_factory=list)
    entries_open: int = 0

    def add(  # type: ignore[override]
        self, text: str, kind: str = "text", level: int = 0, language: str | None = None
    ) -> None:
        """Append one block (nothing for an empty one)."""
        if not text.strip():
            return
        path = tuple(frame.title for frame in self.frames)
        anchor = next((f.anchor for f in reversed(self.frames) if f.anchor), None)
        title = text if kind == "heading" else ""
        self.write(text, kind, level, title, path, anchor=anchor, unit=self.unit, language=language)

    def heading(self, level: int, title: str, anchor: str | None) -> None:
        """Open a section at ``level`` (1 the page title), closing those at or below it."""
        if not title:
            return
        while self.frames and (self.frames[-1].entry or self.frames[-1].level >= level):
            if self.frames[-1].entry:
                return  # a heading inside an entry stays text of the entry
            self.frames.pop()
        self.frames.append(_Frame(level, title, anchor))
        self.add(title, "heading", level)

    def page_title(self, title: str) -> None:
        """Head the path with the page's title (front matter) without a block for it."""
        self.frames.append(_Frame(1, title, None))

    def close_sections(self, level: int) -> None:
        """Close the sections at ``level`` and below (a section ends without a new heading)."""
        while self.frames and not self.frames[-1].entry and self.frames[-1].level >= level:
            self.frames.pop()

    def open_unit(self, lead_in: bool = False) -> None:
        """Start a run of blocks that is one passage; inside another unit, stay in that.

        With ``lead_in`` a paragraph just before it that ends in ":" joins it."""
        self.unit_stack.append(self.unit)
        if self.unit:
            return
        self.units += 1
        self.unit = self.units
        last = self.blocks[-1] if self.blocks else None
        if (
            lead_in
            and last is not None
            and last.kind == "text"
            and not last.unit
            and last.path == tuple(f.title for f in self.frames)
            and self.text().endswith(":")
        ):
            self.blocks[-1] = Block(
                last.start, last.end, 0, "", "text", last.path, last.anchor, self.unit
            )

    def close_unit(self) -> None:
        self.unit = self.unit_stack.pop() if self.unit_stack else 0

    def open_entry(self, term: str, anchor: str | None = None) -> None:
        """An entry: its term is a block and the last step of its blocks' path."""
        self.frames.append(_Frame(ENTRY_LEVEL + self.entries_open, term, anchor, entry=True))
        self.entries_open += 1
        self.unit_stack.append(self.unit)
        self.units += 1
        self.unit = self.units
        self.add(term, "entry")

    def close_entry(self) -> None:
        while self.frames:
            if self.frames.pop().entry:
                break
        self.entries_open -= 1
        self.close_unit()
