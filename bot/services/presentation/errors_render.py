"""Turning an expected error into a sentence in the user's language."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bot.errors import ConfigError, ConsultError, UsageError
from bot.i18n import catalog, t


def render_error(error: ConsultError, language: str, **extra: Any) -> str:
    params: defaultdict[str, Any] = defaultdict(str, {**error.params, **extra})
    if isinstance(error, UsageError) and "usage" in error.params and error.message_key == "error.usage":
        key = f"usage.{error.params['usage']}"
    elif isinstance(error, ConfigError):
        key = "error.no_group"
    elif error.params.get("rule") in ("guard-error", "guard-unavailable", "guard-timeout"):
        key = "error.guard"
    else:
        key = error.message_key
    state = params.get("state")
    if key == "error.invalid_transition" and state:  # said in the reader's words, never "(closed)"
        key = f"{key}.{state}"
    if key not in catalog(language) and key not in catalog("vi"):
        key = "error.generic"
    for name in ("known", "scopes"):
        if isinstance(params.get(name), list):
            params[name] = ", ".join(params[name])
    template = catalog(language).get(key) or t("vi", key)
    text = template.format_map(params)
    if key == "error.not_authorised" and params["who"]:  # and who may, in a sentence of its own
        text += " " + (catalog(language).get("error.not_authorised.who") or t("vi", "error.not_authorised.who")
                       ).format_map(params)
    return text
