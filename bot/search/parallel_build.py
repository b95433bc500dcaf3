"""A full tantivy build with worker processes, identical to the one-process build.

Two phases, one pass over the text:

1. **Read** (workers, a chunk of files each): read and decode each file, split
   it into passages (``read_file``, as the one-process build does), feed the
   passages to an acronym miner, analyse every passage into its text terms.
   The heavy part (passages and terms) goes to a spill file per corpus file in
   the index folder; the parent gets the manifest entry, what the file adds to
   the acronym miner and the vocabulary (only what is new to that worker), and
   merges them in file order. Mining is order-free and a worker handles its
   files in corpus order, so the merged miner and vocabulary are exactly the
   one-process build's.
2. **Index** (workers again): once the mined acronyms are known, each file's
   spilled text terms get their synonym group terms, bigrams and title and
   section fields (``PassageTerms.parts_of_analysed``) and become tantivy
   documents' fields (``passage_fields_of_parts``); the parent adds them in
   file order with the pids it assigned in phase 1, so pids, terms and stored passages are those
   of the one-process build.

Memory stays bounded: a few chunks are in flight, and the corpus' passages
wait for phase 2 on disk, not in a process. A file that makes a worker fail
is skipped with the reason; one that kills a worker is found and skipped too
(``bot.search.pool``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from bot.analysis.analyzer import Analyzer
from bot.analysis.synonyms import AcronymMiner, SynonymTable
from bot.config import Config
from bot.documents.corpus import Document, Passage, compile_ignore_patterns
from bot.documents.loading import DocumentMeta
from bot.documents.passages import CodeSpan
from bot.progress import progress_bar
from bot.search.pool import WorkerPool, ordered_map
from bot.search.tantivy_engine import PassageFields, TantivyEngine, passage_fields_of_parts
from bot.search.terms import PassageTerms, synonym_table

if TYPE_CHECKING:  # the store imports this module
    from bot.search.store import FileEntry

log = logging.getLogger(__name__)

CHUNK_FILES = 4  # files per task: enough to make a task's overhead small
IN_FLIGHT = 3  # tasks in flight per worker: they never wait, and memory stays bounded
SPILL = "build-spill"  # phase 1's passages and terms, per file, until phase 2 reads them
MINED = "mined.json"  # the mined acronym pairs, for phase 2
_SECOND = itemgetter(1)


@dataclass
class FileRead:
    """What phase 1 tells the parent about one file (small: the text stays in the spill)."""

    entry: FileEntry
    miner: AcronymMiner | None = None  # what the file adds to this worker's miner
    vocabulary: list[tuple[str, str]] = field(default_factory=list)  # new to the worker


@dataclass
class ParallelBuild:
    """The result: the manifest filled in, the mined pairs, the vocabulary."""

    mined: list[tuple[str, str]]
    vocabulary: dict[str, str]
    next_pid: int


def build(
    config: Config,
    folder: Path,
    files: list[tuple[Path, str]],
    manifest_files: dict,
    engine: TantivyEngine,
    workers: int,
    progress: bool,
) -> ParallelBuild:
    """Index ``files`` into ``engine`` with ``workers`` processes, filling ``manifest_files``."""
    spill = folder / SPILL
    spill.mkdir()
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, spill, ignore_errors=True)
        vocabulary: dict[str, str] = {}
        miner = AcronymMiner()
        todo: list[tuple[int, str, int]] = []  # (file number, doc_id, first pid)
        next_pid = 0
        numbered = [(n, path, doc_id) for n, (path, doc_id) in enumerate(files)]

        pool = WorkerPool(workers, _start_worker, (config, str(spill)))
        stack.enter_context(pool)
        window = IN_FLIGHT * workers
        reads = ordered_map(
            pool,
            _read_files,
            numbered,
            chunk=CHUNK_FILES,
            window=window,
            crashed=lambda item, reason: _failed(item[1], reason),
        )
        shown = progress_bar(numbered, "reading", progress, "files")
        for (number, _, doc_id), read in zip(shown, reads, strict=True):
            entry = read.entry
            manifest_files[doc_id] = entry
            if read.miner is not None:
                miner.merge(read.miner)
            for norm, term in read.vocabulary:
                vocabulary.setdefault(norm, term)
            if entry.document is not None:
                count = entry.document["passage_count"]
                entry.pids = list(range(next_pid, next_pid + count))
                todo.append((number, doc_id, next_pid))
                next_pid += count
        mined = miner.pairs() if config.analysis.mine_acronyms else []
        (spill / MINED).write_text(json.dumps(mined))
        indexed = ordered_map(
            pool,
            _index_files,
            todo,
            chunk=CHUNK_FILES,
            window=window,
            crashed=lambda item, reason: reason,
        )
        shown = progress_bar(todo, "indexing", progress, "files")
        for (_, doc_id, first), fields in zip(shown, indexed, strict=True):
            if isinstance(fields, str):  # the worker died on it: skipped after all
                entry = manifest_files[doc_id]
                entry.document, entry.pids, entry.skipped = None, [], fields
                continue
            for offset, passage in enumerate(fields):
                engine.add_fields(first + offset, passage)
        return ParallelBuild(mined, vocabulary, next_pid)


# ------------------------------------------------------------------ in the workers

_worker: _Worker | None = None


def _start_worker(config: Config, spill: str) -> None:
    global _worker
    _worker = _Worker(config, Path(spill))


def _read_files(items: list[tuple[int, Path, str]]) -> list[FileRead]:
    assert _worker is not None
    return [_worker.read(*item) for item in items]


def _index_files(items: list[tuple[int, str, int]]) -> list[list[PassageFields]]:
    assert _worker is not None
    return [_worker.index(number) for number, _, _ in items]


class _Worker:
    def __init__(self, config: Config, spill: Path) -> None:
        self.config = config
        self.spill = spill
        self.analyzer = Analyzer(config.analysis)
        self.ignore: list[re.Pattern[str]] = compile_ignore_patterns(config.corpus.ignore_patterns)
        self.mining = config.analysis.mine_acronyms
        self.seen = AcronymMiner()  # everything this worker has reported to the parent
        self.known: set[str] = set()  # normalised words reported to the parent
        self.terms: PassageTerms | None = None

    # phase 1
    def read(self, number: int, path: Path, doc_id: str) -> FileRead:
        from bot.search.store import read_file

        try:
            entry, found = read_file(self.config.corpus, self.ignore, path, doc_id)
        except Exception as exc:  # a parser's bug must not stop the build: skip the file
            log.warning("cannot read %s: %s", doc_id, exc, exc_info=True)
            return _failed(path, f"cannot read: {type(exc).__name__}: {exc}")
        if found is None:
            return FileRead(entry)
        document, passages = found
        miner = self._mine(passages) if self.mining else None
        vocabulary: dict[str, str] = {}
        texts = []
        term_pairs = self.analyzer.term_pairs
        for passage in passages:
            pairs = term_pairs(passage.text)
            vocabulary.update(pairs)  # norm -> term is a function: the first stays
            texts.append(" ".join(map(_SECOND, pairs)))
        _spill(self.spill / f"{number}.json", document, passages, texts)
        return FileRead(entry, miner, self._new_words(vocabulary))

    def _mine(self, passages: list[Passage]) -> AcronymMiner:
        """What this file's passages add to the miner beyond what was reported."""
        found = AcronymMiner()
        for passage in passages:
            found.feed(passage.text)
        seen = self.seen
        delta = AcronymMiner()
        for name, initial in found.runs.items():
            before = seen.runs.get(name)
            now = initial if before is None else before and initial
            if now != before:
                delta.runs[name] = now
        delta.defined = found.defined - seen.defined
        delta.capitals = found.capitals - seen.capitals
        delta.lower_words = found.lower_words - seen.lower_words
        seen.merge(found)
        return delta

    def _new_words(self, vocabulary: dict[str, str]) -> list[tuple[str, str]]:
        """The file's words this worker never reported, in order of first use. A word's
        first file in the corpus is handled by a worker that has not met it, so the
        parent, merging in file order, puts every word where one process would."""
        known = self.known
        if vocabulary.keys() <= known:
            return []
        new = [(norm, term) for norm, term in vocabulary.items() if norm not in known]
        known.update(vocabulary)
        return new

    # phase 2
    def index(self, number: int) -> list[PassageFields]:
        path = self.spill / f"{number}.json"
        document, passages, texts = _unspill(path)
        path.unlink()
        terms = self._passage_terms(document)
        return [
            passage_fields_of_parts(passage, *terms.parts_of_analysed(passage, text.split()))
            for passage, text in zip(passages, texts, strict=True)
        ]

    def _passage_terms(self, document: Document) -> PassageTerms:
        if self.terms is None:
            mined = [tuple(pair) for pair in json.loads((self.spill / MINED).read_text())]
            synonyms: SynonymTable = synonym_table(self.analyzer, self.config.analysis, mined)
            with_bigrams = self.config.retrieval.bigram_weight > 0
            self.terms = PassageTerms(self.analyzer, synonyms, {}, with_bigrams)
        self.terms.documents[document.doc_id] = document
        return self.terms


