"""The sharded client (discord.shard_count) runs the same bot through AutoShardedClient."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.discord_env import QABOT, DiscordEnv, mention, replies_to, reply_to, running_bot


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    with running_bot(
        tmp_path_factory.mktemp("sharded"), discord={"shard_count": 1, "shard_ids": "[0]"}
    ) as environment:
        yield environment


def test_sharded_bot_identifies_with_its_shard_and_answers(sharded):
    fake = sharded.fake
    assert fake.gateway.session.shard == [0, 1]
    user = sharded.new_user()
    question = sharded.call(
        fake.post_message(
            sharded.channel, user, f"<@{fake.bot_user.id}> Who is Leland Dodek?", mentions_bot=True
        )
    )
    answer = sharded.call(
        fake.wait_for_bot_message(
            channel_id=sharded.channel,
            predicate=lambda m: (
                (m.get("message_reference") or {}).get("message_id") == question["id"]
            ),
            timeout=15,
        ),
        20,
    )
    assert "Dodek" in answer["embeds"][0]["description"]
    assert fake.violations == []


# ------------------------------------------------------------- two processes, one shard each


def start_shard_process(env: DiscordEnv, shard_id: int) -> subprocess.Popen:
    """Another ``qabot run`` beside ``env``'s, the same config but ``shard_ids: [shard_id]``."""
    config = env.workdir / f"qabot-shard{shard_id}.yaml"
    text = env.config.read_text(encoding="utf-8")
    assert "shard_ids: [0]" in text
    config.write_text(text.replace("shard_ids: [0]", f"shard_ids: [{shard_id}]"), "utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "QABOT_CONFIG"}
    environment.update(DISCORD_TOKEN=env.fake.token, QABOT_DISCORD_ENDPOINT=env.fake.url)
    with (env.workdir / f"bot-shard{shard_id}.log").open("ab") as log:
        return subprocess.Popen(
            [str(QABOT), "run", "--config", str(config)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=env.workdir,
        )


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="module")
def two_shards(tmp_path_factory):
    """Shard 0 of 2 run by ``env``'s process, shard 1 by a second one; a guild on each."""
    env = DiscordEnv(
        tmp_path_factory.mktemp("two-shards"), discord={"shard_count": 2, "shard_ids": "[0]"}
    )
    second = None
    try:
        env.setup_world()
        guilds = [env.call(env.fake.add_guild(f"Shard {n}", shard=(n, 2))) for n in (0, 1)]
        env.start_bot()
        second = start_shard_process(env, 1)
        env.call(
            env.fake.wait_until(
                lambda: env.fake.identify_count >= 2 or second.poll() is not None,
                timeout=30,
                what="both processes to identify",
            ),
            35,
        )
        log = (env.workdir / "bot-shard1.log").read_text(encoding="utf-8", errors="replace")
        assert second.poll() is None, log
        env.wait_ready()
        yield env, guilds
    finally:
        if second is not None:
            stop_process(second)
        env.close()


def test_two_processes_each_answer_their_own_shard(two_shards):
    env, guilds = two_shards
    fake = env.fake
    assert {n: s.shard for n, s in fake.sessions.items()} == {0: [0, 2], 1: [1, 2]}
    shard1_log = env.workdir / "bot-shard1.log"

    def logs() -> list[str]:
        return [env.bot_log(), shard1_log.read_text(encoding="utf-8")]

    marks = [len(text) for text in logs()]
    questions = []
    for guild in guilds:
        user = env.new_user()
        env.call(fake.add_member(guild, user))
        questions.append(mention(env, "Who is Leland Dodek?", user, guild.channel("general").id))
    questions.append(env.call(fake.dm(env.new_user(), "Who is Leland Dodek?")))
    for question in questions:
        assert "Dodek" in reply_to(env, question)["embeds"][0]["description"]
    delivered = [{m["id"] for m in fake.sessions[n].events("MESSAGE_CREATE")} for n in (0, 1)]
    shard_of_question = [[n for n in (0, 1) if q["id"] in delivered[n]] for q in questions]
    assert shard_of_question == [[0], [1], [0]]  # guild 0, guild 1, the DM
    # Each process logs a question once its reply is sent: once the three are logged,
    # no handler is left that could send a second (wrong) answer.
    env.call(
        fake.wait_until(
            lambda: (
                sum(t[m:].count("question via=") for t, m in zip(logs(), marks, strict=True)) >= 3
            ),
            timeout=20,
            what="three answered questions in the shards' logs",
        ),
        25,
    )
    assert [len(replies_to(env, q)) for q in questions] == [1, 1, 1]
    logs = logs()
    assert f"guild={guilds[0].id}" in logs[0] and "guild=dm" in logs[0]
    assert f"guild={guilds[1].id}" in logs[1] and "guild=dm" not in logs[1]
    assert f"guild={guilds[0].id}" not in logs[1] and f"guild={guilds[1].id}" not in logs[0]
    assert fake.violations == []
