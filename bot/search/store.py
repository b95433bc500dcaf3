"""The persistent index folder: a tantivy index, a manifest, and the vocabulary.

The folder is keyed by every setting that changes what is indexed, so changed
settings open a different folder (a rebuild). The manifest lists each file
(path, size, mtime, content hash) with its documents' metadata: a restart with
an unchanged corpus opens the index as is, and a changed, added or deleted
file re-indexes only that file's passages. Everything here is JSON, TSV or
tantivy's own format: nothing read back can execute code. A manifest that does
not parse, or belongs to other settings, is not trusted: the folder is rebuilt.

Building streams the corpus one document at a time, so no token list of the
whole corpus is ever held in memory. In one process a first pass mines
acronyms and a second analyses and indexes; with worker processes
(``corpus.workers``, ``bot.search.parallel_build``) the text is read, split
and analysed once, and the index is the same.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: one process per index folder
    fcntl = None  # type: ignore[assignment]

from bot import __version__
from bot.analysis.analyzer import Analyzer
from bot.analysis.synonyms import SynonymTable
from bot.config import Config, CorpusConfig
from bot.documents.corpus import (
    NO_PASSAGE,
    Document,
    Passage,
    compile_ignore_patterns,
    document_of,
    read_corpus_file,
)
from bot.documents.loading import (
    DocumentMeta,
    SkippedFile,
    SourceText,
    UnreadableFile,
    log_skipped,
    walk_corpus,
)
from bot.progress import progress_bar
from bot.search.pool import WorkersFailed, starting_worker
from bot.search.tantivy_engine import TantivyEngine
from bot.search.terms import PassageTerms, mine_acronyms, synonym_table

log = logging.getLogger(__name__)
# 4: acronyms from passages; 5: name runs only; 6: HTML by structure; 7: pages;
# 8: code kept; 9: Markdown and reST by structure; 10: passages stored as bytes;
# 11: worded self-links kept in headings, code comments never titles
FORMAT = 11
MANIFEST = "manifest.json"
# Smaller corpora are built in this process: starting worker processes costs about a
# second, as much as indexing a few megabytes.
PARALLEL_FROM_BYTES = 4_000_000
VOCABULARY = "vocabulary.tsv"
REPEATS = "repeats.json"  # repeated pages found for one version of the documents


def settings_key(config: Config) -> str:
    """A short hash of everything that changes the indexed terms or passages."""
    relevant = {
        "format": FORMAT,
        # Worker processes change how fast the index is built, never what it holds.
        "corpus": {k: v for k, v in dataclasses.asdict(config.corpus).items() if k != "workers"},
        "analysis": dataclasses.asdict(config.analysis),
        "bigrams": config.retrieval.bigram_weight > 0,
    }
    text = json.dumps(relevant, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class FileEntry:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    document: dict | None  # Document fields, or None when the file was skipped
    pids: list[int] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class Manifest:
    key: str
    files: dict[str, FileEntry]
    next_pid: int = 0
    mined: list[list[str]] = field(default_factory=list)
    version: str = __version__
    format: int = FORMAT

    def to_json(self) -> str:
        # Shallow on purpose: dataclasses.asdict deep-copies every pid list, which
        # cost seconds per update at a million passages.
        data = {**vars(self), "files": {k: vars(v) for k, v in self.files.items()}}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("unknown manifest format")
        files = {k: FileEntry(**v) for k, v in data["files"].items()}
        return cls(
            data["key"],
            files,
            int(data["next_pid"]),
            list(data["mined"]),
            str(data["version"]),
            FORMAT,
        )


@dataclass
class StoreReport:
    """What opening the store did, for logs and `qabot index`."""

    action: str  # "opened", "updated", "built"
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warning: str | None = None


class PassageView:
    """Passages of a stored index, looked up by pid on demand (with a small cache)."""

    def __init__(self, engine: TantivyEngine, count: int) -> None:
        self.engine = engine
        self.count = count
        self._cache: dict[int, Passage] = {}

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, pid: int) -> Passage:
        passage = self._cache.get(pid)
        if passage is None:
            passage = self.engine.passage(pid)
            if passage is None:
                raise IndexError(pid)
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[pid] = passage
        return passage

    def __iter__(self) -> Iterator[Passage]:
        return self.engine.passages()


class IndexStore:
    def __init__(self, config: Config, root: Path) -> None:
        self.config = config
        self.key = settings_key(config)
        self.folder = root / self.key
        self._ignore = compile_ignore_patterns(config.corpus.ignore_patterns)

    def open(self, analyzer: Analyzer, progress: bool = False):
        """Open, update or build the index; returns (engine, manifest, synonyms, vocab, report).

        Several processes (one per shard range) may share the folder: an exclusive
        lock beside it lets one build or update at a time; the others wait, then
        find the index current and only open it.
        """
        if starting_worker():
            raise RuntimeError(
                "an index build started while a worker process was starting: a script"
                " that builds an index needs `if __name__ == '__main__':`"
            )
        started = time.perf_counter()
        with _exclusive(self.folder.with_name(self.folder.name + ".lock"), self.folder):
            result = self._open(analyzer, progress)
        result[-1].seconds = time.perf_counter() - started
        return result

    def _open(self, analyzer: Analyzer, progress: bool):
        manifest, warning = self._load_manifest()
        if manifest is not None:
            expected = sum(len(entry.pids) for entry in manifest.files.values())
            try:
                engine = TantivyEngine(self.folder / "tantivy")
                if engine.size != expected:
                    raise ValueError(f"{engine.size} passages stored, manifest lists {expected}")
            except (ValueError, OSError) as exc:
                manifest, warning = None, f"index folder {self.folder} is corrupt ({exc})"
        if manifest is None:
            if warning:
                log.warning("%s; rebuilding it", warning)
            result = self._build(analyzer, progress)
            result[-1].warning = warning
        else:
            result = self._update(engine, manifest, analyzer, progress)
        return result

    # ------------------------------------------------------------------ manifest

    def _load_manifest(self) -> tuple[Manifest | None, str | None]:
        path = self.folder / MANIFEST
        if not self.folder.exists():
            return None, None
        try:
            manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, f"index folder {self.folder} has no manifest"
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return None, f"index folder {self.folder} has an unreadable manifest ({exc})"
        if manifest.key != self.key:
            return None, f"index folder {self.folder} belongs to other settings"
        return manifest, None

    def _save(self, manifest: Manifest, vocabulary: dict[str, str]) -> None:
        """Atomic writes: a crash leaves the previous manifest, never half of one."""
        _atomic_write(
            self.folder / VOCABULARY,
            "".join(f"{norm}\t{term}\n" for norm, term in vocabulary.items()),
        )
        _atomic_write(self.folder / MANIFEST, manifest.to_json())

    def _vocabulary(self) -> dict[str, str]:
        vocabulary: dict[str, str] = {}
        try:
            with (self.folder / VOCABULARY).open(encoding="utf-8") as handle:
                for line in handle:
                    norm, _, term = line.rstrip("\n").partition("\t")
                    if term:
                        vocabulary[norm] = term
        except OSError:
            pass
        return vocabulary

    # ------------------------------------------------------------------ build and update

    def _build(self, analyzer: Analyzer, progress: bool):
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        manifest = Manifest(self.key, {})
        files = list(self._scan())
        workers = min(self.config.corpus.worker_count(), len(files))
        if workers > 1 and _corpus_bytes(files) >= PARALLEL_FROM_BYTES:
            try:
                return self._build_parallel(analyzer, manifest, files, workers, progress)
            except WorkersFailed as exc:
                log.warning("building %s in this process: %s", self.folder, exc)
            return self._build_serial(analyzer, progress)
        return self._build_serial(analyzer, progress, manifest, files)

    def _build_serial(
        self,
        analyzer: Analyzer,
        progress: bool,
        manifest: Manifest | None = None,
        files: list[tuple[Path, str]] | None = None,
    ):
        """The one-process build (also what a failed parallel build falls back to)."""
        if manifest is None or files is None:
            shutil.rmtree(self.folder)
            self.folder.mkdir(parents=True)
            manifest = Manifest(self.key, {})
            files = list(self._scan())
        if self.config.analysis.mine_acronyms:
            texts = (
                passage.text
                for path, doc_id in progress_bar(files, "mining acronyms", progress, "files")
                for passage in self._passages(path, doc_id)
            )
            manifest.mined = [list(pair) for pair in mine_acronyms(texts)]
        synonyms = self._synonyms(analyzer, manifest)
        engine = TantivyEngine(self.folder / "tantivy")
        vocabulary: dict[str, str] = {}
        terms = self._terms(analyzer, synonyms, vocabulary)
        for path, doc_id in progress_bar(files, "indexing", progress, "files"):
            self._index_file(engine, manifest, terms, path, doc_id)
        engine.commit()
        self._save(manifest, vocabulary)
        log_skipped(self.skipped(manifest), log)
        return engine, manifest, synonyms, vocabulary, StoreReport("built")

    def _build_parallel(
        self,
        analyzer: Analyzer,
        manifest: Manifest,
        files: list[tuple[Path, str]],
        workers: int,
        progress: bool,
    ):
        """``_build`` with worker processes: the same index (see ``parallel_build``)."""
        from bot.search import parallel_build  # it imports this module's read_file

        engine = TantivyEngine(self.folder / "tantivy")
        built = parallel_build.build(
            self.config, self.folder, files, manifest.files, engine, workers, progress
        )
        manifest.mined = [list(pair) for pair in built.mined]
        manifest.next_pid = built.next_pid
        synonyms = self._synonyms(analyzer, manifest)
        engine.commit()
        self._save(manifest, built.vocabulary)
        log_skipped(self.skipped(manifest), log)
        return engine, manifest, synonyms, built.vocabulary, StoreReport("built")

    def _update(
        self, engine: TantivyEngine, manifest: Manifest, analyzer: Analyzer, progress: bool
    ):
        report = StoreReport("opened")
        seen: set[str] = set()
        todo: list[tuple[Path, str]] = []
        for path, doc_id in self._scan():
            seen.add(doc_id)
            entry = manifest.files.get(doc_id)
            if entry is None:
                report.added.append(doc_id)
                todo.append((path, doc_id))
            elif _changed(path, entry, self._read):
                report.changed.append(doc_id)
                todo.append((path, doc_id))
        report.deleted = sorted(set(manifest.files) - seen)
        synonyms = self._synonyms(analyzer, manifest)
        vocabulary = self._vocabulary()
        if todo or report.deleted:
            report.action = "updated"
            for doc_id in report.deleted + [doc_id for _, doc_id in todo]:
                if doc_id in manifest.files:
                    engine.delete_document(doc_id)
                    manifest.files.pop(doc_id)
            terms = self._terms(analyzer, synonyms, vocabulary)
            for path, doc_id in todo:
                self._index_file(engine, manifest, terms, path, doc_id)
            engine.commit()
            self._save(manifest, vocabulary)
            entries = [(doc_id, manifest.files[doc_id]) for _, doc_id in todo]
            log_skipped([SkippedFile(d, e.skipped) for d, e in entries if e.skipped], log)
        return engine, manifest, synonyms, vocabulary, report

    def _scan(self) -> Iterator[tuple[Path, str]]:
        """Candidate files; the others (wrong type, symlink loops...) go to walk_skipped."""
        self.walk_skipped = []
        for item in walk_corpus(
            self.config.corpus.paths, self.config.corpus.extensions, self.config.corpus.exclude
        ):
            if isinstance(item, SkippedFile):
                self.walk_skipped.append(item)  # logged when the index is built, not each open
            else:
                yield item

    def _read(self, path: Path, doc_id: str, max_bytes: int | None = None) -> SourceText:
        return read_corpus_file(self.config.corpus, path, doc_id, max_bytes)

    def repeats(self, version: str) -> tuple[list[tuple[str, str]], list[int]] | None:
        """The repeated pages found for this version of the documents, if kept."""
        try:
            kept = json.loads((self.folder / REPEATS).read_text(encoding="utf-8"))
            if kept["version"] != version:
                return None
            return [(doc_id, reason) for doc_id, reason in kept["reports"]], kept["hidden"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save_repeats(self, version: str, reports: list[tuple[str, str]], hidden: list[int]) -> None:
        record = {"version": version, "reports": reports, "hidden": hidden}
        try:
            _atomic_write(self.folder / REPEATS, json.dumps(record))
        except OSError as exc:  # a read-only index folder: found again at the next start
            log.debug("cannot keep the repeated pages in %s: %s", self.folder, exc)

    def _synonyms(self, analyzer: Analyzer, manifest: Manifest) -> SynonymTable:
        mined = [(short, long) for short, long in manifest.mined]
        return synonym_table(analyzer, self.config.analysis, mined)

    def _terms(self, analyzer: Analyzer, synonyms: SynonymTable, vocabulary: dict[str, str]):
        """The shared passage -> terms step; documents are added as files are indexed."""
        with_bigrams = self.config.retrieval.bigram_weight > 0
        return PassageTerms(analyzer, synonyms, {}, with_bigrams, vocabulary)

    def _passages(self, path: Path, doc_id: str) -> list[Passage]:
        """A file's passages for the mining pass (none when it is unreadable or empty)."""
        try:
            source = self._read(path, doc_id)
        except (UnreadableFile, OSError):
            return []
        found = document_of(source, self.config.corpus, self._ignore)
        return found[1] if found else []

    def _index_file(
        self,
        engine: TantivyEngine,
        manifest: Manifest,
        terms: PassageTerms,
        path: Path,
        doc_id: str,
    ) -> None:
        entry, found = read_file(self.config.corpus, self._ignore, path, doc_id)
        manifest.files[doc_id] = entry
        if found is None:
            return
        document, parts = found
        passages = [dataclasses.replace(p, pid=manifest.next_pid + p.pid) for p in parts]
        manifest.next_pid += len(passages)
        entry.pids = [p.pid for p in passages]
        terms.documents[doc_id] = document
        terms.index(passages, engine.add)

    def documents(self, manifest: Manifest) -> dict[str, Document]:
        found = {}
        for doc_id, entry in manifest.files.items():
            if entry.document:
                meta = DocumentMeta(**entry.document["meta"])
                found[doc_id] = Document(
                    doc_id,
                    Path(entry.path),
                    entry.document["kind"],
                    meta,
                    entry.document["passage_count"],
                )
        return found

    def skipped(self, manifest: Manifest) -> list[SkippedFile]:
        """Files skipped while walking (this run) and while reading (kept in the manifest)."""
        read = [SkippedFile(doc_id, e.skipped) for doc_id, e in manifest.files.items() if e.skipped]
        return list(getattr(self, "walk_skipped", [])) + read


