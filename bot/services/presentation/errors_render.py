"""Turning an expected error into a sentence in the user's language."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bot.domain.consultation import Consultation
from bot.errors import ConfigError, ConsultationClosedError, ConsultError, UsageError
from bot.i18n import catalog, t
from bot.services.presentation.formatting import local_time


def ended_error(consultation: Consultation, zone: str) -> ConsultationClosedError:
    """A press after the end says when it ended and how (closed or cancelled), not only that the
    button is spent: the presser can tell a late answer from a consultation called off."""
    ended = local_time(consultation.closed_at, zone) if consultation.closed_at else ""
    return ConsultationClosedError("ended", consultation=consultation.id, ended=ended, state=consultation.state.value)


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
    if key == "error.closed" and params["ended"] and state:  # when, and closed or cancelled
        key = f"error.closed.{state}"
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
