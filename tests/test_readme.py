"""README's quick start and CI stay in step: CI runs exactly the test command README gives."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)]


def test_quick_start_has_the_demo_command_and_the_test_command() -> None:
    demo, tests = _quick_start_commands()
    assert demo == "pip install -e '.[demo]' && tracker-tui --demo"
    assert tests.startswith("pip install -e '.[test]' && ")


def test_ci_runs_the_readme_test_command_after_the_static_checks() -> None:
    _, tests = _quick_start_commands()
    script = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in script if line and not line.startswith(("#", "echo"))]
    assert commands[-1] == tests
    checks = commands.index("ruff check src tests benchmarks scripts"), commands.index("mypy")
    assert max(checks) < commands.index("lint-imports --no-cache") < len(commands) - 1
