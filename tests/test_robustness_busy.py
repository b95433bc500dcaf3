"""Bounded work under a burst, and a clean stop (SIGTERM) in the middle of answering.

Slow questions come from a synthetic corpus on the reference engine (rank-bm25
loops in Python over every passage for each question word), not from any
test-only knob in the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import signal
import threading
import time
import weakref

import pytest

from bot.answer.answerer import Answer
from bot.discord_app import texts
from bot.service import AnswerService, Busy, settle_heap
from tests.discord_env import (
    PINNED_ENGINE,
    SLOW_QUESTION,
    DiscordEnv,
    buttons,
    embed_text,
    mention,
    replies_to,
    reply_to,
    running_bot,
    slash,
    wait_answered,
    write_slow_corpus,
)

# --------------------------------------------------------------------------- the service


def service_with(config, index, *, max_concurrent: int, max_pending: int) -> AnswerService:
    discord = dataclasses.replace(
        config.discord, max_concurrent=max_concurrent, max_pending=max_pending
    )
    return AnswerService(dataclasses.replace(config, discord=discord), index)


class BlockingAnswerer:
    """Stands in for the Answerer: each question waits until the test opens the gate."""

    def __init__(self, index) -> None:
        self.index = index
        self.gate = threading.Event()
        self.started: list[str] = []

    def answer(self, question: str, k: int | None = None) -> Answer:
        self.started.append(question)
        assert self.gate.wait(10)
        return Answer(question, ())


async def until(condition, timeout: float = 10.0) -> None:
    """Wait (on the event loop) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


def test_questions_wait_for_a_worker_and_past_the_limit_get_busy(seed_config, seed_index):
    service = service_with(seed_config, seed_index, max_concurrent=1, max_pending=1)
    answerer = service._answerer = BlockingAnswerer(seed_index)

    async def scenario() -> None:
        first = asyncio.ensure_future(service.answer("one"))
        second = asyncio.ensure_future(service.answer("two"))
        await until(lambda: answerer.started == ["one"] and service.in_flight == 2)
        assert answerer.started == ["one"]  # one worker: "two" waits for it
        with pytest.raises(Busy):
            await service.answer("three")
        answerer.gate.set()
        done = await asyncio.gather(first, second)
        assert [a.question for a in done] == ["one", "two"]
        assert service.in_flight == 0
        assert (await service.answer("four")).question == "four"

    try:
        asyncio.run(scenario())
    finally:
        service.close()


def test_a_caller_that_stops_waiting_does_not_free_the_workers_place(seed_config, seed_index):
    service = service_with(seed_config, seed_index, max_concurrent=1, max_pending=1)
    answerer = service._answerer = BlockingAnswerer(seed_index)

    async def scenario() -> None:
        first = asyncio.ensure_future(service.answer("one"))
        await until(lambda: answerer.started == ["one"])
        first.cancel()  # e.g. the interaction timed out: the worker still runs "one"
        with contextlib.suppress(asyncio.CancelledError):
            await first
        assert service.in_flight == 1
        second = asyncio.ensure_future(service.answer("two"))
        await until(lambda: service.in_flight == 2)
        with pytest.raises(Busy):
            await service.answer("three")
        answerer.gate.set()
        assert (await second).question == "two"
        await until(lambda: service.in_flight == 0)

    try:
        asyncio.run(scenario())
    finally:
        service.close()


def test_busy_is_logged_once_per_burst_not_per_question(seed_config, seed_index, caplog):
    service = service_with(seed_config, seed_index, max_concurrent=1, max_pending=1)
    answerer = service._answerer = BlockingAnswerer(seed_index)

    async def scenario() -> None:
        running = [asyncio.ensure_future(service.answer(str(n))) for n in range(2)]
        await until(lambda: service.in_flight == 2)
        for _ in range(50):
            with pytest.raises(Busy):
                await service.answer("more")
        answerer.gate.set()
        await asyncio.gather(*running)

    try:
        with caplog.at_level("WARNING", logger="bot.service"):
            asyncio.run(scenario())
    finally:
        service.close()
    busy_lines = [r.getMessage() for r in caplog.records if "busy" in r.getMessage()]
    assert len(busy_lines) == 1 and "limit 2 = max_concurrent + max_pending" in busy_lines[0]


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def busy_env(tmp_path_factory):
    with running_bot(
        tmp_path_factory.mktemp("busy"),
        cooldown=0,
        discord={"max_concurrent": 1, "max_pending": 1},
        corpus_writer=write_slow_corpus,
        extra_config=PINNED_ENGINE,
    ) as environment:
        yield environment


