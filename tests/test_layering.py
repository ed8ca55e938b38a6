"""Imports run one way: cli -> ui -> the data layers.  Nothing under ui/ imports the cli,
and the cli imports the UI only when it opens it (scan, config and audit never load Textual)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
