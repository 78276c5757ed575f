"""Export and verify times, and peak memory, for consultations of 1,000 to 100,000 messages."""

from __future__ import annotations

import json
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest

from bot.audit.chain import LOG_GENESIS, chain_genesis, event_hash, hashed_content
from bot.audit.transcript import write_bundle
from bot.audit.verify import verify_bundle
from bot.clock import FakeClock, to_iso
from bot.config import shipped_dir
from bot.store import migrations
from bot.store.crypto import encrypt_field, field_aad
from bot.store.db import Database
from bot.store.keys import KeyStore
from bot.store.repos import consultations
from tests.bench.conftest import record

pytestmark = pytest.mark.bench
SIZES = (1_000, 10_000, 100_000)


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
            tx,
            keys,
            clock,
            title="Tham vấn lớn",
            scopes=("aec",),
            opened_by="c",
            deadline_at=clock.now() + timedelta(hours=2),
            invitees=["p"],
        )
        cid = record_.consultation.id
        rows, events = [], []
        prev, log_prev = chain_genesis(cid), LOG_GENESIS
        at = to_iso(clock.now())
        content = hashed_content(1, at, cid, "opened", "c", {"invitees": ["p"]}, prev, log_prev)
        prev = log_prev = event_hash(content)
        events.append(
            (
                1,
                at,
                cid,
                "opened",
                "c",
                json.dumps({"invitees": ["p"]}),
                content["prev_hash"],
                content["log_prev_hash"],
                prev,
            )
        )
        for i in range(1, count + 1):
            text = f"Góp ý số {i}: đề nghị cân nhắc lại đoạn {i % 40} của dự thảo tuyên bố chung."
            rows.append(
                (
                    i,
                    cid,
                    "p",
                    at,
                    "comment",
                    "private",
                    encrypt_field(data_key, text, field_aad("messages", i, "body")),
                    "allow",
                )
            )
            data = {"message_id": i, "guard": "allow", "level": None, "content_hmac": None, "source": "private"}
            content = hashed_content(i + 1, at, cid, "commented", "p", data, prev, log_prev)
            prev = log_prev = event_hash(content)
            events.append(
                (
                    i + 1,
                    at,
                    cid,
                    "commented",
                    "p",
                    json.dumps(data),
                    content["prev_hash"],
                    content["log_prev_hash"],
                    prev,
                )
            )
        await tx.executemany(
            "INSERT INTO messages (id, consultation_id, person_key, at, kind, source, body_enc,"
            " guard_action) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        await tx.executemany(
            "INSERT INTO events (seq, at, consultation_id, type, actor, data, prev_hash,"
            " log_prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
    return db


async def test_export_and_verify_scale_linearly(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    figures: dict[str, object] = {}
    for count in SIZES:
        db = await build(tmp_path / f"c{count}.db", keys, count)
        out = tmp_path / f"bundle-{count}"
        started = time.perf_counter()
        await write_bundle(db, keys, FakeClock(), 1, out, "bench", pdf=False)
        export_seconds = time.perf_counter() - started
        tracemalloc.start()
        await write_bundle(db, keys, FakeClock(), 1, tmp_path / f"again-{count}", "bench", pdf=False)
        export_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        started = time.perf_counter()
        checks = verify_bundle(out)
        verify_seconds = time.perf_counter() - started
        assert all(c.ok for c in checks), [str(c) for c in checks]
        tracemalloc.start()
        verify_bundle(out)
        verify_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        size = (out / "transcript.json").stat().st_size
        figures[f"{count} messages"] = {
            "transcript.json MB": round(size / 1e6, 1),
            "export s (json+sig+html)": round(export_seconds, 2),
            "export µs/message": round(export_seconds / count * 1e6, 1),
            "export peak Python MB": round(export_peak / 1e6, 1),
            "verify s": round(verify_seconds, 2),
            "verify µs/message": round(verify_seconds / count * 1e6, 1),
            "verify peak Python MB": round(verify_peak / 1e6, 1),
        }
        await db.close()
    record("transcript", figures)
