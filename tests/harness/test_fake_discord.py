"""Tests of the fake Discord itself, driven by a minimal in-process discord.py client."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.discord_app.endpoint import apply_discord_endpoint
from bot.harness import Channel, FakeDiscord, Guild, User
from bot.harness.validation import validate_message, would_ping

with warnings.catch_warnings():
    # discord.py imports the stdlib audioop module, deprecated since Python 3.11.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
    from discord import app_commands

NO_PINGS = discord.AllowedMentions.none()


def run(coro: Coroutine[Any, Any, Any], timeout: float = 15.0) -> Any:
    """Run one async test body on a fresh loop, failing it if it hangs."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.fixture(autouse=True)
def _restore_discord_urls() -> Any:
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def make_client(
    *, message_content: bool = False
) -> tuple[discord.Client, app_commands.CommandTree]:
    intents = discord.Intents.default()
    intents.message_content = message_content
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    return client, app_commands.CommandTree(client)


@asynccontextmanager
async def running(
    fake: FakeDiscord,
    client: discord.Client,
    *,
    sync: app_commands.CommandTree | None = None,
    token: str | None = None,
) -> AsyncIterator[discord.Client]:
    """Start ``client`` against ``fake`` and wait for on_ready; close it afterwards."""
    apply_discord_endpoint(fake.url)
    if sync is not None:

        async def setup_hook() -> None:
            await sync.sync()

        client.setup_hook = setup_hook  # type: ignore[method-assign]
    task = asyncio.create_task(client.start(token or fake.token))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # raises what start() raised
        yield client
    finally:
        ready.cancel()
        await client.close()
        await asyncio.wait_for(task, 5)


async def world(fake: FakeDiscord) -> tuple[Guild, Channel, User, User]:
    """A guild with #general and #help, an admin (Manage Guild) and a plain member."""
    guild = await fake.add_guild("Docs", channels=("general", "help"))
    admin, alice = await fake.add_user("admin"), await fake.add_user("alice")
    await fake.add_member(guild, admin, ["manage_guild"])
    await fake.add_member(guild, alice)
    return guild, guild.channel("general"), admin, alice


async def until(check: Callable[[], Any], fake: FakeDiscord, what: str) -> Any:
    return await fake.wait_until(check, timeout=5.0, what=what)


# -- connecting -----------------------------------------------------------------------------


def test_client_connects_gets_ready_and_heartbeats_on_time() -> None:
    async def body() -> None:
        async with FakeDiscord(heartbeat_interval_ms=200, heartbeat_grace=0.3) as fake:
            guild, general, admin, _ = await world(fake)
            client, _ = make_client()
            async with running(fake, client):
                assert client.user is not None and client.user.id == fake.bot_user.id
                cached = client.get_guild(guild.id)
                assert cached is not None and cached.get_channel(general.id) is not None
                assert cached.default_role.id == guild.id
                await until(lambda: len(fake.heartbeats) >= 3, fake, "three heartbeats")
            assert fake.identify_count == 1
            assert [hb for hb in fake.heartbeats if hb.late] == []
            assert fake.violations == []

    run(body())


def test_bad_token_is_a_login_failure() -> None:
    async def body() -> None:
        async with FakeDiscord(token="right") as fake:
            client, _ = make_client()
            with pytest.raises(discord.LoginFailure):
                async with running(fake, client, token="wrong"):
                    pass
            assert fake.requests[-1].path == "/users/@me" and fake.requests[-1].status == 401
            assert fake.gateway_connections == []

    run(body())


def test_privileged_intent_not_enabled_closes_with_4014() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            client, _ = make_client(message_content=True)
            with pytest.raises(discord.PrivilegedIntentsRequired):
                async with running(fake, client):
                    pass
            assert fake.gateway_connections[-1].close_code == 4014

    run(body())


# -- messages in ----------------------------------------------------------------------------


def test_message_create_reaches_on_message_with_content_rules() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            guild, general, admin, alice = await world(fake)
            client, _ = make_client()
            seen: list[discord.Message] = []
            client.event(_collector(seen))
            async with running(fake, client):
                await fake.post_message(general, alice, "no mention here")
                await fake.post_message(general, alice, "what is BM25?", mentions_bot=True)
                await fake.dm(alice, "a private question")
                await until(lambda: len(seen) == 3, fake, "three messages")
            plain, mention, dm = seen
            assert plain.content == "" and plain.guild is not None and plain.guild.id == guild.id
            assert mention.content.endswith("what is BM25?") and client.user in mention.mentions
            assert isinstance(mention.author, discord.Member)
            assert mention.author.guild_permissions.manage_guild is False
            assert dm.content == "a private question" and dm.guild is None

    run(body())


