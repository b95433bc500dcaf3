"""HTML pages: main content by structure, navigation pages, passages that follow the page."""

import pytest

from bot.answer.answerer import Answerer
from bot.config import ConfigError, parse_config
from bot.documents.corpus import load_corpus
from bot.documents.htmltext import MAX_DEPTH, html_to_text
from bot.search.index import SearchIndex
from tests import html_pages
from tests.conftest import config_for, write

CHROME = [
    "Navigation",
    "Table of Contents",
    "Previous topic",
    "Next topic",
    "This Page",
    "Show Source",
    "Quick search",
    "Copyright",
    "Created using",
    "Chapter 5.",
    "Prev",
    "Home",
    "Made with",
    "Edit this page",
    "¶",
]


def corpus_of(folder, **corpus_settings):
    return load_corpus(config_for([folder], corpus=corpus_settings).corpus)


def passages_of_page(tmp_path, html, name="page.html", **corpus_settings):
    write(tmp_path / "docs", name, html)
    corpus = corpus_of(tmp_path / "docs", **corpus_settings)
    return corpus, [(p.section, p.anchor, p.text) for p in corpus.passages]


def assert_no_chrome(corpus):
    for passage in corpus.passages:
        for chrome in CHROME:
            assert chrome not in passage.text, (chrome, passage.text)
            assert chrome not in (passage.section or ""), (chrome, passage.section)


def test_sphinx_page_keeps_the_body_with_heading_paths_entries_code_and_table(tmp_path):
    corpus, got = passages_of_page(tmp_path, html_pages.SPHINX)
    assert got == [
        (
            "Application API",
            "application-api",
            "Each extension is a module with a setup() function that Widget calls with the "
            "application object.",
        ),
        (
            "Application API › Extension setup",
            "extension-setup",
            "To register a callback for an event, call connect from setup:\n"
            'def setup(app):\n    app.connect("build-finished", report)',
        ),
        (
            "Application API › Extension setup › Application.connect(event, callback)",
            "widget.Application.connect",
            "Application.connect(event, callback) Register callback to be called when event "
            "is emitted. Returns: A listener id for disconnect().",
        ),
        (
            "Application API › Extension setup",
            "extension-setup",
            "Event | Arguments build-finished | app, exception config-inited | app, config",
        ),
    ]
    assert_no_chrome(corpus)
    document = corpus.documents["page.html"]
    assert document.meta.url == "https://docs.example.org/extdev/appapi.html"
    assert document.meta.title == "Application API — Widget documentation"


def test_code_and_tables_keep_their_lines_in_the_exact_span(tmp_path):
    corpus, _ = passages_of_page(tmp_path, html_pages.SPHINX)
    document = corpus.documents["page.html"]
    from bot.documents.loading import read_source

    text = read_source(document.path, "page.html", 10**6).text
    lead_in, table = corpus.passages[1], corpus.passages[3]
    assert text[lead_in.start : lead_in.end] == (
        "To register a callback for an event, call connect from setup:\n\n"
        'def setup(app):\n    app.connect("build-finished", report)'
    )
    assert text[table.start : table.end] == (
        "Event | Arguments\nbuild-finished | app, exception\nconfig-inited | app, config"
    )
    for passage in corpus.passages:
        source = text[passage.start : passage.end]
        assert " ".join(source.split()) == " ".join(passage.text.split())
        for code in passage.code:  # code is the source's own text, exactly
            assert passage.text[code.start : code.end] in source
    (code,) = lead_in.code  # Sphinx's div.highlight-python names the language
    assert code.language == "python"
    assert lead_in.text[code.start : code.end] == (
        'def setup(app):\n    app.connect("build-finished", report)'
    )


def test_docbook_page_drops_its_navigation_header_footer_and_toc(tmp_path):
    corpus, got = passages_of_page(tmp_path, html_pages.DOCBOOK)
    assert got == [
        (
            "5.2. Default Values",
            "DDL-DEFAULT",
            "A column can be assigned a default value. When a new row is created and no "
            "values are specified for some of the columns, those columns will be filled with "
            "their default values.",
        ),
        (
            "5.2. Default Values › default_mode (enum)",
            "GUC-DEFAULT-MODE",
            "default_mode (enum) Sets the mode used when a row gives no value. The default "
            "is strict.",
        ),
    ]
    assert_no_chrome(corpus)


