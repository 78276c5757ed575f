"""Export and verify times, and peak memory, for consultations of 1,000 to 100,000 messages.

Each consultation is written as the bot writes it (chain v2: every message's event carries its
facts, texts sealed with their author and time), then checkpointed, exported (JSON, signature,
HTML; the PDF separately, since it stops listing messages at 20,000) and verified. Verification
runs in a process of its own, as `consult verify` does, so its peak resident memory is its own.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.audit.transcript import ExportOptions, allowed_signers_line, write_bundle
from bot.clock import FakeClock, to_iso
from bot.config import shipped_dir
from bot.domain import facts
from bot.domain.chain import LOG_GENESIS, chain_genesis, event_hash, hashed_content
from bot.services.checkpointing import make_checkpoint
from bot.store import migrations
from bot.store.crypto import commitment_key, encrypt_field, row_aad
from bot.store.db import Database
from bot.store.keys import KeyStore
from bot.store.repos import consultations
from tests.support.bench import record

pytestmark = pytest.mark.bench
SIZES = (1_000, 10_000, 100_000)
# Peak resident memory from /proc (VmHWM): getrusage's ru_maxrss would also count the pytest
# process this one was forked from.
VERIFY = """
import sys, time
from pathlib import Path
from bot.audit.trust import from_file
from bot.audit.verify import verify_bundle
started = time.perf_counter()
checks = verify_bundle(Path(sys.argv[1]), from_file(Path(sys.argv[2])), ssh_keygen=False)
seconds = time.perf_counter() - started
assert all(c.ok for c in checks), [str(c) for c in checks]
status = Path("/proc/self/status").read_text()
print(seconds, next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")))
"""


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


async def test_export_and_verify_scale_linearly(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    signers = tmp_path / "published_signers"
    signers.write_text(allowed_signers_line(keys.signing_key().public_key()) + "\n")
    options = ExportOptions(pdf=False)
    figures: dict[str, object] = {}
    for count in SIZES:
        db = await build(tmp_path / f"c{count}.db", keys, count)
        out = tmp_path / f"bundle-{count}"
        started = time.perf_counter()
        await write_bundle(db, keys, FakeClock(), 1, out, "bench", options)
        export_seconds = time.perf_counter() - started
        tracemalloc.start()
        await write_bundle(db, keys, FakeClock(), 1, tmp_path / f"again-{count}", "bench", options)
        export_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        started = time.perf_counter()
        await write_bundle(db, keys, FakeClock(), 1, tmp_path / f"pdf-{count}", "bench", replace(options, pdf=True))
        pdf_seconds = time.perf_counter() - started - export_seconds
        verified = (await asyncio.to_thread(subprocess.run, [sys.executable, "-c", VERIFY, str(out), str(signers)],
                                            capture_output=True, text=True, check=True)).stdout.split()
        verify_seconds, verify_rss_kb = float(verified[0]), int(verified[1])
        size = (out / "transcript.json").stat().st_size
        figures[f"{count} messages"] = {
            "transcript.json MB": round(size / 1e6, 1),
            "export s (json+sig+html)": round(export_seconds, 2),
            "export µs/message": round(export_seconds / count * 1e6, 1),
            "export peak Python MB": round(export_peak / 1e6, 1),
            "pdf s (signed; lists ≤ 20,000 messages)": round(max(pdf_seconds, 0.0), 2),
            "verify s": round(verify_seconds, 2),
            "verify µs/message": round(verify_seconds / count * 1e6, 1),
            "verify peak RSS MB (whole process)": round(verify_rss_kb / 1024, 1),
        }
        await db.close()
    record("transcript", figures)
    assert figures["100000 messages"]["verify peak RSS MB (whole process)"] < 256  # type: ignore[index]
