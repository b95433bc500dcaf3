"""Decoded text to passages: paragraphs under headings, boilerplate dropped, long ones windowed.

Every passage keeps the character span it came from in the document's text,
so an excerpt can always be traced back to (and checked against) its source.
Text and Markdown are split here into blocks; an HTML page comes with its blocks
already typed (bot.documents.htmlblocks), and they are grouped as the page is:
a lead-in ending in ":" with the code it introduces, an entry's term with its
description, a table whole (each up to the passage limit).

A passage's text is its source span with whitespace collapsed, except in code:
a code block's text is kept exactly (line breaks, indentation), on lines of its
own, and the passage records where its code is and in which language (CodeSpan).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.documents.sentences import split_sentences

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NON_SPACE = re.compile(r"\S")
_DECORATION = re.compile(r"[*_~`>|]+")
# Whitespace runs that are not already a single space (the same result as
# replacing every run of whitespace, with far fewer replacements on ordinary text).
_UNCOLLAPSED = re.compile(r"\s{2,}|[^\S ]")
_BLANK_LINES = re.compile(r"\A(?:[ \t]*\r?\n)+")  # blank lines opening a piece of code


@dataclass(frozen=True)
class Block:
    """A paragraph (or heading) of a document: its span and the section it is under."""

    start: int
    end: int
    heading_level: int = 0  # 0 for a paragraph
    title: str = ""  # the heading's text, for headings
    # Typed blocks (HTML): "heading", "text", "code", "table" or "entry" (an entry's
    # term line), the headings above (an entry's term last), the nearest heading
    # anchor, and the entry the block belongs to (0: none).
    kind: str = "text"
    path: tuple[str, ...] = ()
    anchor: str | None = None
    unit: int = 0
    language: str | None = None  # a code block's language, where the source names it
    page: int | None = None  # the page it starts on (paged formats: PDF)


PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class CodeSpan:
    """Where a passage (or an excerpt) holds code: a span of its text, kept exactly."""

    start: int
    end: int
    language: str | None = None


@dataclass(frozen=True)
class PassageText:
    """One passage before it gets an id: where it is and what it says."""

    section: str | None
    paragraph: int
    start: int
    end: int
    text: str
    anchor: str | None = None  # the nearest heading anchor above it (HTML)
    page: int | None = None  # the page it starts on (paged formats: PDF)
    code: tuple[CodeSpan, ...] = ()  # spans of ``text`` that are code, in order


_ASCII_SYMBOLS = str.maketrans("", "", "^`")  # the only ASCII characters of the dropped kinds


class _DroppedCharacters(dict):
    """A ``str.translate`` table deleting emoji, symbols, marks and invisible format
    characters, filled in as characters are met (at most 65,536 of them are kept)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)) in _DROPPED_CATEGORIES else code
        if len(self) < 65_536:
            self[code] = value
        return value


_DROPPED_CATEGORIES = frozenset(("So", "Sk", "Cf", "Co", "Cs", "Mn", "Me"))
_DROPPED = _DroppedCharacters()


def plain_line(line: str) -> str:
    """A line without emoji, symbols or markdown decoration, for boilerplate matching."""
    if line.isascii():  # NFKC leaves ASCII alone, and only ^ and ` are symbols there
        text = line.translate(_ASCII_SYMBOLS)
    else:
        text = unicodedata.normalize("NFKC", line).translate(_DROPPED)
    return _UNCOLLAPSED.sub(" ", _DECORATION.sub("", text)).strip()


def collapse(text: str) -> str:
    """The source text with runs of whitespace as single spaces (how passages read)."""
    return _UNCOLLAPSED.sub(" ", text).strip()


def split_blocks(
    text: str, start: int, ignore: list[re.Pattern[str]], markdown: bool
) -> Iterator[Block]:
    """Yield paragraphs and headings of ``text[start:]``; ignored lines break paragraphs."""
    para_start = para_end = -1
    lines = _lines(text, start)
    for index, (line_start, line_end) in enumerate(lines):
        line = text[line_start:line_end]
        heading = _ATX_HEADING.match(line) if markdown else None
        setext = (
            markdown
            and para_start >= 0
            and para_start == _line_start_of_previous(lines, index)
            and _SETEXT_UNDERLINE.match(line)
        )
        if setext:
            title = collapse(text[para_start:para_end])
            yield Block(para_start, line_end, 1 if line.strip()[0] == "=" else 2, title)
            para_start = -1
            continue
        blank = not line.strip()
        ignored = False
        if ignore and not blank:
            plain = plain_line(line)  # once per line, not once per pattern
            ignored = any(p.search(plain) for p in ignore)
        if heading or blank or ignored:
            if para_start >= 0:
                yield Block(para_start, para_end)
                para_start = -1
            if heading:
                yield Block(line_start, line_end, len(heading.group(1)), heading.group(2).strip())
            continue
        if para_start < 0:
            para_start = line_start
        para_end = line_end
    if para_start >= 0:
        yield Block(para_start, para_end)


