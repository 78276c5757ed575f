"""Pictures sent together — a Telegram album — judged together.

A stamp cut into two halves, one per photo, is no stamp in either photo alone, but a reader of the
chat sees the halves side by side. Each picture of an album is judged at once on its own (a photo
that alone carries a stamp is removed at once, as any other); then, if allowed, it is stitched to
each earlier picture of the same album — same chat, same sender, same `media_group_id`, arrived
within WINDOW_SECONDS — and the stitched pictures are judged. On a pair verdict every picture of
the pair is removed. Kept in memory only, and only for an album's short life: contents are
dropped when the window passes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain.outbox import MessageKind, Outgoing, dedup_key
from bot.guard.albums import stitched, strip
from bot.guard.pictures import PictureError
from bot.guard.policy import ImageLimits
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.screening import Screened
from bot.services.kernel.uow import unit_of_work
from bot.store.repos import outbox

WINDOW_SECONDS = 30.0  # an album's photos arrive within a second or two; a slow link within this
MAX_PICTURES = 10  # Telegram's largest album
MAX_ALBUMS = 200  # albums kept at once: a flood of albums evicts the oldest (their pairs go unchecked)
STITCHED_NAME = "album.png"
PAIR_RULE = "album-pair"


@dataclass(frozen=True)
class AlbumPicture:
    message_id: int
    content: bytes
    at: float


@dataclass
class Albums:
    """The recent pictures of each album, per (chat, sender, media_group_id)."""

    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _kept: dict[tuple[int, int, str], list[AlbumPicture]] = field(default_factory=dict)

    def earlier(self, chat_id: int, user_id: int, group_id: str) -> list[AlbumPicture]:
        """The album's pictures still within the window (older ones, and dead albums, forgotten)."""
        now = self.clock()
        for key in [key for key, pictures in self._kept.items() if all(now - p.at > self.window for p in pictures)]:
            del self._kept[key]
        return [p for p in self._kept.get((chat_id, user_id, group_id), []) if now - p.at <= self.window]

    def keep(self, chat_id: int, user_id: int, group_id: str, message_id: int, content: bytes) -> None:
        pictures = self.earlier(chat_id, user_id, group_id)
        pictures.append(AlbumPicture(message_id, content, self.clock()))
        self._kept.pop((chat_id, user_id, group_id), None)
        self._kept[(chat_id, user_id, group_id)] = pictures[-MAX_PICTURES:]  # the newest album last
        while len(self._kept) > MAX_ALBUMS:
            del self._kept[next(iter(self._kept))]

    def forget(self, chat_id: int, user_id: int, group_id: str) -> None:
        self._kept.pop((chat_id, user_id, group_id), None)


@dataclass(frozen=True)
class PairVerdict:
    screened: Screened
    others: tuple[int, ...]  # the earlier pictures' messages the verdict also covers


async def judge_with_album(ctx: AppContext, albums: Albums, message: Incoming, group_id: str) -> PairVerdict | None:
    """The verdict on an allowed picture of an album together with its earlier pictures: None when
    no pair blocks (the picture is kept for the album's next ones), else the blocking verdict and
    the earlier messages it covers."""
    attachment = message.attachment
    if attachment is None:
        return None
    limits = ctx.guard.image_limits if ctx.guard is not None else ImageLimits()
    earlier = albums.earlier(message.chat_id, message.user_id, group_id)
    for other in earlier:
        try:
            pictures = await asyncio.to_thread(_stitched, other.content, attachment.content, limits)
        except PictureError as error:  # each decoded alone: this is the pair's failure, fail closed
            return PairVerdict(screening.failed(PAIR_RULE, error.detail), (other.message_id,))
        for picture in pictures:
            verdict = await screening.judge_file(ctx, message.chat_id, STITCHED_NAME, picture, "image/png")
            if verdict.blocked:
                albums.forget(message.chat_id, message.user_id, group_id)
                return PairVerdict(verdict, (other.message_id,))
    if len(earlier) >= 2:  # a stamp cut into three or more pieces is whole only with all of them
        whole = await _judge_whole(ctx, message.chat_id, [p.content for p in earlier] + [attachment.content], limits)
        if whole is not None:
            albums.forget(message.chat_id, message.user_id, group_id)
            return PairVerdict(whole, tuple(p.message_id for p in earlier))
    albums.keep(message.chat_id, message.user_id, group_id, message.message_id, attachment.content)
    return None


async def _judge_whole(ctx: AppContext, chat_id: int, contents: list[bytes], limits: ImageLimits) -> Screened | None:
    try:
        pictures = await asyncio.to_thread(lambda: list(strip(contents, limits)))
    except PictureError as error:
        return screening.failed(PAIR_RULE, error.detail)
    for picture in pictures:
        verdict = await screening.judge_file(ctx, chat_id, STITCHED_NAME, picture, "image/png")
        if verdict.blocked:
            return verdict
    return None


async def withdraw_relayed(ctx: AppContext, chat_id: int, message_ids: tuple[int, ...]) -> int:
    """In a private chat an album's earlier picture may have been relayed into the topic before the
    pair verdict (the group's copies the gate deletes itself): each relay is taken back — one still
    waiting never leaves, one sent is deleted from the topic. How many were taken back."""
    taken = 0
    async with unit_of_work(ctx) as uow:
        for message_id in message_ids:
            key = dedup_key(MessageKind.RELAY, f"{chat_id}:{message_id}")
            sent = await outbox.withdraw(uow.tx, key, "withdrawn: a picture of an album the guard blocked")
            taken += 1 if sent is not None or await outbox.state_of(uow.tx, key) == "failed" else 0
            if sent is not None:
                group, made = sent
                await uow.send(Outgoing.to(MessageKind.DELETE, ("withdrawn", group, made), group, "deleteMessage",
                                           {"message_id": made}))
    return taken


def _stitched(first: bytes, second: bytes, limits: ImageLimits) -> list[bytes]:
    return list(stitched(first, second, limits))
