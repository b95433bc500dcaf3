"""Interaction routes: the initial callback and the webhook (followups, ``@original``).

Discord's rules enforced here: one initial callback per interaction, within the
deadline; the callback type must fit the interaction type; a deferral carries only the
EPHEMERAL flag; followups and ``@original`` need an acknowledged interaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.harness import bot_messages
from bot.harness.commands import validate_choices
from bot.harness.interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    CALLBACK_NAMES,
    InteractionHandle,
    message_interaction_fields,
)
from bot.harness.responses import error, form_errors, json_response, no_content, read_body
from bot.harness.validation import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTERACTION_MESSAGE_FLAGS,
    FormError,
)

if TYPE_CHECKING:
    from bot.harness.fake_discord import FakeDiscord

Payload = dict[str, Any]
TOKEN_LIFETIME = 15 * 60


def _short(token: str) -> str:
    return token[:12] + "..."


class InteractionRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def register(self, router: web.UrlDispatcher, prefix: str) -> None:
        router.add_post(
            prefix + r"/interactions/{interaction_id:\d+}/{token}/callback", self.callback
        )
        hook = prefix + r"/webhooks/{app_id:\d+}/{token}"
        router.add_post(hook, self.followup)
        router.add_get(hook + "/messages/{message_id}", self.get_message)
        router.add_patch(hook + "/messages/{message_id}", self.edit_message)
        router.add_delete(hook + "/messages/{message_id}", self.delete_message)

    def _violation(self, where: str, text: str) -> None:
        self.fake.record_violation(f"{where}: {text}")

    # -- initial callback --------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        iid = int(request.match_info["interaction_id"])
        where = f"POST /interactions/{iid}/callback"
        handle = self.fake.interactions.get(iid)
        if handle is None or handle.token != request.match_info["token"]:
            self._violation(where, "unknown interaction id or token")
            return error(404, 10062, "Unknown interaction")
        body, files = await read_body(request)
        ctype = body.get("type")
        data = body.get("data") or {}
        attempt: Payload = {
            "type": ctype,
            "data": data,
            "elapsed": handle.elapsed(),
            "status": "accepted",
        }
        handle.callbacks.append(attempt)
        refused = self._refusal(handle, attempt, where)
        if refused is None:
            refused = await self._apply(handle, ctype, data, files, where)
        if isinstance(refused, web.Response):
            attempt["status"] = f"refused with {refused.status}"
            self.fake._notify()
            return refused
        handle.response = attempt
        self.fake._notify()
        return json_response(self._callback_body(handle, ctype))

    def _refusal(
        self, handle: InteractionHandle, attempt: Payload, where: str
    ) -> web.Response | None:
        ctype = attempt["type"]
        if handle.response is not None:
            first = CALLBACK_NAMES.get(handle.response["type"], handle.response["type"])
            self._violation(
                where,
                f"second initial response (type {ctype}) to {handle.label}: it was "
                f"already acknowledged with {first}; use a followup or edit @original",
            )
            return error(400, 40060, "Interaction has already been acknowledged.")
        if attempt["elapsed"] > self.fake.interaction_deadline:
            self._violation(
                where,
                f"initial response to {handle.label} came {attempt['elapsed']:.2f}s after the "
                f"interaction (deadline {self.fake.interaction_deadline}s); defer first",
            )
            return error(404, 10062, "Unknown interaction")
        if ctype not in ALLOWED_CALLBACKS.get(handle.type, ()):
            self._violation(
                where, f"callback type {ctype!r} is not valid for interaction type {handle.type}"
            )
            return form_errors(
                [
                    FormError(
                        ("type",),
                        "INTERACTION_RESPONSE_TYPE_INVALID",
                        f"Interaction response type {ctype!r} is invalid here",
                    )
                ]
            )
        return None

    async def _apply(
        self, handle: InteractionHandle, ctype: int, data: Payload, files: list, where: str
    ) -> web.Response | None:
        channel = handle.channel
        if ctype == 4:
            draft = bot_messages.make_draft(
                self.fake,
                data,
                files,
                where=where,
                channel_id=channel.id,
                allowed_flags=INTERACTION_MESSAGE_FLAGS,
            )
            if isinstance(draft, web.Response):
                return draft
            mtype = 0
            if handle.type == APPLICATION_COMMAND:
                mtype = 20 if handle.payload["data"].get("type", 1) == 1 else 23
            extra = message_interaction_fields(
                self.fake, handle, handle.payload.get("data", {}).get("name")
            )
            handle.original = handle.rendered = await bot_messages.create(
                self.fake, channel, draft, mtype=mtype, extra=extra
            )
        elif ctype == 5:
            flags = data.get("flags") or 0
            if not isinstance(flags, int) or flags & ~FLAG_EPHEMERAL:
                self._violation(
                    where,
                    f"a deferred response may only carry the EPHEMERAL flag, got flags={flags!r}",
                )
                return form_errors(
                    [FormError(("data", "flags"), "MESSAGE_FLAGS_INVALID", "Invalid flags")]
                )
            extra = message_interaction_fields(
                self.fake, handle, handle.payload.get("data", {}).get("name")
            )
            handle.original = await bot_messages.create_placeholder(
                self.fake, channel, ephemeral=bool(flags & FLAG_EPHEMERAL), extra=extra
            )
        elif ctype in (6, 7):
            message = self.world.messages.get(handle.message_id or 0)
            if message is None:
                self._violation(where, "update response to an interaction that has no message")
                return error(400, 50035, "Invalid Form Body")
            handle.original = message
            if ctype == 7:
                draft = bot_messages.make_draft(
                    self.fake,
                    data,
                    files,
                    where=where,
                    channel_id=channel.id,
                    allowed_flags=INTERACTION_MESSAGE_FLAGS,
                    base=message,
                )
                if isinstance(draft, web.Response):
                    return draft
                handle.rendered = await bot_messages.edit(self.fake, message, draft)
        elif ctype == 8:
            errors = validate_choices(data.get("choices"), ("data", "choices"))
            if errors:
                for err in errors:
                    self._violation(where, str(err))
                return form_errors(errors)
            handle.choices = data["choices"]
        elif ctype == 9:
            return self._modal(handle, data, where)
        return None

    def _modal(self, handle: InteractionHandle, data: Payload, where: str) -> web.Response | None:
        errors = []
        if not 1 <= len(str(data.get("custom_id") or "")) <= 100:
            errors.append(
                FormError(("data", "custom_id"), "BASE_TYPE_BAD_LENGTH", "Must be 1-100 in length.")
            )
        if not 1 <= len(str(data.get("title") or "")) <= 45:
            errors.append(
                FormError(("data", "title"), "BASE_TYPE_BAD_LENGTH", "Must be 1-45 in length.")
            )
        if not 1 <= len(data.get("components") or []) <= 5:
            errors.append(
                FormError(("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be 1-5 in length.")
            )
        if errors:
            for err in errors:
                self._violation(where, str(err))
            return form_errors(errors)
        handle.modal = data
        return None

    def _callback_body(self, handle: InteractionHandle, ctype: int) -> Payload:
        message = handle.original if ctype in (4, 5, 7) else None
        body: Payload = {
            "interaction": {
                "id": str(handle.id),
                "type": handle.type,
                "activity_instance_id": None,
                "response_message_id": None if message is None else message["id"],
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(message and message["flags"] & FLAG_EPHEMERAL),
            }
        }
        if message is not None:
            body["resource"] = {"type": ctype, "message": message}
        return body

    # -- webhook: followups and @original ---------------------------------------------

    def _handle_for(self, request: web.Request, where: str) -> InteractionHandle | web.Response:
        handle = self.fake.interactions_by_token.get(request.match_info["token"])
        if handle is None or int(request.match_info["app_id"]) != self.world.application_id:
            self._violation(where, "unknown webhook (wrong application id or interaction token)")
            return error(404, 10015, "Unknown Webhook")
        if handle.elapsed() > TOKEN_LIFETIME:
            self._violation(where, f"interaction token used after {TOKEN_LIFETIME // 60} minutes")
            return error(401, 50027, "Invalid Webhook Token")
        if handle.response is None:
            self._violation(
                where, f"used before {handle.label} was acknowledged (respond or defer first)"
            )
            return error(404, 10015, "Unknown Webhook")
        if handle.response["type"] not in (4, 5, 6, 7):
            self._violation(
                where,
                f"{handle.label} was answered with type {handle.response['type']}, "
                "which has no message to follow up",
            )
            return error(404, 10015, "Unknown Webhook")
        return handle

    async def followup(self, request: web.Request) -> web.Response:
        where = (
            f"POST /webhooks/{request.match_info['app_id']}/{_short(request.match_info['token'])}"
        )
        handle = self._handle_for(request, where)
        if isinstance(handle, web.Response):
            return handle
        body, files = await read_body(request)
        draft = bot_messages.make_draft(
            self.fake,
            body,
            files,
            where=where,
            channel_id=handle.channel.id,
            allowed_flags=INTERACTION_MESSAGE_FLAGS,
        )
        if isinstance(draft, web.Response):
            return draft
        original = handle.original
        if original is not None and original["flags"] & FLAG_LOADING:
            # The first followup after a deferral replaces the "thinking..." message.
            message = await bot_messages.edit(self.fake, original, draft)
        else:
            extra = message_interaction_fields(self.fake, handle, None)
            message = await bot_messages.create(self.fake, handle.channel, draft, extra=extra)
        handle.followups.append(message)
        handle.rendered = message
        self.fake._notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(message)
        return no_content()

    def _target(
        self, request: web.Request, handle: InteractionHandle, where: str
    ) -> Payload | web.Response:
        mid = request.match_info["message_id"]
        if mid == "@original":
            target = handle.original
        else:
            own = ([handle.original] if handle.original else []) + handle.followups
            target = next((m for m in own if m["id"] == mid), None)
        if target is None or int(target["id"]) in self.fake.deleted_message_ids:
            self._violation(
                where, f"message {mid} does not belong to {handle.label} (or was deleted)"
            )
            return error(404, 10008, "Unknown Message")
        return target

    async def get_message(self, request: web.Request) -> web.Response:
        where = f"GET webhook message {request.match_info['message_id']}"
        handle = self._handle_for(request, where)
        if isinstance(handle, web.Response):
            return handle
        target = self._target(request, handle, where)
        return target if isinstance(target, web.Response) else json_response(target)

    async def edit_message(self, request: web.Request) -> web.Response:
        where = f"PATCH webhook message {request.match_info['message_id']}"
        handle = self._handle_for(request, where)
        if isinstance(handle, web.Response):
            return handle
        target = self._target(request, handle, where)
        if isinstance(target, web.Response):
            return target
        body, files = await read_body(request)
        draft = bot_messages.make_draft(
            self.fake,
            body,
            files,
            where=where,
            channel_id=handle.channel.id,
            allowed_flags=INTERACTION_MESSAGE_FLAGS,
            base=target,
        )
        if isinstance(draft, web.Response):
            return draft
        await bot_messages.edit(self.fake, target, draft)
        handle.rendered = target
        self.fake._notify()
        return json_response(target)

    async def delete_message(self, request: web.Request) -> web.Response:
        where = f"DELETE webhook message {request.match_info['message_id']}"
        handle = self._handle_for(request, where)
        if isinstance(handle, web.Response):
            return handle
        target = self._target(request, handle, where)
        if isinstance(target, web.Response):
            return target
        await bot_messages.delete(self.fake, target)
        if target is handle.original:
            handle.original_deleted = True
        self.fake._notify()
        return no_content()
