"""Logging: plain or JSON lines. Log calls pass ids, types and counts — never content, titles,
tokens or keys; httpx's request lines are silenced because they carry the bot token in the URL."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Structured fields a log call may pass with `extra=`: identifiers and measurements, never content.
FIELDS = ("consultation", "event", "command", "update_id", "duration_ms", "method", "outbox_id", "path")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs every request and answer (texts included) and aiosqlite
    # every statement: DEBUG is for the bot's own loggers only, never for theirs.
    for library in ("telegram", "aiosqlite", "aiohttp", "asyncio"):
        logging.getLogger(library).setLevel(max(logging.INFO, logging.getLevelName(level)))
