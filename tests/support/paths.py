"""Where the checkout and its shipped example roster are."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_ROSTER = REPO / "policies" / "roster.example.yaml"
