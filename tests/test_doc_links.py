"""corpus.paths {path, url}: each result links to its page, section and quoted text."""

import json
import subprocess
import sys

import pytest

from bot.answer.answerer import Answer, AnswerItem
from bot.answer.excerpt import Excerpt
from bot.answer.render import MAX_EMBED_URL, answer_embed, passage_embed
from bot.config import ConfigError, load_config
from bot.documents.corpus import Passage, load_corpus
from bot.documents.loading import DocumentMeta
from tests.conftest import REPO, write

BASE = "https://docs.example.org/en/latest/"
INSTALL = """<!DOCTYPE html>
<html><head><title>Installing Widgetry</title>
<link rel="canonical" href="https://elsewhere.example.com/install.html"></head>
<body>
<section id="installing-widgetry">
<h1>Installing Widgetry</h1>
<p>Widgetry runs on any machine with a recent interpreter and a network connection.</p>
<section id="upgrade-co-op">
<h2>Upgrading the co-op build</h2>
<p>To upgrade the co-op build, run the installer again with the --force flag,
then restart the daemon &amp; check its status page.</p>
</section>
</section>
</body></html>
"""
TYPES = """<html><head><title>Data types</title></head><body>
<h1 id="data-types">Data types</h1>
<p>A sprocket is the unit of rotation, measured in whole turns.</p>
<h2><a name="gizmo"></a>Gizmo</h2>
<p>The gizmo holds seven sprockets.</p>
</body></html>
"""


def docs_folder(tmp_path):
    write(tmp_path, "html/install.html", INSTALL)
    write(tmp_path, "html/api/Data Types.html", TYPES)
    write(tmp_path, "notes/faq.md", "---\nurl: https://wiki.example.org/faq\n---\n# FAQ\n\n"
          "The widget cache lives in the home folder of the user.\n")  # fmt: skip


