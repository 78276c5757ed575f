"""Checking calls and answers against aiogram 3's models, which are generated from Telegram's
published Bot API reference: an independent witness that neither the bot nor the sandbox
invents its own dialect."""

from __future__ import annotations

from functools import cache
from typing import Any

import aiogram.methods
from pydantic import TypeAdapter, ValidationError


@cache
def method_models() -> dict[str, type[aiogram.methods.TelegramMethod[Any]]]:
    models = {}
    for name in dir(aiogram.methods):
        model = getattr(aiogram.methods, name)
        api_name = getattr(model, "__api_method__", None)
        if isinstance(api_name, str):
            models[api_name] = model
    return models


def problems_with(call: dict[str, Any]) -> list[str]:
    """What Telegram would find wrong with one logged call (its parameters and, if it succeeded,
    the answer the sandbox gave)."""
    method = call["method"]
    model = method_models().get(method)
    if model is None:
        return [f"{method}: not a Bot API method"]
    known = set()
    for field_name, field in model.model_fields.items():
        known.add(field_name)
        if field.alias:
            known.add(field.alias)
    params = call["params"]
    found = [f"{method}: unknown parameter {key!r}" for key in params if key not in known]
    try:
        model.model_validate(params)
    except ValidationError as exc:
        found.append(f"{method}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}")
    if call["error"] is None:
        returning = model.__returning__  # type: ignore[attr-defined]
        try:
            TypeAdapter(returning).validate_python(call["result"])
        except ValidationError as exc:
            found.append(f"{method} answer: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}")
    return found


def assert_calls_valid(log: list[dict[str, Any]]) -> None:
    found = sorted({problem for call in log for problem in problems_with(call)})
    assert not found, "\n".join(found)


def message_problems(message: dict[str, Any]) -> list[str]:
    """What Telegram's published Message type finds wrong with a message the sandbox delivers."""
    import aiogram.types

    try:
        aiogram.types.Message.model_validate(message)
    except ValidationError as exc:
        return [f"Message: {error['loc']}: {error['msg']}" for error in exc.errors()]
    return []
