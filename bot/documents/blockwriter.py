"""Typed blocks written one after another into a document's text.

Every structured reader writes through this: a reader of a binary format
(bot.documents.pdftext, docxtext) directly, the HTML, Markdown and reST readers
through their builders (htmlblocks.Emitter, textbuild.TextBuilder), which work
out the heading path, anchor and unit first. It writes a block's text,
separated from the last by a blank line, and records the span, so every passage
is an exact slice of the text it indexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.documents.passages import Block


@dataclass(frozen=True)
class Extracted:
    """A binary document as text: the text spans index into, its blocks, its metadata."""

    text: str
    blocks: tuple[Block, ...]
    meta: dict[str, object]


@dataclass
class BlockWriter:
    parts: list[str] = field(default_factory=list)
    position: int = 0
    blocks: list[Block] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.parts)

    def write(self, text: str, kind: str, level: int, title: str, path: tuple[str, ...], **rest):
        """Append ``text`` as one block; ``rest`` are the other Block fields (anchor,
        unit, language, page)."""
        if self.parts:
            self.parts.append("\n\n")
            self.position += 2
        start = self.position
        self.parts.append(text)
        self.position += len(text)
        self.blocks.append(Block(start, self.position, level, title, kind, path, **rest))

    def add(
        self,
        text: str,
        kind: str,
        path: tuple[str, ...],
        *,
        level: int = 0,
        page: int | None = None,
    ) -> None:
        """Append one block (``path``: the headings above it, a heading's own title last)."""
        if not text.strip():
            return
        title = path[-1] if kind == "heading" and path else ""
        self.write(text, kind, level, title, path, page=page)

    def done(self, meta: dict[str, object]) -> Extracted:
        return Extracted("".join(self.parts), tuple(self.blocks), meta)


ENTRY_LEVEL = 7  # an entry term sits below any heading of its section


@dataclass
class Frame:
    """An open heading (or entry term) of the path above the next block."""

    level: int
    title: str
    anchor: str | None
    entry: bool = False


@dataclass
class SectionWriter(BlockWriter):
    """A BlockWriter that knows the open headings and entries (HTML, Markdown, reST):
    each block gets the heading path, the nearest anchor and the unit it is in."""

    frames: list[Frame] = field(default_factory=list)
    unit: int = 0
    units: int = 0
    unit_stack: list[int] = field(default_factory=list)
    entries_open: int = 0

    def write_here(
        self, text: str, kind: str, level: int = 0, title: str = "", language: str | None = None
    ) -> None:
        """Append a block under the open headings, in the current unit."""
        path = tuple(frame.title for frame in self.frames)
        anchor = next((f.anchor for f in reversed(self.frames) if f.anchor), None)
        self.write(text, kind, level, title, path, anchor=anchor, unit=self.unit, language=language)

    def push_entry(self, term: str, anchor: str | None) -> None:
        """Open an entry: its term is the last step of its blocks' path, its blocks a unit."""
        self.frames.append(Frame(ENTRY_LEVEL + self.entries_open, term, anchor, entry=True))
        self.entries_open += 1
        self.unit_stack.append(self.unit)
        self.units += 1
        self.unit = self.units

    def pop_entry(self) -> None:
        while self.frames:
            if self.frames.pop().entry:
                break
        self.entries_open -= 1
        self.unit = self.unit_stack.pop() if self.unit_stack else 0
