"""YAML loading that remembers where each value came from.

Policy and roster files are edited by hand by security officers; an error must say which file and
which line, not just which field. We compose the YAML node tree ourselves so that every mapping
key and sequence item keeps its line, then translate pydantic's error locations back to lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.errors import PolicyError

Location = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass
class LocatedYaml:
    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Sequence[str | int]) -> int:
        """The line of the deepest known element on `location` (1-based)."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


# Far more than any policy or roster has; an alias bomb (`&a [*b, *b, ...]` nested) expands past it.
MAX_NODES = 50_000


class _Refused(Exception):
    """A problem found while building, at a line; the caller adds the file's name."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


def _build(node: yaml.Node, loc: Location, lines: dict[Location, int]) -> Any:
    lines[loc] = node.start_mark.line + 1
    if len(lines) > MAX_NODES:  # every built node adds a location: aliases counted as expanded
        raise _Refused(node.start_mark.line + 1, f"more than {MAX_NODES} entries (aliases expanded)")
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            if key in result:  # YAML forbids it; the loader silently kept the last one
                raise _Refused(key_node.start_mark.line + 1, f"{key!r} is given twice")
            child = (*loc, key)
            result[key] = _build(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, index), lines) for index, item in enumerate(node.value)]
    # A scalar: let the safe loader resolve its type (int, bool, null...) by itself.
    return yaml.safe_load(yaml.serialize(node))


def load_located_yaml(path: Path) -> LocatedYaml:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:  # was a traceback from `roster check`
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise PolicyError(f"{path}:{line}: not UTF-8 text (save the file as UTF-8)") from exc
    return parse_located_yaml(text, path)


def parse_located_yaml(text: str, path: Path) -> LocatedYaml:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(f"{path}:{line}: not valid YAML: {problem}") from exc
    located = LocatedYaml(path, None)
    if root is not None:
        try:
            located.data = _build(root, (), located.lines)
        except _Refused as exc:
            raise PolicyError(f"{path}:{exc.line}: {exc.problem}") from exc
    return located


def validation_problems(located: LocatedYaml, error: ValidationError) -> list[str]:
    """One `file:line: where: what` line per pydantic error."""
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        where = ".".join(str(part) for part in loc) or "(top level)"
        problems.append(f"{located.path}:{located.line_of(loc)}: {where}: {item['msg']}")
    return problems


def validate_located(located: LocatedYaml, model: type[M]) -> M:
    """Validate a located document, raising PolicyError whose text names each file and line."""
    try:
        return model.model_validate(located.data if located.data is not None else {})
    except ValidationError as exc:
        raise PolicyError("\n".join(validation_problems(located, exc))) from exc
