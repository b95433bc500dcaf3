"""What a built docs folder holds besides its pages: exclusions and source copies.

``corpus.exclude`` globs are matched against a path relative to its corpus
folder, the way ``.gitignore`` does it: ``*`` and ``?`` stay within one path
segment, ``**`` spans any number of them, a pattern ending in ``/`` names a
folder (and everything in it), and a pattern starting with ``/`` is anchored
at the corpus folder; any other pattern matches at any depth. An excluded
folder is not walked at all.

A source file beside its rendered page is the same document: ``P.txt`` or
``P.md`` next to ``P.html`` (AsciiDoc, Markdown builds), or Sphinx's copy
``_sources/P.rst.txt`` of ``P.html``. The page is what a reader sees, so the
source is merged into it (not indexed) whenever the page is indexed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache
from pathlib import PurePosixPath

HTML_SUFFIXES = (".html", ".htm")
SPHINX_SOURCES = "_sources"


class ExcludeRules:
    """Compiled ``corpus.exclude`` globs."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(p for p in patterns if p.strip("/"))
        self._compiled = [(p, _compile(p)) for p in self.patterns]

    def match(self, rel: str, is_dir: bool) -> str | None:
        """The first pattern that excludes ``rel`` (a folder when ``is_dir``), else None."""
        for pattern, (regex, folder_only) in self._compiled:
            if folder_only and not is_dir:
                continue
            if regex.match(rel):
                return pattern
        return None


@lru_cache(maxsize=256)
def _compile(pattern: str) -> tuple[re.Pattern[str], bool]:
    folder_only = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/")
    parts = []
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            parts.append("(?:[^/]*/)*")
            index += 3
        elif body.startswith("**", index):
            parts.append(".*")
            index += 2
        elif body[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif body[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(body[index]))
            index += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{''.join(parts)}\\Z"), folder_only


def page_of_source(rel: str, siblings: Collection[str], wanted: Collection[str]) -> str | None:
    """The rendered page (a path like ``rel``) that the source file ``rel`` is a copy of.

    ``siblings`` are the names in the file's folder. A file that is itself a
    page, or whose page is not a wanted type, has none.
    """
    path = PurePosixPath(rel)
    if path.suffix.lower() in HTML_SUFFIXES:
        return None
    pages = [s for s in HTML_SUFFIXES if s in wanted]
    for stem in _stems(path.name):
        for suffix in pages:
            if stem + suffix in siblings:
                return (path.parent / (stem + suffix)).as_posix()
    return None


def sphinx_page_of_source(rel: str, exists) -> str | None:
    """For ``…/_sources/S.rst.txt`` the page ``…/S.html`` when ``exists`` says it is there."""
    parts = PurePosixPath(rel).parts
    if SPHINX_SOURCES not in parts[:-1]:
        return None
    at = len(parts) - 1 - parts[::-1].index(SPHINX_SOURCES)
    base, inner = parts[:at], parts[at + 1 :]
    for stem in _stems(inner[-1]):
        for suffix in HTML_SUFFIXES:
            page = PurePosixPath(*base, *inner[:-1], stem + suffix).as_posix()
            if exists(page):
                return page
    return None


def _stems(name: str) -> list[str]:
    """``P.rst.txt`` -> ``P.rst``, ``P``: the names the page may have."""
    stems = []
    while "." in name.lstrip("."):
        name = name.rsplit(".", 1)[0]
        stems.append(name)
    return stems
