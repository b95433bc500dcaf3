"""Near-duplicate passages collapse in the results: the best of each keeps its place.

Documentation repeats itself: one option description is included in several
man pages, a parameter list is the same for every function of an API, and a
paragraph is copied onto two pages. Showing it twice wastes one of the few
results a reader sees. Two passages are near duplicates when their word
3-shingles overlap by at least ``threshold`` (Jaccard); the lower ranked one
is dropped and the next candidate moves up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

_WORD = re.compile(r"\w+")
SHINGLE = 3

T = TypeVar("T")


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """The text's word 3-grams (case folded); a shorter text is its one n-gram."""
    words = _WORD.findall(text.casefold())
    if len(words) <= SHINGLE:
        return frozenset([tuple(words)])
    return frozenset(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def similarity(first: frozenset, second: frozenset) -> float:
    """Jaccard similarity of two shingle sets."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def collapse(items: Sequence[T], text_of: Callable[[T], str], threshold: float, k: int) -> list[T]:
    """The first ``k`` items (best first) with each near duplicate of a kept one left out."""
    kept: list[T] = []
    kept_shingles: list[frozenset] = []
    for item in items:
        if len(kept) == k:
            break
        current = shingles(text_of(item))
        if any(similarity(current, other) >= threshold for other in kept_shingles):
            continue
        kept.append(item)
        kept_shingles.append(current)
    return kept
