"""Near-duplicate passages collapse in the results: the best of each keeps its place.

Documentation repeats itself: one option description is included in several
man pages, a parameter list is the same for every function of an API, and a
paragraph is copied onto two pages. Showing it twice wastes one of the few
results a reader sees. Two passages are near duplicates when their word
3-shingles overlap by at least ``threshold`` (Jaccard); the lower ranked one
is dropped and the next candidate moves up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

_WORD = re.compile(r"\w+")
SHINGLE = 3

T = TypeVar("T")


@lru_cache(maxsize=2048)
def shingles(text: str) -> frozenset[int]:
    """The text's word 3-grams (case folded, hashed); a shorter text is its one n-gram."""
    words = _WORD.findall(text.casefold())
    if len(words) <= SHINGLE:
        return frozenset([hash(tuple(words))])
    return frozenset(hash(tuple(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1))


def similarity(first: frozenset, second: frozenset) -> float:
    """Jaccard similarity of two shingle sets."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def collapse(items: Sequence[T], text_of: Callable[[T], str], threshold: float, k: int) -> list[T]:
    """The first ``k`` items (best first) with each near duplicate of a kept one left out.

    Prefix filtering keeps this fast for long rankings (evaluation asks for 300):
    two sets with Jaccard >= t share at least one of each one's
    ``|A| - ceil(t |A|) + 1`` smallest shingles, so only kept items sharing such
    a shingle are compared.
    """
    kept: list[T] = []
    kept_sets: list[frozenset[int]] = []
    by_prefix: dict[int, list[int]] = {}  # prefix shingle -> kept items holding it
    for item in items:
        if len(kept) == k:
            break
        current = shingles(text_of(item))
        prefix = _prefix(current, threshold)
        candidates = {i for shingle in prefix for i in by_prefix.get(shingle, ())}
        low, high = threshold * len(current), len(current) / threshold if threshold else math.inf
        if any(
            low <= len(kept_sets[i]) <= high and similarity(current, kept_sets[i]) >= threshold
            for i in candidates
        ):
            continue
        for shingle in prefix:
            by_prefix.setdefault(shingle, []).append(len(kept))
        kept.append(item)
        kept_sets.append(current)
    return kept


def _prefix(shingle_set: frozenset[int], threshold: float) -> list[int]:
    size = len(shingle_set) - math.ceil(threshold * len(shingle_set)) + 1
    return sorted(shingle_set)[: max(1, size)]
