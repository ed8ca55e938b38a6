"""The user's ``[keymap]`` (config.toml): binding id -> key(s), checked before Textual applies it.

    [keymap]
    mark = "x"
    delete = "ctrl+x"
    rescan = "f5,r"

Every binding of the main view and the app has a stable id (``ui.keys``).  An entry is
ignored, with one line saying why, when its id is unknown, its value is empty, or its key
is already taken by another binding (one that is not itself moved away) or by a key a
widget binds (enter, tab, the arrows, ctrl+p).  What is left goes to ``App.set_keymap``;
the footer follows the bindings, and the help and the palette read the same map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding

from tracker_tui.ui.keys import APP_KEYS, MAIN_KEYS, Key, OtherKeys, key_display, keys_of

try:  # Textual's own spelling of a one-character key ("?" -> "question_mark")
    from textual.keys import _character_to_key as _character_name
except ImportError:  # pragma: no cover - a Textual without it: characters stay as typed
    def _character_name(character: str) -> str:
        return character


def normalize(keys: str) -> list[str]:
    """``"?, ctrl+x"`` -> ``["question_mark", "ctrl+x"]`` (Textual's key names)."""
    out = []
    for key in keys.split(","):
        key = key.strip()
        if key:
            out.append(_character_name(key) if len(key) == 1 else key)
    return out


@dataclass(frozen=True)
class KeymapCheck:
    """What of the user's keymap is applied (Textual's form), and why the rest is not."""

    applied: dict[str, str]
    problems: tuple[str, ...]


def _all_keys() -> list[Key]:
    return keys_of([*MAIN_KEYS, *APP_KEYS])


def _reserved() -> dict[str, str]:
    """Keys bound by widgets and Textual (never remappable onto), with who binds them."""
    out: dict[str, str] = {}
    for entry in (*MAIN_KEYS, *APP_KEYS):
        if isinstance(entry, OtherKeys):
            for key in entry.keys:
                out[key] = entry.description.split(":")[0].split(" (")[0]
    return out


def check_keymap(keymap: Mapping[str, str]) -> KeymapCheck:
    """Validate ``keymap`` against the bindings: ``applied`` is safe to hand to Textual."""
    keys = {key.id: key for key in _all_keys()}
    problems: list[str] = []
    wanted: dict[str, list[str]] = {}
    for binding_id, value in keymap.items():
        if binding_id not in keys:
            problems.append(f"keymap: no binding '{binding_id}' (ids: {', '.join(sorted(keys))}); ignored")
            continue
        names = normalize(value) if isinstance(value, str) else []
        if not names:
            problems.append(f"keymap: '{binding_id}' needs a key such as \"x\" or \"ctrl+x\"; ignored")
            continue
        wanted[binding_id] = names
    # Where every binding ends up: its own key unless the keymap moves it.
    reserved = _reserved()
    final: dict[str, str] = {}
    for binding_id, key in keys.items():
        if binding_id not in wanted:
            final.setdefault(key.key, binding_id)
    applied: dict[str, str] = {}
    for binding_id, names in wanted.items():
        clash = next(((name, final[name]) for name in names if final.get(name, binding_id) != binding_id), None)
        taken = next((name for name in names if name in reserved), None)
        if clash is not None:
            name, other = clash
            problems.append(
                f"keymap: '{binding_id} = \"{keymap[binding_id]}\"': {key_display(name)} is already '{other}'; ignored"
            )
            continue
        if taken is not None:
            problems.append(
                f"keymap: '{binding_id} = \"{keymap[binding_id]}\"': {key_display(taken)} is the {reserved[taken]} "
                "key; ignored"
            )
            continue
        for name in names:
            final[name] = binding_id
        applied[binding_id] = ",".join(names)
    return KeymapCheck(applied, tuple(problems))


def clash_told(told: set[frozenset[str]], clashed: Iterable[Binding], node: object) -> str:
    """What to say about a keymap key a widget's own binding also uses ("" when said already):
    the widget's binding wins there."""
    clashed = list(clashed)
    ids = frozenset(str(b.id) for b in clashed)
    if ids in told:
        return ""
    told.add(ids)
    keys = ", ".join(sorted({key_display(b.key) for b in clashed}))
    return f"keymap: {keys} is taken on {type(node).__name__}; ignored there"