def test_message_content_intent_delivers_all_content() -> None:
    async def body() -> None:
        async with FakeDiscord(privileged_intents=("message_content",)) as fake:
            _, general, _, alice = await world(fake)
            client, _ = make_client(message_content=True)
            seen: list[discord.Message] = []
            client.event(_collector(seen))
            async with running(fake, client):
                await fake.post_message(general, alice, "no mention here")
                await until(lambda: seen, fake, "a message")
            assert seen[0].content == "no mention here"

    run(body())


def _collector(seen: list[discord.Message]) -> Callable[[discord.Message], Awaitable[None]]:
    async def on_message(message: discord.Message) -> None:
        if not message.author.bot:
            seen.append(message)

    return on_message


# -- messages out ---------------------------------------------------------------------------


def test_limits_and_pings_are_refused_or_recorded() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, _, alice = await world(fake)
            client, _ = make_client()
            async with running(fake, client):
                channel = client.get_channel(general.id)
                assert isinstance(channel, discord.TextChannel)
                with pytest.raises(discord.HTTPException) as refused:
                    await channel.send("x" * 2001, allowed_mentions=NO_PINGS)
                assert refused.value.status == 400 and refused.value.code == 50035
                assert fake.sent_messages == [] and "content" in fake.violations[-1]
                fake.violations.clear()

                await channel.send("quiet @everyone <@1>", allowed_mentions=NO_PINGS)
                assert fake.violations == []
                await channel.send("loud @everyone")
                assert "would ping @everyone" in fake.violations.pop()

                question = await fake.post_message(general, alice, "q?", mentions_bot=True)
                target = await channel.fetch_message(int(question["id"]))
                await target.reply("answer", allowed_mentions=NO_PINGS)
                assert fake.violations == []
                await target.reply("answer")
                assert "replied-to author" in fake.violations.pop()
                assert [m["content"] for m in fake.sent_messages] == [
                    "quiet @everyone <@1>",
                    "loud @everyone",
                    "answer",
                    "answer",
                ]

    run(body())


def test_injected_429_is_retried_by_discord_py_and_delivered() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, _, _ = await world(fake)
            client, _ = make_client()
            async with running(fake, client):
                channel = client.get_channel(general.id)
                assert isinstance(channel, discord.TextChannel)
                fake.inject_failure("POST", r"/channels/\d+/messages$", 429, retry_after=0.05)
                sent = await channel.send("after a rate limit", allowed_mentions=NO_PINGS)
            assert [(f.status, f.method) for f in fake.injected_failures] == [(429, "POST")]
            statuses = [r.status for r in fake.requests if r.path.endswith("/messages")]
            assert statuses == [429, 200]
            assert fake.sent_messages[0]["id"] == str(sent.id) and fake.violations == []

    run(body())


def test_typing_threads_and_reactions_are_recorded() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, _, alice = await world(fake)
            client, _ = make_client()
            created: list[discord.Thread] = []
            client.event(_thread_collector(created))
            async with running(fake, client):
                question = await fake.post_message(general, alice, "q?", mentions_bot=True)
                channel = client.get_channel(general.id)
                assert isinstance(channel, discord.TextChannel)
                async with channel.typing():
                    pass
                message = await channel.fetch_message(int(question["id"]))
                await message.add_reaction("\N{THUMBS UP SIGN}")
                thread = await message.create_thread(name="Answer")
                await thread.send("in the thread", allowed_mentions=NO_PINGS)
                await until(lambda: created, fake, "THREAD_CREATE")
            assert [t.channel_id for t in fake.typing_events] == [general.id]
            assert fake.reactions[0].emoji == "\N{THUMBS UP SIGN}"
            assert fake.threads[0].id == thread.id == int(question["id"])
            assert fake.sent_messages[0]["channel_id"] == str(thread.id)
            assert fake.violations == []

    run(body())


def _thread_collector(created: list[discord.Thread]) -> Callable[[discord.Thread], Awaitable[None]]:
    async def on_thread_create(thread: discord.Thread) -> None:
        created.append(thread)

    return on_thread_create


# -- application commands ---------------------------------------------------------------------


