"""Code identifiers and command-line options, found in text to be indexed whole.

Documentation names things the way code does: ``os.path.join``, ``__name__``,
``html_theme``, ``requests.Session``, ``--force-with-lease``, ``git-rebase``,
``.gitignore``. The word analyzer splits these into their words (and drops
underscores), which keeps them findable by their parts; this module finds the
whole token so it can also be one exact term. A token qualifies when it is
more than a plain word: its word characters are joined by ``.``, ``::``, ``-``
or ``_``, or it starts with ``-``/``--`` (an option) or ``.`` (a dot file), or
it has leading or trailing underscores. Trailing sentence punctuation is not
part of it ("use os.path.join." ends at "join").

An option's name is also emitted without its dashes (``--force-with-lease``
gives ``force-with-lease`` too), so a question that leaves the dashes out
still finds it. Tokens whose parts are all single characters ("e.g.", "i.e.",
"a-b") are not identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

CODE_FIELD = "c:"
MAX_CODE_CHARS = 64

# An optional prefix ("--", "-" or "." before a letter), then word characters
# joined by ".", "::" or "-" (underscores are word characters here).
_TOKEN = re.compile(
    r"(?<![\w.\-:])"
    r"(?P<prefix>--?(?=[^\W\d_])|\.(?=[^\W\d_]))?"
    r"(?P<core>\w+(?:(?:\.|::|-)\w+)*)"
)
_CONNECTOR = re.compile(r"\.|::|-|_+")


def code_spans(text: str, normalize: Callable[[str], str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, normalised token) of each identifier or option in ``text``.

    An option also yields its name without the dashes, with the same span.
    """
    for match in _TOKEN.finditer(text):
        prefix, core = match.group("prefix") or "", match.group("core")
        parts = [p for p in _CONNECTOR.split(core) if p]
        if not parts or max(len(p) for p in parts) < 2 and not prefix.startswith("-"):
            continue
        compound = len(parts) > 1 or "_" in core
        if not compound and not prefix:
            continue  # a plain word
        whole = normalize(prefix + core)
        if len(whole) > MAX_CODE_CHARS:
            continue
        yield match.start(), match.end(), whole
        if prefix.startswith("-") and compound:
            yield match.start() + len(prefix), match.end(), normalize(core)
