"""A corpus folder's own glossary (synonyms.yaml): loaded for that folder, never indexed."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answer.answerer import Answerer
from bot.config import ConfigError, load_config, with_glossaries
from bot.documents.corpus import load_corpus
from bot.search.index import SearchIndex
from tests.conftest import DEFAULT_CONFIG, REPO, config_for, write

DOCS = {
    "travel.txt": "Travel policy\n\n"
    "Expense claims are paid within ten working days of approval.\n\n"
    "Train tickets are booked through the travel desk.\n",
    "office.txt": "Office notes\n\nThe kitchen is cleaned every Friday afternoon.\n\n"
    "Visitors sign in at the front desk.\n",
}
GLOSSARY = "synonyms:\n  - [reimbursement, expense claim]\n"
QUESTION = "How long until a reimbursement is paid?"


def docs(tmp_path, glossary: str | None = GLOSSARY):
    folder = tmp_path / "docs"
    for name, text in DOCS.items():
        write(folder, name, text)
    if glossary is not None:
        write(folder, "synonyms.yaml", glossary)
    return folder


def answer(config, question: str = QUESTION):
    return Answerer(SearchIndex.build(config)).answer(question)


@pytest.mark.parametrize("engine", ["rank-bm25", "tantivy"])
def test_a_folders_glossary_lets_a_question_find_other_words(tmp_path, engine):
    retrieval = {"engine": engine, "index_dir": tmp_path / "index"}
    found = answer(config_for([docs(tmp_path)], retrieval=retrieval))
    assert found.answered
    assert found.items[0].passage.text.startswith("Expense claims are paid")
    # The same folder without its glossary: the question shares one word with it.
    off = config_for([tmp_path / "docs"], retrieval=retrieval, analysis={"glossary": False})
    assert not answer(off).answered


def test_an_edited_glossary_takes_effect_at_the_next_build_even_when_cached(tmp_path):
    config = config_for(
        [docs(tmp_path, "synonyms: []\n")],
        retrieval={"engine": "tantivy", "index_dir": tmp_path / "index"},
    )
    assert not answer(config).answered
    write(tmp_path / "docs", "synonyms.yaml", GLOSSARY)  # as before a /reload
    assert answer(config).answered


def test_the_glossary_is_not_a_document_even_when_yaml_files_are(tmp_path):
    folder = docs(tmp_path)
    write(folder, "sub/synonyms.yaml", GLOSSARY)  # only the top level holds the glossary
    config = config_for([folder])
    corpus = load_corpus(config.corpus)
    assert sorted(corpus.documents) == ["office.txt", "travel.txt"]
    assert [(s.path, s.reason) for s in corpus.skipped] == [
        ("sub/synonyms.yaml", "unsupported file type '.yaml'")
    ]
    with_yaml = dataclasses.replace(config.corpus, extensions=(".txt", ".yaml"))
    assert "synonyms.yaml" not in load_corpus(with_yaml).documents
    assert "sub/synonyms.yaml" in load_corpus(with_yaml).documents
    assert with_glossaries(config).analysis.synonyms[-1] == ("reimbursement", "expense claim")


def test_each_folder_brings_its_own_glossary_and_a_file_path_none(tmp_path):
    first = docs(tmp_path)
    second = tmp_path / "more"
    write(second, "notes.txt", "Notes\n\nThe printer jams on glossy paper.\n")
    write(second, "synonyms.yaml", "synonyms:\n  - [printer, copier]\n")
    config = config_for([first, second, second / "notes.txt"])
    added = with_glossaries(config).analysis.synonyms[len(config.analysis.synonyms) :]
    assert added == (("reimbursement", "expense claim"), ("printer", "copier"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("synonyms:\n  - judge\n", "synonyms.yaml:2: synonyms[0]: expected a list, got 'judge'"),
        ("synonym:\n  - [a, b]\n", "synonyms.yaml:1: synonym: unknown setting (valid here:"),
        ("synonyms: [[a, b]\n", "synonyms.yaml:2: invalid YAML"),
        ("- [a, b]\n", "synonyms.yaml:1: (top level): expected a mapping of settings"),
    ],
    ids=["not-a-group", "unknown-key", "yaml-syntax", "bare-list"],
)
def test_a_bad_glossary_is_one_line_naming_file_line_and_key(tmp_path, text, message):
    config = config_for([docs(tmp_path, text)])
    with pytest.raises(ConfigError) as caught:
        SearchIndex.build(config)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_empty_glossary_adds_nothing(tmp_path):
    config = config_for([docs(tmp_path, "")])
    assert with_glossaries(config) == config


def test_the_seed_articles_words_are_in_its_glossary_not_in_the_defaults():
    shipped = load_config(DEFAULT_CONFIG)
    default_words = {word for group in shipped.analysis.synonyms for word in group}
    assert {"judge", "ssa", "deaf", "anonymity", "direct deposit"}.isdisjoint(default_words)
    assert {"ppl", "govt"} <= default_words
    seeds = with_glossaries(shipped).analysis.synonyms
    assert ("judge", "court") in seeds and ("sign language", "deaf") in seeds
    assert shipped.corpus.paths[0].resolve() == (REPO / "seeds").resolve()
