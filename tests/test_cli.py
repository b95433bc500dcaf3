"""The installed ``qabot`` command, run as a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, write

QABOT = Path(sys.executable).with_name("qabot")


def qabot(*args: str, env: dict | None = None, stdin: str | None = None):
    environment = {k: v for k, v in os.environ.items() if k != "QABOT_CONFIG"}
    environment.update(env or {})
    return subprocess.run(
        [str(QABOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        input=stdin,
        cwd=REPO,
    )


def test_ask_prints_the_excerpt_with_its_source():
    result = qabot("ask", "What did the judge in Massachusetts decide?")
    assert result.returncode == 0, result.stderr
    assert "**judge** in **Massachusetts** **ruled**" in result.stdout
    assert "WIRED · 2026-02-15 · Paragraph 8" in result.stdout


def test_ask_json_has_the_documented_shape():
    result = qabot("ask", "who can be issued a Social Security number?", "--json", "-k", "2")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"question", "answered", "results"}
    assert data["answered"] is True and 1 <= len(data["results"]) <= 2
    top = data["results"][0]
    assert set(top) == {
        "rank",
        "score",
        "source",
        "title",
        "section",
        "paragraph",
        "passage",
        "excerpt",
        "highlights",
    }
    assert top["source"] == "000_6de46ddb6a965145.txt" and top["rank"] == 1
    assert "issued to US citizens" in top["passage"]
    assert top["excerpt"].strip("…") in top["passage"]
    marked = [top["excerpt"][s:e].lower() for s, e in top["highlights"]]
    assert {"social", "security", "numbers", "issued"} <= set(marked)


def test_off_topic_question_is_refused_with_exit_0():
    result = qabot("ask", "What is the capital of France?", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "question": "What is the capital of France?",
        "answered": False,
        "results": [],
    }
    plain = qabot("ask", "How do I bake sourdough bread?")
    assert plain.returncode == 0 and "couldn't find that in the documents" in plain.stdout


def test_index_reports_documents_passages_and_skipped_files(tmp_path):
    write(tmp_path, "docs/a.md", "# Alpha\n\nAlpha text about rivers and lakes.\n")
    write(tmp_path, "docs/broken.txt", b"\xff\xfe\xfa not text \x00\x01")
    write(tmp_path, "qabot.yaml", "corpus:\n  paths: [docs]\n")
    result = qabot("index", "--config", str(tmp_path / "qabot.yaml"))
    assert result.returncode == 0, result.stderr
    assert "documents:   1" in result.stdout and "passages:    1" in result.stdout
    assert "broken.txt: " in result.stdout and "vocabulary:" in result.stdout
    assert "build time:" in result.stdout


def test_chat_shows_the_discord_message_as_text():
    result = qabot("chat", stdin="Who is Leland Dodek?\nWhat is the capital of France?\n")
    assert result.returncode == 0
    assert "┃ Social Security workers are required" in result.stdout
    assert "[Full passage]" in result.stdout
    assert "couldn't find that in the documents" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask"], "the following arguments are required: question"),
        (["ask", "q", "-k", "0"], "must be at least 1"),
        (["frobnicate"], "invalid choice"),
        (["ask", "q", "--config", "/nonexistent/qabot.yaml"], "config file not found"),
    ],
    ids=["missing-question", "bad-k", "bad-command", "missing-config"],
)
def test_usage_and_config_errors_exit_2_with_one_line(args, message):
    result = qabot(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_config_via_environment_names_key_and_file(tmp_path):
    bad = write(tmp_path, "bad.yaml", "retrieval:\n  k1: fast\n")
    result = qabot("ask", "anything", env={"QABOT_CONFIG": str(bad)})
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"qabot: error: {bad}:2: retrieval.k1: expected a number, got 'fast'"
    )


def test_corpus_with_nothing_readable_is_a_clear_error(tmp_path):
    write(tmp_path, "docs/empty.txt", "")
    config = write(tmp_path, "qabot.yaml", "corpus:\n  paths: [docs]\n")
    result = qabot("ask", "anything", "--config", str(config))
    assert result.returncode == 2
    assert "no readable document" in result.stderr and "Traceback" not in result.stderr


def test_python_dash_m_bot_works():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0 and result.stdout.startswith("qabot ")


def user_config(tmp_path, text: str = "corpus:\n  paths: [docs]\n") -> Path:
    write(tmp_path, "docs/rivers.md", "# Rivers\n\nThe Nile is the longest river in Africa.\n")
    return write(tmp_path, "qabot.yaml", text)


def test_config_is_accepted_before_the_command_too(tmp_path):
    config = str(user_config(tmp_path))
    before = qabot("--config", config, "ask", "Which river is the longest in Africa?", "--json")
    after = qabot("ask", "Which river is the longest in Africa?", "--json", "--config", config)
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert json.loads(before.stdout)["results"][0]["source"] == "rivers.md"
    both = qabot("--config", config, "ask", "q", "--config", str(tmp_path / "other.yaml"))
    assert both.returncode == 2 and "--config given twice" in both.stderr


def test_a_config_without_corpus_is_an_error_not_the_seed_article(tmp_path):
    config = write(tmp_path, "qabot.yaml", "retrieval:\n  top_k: 2\n")
    result = qabot("ask", "What did the judge in Massachusetts decide?", "--config", str(config))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"qabot: error: {config}: corpus.paths: no documents configured; list the files or"
        " folders to answer from, e.g. `corpus: {paths: [docs]}` (relative to this file)"
    ]


def test_the_index_folder_defaults_to_beside_the_users_config(tmp_path):
    config = user_config(tmp_path, "corpus:\n  paths: [docs]\nretrieval:\n  engine: tantivy\n")
    result = qabot("index", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "engine:      tantivy" in result.stdout
    assert [p.name for p in (tmp_path / "var" / "index").iterdir() if p.is_dir()]


def test_eval_without_pytrec_eval_says_how_to_install_it(monkeypatch, capsys):
    from bot import cli

    monkeypatch.setitem(sys.modules, "pytrec_eval", None)  # `import pytrec_eval` fails
    status = cli.main(["eval", str(REPO / "tests" / "data" / "seed_questions.yaml")])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("qabot: error: qabot eval needs pytrec_eval")
    assert "pip install -e '.[eval]'" in err and "pip install 'qabot[eval]'" in err
