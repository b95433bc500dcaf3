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
