"""Deep links that cannot be mistaken for one another, and enrollment that never moves an
identity silently."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.deeplinks import StartKind, consultation_payload, enrollment_payload, parse_start
from bot.services import enrollment
from bot.services.dispatch import Origin, perform
from bot.services.kernel.context import AppContext
from bot.store.crypto import decrypt_field, field_aad
from bot.store.datakeys import load_data_key
from bot.store.repos import enrollments

COORD, MOIT, MOIT_ALT = 1001, 2001, 2002
TOKEN_C = "c" + "A" * 31  # one old-style token in 64 begins with a `c`
_ids = iter(range(50_000, 60_000))


@pytest.mark.parametrize(("payload", "kind"), [
    ("", StartKind.NONE), ("e_" + "x" * 32, StartKind.ENROLL), ("c_12", StartKind.CONSULTATION),
    ("c12", StartKind.CONSULTATION), ("x" * 32, StartKind.ENROLL), (TOKEN_C, StartKind.ENROLL),
    ("e_" + "x" * 30, StartKind.ENROLL),  # an old token that happens to begin with e_
    ("e_" + "x" * 31, StartKind.INVALID), ("c_0", StartKind.INVALID), ("c_1234567890", StartKind.INVALID),
    ("x" * 33, StartKind.INVALID), ("e_" + "x" * 32 + "\n", StartKind.ENROLL), ("hello", StartKind.INVALID),
    ("c_12\nc_13", StartKind.INVALID), ("e_" + "x" * 31 + "!", StartKind.INVALID),
])
def test_every_payload_has_one_reading(payload: str, kind: StartKind) -> None:
    assert parse_start(payload).kind is kind


def test_new_payloads_read_back_as_made() -> None:
    token = secrets.token_urlsafe(24)
    assert parse_start(enrollment_payload(token)).token == token
    assert parse_start(consultation_payload(7)).consultation_id == 7
    assert len(enrollment_payload(token)) <= 64


async def start(ctx: AppContext, user_id: int, payload: str) -> None:
    origin = Origin(next(_ids), user_id, user_id, None, "vi", "/start")
    await perform(ctx, origin, lambda uow: enrollment.start(uow, user_id, payload, "vi"))


async def sent_to(ctx: AppContext, chat_id: int) -> list[str]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT id, key_owner, payload_enc FROM outbox WHERE chat_id = ? AND method ="
                                 " 'sendMessage' ORDER BY id", (chat_id,))
        texts = []
        for row in rows:
            key = await load_data_key(tx, ctx.keys, int(row["key_owner"]))
            sealed = bytes(row["payload_enc"])
            payload = json.loads(decrypt_field(key, sealed, field_aad("outbox", row["id"], "payload")))
            texts.append(str(payload["text"]))
        return texts


async def bound_to(ctx: AppContext, person: str) -> Any:
    async with ctx.db.reading() as tx:
        return await tx.fetchval("SELECT telegram_user_id FROM people WHERE key = ?", (person,))


async def last_event(ctx: AppContext, event_type: str) -> dict[str, Any]:
    async with ctx.db.reading() as tx:
        row = await tx.fetchone("SELECT actor, data FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1",
                                (event_type,))
    assert row is not None, event_type
    return {"actor": row["actor"], **json.loads(row["data"])}


async def link_for(ctx: AppContext, person: str, *, rebind: bool = False, token: str | None = None,
                   monkeypatch: pytest.MonkeyPatch | None = None) -> str:
    if token is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(enrollments.secrets, "token_urlsafe", lambda size: token)
    async with ctx.db.transaction() as tx:
        return await enrollments.create_token(tx, person, ctx.clock.now(), timedelta(hours=1), rebind=rebind)


@pytest.mark.parametrize("form", ["new", "old"])
async def test_a_token_beginning_with_c_enrolls(rostered: AppContext, monkeypatch: pytest.MonkeyPatch,
                                                form: str) -> None:
    async with rostered.db.transaction() as tx:
        await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE key = 'jkt-1'")
    token = await link_for(rostered, "jkt-1", token=TOKEN_C, monkeypatch=monkeypatch)
    await start(rostered, 7777, enrollment_payload(token) if form == "new" else token)
    assert await bound_to(rostered, "jkt-1") == 7777
    assert any("Tạ Đức Phong" in text for text in await sent_to(rostered, 7777))


async def test_a_fresh_link_does_not_move_an_enrolled_person(rostered: AppContext) -> None:
    token = await link_for(rostered, "moit-1")
    await start(rostered, 9999, enrollment_payload(token))
    assert await bound_to(rostered, "moit-1") == MOIT
    refused = await last_event(rostered, "enroll_refused")
    assert refused == {"actor": "tg:9999", "reason": "already_enrolled"}
    assert "--rebind" in (await sent_to(rostered, 9999))[-1]
    assert await sent_to(rostered, MOIT) == []


async def test_a_rebind_link_moves_the_person_and_tells_the_old_account(rostered: AppContext) -> None:
    token = await link_for(rostered, "moit-1", rebind=True)
    await start(rostered, 9999, enrollment_payload(token))
    assert await bound_to(rostered, "moit-1") == 9999
    assert await last_event(rostered, "rebound") == {"actor": "moit-1", "telegram_user_id": 9999, "previous": MOIT}
    [notice] = await sent_to(rostered, MOIT)
    assert "không còn được ghi danh là Trần Thị Bình" in notice


async def test_an_account_enrolled_as_someone_else_is_not_taken_over(rostered: AppContext) -> None:
    async with rostered.db.transaction() as tx:
        await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE key = 'jkt-2'")
    token = await link_for(rostered, "jkt-2", rebind=True)
    await start(rostered, MOIT_ALT, enrollment_payload(token))  # moit-2's account
    assert await bound_to(rostered, "moit-2") == MOIT_ALT and await bound_to(rostered, "jkt-2") is None
    assert (await last_event(rostered, "enroll_refused"))["reason"] == "account_taken"


async def test_a_malformed_payload_is_refused_and_logged(rostered: AppContext) -> None:
    await start(rostered, 9999, "not-a-link")
    assert (await last_event(rostered, "enroll_refused"))["reason"] == "malformed"
    assert "không hợp lệ" in (await sent_to(rostered, 9999))[-1]


def test_cli_enroll_needs_rebind_for_someone_enrolled(rostered: AppContext) -> None:
    import bot.commands  # noqa: F401 - registers the commands

    cli = CliRunner()
    refused = cli.invoke(app, ["roster", "enroll", "moit-1"])
    assert refused.exit_code == 2 and "already enrolled" in refused.output
    assert "consult roster enroll moit-1 --rebind" in refused.output
    moved = cli.invoke(app, ["roster", "enroll", "moit-1", "--rebind"])
    assert moved.exit_code == 0, moved.output
    assert moved.output.startswith("https://t.me/rapid_consult_bot?start=e_")
    assert parse_start(moved.output.split("start=", 1)[1].split()[0]).kind is StartKind.ENROLL
    fresh = cli.invoke(app, ["roster", "enroll", "jkt-2"])
    assert fresh.exit_code == 0 and "start=e_" in fresh.output
