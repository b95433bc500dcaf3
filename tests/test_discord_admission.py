"""Every entry point is admitted or refused by the one gate, with the same words.

Through the fake Discord: a denied channel, the cooldown (and, in
test_robustness_busy, stopping and busy) for mentions, replies, DMs, ``/ask``,
the "Ask the docs" menu and buttons.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.config import DiscordConfig
from bot.discord_app import texts
from bot.discord_app.admission import BUTTON, Gate, Request
from bot.service import Busy
from tests.discord_env import DiscordEnv, buttons, mention, replies_to, reply_to

COOLDOWN_START = "You're asking quickly! Please wait "
COOLDOWN_END = " s before the next question."
DODEK = "Who is Leland Dodek?"


# --------------------------------------------------------------------------- the gate


def run_admit(gate: Gate, request: Request, work) -> tuple[bool, list[str]]:
    said: list[str] = []

    async def say(text: str) -> None:
        said.append(text)

    return asyncio.run(gate.admit(request, say, work)), said


async def nothing() -> None:
    return None


def test_the_gate_refuses_in_order_and_says_the_same_words_for_every_entry_point():
    for via in ("mention", "reply", "dm", "slash", "context-menu"):
        gate = Gate(DiscordConfig(cooldown_seconds=30, denied_channels=(5,)))
        denied = Request(via, 1, 5)
        assert run_admit(gate, denied, nothing) == (False, [texts.CHANNEL_REFUSED])
        assert run_admit(gate, Request(via, 1, 6), nothing) == (True, [])
        admitted, said = run_admit(gate, Request(via, 1, 6), nothing)
        assert not admitted and said[0].startswith(COOLDOWN_START)
        gate.stopping = True
        assert run_admit(gate, Request(via, 2, None), nothing) == (False, [texts.STOPPING])


def test_a_denied_channel_is_silent_for_a_public_reply_and_buttons_skip_the_cooldown():
    gate = Gate(DiscordConfig(cooldown_seconds=30, allowed_channels=(7,)))
    assert run_admit(gate, Request("mention", 1, 8, public=True), nothing) == (False, [])
    assert run_admit(gate, Request("mention", 1, 8, parent_id=7, public=True), nothing)[0]
    for _ in range(3):  # paging through results right after asking
        assert run_admit(gate, Request(BUTTON, 1, 7), nothing) == (True, [])


def test_admitted_work_that_meets_busy_or_a_bug_gets_a_polite_reply_and_is_tracked():
    gate = Gate(DiscordConfig(cooldown_seconds=0))
    seen: list[int] = []

    async def busy() -> None:
        seen.append(gate.active)
        raise Busy()

    async def broken() -> None:
        raise KeyError(1)

    assert run_admit(gate, Request("slash", 1, None), busy) == (True, [texts.BUSY])
    assert run_admit(gate, Request(BUTTON, 1, None), broken) == (True, [texts.ERROR])
    assert seen == [1] and gate.active == 0


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A bot that first answers in "other", then is restarted with "other" denied."""
    environment = DiscordEnv(tmp_path_factory.mktemp("admission"), log_level="DEBUG")
    try:
        environment.setup_world()
        environment.start_bot()
        environment.wait_ready()
        environment.other = environment.guild.channel("other").id
        environment.old_answer = reply_to(
            environment, mention(environment, DODEK, channel=environment.other)
        )
        environment.stop_bot()
        text = environment.config.read_text(encoding="utf-8")
        denied = f"discord:\n  denied_channels: [{environment.other}]\n"
        environment.config.write_text(text.replace("discord:\n", denied), encoding="utf-8")
        identified = environment.fake.identify_count
        environment.start_bot()
        environment.wait_ready(identified)
        yield environment
    finally:
        environment.close()


@pytest.fixture(autouse=True)
def no_violations(env):
    yield
    assert env.fake.violations == [], env.fake.violations


def wait_log(env: DiscordEnv, mark: int, line: str) -> None:
    env.call(
        env.fake.wait_until(
            lambda: line in env.bot_log()[mark:], timeout=15, what=f"{line!r} in the log"
        ),
        20,
    )


def test_every_entry_point_is_refused_in_a_denied_channel(env):
    fake, other = env.fake, env.other
    mark = len(env.bot_log())
    # Messages: no reply at all (a public reply there is what the setting forbids).
    asked = mention(env, DODEK, channel=other)
    wait_log(env, mark, "refused via=mention reason=channel")
    silent = env.call(
        fake.post_message(
            other, env.new_user(), "and when?", reply_to=env.old_answer, mention_author=False
        )
    )
    wait_log(env, mark, "refused via=reply reason=channel")
    assert replies_to(env, asked) == [] and replies_to(env, silent) == []
    # Interactions: told privately, in the same words.
    user = env.new_user()
    target = env.call(fake.post_message(other, user, DODEK))
    handles = [
        env.call(
            fake.invoke_slash(
                "ask", {"question": DODEK}, user=user, channel_id=other, guild_id=env.guild.id
            )
        ),
        env.call(fake.invoke_message_command("Ask the docs", target, user=user, channel_id=other)),
        env.call(fake.click(env.old_answer, buttons(env.old_answer)["Full passage"], user=user)),
    ]
    said = [env.call(h.wait_message(timeout=10), 15)["content"] for h in handles]
    assert said == [texts.CHANNEL_REFUSED] * 3
    assert all(h.ephemeral for h in handles)
    # The same button in an allowed channel still works after the restart.
    answer = reply_to(env, mention(env, DODEK))
    full = env.call(fake.click(answer, buttons(answer)["Full passage"], user=user))
    assert env.call(full.wait_message())["embeds"]


def test_every_entry_point_gets_the_same_cooldown_reply_and_buttons_none(env):
    fake = env.fake
    user = env.new_user()
    answer = reply_to(env, mention(env, DODEK, user))
    assert answer["embeds"]
    messages = [
        mention(env, DODEK, user),
        env.call(fake.post_message(env.channel, user, "and where?", reply_to=answer)),
        env.call(fake.dm(user, DODEK)),
    ]
    said = [reply_to(env, m)["content"] for m in messages]
    target = env.call(fake.post_message(env.channel, env.new_user(), DODEK))
    handles = [
        env.call(
            fake.invoke_slash(
                "ask", {"question": DODEK}, user=user, channel_id=env.channel, guild_id=env.guild.id
            )
        ),
        env.call(
            fake.invoke_message_command("Ask the docs", target, user=user, channel_id=env.channel)
        ),
    ]
    said += [env.call(h.wait_message(timeout=10), 15)["content"] for h in handles]
    assert all(h.ephemeral for h in handles)
    assert all(s.startswith(COOLDOWN_START) and s.endswith(COOLDOWN_END) for s in said), said
    # A click on the answer's buttons is no new question: never cooled down.
    full = env.call(fake.click(answer, buttons(answer)["Full passage"], user=user))
    assert env.call(full.wait_message())["embeds"]
