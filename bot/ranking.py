"""Ranking engines behind one small interface, returning plain ``Hit`` objects.

rank-bm25's ``BM25Okapi`` is the reference engine. It is given pre-analysed
terms (never its ``tokenizer=``, which opens a process pool it never closes).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple, Protocol

import numpy as np
from rank_bm25 import BM25Okapi


class Hit(NamedTuple):
    pid: int
    score: float


class Engine(Protocol):
    """What the retriever needs from a ranking engine."""

    name: str

    def search(self, terms: Mapping[str, float], k: int) -> list[Hit]:
        """The ``k`` best passages for weighted query terms, best first, score > 0."""
        ...

    def terms_of(self, pid: int) -> Collection[str] | None:
        """The index terms of one passage, if the engine keeps them (else None)."""
        ...


def idf(doc_freq: int, n_docs: int) -> float:
    """Lucene's BM25 IDF: always positive, used for weights outside the engine."""
    return math.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


class RankBM25Engine:
    """rank-bm25's BM25Okapi (k1, b, epsilon as configured)."""

    name = "rank-bm25"

    def __init__(self, documents: Sequence[list[str]], k1: float, b: float, epsilon: float):
        if not documents:
            raise ValueError("cannot rank an empty corpus")
        self._bm25 = BM25Okapi(list(documents), k1=k1, b=b, epsilon=epsilon)
        # BM25Okapi floors negative IDFs at epsilon * average IDF; on a corpus of one
        # or two passages the average itself is negative and every score would be
        # below zero. Keep the floor positive so tiny corpora still rank.
        if self._bm25.average_idf <= 0:
            for term, value in self._bm25.idf.items():
                if value <= 0:
                    self._bm25.idf[term] = epsilon or 1e-6

    def search(self, terms: Mapping[str, float], k: int) -> list[Hit]:
        scores = np.zeros(self._bm25.corpus_size)
        for term, weight in terms.items():
            if term in self._bm25.idf:  # unknown terms score 0 everywhere
                scores += weight * self._bm25.get_scores([term])
        return top_hits(scores, k)

    def terms_of(self, pid: int) -> Collection[str] | None:
        return self._bm25.doc_freqs[pid].keys()


def top_hits(scores: np.ndarray, k: int) -> list[Hit]:
    """The k highest positive scores, ties broken by passage order (stable)."""
    if k <= 0 or not len(scores):
        return []
    k = min(k, len(scores))
    candidates = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    order = sorted(candidates, key=lambda i: (-scores[i], i))
    return [Hit(int(i), float(scores[i])) for i in order if scores[i] > 0]
