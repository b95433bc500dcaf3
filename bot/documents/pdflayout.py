"""A PDF page's positioned lines to paragraphs: running headers and footers out, hyphens joined.

Pure layout rules on lines that already carry their position (bot.documents.pdftext
reads them with pypdf), so each rule is tested on its own:

- A running header or footer is a line among the top or bottom two of a page,
  within its outer 15 %, that recurs there on at least half the pages (at least
  two), compared with digits normalised, so "Page 3 of 40" and "Page 4 of 40"
  are the same line.
- Lines are in the order the PDF draws them, which for a two-column layout is
  the first column, then the second, as the generator wrote them. A paragraph
  ends where the gap to the next line is clearly wider than the page's usual
  line spacing, where the next line is higher up (a new column or box), or
  where the font size changes (a heading).
- A word hyphenated at a line end ("cool-" / "ing") is joined ("cooling") when
  the next line of the paragraph starts with a lower-case letter; a soft
  hyphen at a line end always joins.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be running
EDGE_BAND = 0.15  # share of the page height at the top and at the bottom
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_PARAGRAPH_GAP = 1.4  # x the page's usual line spacing
_SIZE_CHANGE = 0.15  # relative font size change that ends a paragraph


@dataclass(frozen=True)
class Line:
    """One line of a page as drawn: its text, baseline position (points) and font size."""

    text: str
    x: float
    y: float
    size: float


def running_key(text: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", text)).strip().lower()


def strip_running(
    pages: list[list[Line]],
    boxes: list[tuple[float, float]],
    keep: frozenset[int] = frozenset(),
) -> list[list[Line]]:
    """``pages`` without their running headers and footers.

    ``boxes`` are the pages' (bottom, top) in points: a running line lies in the
    outer EDGE_BAND of its page. Lines whose ``id`` is in ``keep`` (bookmarked
    headings, such as a "Chapter 3" atop every chapter's first page) stay.
    """
    edges = [_edges(lines, box, keep) for lines, box in zip(pages, boxes, strict=True)]
    seen = Counter(key for page in edges for key in {running_key(line.text) for line in page})
    with_text = sum(1 for lines in pages if lines)
    needed = max(2, math.ceil(with_text / 2))
    running = {key for key, count in seen.items() if count >= needed}
    if not running:
        return pages
    kept = []
    for lines, edge in zip(pages, edges, strict=True):
        drop = {id(line) for line in edge if running_key(line.text) in running}
        kept.append([line for line in lines if id(line) not in drop])
    return kept


def _edges(lines: list[Line], box: tuple[float, float], keep: frozenset[int]) -> list[Line]:
    """The top and bottom few lines of the page that lie in its outer band."""
    bottom, top = box
    band = EDGE_BAND * (top - bottom)
    by_height = sorted(lines, key=lambda line: line.y)
    low = [line for line in by_height[:_EDGE_LINES] if line.y <= bottom + band]
    high = [line for line in by_height[-_EDGE_LINES:] if line.y >= top - band]
    return [line for line in dict.fromkeys(low + high) if id(line) not in keep]


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """The page's lines grouped into paragraphs, in drawing order."""
    if not lines:
        return []
    spacing = _line_spacing(lines)
    groups: list[list[Line]] = [[lines[0]]]
    for previous, line in zip(lines, lines[1:], strict=False):
        if _breaks(previous, line, spacing):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _line_spacing(lines: list[Line]) -> float:
    gaps = [
        a.y - b.y
        for a, b in zip(lines, lines[1:], strict=False)
        if 0 < a.y - b.y < 3 * max(a.size, b.size, 1.0)
    ]
    return statistics.median(gaps) if gaps else 0.0


def _breaks(previous: Line, line: Line, spacing: float) -> bool:
    gap = previous.y - line.y
    size = max(previous.size, line.size, 1.0)
    if gap < 0.3 * size:  # on the same baseline or higher up: another column or box
        return True
    if abs(previous.size - line.size) > _SIZE_CHANGE * size:
        return True
    return gap > _PARAGRAPH_GAP * (spacing or 1.2 * size)


def join_lines(lines: list[Line]) -> str:
    """A paragraph's text: lines joined by line breaks, hyphenated words joined."""
    out = ""
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if out.endswith("\u00ad") or (_HYPHENATED.search(out) and text[0].islower()):
            out = out[:-1] + text  # the hyphen out, the word whole
        else:
            out = f"{out}\n{text}" if out else text
    return out
