"""Imports run one way: cli -> ui -> the data layers.  Nothing under ui/ imports the cli,
and the cli imports the UI only when it opens it (scan, config and audit never load Textual)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src" / "tracker_tui"


def _imported(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_under_ui_imports_the_cli() -> None:
    offenders = {
        str(path.relative_to(SRC)): sorted(n for n in _imported(path) if n.split(".")[:2] == ["tracker_tui", "cli"])
        for path in (SRC / "ui").rglob("*.py")
    }
    assert len(offenders) > 10  # the walk found the UI
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_cli_loads_the_ui_only_to_open_it() -> None:
    ui = ("tracker_tui.ui", "textual")
    assert not {n for n in _imported(SRC / "cli.py", top_level_only=True) if n.startswith(ui)}
    code = f"import sys, tracker_tui.cli; print(sorted(m for m in sys.modules if m.startswith({ui!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_nothing_under_ui_imports_the_app() -> None:
    """Screens and helpers see the app through ``ui.host``'s protocols, never ``ui/app.py``."""
    offenders = {
        str(path.relative_to(SRC)): sorted(n for n in _imported(path) if n == "tracker_tui.ui.app")
        for path in (SRC / "ui").rglob("*.py")
        if path.name != "app.py"
    }
    assert len(offenders) > 10
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_app_stays_a_thin_shell() -> None:
    """Compose, the one timer, screens and keys: scans, actions and checks live in ``runs``."""
    lines = (SRC / "ui" / "app.py").read_text(encoding="utf-8").count("\n")
    assert lines < 350, f"ui/app.py has {lines} lines: move coordination into tracker_tui.runs or ui/verbs.py"


# --- every module is in the contracts (pyproject.toml's [tool.importlinter]) ---------------------

#: Modules no layer names, each with why; test_what_no_layer_names_imports_nothing keeps it so.
UNLAYERED = {
    "tracker_tui": "the package's root: its version string, and no import",
    "tracker_tui.aws": "an empty package: each module under it is in a layer of its own",
}

#: Where Textual may be imported: the UI, and the cli that opens it (the app's entry point).
MAY_IMPORT_TEXTUAL = ("tracker_tui.ui", "tracker_tui.cli")


def _modules() -> list[str]:
    """Every module under src/tracker_tui, by its import name (a package by its own)."""
    names = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _contracts() -> list[dict[str, Any]]:
    with (SRC.parents[1] / "pyproject.toml").open("rb") as file:
        contracts: list[dict[str, Any]] = tomllib.load(file)["tool"]["importlinter"]["contracts"]
    return contracts


def _covered(module: str, named: set[str]) -> bool:
    """The module, or a package it is in, is named."""
    parts = module.split(".")
    return any(".".join(parts[:n]) in named for n in range(1, len(parts) + 1))


def _layered() -> set[str]:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    # A layer is one module or several siblings, "a | b" (independent) or "a : b" (not).
    return {name.strip() for layer in layers["layers"] for name in layer.replace(":", "|").split("|")}


def test_every_module_is_in_a_layer() -> None:
    """A module no layer names may import anything and be imported from anywhere: the layers
    contract says nothing about it, and lint-imports passes whatever it does."""
    modules = _modules()
    assert len(modules) > 80 and "tracker_tui.aws.kinds.ec2_volume" in modules  # the walk found the tree
    layered = _layered()
    missing = [m for m in modules if not _covered(m, layered) and m not in UNLAYERED]
    assert missing == [], "add these to a layer of the layers contract in pyproject.toml"


def test_what_no_layer_names_imports_nothing() -> None:
    """The modules left out of the layers stay empty of imports of the package, or the reason given is wrong."""
    for module in UNLAYERED:
        assert module in _modules()
        path = SRC.parent.joinpath(*module.split(".")) / "__init__.py"
        assert not {n for n in _imported(path) if n.startswith("tracker_tui")}, module


def test_everything_outside_the_ui_and_the_cli_is_forbidden_textual() -> None:
    """A module that may import Textual cannot run headless (``tracker-tui scan``, scripts, the runs)."""
    # The contract that keeps Textual, and the UI, out of everything else (the model's has its own).
    (headless,) = [c for c in _contracts() if {"textual", "tracker_tui.ui"} <= set(c.get("forbidden_modules", ()))]
    named = set(headless["source_modules"])
    missing = [
        m
        for m in _modules()
        if not m.startswith(MAY_IMPORT_TEXTUAL) and m not in UNLAYERED and not _covered(m, named)
    ]
    assert missing == [], "add these to the no-Textual contract's source_modules in pyproject.toml"
