"""A document's rendered text built block by block, with typed Blocks spanning into it.

The Markdown and reStructuredText readers walk their parser's tree and call this:
a heading opens a section (the heading path is every open heading's title, page
title first), an entry (a definition-list term, a field, a Sphinx object) is a
step of the path of its own, and a unit (a list, an admonition, an entry) keeps
its blocks together as one passage. Blocks are joined by a blank line, so the
text reads as the page does and every span is exact to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.documents.blockwriter import Frame, SectionWriter
from bot.documents.passages import Block


@dataclass
class TextBuilder(SectionWriter):
    """Appends blocks; ``blocks`` index into ``text()``."""

    def add(  # type: ignore[override]
        self, text: str, kind: str = "text", level: int = 0, language: str | None = None
    ) -> None:
        """Append one block (nothing for an empty one)."""
        if not text.strip():
            return
        self.write_here(text, kind, level, text if kind == "heading" else "", language)

    def heading(self, level: int, title: str, anchor: str | None) -> None:
        """Open a section at ``level`` (1 the page title), closing those at or below it."""
        if not title:
            return
        while self.frames and (self.frames[-1].entry or self.frames[-1].level >= level):
            if self.frames[-1].entry:
                return  # a heading inside an entry stays text of the entry
            self.frames.pop()
        self.frames.append(Frame(level, title, anchor))
        self.add(title, "heading", level)

    def page_title(self, title: str) -> None:
        """Head the path with the page's title (front matter) without a block for it."""
        self.frames.append(Frame(1, title, None))

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
        self.push_entry(term, anchor)
        self.add(term, "entry")

    def close_entry(self) -> None:
        self.pop_entry()
