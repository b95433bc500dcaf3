"""Heading anchors as the Markdown generators make them, so a link lands on page#section.

GitHub, Docusaurus and most renderers use github-slugger's rule: lowercase, drop
punctuation and symbols (letters of any script, digits, ``-`` and ``_`` stay),
each space a ``-``; a repeated heading gets ``-1``, ``-2``. MkDocs uses
Python-Markdown's ``toc`` slugify: accents folded to ASCII and anything else
non-ASCII dropped, punctuation dropped, runs of spaces and hyphens one ``-``; a
repeat gets ``_1``, ``_2``. A heading that names its own id (``## Setup {#setup}``,
Docusaurus and MkDocs attr_list) keeps it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_GITHUB_DROPPED = frozenset("PSC")  # punctuation, symbols, controls: unicode category initials
_MKDOCS_DROP = re.compile(r"[^\w\s-]")
_MKDOCS_JOIN = re.compile(r"[-\s]+")
_OWN_ID = re.compile(r"\s*\{#([A-Za-z0-9_:.-]+)\}\s*$")


def github_slug(title: str) -> str:
    """github-slugger: lowercase, punctuation and symbols dropped, each space a hyphen."""
    kept = (
        ch
        for ch in title.strip().lower()
        if ch in "-_ " or unicodedata.category(ch)[0] not in _GITHUB_DROPPED
    )
    return "".join(kept).replace(" ", "-")


def mkdocs_slug(title: str) -> str:
    """Python-Markdown's ``toc.slugify`` (MkDocs' default)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return _MKDOCS_JOIN.sub("-", _MKDOCS_DROP.sub("", ascii_text).strip().lower())


def own_id(title: str) -> tuple[str, str | None]:
    """The heading without a trailing ``{#id}``, and that id (None when it has none)."""
    match = _OWN_ID.search(title)
    if match is None:
        return title, None
    return title[: match.start()], match.group(1)


@dataclass
class Slugger:
    """Unique anchors for the headings of one page, in order."""

    style: str = "github"  # or "mkdocs"
    seen: dict[str, int] = field(default_factory=dict)

    def anchor(self, title: str, given: str | None = None) -> str | None:
        base = given or (mkdocs_slug(title) if self.style == "mkdocs" else github_slug(title))
        if not base:
            return None
        count = self.seen.get(base, 0)
        self.seen[base] = count + 1
        if count == 0 or given:
            return base
        return f"{base}{'_' if self.style == 'mkdocs' else '-'}{count}"
