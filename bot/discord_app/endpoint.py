"""Point discord.py at another Discord endpoint — for tests only.

The bot calls ``apply_discord_endpoint(os.environ.get("QABOT_DISCORD_ENDPOINT"))`` at
start-up.  ``QABOT_DISCORD_ENDPOINT`` is a test-only setting: it sends every REST call
and the gateway connection to a fake Discord such as :class:`bot.harness.FakeDiscord`
(e.g. ``http://127.0.0.1:8123``).  Unset, nothing changes and discord.py talks to Discord.

discord.py builds REST URLs from ``discord.http.Route.BASE`` (webhooks and interaction
responses too), connects a non-sharded client to ``DiscordWebSocket.DEFAULT_GATEWAY``
(also where it goes after an INVALID_SESSION), and resumes at the ``resume_gateway_url``
that READY carries, which the fake points back at itself.  Sharded clients ask
``GET /gateway/bot``, which the fake also answers.
"""

from __future__ import annotations

import warnings

import yarl


def apply_discord_endpoint(url: str | None) -> None:
    """Send discord.py's REST and gateway traffic to ``url`` (``http(s)://host:port``)."""
    if url is None or not url.strip():
        return
    base = yarl.URL(url.strip())
    if base.scheme not in ("http", "https") or not base.host:
        raise ValueError(
            f"QABOT_DISCORD_ENDPOINT must look like http://127.0.0.1:PORT, got {url!r}"
        )
    if base.path not in ("", "/") or base.query_string:
        raise ValueError(f"QABOT_DISCORD_ENDPOINT must not have a path or query, got {url!r}")
    with warnings.catch_warnings():
        # discord.py imports the stdlib audioop module, deprecated since Python 3.11.
        warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
        import discord.gateway
        import discord.http

    origin = base.origin()
    discord.http.Route.BASE = f"{origin}/api/v10"
    ws_scheme = "wss" if base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = origin.with_scheme(ws_scheme).with_path("/")
