"""Documents to passages: the corpus the index is built from.

Knows nothing of ranking or Discord. ``load_corpus`` reads every configured
file or folder, skips unreadable files with a reason, and returns passages
that each know their document, section, paragraph and character span.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import CorpusConfig
from bot.documents.loading import (
    DocumentMeta,
    SkippedFile,
    SourceText,
    UnreadableFile,
    build_meta,
    log_skipped,
    read_source,
    walk_corpus,
)
from bot.documents.pageurl import anchor_style, page_url
from bot.documents.passages import CodeSpan, PassageText, collapse, passages_of

log = logging.getLogger(__name__)

_TITLE_MAX_CHARS = 200
NO_PASSAGE = "no passage left after removing boilerplate"


class CorpusError(Exception):
    """The corpus as a whole cannot be used (for example: no readable document)."""


@dataclass(frozen=True)
class Document:
    doc_id: str  # path relative to the corpus root, with forward slashes
    path: Path
    kind: str
    meta: DocumentMeta
    passage_count: int


@dataclass(frozen=True)
class Passage:
    pid: int
    doc_id: str
    section: str | None
    paragraph: int
    start: int  # character span in the document's text
    end: int
    text: str  # the source slice, whitespace collapsed outside code (code kept exactly)
    anchor: str | None = None  # id of the nearest heading above it (HTML), for page#anchor
    page: int | None = None  # page number, 1-based, in paged documents (PDF)
    code: tuple[CodeSpan, ...] = ()  # spans of ``text`` that are code, with their language


@dataclass
class Corpus:
    documents: dict[str, Document] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)  # pids repeating other pages (repeats.py)


def numbered(pid: int, doc_id: str, part: PassageText | Passage) -> Passage:
    """A passage of ``doc_id`` with id ``pid`` and ``part``'s place and text (the
    constructor, not ``dataclasses.replace``: this runs for every passage of a build)."""
    return Passage(
        pid,
        doc_id,
        part.section,
        part.paragraph,
        part.start,
        part.end,
        part.text,
        part.anchor,
        part.page,
        part.code,
    )


def compile_ignore_patterns(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


def load_corpus(config: CorpusConfig) -> Corpus:
    """Read the whole corpus; raise CorpusError if not one document is readable."""
    corpus = Corpus()
    for document, passages in iter_documents(config, corpus.skipped):
        base = len(corpus.passages)
        corpus.passages.extend(numbered(base + i, p.doc_id, p) for i, p in enumerate(passages))
        corpus.documents[document.doc_id] = document
    log_skipped(corpus.skipped, log)
    if not corpus.passages:
        raise no_document_error(config.paths, corpus.skipped)
    from bot.documents.repeats import hide_repeats  # it imports this module

    hide_repeats(corpus)
    return corpus


def no_document_error(paths: Iterable[Path], skipped: list[SkippedFile]) -> CorpusError:
    """The error for a corpus without one readable document, naming what was skipped."""
    roots = ", ".join(str(p) for p in paths)
    detail = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:5])
    more = f" ({detail})" if detail else ""
    return CorpusError(f"no readable document with text in {roots}{more}")


def iter_documents(
    config: CorpusConfig, skipped: list[SkippedFile]
) -> Iterator[tuple[Document, list[Passage]]]:
    """Yield each readable document with its passages (pid is per document here).

    Unreadable files go to ``skipped``, unlogged: the build logs them once."""
    ignore = compile_ignore_patterns(config.ignore_patterns)
    for item in walk_corpus(config.paths, config.extensions, config.exclude):
        if isinstance(item, SkippedFile):
            skipped.append(item)
            continue
        path, doc_id = item
        try:
            source = read_corpus_file(config, path, doc_id)
        except UnreadableFile as exc:
            skipped.append(SkippedFile(doc_id, str(exc)))
            continue
        found = document_of(source, config, ignore)
        if found is None:
            skipped.append(SkippedFile(doc_id, NO_PASSAGE))
            continue
        yield found


def read_corpus_file(
    config: CorpusConfig, path: Path, doc_id: str, max_bytes: int | None = None
) -> SourceText:
    """Read one file with the corpus settings that say how (both engines' builds use it)."""
    return read_source(
        path,
        doc_id,
        config.max_file_bytes if max_bytes is None else max_bytes,
        config.html_content_selector,
        config.html_drop_selectors,
        anchor_style(config, path),
        config.encoding,
    )


def document_of(
    source: SourceText, config: CorpusConfig, ignore: list[re.Pattern[str]]
) -> tuple[Document, list[Passage]] | None:
    """A read file's document and passages (pid per document); None if no passage is left.

    The one place a file becomes passages: ``load_corpus`` and the tantivy store
    both call it, so both engines index the same passages.
    """
    slug = source.meta.get("slug")
    url = page_url(config, source.path, slug if isinstance(slug, str) else None)
    meta = build_meta(source.meta, fallback_title(source), source.path, url)
    passages = [
        numbered(i, source.doc_id, p)
        for i, p in enumerate(
            passages_of(
                source.text,
                source.body_start,
                markdown=source.kind in ("markdown", "html"),
                ignore=ignore,
                min_words=config.min_passage_words,
                max_chars=config.max_passage_chars,
                skip_title_line=meta.title,
                blocks=source.blocks,
            )
        )
    ]
    if not passages:
        return None
    return Document(source.doc_id, source.path, source.kind, meta, len(passages)), passages


def corpus_from_records(
    records: Iterable[tuple[str, str, str]], config: CorpusConfig, source: str = "records"
) -> Corpus:
    """A corpus from (doc_id, title, text) records, e.g. a benchmark's corpus.jsonl.

    Same passage splitting as files; no boilerplate patterns (the records are
    clean text) and no minimum passage length (a record is never dropped).
    """
    corpus = Corpus()
    for doc_id, title, text in records:
        passages = [
            Passage(
                len(corpus.passages) + i, doc_id, p.section, p.paragraph, p.start, p.end, p.text
            )
            for i, p in enumerate(
                passages_of(
                    text,
                    0,
                    markdown=False,
                    ignore=[],
                    min_words=0,
                    max_chars=config.max_passage_chars,
                )
            )
        ]
        if not passages:
            corpus.skipped.append(SkippedFile(doc_id, "no text"))
            continue
        meta = DocumentMeta(title=title or doc_id, source=source)
        corpus.documents[doc_id] = Document(doc_id, Path(doc_id), "text", meta, len(passages))
        corpus.passages.extend(passages)
    if not corpus.passages:
        raise CorpusError(f"no record with text in {source}")
    return corpus


def fallback_title(source: SourceText) -> str:
    """The first heading (of a document read by its structure) or first non-empty line.

    Only a heading block is a heading: a ``# comment`` line inside code is not."""
    if source.blocks is not None:
        for block in source.blocks:
            if block.kind == "heading":
                return block.title[:_TITLE_MAX_CHARS]
    body = source.text[source.body_start :]
    for line in body.splitlines():
        if line.strip():
            return collapse(line)[:_TITLE_MAX_CHARS]
    return source.path.stem
