"""A local test harness: a fake Discord (REST + gateway) that a discord.py bot can run against.

See :mod:`bot.harness.fake_discord` for the test-side API and ``python -m bot.harness``
for an interactive session with a real bot process.
"""

from bot.harness.fake_discord import FakeDiscord
from bot.harness.gateway import ConnectionRecord, Heartbeat
from bot.harness.interactions import InteractionHandle
from bot.harness.models import Channel, Guild, Member, Role, User
from bot.harness.render import render_message

__all__ = [
    "Channel",
    "ConnectionRecord",
    "FakeDiscord",
    "Guild",
    "Heartbeat",
    "InteractionHandle",
    "Member",
    "Role",
    "User",
    "render_message",
]