def test_mkdocs_page_keeps_the_article_without_header_nav_and_footer(tmp_path):
    corpus, got = passages_of_page(tmp_path, html_pages.MKDOCS)
    assert got == [
        (
            "Configuration",
            "configuration",
            "Gadget reads its settings from a YAML file in the project folder.",
        ),
        (
            "Configuration › The port setting",
            "the-port-setting",
            "The port setting chooses where the server listens; it defaults to 8000.",
        ),
    ]
    assert_no_chrome(corpus)


def test_a_lead_in_and_its_code_are_one_passage_the_next_paragraph_another(tmp_path):
    _, got = passages_of_page(tmp_path, html_pages.LEAD_IN)
    assert got == [
        (
            "Columns",
            "columns",
            "To rename an existing column:\n"
            "ALTER TABLE products\n    RENAME COLUMN product_no TO product_number;",
        ),
        ("Columns", "columns", "The new name must not clash with another column of the table."),
    ]


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("CONTENTS", "navigation page, not indexed (5 links, 0 words of text)"),
        ("GENINDEX", "navigation page, not indexed (7 links, 0 words of text)"),
        ("SEARCH", "navigation page, not indexed (a search form, 11 words)"),
        (
            "ONE_LINK_INDEX",
            "navigation page, not indexed (1 link, 1 word of text)",
        ),
    ],
)
def test_navigation_pages_are_listed_as_skipped_and_never_indexed(tmp_path, page, reason):
    folder = tmp_path / "docs"
    write(folder, "nav.html", getattr(html_pages, page))
    write(folder, "page.html", html_pages.MKDOCS)
    corpus = corpus_of(folder)
    assert set(corpus.documents) == {"page.html"}
    assert [(s.path, s.reason) for s in corpus.skipped] == [("nav.html", reason)]


def test_a_navigation_page_never_answers(tmp_path):
    folder = tmp_path / "docs"
    write(folder, "contents.html", html_pages.CONTENTS)
    write(folder, "page.html", html_pages.MKDOCS)
    index = SearchIndex.build(config_for([folder]))
    answer = Answerer(index).answer("installing the widget toolkit for your first widget project")
    assert all(item.passage.doc_id == "page.html" for item in answer.items)
    assert "Installing the widget toolkit" not in " ".join(p.text for p in index.corpus.passages)


def test_the_tantivy_index_keeps_the_anchor(tmp_path):
    folder = tmp_path / "docs"
    write(folder, "page.html", html_pages.SPHINX)
    config = config_for([folder], retrieval={"engine": "tantivy", "index_dir": tmp_path / "ix"})
    index = SearchIndex.build(config)
    assert type(index.engine).__name__ == "TantivyEngine"
    stored = sorted((p.anchor, p.section) for p in index.engine.passages())
    assert ("widget.Application.connect", next(s for a, s in stored if a and "." in a)) in stored
    assert {a for a, _ in stored} == {
        "application-api",
        "extension-setup",
        "widget.Application.connect",
    }
    assert {p.pid for p in index.engine.passages()} == {p.pid for p in index.corpus.passages}


PERMALINKS = """<html><body><main>
<h2 id="usage">Usage <a href="#usage" class="anchor">#</a></h2>
<p>Call the tool with a file name and it prints a report.</p>
<h2 id="limits"><a href="#limits">Limits</a></h2>
<p>Files larger than a gigabyte are read in chunks of one megabyte.</p>
<h3><a href="#x" aria-label="Direct link">\u200b</a>Errors<a class="icon"
 href="#errors"><svg></svg></a></h3>
<p>Errors are written to the standard error stream with their line.</p>
</main></body></html>"""


def test_heading_permalinks_go_whatever_their_sign_but_a_heading_that_is_a_link_stays():
    page = html_to_text(PERMALINKS)
    headings = [(b.title, b.anchor) for b in page.blocks if b.kind == "heading"]
    # "Errors" has no anchor of its own: the nearest one above it is its section's.
    assert headings == [("Usage", "usage"), ("Limits", "limits"), ("Errors", "limits")]


ESCAPES = """<html><head><title>Escapes</title></head><body>
<div class="page"><div class="menu"><p>Menu</p>
<p>Download the latest release today and save.</p></div>
<div class="words"><p>The real content of this page is in the words block.</p>
<p class="promo">Subscribe to our newsletter for more news every week.</p></div></div>
</body></html>"""


def test_content_and_drop_selectors_are_escape_hatches(tmp_path):
    _, plain = passages_of_page(tmp_path, ESCAPES)
    assert [text for _, _, text in plain] == [
        "Download the latest release today and save.",
        "The real content of this page is in the words block.",
        "Subscribe to our newsletter for more news every week.",
    ]
    _, chosen = passages_of_page(
        tmp_path,
        ESCAPES,
        html_content_selector="div.words",
        html_drop_selectors=("p.promo",),
    )
    assert [text for _, _, text in chosen] == [
        "The real content of this page is in the words block."
    ]


