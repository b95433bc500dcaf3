"""The installed ``qabot`` command, run as a subprocess."""

import json
import os
import shlex
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


RESULT_FIELDS = {
    "rank",
    "score",
    "source",
    "title",
    "publisher",
    "author",
    "date",
    "url",
    "section",
    "paragraph",
    "passage",
    "excerpt",
    "highlights",
    "code",
}


def test_ask_json_has_the_documented_shape():
    result = qabot("ask", "who can be issued a Social Security number?", "--json", "-k", "2")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"question", "answered", "refused", "results"}
    assert data["answered"] is True and data["refused"] is None
    assert 1 <= len(data["results"]) <= 2
    top = data["results"][0]
    assert set(top) == RESULT_FIELDS
    assert top["source"] == "000_6de46ddb6a965145.txt" and top["rank"] == 1
    assert (top["publisher"], top["date"]) == ("WIRED", "2026-02-15T05:16:26Z")
    assert (top["author"], top["url"]) == (None, None)  # the seed's sidecar has neither
    assert "issued to US citizens" in top["passage"]
    assert top["excerpt"].strip("…") in top["passage"]
    marked = [top["excerpt"][s:e].lower() for s, e in top["highlights"]]
    assert {"social", "security", "numbers", "issued"} <= set(marked)


def test_every_attribution_field_is_in_the_json_and_the_text(tmp_path):
    write(
        tmp_path,
        "docs/guide.md",
        "---\ntitle: Brewing guide\nsource: Zymurgy Weekly\nauthor: Ann Hops\n"
        "date: 2024-03-05\nurl: https://example.org/guide\n---\n# Mashing\n\n"
        "Mash the grain at sixty seven degrees for an hour.\n",
    )
    config = str(write(tmp_path, "qabot.yaml", "corpus:\n  paths: [docs]\n"))
    data = json.loads(
        qabot("ask", "how long to mash the grain", "--json", "--config", config).stdout
    )
    top = data["results"][0]
    assert (top["title"], top["publisher"], top["author"]) == (
        "Brewing guide",
        "Zymurgy Weekly",
        "Ann Hops",
    )
    link = (
        "https://example.org/guide#mashing"
        ":~:text=Mash%20the%20grain%20at,degrees%20for%20an%20hour."
    )
    assert (top["date"], top["url"], top["section"]) == ("2024-03-05", link, "Mashing")
    text = qabot("ask", "how long to mash the grain", "--config", config).stdout
    assert "[1] Brewing guide\n" in text
    assert "    Zymurgy Weekly · Ann Hops · 2024-03-05 · Mashing, paragraph 1 · guide.md" in text
    assert f"\n    {link}\n" in text


def test_a_file_without_metadata_is_named_once(tmp_path):
    write(tmp_path, "docs/faq.txt", "Refunds\n\nRefunds are paid within thirty days.\n")
    config = str(write(tmp_path, "qabot.yaml", "corpus:\n  paths: [docs]\n"))
    text = qabot("ask", "when are refunds paid", "--config", config).stdout
    assert "    Paragraph 1 · faq.txt (score " in text and text.count("faq.txt") == 1
    top = json.loads(qabot("ask", "when are refunds paid", "--json", "--config", config).stdout)
    assert top["results"][0]["publisher"] is None and top["results"][0]["source"] == "faq.txt"


def test_refusals_say_why_in_the_json_and_point_to_cli_commands():
    off_topic = qabot("ask", "What is the capital of France?", "--json")
    assert off_topic.returncode == 0
    assert json.loads(off_topic.stdout) == {
        "question": "What is the capital of France?",
        "answered": False,
        "refused": "not_found",
        "results": [],
    }
    empty = json.loads(qabot("ask", " ?! ", "--json").stdout)
    assert (empty["answered"], empty["refused"]) == (False, "empty")
    plain = qabot("ask", "How do I bake sourdough bread?")
    assert plain.returncode == 0 and "couldn't find that in the documents" in plain.stdout
    assert "`qabot index`" in plain.stdout and "/sources" not in plain.stdout


