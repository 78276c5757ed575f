"""A database from before migration 0004: its rows, sealed and chained the old way, still open and
still verify after the upgrade, reported as "written before v2"; what is written after is v2."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

from bot.audit import trust as trusting
from bot.audit.verify import verify_bundle
from bot.clock import FakeClock, to_iso
from bot.composition import open_context
from bot.config import Settings, shipped_dir
from bot.domain.chain import LOG_GENESIS, chain_genesis, event_hash, hashed_content
from bot.policy.files import load_roster, load_routing
from bot.services.consultations import managing
from bot.services.reports.exporting import export_bundle
from bot.store import migrations
from bot.store.crypto import encrypt_field, field_aad
from bot.store.datakeys import create_data_key
from bot.store.db import Database, Tx
from bot.store.keys import KeyStore
from bot.store.repos import people
from tests.support import KeywordGuard
from tests.support.consultation import COORD, GROUP, NSV, command, comment, published
from tests.support.flow import press
from tests.support.paths import EXAMPLE_ROSTER


class OldChain:
    """Events as the code before chain v2 wrote them."""

    def __init__(self) -> None:
        self.seq, self.log_prev, self.prev = 0, LOG_GENESIS, chain_genesis(1)

    async def add(self, tx: Tx, at: str, kind: str, actor: str, data: dict[str, object]) -> None:
        self.seq += 1
        content = hashed_content(self.seq, at, 1, kind, actor, data, self.prev, self.log_prev)
        digest = event_hash(content)
        await tx.execute("INSERT INTO events (seq, at, consultation_id, type, actor, data, prev_hash, log_prev_hash,"
                         " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (self.seq, at, 1, kind, actor, json.dumps(data), self.prev, self.log_prev, digest))
        self.prev = self.log_prev = digest


async def write_before_v2(settings: Settings, clock: FakeClock, tmp_path: Path) -> None:
    old_migrations = tmp_path / "migrations-0003"
    old_migrations.mkdir()
    for path in sorted(shipped_dir("migrations").glob("000[123]_*.sql")):
        shutil.copy(path, old_migrations)
    db = await Database.open(settings.db_path)
    keys = KeyStore(settings.keys_dir)
    try:
        await migrations.upgrade(db, old_migrations, clock)
        async with db.transaction() as tx:
            await people.import_roster(tx, load_roster(EXAMPLE_ROSTER, load_routing(shipped_dir("policies"))))
            data_key = await create_data_key(tx, keys, clock, 1)
            now, deadline = to_iso(clock.now()), to_iso(clock.now() + timedelta(hours=2))
            await tx.execute(
                "INSERT INTO consultations (id, title_enc, scopes, opened_by, opened_at, deadline_at, state)"
                " VALUES (1, ?, 'aec', 'coord-1', ?, ?, 'open')",
                (encrypt_field(data_key, "Tham vấn cũ", field_aad("consultations", 1, "title")), now, deadline))
            await tx.executemany("INSERT INTO participants (consultation_id, person_key, invited_at,"
                                 " invitation_message_id) VALUES (1, ?, ?, ?)",
                                 [("moit-1", now, None), ("nsv-1", now, 900)])
            chain = OldChain()
            await chain.add(tx, now, "opened", "coord-1",
                            {"scopes": ["aec"], "deadline_at": deadline, "invitees": ["moit-1", "nsv-1"]})
            at = to_iso(clock.now() + timedelta(minutes=5))
            await tx.execute(
                "INSERT INTO messages (id, consultation_id, person_key, at, kind, source, body_enc, guard_action)"
                " VALUES (1, 1, 'moit-1', ?, 'comment', 'private', ?, 'allow')",
                (at, encrypt_field(data_key, "Ý kiến viết trước khi nâng cấp", field_aad("messages", 1, "body"))))
            await chain.add(tx, at, "commented", "moit-1", {"message_id": 1, "source": "private", "guard": "allow",
                                                            "level": None, "content_hmac": None})
            await tx.execute("UPDATE participants SET position = 'agree', responded_at = ?, responded_by = 'moit-1'"
                             " WHERE person_key = 'moit-1'", (at,))
            await chain.add(tx, at, "answered", "moit-1", {"for": "moit-1", "position": "agree", "late": False})
    finally:
        await db.close()


async def test_rows_written_before_v2_still_verify_beside_new_ones(settings: Settings, tmp_path: Path) -> None:
    clock = FakeClock()
    await write_before_v2(settings, clock, tmp_path)
    clock.advance(timedelta(minutes=10))
    # the upgrade applies 0004
    async with open_context(settings, clock, group_chat_id=GROUP, guard=KeywordGuard()) as ctx:
        async with ctx.db.reading() as tx:
            assert await tx.fetchval("SELECT max(version) FROM schema_migrations") >= 4
            assert await tx.fetchval("SELECT aad_version FROM messages WHERE id = 1") == 1
        await comment(ctx, NSV, "Ý kiến viết sau khi nâng cấp", 900)
        await press(ctx, NSV, "a:1:object")
        await command(ctx, managing.close, COORD, "1 Kết luận")
        out = tmp_path / "bundle"
        await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
        trust = trusting.from_file(published(ctx, tmp_path))
    checks = verify_bundle(out, trust)
    assert all(c.ok for c in checks), [str(c) for c in checks]
    note = next(c for c in checks if c.name == "rows written before v2")
    assert "checked as before" in note.detail
    document = json.loads((out / "transcript.json").read_bytes())
    assert [m["text"] for m in document["messages"]] == [
        "Ý kiến viết trước khi nâng cấp", "Ý kiến viết sau khi nâng cấp", "Kết luận"]
    assert [e["data"].get("v") for e in document["events"] if e["type"] == "commented"] == [None, 2]
