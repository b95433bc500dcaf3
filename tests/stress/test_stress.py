"""Robustness checks too slow for the normal suite (run with QABOT_STRESS=1).

- 50 MB single-line documents: load time and peak memory, and a full index build;
- the hostile corpus folder through every ranking engine;
- a non-resumable gateway session (discord.py waits 5 s before identifying again);
- SIGTERM in the middle of an on-disk (tantivy) index build, then a restart that
  must find the cache usable and answer as a fresh build does;
- the property-based tests with many more, random, examples.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.answer.answerer import Answerer
from bot.config import RetrievalConfig, load_config
from bot.search.index import SearchIndex
from tests.conftest import REPO, config_for, write
from tests.discord_env import (
    embed_text,
    mention,
    reply_to,
    running_bot,
    write_synthetic,
)
from tests.test_robustness_corpus import build_and_ask, hostile, measure_load  # noqa: F401
from tests.test_robustness_faults import DODEK, JUDGE, burst, exactly_one_reply_each

FIFTY_MB = 50_000_000
PROPERTIES = "tests/test_properties.py"


@pytest.mark.parametrize(
    "unit",
    ["word alpha beta, gamma delta ", "Word alpha beta. Gamma délta é. "],
    ids=["no-sentences", "many-sentences"],
)
def test_a_50_mb_single_line_loads_in_bounded_time_and_memory(tmp_path, unit):
    # Just under corpus.max_file_bytes (50,000,000 bytes; é takes two in UTF-8).
    size = (FIFTY_MB - 100) * len(unit) // len(unit.encode())
    write(tmp_path, "line.txt", "Title\n\n" + (unit * (size // len(unit) + 1))[:size] + "\n")
    assert (tmp_path / "line.txt").stat().st_size <= FIFTY_MB  # within max_file_bytes
    passages, longest, limit, seconds, peak_mb = measure_load(tmp_path)
    print(f"\n50 MB line ({unit.split()[0]}…): {passages} passages, {seconds:.1f} s, {peak_mb} MB")
    assert longest <= limit
    assert seconds < 60, seconds
    assert peak_mb < 1000, peak_mb


def test_a_50_mb_single_line_goes_through_the_index_build(tmp_path):
    unit = "word alpha beta, gamma delta "
    write(tmp_path, "line.txt", "Title\n\n" + (unit * (FIFTY_MB // len(unit)))[:FIFTY_MB] + "\n")
    write(tmp_path, "good.txt", "Good title\n\nThe lighthouse keeper feeds three grey cats.\n")
    started = time.perf_counter()
    index = SearchIndex.build(config_for([tmp_path]))
    seconds = time.perf_counter() - started
    print(f"\n50 MB line indexed: {len(index.corpus.passages)} passages in {seconds:.1f} s")
    answer = Answerer(index).answer("Who feeds the grey cats?")
    assert answer.answered and answer.items[0].doc_id == "good.txt"
    assert seconds < 300


@pytest.mark.parametrize("engine", ["tantivy", "auto"])
def test_the_hostile_folder_through_other_engines(hostile, tmp_path, engine):  # noqa: F811
    build_and_ask(hostile, tmp_path, engine)


# --------------------------------------------------------------------------- gateway


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("stress-gateway"), cooldown=0) as environment:
        yield environment


def test_invalid_session_mid_answer_re_identifies_and_still_answers(env):
    identified = env.fake.identify_count
    typing_before = len(env.fake.typing_events)
    messages = burst(env, [JUDGE] * 4)
    env.call(env.fake.wait_until(lambda: len(env.fake.typing_events) > typing_before))
    env.call(env.fake.invalidate_session(resumable=False))
    env.call(env.fake.wait_until(lambda: env.fake.identify_count > identified, timeout=20), 25)
    env.call(env.fake.wait_ready(timeout=20), 25)
    exactly_one_reply_each(env, messages)
    assert "Dodek" in embed_text(reply_to(env, mention(env, DODEK)))
    assert env.fake.violations == []


# --------------------------------------------------------------------------- caches


def test_sigterm_during_an_on_disk_index_build_leaves_a_usable_cache(tmp_path):
    if "tantivy" not in str(RetrievalConfig.__annotations__.get("engine", "")):
        pytest.skip("no on-disk engine in this version")
    corpus = tmp_path / "corpus"
    write_synthetic(corpus, passages=60_000, per_doc=500)
    config = tmp_path / "qabot.yaml"
    config.write_text(
        "corpus:\n  paths: [corpus]\nretrieval:\n  engine: tantivy\n  index_dir: var/index\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "QABOT_CONFIG"}
    qabot = Path(sys.executable).with_name("qabot")
    for delay in (1.0, 2.5, 4.0):  # stop it at different points of the build
        process = subprocess.Popen(
            [str(qabot), "index", "--config", str(config)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=120)
    # The next start must not trip over what the interrupted builds left.
    loaded = load_config(config)
    cached = Answerer(SearchIndex.build(loaded))
    fresh_config = dataclasses.replace(
        loaded, retrieval=dataclasses.replace(loaded.retrieval, index_dir=tmp_path / "fresh")
    )
    fresh = Answerer(SearchIndex.build(fresh_config))
    assert len(cached.index.corpus.passages) == len(fresh.index.corpus.passages) == 60_000
    question = "lumade korine zetoth branure molock"
    got, want = cached.answer(question), fresh.answer(question)
    assert [i.passage.text for i in got.items] == [i.passage.text for i in want.items]


# --------------------------------------------------------------------------- properties


def test_the_property_tests_with_many_random_examples():
    environment = dict(os.environ, QABOT_HYPOTHESIS_EXAMPLES="3000", QABOT_HYPOTHESIS_RANDOM="1")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", PROPERTIES],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-5000:]
