"""Bot API parameters arrive as JSON, as a form, or as multipart with files, with nested values
JSON-encoded inside form fields (python-telegram-bot's way). This turns each into one dict of
proper types."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

INT_FIELDS = {"chat_id", "message_id", "receiver_user_id", "ephemeral_message_id",
              "message_thread_id", "offset", "limit", "timeout", "user_id",
              "member_limit", "expire_date", "reply_to_message_id", "cache_time", "from_chat_id"}
BOOL_FIELDS = {"disable_notification", "show_alert", "creates_join_request", "drop_pending_updates",
               "protect_content", "only_if_banned"}
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "reply_parameters", "link_preview_options",
               "entities", "caption_entities", "scope", "ephemeral_message_parameters"}


class BotApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


def _coerce(name: str, value: Any) -> Any:
    if isinstance(value, str):
        if name in INT_FIELDS:
            try:
                return int(value)
            except ValueError:
                if name == "chat_id":
                    return value  # @username form; looked up as unknown
                raise bad_request(f"invalid {name} specified") from None
        if name in BOOL_FIELDS:
            return value.lower() in ("true", "1")
        if name in JSON_FIELDS:
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
    return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, str, bytes]]]:
    """(params, uploaded files as name -> (file name, content type, bytes))."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, str, bytes]] = {}
    if request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON body") from None
            if isinstance(body, dict):
                params.update(body)
        elif content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                data = await part.read()
                if part.filename:
                    files[part.name] = (part.filename, part.headers.get("Content-Type", "application/octet-stream"),
                                        bytes(data))
                else:
                    params[part.name] = bytes(data).decode("utf-8")
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {k: _coerce(k, v) for k, v in params.items()}, files
