"""Sentence boundaries as character spans, shared by passage splitting and excerpts."""

from __future__ import annotations

import re

# A sentence ends at . ! ? or … , optionally followed by closing quotes or
# brackets, then whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«(\[]?[\w\d])""")
_NEXT_CHAR = re.compile(r"\s*(\S)")  # matched at a position: no copy of the rest of the text
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st vs etc e.g i.e u.s u.k u.n no fig gen gov sen rep jan feb
    mar apr jun jul aug sep sept oct nov dec inc ltd co corp dept
    """.split()
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if _ends_with_abbreviation(text, start, match.start()):
            continue
        following = _NEXT_CHAR.match(text, end)
        if following and following.group(1).islower():
            continue
        _append(spans, text, start, end)
        start = end
    _append(spans, text, start, len(text))
    return spans


def _ends_with_abbreviation(text: str, start: int, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = _last_word(text, start, dot).lstrip("\"'“‘(").lower()
    # Single initials ("J. Smith") and known abbreviations ("Dr.", "U.S.").
    return len(word) == 1 and word.isalpha() or word in _ABBREVIATIONS


def _last_word(text: str, start: int, end: int) -> str:
    """The last whitespace-separated word of ``text[start:end]`` ("" if none).

    Looks back only as far as the word reaches: a window that doubles until it
    holds whitespace before the word, so a long sentence costs the length of its
    last word, not of the sentence (the same word as ``rsplit(None, 1)[-1]``).
    """
    size = 32
    while True:
        low = max(start, end - size)
        parts = text[low:end].rsplit(None, 1)
        if len(parts) == 2 or low == start:
            return parts[-1] if parts else ""
        size *= 2


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
