"""Both engines, the persistent tantivy index, and the auto choice."""

from __future__ import annotations

import dataclasses
import logging
import subprocess

import pytest
import yaml

from bot.answer.answerer import Answerer
from bot.search.index import SearchIndex, choose_engine
from bot.search.store import MANIFEST
from tests.conftest import DEFAULT_CONFIG, config_for, write
from tests.discord_env import QABOT

TOPICS = {
    "rivers.md": "# Rivers\n\nThe Nile is the longest river in Africa and floods every summer.\n\n"
    "The Amazon carries more water than any other river on Earth.\n",
    "space.md": "# Space\n\nThe Moon orbits the Earth every twenty-seven days.\n\n"
    "Mars has two small moons called Phobos and Deimos.\n",
    "cooking.txt": "Kitchen notes\n\nBread rises because yeast produces carbon dioxide gas.\n\n"
    "Salt strengthens gluten and slows the yeast down.\n",
}
QUESTIONS = [
    "Which river is the longest in Africa?",
    "What carries more water than any other river?",
    "How long does the Moon take to orbit the Earth?",
    "What are the moons of Mars called?",
    "Why does bread rise?",
    "What does salt do to gluten?",
]


def corpus_dir(tmp_path):
    folder = tmp_path / "docs"
    for name, text in TOPICS.items():
        write(folder, name, text)
    return folder


def engine_config(tmp_path, engine: str):
    return config_for(
        [corpus_dir(tmp_path)], retrieval={"engine": engine, "index_dir": tmp_path / "index"}
    )


def top_passages(index: SearchIndex) -> list[str]:
    answerer = Answerer(index)
    return [answerer.answer(q).items[0].passage.text for q in QUESTIONS]


def test_engines_agree_on_a_fixture_corpus(tmp_path):
    reference = SearchIndex.build(engine_config(tmp_path, "rank-bm25"))
    stored = SearchIndex.build(engine_config(tmp_path, "tantivy"))
    assert type(stored.engine).__name__ == "TantivyEngine"
    assert top_passages(reference) == top_passages(stored)
    assert top_passages(stored)[0].startswith("The Nile is the longest river")
    assert len(stored.corpus.passages) == len(reference.corpus.passages) == 6


def test_both_engines_refuse_off_topic_questions(tmp_path):
    for engine in ("rank-bm25", "tantivy"):
        answer = Answerer(SearchIndex.build(engine_config(tmp_path, engine))).answer(
            "Who won the World Cup?"
        )
        assert not answer.answered


def test_restart_opens_the_index_without_rebuilding(tmp_path):
    config = engine_config(tmp_path, "tantivy")
    first = SearchIndex.build(config)
    assert first.store_report.action == "built"
    second = SearchIndex.build(config)
    assert second.store_report.action == "opened"
    assert top_passages(first) == top_passages(second)
    assert first.fingerprint == second.fingerprint


def pids_by_document(index: SearchIndex) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for passage in index.corpus.passages:
        found.setdefault(passage.doc_id, []).append(passage.pid)
    return found


def test_edit_add_and_delete_touch_only_those_files(tmp_path):
    config = engine_config(tmp_path, "tantivy")
    before = pids_by_document(SearchIndex.build(config))
    docs = tmp_path / "docs"
    write(docs, "space.md", "# Space\n\nJupiter is the largest planet of the solar system.\n")
    write(docs, "music.md", "# Music\n\nA violin has four strings tuned in fifths.\n")
    (docs / "cooking.txt").unlink()
    index = SearchIndex.build(config)
    report = index.store_report
    assert (report.action, report.changed, report.added, report.deleted) == (
        "updated",
        ["space.md"],
        ["music.md"],
        ["cooking.txt"],
    )
    after = pids_by_document(index)
    assert after["rivers.md"] == before["rivers.md"]  # untouched passages keep their ids
    assert set(after) == {"rivers.md", "space.md", "music.md"}
    answer = Answerer(index).answer("What is the largest planet?")
    assert answer.items[0].passage.text.startswith("Jupiter is the largest planet")
    assert not Answerer(index).answer("Why does bread rise?").answered
    assert index.fingerprint != SearchIndex.build(engine_config(tmp_path, "rank-bm25")).fingerprint


