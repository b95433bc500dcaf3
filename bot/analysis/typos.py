"""Typo matching: a question word missing from the vocabulary is mapped to close words.

Distances are Damerau-Levenshtein in its optimal-string-alignment form (a swap
of two neighbours counts once, so "jugde" is one edit from "judge"), computed
by rapidfuzz in C++. Candidates are bucketed by length and first letter so a
miss scans a small fraction of the vocabulary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA


def max_edits(word: str) -> int:
    """Edits allowed for a word of this length: 1 up to 7 letters, 2 beyond."""
    return 1 if len(word) <= 7 else 2


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
                bucket = self._buckets.get((length, first))
                if not bucket:
                    continue
                for candidate, distance, _ in process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=limit, limit=None
                ):
                    if distance < best_distance:
                        best, best_distance = [candidate], distance
                    elif distance == best_distance:
                        best.append(candidate)
        return sorted(set(best))[:3]
