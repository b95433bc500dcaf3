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
# An acronym in brackets right after the name it defines: "... Enforcement (ICE)".
_BRACKETED_ACRONYM = re.compile(r"[ \t]*\(([A-Z]{2,6})s?\)")
# A name in brackets after its acronym: "ICE (Immigration and Customs Enforcement)".
_ACRONYM_THEN_NAME = re.compile(r"\b([A-Z]{2,6})s?[ \t]+\(([^()]{3,120})\)")
_LOWER_WORD = re.compile(r"\b[a-z]{2,}\b")
_OPENERS = "\"'“‘([ \t\r\n"
_CLOSERS = "\"'”’)]"


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

    A long name is a run of Capitalised words, small connectors allowed inside
    ("Immigration and Customs Enforcement"); it never ends in a lower-case word
    that merely follows it. A pair is accepted when

    - the text defines it: "Immigration and Customs Enforcement (ICE)" or
      "ICE (Immigration and Customs Enforcement)", the acronym's letters found in
      order in the name, the first at the start of its first word;
    - or the name's initials (with or without connectors) are written in capitals
      somewhere in the corpus (IRS for "Internal Revenue Service");
    - or, for a name of three or more words with a connector, when no acronym of
      it is written at all, its initials are not an ordinary word of the corpus
      (DOGE for "Department of Government Efficiency").

    A run that starts a sentence loses its first word when that word is also
    written in lower case ("When Internal Revenue Service" is "Internal Revenue
    Service"): it may be capitalised only by its position.
    """

    def __init__(self) -> None:
        self.runs: dict[str, bool] = {}  # name -> only ever seen starting a sentence
        self.defined: set[tuple[str, str]] = set()
        self.capitals: set[str] = set()
        self.lower_words: set[str] = set()

    def feed(self, text: str) -> None:
        for match in _NAME_RUN.finditer(text):
            name = _LEADING_ARTICLE.sub("", match.group())
            initial = name == match.group() and _starts_sentence(text, match.start())
            self.runs[name] = self.runs.get(name, True) and initial
            bracket = _BRACKETED_ACRONYM.match(text, match.end())
            if bracket:
                self._define(bracket.group(1), name)
        for match in _ACRONYM_THEN_NAME.finditer(text):
            run = _NAME_RUN.fullmatch(match.group(2).strip())
            if run:
                self._define(match.group(1), _LEADING_ARTICLE.sub("", run.group()))
        for match in _ACRONYM.finditer(text):
            self.capitals.add(match.group().removesuffix("s"))
        self.lower_words.update(_LOWER_WORD.findall(text))

    def merge(self, other: AcronymMiner) -> None:
        """Add what ``other`` collected, as if its texts had been fed here too.

        Feeding is order-free (sets, and a flag that stays true only while every
        sighting starts a sentence), so miners of separate files merge exactly."""
        for name, initial in other.runs.items():
            self.runs[name] = self.runs.get(name, True) and initial
        self.defined |= other.defined
        self.capitals |= other.capitals
        self.lower_words |= other.lower_words

    def _define(self, acronym: str, name: str) -> None:
        words = name.split()
        # Leading words the acronym does not start with are not part of the name
        # ("Officers of Immigration and Customs Enforcement (ICE)").
        while words and words[0][0] != acronym[0]:
            words.pop(0)
        name = " ".join(words)
        if len(words) >= 2 and _spells(acronym, name):
            self.defined.add((acronym, name))

    def pairs(self) -> list[tuple[str, str]]:
        found = set(self.defined)
        named = {name for _, name in self.defined}
        for name in self._names():
            if name in named:
                continue
            words = name.split()
            strict = "".join(w[0] for w in words if w[0].isupper())
            loose = "".join(w[0].upper() for w in words if w != "&")
            written = [a for a in {strict, loose} if a in self.capitals]
            if written:
                found.update((a, name) for a in written)
            elif len(words) >= 3 and any(w in _CONNECTORS for w in words):
                found.update(
                    (a, name) for a in {strict, loose} if a.lower() not in self.lower_words
                )
        return sorted(found)

    def _names(self) -> set[str]:
        names = set()
        for name, initial in self.runs.items():
            first, _, rest = name.partition(" ")
            if initial and first.lower() in self.lower_words and rest[:1].isupper():
                name = rest
            if sum(1 for w in name.split() if w[0].isupper()) >= 2:
                names.add(name)
        return names


def _starts_sentence(text: str, start: int) -> bool:
    """Whether only whitespace, quotes or a sentence's end come before ``start``."""
    before = text[max(0, start - 8) : start].rstrip(_OPENERS)
    if not before:
        return True  # the text's start, or a long run of blanks
    return before.rstrip(_CLOSERS)[-1:] in (".", "!", "?", ":", ";", "…", "")


def _spells(acronym: str, name: str) -> bool:
    """Whether the acronym's letters occur in order in ``name``, the first starting it."""
    lowered = name.lower()
    position = 0
    for index, letter in enumerate(acronym.lower()):
        found = lowered.find(letter, position)
        if found < 0 or (index == 0 and found != 0):
            return False
        position = found + 1
    return True
