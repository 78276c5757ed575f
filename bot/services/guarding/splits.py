"""A marking typed over two messages — «Độ mật:» then «A», «TỐI» then «MẬT: …» — judged as the
reader sees it: one message under the other.

Neither message alone is marked, so each passes on its own; in the chat they sit one above the
other and read as one. The gate therefore keeps the last line of each sender's latest text (per
chat and topic) for a short window and judges it joined to the start of the sender's next text.
On a verdict the new message is blocked as any other and the earlier one is removed from the
group with it. One-line messages in a row are kept together (up to STACKED_MESSAGES), so a word
typed a letter a message — «M», «Ậ», «T», a column a reader reads down — is judged as the column;
on a verdict the fewest of them that make the marking are removed. Kept in the bot's memory only
(never stored, never logged), a short tail per sender, forgotten when the window passes.

The earlier part taken alone carries nothing, so a copy of it already relayed into a topic from a
private chat stays: what the topic shows is the harmless half, never the two together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.guard.verdict import Level
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.screening import Screened

WINDOW_SECONDS = 120.0  # two messages typed one after the other, with time to think between them
TAIL_CHARACTERS = 80  # the end of the earlier message: a field's name or the first word of a stamp
HEAD_CHARACTERS = 400  # the start of the later one: the rest of the marking, a field's value
STACKED_MESSAGES = 12  # one-line messages kept in a row: TUYỆT MẬT typed a letter a message is 9
MAX_SENDERS = 5000  # tails kept at once; a flood evicts the oldest (their joins go unjudged)
SOURCE = "text-split"

Key = tuple[int, int, int]  # chat, topic (0 for none), sender


@dataclass(frozen=True)
class Tail:
    message_id: int
    text: str
    at: float
    # The one-line messages the sender posted just before this one, oldest first, each (id, line):
    # «M», «Ậ», «T» in three messages are a column a reader reads down, as «Độ», «mật:», «A» are a field.
    before: tuple[tuple[int, str], ...] = ()

    def lines(self) -> tuple[tuple[int, str], ...]:
        return (*self.before, (self.message_id, self.text))


@dataclass
class Tails:
    """Each sender's latest text's last line, per chat and topic, within the window."""

    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _kept: dict[Key, Tail] = field(default_factory=dict)

    def swap(self, message: Incoming) -> Tail | None:
        """Keep this message's tail and return the one before it (within the window). Called before
        the message's verdict is awaited, so two messages handled at once still see each other."""
        key = key_of(message)
        now = self.clock()
        before = self._kept.pop(key, None)
        if before is None or now - before.at > self.window or before.message_id == message.message_id:
            before = None
        # A message of one line goes on the lines before it (a column typed message by message);
        # a longer one starts afresh from its own last line.
        stacked = before.lines()[-(STACKED_MESSAGES - 1):] if before is not None and _one_line(message.text) else ()
        self._kept[key] = Tail(message.message_id, tail_of(message.text), now, stacked)
        while len(self._kept) > MAX_SENDERS:
            del self._kept[next(iter(self._kept))]
        return before

    def drop(self, message: Incoming) -> None:
        """A message that did not pass leaves no tail: it is gone from the chat."""
        key = key_of(message)
        kept = self._kept.get(key)
        if kept is not None and kept.message_id == message.message_id:
            del self._kept[key]


@dataclass(frozen=True)
class SplitVerdict:
    screened: Screened
    earlier: int  # the earlier message the verdict also covers
    others: tuple[int, ...] = ()  # and the messages before it that the marking also spans


def key_of(message: Incoming) -> Key:
    return message.chat_id, message.thread_id or 0, message.user_id


def tail_of(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()] or [""]
    return lines[-1][-TAIL_CHARACTERS:]


def joinable(message: Incoming) -> bool:
    """Texts typed now: an edit changes a message already judged, a file alone shows no text."""
    return bool(message.text.strip()) and not message.edited and message.unchecked_media is None


async def judge_joined(ctx: AppContext, earlier: Tail | None, message: Incoming,
                       screened: Screened) -> SplitVerdict | None:
    """The verdict on `message` read under the sender's previous text: None when together they make
    no marking, or none stricter than the message's own verdict (a split never lowers the level:
    «TỐI» then «MẬT» is TỐI MẬT, not MẬT); else the blocking verdict, covering the earlier message."""
    if earlier is None or screened.action == "redact" or not earlier.text.strip():
        return None
    lines = earlier.lines()
    verdict = await _joined(ctx, lines, message)
    if not _stricter(verdict, screened):
        return None
    # The fewest messages before it that make the marking: those are removed with it, not all of them
    # (a greeting typed before «TỐI», «MẬT» stays).
    for count in range(1, len(lines)):
        fewer = await _joined(ctx, lines[-count:], message)
        if _stricter(fewer, screened) and _rank(fewer.level) >= _rank(verdict.level):
            lines, verdict = lines[-count:], fewer
            break
    ids = [message_id for message_id, _ in lines]
    return SplitVerdict(replace(verdict, source=SOURCE), ids[-1], tuple(ids[:-1]))


async def _joined(ctx: AppContext, lines: tuple[tuple[int, str], ...], message: Incoming) -> Screened:
    joined = "\n".join(line for _, line in lines) + "\n" + message.text[:HEAD_CHARACTERS]
    return await screening.judge(ctx, replace(message, text=joined, attachment=None))


def _stricter(verdict: Screened, alone: Screened) -> bool:
    """A split never lowers the level: the join counts when it blocks where the message alone did
    not, or at a higher level («TỐI» then «MẬT» is TỐI MẬT, not MẬT)."""
    return verdict.blocked and not (alone.blocked and _rank(verdict.level) <= _rank(alone.level))


def _one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and len(text.strip()) <= TAIL_CHARACTERS


def _rank(level: str | None) -> int:
    return Level(level).rank if level in set(Level) else 0
