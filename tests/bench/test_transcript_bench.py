"""Export and verify times, and peak memory, for consultations of 1,000 to 100,000 messages.

Each consultation is written as the bot writes it (chain v2: every message's event carries its
facts, texts sealed with their author and time), then checkpointed, exported (JSON, signature,
HTML; the PDF separately, since it stops listing messages at 20,000) and verified. Verification
runs in a process of its own, as `consult verify` does, so its peak resident memory is its own.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from bot.audit.transcript import ExportOptions, allowed_signers_line, write_bundle
from bot.clock import FakeClock
from bot.store.keys import KeyStore
from tests.support.bench import record
from tests.support.big_consultation import build

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
