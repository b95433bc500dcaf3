"""Built docs folders: exclusions, sources merged into their pages, print-all pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.answerer import Answerer
from bot.cli import skipped_summary
from bot.documents.corpus import load_corpus
from bot.documents.exclude import ExcludeRules
from bot.search.index import SearchIndex
from tests.conftest import config_for

CHAPTERS = {
    "install": "Install the widget compiler with the package manager of your system. "
    "The compiler needs a recent linker and about two hundred megabytes of disk.",
    "config": "The configuration file lists every flag the compiler reads at start. "
    "Set the optimisation level with the speed flag and the output folder with dest.",
    "deploy": "Deploying copies the built widgets to the servers named in the inventory. "
    "A failed copy is retried three times before the deployment stops with an error.",
}


def page(title: str, body: str) -> str:
    head = f"<head><title>{title}</title></head>"
    return f"<html>{head}<body><h1>{title}</h1><p>{body}</p></body></html>"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def sphinx_site(root: Path) -> Path:
    for name, body in CHAPTERS.items():
        write(root / f"{name}.html", page(name.title(), body))
        write(root / "_sources" / f"{name}.rst.txt", f"{name.title()}\n=====\n\n{body}\n")
    write(root / "_static" / "notes.txt", "Theme notes about the widget compiler colours.")
    write(root / "_modules" / "widget.html", page("widget", "def compile(widget): return widget"))
    return root


def test_exclude_globs_follow_gitignore_rules():
    rules = ExcludeRules(["_sources/", "/assets/", "*.rst.txt", "docs/**/draft-*"])
    assert rules.match("_sources", is_dir=True) == "_sources/"
    assert rules.match("html/_sources", is_dir=True) == "_sources/"
    assert rules.match("_sources", is_dir=False) is None  # a folder pattern
    assert rules.match("assets", is_dir=True) == "/assets/"
    assert rules.match("guide/assets", is_dir=True) is None  # anchored at the corpus folder
    assert rules.match("a/b.rst.txt", is_dir=False) == "*.rst.txt"
    assert rules.match("docs/x/y/draft-1.md", is_dir=False) == "docs/**/draft-*"
    assert rules.match("docs/final.md", is_dir=False) is None


def test_default_settings_index_only_the_pages_of_a_sphinx_build(tmp_path):
    corpus = load_corpus(config_for([sphinx_site(tmp_path / "html")]).corpus)
    assert sorted(corpus.documents) == ["config.html", "deploy.html", "install.html"]
    kinds = {s.path: s.kind for s in corpus.skipped}
    assert kinds["_sources/"] == kinds["_static/"] == kinds["_modules/"] == "excluded"


def test_a_source_beside_its_page_is_merged_into_the_page(tmp_path):
    root = tmp_path / "site"
    write(root / "guide.html", page("Guide", CHAPTERS["install"]))
    write(root / "guide.txt", "Guide\n=====\n\n" + CHAPTERS["install"])
    write(root / "notes.txt", "Notes\n\nThe release schedule of widgets is monthly.")
    # Sphinx sources, when the user keeps _sources/ (no exclusions).
    write(root / "_sources" / "guide.rst.txt", CHAPTERS["install"])
    config = config_for([root], corpus={"exclude": ()})
    corpus = load_corpus(config.corpus)
    assert sorted(corpus.documents) == ["guide.html", "notes.txt"]  # notes.txt has no page
    merged = {s.path: s.reason for s in corpus.skipped if s.kind == "merged"}
    assert merged == {
        "guide.txt": "source of guide.html, shown as the page",
        "_sources/guide.rst.txt": "source of guide.html, shown as the page",
    }


def test_an_included_source_answers_as_the_page_that_shows_it(tmp_path):
    root = tmp_path / "man"
    options = CHAPTERS["config"]
    write(root / "tool-build.html", page("tool-build", "Builds widgets. " + options))
    write(root / "config-options.txt", "config options::\n" + options)  # an include, no page
    answerer = Answerer(SearchIndex.build(config_for([root])))
    answer = answerer.answer("how do I set the output folder")
    assert answer.answered and {i.doc_id for i in answer.items} == {"tool-build.html"}


def test_a_print_all_page_never_wins_over_the_page_it_repeats(tmp_path):
    root = tmp_path / "book"
    for name, body in CHAPTERS.items():
        write(root / f"{name}.html", page(name.title(), body))
    everything = "".join(f"<h2>{n.title()}</h2><p>{b}</p>" for n, b in CHAPTERS.items())
    write(root / "print.html", f"<html><body><h1>Book</h1>{everything}</body></html>")
    config = config_for([root])
    corpus = load_corpus(config.corpus)
    repeat = [s for s in corpus.skipped if s.kind == "repeat"]
    assert [s.path for s in repeat] == ["print.html"]
    assert "repeats config.html, deploy.html, install.html" in repeat[0].reason
    answerer = Answerer(SearchIndex.build(config, corpus))
    for question, best in (
        ("how much disk does the compiler need", "install.html"),
        ("how many times is a failed copy retried", "deploy.html"),
    ):
        answer = answerer.answer(question)
        assert answer.items[0].doc_id == best
        assert all(item.doc_id != "print.html" for item in answer.items)


def test_pages_sharing_an_included_text_are_not_print_pages(tmp_path):
    root = tmp_path / "man"
    shared = CHAPTERS["config"]
    write(root / "a.html", page("a", shared))
    write(root / "b.html", page("b", shared))
    write(root / "c.html", page("c", CHAPTERS["deploy"] + " " + shared))
    corpus = load_corpus(config_for([root]).corpus)
    assert not [s for s in corpus.skipped if s.kind == "repeat"]


def test_index_lists_every_unreadable_file_and_examples_of_what_was_left_out():
    from bot.documents.loading import SkippedFile

    excluded = [SkippedFile(f"_static/{i}/", "excluded", "excluded") for i in range(40)]
    unreadable = [SkippedFile(f"img{i}.png", "unsupported", "skipped") for i in range(7)]
    lines = skipped_summary(excluded + unreadable, examples=3)
    assert lines[0] == "skipped:     7 files"
    assert lines[1:8] == [f"  img{i}.png: unsupported" for i in range(7)]
    assert lines[8] == "excluded (corpus.exclude): 40"
    assert lines[-1] == "  … and 37 more" and len(lines) == 13


def test_repeated_pages_are_found_once_per_version_and_kept_with_the_stored_index(
    tmp_path, monkeypatch
):
    import bot.documents.repeats as repeats

    root = tmp_path / "book"
    for name, body in CHAPTERS.items():
        write(root / f"{name}.html", page(name.title(), body))
    everything = "".join(f"<h2>{n.title()}</h2><p>{b}</p>" for n, b in CHAPTERS.items())
    write(root / "print.html", f"<html><body><h1>Book</h1>{everything}</body></html>")
    config = config_for([root], retrieval={"engine": "tantivy", "index_dir": tmp_path / "index"})
    first = SearchIndex.build(config)
    hidden = set(first.corpus.hidden)
    assert hidden and [s.path for s in first.corpus.skipped if s.kind == "repeat"] == ["print.html"]

    def never(*_):
        raise AssertionError("the kept result should have been used")

    monkeypatch.setattr(repeats, "find_repeats", never)
    again = SearchIndex.build(config)  # opened, not built: the kept result is used
    assert again.store_report.action == "opened"
    assert again.corpus.hidden == hidden
    assert [s.reason for s in again.corpus.skipped if s.kind == "repeat"] == [
        s.reason for s in first.corpus.skipped if s.kind == "repeat"
    ]
    answer = Answerer(again).answer("how many times is a failed copy retried")
    assert answer.items[0].doc_id == "deploy.html"


def test_a_corpus_without_html_pages_is_never_read_back_for_repeats(tmp_path, monkeypatch):
    import bot.documents.repeats as repeats

    root = tmp_path / "notes"
    for name, body in CHAPTERS.items():
        write(root / f"{name}.txt", f"{name}\n\n{body}\n")
    write(root / "all.txt", "all\n\n" + "\n\n".join(CHAPTERS.values()) + "\n")
    monkeypatch.setattr(repeats, "find_repeats", lambda *_: pytest.fail("passages were read"))
    config = config_for([root], retrieval={"engine": "tantivy", "index_dir": tmp_path / "index"})
    index = SearchIndex.build(config)
    assert not index.corpus.hidden and len(index.corpus.documents) == 4
