"""How benchmarks report: figures printed and kept as JSON in bench-results/."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[2] / "bench-results"


def record(name: str, figures: dict[str, Any]) -> None:
    """Print the figures and keep them as JSON in bench-results/NAME.json."""
    RESULTS.mkdir(exist_ok=True)
    payload = {"benchmark": name, "machine": f"{platform.machine()} {platform.python_version()}", **figures}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    print(f"\n== {name}")
    for key, value in figures.items():
        print(f"   {key}: {value}")


def named(name: str, engine: str) -> str:
    """A benchmark's name on an engine: SQLite's figures keep the plain name."""
    return name if engine == "sqlite" else f"{name}_{engine}"
