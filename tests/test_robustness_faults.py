"""Faults on the local harness: the real ``qabot run`` against the fake Discord.

The gateway drops mid-answer, Discord answers 429/5xx, documents vanish or turn
to junk before a /reload, the feedback file cannot be written: every question
still gets exactly one answer, and the bot says what happened once.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.discord_env import (
    FILLER_WORD,
    DiscordEnv,
    buttons,
    embed_text,
    mention,
    replies_to,
    reply_to,
    running_bot,
    slash,
    wait_answered,
    write_corpus,
    write_synthetic,
)

DODEK = "Who is Leland Dodek?"
JUDGE = "What did the judge in Massachusetts decide?"


def faults_corpus(folder):
    write_corpus(folder)
    (folder / "doomed.md").write_text("# Doomed\n\nThe lighthouse keeper owns three cats.\n")
    (folder / "shrinking.txt").write_text("Shrinking\n\nThe glacier lost a meter of ice.\n")
    (folder / "junked.md").write_text("# Junked\n\nThe orchard grows pears and plums.\n")
    # Enough passages that a reload takes a moment, so questions overlap it.
    write_synthetic(folder / "filler", passages=1000)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with running_bot(
        tmp_path_factory.mktemp("faults"), cooldown=0, corpus_writer=faults_corpus
    ) as environment:
        yield environment


@pytest.fixture(autouse=True)
def no_violations(env):
    yield
    assert env.fake.violations == [], env.fake.violations
    assert "Traceback" not in env.bot_log(), env.bot_log()[-3000:]


def log_since(env: DiscordEnv, mark: int) -> str:
    return env.bot_log()[mark:]


def burst(env: DiscordEnv, questions: list[str]) -> list[dict]:
    """Post the questions back to back, each by a fresh member; returns the messages."""
    users = [env.new_user() for _ in questions]
    bot_id = env.fake.bot_user.id

    async def post_all():
        return [
            await env.fake.post_message(env.channel, user, f"<@{bot_id}> {q}", mentions_bot=True)
            for user, q in zip(users, questions, strict=True)
        ]

    return env.call(post_all())


def exactly_one_reply_each(
    env: DiscordEnv, messages: list[dict], mark: int, timeout: float = 20
) -> None:
    """Every question (asked after log position ``mark``) answered, and only once."""
    env.call(
        env.fake.wait_until(
            lambda: all(replies_to(env, m) for m in messages),
            timeout=timeout,
            what="a reply to every question",
        ),
        timeout + 5,
    )
    wait_answered(env, mark, len(messages), timeout)  # every handler is done
    counts = [len(replies_to(env, m)) for m in messages]
    assert counts == [1] * len(messages), counts


# --------------------------------------------------------------------------- gateway


def test_gateway_drop_mid_answer_resumes_and_every_question_is_answered_once(env):
    mark = len(env.bot_log())
    resumes = env.fake.resume_count
    typing_before = len(env.fake.typing_events)
    messages = burst(env, [DODEK, JUDGE] * 5)
    # The bot has started answering (its typing indicator is up): cut the socket.
    env.call(env.fake.wait_until(lambda: len(env.fake.typing_events) > typing_before))
    env.call(env.fake.drop_gateway(abort=True))
    late = burst(env, [DODEK] * 3)  # sent while it is away: replayed on RESUME
    env.call(env.fake.wait_until(lambda: env.fake.resume_count > resumes, timeout=20), 25)
    exactly_one_reply_each(env, messages + late, mark)
    for message in messages + late:
        assert replies_to(env, message)[0]["embeds"], message["content"]


# --------------------------------------------------------------------------- REST faults

MESSAGES_ROUTE = r"^/channels/\d+/messages$"


def test_reply_rate_limited_once_is_retried_and_logged_once(env):
    mark = len(env.bot_log())
    failures = len(env.fake.injected_failures)
    env.fake.inject_failure("POST", MESSAGES_ROUTE, 429, times=1, retry_after=0.2)
    question = mention(env, DODEK)
    assert "Dodek" in embed_text(reply_to(env, question, timeout=20))
    assert [f.status for f in env.fake.injected_failures[failures:]] == [429]
    wait_answered(env, mark, 1)  # its handler is done: no second reply can follow
    assert len(replies_to(env, question)) == 1
    assert log_since(env, mark).count("We are being rate limited. POST") == 1


def test_replies_refused_with_500_and_502_are_retried_and_logged_once_each(env):
    mark = len(env.bot_log())
    failures = len(env.fake.injected_failures)
    # Two channels, so the two replies retry side by side (discord.py queues a channel's).
    other = env.guild.channel("other").id
    env.fake.inject_failure("POST", rf"^/channels/{env.channel}/messages$", 500, times=1)
    env.fake.inject_failure("POST", rf"^/channels/{other}/messages$", 502, times=1)
    messages = [mention(env, DODEK), mention(env, JUDGE, channel=other)]
    exactly_one_reply_each(env, messages, mark)
    assert all(replies_to(env, m)[0]["embeds"] for m in messages)
    assert sorted(f.status for f in env.fake.injected_failures[failures:]) == [500, 502]
    text = log_since(env, mark)
    assert text.count("Discord answered 500 to POST /channels/") == 1, text
    assert text.count("Discord answered 502 to POST /channels/") == 1, text


def test_followup_of_a_slash_command_survives_a_502(env):
    mark = len(env.bot_log())
    env.fake.inject_failure("POST", r"^/webhooks/\d+/[^/]+$", 502, times=1)
    handle = slash(env, "ask", {"question": DODEK})
    message = env.call(handle.wait_message(timeout=20), 25)
    assert "Dodek" in embed_text(message)
    assert len(handle.followups) == 1
    text = log_since(env, mark)
    assert text.count("Discord answered 502 to POST /webhooks/") == 1
    assert handle.token not in text  # interaction tokens are masked in the log


def test_reply_refused_for_good_is_one_log_line_and_the_bot_goes_on(env):
    mark = len(env.bot_log())
    # discord.py gives up after 5 tries; each 429 here asks for a short wait.
    env.fake.inject_failure("POST", MESSAGES_ROUTE, 429, times=5, retry_after=0.05)
    question = mention(env, DODEK)
    env.call(
        env.fake.wait_until(
            lambda: "Discord refused a request" in log_since(env, mark),
            timeout=15,
            what="the bot to give up on the reply",
        ),
        20,
    )
    text = log_since(env, mark)
    assert text.count("Discord refused a request") == 1
    assert text.count("We are being rate limited") == 5  # one per try, no loop of its own
    assert replies_to(env, question) == []
    assert "Dodek" in embed_text(reply_to(env, mention(env, DODEK)))


# --------------------------------------------------------------------------- reload


def admin_reload(env: DiscordEnv):
    return slash(env, "reload", user=env.admin)


def test_reload_with_deleted_truncated_and_junk_files_reports_them_and_keeps_answering(env):
    (env.corpus / "doomed.md").unlink()
    (env.corpus / "shrinking.txt").write_bytes(b"")
    (env.corpus / "junked.md").write_bytes(bytes(range(256)) * 64)
    mark = len(env.bot_log())
    before = burst(env, [DODEK, JUDGE] * 4)
    reload = admin_reload(env)
    during = burst(env, [JUDGE, DODEK] * 4)
    report = env.call(reload.wait_message(timeout=30), 35)["content"]
    after = burst(env, [DODEK] * 2)
    exactly_one_reply_each(env, before + during + after, mark)
    for message in before + during + after:
        assert replies_to(env, message)[0]["embeds"], message["content"]
    assert reload.ephemeral
    assert "Removed 1 document(s)" in report and "doomed.md" in report
    assert "Skipped 2 file(s)" in report
    assert "shrinking.txt`: empty file" in report
    assert "junked.md`: binary file" in report
    gone = reply_to(env, mention(env, "Who owns three cats in the lighthouse?"))
    assert "couldn't find that" in gone["content"]


def test_reload_that_finds_no_readable_document_keeps_the_old_index(env):
    moved = env.workdir / "moved-away"
    shutil.move(env.corpus, moved)
    env.corpus.mkdir()
    (env.corpus / "empty.txt").write_bytes(b"")
    try:
        reload = admin_reload(env)
        report = env.call(reload.wait_message(timeout=30), 35)["content"]
        assert "Reload failed; still answering from the previous index" in report
        assert "empty.txt: empty file" in report
        assert "Dodek" in embed_text(reply_to(env, mention(env, DODEK)))
    finally:
        shutil.rmtree(env.corpus)
        shutil.move(moved, env.corpus)
    assert "Reloaded" in env.call(admin_reload(env).wait_message(timeout=30), 35)["content"]
    assert FILLER_WORD in embed_text(reply_to(env, mention(env, f"What is {FILLER_WORD}?")))


# --------------------------------------------------------------------------- feedback


def vote(env: DiscordEnv, answer: dict, label: str = "👍") -> str:
    handle = env.call(env.fake.click(answer, buttons(answer)[label], user=env.new_user()))
    message = env.call(handle.wait_message())
    assert handle.ephemeral
    return message["content"]


def test_unwritable_feedback_file_gets_a_polite_error_and_answering_goes_on(env):
    answer = reply_to(env, mention(env, DODEK))
    assert "Thanks" in vote(env, answer)  # works; the salt file now exists
    var = env.feedback.parent
    parked = env.workdir / "var-parked"
    shutil.move(var, parked)
    try:
        # The folder's place is taken by a regular file: mkdir fails (even for root).
        var.write_text("not a folder")
        assert "couldn't save your feedback" in vote(env, answer, "👎")
        assert "Dodek" in embed_text(reply_to(env, mention(env, DODEK)))
        var.unlink()
        # A full disk: the log is a link to /dev/full, where every write fails (ENOSPC).
        var.mkdir()
        env.feedback.symlink_to("/dev/full")
        assert "couldn't save your feedback" in vote(env, answer)
        assert "Dodek" in embed_text(reply_to(env, mention(env, DODEK)))
    finally:
        shutil.rmtree(var, ignore_errors=True)
        if var.exists():
            var.unlink()
        shutil.move(parked, var)
    assert "Thanks" in vote(env, answer)
    lines = env.feedback.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["vote"] for line in lines] == ["up", "up"]
    assert env.bot_log().count("could not store feedback") == 2


def test_a_cut_off_feedback_line_does_not_corrupt_the_next_one(env):
    answer = reply_to(env, mention(env, DODEK))
    with env.feedback.open("a", encoding="utf-8") as handle:
        handle.write('{"time": "2026-01-01T00:00:00Z", "vote": "up", "quest')  # a crash
    assert "Thanks" in vote(env, answer)
    lines = env.feedback.read_text(encoding="utf-8").splitlines()
    assert lines[-2].endswith('"quest')
    assert json.loads(lines[-1])["question"] == DODEK


# --------------------------------------------------------------------------- hostile text


def test_a_lone_surrogate_in_a_message_does_not_stop_the_bot(env):
    """orjson (which discord.py uses when installed) refuses ``\\ud800``; the bot goes on."""
    answer = reply_to(env, mention(env, DODEK + " \ud800"))
    assert "Dodek" in embed_text(answer)
    assert "Thanks" in vote(env, answer)  # the vote is stored; the lone surrogate was dropped
    assert json.loads(env.feedback.read_text().splitlines()[-1])["question"] == DODEK
    assert env.process is not None and env.process.poll() is None


def test_hostile_file_names_and_metadata_render_within_limits_and_ping_nobody(env):
    name = (
        "`**@everyone**` <@&123456789012345678> \u202ereversed 👩\u200d👩\u200d👧 [x](https:evil) "
        + "n" * 60
        + ".md"
    )
    (env.corpus / name).write_text(
        "---\n"
        f"title: '@everyone **{'T' * 3000}** <@123456789012345678>'\n"
        "author: '<@123456789012345678> ||spoiler|| @here'\n"
        "source: '@here `code` > quote [link](https://evil.example)'\n"
        "date: 1700000000000\n"
        "url: 'javascript:alert(1)'\n"
        "---\n"
        "# Zorblax\n\n"
        "The zorblax reactor hums @everyone <@&123456789012345678> **loudly** at night.\n",
        encoding="utf-8",
    )
    try:
        assert "Reloaded" in env.call(admin_reload(env).wait_message(timeout=30), 35)["content"]
        answer = reply_to(env, mention(env, "What does the zorblax reactor do at night?"))
        assert "zorblax" in embed_text(answer) and "2023-11-14" in embed_text(answer)
        full = env.call(env.fake.click(answer, buttons(answer)["Full passage"], user=env.admin))
        assert "zorblax" in embed_text(env.call(full.wait_message()))
        user = env.new_user()
        choices = env.call(
            env.fake.autocomplete(
                "source",
                {"document": "reversed"},
                focused="document",
                user=user,
                channel_id=env.channel,
            )
        )
        assert len(choices) == 1 and len(choices[0]["name"]) <= 100
        shown = env.call(slash(env, "source", {"document": choices[0]["value"]}).wait_message())
        assert "2023-11-14" in embed_text(shown)
        listing = env.call(slash(env, "sources").wait_message())
        assert "documents" in embed_text(listing)
    finally:
        (env.corpus / name).unlink()
    # The fixture checks what the fake saw: nothing over a limit, nobody pinged.
