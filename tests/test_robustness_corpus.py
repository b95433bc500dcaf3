"""Hostile corpus files: each is skipped or read with a warning that names it, and the
rest loads. Completes tests/test_corpus.py (which covers empty, latin-1, UTF-16,
binary, unreadable, oversized and a folder symlink loop)."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.answer.answerer import Answerer
from bot.config import RetrievalConfig
from bot.documents.corpus import load_corpus
from bot.documents.loading import normalise_date
from bot.search.index import SearchIndex
from tests.conftest import REPO, config_for, fail_reading, write

GOOD = "Good title\n\nThe lighthouse keeper feeds three grey cats every morning.\n"


def load_in_thread(folder: Path, timeout: float = 30, **corpus_settings):
    """load_corpus, failing (instead of hanging the suite) if it does not finish."""
    result: dict = {}

    def run() -> None:
        try:
            result["corpus"] = load_corpus(config_for([folder], corpus=corpus_settings).corpus)
        except BaseException as exc:  # reported below
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"loading {folder} did not finish in {timeout} s"
    if "error" in result:
        raise result["error"]
    return result["corpus"]


BOMB = "\n".join(
    [
        "---",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
        "title: [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
        "author: *h",
        "date: *h",
        "---",
        "# Bomb",
        "",
        "The bomb document talks about orchards and pears.",
        "",
    ]
)


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """One folder holding every kind of broken file, and one good one."""
    folder = tmp_path / "docs"
    write(folder, "good.txt", GOOD)
    write(folder, "zero.txt", b"")
    write(folder, "bad-utf8.txt", b"Title\n\ncaf\xc3 cr\xe8me and \xff\xfe more")
    write(folder, "utf16le.md", "# Sixteen\n\nLittle endian words here.".encode("utf-16"))
    write(folder, "utf16be.txt", b"\xfe\xff" + "BE\n\nBig endian words here.".encode("utf-16-be"))
    write(folder, "utf32.txt", "Wide\n\nThirty two bit words here.".encode("utf-32"))
    write(folder, "utf8bom.txt", "\ufeffBOM title\n\nByte order mark words here.".encode())
    write(folder, "broken-utf16.txt", b"\xff\xfe" + b"\x00\xd8" * 3)  # lone surrogates
    write(folder, "binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    write(folder, "controls.md", ("\x01\x02\x03\x04 text " * 200).encode())
    write(
        folder,
        "page.html",
        "<html><head><title>Page</title><style>.x{color:red} secret-style</style>"
        "<script>var secretScript = 'never shown';</script></head><body>"
        + "<div>" * 100_000
        + "<p>Deeply nested visible words about orchards.</p>"
        + "</div>" * 100_000
        + "<script>more secret script</script><noscript>noscript text</noscript>"
        "<template>template text</template></body></html>",
    )
    write(folder, "bomb.md", BOMB)
    write(folder, "millis.md", "---\ndate: 1700000000000\n---\n# Millis\n\nDated in ms here.\n")
    # Links: a loop between two files, one to nowhere, one to a device, a folder loop.
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    os.symlink("missing.txt", folder / "dangling.txt")
    os.symlink("/dev/zero", folder / "zeros.txt")
    os.symlink(folder, folder / "self", target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")  # opening it to read would block forever
    secret = write(folder, "secret.txt", "Secret\n\nHidden words here.\n")
    fail_reading(monkeypatch, secret)
    return folder


EXPECTED_SKIPS = {
    "zero.txt": "empty file",
    "bad-utf8.txt": "not valid UTF-8 text",
    "broken-utf16.txt": "not valid UTF-16",
    "binary.txt": "binary file",
    "controls.md": "binary file (too many control characters)",
    "loop-a.txt": "cannot resolve path",
    "loop-b.txt": "cannot resolve path",
    "dangling.txt": "cannot resolve path",
    "zeros.txt": "link points outside the corpus",  # /dev/zero is never opened
    "pipe.txt": "not a regular file",
    "secret.txt": "cannot read: Permission denied",
}


def test_every_broken_file_is_skipped_with_a_warning_naming_it_and_the_rest_loads(hostile, caplog):
    with caplog.at_level(logging.DEBUG, logger="bot.documents"):
        corpus = load_in_thread(hostile)
    reasons = {skip.path: skip.reason for skip in corpus.skipped}
    for name, reason in EXPECTED_SKIPS.items():
        assert reasons.get(name, "").startswith(reason), (name, reasons.get(name))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    unreadable = [skip for skip in corpus.skipped if skip.kind == "skipped"]
    assert len(warnings) == 1 and f"skipped {len(unreadable)} files (" in warnings[0]
    each = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    for name in EXPECTED_SKIPS:  # one build warning; each file named at DEBUG
        assert any(name in message for message in each), name
    assert set(corpus.documents) == {
        "good.txt",
        "utf16le.md",
        "utf16be.txt",
        "utf32.txt",
        "utf8bom.txt",
        "page.html",
        "bomb.md",
        "millis.md",
    }
    texts = " ".join(p.text for p in corpus.passages)
    for word in ("Little endian", "Big endian", "Thirty two bit", "Byte order mark"):
        assert word in texts
    # HTML: visible text only, at any depth.
    assert "Deeply nested visible words about orchards." in texts
    for hidden in ("secret", "never shown", "noscript text", "template text", "color:red"):
        assert hidden not in texts
    # Metadata that is no text (a YAML alias bomb) is ignored, not expanded.
    bomb = corpus.documents["bomb.md"].meta
    assert bomb.title == "Bomb"
    assert bomb.author is None and bomb.date is None
    assert corpus.documents["millis.md"].meta.date == "2023-11-14T22:13:20Z"


def test_the_index_builds_over_the_hostile_folder_and_answers(hostile, tmp_path):
    build_and_ask(hostile, tmp_path, "rank-bm25")  # tests/stress does the other engines


def build_and_ask(hostile: Path, tmp_path: Path, engine: str) -> None:
    engines = RetrievalConfig.__annotations__.get("engine", "")
    if engine not in str(engines):
        pytest.skip(f"no {engine} engine in this version")
    config = config_for([hostile])
    config = dataclasses.replace(
        config,
        retrieval=dataclasses.replace(
            config.retrieval, engine=engine, **_index_dir(config, tmp_path)
        ),
    )
    answer = Answerer(SearchIndex.build(config)).answer("Who feeds the grey cats every morning?")
    assert answer.answered and answer.items[0].doc_id == "good.txt"


def _index_dir(config, tmp_path) -> dict:
    fields = {f.name for f in dataclasses.fields(config.retrieval)}
    return {"index_dir": tmp_path / "index"} if "index_dir" in fields else {}


MEASURE = """
import resource, sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.conftest import config_for
from bot.documents.corpus import load_corpus
settings = config_for([Path({folder!r})]).corpus
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
corpus = load_corpus(settings)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(len(corpus.passages), max(len(p.text) for p in corpus.passages), settings.max_passage_chars,
      time.perf_counter() - started, grown // 1024)
"""


def measure_load(folder: Path) -> tuple[int, int, int, float, int]:
    """Load ``folder`` in a fresh process: passages, longest passage, the passage limit,
    seconds, and how many MB the peak memory grew while loading (imports excluded)."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE.format(repo=str(REPO), folder=str(folder))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    passages, longest, limit, seconds, peak = result.stdout.split()
    return int(passages), int(longest), int(limit), float(seconds), int(peak)


@pytest.mark.parametrize(
    "unit",
    [
        "word alpha beta, gamma delta ",  # no sentence end anywhere
        "Word alpha beta. Gamma délta é. ",  # a million sentences, not ASCII
    ],
    ids=["no-sentences", "many-sentences"],
)
def test_a_3_mb_single_line_loads_in_bounded_time_and_memory(tmp_path, unit):
    size = 3_000_000
    write(tmp_path, "line.txt", "Title\n\n" + (unit * (size // len(unit) + 1))[:size] + "\n")
    passages, longest, limit, seconds, peak_mb = measure_load(tmp_path)
    assert longest <= limit and passages >= size // limit
    assert seconds < 8, seconds
    assert peak_mb < 200, peak_mb  # the text itself is 3 MB


def test_numbers_no_calendar_holds_are_kept_as_written():
    assert normalise_date(1700000000000) == "2023-11-14T22:13:20Z"  # JavaScript milliseconds
    assert normalise_date(253402300800000) == "253402300800000"  # the year 10000
    assert normalise_date(10**30) == str(10**30)
    assert normalise_date(float("nan")) is None and normalise_date(float("inf")) is None
    assert normalise_date("²") == "²"  # a digit to str.isdigit, not to int()
    assert normalise_date("9" * 5000) == "9" * 5000  # past Python's int-from-text limit
    assert normalise_date(["a", "b"]) is None