def test_a_content_selector_that_matches_nothing_falls_back_to_the_landmarks(tmp_path):
    _, got = passages_of_page(tmp_path, html_pages.MKDOCS, html_content_selector="#missing")
    assert [text for _, _, text in got][0] == (
        "Gadget reads its settings from a YAML file in the project folder."
    )


def test_an_invalid_css_selector_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_config("corpus:\n  html_drop_selectors: ['div[']\n", tmp_path / "q.yaml")
    assert "corpus.html_drop_selectors[0]: invalid CSS selector" in str(caught.value)


def test_scoped_header_footer_and_aside_are_content_page_level_ones_are_not():
    page = html_to_text(
        "<body><header>Site banner with a long slogan here</header><main><article>"
        "<header><h1>Post title</h1></header><p>Body text of the post goes here.</p>"
        "<aside>A sidebar note that belongs to the post.</aside>"
        "<footer>Written by the post author.</footer></article>"
        "<aside>Related posts from the whole site.</aside></main>"
        "<footer>Site footer text for every page.</footer></body>"
    )
    assert page.text.split("\n\n") == [
        "# Post title",
        "Body text of the post goes here.",
        "A sidebar note that belongs to the post.",
        "Written by the post author.",
    ]


def test_a_long_table_is_cut_between_rows_and_long_code_between_lines(tmp_path):
    rows = "".join(f"<tr><td>key{i}</td><td>value number {i}</td></tr>" for i in range(40))
    code = "\n".join(f"line_{i} = compute({i})" for i in range(40))
    html = (
        "<main><h1 id='t'>Tables</h1><table>" + rows + "</table>"
        "<p>Run this:</p><pre>" + code + "</pre></main>"
    )
    write(tmp_path / "docs", "t.html", html)
    corpus = corpus_of(tmp_path / "docs", max_passage_chars=200)
    from bot.documents.loading import read_source

    text = read_source(tmp_path / "docs" / "t.html", "t.html", 10**6).text
    spans = [text[p.start : p.end] for p in corpus.passages]
    assert all(len(span) <= 200 for span in spans)
    table = [s for s in spans if s.startswith("key")]
    assert "\n".join(table).split("\n") == [f"key{i} | value number {i}" for i in range(40)]
    code_spans = [s for s in spans if "compute" in s]
    assert code_spans[0].startswith("Run this:\n\nline_0 = compute(0)\n")
    lines = "\n".join(code_spans).replace("Run this:\n\n", "").split("\n")
    assert lines == code.split("\n")


def test_nesting_deeper_than_the_limit_keeps_its_text_and_parses_fast():
    html = "<div>" * (MAX_DEPTH * 20) + "<p>Deep words here.</p>" + "</div>" * (MAX_DEPTH * 20)
    page = html_to_text("<html><body>" + html + "</body></html>")
    assert page.text == "Deep words here."


def test_a_man_page_option_list_entry_is_one_passage_with_its_options_as_heading(tmp_path):
    html = (
        "<body><div id='content'><h2 id='_options'>OPTIONS</h2><div class='dlist'><dl>"
        "<dt class='hdlist1'>-n</dt><dt class='hdlist1'>--dry-run</dt>"
        "<dd><p>Don't actually add the file(s), just show if they exist.</p></dd>"
        "<dt class='hdlist1'>-v</dt><dd><p>Be verbose about every file added.</p>"
        "<p>Repeat it for even more detail.</p></dd></dl></div></div></body>"
    )
    _, got = passages_of_page(tmp_path, html)
    assert got == [
        (
            "OPTIONS › -n, --dry-run",
            "_options",
            "-n, --dry-run Don't actually add the file(s), just show if they exist.",
        ),
        (
            "OPTIONS › -v",
            "_options",
            "-v Be verbose about every file added. Repeat it for even more detail.",
        ),
    ]


def test_a_worded_link_to_the_headings_own_anchor_stays_in_the_heading():
    page = html_to_text(
        '<html><body><main><section id="module-widget.core"><h1>'
        '<a class="reference internal" href="#module-widget.core"><code>widget.core</code></a>'
        ' – the widget core<a class="headerlink" href="#module-widget.core">¶</a></h1>'
        "<p>The core module builds widgets from their parts.</p></section></main></body></html>"
    )
    assert [b.title for b in page.blocks if b.kind == "heading"] == [
        "widget.core – the widget core"
    ]
