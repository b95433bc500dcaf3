"""The fake REST API under ``/api/v10``: request log, auth, failure injection, unknown
routes, and the core routes (gateway, users, application, commands, guilds).

Channel/message routes live in :mod:`bot.harness.rest_messages`, interaction routes in
:mod:`bot.harness.rest_interactions`.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.harness import rest_interactions, rest_messages
from bot.harness.commands import validate_command, validate_command_list
from bot.harness.responses import BadBody, error, form_errors, json_response, no_content, read_body

if TYPE_CHECKING:
    from bot.harness.fake_discord import FakeDiscord

API_PREFIX = "/api/v10"
TOKEN_ROUTES = re.compile(r"^/(interactions/\d+/[^/]+/callback|webhooks/\d+/[^/]+(/.*)?)$")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RequestRecord:
    """One REST request the bot made (``path`` without the ``/api/v10`` prefix)."""

    method: str
    path: str
    at: float
    status: int | None = None


@dataclass
class FailureRule:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float | None


@dataclass
class InjectedFailure:
    method: str
    path: str
    status: int
    at: float


def failure_response(rule: FailureRule) -> web.Response:
    """A 429 discord.py will wait out and retry (it needs ``Via`` and ``retry_after``), or a 5xx."""
    if rule.status != 429:
        return error(rule.status, 0, f"{rule.status}: injected server error")
    wait = 0.05 if rule.retry_after is None else rule.retry_after
    headers = {
        "Retry-After": str(max(1, math.ceil(wait))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + wait:.3f}",
        "X-RateLimit-Reset-After": f"{wait:.3f}",
        "X-RateLimit-Scope": "user",
        "Via": "1.1 google",
    }
    body = {
        "message": "You are being rate limited.",
        "retry_after": wait,
        "global": False,
        "code": 0,
    }
    return json_response(body, 429, headers)


def make_middleware(
    fake: FakeDiscord,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        path = request.path[len(API_PREFIX) :]
        record = RequestRecord(request.method, path, time.monotonic())
        fake.requests.append(record)
        response = await _respond(fake, request, handler, path)
        record.status = response.status
        fake._notify()
        return response

    return middleware


async def _respond(
    fake: FakeDiscord, request: web.Request, handler: Handler, path: str
) -> web.StreamResponse:
    where = f"{request.method} {path}"
    if request.match_info.http_exception is not None:
        fake.record_violation(f"{where}: unknown route (the fake does not implement it)")
        return error(404, 0, "404: Not Found")
    needs_auth = path not in ("/gateway",) and not TOKEN_ROUTES.match(path)
    if needs_auth and request.headers.get("Authorization") != f"Bot {fake.token}":
        return error(401, 0, "401: Unauthorized")
    rule = fake._take_failure(request.method, path)
    if rule is not None:
        return failure_response(rule)
    try:
        return await handler(request)
    except BadBody as exc:
        fake.record_violation(f"{where}: {exc}")
        return error(400, 50109, str(exc))


class CoreRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def register(self, router: web.UrlDispatcher) -> None:
        p = API_PREFIX
        router.add_get(p + "/gateway", self.gateway)
        router.add_get(p + "/gateway/bot", self.gateway_bot)
        router.add_get(p + "/users/@me", self.me)
        router.add_get(p + r"/users/{user_id:\d+}", self.user)
        router.add_get(p + "/applications/@me", self.application)
        router.add_get(p + "/oauth2/applications/@me", self.application)
        for scope in ("", r"/guilds/{guild_id:\d+}"):
            base = p + r"/applications/{app_id:\d+}" + scope + "/commands"
            router.add_get(base, self.list_commands)
            router.add_put(base, self.overwrite_commands)
            router.add_post(base, self.upsert_command)
            router.add_get(base + r"/{command_id:\d+}", self.get_command)
            router.add_patch(base + r"/{command_id:\d+}", self.edit_command)
            router.add_delete(base + r"/{command_id:\d+}", self.delete_command)
        router.add_get(p + r"/guilds/{guild_id:\d+}", self.guild)
        router.add_get(p + r"/guilds/{guild_id:\d+}/channels", self.guild_channels)
        router.add_get(p + r"/guilds/{guild_id:\d+}/roles", self.guild_roles)
        router.add_get(p + r"/guilds/{guild_id:\d+}/members/{user_id:\d+}", self.guild_member)
        router.add_get(
            r"/attachments/{channel_id:\d+}/{attachment_id:\d+}/{filename}", self.attachment
        )

    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.fake.gateway_url})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response(
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.recommended_shards,
                "session_start_limit": limit,
            }
        )

    async def me(self, request: web.Request) -> web.Response:
        data = dict(
            self.world.bot.payload(), verified=True, mfa_enabled=False, email=None, locale="en-US"
        )
        return json_response(data)

    async def user(self, request: web.Request) -> web.Response:
        user = self.world.users.get(int(request.match_info["user_id"]))
        if user is None:
            return error(404, 10013, "Unknown User")
        return json_response(user.payload())

    async def application(self, request: web.Request) -> web.Response:
        return json_response(self.world.application_payload())

    # -- application commands ----------------------------------------------------------

    def _scope(self, request: web.Request) -> tuple[int | None, web.Response | None]:
        if int(request.match_info["app_id"]) != self.world.application_id:
            return None, error(403, 50001, "Missing Access")
        gid = request.match_info.get("guild_id")
        if gid is not None and int(gid) not in self.world.guilds:
            return None, error(403, 50001, "Missing Access")
        return (None if gid is None else int(gid)), None

    async def list_commands(self, request: web.Request) -> web.Response:
        guild_id, refused = self._scope(request)
        return refused or json_response(self.world.commands.list(guild_id))

    async def overwrite_commands(self, request: web.Request) -> web.Response:
        guild_id, refused = self._scope(request)
        if refused:
            return refused
        body, _ = await read_body(request)
        errors = validate_command_list(body)
        if errors:
            for err in errors:
                self.fake.record_violation(f"PUT commands: {err}")
            return form_errors(errors)
        return json_response(self.world.commands.overwrite(body, guild_id))

    async def upsert_command(self, request: web.Request) -> web.Response:
        guild_id, refused = self._scope(request)
        if refused:
            return refused
        body, _ = await read_body(request)
        errors = validate_command(body)
        if errors:
            for err in errors:
                self.fake.record_violation(f"POST command: {err}")
            return form_errors(errors)
        return json_response(self.world.commands.upsert(body, guild_id), 201)

    def _find(self, request: web.Request) -> tuple[int | None, dict | None, web.Response | None]:
        guild_id, refused = self._scope(request)
        if refused:
            return None, None, refused
        cid = request.match_info["command_id"]
        cmd = next((c for c in self.world.commands.list(guild_id) if c["id"] == cid), None)
        return guild_id, cmd, None if cmd else error(404, 10063, "Unknown application command")

    async def get_command(self, request: web.Request) -> web.Response:
        _, cmd, refused = self._find(request)
        return refused or json_response(cmd)

    async def edit_command(self, request: web.Request) -> web.Response:
        guild_id, cmd, refused = self._find(request)
        if refused or cmd is None:
            return refused or error(404, 10063, "Unknown application command")
        body, _ = await read_body(request)
        merged = {k: v for k, v in cmd.items() if k not in ("id", "application_id", "version")}
        merged.update(body)
        errors = validate_command(merged)
        if errors:
            for err in errors:
                self.fake.record_violation(f"PATCH command: {err}")
            return form_errors(errors)
        return json_response(self.world.commands.upsert(merged, guild_id))

    async def delete_command(self, request: web.Request) -> web.Response:
        guild_id, cmd, refused = self._find(request)
        if refused:
            return refused
        commands = self.world.commands.list(guild_id)
        commands[:] = [c for c in commands if c is not cmd]
        return no_content()

    # -- guilds --------------------------------------------------------------------------

    async def guild(self, request: web.Request) -> web.Response:
        guild = self.world.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        data = guild.create_payload(member_ids=[])
        for key in ("channels", "threads", "members", "voice_states", "presences"):
            data.pop(key, None)
        return json_response(data)

    async def guild_channels(self, request: web.Request) -> web.Response:
        guild = self.world.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        return json_response([c.payload() for c in guild.channels.values() if not c.is_thread])

    async def guild_roles(self, request: web.Request) -> web.Response:
        guild = self.world.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        return json_response([r.payload() for r in guild.roles.values()])

    async def guild_member(self, request: web.Request) -> web.Response:
        guild = self.world.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        member = guild.members.get(int(request.match_info["user_id"]))
        if member is None:
            return error(404, 10007, "Unknown Member")
        return json_response(member.payload())

    async def attachment(self, request: web.Request) -> web.Response:
        data = self.world.attachment_data.get(int(request.match_info["attachment_id"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")


def build_app(fake: FakeDiscord) -> web.Application:
    app = web.Application(middlewares=[make_middleware(fake)])
    CoreRoutes(fake).register(app.router)
    rest_messages.MessageRoutes(fake).register(app.router, API_PREFIX)
    rest_interactions.InteractionRoutes(fake).register(app.router, API_PREFIX)
    app.router.add_get("/", fake.gateway.handle)
    app.router.add_get("/resume", fake.gateway.handle)
    return app