def _spill(path: Path, document: Document, passages: list[Passage], texts: list[str]) -> None:
    """Phase 1's result for one file, as JSON (nothing read back from disk is unpickled)."""
    record = {
        "document": [
            document.doc_id,
            document.path.as_posix(),
            document.kind,
            dataclasses.asdict(document.meta),
            document.passage_count,
        ],
        "passages": [
            [
                p.pid,
                p.section,
                p.paragraph,
                p.start,
                p.end,
                p.text,
                p.anchor,
                p.page,
                [[c.start, c.end, c.language] for c in p.code],
            ]
            for p in passages
        ],
        "texts": texts,
    }
    path.write_text(json.dumps(record), encoding="ascii")


def _unspill(path: Path) -> tuple[Document, list[Passage], list[str]]:
    record = json.loads(path.read_text(encoding="ascii"))
    doc_id, where, kind, meta, count = record["document"]
    document = Document(doc_id, Path(where), kind, DocumentMeta(**meta), count)
    passages = [
        Passage(
            pid,
            doc_id,
            section,
            paragraph,
            start,
            end,
            text,
            anchor,
            page,
            tuple(CodeSpan(s, e, language) for s, e, language in code),
        )
        for pid, section, paragraph, start, end, text, anchor, page, code in record["passages"]
    ]
    return document, passages, record["texts"]


def _failed(path: Path, reason: str) -> FileRead:
    from bot.search.store import FileEntry

    entry = FileEntry(path.as_posix(), 0, 0, "", None, skipped=reason)
    try:
        stat = path.stat()
        entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
    except OSError:
        pass
    return FileRead(entry)
