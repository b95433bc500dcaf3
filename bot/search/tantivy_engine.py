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

from bot.analysis.code import CODE_FIELD
from bot.documents.corpus import Passage
from bot.documents.passages import CodeSpan
from bot.search.engine import SECTION_FIELD, TITLE_FIELD, Hit, field_of

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
    # Stored only, as UTF-8 bytes: a text field is always indexed, and indexing each
    # passage's text (and term set) as one raw term cost most of tantivy's build time
    # and disk for a term dictionary no query reads.
    builder.add_bytes_field("text", stored=True)
    # The passage's distinct terms, stored so reranking needs no re-analysis.
    builder.add_bytes_field("tset", stored=True)
    builder.add_bytes_field("section", stored=True)
    builder.add_bytes_field("anchor", stored=True)
    builder.add_unsigned_field("paragraph", stored=True)
    builder.add_unsigned_field("page", stored=True)  # 0: none
    builder.add_unsigned_field("start", stored=True)
    builder.add_unsigned_field("end", stored=True)
    # Where the passage text is code: JSON [[start, end, language], ...], empty for none.
    builder.add_bytes_field("code", stored=True)
    return builder.build()


# What a passage's tantivy document holds, as plain values (picklable, so build
# workers compute them): the five term fields, space-joined, then doc, text, term set,
# section, anchor, code spans (JSON), paragraph, page (0: none), start, end. The pid is
# added on its own.
PassageFields = tuple[str, str, str, str, str, str, str, str, str, str, str, int, int, int, int]


def passage_fields(passage: Passage, terms: list[str]) -> PassageFields:
    """Everything stored and indexed for one passage but its pid."""
    words: list[str] = []
    bigrams: list[str] = []
    title: list[str] = []
    section: list[str] = []
    code: list[str] = []
    for term in terms:  # field_of, inlined: this runs for every term of the corpus
        head = term[:2]
        if head == CODE_FIELD:
            code.append(term)
        elif head == TITLE_FIELD:
            title.append(term)
        elif head == SECTION_FIELD:
            section.append(term)
        elif "_" in term and term[:1] != "~":
            bigrams.append(term)
        else:
            words.append(term)
    tset = {t for t in terms if ("_" not in t or t[0] == "~") and t[:2] != CODE_FIELD}
    return _fields(passage, words, bigrams, title, section, code, tset)


def passage_fields_of_parts(
    passage: Passage, words: list[str], bigrams: list[str], fields: list[str]
) -> PassageFields:
    """``passage_fields`` of ``words + bigrams + fields`` (text and synonym group terms,
    bigrams, title and section terms: the layout ``PassageTerms`` gives), without
    sorting every term into its field."""
    title = [t for t in fields if t[:2] == TITLE_FIELD]
    section = [t for t in fields if t[:2] == SECTION_FIELD]
    code = [t for t in fields if t[:2] == CODE_FIELD]
    tset = set(words)  # bigrams hold "_" and never start with "~": none is in the set
    tset.update(t for t in fields if ("_" not in t or t[0] == "~") and t[:2] != CODE_FIELD)
    return _fields(passage, words, bigrams, title, section, code, tset)


def _fields(
    passage: Passage,
    words: list[str],
    bigrams: list[str],
    title: list[str],
    section: list[str],
    code: list[str],
    tset: set[str],
) -> PassageFields:
    return (
        " ".join(words),
        " ".join(bigrams),
        " ".join(title),
        " ".join(section),
        " ".join(code),
        passage.doc_id,
        passage.text,
        " ".join(sorted(tset)),
        passage.section or "",
        passage.anchor or "",
        _code_json(passage.code),
        passage.paragraph,
        passage.page or 0,
        passage.start,
        passage.end,
    )


class TantivyEngine:
    name = "tantivy"

    def __init__(
        self, folder: Path | None, writer_threads: int = 1, writer_heap: int = WRITER_HEAP
    ) -> None:
        """Open (or create) the index in ``folder``; None keeps it in memory."""
        self.writer_threads, self.writer_heap = writer_threads, writer_heap
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
        self.add_fields(passage.pid, passage_fields(passage, terms))

    def add_fields(self, pid: int, fields: PassageFields) -> None:
        """Add one passage from ``passage_fields`` (computed here or in a build worker)."""
        words, bigrams, title, section, code, doc, text, tset, heading, anchor, *rest = fields
        spans, paragraph, page, start, end = rest
        document = tantivy.Document()
        document.add_text(TERMS, words)
        document.add_text(FIELD_NAMES["bigrams"], bigrams)
        document.add_text(FIELD_NAMES["title"], title)
        document.add_text(FIELD_NAMES["section"], section)
        document.add_text(FIELD_NAMES["code"], code)
        document.add_unsigned(PID, pid)
        document.add_text(DOC, doc)
        document.add_bytes("text", text.encode("utf-8", "surrogatepass"))
        document.add_bytes("tset", tset.encode())
        document.add_bytes("section", heading.encode("utf-8", "surrogatepass"))
        document.add_bytes("anchor", anchor.encode("utf-8", "surrogatepass"))
        document.add_unsigned("paragraph", paragraph)
        document.add_unsigned("page", page)
        document.add_unsigned("start", start)
        document.add_unsigned("end", end)
        document.add_bytes("code", spans.encode())
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
            self._writer = self.index.writer(
                heap_size=self.writer_heap, num_threads=self.writer_threads
            )
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
        return set(stored["tset"][0].decode().split()) if stored else None

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
            _text(stored["section"][0]) or None,
            stored["paragraph"][0],
            stored["start"][0],
            stored["end"][0],
            _text(stored["text"][0]),
            _text(stored["anchor"][0]) or None,
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


def _text(stored: bytes) -> str:
    return stored.decode("utf-8", "surrogatepass")


def _code_json(code: tuple[CodeSpan, ...]) -> str:
    return json.dumps([[c.start, c.end, c.language] for c in code]) if code else ""


def _code_spans(stored: bytes) -> tuple[CodeSpan, ...]:
    spans = json.loads(stored.decode() or "[]")
    return tuple(CodeSpan(start, end, language) for start, end, language in spans)
