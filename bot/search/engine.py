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

from bot.analysis.code import CODE_FIELD


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


TITLE_FIELD, SECTION_FIELD = "t:", "s:"
FIELDS = ("words", "bigrams", "title", "section", "code")


def field_of(term: str) -> str:
    """Which field a term belongs to: title ("t:x"), section ("s:x"), code identifiers
    kept whole ("c:os.path.join"), bigrams ("a_b") or words (everything else, group
    terms "~x" included)."""
    if term.startswith(CODE_FIELD):
        return "code"
    if term.startswith(TITLE_FIELD):
        return "title"
    if term.startswith(SECTION_FIELD):
        return "section"
    if "_" in term and not term.startswith("~"):
        return "bigrams"
    return "words"


class LuceneIDFOkapi(BM25Okapi):
    """BM25Okapi with Lucene's IDF, ``log(1 + (N - n + 0.5) / (n + 0.5))``.

    BM25Okapi's own IDF (Robertson's, negative for words in over half the
    passages and then floored at ``epsilon`` x the average) ranks long queries
    full of common words differently from tantivy. With this IDF the two
    engines compute the same BM25 and differ only by tantivy's one-byte
    length norms.
    """

    def _calc_idf(self, nd: Mapping[str, int]) -> None:
        self.idf = {word: idf(freq, self.corpus_size) for word, freq in nd.items()}
        self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0


class RankBM25Engine:
    """rank-bm25's BM25Okapi (k1, b as configured; IDF Lucene's or Okapi's).

    Each field (words, bigrams, title, section, code) is its own BM25Okapi, so
    bigrams or a long title do not change the length normalisation of the
    words (BM25F-style); scores add up, weighted by the query.
    """

    name = "rank-bm25"

    def __init__(
        self,
        documents: Sequence[list[str]],
        k1: float,
        b: float,
        epsilon: float,
        idf_formula: str = "lucene",
    ):
        if not documents:
            raise ValueError("cannot rank an empty corpus")
        self._models: dict[str, BM25Okapi] = {}
        for name in FIELDS:
            field = [[t for t in terms if field_of(t) == name] for terms in documents]
            if name == "words" or any(field):
                self._models[name] = _okapi(field, k1, b, epsilon, idf_formula)
        self._bm25 = self._models["words"]

    def search(self, terms: Mapping[str, float], k: int) -> list[Hit]:
        scores = np.zeros(self._bm25.corpus_size)
        for term, weight in terms.items():
            model = self._models.get(field_of(term))
            if model is not None and term in model.idf:  # unknown terms score 0
                scores += weight * model.get_scores([term])
        return top_hits(scores, k)

    def terms_of(self, pid: int) -> Collection[str] | None:
        return self._bm25.doc_freqs[pid].keys()


def _okapi(
    documents: list[list[str]], k1: float, b: float, epsilon: float, idf_formula: str
) -> BM25Okapi:
    documents = [d or [""] for d in documents]
    if idf_formula == "lucene":
        return LuceneIDFOkapi(documents, k1=k1, b=b)
    model = BM25Okapi(documents, k1=k1, b=b, epsilon=epsilon)
    # BM25Okapi floors negative IDFs at epsilon * average IDF; on a corpus of one
    # or two passages the average itself is negative and every score would be
    # below zero. Keep the floor positive so tiny corpora still rank.
    if model.average_idf <= 0:
        for term, value in model.idf.items():
            if value <= 0:
                model.idf[term] = epsilon or 1e-6
    return model


def top_hits(scores: np.ndarray, k: int) -> list[Hit]:
    """The k highest positive scores, ties broken by passage order (stable)."""
    if k <= 0 or not len(scores):
        return []
    k = min(k, len(scores))
    candidates = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    order = sorted(candidates, key=lambda i: (-scores[i], i))
    return [Hit(int(i), float(scores[i])) for i in order if scores[i] > 0]
