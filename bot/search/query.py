"""A question as weighted concepts: its words, their typo corrections and synonyms.

Each content word of the question is a *concept*; a passage covers it if it
contains any of the concept's alternative terms. The share of the question's
weight a passage covers decides whether it answers the question at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from bot.analysis.analyzer import Analyzer, Word, bigrams
from bot.analysis.filler import FILLER_WEIGHT, is_filler
from bot.analysis.synonyms import SynonymTable
from bot.analysis.typos import TypoCorrector


@dataclass(frozen=True)
class Concept:
    word: str  # the question word as normalised
    weight: float  # how much of the question it is (IDF)
    alternatives: Mapping[str, float]  # term -> weight in the ranking query
    is_name: bool = False  # capitalised mid-sentence (or an acronym): a proper name
    known: bool = True  # some alternative occurs in the documents


@dataclass(frozen=True)
class Query:
    text: str
    concepts: tuple[Concept, ...]
    terms: dict[str, float] = field(default_factory=dict)  # for the engine

    @property
    def unknown_names(self) -> list[str]:
        """Names in the question that no document mentions (e.g. "Texas")."""
        return [c.word for c in self.concepts if c.is_name and not c.known]

    @cached_property
    def concepts_by_term(self) -> dict[str, tuple[int, ...]]:
        """Which concepts (by index) each alternative term stands for."""
        found: dict[str, list[int]] = {}
        for index, concept in enumerate(self.concepts):
            for term in concept.alternatives:
                found.setdefault(term, []).append(index)
        return {term: tuple(indexes) for term, indexes in found.items()}

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.concepts)

    def coverage(
        self, passage_terms: Collection[str], partly_held: Mapping[str, float] | None = None
    ) -> tuple[float, int]:
        """Share of the question's weight found in a passage, and how many concepts.

        ``partly_held`` maps terms the passage holds only in part (its document
        title's words) to the share of their concept's weight they earn; a concept
        counts in the number matched only when fully held.
        """
        total = self.total_weight
        if not total:
            return 0.0, 0
        held, matched = 0.0, 0
        for concept in self.concepts:
            if any(t in passage_terms for t in concept.alternatives):
                share = 1.0
            elif partly_held:
                share = max((partly_held.get(t, 0.0) for t in concept.alternatives), default=0.0)
            else:
                continue
            held += concept.weight * share
            matched += share == 1.0
        return held / total, matched


@dataclass
class QueryBuilder:
    analyzer: Analyzer
    synonyms: SynonymTable
    corrector: TypoCorrector | None
    surface_terms: Mapping[str, str]  # vocabulary word -> its term (for typo matches)
    doc_freq: Callable[[str], int]
    weight_of: Callable[[int], float]  # IDF from a document frequency
    typo_weight: float = 0.8
    bigram_weight: float = 0.0
    code_weight: float = 0.0  # whole identifiers ("c:os.path.join"): ranking only
    filler: bool = False  # chat filler is not a concept (bot.analysis.filler)

    def build(self, question: str) -> Query:
        words = [w for w in self.analyzer.words(question) if w.term is not None]
        code = self.analyzer.code_words(question)
        filler: list[str] = []
        if self.filler:
            words, filler = _without_filler(words, code)
        names = {w.norm for w in words if _looks_like_name(question, w.start, w.end)}
        slots: list[tuple[str, dict[str, float]]] = []
        for word in words:
            term = word.term
            assert term is not None
            alternatives: dict[str, float] = {term: 1.0}
            if not self.doc_freq(term) and self.corrector is not None:
                for surface in self.corrector.candidates(word.norm):
                    alternatives[self.surface_terms[surface]] = self.typo_weight
            slots.append((word.norm, alternatives))
        self._add_synonyms(slots)
        concepts = []
        for norm, alternatives in _dedupe(slots):
            known = [self.doc_freq(t) for t in alternatives if self.doc_freq(t)]
            # An unknown word weighs as much as the rarest known one: it is a
            # real part of the question that no passage can cover.
            weight = self.weight_of(min(known) if known else 1)
            concepts.append(
                Concept(norm, weight, alternatives, is_name=norm in names, known=bool(known))
            )
        # A word asked several times weighs that many times, as in BM25's own sum
        # over query words (it matters for long, descriptive questions).
        asked = Counter(max(alts, key=alts.__getitem__) for _, alts in slots)
        terms: dict[str, float] = {}
        for concept in concepts:
            repeats = asked[max(concept.alternatives, key=concept.alternatives.__getitem__)]
            for term, value in concept.alternatives.items():
                terms[term] = max(terms.get(term, 0.0), value * repeats)
        if self.bigram_weight:
            best = [max(alts, key=alts.__getitem__) for _, alts in slots]
            for pair in bigrams(best):
                terms.setdefault(pair, self.bigram_weight)
        if self.code_weight:
            # A whole identifier is a bonus for the passage that holds it, never a
            # concept of its own: "well-known" asked, "well known" written still covers.
            for word in code:
                if word.term:
                    terms.setdefault(word.term, self.code_weight)
        for term in filler:
            terms.setdefault(term, FILLER_WEIGHT)
        return Query(question, tuple(concepts), terms)

    def _add_synonyms(self, slots: list[tuple[str, dict[str, float]]]) -> None:
        """Give each word of a synonym phrase that phrase's group term."""
        best_terms = [max(alts, key=alts.__getitem__) for _, alts in slots]
        for start, length, token in self.synonyms.matches(best_terms):
            weight = self.synonyms.weight(token)
            for _, alternatives in slots[start : start + length]:
                alternatives.setdefault(token, weight)


def _without_filler(words: list[Word], code: list[Word]) -> tuple[list[Word], list[str]]:
    """The question's words without chat filler, and the filler's terms.

    A word inside an identifier the question writes ("ok" in ``r.ok``) is kept.
    """
    kept, filler = [], []
    for word in words:
        in_code = any(c.start <= word.start and word.end <= c.end for c in code)
        if is_filler(word.norm) and not in_code and word.term is not None:
            filler.append(word.term)
        else:
            kept.append(word)
    return kept, filler


def _looks_like_name(text: str, start: int, end: int) -> bool:
    """Capitalised but not the first word of a sentence, or an all-capitals acronym."""
    word = text[start:end]
    if len(word) >= 2 and word.isupper():
        return True
    if not word[:1].isupper():
        return False
    before = text[:start].rstrip(" \t\"'“‘(")
    return bool(before) and before[-1] not in ".!?:\n"


def _dedupe(slots: list[tuple[str, dict[str, float]]]) -> list[tuple[str, dict[str, float]]]:
    """A word asked twice is still one concept."""
    seen: set[str] = set()
    unique = []
    for slot in slots:
        key = max(slot[1], key=slot[1].__getitem__)
        if key not in seen:
            seen.add(key)
            unique.append(slot)
    return unique
