"""What a PDF reader shows beside the pages: text the guard must judge though no page holds it.

* **Scripts** (document-level, open actions, page and annotation actions): Acrobat runs them on
  opening, and `app.alert("TỐI MẬT")` or a field set to «TUYỆT MẬT» is shown. The strings they hold
  are read (each alone and each script's joined); a script that builds its text from character
  codes or evaluates code it decodes cannot be read so, and the file is refused.
* **Page labels**: the page box shows «TỐI MẬT - 3» where the label's prefix says so.
* **XMP metadata**: readers show its title (before the Info dictionary's) in the title bar.
* **Layer names** (optional content groups): the Layers panel lists them.

Pure on a pypdf reader; no rendering.
"""

from __future__ import annotations

import re
from typing import Any

MAX_ACTIONS = 500  # actions followed per file (an action chain may be long or circular)
MAX_SCRIPT_CHARS = 1_000_000
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'|`((?:[^`\\]|\\.)*)`')
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|.)", re.DOTALL)
_OBFUSCATION = re.compile(r"fromCharCode|fromCodePoint|\beval\s*\(|unescape\s*\(|decodeURI|atob\s*\(|\bFunction\s*\(")
_XMP_TEXT = re.compile(r">([^<>]+)<")


class ScriptError(ValueError):
    """A script builds what it shows in a way that cannot be read without running it."""


def panel_texts(reader: Any) -> list[str]:
    """Everything above, as lines. A part a reader could not show either (a damaged metadata stream,
    a broken label tree) is left out rather than refusing the file; a script is read or refused."""
    root = reader.trailer["/Root"].get_object()
    lines: list[str] = []
    lines.extend(_script_strings(_scripts(reader, root)))  # a broken action tree refuses the file
    for shown in (_page_labels, _xmp, _layer_names):
        lines.extend(_or_nothing(shown, root))
    return lines


def _or_nothing(shown: Any, root: Any) -> list[str]:
    try:
        found: list[str] = shown(root)
    except Exception:  # a part no reader can decode (pypdf raises many kinds) shows nothing
        return []
    return found


def _scripts(reader: Any, root: Any) -> list[str]:
    actions: list[Any] = []
    names = _get(root, "/Names")
    tree = _get(names, "/JavaScript") if names is not None else None
    if tree is not None:
        actions.extend(value for _, value in _name_tree(tree))
    actions.append(_get(root, "/OpenAction"))
    actions.extend(_additional(root))
    for page in reader.pages:
        actions.extend(_additional(page))
        for reference in _get(page, "/Annots") or []:
            annotation = reference.get_object()
            actions.append(_get(annotation, "/A"))
            actions.extend(_additional(annotation))
            parent = _get(annotation, "/Parent")
            if parent is not None:  # a form field's own actions (validation, calculation, format)
                actions.extend(_additional(parent))
    scripts: list[str] = []
    seen: set[int] = set()
    while actions and len(seen) < MAX_ACTIONS:
        action = actions.pop()
        action = action.get_object() if hasattr(action, "get_object") else action
        if not hasattr(action, "get") or id(action) in seen:
            continue
        seen.add(id(action))
        script = action.get("/JS")
        if script is not None:
            script = script.get_object()
            data = script.get_data() if hasattr(script, "get_data") else script
            scripts.append(data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data))
        following = action.get("/Next")
        if following is not None:
            following = following.get_object()
            actions.extend(following if isinstance(following, list) else [following])
    return scripts


def _script_strings(scripts: list[str]) -> list[str]:
    lines: list[str] = []
    for script in scripts:
        script = script[:MAX_SCRIPT_CHARS]
        if _OBFUSCATION.search(script):
            raise ScriptError("the PDF runs a script that builds its text in a way that cannot be checked; "
                              "print it to a new PDF and send that")
        strings = [_unescaped(next(group for group in match.groups() if group is not None))
                   for match in _STRING.finditer(script)]
        lines.extend(strings)
        if len(strings) > 1:
            lines.append("".join(strings))  # "TỐI" + " MẬT"
    return lines


def _unescaped(literal: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code.startswith("u{"):
            return chr(min(int(code[2:-1], 16), 0x10FFFF))
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "r": "\r"}.get(code, code)

    return _ESCAPE.sub(one, literal)


def _additional(holder: Any) -> list[Any]:
    """The actions of an `/AA` dictionary (open, close, keystroke, format, validate, calculate…)."""
    triggers = _get(holder, "/AA")
    return list(triggers.values()) if hasattr(triggers, "values") else []


def _page_labels(root: Any) -> list[str]:
    labels = _get(root, "/PageLabels")
    return [str(prefix) for _, label in _number_tree(labels) if (prefix := _get(label, "/P"))] \
        if labels is not None else []


def _xmp(root: Any) -> list[str]:
    metadata = _get(root, "/Metadata")
    if metadata is None or not hasattr(metadata, "get_data"):
        return []
    import html

    text = metadata.get_data()[:MAX_SCRIPT_CHARS].decode("utf-8", "replace")
    return [html.unescape(value) for value in _XMP_TEXT.findall(text) if value.strip()]


def _layer_names(root: Any) -> list[str]:
    properties = _get(root, "/OCProperties")
    groups = _get(properties, "/OCGs") if properties is not None else None
    return [str(name) for group in groups or [] if (name := _get(group.get_object(), "/Name"))]


def _get(holder: Any, key: str) -> Any:
    if holder is None or not hasattr(holder, "get"):
        return None
    value = holder.get(key)
    return value.get_object() if hasattr(value, "get_object") else value


def _name_tree(node: Any, depth: int = 0) -> list[tuple[Any, Any]]:
    return _tree(node, "/Names", depth)


def _number_tree(node: Any, depth: int = 0) -> list[tuple[Any, Any]]:
    return _tree(node, "/Nums", depth)


def _tree(node: Any, key: str, depth: int) -> list[tuple[Any, Any]]:
    if node is None or depth > 16:
        return []
    pairs: list[tuple[Any, Any]] = []
    items = _get(node, key) or []
    for index in range(0, len(items) - 1, 2):
        value = items[index + 1]
        pairs.append((items[index], value.get_object() if hasattr(value, "get_object") else value))
    for kid in _get(node, "/Kids") or []:
        pairs.extend(_tree(kid.get_object(), key, depth + 1))
    return pairs
