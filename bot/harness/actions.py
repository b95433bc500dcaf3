"""What the test's users do: post messages, DM the bot, run commands, click, type in
autocomplete, submit modals.  Mixed into :class:`~bot.harness.fake_discord.FakeDiscord`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.harness.commands import CHAT_INPUT, MESSAGE_COMMAND, USER_COMMAND, build_options
from bot.harness.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
    interaction_payload,
    resolved_for,
)
from bot.harness.models import Channel, User
from bot.harness.render import interactive_components
from bot.harness.validation import USER_MENTION
from bot.harness.world import ChannelRef, UserRef

if TYPE_CHECKING:
    from bot.harness.gateway import Gateway
    from bot.harness.world import World

Payload = dict[str, Any]


class UserActions:
    """Test-side actions; every one dispatches a gateway event to the bot."""

    world: World
    gateway: Gateway
    interactions: dict[int, InteractionHandle]
    interactions_by_token: dict[str, InteractionHandle]

    if TYPE_CHECKING:  # provided by FakeDiscord

        async def wait_until(
            self,
            predicate: Callable[[], Any],
            *,
            timeout: float = 5.0,
            what: str = "a condition",
            extra: Callable[[], str] | None = None,
        ) -> Any: ...

    # -- messages ------------------------------------------------------------------------

    async def post_message(
        self,
        channel_id: ChannelRef,
        author: UserRef,
        content: str,
        *,
        mentions_bot: bool = False,
        reply_to: Payload | int | None = None,
        mention_author: bool = True,
        embeds: list[Payload] | None = None,
    ) -> Payload:
        """Post a message as ``author`` and dispatch MESSAGE_CREATE; returns the full message.

        ``mentions_bot`` prefixes ``<@bot>`` (as typing "@Bot" does).  ``reply_to`` makes
        it a reply; the replied-to author is mentioned unless ``mention_author=False``
        (so without the Message Content intent the bot sees such a reply's text only when
        it pings the bot).
        """
        world = self.world
        channel, user = world.channel(channel_id), world.user(author)
        self._check_can_post(channel, user)
        bot_mention = f"<@{world.bot.id}>"
        if mentions_bot and bot_mention not in content and f"<@!{world.bot.id}>" not in content:
            content = f"{bot_mention} {content}"
        mentioned = list(dict.fromkeys(int(u) for u in USER_MENTION.findall(content)))
        extra: Payload = {}
        if reply_to is not None:
            ref = world.message(reply_to)
            extra["message_reference"] = {
                "type": 0,
                "message_id": ref["id"],
                "channel_id": ref["channel_id"],
                **({"guild_id": ref["guild_id"]} if "guild_id" in ref else {}),
            }
            extra["referenced_message"] = copy.deepcopy(
                {k: v for k, v in ref.items() if k != "referenced_message"}
            )
            # A reply with "ping on reply" mentions the replied-to author, which is what lets a
            # bot without the Message Content intent read replies to its messages; Discord
            # documents that this does not hold for replies to interaction responses.
            ref_author = int(ref["author"]["id"])
            pings_author = mention_author and "interaction_metadata" not in ref
            if pings_author and ref_author != user.id and ref_author not in mentioned:
                mentioned.append(ref_author)
        message = world.new_message(
            channel,
            user,
            content,
            mentioned_user_ids=mentioned,
            mention_everyone="@everyone" in content or "@here" in content,
            mtype=19 if reply_to is not None else 0,
            extra=extra,
        )
        if embeds:
            message["embeds"] = embeds
        await self.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    async def dm(self, user: UserRef, content: str) -> Payload:
        """Send the bot a direct message from ``user``."""
        author = self.world.user(user)
        return await self.post_message(self.world.dm_channel(author), author, content)

    def _check_can_post(self, channel: Channel, user: User) -> None:
        guild = self.world.guild_of(channel)
        if guild is not None and user.id not in guild.members:
            raise AssertionError(
                f"{user.username!r} is not a member of {guild.name!r}; call add_member() first"
            )
        if channel.is_dm and channel.recipient is not None and channel.recipient.id != user.id:
            raise AssertionError(
                f"{user.username!r} cannot post in {channel.recipient.username!r}'s DM"
            )

    # -- interactions ----------------------------------------------------------------------

    async def _start_interaction(
        self,
        itype: int,
        data: Payload | None,
        *,
        user: User,
        channel: Channel,
        label: str,
        message: Payload | None = None,
    ) -> InteractionHandle:
        if self.gateway.session_for(channel.guild_id) is None:
            raise AssertionError(f"cannot start {label}: the bot is not connected to the gateway")
        self._check_can_post(channel, user)
        payload = interaction_payload(
            self, itype, data, user=user, channel=channel, message=message
        )
        handle = InteractionHandle(
            self,
            payload,
            user=user,
            channel=channel,
            guild=self.world.guild_of(channel),
            label=label,
        )
        self.interactions[handle.id] = handle
        self.interactions_by_token[handle.token] = handle
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return handle

    def _command(self, name: str, ctype: int, channel: Channel) -> Payload:
        guild = self.world.guild_of(channel)
        cmd = self.world.commands.find(
            name, guild_id=None if guild is None else guild.id, ctype=ctype
        )
        if cmd is None:
            known = sorted(f"{c['name']} (type {c['type']})" for c in self.world.commands.all())
            raise AssertionError(
                f"no command {name!r} of type {ctype} is registered here; registered: {known}"
            )
        context = 1 if guild is None else 0
        if cmd.get("contexts") is not None and context not in cmd["contexts"]:
            raise AssertionError(f"command {name!r} is not available in this context ({context})")
        if guild is None and cmd.get("dm_permission") is False:
            raise AssertionError(f"command {name!r} is not available in DMs")
        return cmd

    def _command_data(self, cmd: Payload, **fields: Any) -> Payload:
        data: Payload = {"id": cmd["id"], "name": cmd["name"], "type": cmd["type"], **fields}
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return data

    async def invoke_slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: UserRef,
        channel_id: ChannelRef,
        guild_id: int | None = None,
    ) -> InteractionHandle:
        """Run ``/name`` (``"group sub"`` for sub-commands) with ``{option: value}``.

        Values are checked against the registered schema (types, choices, required),
        as Discord's client does.  User/role/channel options take an object or an id.
        """
        channel, member = self.world.channel(channel_id), self.world.user(user)
        if guild_id is not None and channel.guild_id != guild_id:
            raise AssertionError(f"channel {channel.id} is not in guild {guild_id}")
        parts = name.split()
        cmd = self._command(parts[0], CHAT_INPUT, channel)
        built = build_options(cmd, parts[1:], dict(options or {}))
        data = self._command_data(
            cmd, options=built, resolved=resolved_for(self, built, self.world.guild_of(channel))
        )
        return await self._start_interaction(
            APPLICATION_COMMAND, data, user=member, channel=channel, label=f"/{name}"
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        user: UserRef,
        channel_id: ChannelRef,
        timeout: float = 3.0,
    ) -> list[Payload]:
        """Type into option ``focused`` of ``/name``; returns the bot's choices."""
        channel, member = self.world.channel(channel_id), self.world.user(user)
        parts = name.split()
        cmd = self._command(parts[0], CHAT_INPUT, channel)
        values = dict(options)
        values.setdefault(focused, "")
        built = build_options(cmd, parts[1:], values, focused=focused)
        handle = await self._start_interaction(
            AUTOCOMPLETE,
            self._command_data(cmd, options=built),
            user=member,
            channel=channel,
            label=f"autocomplete /{name} {focused}",
        )
        await self.wait_until(
            lambda: handle.callbacks,
            timeout=timeout,
            what=f"an answer to {handle.label}",
            extra=handle.describe,
        )
        if handle.response is None or handle.response["type"] != 8 or handle.choices is None:
            raise AssertionError(
                f"autocomplete was not answered with valid choices:\n{handle.describe()}"
            )
        return handle.choices

    async def invoke_message_command(
        self,
        name: str,
        target_message: Payload | int,
        *,
        user: UserRef,
        channel_id: ChannelRef | None = None,
    ) -> InteractionHandle:
        """Run the message context-menu command ``name`` on a message."""
        target = self.world.message(target_message)
        channel = self.world.channel(
            channel_id if channel_id is not None else int(target["channel_id"])
        )
        cmd = self._command(name, MESSAGE_COMMAND, channel)
        data = self._command_data(
            cmd, target_id=target["id"], resolved={"messages": {target["id"]: target}}
        )
        return await self._start_interaction(
            APPLICATION_COMMAND,
            data,
            user=self.world.user(user),
            channel=channel,
            label=f"message command {name!r}",
        )

    async def invoke_user_command(
        self, name: str, target_user: UserRef, *, user: UserRef, channel_id: ChannelRef
    ) -> InteractionHandle:
        """Run the user context-menu command ``name`` on a user."""
        channel, target = self.world.channel(channel_id), self.world.user(target_user)
        cmd = self._command(name, USER_COMMAND, channel)
        option = [{"type": 6, "name": "target", "value": str(target.id)}]
        data = self._command_data(
            cmd,
            target_id=str(target.id),
            resolved=resolved_for(self, option, self.world.guild_of(channel)),
        )
        return await self._start_interaction(
            APPLICATION_COMMAND,
            data,
            user=self.world.user(user),
            channel=channel,
            label=f"user command {name!r}",
        )

    def _component(self, message: Payload, custom_id: str) -> Payload:
        components = interactive_components(message)
        comp = next((c for c in components if c.get("custom_id") == custom_id), None)
        if comp is None:
            ids = [c.get("custom_id") or f"link:{c.get('url')}" for c in components]
            raise AssertionError(
                f"message {message['id']} has no component {custom_id!r}; it has {ids}"
            )
        if comp.get("disabled"):
            raise AssertionError(f"component {custom_id!r} is disabled and cannot be used")
        return comp

    async def click(
        self, message: Payload | int, custom_id: str, *, user: UserRef, strict: bool = True
    ) -> InteractionHandle:
        """Click the button ``custom_id`` on (the current version of) ``message``.

        The button must exist and be enabled.  ``strict=False`` sends ``custom_id`` as
        given, with ``message`` as passed (a dict) as the interaction's message: a client
        showing an outdated message, e.g. a button from before the bot restarted.
        """
        current = self.world.message(message)
        shown = current
        if strict:
            comp = self._component(current, custom_id)
            if comp.get("type") != 2:
                raise AssertionError(f"component {custom_id!r} is not a button; use select()")
        elif isinstance(message, dict):
            shown = message
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._start_interaction(
            MESSAGE_COMPONENT,
            data,
            user=self.world.user(user),
            channel=self.world.channel(int(current["channel_id"])),
            label=f"click {custom_id!r}",
            message=copy.deepcopy(shown),
        )

    async def select(
        self, message: Payload | int, custom_id: str, values: list[str], *, user: UserRef
    ) -> InteractionHandle:
        """Choose ``values`` in the select menu ``custom_id``."""
        current = self.world.message(message)
        comp = self._component(current, custom_id)
        if comp.get("type") == 2:
            raise AssertionError(f"component {custom_id!r} is a button; use click()")
        data = {"custom_id": custom_id, "component_type": comp["type"], "values": list(values)}
        return await self._start_interaction(
            MESSAGE_COMPONENT,
            data,
            user=self.world.user(user),
            channel=self.world.channel(int(current["channel_id"])),
            label=f"select {custom_id!r}",
            message=copy.deepcopy(current),
        )

    async def submit_modal(
        self,
        opened_by: InteractionHandle,
        values: Mapping[str, str],
        *,
        user: UserRef | None = None,
    ) -> InteractionHandle:
        """Fill in and submit the modal the bot opened in answer to ``opened_by``."""
        modal = opened_by.modal
        if modal is None:
            raise AssertionError(f"{opened_by.label} did not open a modal")

        def fill(comp: Payload) -> Payload:
            if comp.get("type") == 4:
                return {
                    "type": 4,
                    "id": comp.get("id", 0),
                    "custom_id": comp["custom_id"],
                    "value": str(values.get(comp["custom_id"], comp.get("value") or "")),
                }
            if comp.get("type") == 18 and isinstance(comp.get("component"), dict):
                return {"type": 18, "id": comp.get("id", 0), "component": fill(comp["component"])}
            return {
                "type": comp.get("type"),
                "id": comp.get("id", 0),
                "components": [fill(c) for c in comp.get("components") or []],
            }

        data = {
            "custom_id": modal["custom_id"],
            "components": [fill(c) for c in modal["components"]],
        }
        return await self._start_interaction(
            MODAL_SUBMIT,
            data,
            user=self.world.user(user or opened_by.user),
            channel=opened_by.channel,
            label=f"modal {modal['custom_id']!r}",
            message=opened_by.payload.get("message"),
        )
