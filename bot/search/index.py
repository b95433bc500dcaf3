"""The search index: a corpus analysed, its synonyms mined, its passages ranked.

``SearchIndex.build`` is the one place that wires documents, analysis and
ranking together; ``search`` returns plain ``Result`` objects that say which
passage matched, how well, and which question terms it covers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import heapq
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.analysis.analyzer import Analyzer
from bot.analysis.synonyms import SynonymTable
from bot.analysis.typos import TypoCorrector
from bot.config import Config, with_glossaries
from bot.documents.corpus import Corpus, Passage, load_corpus, no_document_error
from bot.documents.loading import SkippedFile, walk_corpus
from bot.documents.repeats import apply_repeats, hide_repeats
from bot.documents.sentences import split_sentences
from bot.search.answer_types import expected_type, has_evidence
from bot.search.duplicates import collapse
from bot.search.engine import TITLE_FIELD, Engine, RankBM25Engine, field_of, idf
from bot.search.query import Query, QueryBuilder
from bot.search.store import IndexStore, PassageView, StoreReport
from bot.search.tantivy_engine import TantivyEngine
from bot.search.terms import (
    FieldTerms,
    PassageTerms,
    field_terms,
    mine_acronyms,
    synonym_table,
    vocabulary_size,
)

log = logging.getLogger(__name__)
BYTES_PER_PASSAGE = 600


@dataclass(frozen=True)
class Result:
    passage: Passage
    score: float
    coverage: float  # share of the question's weight found in the passage
    matched_terms: frozenset[str]  # the passage's terms that match the question
    title_share: float = 0.0  # part of ``coverage`` held only by the document title


@dataclass(frozen=True)
class SearchOutcome:
    query: Query
    results: list[Result]  # only results that pass the no-answer rule

    @property
    def answered(self) -> bool:
        return bool(self.results)


class SearchIndex:
    """Everything needed to rank passages for a question; immutable once built.

    ``corpus.passages`` is a list (rank-bm25) or a view over the stored index
    (tantivy): both are indexed by passage id and have a length.
    """

    def __init__(
        self,
        config: Config,
        corpus: Corpus,
        analyzer: Analyzer,
        synonyms: SynonymTable,
        engine: Engine,
        doc_freq: Callable[[str], int],
        surface_terms: dict[str, str],
        build_seconds: float,
        *,
        vocabulary_size: int = 0,
        fingerprint: str = "",
        store_report: StoreReport | None = None,
    ) -> None:
        self.config = config
        self.corpus = corpus
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.engine = engine
        self.doc_freq = doc_freq
        self.build_seconds = build_seconds
        self.vocabulary_size = vocabulary_size
        self.fingerprint = fingerprint
        self.store_report = store_report
        self.fields = FieldTerms(analyzer, synonyms, corpus.documents)
        self._sentence_terms = lru_cache(maxsize=4096)(self._compute_sentence_terms)
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
            doc_freq=doc_freq,
            weight_of=self.idf_of_df,
            typo_weight=config.analysis.typo_weight,
            bigram_weight=config.retrieval.bigram_weight,
            code_weight=config.retrieval.identifier_weight,
            filler=config.retrieval.question_filler,
        )

    def idf_of_df(self, doc_freq: int) -> float:
        return idf(doc_freq, max(1, len(self.corpus.passages)))

    def idf(self, term: str) -> float:
        return self.idf_of_df(self.doc_freq(term))

    @classmethod
    def build(
        cls, config: Config, corpus: Corpus | None = None, progress: bool = False
    ) -> SearchIndex:
        """Build (or, for tantivy, open and update) the index the config asks for.

        Without a ``corpus``, it is read from the configured paths, and so are
        their glossaries (``synonyms.yaml``).
        """
        if corpus is None:
            config = with_glossaries(config)
        engine = choose_engine(config, corpus)
        if engine == "tantivy" and corpus is None:
            return cls._open_store(config, progress)
        return cls._build_in_memory(config, corpus, engine)

    @classmethod
    def _build_in_memory(cls, config: Config, corpus: Corpus | None, engine_name: str):
        started = time.perf_counter()
        corpus = corpus if corpus is not None else load_corpus(config.corpus)
        analyzer = Analyzer(config.analysis)
        mined: list[tuple[str, str]] = []
        if config.analysis.mine_acronyms:
            mined = mine_acronyms(passage.text for passage in corpus.passages)
        synonyms = synonym_table(analyzer, config.analysis, mined)
        doc_freqs: Counter[str] = Counter()
        with_bigrams = config.retrieval.bigram_weight > 0
        terms = PassageTerms(analyzer, synonyms, corpus.documents, with_bigrams, None, doc_freqs)
        engine: Engine
        if engine_name == "tantivy":
            tantivy_engine = TantivyEngine(None)
            terms.index(corpus.passages, tantivy_engine.add)
            tantivy_engine.commit()
            engine = tantivy_engine
        else:
            documents: list[list[str]] = []
            terms.index(corpus.passages, lambda _, passage_terms: documents.append(passage_terms))
            retrieval = config.retrieval
            engine = RankBM25Engine(
                documents, retrieval.k1, retrieval.b, retrieval.epsilon, retrieval.idf
            )
        seconds = time.perf_counter() - started
        return cls(
            config,
            corpus,
            analyzer,
            synonyms,
            engine,
            lambda t: doc_freqs.get(t, 0),
            terms.vocabulary,
            seconds,
            vocabulary_size=terms.vocabulary_size,
            fingerprint=_passages_fingerprint(corpus.passages),
        )

    @classmethod
    def _open_store(cls, config: Config, progress: bool) -> SearchIndex:
        analyzer = Analyzer(config.analysis)
        store = IndexStore(config, config.retrieval.index_dir)
        engine, manifest, synonyms, vocabulary, report = store.open(analyzer, progress)
        documents = store.documents(manifest)
        count = sum(d.passage_count for d in documents.values())
        skipped = store.skipped(manifest)
        if not count:
            raise no_document_error(config.corpus.paths, skipped)
        corpus = Corpus(documents=documents, skipped=skipped)
        corpus.passages = PassageView(engine, count)  # type: ignore[assignment]
        digest = hashlib.blake2b(digest_size=4)
        for doc_id, entry in sorted(manifest.files.items()):
            digest.update(f"{doc_id}\0{entry.sha256}\n".encode())
        # Finding repeated pages reads every passage back: done once per version of the
        # documents, and kept beside the index for the next start.
        kept = store.repeats(digest.hexdigest())
        if kept is None:
            found = hide_repeats(corpus)
            pids = sorted(corpus.hidden)
            store.save_repeats(digest.hexdigest(), [(r.doc_id, r.reason) for r in found], pids)
        else:
            reports, pids = kept
            apply_repeats(corpus, reports, pids)
        log.info(
            "index %s: %s in %.2f s (%d changed, %d added, %d deleted)",
            store.folder,
            report.action,
            report.seconds,
            len(report.changed),
            len(report.added),
            len(report.deleted),
        )
        return cls(
            config,
            corpus,
            analyzer,
            synonyms,
            engine,
            lru_cache(maxsize=100_000)(engine.doc_freq),
            vocabulary,
            report.seconds,
            vocabulary_size=vocabulary_size(vocabulary),
            fingerprint=digest.hexdigest(),
            store_report=report,
        )

    def passage_terms(self, passage: Passage, with_groups: bool = True) -> Collection[str]:
        """The passage's index terms: from the engine when it keeps them, else re-analysed.

        Re-analysis skips bigrams (never a question concept) and, unless asked
        for, synonym group terms: most questions have none, and scanning for
        them is the costly part.
        """
        kept = self.engine.terms_of(passage.pid)
        if kept is not None:
            return kept
        terms = self.analyzer.terms(passage.text)
        if with_groups:
            terms += self.synonyms.expand(terms)
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
        field_terms(query.terms, retrieval.title_weight, retrieval.section_weight)
        if retrieval.refuse_unknown_names and query.unknown_names:
            return SearchOutcome(query, [])
        depth = max(k, retrieval.rerank_depth)
        wanted = expected_type(question) if retrieval.answer_type_check else None
        hits = self.engine.search(query.terms, depth)
        if retrieval.prf_docs and hits:
            expanded = dict(query.terms)
            for term, weight in self.feedback_terms(query.terms, hits[: retrieval.prf_docs]):
                expanded[term] = expanded.get(term, 0.0) + weight
            hits = self.engine.search(expanded, depth)
        results = []
        with_groups = any(term.startswith("~") for term in query.terms)
        title_credit = self.title_credit(query) if retrieval.title_coverage else {}
        for hit in hits:
            if hit.pid in self.corpus.hidden:  # repeats a more specific page
                continue
            passage = self.corpus.passages[hit.pid]
            if not has_evidence(wanted, passage.text):
                continue
            terms = self.passage_terms(passage, with_groups)
            coverage, matched, title_share = self._coverage(query, passage, terms, title_credit)
            if coverage >= retrieval.min_coverage and matched >= min(
                retrieval.min_matched_terms, len(query.concepts)
            ):
                score = hit.score * self.length_factor(passage) * coverage**retrieval.coord_weight
                matched_terms = frozenset(t for t in query.terms if t in terms)
                results.append(Result(passage, score, coverage, matched_terms, title_share))
        results.sort(key=lambda r: (-r.score, r.passage.pid))
        # Near duplicates are collapsed below, so a few more candidates are rescored.
        wanted_k = 3 * k if retrieval.duplicate_similarity < 1 else k
        if retrieval.sentence_weight:
            results = self.rescore_by_sentences(query, results, wanted_k)
        if retrieval.duplicate_similarity < 1:
            results = collapse(results, lambda r: r.passage.text, retrieval.duplicate_similarity, k)
        return SearchOutcome(query, results[:k])

    def length_factor(self, passage: Passage) -> float:
        """BM25's length normalisation redone with a floor of ``min_passage_words``.

        For a term found once, BM25 scores 1 / (1 + k1 (1 - b + b L / avgdl)); a
        passage of L words under the floor gets the score it would have at the
        floor. Done here, after either engine, so rank-bm25 and tantivy agree.
        """
        floor = self.config.retrieval.min_passage_words
        length = len(passage.text.split())
        if length >= floor:
            return 1.0
        retrieval = self.config.retrieval
        k1, b, average = retrieval.k1, retrieval.b, self.average_words

        def norm(words: float) -> float:
            return 1 + k1 * (1 - b + b * words / average)

        return norm(length) / norm(floor)

    @cached_property
    def average_words(self) -> float:
        """Mean words per passage, from at most 2,000 passages spread over the corpus."""
        passages = self.corpus.passages
        # A stored index keeps the pids of deleted files' passages free: ask it which exist.
        pids = sorted(passages.engine.pids()) if isinstance(passages, PassageView) else None
        every = pids if pids is not None else range(len(passages))
        sample = [len(passages[pid].text.split()) for pid in every[:: max(1, len(every) // 2000)]]
        return max(1.0, sum(sample) / max(1, len(sample)))

    def _coverage(
        self,
        query: Query,
        passage: Passage,
        terms: Collection[str],
        title_credit: Mapping[str, float],
    ) -> tuple[float, int, float]:
        """Coverage, concepts matched, and the part of the coverage only the title holds."""
        coverage, matched = query.coverage(terms)
        title = self.fields.title_words(passage) if title_credit else ()
        in_title = {t: share for t, share in title_credit.items() if t in title}
        if not in_title:
            return coverage, matched, 0.0
        with_title, matched = query.coverage(terms, in_title)
        return with_title, matched, with_title - coverage

    def title_credit(self, query: Query) -> dict[str, float]:
        """How much of its concept a question term earns by being in a passage's title.

        As much as the title tells passages apart: the term's IDF among titles over
        its IDF among texts, at most 1. Where every passage shares one title (a
        single long document) it tells none apart and earns almost nothing; among
        many titled documents it earns its full weight.
        """
        credit = {}
        for concept in query.concepts:
            for term in concept.alternatives:
                # Counts of at least 1: a word found only in one title earns it all.
                in_texts = self.idf_of_df(max(1, self.doc_freq(term)))
                in_titles = self.idf_of_df(max(1, self.doc_freq(TITLE_FIELD + term)))
                credit[term] = min(1.0, in_titles / in_texts)
        return credit

    def rescore_by_sentences(self, query: Query, results: list[Result], k: int) -> list[Result]:
        """Multiply each score by 1 - w + w x the best sentence window's coverage.

        A window holds at most what its passage holds, so score x (1 - w + w x
        passage coverage) bounds the rescored score: candidates are taken by
        that bound, and once k rescored results beat the next bound nothing
        further down can enter the top k. The rest is skipped (exact; for a
        bot's top 3 that is most of the work).
        """
        weight = self.config.retrieval.sentence_weight

        def scaled(result: Result, share: float) -> float:
            return result.score * (1 - weight + weight * share)

        rescored: list[Result] = []
        best_k: list[float] = []  # min-heap of the k best rescored scores
        for result in sorted(results, key=lambda r: (-scaled(r, r.coverage), r.passage.pid)):
            if len(best_k) == k and scaled(result, result.coverage) < best_k[0]:
                break
            groups = frozenset(t for t in result.matched_terms if t.startswith("~"))
            # The title is the context of every sentence: what it holds counts in each.
            window = self.window_coverage(query, result.passage, groups)
            near = min(window + result.title_share, result.coverage)
            score = scaled(result, near)
            rescored.append(dataclasses.replace(result, score=score))
            if len(best_k) < k:
                heapq.heappush(best_k, score)
            elif score > best_k[0]:
                heapq.heapreplace(best_k, score)
        rescored.sort(key=lambda r: (-r.score, r.passage.pid))
        return rescored

    def window_coverage(
        self, query: Query, passage: Passage, groups: Collection[str] = ()
    ) -> float:
        """The share of the question held by the passage's best run of sentences.

        A passage whose question words sit together in one or two sentences
        is more likely to answer than one where they are scattered.
        """
        window = self.config.retrieval.sentence_window
        concepts_of = query.concepts_by_term
        total = query.total_weight
        if not total:
            return 0.0
        matched: list[set[int]] = []  # the question concepts each sentence holds
        # Concepts a synonym group term of the passage (``groups``) can add: a sentence
        # is scanned for synonym phrases only when it lacks one of them.
        via_groups = {i for term in groups for i in concepts_of.get(term, ())}
        for terms in self._sentence_terms(passage.pid):
            held = {i for term in terms for i in concepts_of.get(term, ())}
            if not via_groups <= held:
                held.update(
                    i for term in self.synonyms.expand(terms) for i in concepts_of.get(term, ())
                )
            matched.append(held)
        best = max(
            sum(query.concepts[i].weight for i in set().union(*matched[start : start + window]))
            for start in range(max(1, len(matched) - window + 1))
        )
        return best / total

    def _compute_sentence_terms(self, pid: int) -> tuple[list[str], ...]:
        text = self.corpus.passages[pid].text
        return tuple(self.analyzer.terms(text[s:e]) for s, e in split_sentences(text))

    def feedback_terms(self, query_terms, hits) -> list[tuple[str, float]]:
        """Pseudo-relevance feedback as RM3: the relevance model of the top passages.

        P(w|R) = sum over the feedback passages of P(w|d) x P(d|q), with P(w|d) the
        term's share of the passage and P(d|q) its share of the passages' BM25
        score. The prf_terms most likely words are mixed into the question with
        weight prf_weight (the question keeps 1 - prf_weight): each returned weight
        is relative to a question word's weight of 1.
        """
        retrieval = self.config.retrieval
        total_score = sum(hit.score for hit in hits) or 1.0
        model: Counter[str] = Counter()
        for hit in hits:
            counts = Counter(self.analyzer.terms(self.corpus.passages[hit.pid].text))
            length = sum(counts.values()) or 1
            for term, count in counts.items():
                model[term] += count / length * hit.score / total_score
        chosen = model.most_common(retrieval.prf_terms)
        mass = sum(p for _, p in chosen) or 1.0
        words = sum(1 for t in query_terms if field_of(t) == "words" and not t.startswith("~"))
        # Question words each hold (1 - w) / n of the mixed model, feedback word t holds
        # w x P(t|R) / mass; rescaled so that a question word weighs 1.
        scale = retrieval.prf_weight / (1 - retrieval.prf_weight) * max(words, 1) / mass
        return [(term, p * scale) for term, p in chosen]


def choose_engine(config: Config, corpus: Corpus | None) -> str:
    """The configured engine; for "auto", tantivy from auto_tantivy_from passages on.

    Without a loaded corpus the size is estimated from the files' bytes
    (about 600 bytes a passage), so the choice costs a directory walk, not a read.
    """
    engine = config.retrieval.engine
    if engine != "auto":
        return engine
    if corpus is not None:
        size = len(corpus.passages)
    else:
        total = 0
        for item in walk_corpus(
            config.corpus.paths, config.corpus.extensions, config.corpus.exclude
        ):
            if not isinstance(item, SkippedFile):
                with contextlib.suppress(OSError):
                    total += item[0].stat().st_size
        size = total // BYTES_PER_PASSAGE
    return "tantivy" if size >= config.retrieval.auto_tantivy_from else "rank-bm25"


def _passages_fingerprint(passages) -> str:
    digest = hashlib.blake2b(digest_size=4)
    for passage in passages:
        digest.update(f"{passage.doc_id}\0{passage.start}\0{passage.end}\n".encode())
    return digest.hexdigest()