def ask(config: str, question: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", question, "--json", "--config", config],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("engine", ["tantivy", "rank-bm25"])
def test_a_result_links_to_its_page_section_and_quote(tmp_path, engine):
    docs_folder(tmp_path)
    config = write(
        tmp_path,
        "qabot.yaml",
        f"corpus:\n  paths:\n    - {{path: html, url: '{BASE}'}}\n    - notes\n"
        f"retrieval:\n  engine: {engine}\n  index_dir: index\n",
    )
    for _ in range(2):  # tantivy: built, then opened from the stored index
        top = ask(str(config), "how do I upgrade the co-op build?")["results"][0]
        assert top["url"] == (
            BASE + "install.html#upgrade-co-op"
            ":~:text=To%20upgrade%20the%20co%2Dop,check%20its%20status%20page."
        )
    top = ask(str(config), "how many sprockets does the gizmo hold?")["results"][0]
    assert (
        top["url"]
        == BASE + "api/Data%20Types.html#gizmo:~:text=The%20gizmo%20holds%20seven%20sprockets."
    )
    top = ask(str(config), "where does the widget cache live?")["results"][0]
    assert top["url"] == (  # front matter's url, no base url: the page and the quote
        "https://wiki.example.org/faq#faq:~:text=The%20widget%20cache%20lives,folder%20of%20the%20user."
    )


def test_the_cli_text_shows_the_link(tmp_path):
    docs_folder(tmp_path)
    config = write(tmp_path, "qabot.yaml", f"corpus:\n  paths: [{{path: html, url: '{BASE}'}}]\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "how many sprockets does the gizmo hold?"]
        + ["--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    link = BASE + "api/Data%20Types.html#gizmo:~:text=The%20gizmo%20holds%20seven%20sprockets."
    assert f"\n    {link}\n" in result.stdout


def test_the_page_url_is_computed_at_load_time(tmp_path):
    docs_folder(tmp_path)
    write(tmp_path, "html/install.html.meta.yaml", "url: https://mirror.example.net/i\n")
    config = write(tmp_path, "qabot.yaml", f"corpus:\n  paths: [{{path: html, url: '{BASE}'}}]\n")
    corpus = load_corpus(load_config(config).corpus)
    urls = {doc_id: d.meta.url for doc_id, d in corpus.documents.items()}
    assert urls == {
        "install.html": "https://mirror.example.net/i",  # a sidecar's url wins
        "api/Data Types.html": BASE + "api/Data%20Types.html",
    }
    anchors = {p.anchor for p in corpus.passages if p.doc_id == "api/Data Types.html"}
    assert anchors == {"data-types", "gizmo"}


def test_without_a_base_url_a_page_keeps_its_canonical_link(tmp_path):
    docs_folder(tmp_path)
    config = write(tmp_path, "qabot.yaml", "corpus:\n  paths: [html]\n")
    corpus = load_corpus(load_config(config).corpus)
    assert corpus.documents["install.html"].meta.url == "https://elsewhere.example.com/install.html"
    assert corpus.documents["api/Data Types.html"].meta.url is None


def test_a_configured_file_is_published_at_the_url_itself(tmp_path):
    docs_folder(tmp_path)
    config = write(
        tmp_path,
        "qabot.yaml",
        "corpus:\n  paths: [{path: html/install.html, url: 'https://x.org/i'}]\n",
    )
    corpus = load_corpus(load_config(config).corpus)
    assert corpus.documents["install.html"].meta.url == "https://x.org/i"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{path: html, url: 'ftp://docs.example.org/'}", "corpus.paths[1].url: expected an http"),
        ("{path: html, url: 'docs.example.org'}", "corpus.paths[1].url: expected an http"),
        ("{path: html, url: 'https://d.org/?v=1'}", "corpus.paths[1].url: a base URL has no"),
        ("{path: html, url: 'https://d.org/a b'}", "corpus.paths[1].url: a URL has no spaces"),
        ("{path: html, url: [a]}", "corpus.paths[1].url: expected a single value"),
        ("{url: 'https://d.org/'}", "corpus.paths[1].path: missing"),
        ("{path: html, link: 'https://d.org/'}", "corpus.paths[1].link: unknown setting"),
    ],
)
def test_bad_path_entries_are_one_line_naming_file_line_and_key(tmp_path, entry, message):
    config = write(
        tmp_path, "qabot.yaml", f"# docs\ncorpus:\n  paths:\n    - html\n    - {entry}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).startswith(f"{config}:5: {message}")
    assert "\n" not in str(caught.value)


def test_paths_with_and_without_urls_resolve_alike(tmp_path):
    config = load_config(
        write(tmp_path, "q.yaml", f"corpus:\n  paths: [docs, {{path: html, url: '{BASE}'}}]\n")
    )
    assert config.corpus.paths == (tmp_path / "docs", tmp_path / "html")
    assert config.corpus.base_urls == ((tmp_path / "html", BASE),)
    assert (
        load_config(write(tmp_path, "p.yaml", "corpus:\n  paths: [docs]\n")).corpus.base_urls == ()
    )


def linked_item(url: str, quote: str) -> AnswerItem:
    passage = Passage(0, "p.html", "Setup", 1, 0, len(quote), quote, "setup")
    excerpt = Excerpt(quote, (), 0, len(quote))
    return AnswerItem(
        1, 2.0, 1.0, "p.html", DocumentMeta("Page", "Docs", url=url), passage, excerpt
    )


def test_the_embed_title_links_to_the_quote():
    item = linked_item(BASE + "p.html", "Run the installer again.")
    embed = answer_embed_of(item)
    assert embed.url == BASE + "p.html#setup:~:text=Run%20the%20installer%20again."
    assert passage_embed(item).url == embed.url


def test_a_link_too_long_for_discord_falls_back_to_page_and_anchor():
    page = BASE + "x" * (MAX_EMBED_URL - len(BASE) - 60) + ".html"
    item = linked_item(page, "日本語 " * 4)  # 4 words, 9 bytes each: ~150 characters encoded
    assert len(item.link) > MAX_EMBED_URL
    assert answer_embed_of(item).url == page + "#setup"
    too_long = linked_item(BASE + "x" * MAX_EMBED_URL, "Run it.")
    assert answer_embed_of(too_long).url is None  # no url rather than one Discord refuses


def answer_embed_of(item: AnswerItem):
    return answer_embed(Answer("q", (item,)), item)
