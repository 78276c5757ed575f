from __future__ import annotations

from pathlib import Path

import pytest

from bot.guard.engine import Guard

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard.from_policy_dir(REPO / "policies", b"test-term-key-0123456789abcdef!!")
