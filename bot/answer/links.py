"""Links to the place: a page, its section's anchor, and a text fragment for the quote.

A PDF passage links to ``document.pdf#page=N`` (RFC 8118), with no text fragment.

A result links to ``page#anchor:~:text=start,end``: the browser opens the page,
and where it supports URL Fragment Text Directives (WICG), scrolls to the quoted
text and highlights it; elsewhere the ``#anchor`` part still scrolls to the
section. Only text that is on the page is quoted: the excerpt is an exact slice
of the document, its ellipses are dropped, and a long quote becomes its first
and last few words (``textStart,textEnd``), so only those must match.

The directive's text is percent-encoded as the spec's grammar requires: every
character but ASCII letters, digits and ``!$'()*+./:;=?@_~`` is written as
%XX of its UTF-8 bytes, in particular ``-``, ``,`` and ``&``, which the
directive syntax itself uses, and spaces.
"""

from __future__ import annotations

import re
import urllib.parse

# TextDirectiveExplicitChar of the spec: everything else is percent-encoded.
_EXPLICIT = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!$'()*+./:;=?@_~"
)
DIRECTIVE = ":~:"
ELLIPSES = "…"  # what the excerpt adds where it cuts a sentence
# A quote of at most this many words is given whole; a longer one by its ends.
WHOLE_MAX_WORDS = 8
END_WORDS = 4  # words of textStart and of textEnd
# Characters that are Markdown markup in a source file, not text on the rendered page:
# a word holding one is never the start or the end of a quote.
_MARKUP = re.compile(r"[*`\[\]<>|\\]|^#|^_|_$")
# Characters that are not allowed in a fragment as they are (RFC 3986) for the anchor.
_FRAGMENT_SAFE = "!$&'()*+,;=:@/?-._~"


def encode_text(text: str) -> str:
    """``text`` percent-encoded for a text directive (UTF-8, %XX upper-case)."""
    return "".join(
        ch if ch in _EXPLICIT else "".join(f"%{byte:02X}" for byte in ch.encode("utf-8"))
        for ch in text
    )


def quoted_words(quote: str) -> list[str]:
    """The words of a quote as they are on the page: ellipses and markup ends dropped."""
    words = quote.replace(ELLIPSES, " ").split()
    while words and _MARKUP.search(words[0]):
        words.pop(0)
    while words and _MARKUP.search(words[-1]):
        words.pop()
    return words


def text_directive(quote: str) -> str | None:
    """``text=...`` for ``quote``: whole when short, else ``textStart,textEnd``.

    None when nothing of the quote can be matched on the page (empty, or only markup).
    """
    # A browser matches each term within one block of the page, and a quote's line
    # breaks are block edges (code on lines of its own): so a quote of several lines
    # is given by the start of its first line and the end of its last.
    lines = [words for words in map(quoted_words, quote.split("\n")) if words]
    if not lines:
        return None
    words = lines[0]
    if (
        len(lines) == 1
        and len(words) <= WHOLE_MAX_WORDS
        and not any(_MARKUP.search(w) for w in words)
    ):
        return "text=" + encode_text(" ".join(words))
    # Each end stops before a word holding markup, so the two never overlap.
    start = _clean_run(lines[0], from_end=False)[:END_WORDS]
    end = _clean_run(lines[-1], from_end=True)[-END_WORDS:]
    if not start or not end:
        return "text=" + encode_text(" ".join(start or end)) if start or end else None
    return "text=" + encode_text(" ".join(start)) + "," + encode_text(" ".join(end))


def _clean_run(words: list[str], from_end: bool) -> list[str]:
    """The words next to the quote's edge up to the first one holding markup."""
    ordered = list(reversed(words)) if from_end else list(words)
    kept = []
    for word in ordered:
        if _MARKUP.search(word):
            break
        kept.append(word)
    return list(reversed(kept)) if from_end else kept


def page_link(url: str | None, anchor: str | None, page: int | None = None) -> str | None:
    """``url#anchor``, or ``url#page=N`` for a page of a PDF (either replaces any
    fragment the url has); None for no url."""
    if not url:
        return None
    if page is not None:
        return url.split("#", 1)[0] + f"#page={page}"
    if not anchor:
        return url
    base = url.split("#", 1)[0]
    return base + "#" + urllib.parse.quote(anchor, safe=_FRAGMENT_SAFE)


def result_link(
    url: str | None, anchor: str | None, quote: str, page: int | None = None
) -> str | None:
    """``url#anchor:~:text=...``: the page, the section, and the quoted text.

    A passage of a paged document (PDF) links to ``url#page=N`` alone: PDF viewers
    (pdf.js, Chrome's, Acrobat) open that page but ignore text fragments.
    A url with a fragment directive of its own is given as it is (with the anchor).
    """
    link = page_link(url, anchor, page)
    if link is None or page is not None or DIRECTIVE in link:
        return link
    directive = text_directive(quote)
    if directive is None:
        return link
    return link + ("" if "#" in link else "#") + DIRECTIVE + directive