def post_burst(env: DiscordEnv, count: int, text: str = SLOW_QUESTION) -> list[dict]:
    users = [env.new_user() for _ in range(count)]
    bot_id = env.fake.bot_user.id

    async def post_all():
        return [
            await env.fake.post_message(env.channel, user, f"<@{bot_id}> {text}", mentions_bot=True)
            for user in users
        ]

    return env.call(post_all())


def wait_replies(
    env: DiscordEnv, messages: list[dict], mark: int, timeout: float = 30
) -> list[dict]:
    """One reply to each message (asked after log position ``mark``), and no second one."""
    env.call(
        env.fake.wait_until(
            lambda: all(replies_to(env, m) for m in messages),
            timeout=timeout,
            what="a reply to every question",
        ),
        timeout + 5,
    )
    # A "busy" reply is the last thing its handler does; an answered one is logged after
    # it is sent. Once every answer is logged, no handler can send anything more.
    answered = sum(1 for m in messages if replies_to(env, m)[0]["embeds"])
    wait_answered(env, mark, answered, timeout)
    counts = [len(replies_to(env, m)) for m in messages]
    assert counts == [1] * len(messages), counts
    return [replies_to(env, m)[0] for m in messages]


def test_a_burst_past_max_pending_gets_polite_busy_replies_never_silence(busy_env):
    env = busy_env
    mark = len(env.bot_log())
    replies = wait_replies(env, post_burst(env, 20), mark)
    answered = [r for r in replies if r["embeds"]]
    busy = [r for r in replies if r.get("content") == texts.BUSY]
    assert len(answered) + len(busy) == 20, [r.get("content") for r in replies]
    # One runs and one waits: the first two always get answers, and a burst of slow
    # questions posted back to back outruns one worker.
    assert len(answered) >= 2 and busy
    log = env.bot_log()[mark:]
    assert log.count("busy: refused") == 1  # one line for the burst, not one per question
    assert env.fake.violations == []
    # Once the burst is over, questions are answered again.
    assert "Dodek" in embed_text(reply_to(env, mention(env, "Who is Leland Dodek?")))


def test_a_burst_of_slash_commands_is_deferred_in_time_and_each_followed_up(busy_env):
    env = busy_env
    mark = len(env.bot_log())
    handles = [slash(env, "ask", {"question": SLOW_QUESTION}) for _ in range(8)]
    messages = [env.call(h.wait_message(timeout=30), 35) for h in handles]
    wait_answered(env, mark, sum(1 for m in messages if m["embeds"]))  # every handler done
    assert all(h.deferred for h in handles)
    assert [len(h.followups) for h in handles] == [1] * len(handles)
    busy = [m for m in messages if m.get("content") == texts.BUSY]
    assert busy and all(m in busy or m["embeds"] for m in messages)
    assert env.fake.violations == []  # every interaction acknowledged within 3 s


# --------------------------------------------------------------------------- SIGTERM


@pytest.fixture(scope="module")
def stop_env(tmp_path_factory):
    with running_bot(
        tmp_path_factory.mktemp("stop"),
        cooldown=0,
        discord={"max_concurrent": 1},
        corpus_writer=write_slow_corpus,
        extra_config=PINNED_ENGINE,
    ) as environment:
        yield environment


def vote(env: DiscordEnv, answer: dict, user) -> None:
    handle = env.call(env.fake.click(answer, buttons(answer)["👍"], user=user))
    assert "Thanks" in env.call(handle.wait_message())["content"]


