"""Interactions a test starts (slash commands, context menus, clicks, autocomplete, modals)
and :class:`InteractionHandle`, which records how the bot answered one.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from bot.harness.models import Channel, Guild, User
from bot.harness.render import render_message
from bot.harness.validation import FLAG_EPHEMERAL, FLAG_LOADING

if TYPE_CHECKING:
    from bot.harness.fake_discord import FakeDiscord

Payload = dict[str, Any]

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Initial callback types each interaction type accepts.
ALLOWED_CALLBACKS: dict[int, tuple[int, ...]] = {
    PING: (1,),
    APPLICATION_COMMAND: (4, 5, 9, 12),
    MESSAGE_COMPONENT: (4, 5, 6, 7, 9, 12),
    AUTOCOMPLETE: (8,),
    MODAL_SUBMIT: (4, 5, 6, 7),
}
CALLBACK_NAMES = {
    1: "PONG",
    4: "CHANNEL_MESSAGE_WITH_SOURCE",
    5: "DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE",
    6: "DEFERRED_UPDATE_MESSAGE",
    7: "UPDATE_MESSAGE",
    8: "APPLICATION_COMMAND_AUTOCOMPLETE_RESULT",
    9: "MODAL",
    12: "LAUNCH_ACTIVITY",
}


class InteractionHandle:
    """What the bot did with one interaction.

    ``response`` is the accepted initial callback (``{"type", "data", "elapsed"}``),
    ``callbacks`` every attempt (including refused ones), ``original`` the
    ``@original`` message, ``followups`` the followup messages, ``rendered`` the latest
    message a user would read as the answer, ``choices`` the autocomplete result and
    ``modal`` the modal the bot opened.
    """

    def __init__(
        self,
        fake: FakeDiscord,
        payload: Payload,
        *,
        user: User,
        channel: Channel,
        guild: Guild | None,
        label: str,
    ) -> None:
        self.fake = fake
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user = user
        self.channel = channel
        self.guild = guild
        self.label = label
        self.created_at = time.monotonic()
        self.callbacks: list[Payload] = []
        self.response: Payload | None = None
        self.original: Payload | None = None
        self.followups: list[Payload] = []
        self.rendered: Payload | None = None
        self.choices: list[Payload] | None = None
        self.modal: Payload | None = None
        self.original_deleted = False

    def __repr__(self) -> str:
        state = (
            "unanswered"
            if self.response is None
            else CALLBACK_NAMES.get(self.response["type"], "?")
        )
        return f"<InteractionHandle {self.label} id={self.id} {state}>"

    @property
    def message_id(self) -> int | None:
        """The message a component interaction came from."""
        message = self.payload.get("message")
        return None if message is None else int(message["id"])

    @property
    def deferred(self) -> bool:
        return self.response is not None and self.response["type"] in (5, 6)

    @property
    def ephemeral(self) -> bool:
        message = self.rendered or self.original
        return message is not None and bool(message["flags"] & FLAG_EPHEMERAL)

    def elapsed(self) -> float:
        return time.monotonic() - self.created_at

    def describe(self) -> str:
        lines = [repr(self)]
        for attempt in self.callbacks:
            lines.append(
                f"  callback type {attempt['type']} after {attempt['elapsed']:.2f}s: "
                f"{attempt['status']}"
            )
        if self.original is not None:
            lines.append("  @original: " + render_message(self.original).replace("\n", "\n    "))
        for followup in self.followups:
            lines.append("  followup: " + render_message(followup).replace("\n", "\n    "))
        return "\n".join(lines)

    async def wait_response(self, timeout: float = 5.0) -> Payload:
        """The accepted initial callback: ``{"type": int, "data": dict, "elapsed": float}``."""
        return await self.fake.wait_until(
            lambda: self.response,
            timeout=timeout,
            what=f"an initial response to {self.label}",
            extra=self.describe,
        )

    async def wait_message(self, timeout: float = 5.0) -> Payload:
        """The message the user ends up reading: the type 4/7 message, or after a
        deferral the ``@original`` edit or the latest followup."""

        def done() -> Payload | None:
            message = self.rendered
            if message is None or message["flags"] & FLAG_LOADING:
                return None
            return message

        return await self.fake.wait_until(
            done, timeout=timeout, what=f"the answer to {self.label}", extra=self.describe
        )

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Payload]:
        return await self.fake.wait_until(
            lambda: self.followups if len(self.followups) >= count else None,
            timeout=timeout,
            what=f"{count} followup(s) to {self.label}",
            extra=self.describe,
        )


def new_token() -> str:
    return "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)


def interaction_payload(
    fake: FakeDiscord,
    itype: int,
    data: Payload | None,
    *,
    user: User,
    channel: Channel,
    message: Payload | None = None,
) -> Payload:
    """An INTERACTION_CREATE payload as discord.py 2.7 reads it."""
    world = fake.world
    guild = world.guild_of(channel)
    channel_data = channel.payload()
    payload: Payload = {
        "id": str(world.new_id()),
        "application_id": str(world.application_id),
        "type": itype,
        "token": new_token(),
        "version": 1,
        "locale": "en-US",
        "channel_id": str(channel.id),
        "app_permissions": str(world.bot_permissions(channel)),
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "context": 1 if guild is None else 0,
        "authorizing_integration_owners": {"0": str(guild.id if guild else 0)},
    }
    if data is not None:
        payload["data"] = data
    if guild is not None:
        member = world.member_payload(guild, user)
        channel_data["permissions"] = member["permissions"]
        payload.update(
            guild_id=str(guild.id),
            guild_locale="en-US",
            member=member,
            guild={"id": str(guild.id), "locale": "en-US", "features": []},
        )
    else:
        if channel.recipient is not None and channel.recipient.id != user.id:
            raise AssertionError(
                f"{user.username!r} cannot use the DM channel of {channel.recipient.username!r}"
            )
        payload["user"] = user.payload()
    payload["channel"] = channel_data
    if message is not None:
        payload["message"] = message
    return payload


def resolved_for(fake: FakeDiscord, options: list[Payload], guild: Guild | None) -> Payload:
    """The ``resolved`` map for user/channel/role options, as Discord sends it."""
    resolved: Payload = {}
    world = fake.world

    def walk(items: list[Payload]) -> None:
        for opt in items:
            walk(opt.get("options") or [])
            if opt.get("focused") or opt["type"] not in (6, 7, 8, 9):
                continue
            ident = int(opt["value"])
            if ident in world.users and opt["type"] in (6, 9):
                resolved.setdefault("users", {})[str(ident)] = world.users[ident].payload()
                if guild is not None and ident in guild.members:
                    member = guild.members[ident].payload(
                        with_user=False, permissions=guild.permissions_of(ident)
                    )
                    resolved.setdefault("members", {})[str(ident)] = member
            elif guild is not None and ident in guild.roles and opt["type"] in (8, 9):
                resolved.setdefault("roles", {})[str(ident)] = guild.roles[ident].payload()
            elif ident in world.channels and opt["type"] == 7:
                data = world.channels[ident].payload()
                data["permissions"] = str(guild.permissions_of(world.bot.id) if guild else 0)
                resolved.setdefault("channels", {})[str(ident)] = data
            else:
                raise AssertionError(f"option {opt['name']!r}: nothing known has id {ident}")

    walk(options)
    return resolved


def message_interaction_fields(
    fake: FakeDiscord, handle: InteractionHandle, name: str | None
) -> Payload:
    """What Discord adds to a message created by an interaction response."""
    app = str(fake.world.application_id)
    metadata: Payload = {
        "id": str(handle.id),
        "type": handle.type,
        "user": handle.user.payload(),
        "authorizing_integration_owners": handle.payload["authorizing_integration_owners"],
    }
    if handle.message_id is not None:
        metadata["interacted_message_id"] = str(handle.message_id)
    fields: Payload = {"webhook_id": app, "application_id": app, "interaction_metadata": metadata}
    if name is not None:
        fields["interaction"] = {
            "id": str(handle.id),
            "type": handle.type,
            "name": name,
            "user": handle.user.payload(),
        }
    return fields
