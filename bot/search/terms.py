"""The one path from passages to index terms, shared by both engines' builds.

``mine_acronyms`` reads acronyms from the passages' text and ``synonym_table``
adds them to the configured groups; ``PassageTerms`` turns each passage into
the terms an engine indexes (its words, their synonym group terms, bigrams
when enabled, its title and section fields) and gathers the vocabulary. The
in-memory build (``SearchIndex``) and the tantivy store (``IndexStore``) both
call these on passages from ``bot.documents.corpus.document_of``, so both
engines see exactly the same terms, vocabulary and synonym table.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping

from bot.analysis.analyzer import Analyzer, bigrams
from bot.analysis.synonyms import AcronymMiner, SynonymTable, build_synonyms
from bot.config import AnalysisConfig
from bot.documents.corpus import Document, Passage
from bot.search.engine import SECTION_FIELD, TITLE_FIELD, field_of

log = logging.getLogger(__name__)


def mine_acronyms(texts: Iterable[str]) -> list[tuple[str, str]]:
    """Acronym pairs mined from passage texts (what is indexed, boilerplate removed)."""
    miner = AcronymMiner()
    for text in texts:
        miner.feed(text)
    mined = miner.pairs()
    log.debug("mined acronyms: %s", mined)
    return mined


def synonym_table(
    analyzer: Analyzer, config: AnalysisConfig, mined: Iterable[tuple[str, str]]
) -> SynonymTable:
    """The configured synonym groups, plus the mined acronyms when mining is on."""
    pairs = list(mined) if config.mine_acronyms else []
    return build_synonyms(analyzer, config.synonyms, pairs, config.synonym_weight)


class FieldTerms:
    """A passage's title and section terms, as separate fields ("t:term", "s:term").

    Engines score each field on its own (BM25F-style), so a title shared by
    every passage of a long document adds the same to all of them instead of
    changing their length normalisation. Title words count toward question
    coverage when ``retrieval.title_coverage`` is on (``SearchIndex.title_credit``).
    Questions reach the fields with ``field_terms``.
    """

    def __init__(
        self, analyzer: Analyzer, synonyms: SynonymTable, documents: Mapping[str, Document]
    ) -> None:
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.documents = documents
        self._cache: dict[str, list[str]] = {}

    def of(self, passage: Passage) -> list[str]:
        document = self.documents.get(passage.doc_id)
        title = document.meta.title if document else ""
        extra = [TITLE_FIELD + term for term in self._terms(title)]
        if passage.section:
            extra += [SECTION_FIELD + term for term in self._terms(passage.section)]
        return extra

    def title_words(self, passage: Passage) -> Collection[str]:
        """The terms of the passage's document title, as plain (text) terms."""
        document = self.documents.get(passage.doc_id)
        return self._terms(document.meta.title if document else "")

    def _terms(self, text: str) -> list[str]:
        if text not in self._cache:
            terms = self.analyzer.terms(text)
            self._cache[text] = terms + self.synonyms.expand(terms)
        return self._cache[text]


class PassageTerms:
    """Turns passages into index terms and gathers the vocabulary on the way.

    ``vocabulary`` maps each normalised word of the indexed text to its term
    (the typo corrector's word list); its size is the number of distinct word
    terms. Synonym group terms, bigrams and field terms are not vocabulary: the
    synonym table is reported on its own.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        synonyms: SynonymTable,
        documents: Mapping[str, Document],
        with_bigrams: bool,
        vocabulary: dict[str, str] | None = None,
        doc_freqs: Counter[str] | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.documents = dict(documents)  # the store adds each file's as it indexes it
        self.fields = FieldTerms(analyzer, synonyms, self.documents)
        self.with_bigrams = with_bigrams
        self.vocabulary: dict[str, str] = {} if vocabulary is None else vocabulary
        self.doc_freqs = doc_freqs  # counted here when given (engines that keep no counts)

    def of(self, passage: Passage) -> list[str]:
        """Everything the engines index for ``passage``, recording its words."""
        return self.of_analysed(passage, text_terms(self.analyzer, passage.text, self.vocabulary))

    def of_analysed(self, passage: Passage, terms: list[str]) -> list[str]:
        """``of`` for a passage whose text terms are known (a parallel build's workers
        analyse the text before the mined synonym table exists)."""
        words, pairs, fields = self.parts_of_analysed(passage, terms)
        terms = words + pairs + fields
        if self.doc_freqs is not None:
            self.doc_freqs.update(set(terms))
        return terms

    def parts_of_analysed(
        self, passage: Passage, terms: list[str]
    ) -> tuple[list[str], list[str], list[str]]:
        """What ``of_analysed`` joins: text and synonym group terms, bigrams, and the
        field terms: whole code identifiers, title and section (document frequencies
        are not counted here)."""
        words = terms + self.synonyms.expand(terms)
        pairs = bigrams(terms) if self.with_bigrams else []
        return words, pairs, self.analyzer.code_terms(passage.text) + self.fields.of(passage)

    def index(self, passages: Iterable[Passage], add: Callable[[Passage, list[str]], object]):
        """The indexing loop of both builds: hand each passage's terms to ``add``."""
        for passage in passages:
            add(passage, self.of(passage))

    @property
    def vocabulary_size(self) -> int:
        return vocabulary_size(self.vocabulary)


def vocabulary_size(vocabulary: Mapping[str, str]) -> int:
    """The number of distinct word terms in a vocabulary (normalised word -> term)."""
    return len(set(vocabulary.values()))


def text_terms(
    analyzer: Analyzer, text: str, surface_terms: dict[str, str] | None = None
) -> list[str]:
    """A text's own terms, in order; each new normalised word goes to ``surface_terms``."""
    pairs = analyzer.term_pairs(text)
    terms = [term for _, term in pairs]
    if surface_terms is not None:
        for norm, term in pairs:
            surface_terms.setdefault(norm, term)
    return terms


def field_terms(terms: dict[str, float], title_weight: float, section_weight: float) -> None:
    """Add the title and section field versions of a question's words, weighted."""
    for term, weight in list(terms.items()):
        if field_of(term) != "words":
            continue
        if title_weight:
            terms[TITLE_FIELD + term] = weight * title_weight
        if section_weight:
            terms[SECTION_FIELD + term] = weight * section_weight
