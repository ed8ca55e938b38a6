"""``tracker-tui open FILE.json``: a saved inventory in the TUI, and the CLI's bad-file paths."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.estate import (
    ACCOUNT_ID,
    open_app,
    sample_errors,
    sample_identity,
    sample_resources,
    write_inventory,
)
from tests.support.helpers import run_cli, shown_text
from tracker_tui.store import read_inventory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.details import DetailsScreen


def status(app: TrackerApp) -> str:
    return shown_text(app.query_one("#status"))


def test_open_shows_the_saved_rows_without_scanning(tmp_path: Path) -> None:
    path = write_inventory(tmp_path / "acme.json")
    app = open_app(path)

    async def main_() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert not app.scanning
            assert app.table.total_count == 60
            assert [r.id for r in app.table.resources] == [r.id for r in sample_resources()]
            line = status(app)
            assert "acme.json, scanned 2026-11-28T22:15:00Z" in line
            assert line.rstrip().endswith("60 rows")
            header = shown_text(app.query_one("#header"))
            assert f"account {ACCOUNT_ID} (acme-staging)" in header
            assert "4 regions" in header
            # The table paints the saved rows.
            assert "web-prod-1" in app.table.render_line(1).text
            # Keys that read the table work as on a live scan.
            await pilot.press("slash")
            await pilot.press(*"kind:s3", "enter")
            assert "5 of 60 rows" in status(app)
            await pilot.press("enter")
            assert isinstance(app.screen, DetailsScreen)
            await pilot.press("escape")
            await pilot.press("r")  # nothing to rescan: a warning, the rows stay
            await pilot.pause()
            assert app.table.total_count == 60
            assert any("nothing to rescan" in n.message for n in app._notifications)

    asyncio.run(main_())


def test_open_coverage_shows_the_saved_error(tmp_path: Path) -> None:
    app = open_app(write_inventory(tmp_path / "acme.json"))

    async def main_() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("g")
            screen = app.screen
            assert isinstance(screen, CoverageScreen)
            assert "1 denied" in shown_text(screen.query_one("#coverage-title"))
            await pilot.press("down", "down", *["right"] * 6)
            cell = shown_text(screen.query_one("#coverage-cell"))
            assert "eu-west-1 / rds:db-instance: denied" in cell
            assert "AccessDenied" in cell

    asyncio.run(main_())


def _one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_cli_open_corrupt_json_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"schema": "tracker-tui/inventory/v1", "resources": [', encoding="utf-8")
    code, out, err = run_cli("open", str(path))
    assert code == 2
    assert out == ""
    line = _one_line(err)
    assert line.startswith("tracker-tui: error: ")
    assert str(path) in line and "not valid JSON" in line


def test_cli_open_foreign_json_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    code, out, err = run_cli("open", str(path))
    assert code == 2
    line = _one_line(err)
    assert "not a tracker-tui inventory" in line
    assert "tracker-tui/inventory/v1" in line


def test_cli_open_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run_cli("open", str(tmp_path / "nope.json"))
    assert code == 2
    assert "no such file" in _one_line(err)


def test_saved_inventory_round_trips(tmp_path: Path) -> None:
    inventory = read_inventory(write_inventory(tmp_path / "acme.json"))
    assert inventory.resources == sample_resources()
    assert inventory.errors == sample_errors()
    assert inventory.identity == sample_identity()
