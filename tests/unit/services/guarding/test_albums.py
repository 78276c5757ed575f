"""An album's pictures judged together (issue 24, item 5): each allowed picture is kept for the
album's short life, and the next picture of the same album (same chat, sender, media_group_id,
within the window) is judged stitched to each earlier one; a pair verdict covers both messages."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from PIL import Image

from bot.guard.engine import Guard
from bot.guard.policy import ImageLimits
from bot.services.guarding.albums import MAX_ALBUMS, MAX_PICTURES, Albums, judge_with_album
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Attachment, Incoming
from bot.services.kernel.ports import ON_A_THREAD
from tests.support import image_corpus as corpus
from tests.support import verdict
from tests.support.album_halves import halves, pieces
from tests.support.tools import requires_ocr

CHAT, ALICE, BOB = -100123, 2001, 2002


class StitchedBlocked:
    """A stand-in guard: every stitched picture blocks, every picture alone passes."""

    image_limits = ImageLimits()

    def __init__(self) -> None:
        self.judged: list[str] = []

    def scan_text(self, text: str) -> Any:
        return verdict("allow", text, rule="")

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any:
        self.judged.append(file_name)
        blocked = file_name == "album.png"
        return verdict("block" if blocked else "allow", None, "mat" if blocked else None,
                       rule="image:marking-alone-on-line")


def context(guard: Any) -> AppContext:
    keys = SimpleNamespace(keyed_hash=lambda purpose, raw: "h")
    return cast(AppContext, SimpleNamespace(guard=guard, keys=keys, file_checks=ON_A_THREAD))


def photo(message_id: int, content: bytes, user: int = ALICE) -> Incoming:
    return Incoming(user, CHAT, message_id, "", attachment=Attachment("photo.jpg", content, "image/jpeg", "f",
                                                                      photo=True))


def small_photo() -> bytes:
    return corpus.encode(Image.new("RGB", (60, 40), "white"), "JPEG")


def test_the_second_picture_is_judged_with_the_first_and_the_verdict_covers_both() -> None:
    ctx, albums = context(StitchedBlocked()), Albums()
    assert asyncio.run(judge_with_album(ctx, albums, photo(10, small_photo()), "g1")) is None
    pair = asyncio.run(judge_with_album(ctx, albums, photo(11, small_photo()), "g1"))
    assert pair is not None and pair.screened.blocked and pair.others == (10,)


def test_other_albums_senders_and_late_pictures_are_not_paired() -> None:
    now = [0.0]
    guard = StitchedBlocked()
    ctx, albums = context(guard), Albums(window=30.0, clock=lambda: now[0])
    asyncio.run(judge_with_album(ctx, albums, photo(10, small_photo()), "g1"))
    assert asyncio.run(judge_with_album(ctx, albums, photo(11, small_photo()), "g2")) is None  # another album
    assert asyncio.run(judge_with_album(ctx, albums, photo(12, small_photo(), user=BOB), "g1")) is None
    now[0] = 31.0
    assert asyncio.run(judge_with_album(ctx, albums, photo(13, small_photo()), "g1")) is None  # the window passed
    assert guard.judged == []  # nothing was stitched
    assert albums.earlier(CHAT, ALICE, "g2") == []  # and the dead albums' pictures are dropped


def test_the_memory_holds_a_bounded_number_of_pictures() -> None:
    albums = Albums()
    for album in range(MAX_ALBUMS + 5):
        for message_id in range(MAX_PICTURES + 2):
            albums.keep(CHAT, ALICE, f"g{album}", message_id, b"x")
    assert albums.earlier(CHAT, ALICE, "g0") == []  # the oldest albums were let go
    assert len(albums.earlier(CHAT, ALICE, f"g{MAX_ALBUMS + 4}")) == MAX_PICTURES


def test_a_picture_that_cannot_be_stitched_fails_closed() -> None:
    ctx, albums = context(StitchedBlocked()), Albums()
    albums.keep(CHAT, ALICE, "g1", 10, b"not a picture")
    pair = asyncio.run(judge_with_album(ctx, albums, photo(11, small_photo()), "g1"))
    assert pair is not None and pair.screened.blocked and pair.others == (10,)


@requires_ocr
@pytest.mark.slow
def test_a_stamp_cut_across_two_photos_of_an_album_removes_both(guard: Guard) -> None:
    first, second = halves("TUYỆT MẬT", "tb")
    ctx, albums = context(guard), Albums()
    assert asyncio.run(judge_with_album(ctx, albums, photo(10, first), "g1")) is None
    pair = asyncio.run(judge_with_album(ctx, albums, photo(11, second), "g1"))
    assert pair is not None and pair.screened.blocked and pair.screened.level == "tuyet_mat"
    assert pair.others == (10,)


class WholeBlocked(StitchedBlocked):
    """A stand-in guard: only a picture of three or more pieces (wider than any pair) blocks."""

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any:
        self.judged.append(file_name)
        blocked = file_name == "album.png" and Image.open(io.BytesIO(content)).width >= 180
        return verdict("block" if blocked else "allow", None, "mat" if blocked else None,
                       rule="image:marking-alone-on-line")


def test_the_third_picture_is_judged_with_all_earlier_ones_and_the_verdict_covers_them_all() -> None:
    ctx, albums = context(WholeBlocked()), Albums()
    assert asyncio.run(judge_with_album(ctx, albums, photo(10, small_photo()), "g1")) is None
    assert asyncio.run(judge_with_album(ctx, albums, photo(11, small_photo()), "g1")) is None  # a pair is 120 wide
    whole = asyncio.run(judge_with_album(ctx, albums, photo(12, small_photo()), "g1"))
    assert whole is not None and whole.screened.blocked and whole.others == (10, 11)
    assert albums.earlier(CHAT, ALICE, "g1") == []


@requires_ocr
@pytest.mark.slow
def test_a_stamp_cut_across_five_photos_of_an_album_removes_every_piece_sent(guard: Guard) -> None:
    # The album's clock stands still: reading the pieces takes 40 s on a busy machine, and pieces
    # that fell out of the 30 s window would make this test about the machine, not the rule.
    ctx, albums = context(guard), Albums(clock=lambda: 0.0)
    verdicts = [asyncio.run(judge_with_album(ctx, albums, photo(10 + i, part), "g1"))
                for i, part in enumerate(pieces("TỐI MẬT", 5))]
    blocking = [(i, v) for i, v in enumerate(verdicts) if v is not None]
    assert blocking, "no verdict on the album blocked"
    at, whole = blocking[0]
    assert at >= 2 and whole.screened.blocked and whole.screened.level == "toi_mat"
    assert whole.others == tuple(range(10, 10 + at))  # every earlier piece is removed with it


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy_dir(Path(__file__).resolve().parents[4] / "policies", b"test-term-key-0123456789abcdef!!")


async def test_in_a_private_chat_the_relay_of_an_earlier_picture_is_taken_back(rostered: AppContext) -> None:
    """A pair verdict in a private chat: the earlier picture may already be relayed into the topic.
    A relay still waiting never leaves; one already sent is deleted from the topic."""
    from bot.domain.outbox import MessageKind, Outgoing
    from bot.services.guarding.albums import withdraw_relayed
    from bot.services.kernel.uow import unit_of_work
    from bot.store.repos import outbox

    private, group = ALICE, -100777
    async with unit_of_work(rostered) as uow:
        for message_id in (10, 11):
            await uow.send(Outgoing(MessageKind.RELAY, (f"{private}:{message_id}",), group, "sendPhoto",
                                    {"chat_id": group, "photo": "file-id", "caption": "Ảnh"}))
    async with rostered.db.transaction() as tx:
        sent = next(i for i in await outbox.due(tx, rostered.clock.now() + timedelta(days=1))
                    if i.dedup_key.endswith(f"{private}:11"))
        await outbox.mark_sent(tx, sent.id, rostered.clock.now(), 4242)
    assert await withdraw_relayed(rostered, private, (10, 11)) == 2
    async with rostered.db.reading() as tx:
        assert await outbox.state_of(tx, f"relay:{private}:10") == "failed"  # never leaves
        deletes = await tx.fetchall("SELECT chat_id, method FROM outbox WHERE kind = 'delete'")
    assert [(r["chat_id"], r["method"]) for r in deletes] == [(group, "deleteMessage")]
