"""The search index: a corpus analysed, its synonyms mined, its passages ranked.

``SearchIndex.build`` is the one place that wires documents, analysis and
ranking together; ``search`` returns plain ``Result`` objects that say which
passage matched, how well, and which question terms it covers.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from bot.analysis import Analyzer
from bot.answer_types import expected_type, has_evidence
from bot.config import Config
from bot.corpus import Corpus, Passage, load_corpus
from bot.query import Query, QueryBuilder
from bot.ranking import Engine, RankBM25Engine, idf
from bot.synonyms import AcronymMiner, SynonymTable, build_synonyms
from bot.typos import TypoCorrector

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    passage: Passage
    score: float
    coverage: float  # share of the question's weight found in the passage
    matched_terms: frozenset[str]  # the passage's terms that match the question


@dataclass(frozen=True)
class SearchOutcome:
    query: Query
    results: list[Result]  # only results that pass the no-answer rule

    @property
    def answered(self) -> bool:
        return bool(self.results)


class SearchIndex:
    """Everything needed to rank passages for a question; immutable once built."""

    def __init__(
        self,
        config: Config,
        corpus: Corpus,
        analyzer: Analyzer,
        synonyms: SynonymTable,
        engine: Engine,
        doc_freqs: Counter[str],
        surface_terms: dict[str, str],
        build_seconds: float,
    ) -> None:
        self.config = config
        self.corpus = corpus
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.engine = engine
        self.doc_freqs = doc_freqs
        self.build_seconds = build_seconds
        self.fields = FieldTerms(analyzer, synonyms, corpus, config.retrieval)
        n_docs = len(corpus.passages)
        corrector = (
            TypoCorrector(surface_terms, config.analysis.typo_min_length)
            if config.analysis.typo_correction
            else None
        )
        self.queries = QueryBuilder(
            analyzer,
            synonyms,
            corrector,
            surface_terms,
            doc_freq=lambda term: doc_freqs.get(term, 0),
            weight_of=lambda df: idf(df, n_docs),
            typo_weight=config.analysis.typo_weight,
        )

    @classmethod
    def build(cls, config: Config, corpus: Corpus | None = None) -> SearchIndex:
        started = time.perf_counter()
        corpus = corpus if corpus is not None else load_corpus(config.corpus)
        analyzer = Analyzer(config.analysis)
        mined: list[tuple[str, str]] = []
        if config.analysis.mine_acronyms:
            miner = AcronymMiner()
            for passage in corpus.passages:
                miner.feed(passage.text)
            mined = miner.pairs()
            log.debug("mined acronyms: %s", mined)
        synonyms = build_synonyms(analyzer, config.analysis.synonyms, mined)
        documents: list[list[str]] = []
        doc_freqs: Counter[str] = Counter()
        surface_terms: dict[str, str] = {}
        fields = FieldTerms(analyzer, synonyms, corpus, config.retrieval)
        for passage in corpus.passages:
            terms = index_terms(analyzer, synonyms, passage.text, surface_terms)
            terms += fields.of(passage)
            documents.append(terms)
            doc_freqs.update(set(terms))
        retrieval = config.retrieval
        engine = RankBM25Engine(documents, retrieval.k1, retrieval.b, retrieval.epsilon)
        seconds = time.perf_counter() - started
        return cls(config, corpus, analyzer, synonyms, engine, doc_freqs, surface_terms, seconds)

    @property
    def vocabulary_size(self) -> int:
        return len(self.doc_freqs)

    def passage_terms(self, passage: Passage) -> Collection[str]:
        """The passage's index terms: from the engine when it keeps them, else re-analysed."""
        kept = self.engine.terms_of(passage.pid)
        if kept is not None:
            return kept
        terms = index_terms(self.analyzer, self.synonyms, passage.text)
        return set(terms + self.fields.of(passage))

    def search(self, question: str, k: int | None = None) -> SearchOutcome:
        """Rank passages, rescore the best by how much of the question they cover.

        The final score is BM25 x coverage^coord_weight (Lucene's classic
        "coord" factor, on IDF-weighted concepts): a passage that holds all of
        the question beats one that repeats part of it. Passages that cover
        too little of the question are dropped (the no-answer rule), as are
        passages without a number or time when the question asks for one;
        a question naming something no document mentions has no answer.
        """
        retrieval = self.config.retrieval
        k = k or retrieval.top_k
        query = self.queries.build(question)
        if retrieval.refuse_unknown_names and query.unknown_names:
            return SearchOutcome(query, [])
        depth = max(k, retrieval.rerank_depth)
        wanted = expected_type(question) if retrieval.answer_type_check else None
        hits = self.engine.search(query.terms, depth)
        if retrieval.prf_docs and hits:
            expanded = dict(query.terms)
            for term, weight in self.feedback_terms(query.terms, hits[: retrieval.prf_docs]):
                expanded.setdefault(term, weight)
            hits = self.engine.search(expanded, depth)
        results = []
        for hit in hits:
            passage = self.corpus.passages[hit.pid]
            if not has_evidence(wanted, passage.text):
                continue
            terms = self.passage_terms(passage)
            coverage, matched = query.coverage(terms)
            if coverage >= retrieval.min_coverage and matched >= min(
                retrieval.min_matched_terms, len(query.concepts)
            ):
                score = hit.score * coverage**retrieval.coord_weight
                matched_terms = frozenset(t for t in query.terms if t in terms)
                results.append(Result(passage, score, coverage, matched_terms))
        results.sort(key=lambda r: (-r.score, r.passage.pid))
        return SearchOutcome(query, results[:k])

    def feedback_terms(self, query_terms, hits) -> list[tuple[str, float]]:
        """Pseudo-relevance feedback: frequent, rare terms of the top passages (RM3-like)."""
        retrieval = self.config.retrieval
        n_docs = len(self.corpus.passages)
        votes: Counter[str] = Counter()
        for hit in hits:
            for term in set(self.passage_terms(self.corpus.passages[hit.pid])):
                if term not in query_terms and not term.startswith("~"):
                    votes[term] += 1
        scored = sorted(
            (
                (count * idf(self.doc_freqs.get(term, 0), n_docs), term)
                for term, count in votes.items()
                if count > 1 or len(hits) == 1
            ),
            reverse=True,
        )
        return [(term, retrieval.prf_weight) for _, term in scored[: retrieval.prf_terms]]