def test_sigterm_while_answering_finishes_the_answers_and_exits_cleanly(stop_env):
    env = stop_env
    voter = env.new_user()
    first = reply_to(env, mention(env, "Who is Leland Dodek?"))
    vote(env, first, voter)
    mark = len(env.bot_log())
    messages = post_burst(env, 30)
    env.call(
        env.fake.wait_until(lambda: any(replies_to(env, m) for m in messages), timeout=20), 25
    )  # answering has begun; most questions still wait for the one worker
    assert env.process is not None
    env.process.send_signal(signal.SIGTERM)
    env.call(env.fake.wait_until(lambda: "stopping: finishing" in env.bot_log(), timeout=10), 15)
    late = mention(env, "Who is Leland Dodek?")  # asked while the bot drains
    late_slash = slash(env, "ask", {"question": "Who is Leland Dodek?"})  # the same refusal
    late_click = env.call(env.fake.click(first, buttons(first)["Full passage"], user=voter))
    refusals = [env.call(h.wait_message(timeout=10), 15) for h in (late_slash, late_click)]
    code = env.process.wait(30)
    log = env.bot_log()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log and "Ignoring exception" not in log, log[-3000:]
    assert "loop-lag p50=" in log and "(whole run)" in log
    replies = wait_replies(env, messages, mark)
    assert all(r["embeds"] for r in replies)  # none dropped, none doubled
    assert [r.get("content") for r in replies_to(env, late)] == [texts.STOPPING]
    assert [r["content"] for r in refusals] == [texts.STOPPING] * 2
    assert late_slash.ephemeral and late_click.ephemeral
    env.stop_bot()

    # The next start reads what was written: the vote log parses and the salt held.
    identified = env.fake.identify_count
    env.start_bot()
    env.wait_ready(identified)
    again = reply_to(env, mention(env, "Who is Leland Dodek?"))
    vote(env, again, voter)
    entries = [json.loads(line) for line in env.feedback.read_text().splitlines()]
    assert len(entries) == 2 and entries[0]["user"] == entries[1]["user"]
    assert str(voter.id) not in env.feedback.read_text()


def test_sigterm_during_the_index_build_exits_at_once_and_cleanly(stop_env):
    env = stop_env
    env.stop_bot()
    mark = len(env.bot_log())
    process = env.start_bot()
    env.call(
        env.fake.wait_until(lambda: "building the index" in env.bot_log()[mark:], timeout=20),
        25,
    )
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(20)
    log = env.bot_log()[mark:]
    assert code == 0 and "Traceback" not in log, log
    assert "stopped before the index was ready" in log or "stopped" in log
    assert time.monotonic() - started < 5
    env.stop_bot()


# --------------------------------------------------------------------------- a bug inside


class StubChannel:
    id = 1

    def __init__(self) -> None:
        self.typed = 0

    def typing(self):
        channel = self

        class Typing:
            def __await__(self):
                channel.typed += 1
                return asyncio.sleep(0).__await__()

        return Typing()


class StubMessage:
    def __init__(self) -> None:
        self.channel = StubChannel()
        self.guild = None
        self.replies: list[dict] = []

    async def reply(self, **kwargs):
        self.replies.append(kwargs)


def test_a_failure_inside_the_answerer_gets_a_polite_reply_not_silence(
    seed_config, seed_index, caplog
):
    from bot.discord_app.admission import Request
    from bot.discord_app.client import QABot, reply_with

    class Broken:
        index = seed_index

        def answer(self, question, k=None):
            raise KeyError(38012)  # as a racing cache once did under load

    async def scenario() -> StubMessage:
        service = AnswerService(seed_config, seed_index)
        service._answerer = Broken()
        bot = QABot(seed_config, service)
        message = StubMessage()
        try:
            question = "Who is Leland Dodek?"
            await bot.answering.admit(
                Request("mention", 7, None),
                reply_with(message),
                lambda: bot._answer_message(message, question, None, True),
            )
        finally:
            service.close()
        return message

    with caplog.at_level("ERROR"):
        message = asyncio.run(scenario())
    assert [r["content"] for r in message.replies] == [texts.ERROR]
    assert message.channel.typed == 1
    assert any("answering via mention failed" in r.getMessage() for r in caplog.records)


def test_reload_frees_the_old_index(seed_config, seed_index):
    """The heap is frozen after loading (no long GC pauses); a reload must still free
    the index it replaces, reference cycles included."""
    service = service_with(seed_config, seed_index, max_concurrent=1, max_pending=4)
    first = asyncio.run(service.reload())
    old = weakref.ref(service.index)
    settle_heap()  # as the runner does at start
    try:
        asyncio.run(service.reload())
        assert first.passages == len(service.index.corpus.passages)
        gc.collect()
        assert old() is None
        assert gc.get_freeze_count() > 0  # nothing in flight: frozen again
    finally:
        gc.unfreeze()
        service.close()
