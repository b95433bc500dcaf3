"""Files to documents: walking folders, decoding, front matter, sidecar metadata, HTML, PDF, Word.

A file that cannot be read as text is skipped with a reason; it never stops the
rest of the corpus from loading.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from bot.config import GLOSSARY_NAME
from bot.documents.blockwriter import Extracted
from bot.documents.decoding import decode_text
from bot.documents.docxtext import docx_to_text
from bot.documents.errors import UnreadableFile
from bot.documents.exclude import ExcludeRules, page_of_source, sphinx_page_of_source
from bot.documents.htmltext import html_to_text
from bot.documents.markdown import markdown_page
from bot.documents.passages import Block
from bot.documents.pdftext import pdf_to_text
from bot.documents.rst import rst_page

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
RST_SUFFIXES = frozenset({".rst"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
# Formats read from their bytes by their own library, never decoded as text.
BINARY_READERS: dict[str, Callable[[bytes], Extracted]] = {
    ".pdf": pdf_to_text,
    ".docx": docx_to_text,
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_NON_SPACE = re.compile(r"\S")
_UNIX_TIME_MIN = 100_000_000  # integers above this in a date field are Unix seconds
_UNIX_MILLISECONDS_MIN = 100_000_000_000  # ...and above this, milliseconds (year 5138 in s)
_DIGITS = re.compile(r"\d{1,20}", re.ASCII)
_CONTAINERS = (list, tuple, dict, set)
LINK_OUTSIDE = "link points outside the corpus"
_SKIPPED_SHOWN = 3  # skipped files named in the build's one warning
HTML_URL = "html:url"  # meta key of an HTML page's canonical / og:url link


@dataclass(frozen=True)
class DocumentMeta:
    """What an answer cites: title, publisher, author, date (ISO), url."""

    title: str
    source: str
    author: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class SourceText:
    """A decoded document before it is split: ``text`` is what spans index into."""

    doc_id: str
    path: Path
    kind: str  # "text", "markdown", "rst", "html", "pdf" or "docx"
    text: str
    body_start: int  # where the content starts after any front matter
    meta: dict[str, object]
    blocks: tuple[Block, ...] | None = None  # typed blocks (HTML, Markdown, reST, PDF, Word)


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str
    kind: str = "skipped"  # or "excluded" (corpus.exclude), "merged" (a source of a page)


EXCLUDED = "excluded"
MERGED = "merged"


def log_skipped(skipped: list[SkippedFile], logger: logging.Logger) -> None:
    """One warning for the files a build skipped, naming the first few.

    Each file is logged at DEBUG; ``qabot index`` lists them all. Logged once
    per build, never on opening an index that is up to date.
    """
    for item in skipped:
        logger.debug("skipping %s: %s", item.path, item.reason)
    skipped = [item for item in skipped if item.kind == "skipped"]  # not excluded, merged
    if not skipped:
        return
    shown = "; ".join(f"{item.path}: {item.reason}" for item in skipped[:_SKIPPED_SHOWN])
    more = len(skipped) - _SKIPPED_SHOWN
    logger.warning(
        "skipped %d %s (%s%s); `qabot index` lists them",
        len(skipped),
        "file" if len(skipped) == 1 else "files",
        shown,
        f"; and {more} more" if more > 0 else "",
    )


class NavigationPage(UnreadableFile):
    """An HTML page that is only navigation (an index, a table of contents, a search
    page): listed as skipped, never indexed."""


def walk_corpus(
    roots: tuple[Path, ...], extensions: tuple[str, ...], exclude: tuple[str, ...] = ()
) -> Iterator[tuple[Path, str] | SkippedFile]:
    """Yield (path, doc_id) for every candidate document, or SkippedFile for the rest.

    Folders are walked recursively without following symlinked folders (so a
    symlink loop cannot trap the walk); hidden files, sidecars and a folder's
    glossary (``synonyms.yaml`` at its top level) are not documents and are ignored.
    A symlinked file is read only if its real path lies inside a configured
    path: a link committed to a docs folder must not publish a file from
    elsewhere on the machine (say the bot's own ``.env``).
    A folder or file matching ``exclude`` is reported once and not walked; a
    source file beside its rendered page is reported as merged into the page.
    """
    wanted = {e.lower() for e in extensions}
    rules = ExcludeRules(exclude)
    prefix_roots = len(roots) > 1
    seen: set[Path] = set()
    inside = _real_roots(roots)
    for root in roots:
        label = root.name if prefix_roots else ""

        def named(rel: str, label: str = label) -> str:
            return f"{label}/{rel}" if label else rel

        if root.is_file():
            yield from _candidate(root, label or root.name, wanted, seen, inside)
            continue
        for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
            base = Path(folder).relative_to(root).as_posix()
            prefix = "" if base == "." else base + "/"
            kept = []
            for name in sorted(d for d in dirs if not d.startswith(".")):
                pattern = rules.match(prefix + name, is_dir=True)
                if pattern is None:
                    kept.append(name)
                else:
                    reason = f"excluded by corpus.exclude {pattern!r}"
                    yield SkippedFile(named(prefix + name + "/"), reason, EXCLUDED)
            dirs[:] = kept
            names = {n for n in files if not n.startswith(".")}
            for name in sorted(names):
                if name.endswith(SIDECAR_SUFFIXES) or (not prefix and name == GLOSSARY_NAME):
                    continue
                rel = prefix + name
                skip = _not_a_document(root, rel, names, wanted, rules)
                if skip is not None:
                    yield SkippedFile(named(rel), *skip)
                    continue
                yield from _candidate(Path(folder) / name, named(rel), wanted, seen, inside)


def _not_a_document(
    root: Path, rel: str, names: set[str], wanted: set[str], rules: ExcludeRules
) -> tuple[str, str] | None:
    """(reason, kind) when an exclusion or a rendered page of this source takes its place."""
    pattern = rules.match(rel, is_dir=False)
    if pattern is not None:
        return f"excluded by corpus.exclude {pattern!r}", EXCLUDED
    if Path(rel).suffix.lower() not in wanted:
        return None
    page = page_of_source(rel, names, wanted) or sphinx_page_of_source(
        rel, lambda page: Path(page).suffix.lower() in wanted and (root / page).is_file()
    )
    if page is not None:
        return f"source of {page}, shown as the page", MERGED
    return None


def _real_roots(roots: tuple[Path, ...]) -> tuple[Path, ...]:
    """The configured paths with every link resolved (a configured file counts as itself)."""
    real = []
    for root in roots:
        try:
            real.append(root.resolve(strict=True))
        except (OSError, RuntimeError):
            continue  # a missing root yields nothing to check against
    return tuple(real)


def _candidate(
    path: Path, doc_id: str, wanted: set[str], seen: set[Path], inside: tuple[Path, ...]
) -> Iterator[tuple[Path, str] | SkippedFile]:
    if path.suffix.lower() not in wanted:
        yield SkippedFile(doc_id, f"unsupported file type {path.suffix or '(none)'!r}")
        return
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        yield SkippedFile(doc_id, f"cannot resolve path: {_reason(exc)}")
        return
    if not any(real.is_relative_to(root) for root in inside):
        yield SkippedFile(doc_id, LINK_OUTSIDE)
        return
    if real in seen:
        yield SkippedFile(doc_id, "same file as another document (symlink)")
        return
    seen.add(real)
    yield path, doc_id


def read_source(
    path: Path,
    doc_id: str,
    max_bytes: int,
    content_selector: str | None = None,
    drop_selectors: tuple[str, ...] = (),
    anchors: str = "github",
    encoding: str | None = None,
) -> SourceText:
    """Read and decode one document; raise UnreadableFile with the reason (NavigationPage
    for an HTML page that is only navigation). The selectors are for HTML pages;
    ``anchors`` is how a Markdown page's heading ids are made ("github" or "mkdocs");
    ``encoding`` (corpus.encoding) reads text that is not UTF-8.

    Markdown and reStructuredText become the text they render to, with typed blocks
    (bot.documents.markdown, bot.documents.rst); front matter and the sidecar are read
    first, so the page title heads the heading path. PDF and Word files are read from
    their bytes by their own library (BINARY_READERS), never decoded as text."""
    data = _read_bounded(path, max_bytes)
    suffix = path.suffix.lower()
    reader = BINARY_READERS.get(suffix)
    if reader is not None:  # never decoded as text, so never "binary"
        extracted = reader(data)
        del data
        meta: dict[str, object] = dict(extracted.meta)
        meta.update(_sidecar(path, doc_id))
        kind = suffix.lstrip(".")
        return SourceText(doc_id, path, kind, extracted.text, 0, meta, extracted.blocks)
    text = decode_text(data, encoding)
    del data
    meta = {}
    kind = "text"
    if suffix in MARKDOWN_SUFFIXES:
        kind = "markdown"
    elif suffix in RST_SUFFIXES:
        kind = "rst"
    blocks = None
    if suffix in HTML_SUFFIXES:
        kind = "html"
        page = html_to_text(text, content_selector, drop_selectors)
        if page.navigation:
            raise NavigationPage(page.navigation)
        text, blocks = page.text, page.blocks
        html_meta = dict(page.meta)
        if "url" in html_meta:  # the page's own link: after a configured base url
            html_meta[HTML_URL] = html_meta.pop("url")
        meta.update(html_meta)
    body_start = 0
    front = _FRONT_MATTER.match(text) if kind in ("text", "markdown") else None
    if front:
        parsed = _safe_yaml(front.group(1), f"front matter of {doc_id}")
        if isinstance(parsed, dict):
            meta.update(parsed)
            body_start = front.end()
    if kind == "rst":
        text, blocks, rst_meta = _parsed("reStructuredText", rst_page, text)
        meta.update(rst_meta)
    meta.update(_sidecar(path, doc_id))
    if kind == "markdown":
        lead = _text(meta.get("description"))
        text, blocks = _parsed(
            "Markdown",
            markdown_page,
            text[body_start:],
            _text(meta.get("title")),
            anchors,
            suffix == ".mdx",
            lead,
        )
        body_start = 0
    if not _NON_SPACE.search(text, body_start):
        raise UnreadableFile("empty: no text in the file")
    return SourceText(doc_id, path, kind, text, body_start, meta, blocks)


def _parsed(what: str, parse: Callable[..., _T], *args: object) -> _T:
    """``parse(*args)``; any exception in the parser skips the file with its name."""
    try:
        return parse(*args)
    except Exception as exc:  # noqa: BLE001 - a parser's bug must not stop the corpus walk
        raise UnreadableFile(f"cannot parse {what}: {type(exc).__name__}") from None


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    Only regular files are read: opening a FIFO would block the load forever and a
    device (say a link to /dev/zero) never ends. The size is checked again after
    reading, in case the file grew meanwhile.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file (a pipe, socket or device)")
        if info.st_size > max_bytes:
            raise UnreadableFile(
                f"larger than corpus.max_file_bytes ({info.st_size:,} > {max_bytes:,})"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {_reason(exc)}") from None
    if len(data) > max_bytes:
        raise UnreadableFile(f"larger than corpus.max_file_bytes ({len(data):,} > {max_bytes:,})")
    return data


def _sidecar(path: Path, doc_id: str) -> dict[str, object]:
    for suffix in SIDECAR_SUFFIXES:
        sidecar = path.with_name(path.name + suffix)
        if sidecar.is_file():
            if not _stays_in_folder(sidecar):
                log.warning("ignoring metadata file %s: %s", sidecar.name, LINK_OUTSIDE)
                return {}
            try:
                parsed = _safe_yaml(sidecar.read_text(encoding="utf-8"), str(sidecar.name))
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("ignoring metadata file %s: %s", sidecar.name, _reason(exc))
                return {}
            if isinstance(parsed, dict):
                return parsed
            log.warning("ignoring metadata file %s: not a mapping", sidecar.name)
    return {}


def _stays_in_folder(path: Path) -> bool:
    """A sidecar is read only from its own folder: a link elsewhere could publish any file
    as a document's title or url."""
    try:
        return path.resolve(strict=True).parent == path.parent.resolve(strict=True)
    except (OSError, RuntimeError):
        return False


def _safe_yaml(text: str, what: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        log.warning("ignoring %s: invalid YAML (%s)", what, str(exc).splitlines()[0])
        return None


def build_meta(
    raw: dict[str, object], fallback_title: str, path: Path, page_url: str | None = None
) -> DocumentMeta:
    """Normalise front matter / sidecar / HTML fields into DocumentMeta.

    The url is the one front matter or a sidecar gives, else ``page_url`` (from the
    corpus path's configured url), else the page's own canonical or og:url link.
    """
    title = _text(raw.get("title")) or fallback_title or path.stem
    source = _text(raw.get("source")) or _text(raw.get("publisher")) or path.name
    return DocumentMeta(
        title=title,
        source=source,
        author=_text(raw.get("author")),
        date=normalise_date(raw.get("date")),
        url=_text(raw.get("url")) or page_url or _text(raw.get(HTML_URL)),
    )


def normalise_date(value: object) -> str | None:
    """ISO date from a date, datetime, ISO string or Unix time (seconds, or milliseconds
    as JavaScript writes them). A number no calendar holds is kept as written."""
    if value is None or value == "" or isinstance(value, (bool, *_CONTAINERS)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float)) or (
        isinstance(value, str) and _DIGITS.fullmatch(value.strip())
    ):
        number = int(value)
        if number >= _UNIX_TIME_MIN:
            seconds = number / 1000 if number >= _UNIX_MILLISECONDS_MIN else number
            try:
                stamp = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
            except (ValueError, OverflowError, OSError):  # past year 9999
                return str(number)
            return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        return str(number)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat(timespec="seconds")
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


def _text(value: object) -> str | None:
    if value is None or isinstance(value, _CONTAINERS):
        return None  # a list or mapping is no title (and a YAML alias bomb would explode)
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