def _qa_tree(tree: app_commands.CommandTree, fake: FakeDiscord, calls: list[Any]) -> None:
    @tree.command(description="Ask the documents a question")
    @app_commands.describe(question="What you want to know")
    async def ask(interaction: discord.Interaction, question: str) -> None:
        calls.append((question, interaction.user.guild_permissions.manage_guild))  # type: ignore[union-attr]
        await interaction.response.send_message(f"Answer to {question}", allowed_mentions=NO_PINGS)

    @tree.command(description="Answers slowly, deferring first")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send("finally", allowed_mentions=NO_PINGS)

    @tree.command(description="Responds twice")
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("one", allowed_mentions=NO_PINGS)
        interaction.response._response_type = None  # get past discord.py's own guard
        try:
            await interaction.response.send_message("two", allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            calls.append(exc.code)

    @tree.command(description="Responds after the deadline")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.35)  # the test lowers the deadline to 0.2 s for this one
        try:
            await interaction.response.send_message("too late", allowed_mentions=NO_PINGS)
        except discord.NotFound as exc:
            calls.append(exc.code)

    @tree.command(description="Follows up without responding")
    async def rude(interaction: discord.Interaction) -> None:
        try:
            await interaction.followup.send("no ack", allowed_mentions=NO_PINGS)
        except discord.NotFound as exc:
            calls.append(exc.code)

    @tree.command(description="Pick a topic")
    async def topic(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name, allowed_mentions=NO_PINGS)

    @topic.autocomplete("name")
    async def topic_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["install", "index", "intents", "errors"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @tree.context_menu(name="Explain this")
    async def explain(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(
            f"explaining {message.content!r}", ephemeral=True, allowed_mentions=NO_PINGS
        )


def test_tree_sync_registers_commands_with_their_options() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            await world(fake)
            client, tree = make_client()
            _qa_tree(tree, fake, [])
            async with running(fake, client, sync=tree):
                pass
            by_name = {c["name"]: c for c in fake.commands}
            assert set(by_name) == {"ask", "slow", "twice", "late", "rude", "topic", "Explain this"}
            assert by_name["ask"]["options"][0] == {
                "type": 3,
                "name": "question",
                "description": "What you want to know",
                "required": True,
            }
            assert (
                by_name["Explain this"]["type"] == 3
                and by_name["topic"]["options"][0]["autocomplete"]
            )
            assert fake.violations == []

    run(body())


def test_slash_commands_responses_deferrals_and_protocol_violations() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, admin, alice = await world(fake)
            client, tree = make_client()
            calls: list[Any] = []
            _qa_tree(tree, fake, calls)
            async with running(fake, client, sync=tree):
                ask = await fake.invoke_slash(
                    "ask", {"question": "what is BM25"}, user=admin, channel_id=general
                )
                answer = await ask.wait_message()
                assert answer["content"] == "Answer to what is BM25" and ask.response["type"] == 4
                assert calls == [("what is BM25", True)] and fake.violations == []

                slow = await fake.invoke_slash("slow", user=alice, channel_id=general)
                final = await slow.wait_message()
                assert slow.response["type"] == 5 and slow.deferred and slow.ephemeral
                assert final["content"] == "finally" and final["id"] == slow.original["id"]

                twice = await fake.invoke_slash("twice", user=alice, channel_id=general)
                await until(lambda: 40060 in calls, fake, "the second response to be refused")
                assert "second initial response" in fake.violations.pop()
                assert twice.rendered["content"] == "one"

                fake.interaction_deadline = 0.2
                await fake.invoke_slash("late", user=alice, channel_id=general)
                await until(lambda: 10062 in calls, fake, "the late response to be refused")
                assert "deadline 0.2s" in fake.violations.pop()
                fake.interaction_deadline = 3.0

                await fake.invoke_slash("rude", user=alice, channel_id=general)
                await until(lambda: 10015 in calls, fake, "the early followup to be refused")
                assert "acknowledged" in fake.violations.pop()
                assert fake.violations == []

                with pytest.raises(AssertionError, match="required option 'question'"):
                    await fake.invoke_slash("ask", {}, user=alice, channel_id=general)

    run(body())


def test_autocomplete_and_message_context_menu() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, _, alice = await world(fake)
            client, tree = make_client()
            _qa_tree(tree, fake, [])
            async with running(fake, client, sync=tree):
                choices = await fake.autocomplete(
                    "topic", {"name": "in"}, focused="name", user=alice, channel_id=general
                )
                assert [c["value"] for c in choices] == ["install", "index", "intents"]

                target = await fake.post_message(general, alice, "unmentioned text")
                handle = await fake.invoke_message_command("Explain this", target, user=alice)
                reply = await handle.wait_message()
                assert reply["content"] == "explaining 'unmentioned text'" and handle.ephemeral
            assert fake.violations == []

    run(body())


class MoreView(discord.ui.View):
    @discord.ui.button(label="More", custom_id="qa:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="the longer answer", view=None)


def test_button_click_round_trip() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, _, alice = await world(fake)
            client, _ = make_client()

            @client.event
            async def on_message(message: discord.Message) -> None:
                if not message.author.bot:
                    await message.channel.send(
                        "short answer", view=MoreView(), allowed_mentions=NO_PINGS
                    )

            async with running(fake, client):
                await fake.post_message(general, alice, "question", mentions_bot=True)
                shown = await fake.wait_for_bot_message(general)
                assert shown["components"][0]["components"][0]["custom_id"] == "qa:more"
                handle = await fake.click(shown, "qa:more", user=alice)
                updated = await handle.wait_message()
                assert handle.response["type"] == 7
                assert updated["content"] == "the longer answer" and updated["components"] == []
                assert fake.sent_messages == [shown] and shown["edited_timestamp"] is not None
                with pytest.raises(AssertionError, match="no component"):
                    await fake.click(shown, "qa:more", user=alice)
            assert fake.violations == []

    run(body())


# -- gateway faults ---------------------------------------------------------------------------


def test_dropped_gateway_resumes_and_replays_missed_events() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, _, alice = await world(fake)
            client, _ = make_client()
            seen: list[discord.Message] = []
            client.event(_collector(seen))
            async with running(fake, client):
                await fake.drop_gateway(code=4000)
                await fake.post_message(general, alice, "while you were away", mentions_bot=True)
                await until(lambda: fake.resume_count == 1, fake, "a RESUME")
                await fake.post_message(general, alice, "after the resume", mentions_bot=True)
                await until(lambda: len(seen) == 2, fake, "both messages")
            assert [m.content.split("> ", 1)[1] for m in seen] == [
                "while you were away",
                "after the resume",
            ]
            assert fake.identify_count == 1
            assert (fake.gateway_connections[-1].kind, fake.gateway_connections[-1].path) == (
                "resume",
                "/resume",
            )

    run(body())


def test_invalidated_session_makes_the_client_identify_again() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            _, general, _, alice = await world(fake)
            client, _ = make_client()
            seen: list[discord.Message] = []
            client.event(_collector(seen))

            async def no_pause(shard_id: int | None, *, initial: bool = False) -> None:
                pass  # discord.py waits 5 s before every IDENTIFY but the first

            client.before_identify_hook = no_pause  # type: ignore[method-assign]
            async with running(fake, client):
                await fake.invalidate_session()
                await until(lambda: fake.identify_count == 2, fake, "a second IDENTIFY")
                await fake.wait_ready()
                await fake.post_message(general, alice, "hello again", mentions_bot=True)
                await until(lambda: seen, fake, "a message on the new session")
            assert fake.resume_count == 0

    run(body())


# -- sharding ---------------------------------------------------------------------------------


async def _no_pause(shard_id: int | None, *, initial: bool = False) -> None:
    pass  # discord.py waits 5 s before every IDENTIFY but the first


def test_each_shard_gets_its_guilds_and_dms_go_to_shard_zero() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            fake.recommended_shards = 2
            guilds = [await fake.add_guild(f"G{n}", shard=(n, 2)) for n in (0, 1)]
            alice = await fake.add_user("alice")
            for guild in guilds:
                await fake.add_member(guild, alice)
            client = discord.AutoShardedClient(  # no shard_count: asks GET /gateway/bot
                intents=discord.Intents.default(), guild_ready_timeout=0.05
            )
            client.before_identify_hook = _no_pause  # type: ignore[method-assign]
            seen: list[discord.Message] = []
            client.event(_collector(seen))
            async with running(fake, client):
                assert sorted(s.shard for s in fake.sessions.values()) == [[0, 2], [1, 2]]
                for n, guild in enumerate(guilds):
                    ready = fake.sessions[n].events("READY")[0]
                    assert [g["id"] for g in ready["guilds"]] == [str(guild.id)]
                    assert client.get_guild(guild.id) is not None
                posted = [
                    await fake.post_message(g.channel("general"), alice, "q", mentions_bot=True)
                    for g in guilds
                ]
                posted.append(await fake.dm(alice, "a private question"))
                await fake.drop_gateway(shard=1)
                posted.append(
                    await fake.post_message(guilds[1].channel("general"), alice, "after drop")
                )
                await until(lambda: fake.resume_count == 1, fake, "shard 1 to RESUME")
                await until(lambda: len(seen) == 4, fake, "four messages")
            ids = [[m["id"] for m in s.events("MESSAGE_CREATE")] for s in fake.sessions.values()]
            assert ids == [[posted[0]["id"], posted[2]["id"]], [posted[1]["id"], posted[3]["id"]]]
            assert fake.identify_count == 2 and fake.violations == []

    run(body())


async def _identify_close_code(fake: FakeDiscord, shard: Any) -> int | None:
    """IDENTIFY over a raw websocket with ``shard``; the code the fake closed with."""
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws,
    ):
        assert (await ws.receive_json())["op"] == 10
        identify = {"token": fake.token, "intents": 513, "properties": {}, "shard": shard}
        await ws.send_json({"op": 2, "d": identify})
        while (await ws.receive()).type is not aiohttp.WSMsgType.CLOSE:
            pass
        return ws.close_code


def test_invalid_shard_is_refused_with_4010() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            assert await _identify_close_code(fake, [2, 2]) == 4010
            assert "invalid shard [2, 2]" in fake.violations.pop()
            client = discord.AutoShardedClient(
                intents=discord.Intents.default(), shard_count=2, shard_ids=[1]
            )
            async with running(fake, client):
                assert await _identify_close_code(fake, [0, 3]) == 4010
                assert "shard_count 2" in fake.violations.pop()
                assert [s.shard for s in fake.sessions.values()] == [[1, 2]]
            assert fake.violations == []

    run(body())


# -- raw HTTP ---------------------------------------------------------------------------------


def test_raw_rest_auth_unknown_routes_and_command_validation() -> None:
    async def body() -> None:
        async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
            api = f"{fake.url}/api/v10"
            auth = {"Authorization": f"Bot {fake.token}"}
            async with http.get(f"{api}/users/@me") as resp:
                assert resp.status == 401
            async with http.get(f"{api}/users/@me", headers=auth) as resp:
                assert resp.headers["Content-Type"] == "application/json"
                assert (await resp.json())["id"] == str(fake.bot_user.id)
            async with http.get(f"{api}/no/such/route", headers=auth) as resp:
                assert resp.status == 404
            assert "unknown route" in fake.violations.pop()
            bad = [{"name": "Ask", "description": "", "type": 1}]
            async with http.put(
                f"{api}/applications/{fake.application_id}/commands", json=bad, headers=auth
            ) as resp:
                errors = (await resp.json())["errors"]
                assert resp.status == 400 and set(errors["0"]) == {"name", "description"}
            assert len(fake.violations) == 2 and fake.commands == []

    run(body())


def test_apply_discord_endpoint_points_rest_and_gateway_at_the_fake() -> None:
    apply_discord_endpoint(None)
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    apply_discord_endpoint("http://127.0.0.1:8123")
    assert discord.http.Route.BASE == "http://127.0.0.1:8123/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:8123/"
    with pytest.raises(ValueError):
        apply_discord_endpoint("127.0.0.1:8123")


# -- pure checks --------------------------------------------------------------------------------


def test_embed_and_component_limits() -> None:
    embed = {"title": "t" * 257, "fields": [{"name": "", "value": "v" * 1025}]}
    row = {
        "type": 1,
        "components": [{"type": 2, "style": 1, "label": "x", "custom_id": "same"}] * 6,
    }
    errors = {
        str(e) for e in validate_message({"embeds": [embed], "components": [row]}, allowed_flags=0)
    }
    assert "embeds.0.title: Must be 256 or fewer in length." in errors
    assert "embeds.0.fields.0.name: This field is required" in errors
    assert "embeds.0.fields.0.value: Must be 1024 or fewer in length." in errors
    assert "components.0.components: Must be 5 or fewer in length." in errors
    assert "components.0.components.1.custom_id: Component custom id cannot be duplicated" in errors
    big = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    assert any("6000" in str(e) for e in validate_message({"embeds": big}, allowed_flags=0))
    link = {"type": 1, "components": [{"type": 2, "style": 5, "label": "doc", "custom_id": "x"}]}
    assert {e.code for e in validate_message({"components": [link]}, allowed_flags=0)} == {
        "BUTTON_LINK_URL_REQUIRED",
        "BUTTON_LINK_CUSTOM_ID",
    }


def test_would_ping_follows_allowed_mentions() -> None:
    text = "@here <@5> <@!6> <@&7> <@9>"
    assert would_ping(text, None, replied_user_id=8, bot_id=9) == [
        "@here",
        "<@5>",
        "<@6>",
        "<@&7>",
        "replied-to author <@8>",
    ]
    assert would_ping(text, {"parse": []}, replied_user_id=8, bot_id=9) == []
    assert would_ping(
        text, {"parse": [], "users": ["6"], "replied_user": True}, replied_user_id=8, bot_id=9
    ) == ["<@6>", "replied-to author <@8>"]
