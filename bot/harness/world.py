"""The fake's state: the bot, users, guilds, channels, messages and commands.

Nothing here talks to the network; the gateway and REST modules read and change it.
"""

from __future__ import annotations

import secrets

from bot.harness.commands import CommandRegistry
from bot.harness.models import (
    DM,
    GUILD_TEXT,
    PUBLIC_THREAD,
    Channel,
    Guild,
    Member,
    Payload,
    Role,
    SnowflakeFactory,
    User,
    iso_now,
)
from bot.harness.permissions import ALL_PERMISSIONS, BOT_DEFAULT, EVERYONE_DEFAULT
from bot.harness.validation import ROLE_MENTION, USER_MENTION

UserRef = User | int
ChannelRef = Channel | int
GuildRef = Guild | int


class World:
    def __init__(self, *, bot_name: str = "QA Bot", application_flags: int = 0) -> None:
        self.new_id = SnowflakeFactory()
        self.application_id = self.new_id()
        self.bot = User(id=self.application_id, username=bot_name, bot=True)
        self.application_flags = application_flags
        self.public_key = secrets.token_hex(32)
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Payload] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.attachment_data: dict[int, bytes] = {}
        self.commands = CommandRegistry(self.new_id, self.application_id)

    # -- look-ups -------------------------------------------------------------------

    def user(self, ref: UserRef) -> User:
        uid = ref.id if isinstance(ref, User) else int(ref)
        try:
            return self.users[uid]
        except KeyError:
            raise AssertionError(f"unknown user {uid}; create it with add_user()") from None

    def channel(self, ref: ChannelRef) -> Channel:
        cid = ref.id if isinstance(ref, Channel) else int(ref)
        try:
            return self.channels[cid]
        except KeyError:
            raise AssertionError(f"unknown channel {cid}") from None

    def guild(self, ref: GuildRef) -> Guild:
        gid = ref.id if isinstance(ref, Guild) else int(ref)
        try:
            return self.guilds[gid]
        except KeyError:
            raise AssertionError(f"unknown guild {gid}") from None

    def guild_of(self, channel: Channel) -> Guild | None:
        return None if channel.guild_id is None else self.guilds.get(channel.guild_id)

    def bot_permissions(self, channel: Channel) -> int:
        guild = self.guild_of(channel)
        return ALL_PERMISSIONS if guild is None else guild.permissions_of(self.bot.id)

    # -- creation -------------------------------------------------------------------

    def add_user(self, username: str, *, global_name: str | None = None, bot: bool = False) -> User:
        user = User(id=self.new_id(), username=username, global_name=global_name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        owner: User | None,
        bot_permissions: int = BOT_DEFAULT,
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        gid = self.new_id() if shard is None else self.new_id.on_shard(*shard)
        owner = owner or self.add_user(f"{name.lower().replace(' ', '-')}-owner")
        guild = Guild(id=gid, name=name, owner_id=owner.id)
        guild.roles[gid] = Role(
            id=gid, guild_id=gid, name="@everyone", permissions=EVERYONE_DEFAULT
        )
        bot_role = self.add_role(guild, self.bot.username, bot_permissions, managed=True)
        bot_role.bot_id = self.bot.id
        self.guilds[gid] = guild
        guild.members[self.bot.id] = Member(self.bot, gid, [bot_role.id])
        guild.members[owner.id] = Member(owner, gid, [])
        return guild

    def add_role(
        self,
        guild: Guild,
        name: str,
        permissions: int,
        *,
        managed: bool = False,
        mentionable: bool = False,
    ) -> Role:
        role = Role(
            id=self.new_id(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            managed=managed,
            mentionable=mentionable,
        )
        guild.roles[role.id] = role
        return role

    def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        ctype: int = GUILD_TEXT,
        parent: Channel | None = None,
        channel_id: int | None = None,
        owner_id: int | None = None,
    ) -> Channel:
        channel = Channel(
            id=channel_id or self.new_id(),
            type=ctype,
            name=name,
            guild_id=guild.id,
            parent_id=None if parent is None else parent.id,
            position=len(guild.channels),
            owner_id=owner_id,
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_member(self, guild: Guild, user: User, role_ids: list[int]) -> Member:
        member = guild.members.get(user.id)
        if member is None:
            member = guild.members[user.id] = Member(user, guild.id, list(role_ids))
        else:
            member.role_ids.extend(r for r in role_ids if r not in member.role_ids)
        return member

    def dm_channel(self, user: User) -> Channel:
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(id=self.new_id(), type=DM, recipient=user)
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    def add_thread(
        self, parent: Channel, name: str, *, thread_id: int | None, ctype: int = PUBLIC_THREAD
    ) -> Channel:
        guild = self.guild_of(parent)
        assert guild is not None
        return self.add_channel(
            guild, name, ctype=ctype, parent=parent, channel_id=thread_id, owner_id=self.bot.id
        )

    # -- payloads -------------------------------------------------------------------

    def member_payload(self, guild: Guild, user: User) -> Payload:
        """A member with ``user`` and computed ``permissions``, as interactions carry it."""
        member = guild.members.get(user.id)
        if member is None:
            raise AssertionError(f"user {user.username!r} is not a member of guild {guild.name!r}")
        return member.payload(permissions=guild.permissions_of(user.id))

    def _mention_entries(self, guild: Guild | None, user_ids: list[int]) -> list[Payload]:
        entries = []
        for uid in user_ids:
            user = self.users.get(uid)
            if user is None:
                continue
            entry = user.payload()
            if guild is not None and uid in guild.members:
                entry["member"] = guild.members[uid].payload(with_user=False)
            entries.append(entry)
        return entries

    def new_message(
        self,
        channel: Channel,
        author: User,
        content: str,
        *,
        mentioned_user_ids: list[int] | None = None,
        mentioned_role_ids: list[int] | None = None,
        mention_everyone: bool = False,
        mtype: int = 0,
        extra: Payload | None = None,
    ) -> Payload:
        """Build, store and return a message payload (not dispatched)."""
        guild = self.guild_of(channel)
        if mentioned_user_ids is None:
            mentioned_user_ids = list(dict.fromkeys(int(u) for u in USER_MENTION.findall(content)))
        if mentioned_role_ids is None:
            mentioned_role_ids = list(dict.fromkeys(int(r) for r in ROLE_MENTION.findall(content)))
        message: Payload = {
            "id": str(self.new_id()),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": mention_everyone,
            "mentions": self._mention_entries(guild, mentioned_user_ids),
            "mention_roles": [str(r) for r in mentioned_role_ids],
            "attachments": [],
            "embeds": [],
            "components": [],
            "reactions": [],
            "pinned": False,
            "type": mtype,
            "flags": 0,
        }
        if guild is not None:
            message["guild_id"] = str(guild.id)
            if author.id in guild.members:
                message["member"] = guild.members[author.id].payload(with_user=False)
        if extra:
            message.update(extra)
        self.messages[int(message["id"])] = message
        channel.last_message_id = int(message["id"])
        channel.message_count += 1
        return message

    def message(self, ref: Payload | int | str) -> Payload:
        mid = int(ref["id"]) if isinstance(ref, dict) else int(ref)
        try:
            return self.messages[mid]
        except KeyError:
            raise AssertionError(f"unknown message {mid}") from None

    def application_payload(self) -> Payload:
        owner = self.bot.payload()
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "Fake application for tests",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": self.public_key,
            "flags": self.application_flags,
            "owner": owner,
            "team": None,
            "bot": self.bot.payload(),
            "rpc_origins": [],
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "interactions_endpoint_url": None,
            "tags": [],
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
        }


def strip_content(message: Payload) -> Payload:
    """The message as a bot without the Message Content intent receives it."""
    stripped = dict(message, content="", embeds=[], attachments=[], components=[])
    stripped.pop("poll", None)
    return stripped


def content_visible(message: Payload, *, bot_id: int, content_intent: bool) -> bool:
    """Content comes with the intent, in DMs, or when the bot wrote it or is mentioned."""
    if content_intent or "guild_id" not in message:
        return True
    if int(message["author"]["id"]) == bot_id:
        return True
    return any(int(m["id"]) == bot_id for m in message.get("mentions", []))


def as_seen_by_bot(message: Payload, *, bot_id: int, content_intent: bool) -> Payload:
    """Apply the Message Content rule to a message and the message it replies to."""
    seen = (
        message
        if content_visible(message, bot_id=bot_id, content_intent=content_intent)
        else strip_content(message)
    )
    ref = message.get("referenced_message")
    if isinstance(ref, dict):
        seen = dict(
            seen,
            referenced_message=as_seen_by_bot(ref, bot_id=bot_id, content_intent=content_intent),
        )
    return seen