def _lines(text: str, start: int) -> list[tuple[int, int]]:
    spans = []
    position = start
    for line in text[start:].splitlines(keepends=True):
        content = line.rstrip("\r\n")
        spans.append((position, position + len(content)))
        position += len(line)
    return spans


def _line_start_of_previous(lines: list[tuple[int, int]], index: int) -> int:
    return lines[index - 1][0] if index else -1


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def has_words(text: str, count: int) -> bool:
    """Whether ``text`` holds at least ``count`` words (stops counting there)."""
    if count <= 0:
        return True
    return any(seen >= count for seen, _ in enumerate(_WORD.finditer(text), start=1))


def windows(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split ``text[start:end]`` into runs of whole sentences of at most ``max_chars``.

    A single sentence longer than the limit is cut at whitespace so that no
    passage is unbounded (a 50 MB line must not become one passage).
    """
    if end - start <= max_chars:
        yield start, end
        return
    window_start = window_end = -1
    for s, e in split_sentences(text[start:end]):
        s, e = start + s, start + e
        if window_start >= 0 and e - window_start > max_chars:
            yield window_start, window_end
            window_start = -1
        if e - s > max_chars:
            yield from _hard_cut(text, s, e, max_chars)
            continue
        if window_start < 0:
            window_start = s
        window_end = e
    if window_start >= 0:
        yield window_start, window_end


def _hard_cut(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        cut = cut if cut > start else start + max_chars
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def passages_of(
    text: str,
    body_start: int,
    *,
    markdown: bool,
    ignore: list[re.Pattern[str]],
    min_words: int,
    max_chars: int,
    skip_title_line: str | None = None,
    blocks: Sequence[Block] | None = None,
) -> Iterator[PassageText]:
    """All passages of one document, numbered by paragraph, with their section.

    The paragraph that is ``skip_title_line`` is attribution, not content, and is
    left out, unless it is all the document says: a one-paragraph file (a short
    FAQ entry, a snippet) is indexed as that paragraph.

    With ``blocks`` (an HTML page's), passages follow them instead of the text's lines.
    """
    if blocks is not None:
        yield from _structured_passages(text, blocks, ignore, min_words, max_chars, skip_title_line)
        return
    section: str | None = None
    paragraph = 0
    title_block: Block | None = None
    for block in split_blocks(text, body_start, ignore, markdown):
        if block.heading_level:
            section = block.title or section
            continue
        raw = text[block.start : block.end]
        if skip_title_line is not None and collapse(raw) == skip_title_line:
            skip_title_line = None
            title_block = block
            continue
        if not has_words(raw, min_words):
            continue
        paragraph += 1
        yield from _passages(text, block, section, paragraph, max_chars)
    if (
        paragraph == 0
        and title_block is not None
        and _only_content(text, body_start, title_block)
        and has_words(text[title_block.start : title_block.end], min_words)
    ):
        yield from _passages(text, title_block, None, 1, max_chars)


def _passages(
    text: str, block: Block, section: str | None, paragraph: int, max_chars: int
) -> Iterator[PassageText]:
    for start, end in windows(text, block.start, block.end, max_chars):
        yield PassageText(section, paragraph, start, end, collapse(text[start:end]))


def _only_content(text: str, body_start: int, block: Block) -> bool:
    """Whether ``block`` is the only text of the body (no heading, boilerplate or other line)."""
    return not (
        _NON_SPACE.search(text, body_start, block.start) or _NON_SPACE.search(text, block.end)
    )


def _structured_passages(
    text: str,
    blocks: Sequence[Block],
    ignore: list[re.Pattern[str]],
    min_words: int,
    max_chars: int,
    skip_title_line: str | None,
) -> Iterator[PassageText]:
    paragraph = 0
    for group in _groups(text, blocks, ignore, skip_title_line):
        if not has_words(text[group[0].start : group[-1].end], min_words):
            continue
        paragraph += 1
        first = group[0]
        section = PATH_SEPARATOR.join(first.path) or None
        for start, end in _pack(text, group, max_chars):
            quoted, code = compose(text, start, end, group)
            yield PassageText(
                section, paragraph, start, end, quoted, first.anchor, first.page, code
            )
    content = [block for block in blocks if block.kind != "heading"]
    if (
        paragraph == 0
        and len(content) == 1
        and has_words(_text_of(text, content[0]), min_words)
        and not any(p.search(plain_line(_text_of(text, content[0]))) for p in ignore)
    ):
        # A page that is only its title line (a snippet, a short FAQ entry): that line
        # is its content too.
        only = content[0]
        section = PATH_SEPARATOR.join(only.path) or None
        for start, end in _pack(text, content, max_chars):
            quoted, code = compose(text, start, end, content)
            yield PassageText(section, 1, start, end, quoted, only.anchor, only.page, code)


def compose(
    text: str, start: int, end: int, blocks: Sequence[Block]
) -> tuple[str, tuple[CodeSpan, ...]]:
    """The passage text of ``text[start:end]`` and where its code is.

    Prose reads collapsed, as ever; the part of a code block inside the span is
    kept exactly, on lines of its own (a line break, not a space, around it).
    """
    parts: list[str] = []
    code: list[CodeSpan] = []
    length = 0
    cursor = start
    for block in blocks:
        if block.kind != "code" or block.end <= start or block.start >= end:
            continue
        low, high = max(start, block.start), min(end, block.end)
        verbatim = _BLANK_LINES.sub("", text[low:high]).rstrip()
        for piece, is_code in ((collapse(text[cursor:low]), False), (verbatim, True)):
            if not piece.strip():
                continue
            if parts:
                parts.append("\n" if is_code or code and code[-1].end == length else " ")
                length += 1
            if is_code:
                code.append(CodeSpan(length, length + len(piece), block.language))
            parts.append(piece)
            length += len(piece)
        cursor = high
    if not code:
        return collapse(text[start:end]), ()
    tail = collapse(text[cursor:end])
    if tail:
        parts.append("\n" + tail)
    return "".join(parts), tuple(code)


def _text_of(text: str, block: Block) -> str:
    return text[block.start : block.end]


def _groups(
    text: str,
    blocks: Sequence[Block],
    ignore: list[re.Pattern[str]],
    skip_title_line: str | None,
) -> Iterator[list[Block]]:
    """Runs of blocks that make one passage: an entry's blocks, a lead-in and its code."""
    group: list[Block] = []
    for block in blocks:
        if block.kind == "heading":
            if group:
                yield group
            group = []
            continue
        if block.kind in ("text", "entry"):
            raw = text[block.start : block.end]
            if skip_title_line is not None and collapse(raw) == skip_title_line:
                skip_title_line = None  # the title line is attribution, not content
                continue
            if ignore:
                plain = plain_line(raw)
                if any(p.search(plain) for p in ignore):
                    continue
        if group and _joins(text, group[-1], block):
            group.append(block)
            continue
        if group:
            yield group
        group = [block]
    if group:
        yield group


def _joins(text: str, previous: Block, block: Block) -> bool:
    if previous.path != block.path:
        return False
    if block.unit and block.unit == previous.unit:
        return True
    lead_in = previous.kind in ("text", "entry") and text[previous.end - 1] == ":"
    return block.kind == "code" and lead_in


def _pack(text: str, group: list[Block], max_chars: int) -> Iterator[tuple[int, int]]:
    """Spans of at most ``max_chars`` made of whole blocks (a longer block is cut: code
    and tables between lines, prose between sentences)."""
    if group[-1].end - group[0].start <= max_chars:
        yield group[0].start, group[-1].end
        return
    start = end = -1
    for block in group:
        for s, e in _pieces(text, block, max_chars):
            if start >= 0 and e - start > max_chars:
                yield start, end
                start = -1
            if start < 0:
                start = s
            end = e
    if start >= 0:
        yield start, end


def _pieces(text: str, block: Block, max_chars: int) -> Iterator[tuple[int, int]]:
    if block.end - block.start <= max_chars:
        yield block.start, block.end
    elif block.kind in ("code", "table"):
        for s, e in _lines(text[: block.end], block.start):
            if text[s:e].strip():
                yield from windows(text, s, e, max_chars)
    else:
        yield from windows(text, block.start, block.end, max_chars)
