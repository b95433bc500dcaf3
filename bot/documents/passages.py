"""Decoded text to passages: paragraphs under headings, boilerplate dropped, long ones windowed.

Every passage keeps the character span it came from in the document's text,
so an excerpt can always be traced back to (and checked against) its source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
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


@dataclass(frozen=True)
class Block:
    """A paragraph (or heading) of a document: its span and the section it is under."""

    start: int
    end: int
    heading_level: int = 0  # 0 for a paragraph
    title: str = ""  # the heading's text, for headings


@dataclass(frozen=True)
class PassageText:
    """One passage before it gets an id: where it is and what it says."""

    section: str | None
    paragraph: int
    start: int
    end: int
    text: str
    anchor: str | None = None  # the nearest heading anchor above it (HTML)


_ASCII_SYMBOLS = str.maketrans("", "", "^`")  # the only ASCII characters of the dropped kinds
# split_sentences slows down with the square of its input's length: a paragraph longer
# than this (a 50 MB single line...) is split into sentences a piece at a time.
_LONG_PARAGRAPH = 50_000


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
    for s, e in sentence_spans(text, start, end, max(4_000, 4 * max_chars)):
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


def sentence_spans(text: str, start: int, end: int, chunk: int) -> Iterator[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as absolute spans.

    A very long paragraph (over ``_LONG_PARAGRAPH`` characters) is split ``chunk``
    characters at a time: all sentences of a chunk but its last (which may go on
    past the chunk) are final, and the next chunk starts at that last sentence. A
    chunk without a sentence boundary is cut at a space.
    """
    position = start
    while end - start > _LONG_PARAGRAPH and end - position > chunk:
        stop = position + chunk
        spans = split_sentences(text[position:stop])
        if len(spans) < 2:
            cut = text.rfind(" ", position + chunk // 2, stop)
            cut = cut if cut > position else stop
            if spans:
                yield position + spans[0][0], cut
            position = cut
            continue
        for s, e in spans[:-1]:
            yield position + s, position + e
        position += spans[-1][0]
    for s, e in split_sentences(text[position:end]):
        yield position + s, position + e


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
    anchors: Mapping[int, str] | None = None,
) -> Iterator[PassageText]:
    """All passages of one document, numbered by paragraph, with their section.

    The paragraph that is ``skip_title_line`` is attribution, not content, and is
    left out, unless it is all the document says: a one-paragraph file (a short
    FAQ entry, a snippet) is indexed as that paragraph. ``anchors`` maps a heading's
    offset to its id; a passage gets the id of the nearest heading above it that has one.
    """
    section: str | None = None
    anchor: str | None = None
    paragraph = 0
    title_block: Block | None = None
    for block in split_blocks(text, body_start, ignore, markdown):
        if block.heading_level:
            section = block.title or section
            anchor = (anchors or {}).get(block.start, anchor)
            continue
        raw = text[block.start : block.end]
        if skip_title_line is not None and collapse(raw) == skip_title_line:
            skip_title_line = None
            title_block = block
            continue
        if not has_words(raw, min_words):
            continue
        paragraph += 1
        yield from _passages(text, block, section, paragraph, max_chars, anchor)
    if (
        paragraph == 0
        and title_block is not None
        and _only_content(text, body_start, title_block)
        and has_words(text[title_block.start : title_block.end], min_words)
    ):
        yield from _passages(text, title_block, None, 1, max_chars)


def _passages(
    text: str,
    block: Block,
    section: str | None,
    paragraph: int,
    max_chars: int,
    anchor: str | None = None,
) -> Iterator[PassageText]:
    for start, end in windows(text, block.start, block.end, max_chars):
        yield PassageText(section, paragraph, start, end, collapse(text[start:end]), anchor)


def _only_content(text: str, body_start: int, block: Block) -> bool:
    """Whether ``block`` is the only text of the body (no heading, boilerplate or other line)."""
    return not (
        _NON_SPACE.search(text, body_start, block.start) or _NON_SPACE.search(text, block.end)
    )
