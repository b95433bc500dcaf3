"""The main content of an HTML page, by the page's own structure, with its chrome removed.

Content is the page's ``main`` landmark (``main``, ``[role=main]``), else its
``article`` elements, else the body. Inside it go, as a browser's accessibility
tree would expose them: navigation, search, banner, contentinfo and
complementary landmarks (``header``/``footer``/``aside`` only when they are the
page's, not scoped to an article or section, as in ARIA in HTML); blocks whose
text is mostly link text (tables of contents, sidebars, index tables); bars of
navigation links (``accesskey`` or ``rel=next|prev|...`` links, as DocBook and
many generators write them); and permalink anchors inside headings (¶).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

_INVISIBLE = (
    "script, style, noscript, template, svg, iframe, object, button, input, select, "
    "textarea, [hidden]"
)
_EXPLICIT_CHROME = (
    "nav, [role=navigation], [role=search], [role=banner], [role=contentinfo], "
    "[role=complementary], [role=menubar], [role=toolbar]"
)
# header/footer are the page's banner/contentinfo unless scoped to one of these;
# aside is complementary unless scoped to sectioning content other than main.
_HEADER_SCOPES = frozenset({"article", "aside", "main", "nav", "section"})
_ASIDE_SCOPES = frozenset({"article", "aside", "nav", "section"})
_NAV_RELS = frozenset("next prev previous up first last home start contents index".split())
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
HEADINGS_CSS = ", ".join(sorted(_HEADINGS))
# Elements judged by link density as a whole (paragraphs are not: a sentence can be
# mostly cross-references and still be prose), and those never descended into.
_CONTAINERS = frozenset("div section ul ol dl table tbody nav menu details form".split())
_NOT_DESCENDED = frozenset(
    """p pre a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small span strong sub
    sup time u var img br hr h1 h2 h3 h4 h5 h6""".split()
)
_LINK_DENSITY = 0.6  # share of a block's letters and digits inside links
_MIN_LINKS = 3  # fewer links than this is a sentence with references, not a menu
# A list whose items are each a link with at most this many other words is a menu
# or an index (entries such as "auto-increment, see serial").
_LINK_ITEM_WORDS = 5
_LINK_ITEMS_SHARE = 0.9
_LABEL_WORDS = 3
_WORD = re.compile(r"[^\W_]+")
_NOT_LETTERS = bytes(c for c in range(128) if not chr(c).isalnum())


@dataclass
class Cleaned:
    """The content root after cleaning, and what went, for recognising navigation pages."""

    root: LexborNode
    link_words: int = 0  # words in link-dense blocks removed from the content
    links: int = 0  # links in them
    search_form: bool = False


def content_root(tree: LexborHTMLParser, content_selector: str | None) -> LexborNode | None:
    """The element holding the page's main content."""
    if content_selector:
        found = tree.css_first(content_selector)
        if found is not None:
            return found
    for selector in ("main, [role=main]", "article"):
        found = tree.css_first(selector)
        if found is not None:
            return found
    return tree.body


def clean(tree: LexborHTMLParser, content_selector: str | None, drop: tuple[str, ...]) -> Cleaned:
    """Select the content and remove chrome from it (the tree is changed in place)."""
    if drop:
        for node in tree.css(", ".join(drop)):
            if _attached(node):
                node.decompose()
    root = content_root(tree, content_selector)
    if root is None:
        root = tree.root
    cleaned = Cleaned(root, search_form=_has_search_form(root))
    for node in root.css(_INVISIBLE):
        if _attached(node):
            node.decompose()
    for node in root.css(_EXPLICIT_CHROME):
        _remove(node, root)
    for node in root.css("header, footer, aside"):
        scopes = _ASIDE_SCOPES if node.tag == "aside" else _HEADER_SCOPES
        if not _scoped(node, root, scopes):
            _remove(node, root)
    _remove_link_bars(root)
    _remove_link_dense(root, cleaned)
    _remove_permalinks(root)
    for br in root.css("br"):
        br.replace_with("\n")
    return cleaned


def _remove(node: LexborNode, root: LexborNode) -> None:
    if node.mem_id != root.mem_id and _attached(node):
        node.decompose()


def _attached(node: LexborNode) -> bool:
    return node.parent is not None


def _scoped(node: LexborNode, root: LexborNode, scopes: frozenset[str]) -> bool:
    """Whether ``node`` sits in one of the sectioning ``scopes`` (up to the whole page)."""
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag in scopes:
            return True
        parent = parent.parent
    return False


