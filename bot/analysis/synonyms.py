"""Synonym groups (from config and mined acronyms) and their expansion over term sequences.

A group holds equivalent phrases as term tuples, e.g. ``("ir",)`` and
``("intern", "revenu", "servic")``. Every phrase of a group found in a term
sequence adds the group's one *group term* (``~ir``); documents and questions
are expanded alike, so either form finds the other, and a match through a
synonym counts once, however many phrases the group holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from bot.analysis.analyzer import Analyzer

# A run of Capitalised words, allowing short connectors between them.
_CONNECTORS = ("of", "and", "for", "the", "on", "&")
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+(?:(?:of|and|for|the|on|&)[ \t]+)?[A-Z][a-z]+)+\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")
_LEADING_ARTICLE = re.compile(r"^(?:The|A|An)[ \t]+")
_NEXT_NOUN = re.compile(r"[ \t]+([a-z]{3,})\b")
_NOT_NOUNS = frozenset(
    """
    and are was were has had have did does for the that this who which with from into
    not but can will would could should said says told
    """.split()
)


@dataclass
class SynonymTable:
    """Phrase -> group index; each group is a set of equivalent term tuples."""

    groups: list[set[tuple[str, ...]]] = field(default_factory=list)
    _group_of: dict[tuple[str, ...], int] = field(default_factory=dict)
    # First term -> lengths of the phrases starting with it, so a scan costs one
    # dict lookup per term instead of one per (term, length).
    _lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _tokens: dict[int, str] = field(default_factory=dict)
    # Phrases known to be exact equivalents (mined acronyms), as opposed to the
    # looser configured synonyms, which count for ``loose_weight`` in a question.
    exact: set[tuple[str, ...]] = field(default_factory=set)
    loose_weight: float = 1.0

    def add_group(self, phrases: Iterable[tuple[str, ...]]) -> None:
        """Add equivalent phrases; groups sharing a phrase are merged."""
        phrases = {p for p in phrases if p}
        if len(phrases) < 2:
            return
        merged = set(phrases)
        for index in sorted({self._group_of[p] for p in phrases if p in self._group_of}):
            merged |= self.groups[index]
            self.groups[index] = set()
        self.groups.append(merged)
        for phrase in merged:
            self._group_of[phrase] = len(self.groups) - 1
            lengths = set(self._lengths.get(phrase[0], ())) | {len(phrase)}
            self._lengths[phrase[0]] = tuple(sorted(lengths))
        self._tokens.clear()

    def matches(self, terms: Sequence[str]) -> Iterator[tuple[int, int, str]]:
        """(start, length, group term) of every phrase found, overlaps included."""
        lengths_of = self._lengths
        if not lengths_of:
            return
        for i, term in enumerate(terms):
            lengths = lengths_of.get(term)
            if lengths is None:
                continue
            for length in lengths:
                if i + length > len(terms):
                    break
                index = self._group_of.get(tuple(terms[i : i + length]))
                if index is not None:
                    yield i, length, self.group_term(index)

    def expand(self, terms: Sequence[str]) -> list[str]:
        """The group terms of the synonym phrases in ``terms`` (once per occurrence)."""
        found: dict[tuple[int, str], None] = {}
        for start, _, token in self.matches(terms):
            found.setdefault((start, token), None)
        return [token for _, token in found]

    def weight(self, token: str) -> float:
        """A question's weight for a group term: 1 for acronyms, else loose_weight."""
        index = self._index_of_token(token)
        if index is None or self.groups[index] & self.exact:
            return 1.0
        return self.loose_weight

    def _index_of_token(self, token: str) -> int | None:
        phrase = tuple(token[1:].split("_"))
        return self._group_of.get(phrase)

    def group_term(self, index: int) -> str:
        """A term no analyzer produces ("~" + the group's first phrase), stable per group."""
        token = self._tokens.get(index)
        if token is None:
            token = self._tokens[index] = "~" + "_".join(min(self.groups[index]))
        return token

    def pairs(self) -> list[tuple[str, ...]]:
        return sorted(p for group in self.groups for p in group)


def build_synonyms(
    analyzer: Analyzer,
    configured: Iterable[Sequence[str]],
    mined: Iterable[tuple[str, str]] = (),
    loose_weight: float = 1.0,
) -> SynonymTable:
    table = SynonymTable(loose_weight=loose_weight)
    for group in configured:
        table.add_group(analyzer.phrase_terms(entry) for entry in group)
    for short, long in mined:
        pair = [analyzer.phrase_terms(short), analyzer.phrase_terms(long)]
        table.add_group(pair)
        table.exact.update(p for p in pair if p)
    return table


class AcronymMiner:
    """Collects "Long Name" <-> ACRONYM pairs from document text.

    An acronym is accepted when it occurs in capitals somewhere in the corpus
    (IRS for "Internal Revenue Service"), or, for names of three or more
    words, when the initials including connectors spell it and it is not an
    ordinary word of the corpus (DOGE for "Department of Government Efficiency").
    A name followed by a common noun also counts ("Social Security numbers"
    for SSN), since people abbreviate those too.
    """

    def __init__(self) -> None:
        self.names: dict[str, set[str]] = {}  # candidate acronym -> long names
        self.capitals: set[str] = set()
        self.lower_words: set[str] = set()

    def feed(self, text: str) -> None:
        for match in _NAME_RUN.finditer(text):
            name = _LEADING_ARTICLE.sub("", match.group())
            words = name.split()
            capitals = [w for w in words if w[0].isupper()]
            if len(capitals) < 2:
                continue
            strict = "".join(w[0] for w in capitals)
            loose = "".join(w[0].upper() for w in words if w != "&")
            for candidate in {strict, loose}:
                self.names.setdefault(candidate, set()).add(name)
            noun = _NEXT_NOUN.match(text, match.end())
            if noun and noun.group(1) not in _NOT_NOUNS:
                singular = noun.group(1).removesuffix("s")
                self.names.setdefault(strict + singular[0].upper(), set()).add(
                    f"{name} {noun.group(1)}"
                )
        for match in _ACRONYM.finditer(text):
            self.capitals.add(match.group().removesuffix("s"))
        for word in re.findall(r"\b[a-z]{2,6}\b", text):
            self.lower_words.add(word)

    def pairs(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for acronym, names in sorted(self.names.items()):
            for name in sorted(names):
                words = name.split()
                seen = acronym in self.capitals
                invented = (
                    len(acronym) >= 3
                    and len(words) >= 3
                    and (any(w in _CONNECTORS for w in words) or words[-1].islower())
                    and acronym.lower() not in self.lower_words
                )
                if seen or invented:
                    found.append((acronym, name))
        return found
