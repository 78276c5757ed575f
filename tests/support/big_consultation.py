"""A closed consultation of any size written in bulk as the bot writes it (chain v2), for the
benchmarks of transcripts and of the one log."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock, to_iso
from bot.config import shipped_dir
from bot.domain import facts
from bot.domain.chain import LOG_GENESIS, chain_genesis, event_hash, hashed_content
from bot.services.reports.checkpointing import make_checkpoint
from bot.store import migrations
from bot.store.crypto import commitment_key, encrypt_field, row_aad
from bot.store.db import Database
from bot.store.keys import KeyStore
from bot.store.repos import consultations


async def build(path: Path, keys: KeyStore, count: int) -> Database:
    """A closed consultation with `count` comments and their chained events, written in bulk."""
    clock = FakeClock()
    db = await Database.open(path)
    await migrations.upgrade(db, shipped_dir("migrations"), clock)
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO agencies VALUES ('a', 'Bộ A')")
        await tx.execute(
            "INSERT INTO people (key, name, agency_key) VALUES ('c', 'Điều phối', 'a'), ('p', 'Đầu mối', 'a')"
        )
        record_, data_key = await consultations.create(
            tx, keys, clock, title="Tham vấn lớn", scopes=("aec",), opened_by="c",
            deadline_at=clock.now() + timedelta(hours=2), invitees=["p"],
        )
        cid = record_.consultation.id
        commitments = commitment_key(data_key)
        rows, events = [], []
        prev, log_prev = chain_genesis(cid), LOG_GENESIS
        at = to_iso(clock.now())

        def add(seq: int, kind: str, actor: str, data: dict[str, object]) -> None:
            nonlocal prev, log_prev
            content = hashed_content(seq, at, cid, kind, actor, data, prev, log_prev)
            digest = event_hash(content)
            events.append((seq, at, cid, kind, actor, json.dumps(data, ensure_ascii=False), prev, log_prev, digest))
            prev = log_prev = digest

        add(1, "opened", "c", facts.opened_event_data(
            scopes=["aec"], deadline_at=to_iso(record_.consultation.deadline_at), opened_at=at, invitees=["p"],
            title_hmac=facts.commit(commitments, "title", "Tham vấn lớn"),
            opener={"name": "Điều phối", "agency": "Bộ A"},
            people={"p": {"name": "Đầu mối", "agency": "Bộ A", "roles": []}}))
        for i in range(1, count + 1):
            text = f"Góp ý số {i}: đề nghị cân nhắc lại đoạn {i % 40} của dự thảo tuyên bố chung."
            rows.append((i, cid, "p", at, "comment", "private",
                         encrypt_field(data_key, text, row_aad("messages", i, "body", "p", at)), "allow"))
            add(i + 1, "commented", "p", facts.message_event_data(
                message_id=i, author="p", author_name="Đầu mối", author_agency="Bộ A", at=at, kind="comment",
                source="private", guard="allow", level=None, content_hmac=None,
                text_hmac=facts.commit(commitments, facts.message_label(i), text)))
        await tx.executemany(
            "INSERT INTO messages (id, consultation_id, person_key, at, kind, source, body_enc, guard_action,"
            " aad_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2)", rows)
        await tx.executemany(
            "INSERT INTO events (seq, at, consultation_id, type, actor, data, prev_hash, log_prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
    await make_checkpoint(db, keys, clock)
    return db