def test_a_too_long_question_is_refused_as_such_and_echoed_whole():
    question = "Who ruled on the data sharing " + "and why " * 80 + "end?"
    assert len(question) > 500
    result = qabot("ask", question, "--json")
    data = json.loads(result.stdout)
    assert (data["answered"], data["refused"]) == (False, "too_long")
    assert data["question"] == question  # not cut at the limit
    assert (data["question_chars"], data["max_question_chars"]) == (len(question), 500)
    text = qabot("ask", question).stdout
    assert f"too long: {len(question)} characters, and the limit is 500" in text


def test_k_is_documented_as_up_to():
    assert "up to K results" in " ".join(qabot("ask", "--help").stdout.split())


def test_index_reports_documents_passages_and_skipped_files(tmp_path):
    write(tmp_path, "docs/a.md", "# Alpha\n\nAlpha text about rivers and lakes.\n")
    write(tmp_path, "docs/broken.txt", b"\xff\xfe\xfa not text \x00\x01")
    write(tmp_path, "qabot.yaml", "corpus:\n  paths: [docs]\n")
    result = qabot("index", "--config", str(tmp_path / "qabot.yaml"))
    assert result.returncode == 0, result.stderr
    assert "documents:   1" in result.stdout and "passages:    1" in result.stdout
    assert "  a.md: 1 passage\n" in result.stdout and "skipped:     1 file\n" in result.stdout
    assert "broken.txt: " in result.stdout and "vocabulary:" in result.stdout
    assert "build time:" in result.stdout


def test_chat_answers_in_cli_text_and_more_and_full_work():
    lines = "What did the judge in Massachusetts decide?\nfull 1\nfull 7\nmore\n"
    result = qabot("chat", stdin=lines + "What is the capital of France?\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Social Security workers are required" in out
    assert "**judge** in **Massachusetts** **ruled**" in out
    assert "(the whole passage: `full 1`)" in out or "more result" in out
    assert "[Full passage]" not in out and "👍" not in out and "┃" not in out  # no buttons
    whole = out.split("you> ")[2]  # the reply to `full 1`: the passage, unmarked
    assert "judge in Massachusetts ruled" in whole and "**" not in whole
    assert "There is no result 7; try `full 1`" in out
    assert "couldn't find that in the documents" in out and "/sources" not in out


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


def test_harness_starts_the_bot_without_the_venv_on_path(tmp_path):
    """The README's `.venv/bin/python -m bot.harness` in a shell without the venv active."""
    environment = {k: v for k, v in os.environ.items() if k not in ("QABOT_CONFIG", "PATH")}
    environment["PATH"] = str(tmp_path)  # no `qabot` (nor anything else) to find there
    result = subprocess.run(
        [sys.executable, "-m", "bot.harness", "--bot-log", str(tmp_path / "bot.log")],
        capture_output=True,
        text=True,
        timeout=90,
        env=environment,
        input="",
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the bot is connected" in result.stdout
    assert f"starting: {shlex.join([sys.executable, '-m', 'bot', 'run'])}" in result.stdout


@pytest.mark.parametrize("engine", ["tantivy", "rank-bm25"])
def test_skipped_files_are_listed_once_per_build_not_on_every_ask(tmp_path, engine):
    write(tmp_path, "docs/a.md", "# Alpha\n\nAlpha text about rivers and lakes.\n")
    for n in range(5):
        write(tmp_path, f"docs/img{n}.png", b"\x89PNG\r\n")
    config = write(
        tmp_path,
        "qabot.yaml",
        f"corpus:\n  paths: [docs]\nretrieval:\n  engine: {engine}\n  index_dir: index\n",
    )
    first = qabot("ask", "rivers", "--config", str(config))
    assert first.returncode == 0, first.stderr
    warnings = [line for line in first.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, first.stderr
    assert "skipped 5 files (img0.png: unsupported file type '.png'; " in warnings[0]
    assert "; and 2 more); `qabot index` lists them" in warnings[0]
    again = qabot("ask", "lakes", "--config", str(config))
    assert again.returncode == 0, again.stderr
    if engine == "tantivy":  # the stored index is opened, not built: nothing to repeat
        assert "WARNING" not in again.stderr and "png" not in again.stderr
    listed = qabot("index", "--config", str(config))
    assert "skipped:     5 files" in listed.stdout
    assert all(f"  img{n}.png: unsupported file type '.png'" in listed.stdout for n in range(5))


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
