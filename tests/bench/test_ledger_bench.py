"""The one log's cost (issue 25 item 5): export and verify with inclusion and consistency proofs and
a witness file, against the same bundle without them (today's), at 1,000 to 100,000 messages;
bundle size; and what a checkpoint costs as the log grows.

Each log holds the consultation, then 20 rounds of deployment events each followed by a published
checkpoint, so the bundle carries 21 consistency proofs and the witness file 21 notes.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.audit import transcript
from bot.audit.transcript import ExportOptions, allowed_signers_line, write_bundle
from bot.clock import FakeClock
from bot.domain.merkle import Tree, leaf_hash
from bot.services.reports.checkpointing import Publishing, make_checkpoint
from bot.store.events import append_event
from bot.store.keys import KeyStore
from tests.support.bench import record
from tests.support.big_consultation import build

pytestmark = pytest.mark.bench
SIZES = (1_000, 10_000, 100_000)
ROUNDS = 20
VERIFY = """
import sys, time
from pathlib import Path
from bot.audit.trust import from_file
from bot.audit.verify import verify_bundle
witness = Path(sys.argv[3]) if len(sys.argv) > 3 else None
started = time.perf_counter()
checks = verify_bundle(Path(sys.argv[1]), from_file(Path(sys.argv[2])), ssh_keygen=False, witness=witness)
seconds = time.perf_counter() - started
assert all(c.ok for c in checks), [str(c) for c in checks]
status = Path("/proc/self/status").read_text()
print(seconds, next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")))
"""


async def verify(bundle: Path, signers: Path, witness: Path | None = None) -> tuple[float, float]:
    args = [sys.executable, "-c", VERIFY, str(bundle), str(signers), *([str(witness)] if witness else [])]
    out = (await asyncio.to_thread(subprocess.run, args, capture_output=True, text=True, check=True)).stdout.split()
    return float(out[0]), int(out[1]) / 1024


async def test_proofs_and_witnesses_cost_little(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    signers = tmp_path / "published_signers"
    signers.write_text(allowed_signers_line(keys.signing_key().public_key()) + "\n")
    options = ExportOptions(pdf=False)
    figures: dict[str, object] = {}
    for count in SIZES:
        db = await build(tmp_path / f"c{count}.db", keys, count)
        clock = FakeClock()
        witness = tmp_path / f"checkpoints-{count}.log"
        publishing = Publishing(journal=witness)
        checkpoint_seconds = []
        for _ in range(ROUNDS + 1):
            async with db.transaction() as tx:
                for _ in range(10):
                    await append_event(tx, clock, "noted", consultation_id=None, actor="bench")
            started = time.perf_counter()
            await make_checkpoint(db, keys, clock, whole_log=False, publishing=publishing)
            checkpoint_seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        await write_bundle(db, keys, clock, 1, tmp_path / f"log-{count}", "bench", options)
        export_seconds = time.perf_counter() - started
        with monkeypatch.context() as today:  # the same bundle as exported before the one log
            today.setattr(transcript, "log_for_transcript", _no_log)
            started = time.perf_counter()
            await write_bundle(db, keys, clock, 1, tmp_path / f"today-{count}", "bench", options)
            export_today = time.perf_counter() - started
        verify_today, rss_today = await verify(tmp_path / f"today-{count}", signers)
        verify_log, rss_log = await verify(tmp_path / f"log-{count}", signers, witness)
        size_log = (tmp_path / f"log-{count}" / "transcript.json").stat().st_size
        size_today = (tmp_path / f"today-{count}" / "transcript.json").stat().st_size
        figures[f"{count} messages"] = {
            "export s: today / with proofs": f"{export_today:.2f} / {export_seconds:.2f}",
            "verify s: today / with proofs and 21 witnessed notes": f"{verify_today:.2f} / {verify_log:.2f}",
            "verify ratio": round(verify_log / verify_today, 2),
            "verify peak RSS MB: today / with proofs": f"{rss_today:.1f} / {rss_log:.1f}",
            "transcript.json MB: today / with proofs": f"{size_today / 1e6:.2f} / {size_log / 1e6:.2f}",
            "proofs bytes per event": round((size_log - size_today) / (count + 1), 1),
            "checkpoint ms (median of 21, tree of the whole log)": round(
                sorted(checkpoint_seconds)[len(checkpoint_seconds) // 2] * 1000, 1),
            "proof bytes per event if spread through a log 10x larger": spread_proof_bytes(count),
        }
        await db.close()
    record("ledger", figures)
    worst = figures[f"{SIZES[-1]} messages"]
    assert worst["verify ratio"] < 1.3  # type: ignore[index]


def spread_proof_bytes(count: int) -> float:
    """The batch proof's size (hex, as in the bundle) for `count` events one in every ten of the log:
    the worst the consultation's own bundle sees when ten consultations run at once."""
    tree = Tree([leaf_hash(i.to_bytes(4, "big")) for i in range(count * 10)])
    return round(len(tree.batch_proof(list(range(0, count * 10, 10)))) * 67 / count, 1)


async def _no_log(tx: object, consultation_id: int) -> None:
    return None
