"""qabot eval on a docs question file: figures known by hand on a tiny built site."""

from __future__ import annotations

import subprocess
import sys

from bot.docs_eval import DocsQuestion, Outcome, load_docs_questions, normalise
from tests.conftest import REPO
from tests.test_docs_corpus import sphinx_site

QUESTIONS = """\
root: {root}
questions:
  - id: disk
    q: how much disk space does the widget compiler need
    gold_sources: [install.html]
    gold: ["about two hundred   MEGABYTES of disk"]
  - id: retries
    q: how many times is a failed copy retried
    gold_sources: [config.html]
    gold: ["retried three times"]
  - id: off-topic
    q: what is the capital of portugal
    gold_sources: []
    gold: []
"""


def test_normalise_drops_markers_and_folds_space_but_keeps_underscores():
    assert normalise("Set  `html_theme`\n to **alabaster**") == "set html_theme to alabaster"
    question = DocsQuestion("q", "?", ("a.html",), ("the *flag*",))
    outcome = Outcome(question, True, ("b.html", "a.html"), ("no", "Use The `flag` here"))
    assert (outcome.page_hit(1), outcome.page_hit(3), outcome.quoted(1), outcome.quoted(3)) == (
        False,
        True,
        False,
        True,
    )


def test_eval_reports_pages_answers_and_refusals(tmp_path):
    root = sphinx_site(tmp_path / "html")
    questions = tmp_path / "site_qa.yaml"
    questions.write_text(QUESTIONS.format(root=root), encoding="utf-8")
    assert load_docs_questions(questions).root == root
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": ""}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "eval", str(questions), "-v"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("site_qa: 2 answerable + 1 off-topic questions, 3 documents")
    figures = {line[:20].strip(): line[20:].split()[0] for line in lines[1:7]}
    # disk: install.html first with its gold quoted; retries: the answer is on
    # deploy.html, not the gold page config.html, though the gold string is quoted.
    assert figures == {
        "page@1": "1/2",
        "page@3": "1/2",
        "answer@1": "2/2",
        "answer@3": "2/2",
        "off-topic refused": "1/1",
        "wrongly refused": "0/2",
    }
    assert "  miss retries: page@1" in lines
    assert any(line.startswith("      [1] deploy.html: “") for line in lines)
    assert not (root / "var").exists() and not list(root.rglob("manifest.json"))
