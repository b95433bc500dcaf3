"""Discord permission bits and gateway intent bits used by the fake.

Names follow discord.py's ``Permissions`` attribute names so a test can write
``permissions=["manage_guild"]`` or pass ``discord.Permissions(...).value``.
"""

from __future__ import annotations

from collections.abc import Iterable

PERMISSION_BITS: dict[str, int] = {
    "create_instant_invite": 0,
    "kick_members": 1,
    "ban_members": 2,
    "administrator": 3,
    "manage_channels": 4,
    "manage_guild": 5,
    "add_reactions": 6,
    "view_audit_log": 7,
    "priority_speaker": 8,
    "stream": 9,
    "view_channel": 10,
    "send_messages": 11,
    "send_tts_messages": 12,
    "manage_messages": 13,
    "embed_links": 14,
    "attach_files": 15,
    "read_message_history": 16,
    "mention_everyone": 17,
    "use_external_emojis": 18,
    "view_guild_insights": 19,
    "connect": 20,
    "speak": 21,
    "mute_members": 22,
    "deafen_members": 23,
    "move_members": 24,
    "use_voice_activation": 25,
    "change_nickname": 26,
    "manage_nicknames": 27,
    "manage_roles": 28,
    "manage_webhooks": 29,
    "manage_expressions": 30,
    "use_application_commands": 31,
    "request_to_speak": 32,
    "manage_events": 33,
    "manage_threads": 34,
    "create_public_threads": 35,
    "create_private_threads": 36,
    "use_external_stickers": 37,
    "send_messages_in_threads": 38,
    "use_embedded_activities": 39,
    "moderate_members": 40,
    "view_creator_monetization_analytics": 41,
    "use_soundboard": 42,
    "create_expressions": 43,
    "create_events": 44,
    "use_external_sounds": 45,
    "send_voice_messages": 46,
    "send_polls": 49,
    "use_external_apps": 50,
}

ALL_PERMISSIONS = sum(1 << bit for bit in PERMISSION_BITS.values())
ADMINISTRATOR = 1 << PERMISSION_BITS["administrator"]
MANAGE_GUILD = 1 << PERMISSION_BITS["manage_guild"]
MANAGE_MESSAGES = 1 << PERMISSION_BITS["manage_messages"]
VIEW_CHANNEL = 1 << PERMISSION_BITS["view_channel"]
SEND_MESSAGES = 1 << PERMISSION_BITS["send_messages"]
SEND_MESSAGES_IN_THREADS = 1 << PERMISSION_BITS["send_messages_in_threads"]
CREATE_PUBLIC_THREADS = 1 << PERMISSION_BITS["create_public_threads"]


def permission_value(permissions: int | Iterable[str] | None) -> int:
    """Turn an int or a list of discord.py permission names into a bit field."""
    if permissions is None:
        return 0
    if isinstance(permissions, int):
        return permissions
    value = 0
    for name in permissions:
        try:
            value |= 1 << PERMISSION_BITS[name]
        except KeyError:
            raise ValueError(f"unknown permission name {name!r}") from None
    return value


def _bits(*names: str) -> int:
    return permission_value(names)


# What a fresh guild's @everyone role gets on Discord (roughly).
EVERYONE_DEFAULT = _bits(
    "create_instant_invite",
    "add_reactions",
    "stream",
    "view_channel",
    "send_messages",
    "embed_links",
    "attach_files",
    "read_message_history",
    "mention_everyone",
    "use_external_emojis",
    "connect",
    "speak",
    "use_voice_activation",
    "change_nickname",
    "use_application_commands",
    "request_to_speak",
    "create_public_threads",
    "create_private_threads",
    "use_external_stickers",
    "send_messages_in_threads",
    "use_embedded_activities",
    "send_voice_messages",
    "send_polls",
)

# What the bot's managed role gets unless a test says otherwise.
BOT_DEFAULT = _bits(
    "view_channel",
    "send_messages",
    "send_messages_in_threads",
    "create_public_threads",
    "embed_links",
    "attach_files",
    "read_message_history",
    "add_reactions",
    "use_external_emojis",
    "use_application_commands",
)

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

PRIVILEGED_INTENTS: dict[str, int] = {
    "members": INTENT_GUILD_MEMBERS,
    "presences": INTENT_GUILD_PRESENCES,
    "message_content": INTENT_MESSAGE_CONTENT,
}

# Application flags that say a privileged intent is enabled in the developer portal.
APPLICATION_INTENT_FLAGS: dict[str, int] = {
    "presences": 1 << 12,
    "members": 1 << 14,
    "message_content": 1 << 18,
}
