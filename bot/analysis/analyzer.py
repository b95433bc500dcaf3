"""The one text analyzer: documents and questions go through exactly this code.

Steps for each word: Unicode NFKC, curly quotes folded to straight ones, case
folded, possessive ``'s`` dropped, English stop words removed, British spellings
folded to American ones (optional, ``bot.analysis.spelling``), Snowball stemmed. Words
keep their character spans in the original text so that highlights point at
what the user will read. Synonym expansion (configured and
mined acronyms) runs on the term sequence; see ``bot.analysis.synonyms``.

Code identifiers and command-line options are also kept whole, as extra *code
terms* (``analysis.identifiers``): ``os.path.join``, ``__name__``,
``html_theme``, ``--force-with-lease``. The words inside them are indexed as
usual (``os``, ``path``, ``join``), so a question that writes "force with
lease" still covers the same words; the whole term only adds to the ranking of
a passage that holds exactly that identifier. See ``bot.analysis.code``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import Stemmer

from bot.analysis.code import CODE_FIELD, code_spans
from bot.analysis.spelling import american
from bot.analysis.stopwords import ENGLISH_STOPWORDS
from bot.config import AnalysisConfig

# A word: letters/digits (any script), with inner apostrophes ("don't", "ICE's").
# Invisible characters (soft hyphen, zero-width, bidi controls) and combining marks
# may sit inside a word: they belong to it here (NFKC composes the marks, and
# normalize() removes the invisible ones), so "A" + U+0300 stays one word, "à".
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e"
_MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = re.compile(
    rf"[^\W_](?:[^\W_]|[{_INVISIBLE_CHARS}{_MARKS}])*"
    rf"(?:['’‘ʼ][^\W_](?:[^\W_]|[{_INVISIBLE_CHARS}{_MARKS}])*)*"
)
# Within an already normalised word: the pieces an NFKC expansion may contain ("¼" -> "1⁄4").
_PIECE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"', "«": '"'})
# Stray invisible characters that would split or glue words unpredictably.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E]
)
_MAX_WORD_CHARS = 64  # longer "words" (hashes, base64) are not useful terms


@dataclass(frozen=True)
class Word:
    """A word of the original text: its span, normalised form and index term."""

    start: int
    end: int
    norm: str  # normalised surface form, e.g. "massachusetts"
    term: str | None  # stemmed index term, or None for a stop word


def normalize(text: str) -> str:
    """NFKC, curly quotes folded, invisible characters removed, case folded."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_INVISIBLE)
    return text.casefold()


class Analyzer:
    """Turns text into index terms; configured once, shared by indexing and querying."""

    def __init__(self, config: AnalysisConfig) -> None:
        self.config = config
        self.stopwords = ENGLISH_STOPWORDS if config.stopwords else frozenset()
        algorithm = {"english": "english", "porter": "porter"}.get(config.stemmer)
        self._stemmer = Stemmer.Stemmer(algorithm) if algorithm else None
        self._term_of = lru_cache(maxsize=200_000)(self._compute_term)
        self._pieces = lru_cache(maxsize=200_000)(self._compute_pieces)
        # A raw word's (norm, term) pairs without stop words: with map() over the
        # words, a cached word costs no Python frame (the build's hottest loop).
        self._kept = lru_cache(maxsize=200_000)(self._compute_kept)

    def words(self, text: str) -> Iterator[Word]:
        """Every word of ``text`` with its span; stop words have ``term=None``."""
        for match in _WORD.finditer(text):
            # Normalising one word can yield several ("¼" -> "1⁄4"): each is a Word
            # with the original span.
            for norm, term in self._pieces(match.group()):
                yield Word(match.start(), match.end(), norm, term)

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text`` in order (stop words removed, no synonyms).

        The fast path for indexing: the same words as ``words`` (so documents and
        questions always agree), without spans; each distinct raw word is
        normalised and stemmed once (cached), since words repeat a lot.
        """
        return [term for _, term in self.term_pairs(text)]

    def term_pairs(self, text: str) -> list[tuple[str, str]]:
        """(normalised word, term) for every non-stop word of ``text``, in order."""
        return list(chain.from_iterable(map(self._kept, _WORD.findall(text))))

    def _compute_kept(self, raw: str) -> tuple[tuple[str, str], ...]:
        return tuple((norm, term) for norm, term in self._pieces(raw) if term is not None)

    def code_words(self, text: str) -> list[Word]:
        """The identifiers and options of ``text`` kept whole, as code terms ("c:os.path.join").

        Empty when ``analysis.identifiers`` is off. Not stemmed: an identifier is
        matched as written (case folded).
        """
        if not self.config.identifiers:
            return []
        return [
            Word(start, end, norm, CODE_FIELD + norm)
            for start, end, norm in code_spans(text, normalize)
        ]

    def code_terms(self, text: str) -> list[str]:
        """The code terms of ``text`` (see ``code_words``), in order."""
        return [word.term for word in self.code_words(text) if word.term]

    def _compute_pieces(self, raw: str) -> tuple[tuple[str, str | None], ...]:
        return tuple(
            (norm, self._term_of(norm))
            for norm in _PIECE.findall(normalize(raw))
            if len(norm) <= _MAX_WORD_CHARS
        )

    def term(self, word: str) -> str | None:
        """The index term of one word (None for a stop word)."""
        return self._term_of(normalize(word))

    def phrase_terms(self, phrase: str) -> tuple[str, ...]:
        """Terms of a short phrase, e.g. a synonym entry."""
        return tuple(self.terms(phrase))

    def _compute_term(self, norm: str) -> str | None:
        # Possessives and apostrophes: "ice's" -> "ice", "don't" stays a stop word.
        if norm in self.stopwords:
            return None
        if norm.endswith("'s"):
            norm = norm[:-2]
        norm = norm.replace("'", "")
        if not norm or norm in self.stopwords or (len(norm) == 1 and not norm.isdigit()):
            return None  # single letters ("w/", initials) carry no topic
        if self.config.fold_spelling:
            norm = american(norm)
        return self._stemmer.stemWord(norm) if self._stemmer else norm


def bigrams(terms: list[str]) -> list[str]:
    """Adjacent term pairs ("super_bowl"): a cheap, lexical stand-in for phrase proximity."""
    return [f"{first}_{second}" for first, second in zip(terms, terms[1:], strict=False)]
