"""Documents that only repeat other documents never answer in their place.

Two structures of built docs folders repeat text:

- a print-all page (mdBook's ``print.html``, a Sphinx single-page build, a
  manual in one page beside its chapters) holds other pages whole, one after
  the other;
- a source that is included into rendered pages (an AsciiDoc fragment such
  as git's ``diff-options.txt``, rendered inside several man pages) holds
  text the pages show.

Both are found from the passages alone, with no per-site rule. A passage's
word 4-grams are its shingles; it is *contained* in another document when
``CONTAINED`` of its shingles occur in that document. A page is a repeat page
when it holds at least two smaller pages almost whole and those pages' text is
most of it; a non-HTML source is a repeat of the pages that contain it (all of it when
``SOURCE_SHARE`` of its passages are shown in pages). Only
the repeated passages are hidden; what is said nowhere else still answers.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SHINGLE = 4  # words per shingle
MIN_SHINGLES = 3  # shorter passages are never judged repeats
CONTAINED = 0.8  # share of a passage's shingles found in another document
WHOLE = 0.8  # share of a page's passages a print-all page must hold
SOURCE_SHARE = 0.5  # a source mostly shown in pages is merged into them whole
CANDIDATE_SHINGLES = 8  # rarest shingles whose documents are checked
REPEAT = "repeat"  # the SkippedFile kind of a document whose passages repeat pages
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Repeat:
    """A document's passages (indexes) that repeat other documents, and those documents."""

    doc_id: str
    hidden: tuple[int, ...]
    of: tuple[str, ...]
    passages: int
    source: bool  # a source copy (non-HTML) rather than a print-all page

    @property
    def reason(self) -> str:
        what = "source of" if self.source else "repeats"
        names = ", ".join(self.of[:3]) + (
            f" and {len(self.of) - 3} more" if len(self.of) > 3 else ""
        )
        return f"{what} {names}: {len(self.hidden)} of {self.passages} passages shown there instead"


def shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(text.casefold())
    return frozenset(
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    )


def find_repeats(documents: Mapping[str, tuple[bool, Sequence[str]]]) -> list[Repeat]:
    """``documents``: doc id -> (is an HTML page, its passages' texts), in corpus order."""
    passage_sets = {d: [shingles(t) for t in texts] for d, (_, texts) in documents.items()}
    doc_sets: dict[str, set[int]] = {}
    postings: dict[int, list[str]] = defaultdict(list)
    for doc_id, sets in passage_sets.items():
        union: set[int] = set().union(*sets) if sets else set()
        doc_sets[doc_id] = union
        for shingle in union:
            postings[shingle].append(doc_id)
    containers = {
        doc_id: [_containers(doc_id, s, doc_sets, postings) for s in sets]
        for doc_id, sets in passage_sets.items()
    }
    pages = {d for d, (is_page, _) in documents.items() if is_page}
    judged = {d: sum(1 for c in held if c is not None) for d, held in containers.items()}
    held_by: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for other, held in containers.items():
        for c in held:
            for container in c or ():
                held_by[container][other] += 1
    found = []
    for doc_id, (is_page, texts) in documents.items():
        held = containers[doc_id]
        if not is_page and pages:
            hidden = [i for i, c in enumerate(held) if c and c & pages]
            of = {p for c in held if c for p in c & pages}
            if len(hidden) >= SOURCE_SHARE * judged[doc_id]:  # an included source: all of it
                hidden = list(range(len(held)))
        else:
            whole = {
                other
                for other, count in held_by[doc_id].items()
                if other in pages
                and len(containers[other]) < len(held)
                and count >= WHOLE * judged[other]
            }
            # Each repeated passage comes from one of the pages: a print-all page
            # holds them one after the other, while pages that share an included
            # text (options common to several commands) overlap.
            hidden = [i for i, c in enumerate(held) if c and len(c & whole) == 1]
            if len(whole) < 2 or len(hidden) < WHOLE * judged[doc_id]:
                continue
            of = {p for i in hidden for p in held[i] & whole}
        if hidden:
            found.append(Repeat(doc_id, tuple(hidden), tuple(sorted(of)), len(texts), not is_page))
    return found


def _containers(doc_id: str, passage: frozenset[int], doc_sets, postings) -> frozenset[str] | None:
    """Other documents holding the passage; None for a passage too short to judge."""
    if len(passage) < MIN_SHINGLES:
        return None
    shared = [s for s in passage if len(postings[s]) > 1]  # in some other document
    if len(shared) < CONTAINED * len(passage):
        return frozenset()
    rarest = sorted(shared, key=lambda s: len(postings[s]))[:CANDIDATE_SHINGLES]
    candidates = {d for s in rarest for d in postings[s] if d != doc_id}
    need = CONTAINED * len(passage)
    return frozenset(d for d in candidates if len(passage & doc_sets[d]) >= need)


def hide_repeats(corpus) -> list[Repeat]:
    """Record the corpus's repeated passages in ``corpus.hidden`` and report each document.

    Only HTML pages are shown instead of a repeat, so a corpus without one has none and
    its passages are not read at all (a stored index of a million text passages opens
    without reading them back)."""
    if not any(document.kind == "html" for document in corpus.documents.values()):
        return []
    documents: dict[str, tuple[bool, list[str]]] = {}
    pids: dict[str, list[int]] = {}
    for passage in corpus.passages:
        kind = corpus.documents[passage.doc_id].kind
        documents.setdefault(passage.doc_id, (kind == "html", []))[1].append(passage.text)
        pids.setdefault(passage.doc_id, []).append(passage.pid)
    found = find_repeats(documents)
    hidden = [pids[r.doc_id][i] for r in found for i in r.hidden]
    apply_repeats(corpus, [(r.doc_id, r.reason) for r in found], hidden)
    return found


def apply_repeats(corpus, reports: list[tuple[str, str]], hidden: list[int]) -> None:
    """Hide the repeated passages (pids) and report each repeating document with its
    reason: as just found, or as kept with a stored index."""
    from bot.documents.loading import SkippedFile

    corpus.hidden.update(hidden)
    corpus.skipped.extend(SkippedFile(doc_id, reason, REPEAT) for doc_id, reason in reports)
