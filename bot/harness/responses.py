"""HTTP helpers: Discord-shaped JSON responses and request bodies (JSON or multipart)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.harness.validation import FormError, form_error_body

Payload = dict[str, Any]


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with exactly ``Content-Type: application/json`` (discord.py compares it whole)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def no_content() -> web.Response:
    return web.Response(status=204)


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"message": message, "code": code}, status)


def form_errors(errors: list[FormError]) -> web.Response:
    return json_response(form_error_body(errors), 400)


@dataclass
class UploadedFile:
    field: str  # e.g. "files[0]"
    filename: str
    data: bytes


class BadBody(Exception):
    """The request body is not what Discord accepts (answered with 400 code 50109)."""


async def read_body(request: web.Request) -> tuple[Payload, list[UploadedFile]]:
    """The JSON payload and uploaded files of a request (``payload_json`` for multipart)."""
    if not request.can_read_body:
        return {}, []
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        files = [
            UploadedFile(name, value.filename, value.file.read())
            for name, value in form.items()
            if isinstance(value, web.FileField)
        ]
        raw = form.get("payload_json")
        try:
            payload = json.loads(raw) if isinstance(raw, str) else {}
        except ValueError:
            raise BadBody("payload_json is not valid JSON") from None
        return payload, files
    try:
        payload = await request.json()
    except ValueError:
        raise BadBody("The request body contains invalid JSON.") from None
    return payload, []
