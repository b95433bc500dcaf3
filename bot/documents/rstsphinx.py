"""Sphinx's roles and directives, taught to plain docutils so a Sphinx source parses clean.

Plain docutils knows neither ``:func:`` nor ``.. autofunction::``; without these
each is an error node holding the raw markup. Here a role renders as the text
Sphinx shows (``:func:`os.path.join``` -> ``os.path.join``, ``:ref:`label
<target>``` -> ``label``, ``~a.b.c`` -> ``c``); an admonition-like directive keeps
its content under its label ("See also", "Added in version 2.0: ..."); an object
description (``.. function::``, ``.. autoclass::``...) is an entry (signature,
then its content); code directives are code with their language; ``toctree``,
``index``, ``literalinclude`` and the other directives that show no prose of the
file are dropped. Nothing reads a file: ``include`` and ``raw`` are dropped too.

docutils keeps roles and directives in one registry per process, so registering
them here (once, at import) is how Sphinx itself does it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles
from docutils.utils import unescape

_DOMAINS = ("", "py:", "c:", "cpp:", "js:", "rst:", "std:", "math:")
_XREF_ROLES = """ref doc term any numref keyword option envvar token download func meth class
    mod attr exc data obj const type member macro struct union enum enumerator var expr texpr
    concept event confval setting dir directive role program""".split()
_LITERAL_ROLES = "command file samp kbd mimetype makevar regexp mailheader newsgroup".split()
_TEXT_ROLES = "dfn guilabel menuselection abbr manpage".split()
_OBJECTS = """function class method attribute data exception decorator decoratormethod
    staticmethod classmethod property type option envvar describe object confval setting
    member macro struct union enum enumerator var namespace directive role cmdoption""".split()
_AUTO_OBJECTS = """autofunction autoclass automethod autoattribute autodata autoexception
    autodecorator autoproperty autotypevar autonewtypedata""".split()
_PROSE = """only tabs tab-set grid grid-item hlist glossary automodule module container-only
    ifconfig jinja event-container""".split()
_TITLED = "tab group-tab tab-item dropdown card grid-item-card".split()
_CODE = {
    "code-block": None,
    "sourcecode": None,
    "code": None,
    "code-tab": None,
    "ipython": "python",
    "testcode": "python",
    "testsetup": "python",
    "testcleanup": "python",
    "doctest": "pycon",
    "testoutput": None,
    "productionlist": None,
    "prompt": None,
}
_DROPPED = """toctree index autosummary tabularcolumns sectionauthor moduleauthor codeauthor
    currentmodule literalinclude include raw graphviz graph digraph inheritance-diagram plot
    mermaid uml default-domain rst-class cssclass highlightlang todolist py:currentmodule
    c:namespace cpp:namespace js:module program default-role-sphinx""".split()
_VERSIONED = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}
_LABELS = {"seealso": "See also", "todo": "Todo"}
_TITLE_TARGET = re.compile(r"(?s)(.*?)\s*<([^<>]*)>\s*$")
_BRACES = re.compile(r"\{([^{}]*)\}")
_ABBREVIATION = re.compile(r"(?s)^(.*?)\s*\((.*)\)\s*$")
_PYTHON_NAME = re.compile(r"[A-Za-z_][\w.]*")  # Sphinx's id of a Python object: its name
_ROLE_MARKUP = re.compile(r"(?s)^:((?:[\w.+-]+:)*[\w.+-]+):`(.*)`_{0,2}$")


class AnyOptions(dict):
    """Every option a directive is given is accepted as written (Sphinx's extensions add
    many); never empty, so docutils still reads options apart from the content."""

    def __missing__(self, key: str) -> Callable[[str | None], str]:
        return directives.unchanged


def _any_options() -> AnyOptions:
    return AnyOptions({"class": directives.unchanged})


class entry(nodes.General, nodes.Element):  # noqa: N801 - docutils names nodes in lowercase
    """An object description: ``signature`` then its content (``anchor``: its id)."""


class labelled(nodes.General, nodes.Element):  # noqa: N801
    """Content under a label ("See also", a tab's title)."""


class language(nodes.Invisible, nodes.Element):  # noqa: N801
    """``.. highlight:: LANG``: the language of the literal blocks that follow."""


def role_text(name: str, text: str) -> str:
    """What Sphinx shows for ``:name:`text```."""
    short = name.rsplit(":", 1)[-1]
    if short == "menuselection":
        return text.replace("-->", "‣")
    if short == "guilabel":
        return re.sub(r"&(&?)", lambda m: m.group(1), text)
    if short in ("samp", "file"):
        return _BRACES.sub(r"\1", text)
    if short == "abbr":
        match = _ABBREVIATION.match(text)
        return match.group(1) if match else text
    match = _TITLE_TARGET.match(text)
    if match and match.group(1):
        return match.group(1)
    target = match.group(2) if match else text
    target = target.lstrip("!")
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return target


def markup_text(raw: str) -> str:
    """The text of role markup docutils did not know (``:any:role:`text```), else ``raw``."""
    match = _ROLE_MARKUP.match(raw)
    return role_text(match.group(1), match.group(2)) if match else raw


def _role(literal: bool) -> Callable:
    def role(name, rawtext, text, lineno, inliner, options=None, content=None):  # noqa: ARG001
        shown = role_text(name, unescape(text))
        node = nodes.literal(rawtext, shown) if literal else nodes.inline(rawtext, shown)
        return [node], []

    return role


class _Prose(Directive):
    has_content = True
    optional_arguments = 10
    final_argument_whitespace = True
    option_spec = _any_options()

    def run(self) -> list[nodes.Node]:
        node = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class _Titled(_Prose):
    def run(self) -> list[nodes.Node]:
        node = labelled(label=" ".join(self.arguments))
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class _Labelled(_Prose):
    def run(self) -> list[nodes.Node]:
        node = labelled(label=_LABELS.get(self.name, self.name.title()))
        if self.arguments:  # ``.. seealso:: text`` on one line
            inline, messages = self.state.inline_text(" ".join(self.arguments), self.lineno)
            node += nodes.paragraph("", "", *inline)
            node += messages
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class _Versioned(_Prose):
    required_arguments = 1
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        lead = f"{_VERSIONED[self.name]} {self.arguments[0]}"
        node = nodes.container()
        if len(self.arguments) > 1:
            inline, messages = self.state.inline_text(self.arguments[1], self.lineno)
            node += nodes.paragraph("", "", nodes.Text(lead + ": "), *inline)
            node += messages
        self.state.nested_parse(self.content, self.content_offset, node)
        first = node.children[0] if node.children else None
        if len(self.arguments) == 1:
            if isinstance(first, nodes.paragraph):
                first.insert(0, nodes.Text(lead + ": "))
            else:
                node.insert(0, nodes.paragraph("", lead + "."))
        return [node]


class _Object(_Prose):
    required_arguments = 1
    optional_arguments = 0

    def run(self) -> list[nodes.Node]:
        lines = [line.strip() for line in self.arguments[0].splitlines()]
        signature = ", ".join(line for line in lines if line)
        name = signature.split("(", 1)[0].strip()
        python = ":" not in self.name or self.name.startswith("py:")
        anchor = name if python and _PYTHON_NAME.fullmatch(name) else None
        node = entry(signature=signature, anchor=anchor)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class _Code(_Prose):
    optional_arguments = 2

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        name = _CODE.get(self.name)
        given = self.arguments[0].split()[0] if self.arguments and self.arguments[0] else None
        return [nodes.literal_block(code, code, language=given or name)]


class _Highlight(_Prose):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        return [language(language=self.arguments[0])]


class _Centered(_Prose):
    def run(self) -> list[nodes.Node]:
        inline, messages = self.state.inline_text(" ".join(self.arguments), self.lineno)
        return [nodes.paragraph("", "", *inline), *messages]


class _Dropped(_Prose):
    def run(self) -> list[nodes.Node]:
        return []


def register() -> None:
    """Teach docutils the Sphinx roles and directives (idempotent)."""
    for domain in _DOMAINS:
        for name in _XREF_ROLES + _LITERAL_ROLES:
            roles.register_local_role(domain + name, _role(literal=True))
        for name in _OBJECTS:
            directives.register_directive(domain + name, _Object)
    for name in _TEXT_ROLES:
        roles.register_local_role(name, _role(literal=False))
    table: dict[str, type[Directive]] = {name: _Object for name in _AUTO_OBJECTS}
    table.update({name: _Prose for name in _PROSE})
    table.update({name: _Titled for name in _TITLED})
    table.update({name: _Code for name in _CODE})
    table.update({name: _Dropped for name in _DROPPED})
    table.update({name: _Versioned for name in _VERSIONED})
    table.update({name: _Labelled for name in _LABELS})
    table.update({"highlight": _Highlight, "centered": _Centered})
    for name, directive in table.items():
        directives.register_directive(name, directive)


register()
