"""Questions to answers: ranked results turned into excerpts with attribution.

Independent of Discord and of any output format: an ``Answer`` is plain data
that the CLI prints as JSON or text and the Discord layer renders as embeds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.answer.excerpt import Excerpt, make_excerpt
from bot.answer.links import page_link, result_link
from bot.documents.corpus import Passage
from bot.documents.loading import DocumentMeta
from bot.search.index import SearchIndex

# Why a question got no answer.
REFUSED_EMPTY = "empty"
REFUSED_TOO_LONG = "too_long"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class AnswerItem:
    rank: int
    score: float
    coverage: float
    doc_id: str  # path relative to the corpus root
    meta: DocumentMeta
    passage: Passage
    excerpt: Excerpt

    @property
    def location(self) -> str:
        """Where in the document: section, page and paragraph, as a reader would say it."""
        where = f"paragraph {self.passage.paragraph}"
        if self.passage.page:
            where = f"page {self.passage.page}, {where}"
        return f"{self.passage.section}, {where}" if self.passage.section else where.capitalize()

    @property
    def link(self) -> str | None:
        """The document's url, its section's #anchor, and a text fragment of the excerpt."""
        return result_link(self.meta.url, self.passage.anchor, self.excerpt.text, self.passage.page)

    @property
    def page_link(self) -> str | None:
        """The document's url with its section's #anchor or PDF #page=N (no text fragment)."""
        return page_link(self.meta.url, self.passage.anchor, self.passage.page)


@dataclass(frozen=True)
class Answer:
    question: str
    items: tuple[AnswerItem, ...]
    refusal: str | None = None  # REFUSED_EMPTY, REFUSED_TOO_LONG or NOT_FOUND
    limit: int = 0  # the length limit, for REFUSED_TOO_LONG

    @property
    def answered(self) -> bool:
        return bool(self.items)


def clean_question(text: str) -> str:
    """Drop control, format and lone surrogate characters (zero-width, bidi overrides)."""
    kept = (
        ch if unicodedata.category(ch) not in ("Cc", "Cf", "Cs") else " "
        for ch in unicodedata.normalize("NFC", text)
    )
    return " ".join("".join(kept).split())


class Answerer:
    """Answers questions from one immutable SearchIndex."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.config = index.config

    def answer(self, question: str, k: int | None = None) -> Answer:
        cleaned = clean_question(question)
        limit = self.config.answer.max_question_chars
        if not any(ch.isalnum() for ch in cleaned):
            return Answer(cleaned, (), REFUSED_EMPTY)
        if len(cleaned) > limit:
            return Answer(cleaned[:limit], (), REFUSED_TOO_LONG, limit)
        outcome = self.index.search(cleaned, k)
        if not outcome.answered:
            return Answer(cleaned, (), NOT_FOUND)
        weights = {
            term: weight * self.index.idf(term) for term, weight in outcome.query.terms.items()
        }
        items = []
        for rank, result in enumerate(outcome.results, start=1):
            passage = result.passage
            document = self.index.corpus.documents[passage.doc_id]
            excerpt = make_excerpt(
                passage.text,
                self.index.analyzer,
                weights,
                self.config.answer.excerpt_chars,
                self.index.synonyms,
                passage.code,
            )
            items.append(
                AnswerItem(
                    rank,
                    result.score,
                    result.coverage,
                    passage.doc_id,
                    document.meta,
                    passage,
                    excerpt,
                )
            )
        return Answer(cleaned, tuple(items))