class FieldTerms:
    """Title (and section) terms added to every passage of a document, repeated by weight."""

    def __init__(self, analyzer: Analyzer, synonyms: SynonymTable, corpus: Corpus, retrieval):
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.corpus = corpus
        self.title_weight = retrieval.title_weight
        self.section_weight = retrieval.section_weight
        self._cache: dict[str, list[str]] = {}

    def of(self, passage: Passage) -> list[str]:
        extra: list[str] = []
        if self.title_weight:
            title = (
                self.corpus.documents[passage.doc_id].meta.title
                if passage.doc_id in (self.corpus.documents)
                else ""
            )
            extra += self._terms(title) * self.title_weight
        if self.section_weight and passage.section:
            extra += self._terms(passage.section) * self.section_weight
        return extra

    def _terms(self, text: str) -> list[str]:
        if text not in self._cache:
            terms = self.analyzer.terms(text)
            self._cache[text] = terms + self.synonyms.expand(terms)
        return self._cache[text]


def index_terms(
    analyzer: Analyzer,
    synonyms: SynonymTable,
    text: str,
    surface_terms: dict[str, str] | None = None,
) -> list[str]:
    """A passage's index terms: its own plus those of synonyms of its phrases."""
    terms = []
    for word in analyzer.words(text):
        if word.term is not None:
            terms.append(word.term)
            if surface_terms is not None:
                surface_terms.setdefault(word.norm, word.term)
    return terms + synonyms.expand(terms)
