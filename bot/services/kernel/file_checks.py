"""A file's verdict, computed away from the event loop, one file at a time per chat, and a note
in the chat while it takes long.

Reading a scan takes seconds. The guard's worker pool (bot/guard/workers.py) does the reading in
other processes; this use case keeps one chat's files in the order they came (a file is judged
only after the previous one of that chat), and, for a file still unjudged after `note_after`
seconds, asks the transport to show a "checking the file…" note, then to remove it once the
verdict is in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

NOTE_AFTER_SECONDS = 2.0

# Shows the note; returns what removes it.
SlowNote = Callable[[], Awaitable[Callable[[], Awaitable[None]]]]


class FileJudge(Protocol):
    async def judge_file(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any: ...


class FileChecks:
    def __init__(self, judge: FileJudge, note_after: float = NOTE_AFTER_SECONDS, *, in_chat_order: bool = True) -> None:
        """`in_chat_order=False`: files of one chat are judged side by side — for a caller that orders
        them itself (the running bot's lanes keep each sender's files in order, bot/telegram/lanes.py),
        so that in the group one person's long scan does not hold up everyone else's files."""
        self.judge = judge
        self.note_after = note_after
        self.in_chat_order = in_chat_order
        self._lanes: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def verdict(self, guard: object, chat_id: int, file_name: str, content: bytes, mime_type: str | None,
                      on_slow: SlowNote | None = None) -> Any:
        """The guard's verdict on the file, judged in this chat's turn by the pool (`guard`, the
        one this process holds, is not needed: the workers hold their own)."""
        check = asyncio.ensure_future(self._in_turn(chat_id, file_name, content, mime_type))
        done, _ = await asyncio.wait({check}, timeout=self.note_after)
        if done or on_slow is None:
            return await check
        remove: Callable[[], Awaitable[None]] | None = None
        try:
            remove = await on_slow()
        except Exception:  # the note is a courtesy; the verdict is what matters
            log.warning("could not show the checking note", exc_info=True)
        try:
            return await check
        finally:
            if remove is not None:
                with contextlib.suppress(Exception):
                    await remove()

    async def _in_turn(self, chat_id: int, file_name: str, content: bytes, mime_type: str | None) -> Any:
        if not self.in_chat_order:
            return await self.judge.judge_file(file_name, content, mime_type)
        lane = self._lanes.setdefault(chat_id, asyncio.Lock())
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lane:
                return await self.judge.judge_file(file_name, content, mime_type)
        finally:
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:  # nobody else in this chat's lane: forget it
                del self._waiting[chat_id]
                self._lanes.pop(chat_id, None)
