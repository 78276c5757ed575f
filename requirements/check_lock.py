"""Is the lock in step with pyproject.toml? Run by `make install` after installing from the lock.

After a merge that adds or narrows a dependency in pyproject.toml, the lock still installs what it
held before, and the suite would fail later on an import. This says at once which requirement the
lock misses or pins outside its range, and what to run.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(lock.read_text(encoding="utf-8"))}


def problems(lock: Path, wanted: list[str]) -> list[str]:
    pinned = pins(lock)
    found = []
    for spec in wanted:
        requirement = Requirement(spec)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            found.append(f"{requirement.name} ({spec}) is not in requirements/{lock.name}")
        elif not requirement.specifier.contains(version, prereleases=True):
            found.append(f"requirements/{lock.name} pins {requirement.name}=={version}, outside {spec}")
    return found


def main(root: Path = ROOT) -> int:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = list(project.get("dependencies", []))
    dev = runtime + list(project.get("optional-dependencies", {}).get("dev", []))
    found = problems(root / "requirements" / "runtime.txt", runtime) + problems(root / "requirements" / "dev.txt", dev)
    if found:
        print("the lock is out of step with pyproject.toml:", *(f"  - {p}" for p in found),
              "run `make lock` to bring requirements/*.txt up to date (README, Development)", sep="\n",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
