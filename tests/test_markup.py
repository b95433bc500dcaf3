"""Markdown (markdown-it-py) and reStructuredText (docutils) read by their structure.

Each fixture is written here; each format is asked a question, and the exact
excerpt, the section (heading path) and the url (base url configured) checked.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer.answerer import Answerer
from bot.config import load_config
from bot.documents.corpus import iter_documents, load_corpus
from bot.documents.loading import SkippedFile
from bot.documents.markdown import markdown_page
from bot.documents.pageurl import page_segments
from bot.documents.rst import rst_page
from bot.documents.slugs import Slugger, github_slug, mkdocs_slug
from bot.search.index import SearchIndex
from tests.conftest import REPO, write

BASE = "https://docs.example.org/"

GUIDE_MD = """---
title: Brewing handbook
slug: brewing
description: How the co-op brews its house ale.
---
Mashing the grain
=================

Mash the grain at <kbd>sixty seven</kbd> degrees for one **whole** hour, then
[sparge](https://example.org/sparge) it.

```bash
# Heat the strike water first
heat --to 72
```

Equipment
---------

You will need:

- a mash tun that holds forty litres
- a thermometer that reads tenths of a degree

| Grain | Share |
|-------|-------|
| Maris Otter | 90 % |
| Crystal malt | 10 % |

    # an indented comment, not a heading
    boil --minutes 60

> Never leave the boiling kettle alone.
"""

GUIDE_RST = """:author: Ann Hops

Widget Guide
============

The widget library joins paths with :func:`os.path.join`, see :ref:`the setup
notes <setup-notes>` and :class:`~widget.core.Engine`.

.. toctree::
   :maxdepth: 2

   install
   api

.. _setup-notes:

Setup
-----

.. note::

   Run the widget installer as an ordinary user, never as root.

.. versionadded:: 2.0
   The ``--force`` flag reinstalls over an older widget.

To install the widget from a script:

.. code-block:: python
   :linenos:

   import widget
   # Install into the current environment
   widget.install(force=True)

.. autofunction:: widget.install

   Install the widget into the current environment and register its plugins.

Reference
---------

:param force: reinstall even when the widget is already present.
:returns: the version string of the installed widget.

Sprocket
   The unit of rotation of a widget, measured in whole turns.

.. include:: /etc/passwd

.. raw:: html

   <script>alert("raw")</script>
"""


def _config(tmp_path: Path, entry: str) -> Path:
    return write(
        tmp_path,
        "qabot.yaml",
        f"corpus:\n  paths:\n    - {entry}\nretrieval:\n  engine: rank-bm25\n",
    )


def _top(config: Path, question: str):
    answer = Answerer(SearchIndex.build(load_config(config))).answer(question)
    assert answer.answered, question
    return answer.items[0]


# --------------------------------------------------------------------------- Markdown


def test_markdown_blocks_fences_setext_tables_lists_and_inline_html():
    text, blocks = markdown_page(GUIDE_MD.split("---\n", 2)[2])
    spans = {block.kind: [] for block in blocks}
    for block in blocks:
        spans[block.kind].append(text[block.start : block.end])
    assert spans["heading"] == ["Mashing the grain", "Equipment"]  # setext, none from code
    assert spans["code"] == [
        "# Heat the strike water first\nheat --to 72",
        "# an indented comment, not a heading\nboil --minutes 60",
    ]
    assert [b.language for b in blocks if b.kind == "code"] == ["bash", None]
    assert spans["table"] == ["Grain | Share\nMaris Otter | 90 %\nCrystal malt | 10 %"]
    assert spans["text"][0] == (
        "Mash the grain at sixty seven degrees for one whole hour, then sparge it."
    )
    lists = [b for b in blocks if b.unit == 1]  # the lead-in and both items: one passage
    assert [text[b.start : b.end] for b in lists][0] == "You will need:"
    assert len(lists) == 3
    assert [b.path for b in blocks if b.kind == "table"] == [("Mashing the grain", "Equipment")]
    assert [b.anchor for b in blocks if b.kind == "table"] == ["equipment"]


def test_markdown_question_gives_exact_excerpt_section_and_mkdocs_url(tmp_path):
    write(tmp_path, "docs/brewing/guide.md", GUIDE_MD)
    config = _config(tmp_path, f"{{path: docs, url: '{BASE}', style: mkdocs}}")
    top = _top(config, "what temperature should I mash the grain at?")
    assert top.excerpt.text == (
        "Mash the grain at sixty seven degrees for one whole hour, then sparge it."
    )
    assert top.passage.section == "Mashing the grain"
    assert top.meta.title == "Brewing handbook"
    assert top.meta.url == BASE + "brewing/guide/"
    assert top.link.startswith(BASE + "brewing/guide/#mashing-the-grain:~:text=Mash%20the")


def test_markdown_list_is_one_passage_under_its_heading_path(tmp_path):
    write(tmp_path, "docs/guide.md", GUIDE_MD)
    config = _config(tmp_path, f"{{path: docs, url: '{BASE}', style: docusaurus}}")
    top = _top(config, "which thermometer and mash tun do I need?")
    assert top.excerpt.text == (
        "You will need: a mash tun that holds forty litres "
        "a thermometer that reads tenths of a degree"
    )
    assert top.passage.section == "Mashing the grain › Equipment"
    assert top.meta.url == BASE + "brewing"  # the front matter slug names the page


def test_markdown_description_is_indexed_and_a_code_comment_is_no_section(tmp_path):
    write(tmp_path, "docs/guide.md", GUIDE_MD)
    corpus = load_corpus(load_config(_config(tmp_path, "docs")).corpus)
    texts = [p.text for p in corpus.passages]
    assert texts[0] == "How the co-op brews its house ale."
    sections = {p.section for p in corpus.passages}
    assert not any("Heat" in s or "indented" in s for s in sections if s)
    assert "# Heat the strike water first\nheat --to 72" in " ".join(texts)  # code kept


def test_a_code_comment_never_titles_a_page_without_headings(tmp_path):
    notes = "Some notes about the build.\n\n```sh\n# install the tools first\nmake tools\n```\n"
    write(tmp_path, "docs/notes.md", notes)
    corpus = load_corpus(load_config(_config(tmp_path, "docs")).corpus)
    assert corpus.documents["notes.md"].meta.title == "Some notes about the build."


@pytest.mark.parametrize(
    ("parts", "style", "slug", "url"),
    [
        (("guide", "install.md"), "path", None, ("guide", "install.md")),
        (("guide", "install.md"), "html", None, ("guide", "install.html")),
        (("guide", "install.rst"), "html", None, ("guide", "install.html")),
        (("guide", "install.md"), "mkdocs", None, ("guide", "install", "")),
        (("guide", "index.md"), "mkdocs", None, ("guide", "")),
        (("README.md",), "mkdocs", None, ("",)),
        (("01-guide", "02-install.mdx"), "docusaurus", None, ("guide", "install")),
        (("guide", "README.md"), "docusaurus", None, ("guide", "")),
        (("guide", "install.md"), "docusaurus", "setup", ("guide", "setup")),
        (("guide", "install.md"), "docusaurus", "/start/here", ("start", "here")),
        (("guide", "page.html"), "mkdocs", None, ("guide", "page.html")),
    ],
)
def test_page_urls_follow_the_generators(parts, style, slug, url):
    assert page_segments(parts, style, slug) == url


def test_heading_slugs_as_github_and_mkdocs_make_them():
    assert github_slug("Setup & Run: the *fast* way!") == "setup--run-the-fast-way"
    assert mkdocs_slug("Setup & Run: the fast way!") == "setup-run-the-fast-way"
    assert github_slug("Über Café") == "über-café"
    assert mkdocs_slug("Über Café") == "uber-cafe"
    github, mkdocs = Slugger("github"), Slugger("mkdocs")
    assert [github.anchor("Notes") for _ in range(3)] == ["notes", "notes-1", "notes-2"]
    assert [mkdocs.anchor("Notes") for _ in range(2)] == ["notes", "notes_1"]
    text, blocks = markdown_page("## Install it {#setup}\n\nWords of the section.\n")
    assert (text[: blocks[0].end], blocks[1].anchor) == ("Install it", "setup")


def test_a_bad_style_is_a_one_line_config_error(tmp_path):
    (tmp_path / "docs").mkdir()
    config = _config(tmp_path, f"{{path: docs, url: '{BASE}', style: jekyll}}")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "index", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert "qabot.yaml:3: corpus.paths[0].style: invalid value 'jekyll'" in result.stderr


# --------------------------------------------------------------------------- reST


def test_rst_sphinx_roles_and_directives_render_as_text(caplog, capfd):
    with caplog.at_level(logging.DEBUG):
        text, blocks, meta = rst_page(GUIDE_RST)
    assert capfd.readouterr() == ("", "")  # docutils reports nothing
    assert not caplog.records
    assert meta == {"author": "Ann Hops"}
    for markup in (
        ":func:",
        ":ref:",
        "toctree",
        "maxdepth",
        "\napi",
        "..",
        "``",
        "<script",
        "root:x",
    ):
        assert markup not in text
    assert text.startswith(
        "Widget Guide\n\nThe widget library joins paths with os.path.join, see the setup notes"
        " and Engine."
    )
    by_kind = {}
    for block in blocks:
        by_kind.setdefault(block.kind, []).append(text[block.start : block.end])
    assert by_kind["heading"] == ["Widget Guide", "Setup", "Reference"]
    assert by_kind["code"] == [
        "import widget\n# Install into the current environment\nwidget.install(force=True)"
    ]
    assert [b.language for b in blocks if b.kind == "code"] == ["python"]
    assert by_kind["entry"] == ["widget.install", "param force", "returns", "Sprocket"]
    assert "Note" in by_kind["text"]
    assert (
        "Added in version 2.0: The --force flag reinstalls over an older widget."
        in (by_kind["text"])
    )
    sprocket = next(b for b in blocks if text[b.start : b.end].startswith("The unit of"))
    assert sprocket.path == ("Widget Guide", "Reference", "Sprocket")


def test_rst_question_gives_exact_excerpt_section_and_url(tmp_path):
    write(tmp_path, "docs/guide/widgets.rst", GUIDE_RST)
    config = _config(tmp_path, f"{{path: docs, url: '{BASE}', style: html}}")
    top = _top(config, "should the widget installer run as root?")
    assert top.excerpt.text == "Note Run the widget installer as an ordinary user, never as root."
    assert top.passage.section == "Widget Guide › Setup"
    assert top.meta.url == BASE + "guide/widgets.html"
    assert top.meta.author == "Ann Hops"
    assert top.link.startswith(BASE + "guide/widgets.html#setup:~:text=Note%20Run")


def test_rst_code_with_its_lead_in_and_entries_through_the_cli(tmp_path):
    write(tmp_path, "docs/widgets.rst", GUIDE_RST)
    config = _config(tmp_path, f"{{path: docs, url: '{BASE}', style: html}}")

    def ask(question: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ask", question, "--json", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr
        assert "WARNING" not in result.stderr and "ERROR" not in result.stderr
        return json.loads(result.stdout)["results"][0]

    code = ask("how do I install the widget from a script?")
    assert code["excerpt"] == (
        "To install the widget from a script:\nimport widget\n"
        "# Install into the current environment\nwidget.install(force=True)"
    )
    assert code["section"] == "Widget Guide › Setup"
    sprocket = ask("what is a sprocket, the unit of rotation?")
    assert (
        sprocket["excerpt"] == "Sprocket The unit of rotation of a widget, measured in whole turns."
    )
    assert sprocket["section"] == "Widget Guide › Reference › Sprocket"
    assert sprocket["url"].startswith(BASE + "widgets.html#reference:~:text=")
    entry = ask("what does widget.install register?")
    assert entry["section"] == "Widget Guide › Setup › widget.install"
    assert entry["url"].startswith(BASE + "widgets.html#widget.install:~:text=")


def test_rst_unknown_directive_keeps_its_prose_and_never_fails():
    source = (
        "Title\n=====\n\n.. mystery:: arg\n   :opt: 1\n\n   Prose inside a mystery directive.\n\n"
        ":unknownrole:`shown text <target>` stays readable.\n"
    )
    text, _, _ = rst_page(source)
    assert text == ("Title\n\nProse inside a mystery directive.\n\nshown text stays readable.")


# --------------------------------------------------------------------------- robustness


def _walk_one(name: str, data: bytes) -> list[object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        config = load_config(_config(Path(folder), "."))
        skipped: list[SkippedFile] = []
        found = list(iter_documents(config.corpus, skipped))
        return found + skipped


MARKUP = st.sampled_from(
    ["#", "##", "=", "-", "```", "~~~", "    ", "> ", "- ", "1. ", "|", "<b>", "</div>", "\n",
     "::", ".. ", ".. note::", ".. code-block::", ":func:`", "`", "*", "_", "---\n", ":x: y",
     "\t", "[a](b)", "{#id}", "===\n", "+--+\n", ".. include:: x", "\\"]
)  # fmt: skip
TEXTS = st.one_of(
    st.binary(max_size=300).map(bytes),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=TEXTS, name=st.sampled_from(["a.md", "a.mdx", "a.markdown", "a.rst"]))
def test_random_input_is_a_document_or_a_skip_with_a_reason(data, name):
    for item in _walk_one(name, data):
        if isinstance(item, SkippedFile):
            assert item.reason
        else:
            document, passages = item
            assert document.kind in ("markdown", "rst") and passages