def _has_search_form(root: LexborNode) -> bool:
    if root.css_first("[role=search], input[type=search]") is not None:
        return True
    return any(
        form.css_first("input:not([type]), input[type=text]") is not None
        for form in root.css("form")
    )


def _remove_link_bars(root: LexborNode) -> None:
    """Bars of links to the previous/next/up page: the table or block that groups them."""
    for link in root.css("a[accesskey], a[rel]"):
        rels = set((link.attributes.get("rel") or "").lower().split())
        if link.attributes.get("accesskey") is None and not rels & _NAV_RELS:
            continue
        if not _attached(link):
            continue
        bar = _bar_of(link, root)
        if bar is not None:
            bar.decompose()


def _bar_of(link: LexborNode, root: LexborNode) -> LexborNode | None:
    block = None
    node = link.parent
    while node is not None and node.mem_id != root.mem_id:
        if node.tag == "table":
            return node if node.css_first(HEADINGS_CSS) is None else None
        if block is None and node.tag in ("div", "p", "ul", "ol", "nav", "span"):
            block = node if node.tag != "span" else None
        node = node.parent
    if block is not None and block.css_first(HEADINGS_CSS) is None:
        return block
    return None


def _remove_link_dense(root: LexborNode, cleaned: Cleaned) -> None:
    """Top down: a container mostly made of link text goes whole, unless it holds a
    heading (then it is a section of the page and its parts are judged one by one).
    The label left of a container whose links went (a "Table of Contents" line) goes too."""
    stack = [child for child in root.iter() if child.tag not in _NOT_DESCENDED]
    while stack:
        node = stack.pop()
        if node.css_first("a[href]") is None:
            continue  # nothing below it is a link
        if node.tag in _CONTAINERS and not _is_api_list(node):
            links = [a.text() for a in node.css("a[href]")]
            if _link_dense(node, links):
                cleaned.link_words += len(_WORD.findall(node.text()))
                cleaned.links += len(links)
                parent = node.parent
                node.decompose()
                _remove_label(parent, root, cleaned)
                continue
        stack.extend(child for child in node.iter() if child.tag not in _NOT_DESCENDED)


def _remove_label(node: LexborNode | None, root: LexborNode, cleaned: Cleaned) -> None:
    if node is None or node.mem_id == root.mem_id or node.tag not in _CONTAINERS:
        return
    if node.css_first(f"{HEADINGS_CSS}, pre, table") is not None:
        return
    words = len(_WORD.findall(node.text()))
    if words <= _LABEL_WORDS:
        cleaned.link_words += words
        node.decompose()


def _link_dense(node: LexborNode, links: list[str]) -> bool:
    if node.css_first(HEADINGS_CSS) is not None:
        return False
    if len(links) >= _MIN_LINKS:
        in_links = _letters("".join(links))
        if in_links >= _LINK_DENSITY * _letters(node.text()):
            return True
    return node.tag in ("ul", "ol", "dl") and _link_list(node)


def _letters(text: str) -> int:
    """About how many letters and digits ``text`` holds (bytes of UTF-8 less spaces and
    ASCII punctuation: separators such as "|" between links do not count)."""
    return len(text.encode("utf-8", "surrogatepass").translate(None, _NOT_LETTERS))


def _link_list(node: LexborNode) -> bool:
    """Every item (but one in ten) a link with at most a few other words."""
    items = [child for child in node.iter() if child.tag in ("li", "dt")]
    if not items:
        return False
    linked = 0
    for item in items:
        links = item.css("a[href]")
        if links:
            words = len(_WORD.findall(item.text()))
            link_words = sum(len(_WORD.findall(a.text())) for a in links)
            linked += words - link_words <= _LINK_ITEM_WORDS
    return linked >= _LINK_ITEMS_SHARE * len(items)


def _is_api_list(node: LexborNode) -> bool:
    """A description list of API entries (a ``dt`` with an id): content, whatever it links."""
    return node.tag == "dl" and node.css_first("dt[id]") is not None


def _remove_permalinks(root: LexborNode) -> None:
    """Permalink anchors in headings and entry terms: a link that is only a symbol (¶,
    #, §, an icon). A link with words is part of the heading (Sphinx links a module's
    name in its page title to the module's own anchor: the name stays)."""
    for heading in root.css(f"{HEADINGS_CSS}, dt"):
        for link in heading.css("a"):
            text = _collapsed(link.text())
            if link.attributes.get("href") and not any(ch.isalnum() for ch in text):
                link.decompose()


_SPACES = re.compile(r"\s+")


def _collapsed(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()
