"""Migration 0005 on a database in use: invitations and escalations already delivered become
answer prompts, so a press on them still counts after the upgrade."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.clock import FakeClock
from bot.config import shipped_dir
from bot.store import migrations
from bot.store.db import Database


async def test_delivered_invitations_and_escalations_become_prompts(tmp_path: Path) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for path in shipped_dir("migrations").glob("*.sql"):
        if int(path.name[:4]) < 5:
            shutil.copy(path, before / path.name)
    db = await Database.open(tmp_path / "c.db")
    try:
        await migrations.upgrade(db, before, FakeClock())
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO agencies (key, name) VALUES ('moit', 'Bộ Công Thương')")
            for key, tg in (("coord-1", 1001), ("moit-1", 2001), ("moit-2", 2002), ("jkt-2", None)):
                await tx.execute("INSERT INTO people (key, name, agency_key, telegram_user_id)"
                                 " VALUES (?, ?, 'moit', ?)", (key, key, tg))
            await tx.execute("INSERT INTO consultations (id, title_enc, scopes, opened_by, opened_at, deadline_at,"
                             " state) VALUES (1, x'00', 'aec', 'coord-1', 't', 't', 'open')")
            await tx.execute("INSERT INTO participants (consultation_id, person_key, invited_at,"
                             " invitation_message_id) VALUES (1, 'moit-1', 't', 55)")
            await tx.execute("INSERT INTO participants (consultation_id, person_key, invited_at)"
                             " VALUES (1, 'jkt-2', 't')")
            for id_, key, chat, state, message in (
                    (1, "escalate:1:moit-1:moit-2", 2002, "sent", 77),
                    (2, "escalate:1:coordinator:9", 1001, "sent", 78),
                    (3, "escalate:1:moit-1:moit-2x", 2002, "pending", None)):
                await tx.execute("INSERT INTO outbox (id, dedup_key, key_owner, chat_id, method, payload_enc, state,"
                                 " not_before, created_at, result_message_id) VALUES (?, ?, 1, ?, 'sendMessage', x'00',"
                                 " ?, 't', 't', ?)", (id_, key, chat, state, message))
        applied = await migrations.upgrade(db, shipped_dir("migrations"), FakeClock())
        assert 5 in [m.version for m in applied]
        async with db.reading() as tx:
            rows = await tx.fetchall("SELECT chat_id, message_id, consultation_id, person_key, for_person_key"
                                     " FROM answer_prompts ORDER BY message_id")
            assert [tuple(r) for r in rows] == [(2001, 55, 1, "moit-1", "moit-1"), (2002, 77, 1, "moit-2", "moit-1")]
            assert await tx.fetchval("SELECT rebind FROM enrollments") is None  # the column exists, empty
    finally:
        await db.close()