def _corpus_bytes(files: list[tuple[Path, str]]) -> int:
    total = 0
    for path, _ in files:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def read_file(
    corpus: CorpusConfig, ignore: list[re.Pattern[str]], path: Path, doc_id: str
) -> tuple[FileEntry, tuple[Document, list[Passage]] | None]:
    """One file's manifest entry (pids not yet given) and its document and passages
    (pid per document), or None with the reason in ``entry.skipped``."""
    entry = FileEntry(path.as_posix(), 0, 0, "", None)
    try:
        stat = path.stat()
        entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
        source = read_corpus_file(corpus, path, doc_id)
    except (UnreadableFile, OSError) as exc:
        entry.skipped = str(exc) if isinstance(exc, UnreadableFile) else f"cannot read: {exc}"
        return entry, None
    entry.sha256 = content_hash(source.text)
    found = document_of(source, corpus, ignore)
    if found is None:
        entry.skipped = NO_PASSAGE
        return entry, None
    document = found[0]
    entry.document = {
        "kind": document.kind,
        "meta": dataclasses.asdict(document.meta),
        "passage_count": document.passage_count,
    }
    return entry, found


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _changed(path: Path, entry: FileEntry, read: Callable[..., SourceText]) -> bool:
    """Size and mtime first (cheap); when they differ, the content hash decides."""
    try:
        stat = path.stat()
    except OSError:
        return True
    if stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime_ns:
        return False
    if not entry.sha256:
        return True
    try:
        text = read(path, path.name, sys.maxsize).text
    except UnreadableFile:
        return True
    same = content_hash(text) == entry.sha256
    if same:
        entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
    return not same


@contextlib.contextmanager
def _exclusive(lock_path: Path, folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock (POSIX flock; no lock where there is none)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        if fcntl is None:
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another process is building or updating %s; waiting for it", folder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
