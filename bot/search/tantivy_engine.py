"""The tantivy engine: an embedded, memory-mapped search index on disk.

It indexes the project's own analysed terms (space-joined, split by tantivy's
whitespace tokenizer), so both engines see exactly the same terms. Passages
are stored in the index too, so a large corpus is served from disk instead of
Python objects. Scoring is Lucene's BM25 (k1=1.2, b=0.75, fixed by tantivy);
query term weights become boosts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

import tantivy

from bot.documents.corpus import Passage
from bot.documents.passages import CodeSpan
from bot.search.engine import Hit, field_of

TERMS, PID, DOC = "terms", "pid", "doc"
FIELD_NAMES = {
    "words": TERMS,
    "bigrams": "f_bigrams",
    "title": "f_title",
    "section": "f_section",
    "code": "f_code",
}
_STORED = ("text", "section", "paragraph", "start", "end")
WRITER_HEAP = 128_000_000  # bytes buffered before tantivy flushes a segment
CACHE_SIZE = 4096  # stored passages kept in memory


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # One indexed field per kind of term (words, bigrams, title, section, code), so each
    # has its own length normalisation (BM25F-style), as in RankBM25Engine.
    for name in FIELD_NAMES.values():
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field(PID, stored=True, indexed=True, fast=True)
    builder.add_text_field(DOC, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("text", stored=True, tokenizer_name="raw", index_option="basic")
    # The passage's distinct terms, stored so reranking needs no re-analysis.
    builder.add_text_field("tset", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("section", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("anchor", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("paragraph", stored=True)
    builder.add_unsigned_field("page", stored=True)  # 0: none
    builder.add_unsigned_field("start", stored=True)
    builder.add_unsigned_field("end", stored=True)
    # Where the passage text is code: JSON [[start, end, language], ...], "" for none.
    builder.add_text_field("code", stored=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, folder: Path | None) -> None:
        """Open (or create) the index in ``folder``; None keeps it in memory."""
        self.schema = schema()
        if folder is None:
            self.index = tantivy.Index(self.schema)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(folder), reuse=True)
        self._writer: tantivy.IndexWriter | None = None
        self._searcher = self.index.searcher()
        self._cache: dict[int, dict] = {}  # pid -> stored fields, oldest first
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ writing

    def add(self, passage: Passage, terms: list[str]) -> None:
        document = tantivy.Document()
        by_field: dict[str, list[str]] = {name: [] for name in FIELD_NAMES}
        for term in terms:
            by_field[field_of(term)].append(term)
        for name, field_terms in by_field.items():
            document.add_text(FIELD_NAMES[name], " ".join(field_terms))
        document.add_unsigned(PID, passage.pid)
        document.add_text(DOC, passage.doc_id)
        document.add_text("text", passage.text)
        kept = {t for t in terms if ("_" not in t or t[0] == "~") and field_of(t) != "code"}
        document.add_text("tset", " ".join(sorted(kept)))
        document.add_text("section", passage.section or "")
        document.add_text("anchor", passage.anchor or "")
        document.add_unsigned("paragraph", passage.paragraph)
        document.add_unsigned("page", passage.page or 0)
        document.add_unsigned("start", passage.start)
        document.add_unsigned("end", passage.end)
        document.add_text("code", _code_json(passage.code))
        self._writer_().add_document(document)

    def delete_document(self, doc_id: str) -> None:
        """Remove every passage of one document (committed with the next commit)."""
        self._writer_().delete_documents_by_term(DOC, doc_id)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self.index.reload()
        self._searcher = self.index.searcher()
        self._cache = {}

    def _writer_(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    # ------------------------------------------------------------------ reading

    def search(self, terms: Mapping[str, float], k: int) -> list[Hit]:
        clauses = [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(self.schema, FIELD_NAMES[field_of(term)], term),
                    float(weight),
                ),
            )
            for term, weight in terms.items()
            if weight > 0
        ]
        if not clauses or k <= 0:
            return []
        searcher = self._searcher
        hits = searcher.search(tantivy.Query.boolean_query(clauses), k).hits
        pids = searcher.fast_field_values(PID, [address for _, address in hits])
        return [
            Hit(int(pid), float(score))
            for (score, _), pid in zip(hits, pids, strict=True)
            if score > 0
        ]

    def terms_of(self, pid: int) -> Collection[str] | None:
        """The passage's distinct terms (bigrams excluded), from the stored field."""
        stored = self._stored(pid)
        return set(stored["tset"][0].split()) if stored else None

    def doc_freq(self, term: str) -> int:
        return self._searcher.doc_freq(FIELD_NAMES[field_of(term)], term)

    @property
    def size(self) -> int:
        return self._searcher.num_docs

    def _stored(self, pid: int) -> dict | None:
        """Stored fields of one passage; the cache is shared by the answering threads."""
        with self._lock:
            cached = self._cache.get(pid)
        if cached is None:
            query = tantivy.Query.term_query(self.schema, PID, pid)
            searcher = self._searcher
            hits = searcher.search(query, 1).hits
            if not hits:
                return None
            cached = searcher.doc(hits[0][1]).to_dict()
            with self._lock:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[pid] = cached
        return cached

    def passage(self, pid: int) -> Passage | None:
        stored = self._stored(pid)
        if stored is None:
            return None
        return Passage(
            pid,
            stored[DOC][0],
            stored["section"][0] or None,
            stored["paragraph"][0],
            stored["start"][0],
            stored["end"][0],
            stored["text"][0],
            stored["anchor"][0] or None,
            stored["page"][0] or None,
            _code_spans(stored["code"][0]),
        )

    def passages(self) -> Iterator[Passage]:
        """Every passage, in pid order (for rebuilds and checks; slow on big indexes)."""
        for pid in sorted(self.pids()):
            found = self.passage(pid)
            if found is not None:
                yield found

    def pids(self) -> list[int]:
        searcher = self._searcher
        hits = searcher.search(tantivy.Query.all_query(), max(1, searcher.num_docs)).hits
        return [int(p) for p in searcher.fast_field_values(PID, [a for _, a in hits])]


def _code_json(code: tuple[CodeSpan, ...]) -> str:
    return json.dumps([[c.start, c.end, c.language] for c in code]) if code else ""


def _code_spans(stored: str) -> tuple[CodeSpan, ...]:
    return tuple(CodeSpan(s, e, language) for s, e, language in json.loads(stored or "[]"))