def test_touched_but_unchanged_file_is_not_reindexed(tmp_path):
    config = engine_config(tmp_path, "tantivy")
    SearchIndex.build(config)
    path = tmp_path / "docs" / "rivers.md"
    path.write_text(path.read_text())  # new mtime, same content
    assert SearchIndex.build(config).store_report.changed == []


@pytest.mark.parametrize("damage", ["garbage", "foreign", "missing-tantivy"])
def test_corrupt_or_foreign_index_is_rebuilt_with_a_warning(tmp_path, caplog, damage):
    config = engine_config(tmp_path, "tantivy")
    index = SearchIndex.build(config)
    index_dir = config.retrieval.index_dir
    folder = next(p for p in index_dir.iterdir() if p.is_dir())
    if damage == "garbage":
        (folder / MANIFEST).write_bytes(b"\x80\x04\x95 not json at all")  # e.g. a pickle
    elif damage == "foreign":
        text = (folder / MANIFEST).read_text().replace(folder.name, "0" * 16)
        (folder / MANIFEST).write_text(text)
    else:
        for item in (folder / "tantivy").iterdir():
            item.unlink()
    del index
    with caplog.at_level(logging.WARNING):
        rebuilt = SearchIndex.build(config)
    assert rebuilt.store_report.action == "built"
    assert "rebuilding" in caplog.text
    assert top_passages(rebuilt)[0].startswith("The Nile")


def test_changed_settings_use_another_folder(tmp_path):
    config = engine_config(tmp_path, "tantivy")
    SearchIndex.build(config)
    other = dataclasses.replace(
        config, analysis=dataclasses.replace(config.analysis, stemmer="none")
    )
    assert SearchIndex.build(other).store_report.action == "built"
    folders = [p for p in config.retrieval.index_dir.iterdir() if p.is_dir()]
    assert len(folders) == 2


def test_auto_switches_engine_at_the_configured_size(tmp_path):
    config = engine_config(tmp_path, "auto")
    small = dataclasses.replace(
        config, retrieval=dataclasses.replace(config.retrieval, auto_tantivy_from=1_000_000)
    )
    assert choose_engine(small, None) == "rank-bm25"
    tiny_threshold = dataclasses.replace(
        config, retrieval=dataclasses.replace(config.retrieval, auto_tantivy_from=0)
    )
    assert choose_engine(tiny_threshold, None) == "tantivy"
    assert type(SearchIndex.build(tiny_threshold).engine).__name__ == "TantivyEngine"


def test_seed_question_set_passes_on_tantivy(tmp_path):
    from tests.test_seed_questions import ANSWERABLE, OFF_TOPIC, rank_of_answer

    config = config_for(
        [DEFAULT_CONFIG.parent.parent / "seeds"],
        retrieval={"engine": "tantivy", "index_dir": tmp_path / "index"},
    )
    answerer = Answerer(SearchIndex.build(config))
    ranks = [rank_of_answer(answerer, q) for q in ANSWERABLE]
    assert sum(1 for r in ranks if r == 1) / len(ranks) >= 0.90
    missing = [
        q["id"]
        for q, r in zip(ANSWERABLE, ranks, strict=True)
        if r is None and not q.get("known_miss")
    ]
    assert missing == []
    answered = [
        q["id"]
        for q in OFF_TOPIC
        if answerer.answer(q["question"]).answered and not q.get("known_miss")
    ]
    assert answered == []


def test_processes_sharing_an_index_folder_build_it_once(tmp_path):
    """Shards start together: one builds, the others wait and open what it built."""
    docs = tmp_path / "docs"
    for n in range(150):
        write(docs, f"doc{n:03}.txt", f"Title {n}\n\n" + f"Paragraph {n} about topic {n}. " * 40)
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "corpus": {"paths": [str(docs)]},
                "retrieval": {"engine": "tantivy", "index_dir": str(tmp_path / "index")},
            }
        )
    )
    runs = [
        subprocess.Popen(
            [str(QABOT), "index", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err for _, err in outputs]
    lines = [line for out, _ in outputs for line in out.splitlines()]
    actions = sorted(line.split()[1] for line in lines if line.startswith("index:"))
    assert actions == ["built", "opened", "opened"], outputs
    assert all("passages:    150" in out for out, _ in outputs)
