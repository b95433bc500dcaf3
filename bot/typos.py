"""Typo matching: a question word missing from the vocabulary is mapped to close words.

Distances are Damerau-Levenshtein (a swap of two neighbours counts once, so
"jugde" is one edit from "judge"). Candidates are bucketed by length and first
letter so that a miss costs a small fraction of the vocabulary, not all of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def max_edits(word: str) -> int:
    """Edits allowed for a word of this length: 1 up to 7 letters, 2 beyond."""
    return 1 if len(word) <= 7 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), or limit+1 if above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class TypoCorrector:
    """Finds vocabulary words within a few edits of an unknown word."""

    def __init__(self, words: Iterable[str], min_length: int) -> None:
        self.min_length = min_length
        self._buckets: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in set(words):
            if len(word) >= min_length - 1 and word.isalpha():
                self._buckets[(len(word), word[0])].append(word)

    def candidates(self, word: str) -> list[str]:
        """The closest vocabulary words (all at the smallest distance), best first."""
        if len(word) < self.min_length or not word.isalpha():
            return []
        limit = max_edits(word)
        best: list[str] = []
        best_distance = limit + 1
        # A typo rarely changes the first letter; the second letter covers a swap of the two.
        firsts = {word[0], word[1]}
        for length in range(len(word) - limit, len(word) + limit + 1):
            for first in firsts:
                for candidate in self._buckets.get((length, first), ()):
                    distance = edit_distance(word, candidate, min(limit, best_distance))
                    if distance < best_distance:
                        best, best_distance = [candidate], distance
                    elif distance == best_distance and distance <= limit:
                        best.append(candidate)
        return sorted(best)[:3]
