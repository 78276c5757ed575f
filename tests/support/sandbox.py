"""The sandbox suite's token and people."""

from __future__ import annotations

TOKEN = "5000000001:sandbox-suite"
ALICE, BOB, STRANGER = 101, 102, 103
