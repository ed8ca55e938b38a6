"""Every key of the key map (README, "Keys"), pressed as a user would.

The app runs on a ReplaySource (tests/support/estate.py) through the same scan event path as a
live scan; assertions are on what the user sees: the status line, the rows the table shows,
the screen that is open and the text painted on it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from tests.support.estate import (
    ACCOUNT_ID,
    NOW,
    make_app,
    sample_resources,
    sample_source,
    wait_scan,
)
from tests.support.helpers import screen_text, shown_text, wait_until
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.model import Resource
from tracker_tui.replay import ReplaySource
from tracker_tui.store import read_inventory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.details import DetailsScreen
from tracker_tui.ui.screens.export import ExportScreen
from tracker_tui.ui.screens.help import HelpScreen

TOTAL = 60
#: The replayed scan's cells: a kind whose rows are all in "global" (the sample's IAM users
#: and roles) once, every other kind once per region (4).
CELLS = 2 + 26 * 4
#: A terminal wide enough for every table column beside the cost panels.
WIDE = (170, 40)


# --- helpers --------------------------------------------------------------------------------


def run(
    test: Callable[[TrackerApp, Pilot[Any]], Awaitable[None]],
    app: TrackerApp | None = None,
    size: tuple[int, int] = (120, 36),
) -> TrackerApp:
    """Run ``test`` against a scanned app; returns the app (for its return value)."""
    app = app or make_app()

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await wait_scan(app, pilot)
            await test(app, pilot)

    asyncio.run(main())
    return app


def status(app: TrackerApp) -> str:
    """The status line as painted."""
    return shown_text(app.query_one("#status"))


def ids(app: TrackerApp) -> list[str]:
    return [r.id for r in app.table.visible_resources]


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


async def paste(pilot: Pilot[Any], text: str) -> None:
    """Paste ``text`` into the focused widget (one event, like a terminal's bracketed paste).

    Key-by-key typing costs about 0.1 s a key under the pilot, so long texts are pasted;
    the key-by-key path is covered by the tests that type.
    """
    focused = pilot.app.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def filter_by(pilot: Pilot[Any], text: str) -> None:
    """``/``, paste the filter, ``enter`` (back to the table)."""
    await pilot.press("slash")
    await paste(pilot, text)
    assert pilot.app.query_one("#filter", Input).value == text
    await pilot.press("enter")


def expected(predicate: Callable[[Resource], bool]) -> int:
    return sum(1 for r in sample_resources() if predicate(r))


#: A few believable prices, so cost filters and the cost sort have something to bite on.
INSTANCE_PRICES = {
    "m5.large": 70.08,
    "t3.micro": 7.59,
    "t2.micro": 8.47,
    "g5.xlarge": 734.40,
    "c6i.large": 62.05,
    "t3.large": 60.74,
    "r6g.large": 73.58,
    "t3.medium": 30.37,
}


def priced_resources() -> list[Resource]:
    """The sample estate with instances and volumes priced (everything else unpriced)."""
    out = []
    for r in sample_resources():
        if r.kind == "ec2:instance":
            itype = r.details["instance_type"]
            r = replace(r, monthly_cost=INSTANCE_PRICES[itype], cost_basis=f"{itype} on-demand, 730 h")
        elif r.kind == "ec2:volume":
            size = r.details["size_gib"]
            r = replace(r, monthly_cost=round(size * 0.08, 2), cost_basis=f"{size} GiB x $0.08/GiB-month")
        out.append(r)
    return out


# --- the main view ------------------------------------------------------------------------------


def test_replayed_scan_fills_the_table_and_status() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        assert app.table.row_count == TOTAL
        line = status(app)
        assert f"scan complete: {CELLS} cells" in line
        assert "60 found" in line and "1 error ·" in line
        assert "(g: coverage)" in line
        assert line.rstrip().endswith("60 rows")
        assert app.focused is app.table

    run(check)


def test_header_marks_a_production_alias() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        header = app.query_one("#header")
        text = shown_text(header)
        assert "PRODUCTION" in text
        assert f"account {ACCOUNT_ID} (acme-prod)" in text
        assert header.has_class("-danger")

    run(check, make_app(sample_source(alias="acme-prod")))


def test_header_does_not_mark_a_staging_alias() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        header = app.query_one("#header")
        text = shown_text(header)
        assert "PRODUCTION" not in text
        assert "(acme-staging)" in text
        assert not header.has_class("-danger")

    run(check, make_app(sample_source(alias="acme-staging")))


# --- / filter -------------------------------------------------------------------------------------


def test_slash_focuses_filter_typing_filters_and_escape_returns_to_table() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        filter_input = app.query_one("#filter", Input)
        assert app.focused is filter_input
        await type_text(pilot, "kind:ec2")
        assert filter_input.value == "kind:ec2"
        assert "25 of 60 rows" in status(app)
        assert app.table.row_count == 25
        assert {r.kind.split(":")[0] for r in app.table.visible_resources} == {"ec2"}
        await pilot.press("escape")
        assert app.focused is app.table
        # Leaving the filter keeps it in force.
        assert "25 of 60 rows" in status(app)

    run(check)


def test_enter_in_the_filter_returns_to_the_table() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await filter_by(pilot, "web")
        assert app.focused is app.table
        assert app.table.row_count == 10

    run(check)


def test_clearing_the_filter_shows_every_row_again() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        await type_text(pilot, "kind:s3")
        assert app.table.row_count == 5
        await pilot.press(*["backspace"] * len("kind:s3"))
        assert app.table.row_count == TOTAL
        assert status(app).rstrip().endswith("60 rows")
        assert " of " not in status(app).split("·")[-1]

    run(check)


FILTER_CASES = [
    ("kind:ec2", 25),
    ("kind:ec2:volume", 8),
    ("region:eu-west-1", 14),
    ("region:us-", 32),
    ("region:global", 8),
    ("state:stopped", 4),
    ("state:available", 14),
    ("tag:env=prod", 24),
    ("tag:env=dev", 20),
    ("tag:do-not-delete", 1),
    ("!tag:env", 16),
    ("!kind:iam", 52),
    ("kind:ec2:instance state:stopped", 3),
    ("kind:ec2 region:eu-west-1 !state:stopped", 7),
    ("web", 10),
]


def test_filter_qualifiers_through_the_ui() -> None:
    # One app for every case (an app start costs most of a second); each case replaces the
    # filter text, since focusing the filter selects what is there.
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        for text, rows in FILTER_CASES:
            await filter_by(pilot, text)
            assert shown_text(app.query_one("#filter-error")) == "", text
            assert app.table.row_count == rows, text
            assert f"{rows} of 60 rows" in status(app), text

    run(check)


def test_filter_case_counts_agree_with_the_fixture() -> None:
    """The hard-coded counts above are what the estate really holds (guards the fixture)."""
    assert expected(lambda r: r.kind.startswith("ec2:")) == 25
    assert expected(lambda r: r.state == "stopped") == 4
    assert expected(lambda r: r.tags.get("env") == "prod") == 24
    assert expected(lambda r: "do-not-delete" in r.tags) == 1
    assert expected(lambda r: r.region == "global") == 8
    assert expected(lambda r: r.kind == "ec2:instance" and r.state == "stopped") == 3


COST_CASES = [
    ("cost>100", 1),  # the g5.xlarge
    ("cost>60", 8),
    ("cost<10", 7),  # the t3.micro and five small volumes
    ("cost>=70.08", 5),
    ("!cost>60", 52),  # unpriced rows never satisfy a comparison, so the negation includes them
    ("kind:ec2:volume cost<10", 6),
]


def test_cost_filters_through_the_ui() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        for text, rows in COST_CASES:
            await filter_by(pilot, text)
            assert app.table.row_count == rows, text
            assert f"{rows} of 60 rows" in status(app), text

    run(check, make_app(sample_source(resources=priced_resources())))


def test_cost_filter_on_an_unpriced_estate_matches_nothing() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await filter_by(pilot, "cost>0")
        assert app.table.row_count == 0
        assert "0 of 60 rows" in status(app)

    run(check)


def test_bad_filter_shows_inline_error_and_leaves_rows_as_they_were() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        await type_text(pilot, "kind:ec2")
        before = ids(app)
        assert len(before) == 25
        filter_input = app.query_one("#filter", Input)
        # Pasted in one go, so no intermediate (valid) text filter runs first.
        await paste(pilot, " cost>abc")
        assert filter_input.value == "kind:ec2 cost>abc"
        error = shown_text(app.query_one("#filter-error"))
        assert "cost needs a number" in error
        assert "cost needs a number" in screen_text(app)
        assert ids(app) == before
        assert "25 of 60 rows" in status(app)
        # Fixing the filter clears the error.
        await pilot.press(*["backspace"] * len(" cost>abc"))
        assert shown_text(app.query_one("#filter-error")) == ""
        assert ids(app) == before

    run(check)


def test_unbalanced_quote_typed_key_by_key_keeps_the_rows() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        await type_text(pilot, "region:us-west-2")
        before = ids(app)
        assert len(before) == 10
        await type_text(pilot, ' "')
        assert "unbalanced quote" in shown_text(app.query_one("#filter-error"))
        assert ids(app) == before

    run(check)


# --- marks ------------------------------------------------------------------------------------


def test_space_marks_and_unmarks_the_cursor_row() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        first = app.table.cursor_resource
        assert first is not None
        await pilot.press("space")
        assert "1 marked" in status(app)
        assert app.table.is_marked(first)
        assert app.table.render_line(1).text.startswith("●")
        await pilot.press("down", "space")
        assert "2 marked" in status(app)
        await pilot.press("up", "space")
        assert "1 marked" in status(app)
        assert not app.table.is_marked(first)
        await pilot.press("down", "space")
        assert "marked" not in status(app)
        assert app.table.marked_count == 0

    run(check)


def test_ctrl_a_marks_every_filtered_row_and_again_clears() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await filter_by(pilot, "state:stopped")
        await pilot.press("ctrl+a")
        assert "4 of 60 rows · 4 marked" in status(app)
        assert {r.id for r in app.table.marked} == {r.id for r in app.table.visible_resources}
        await pilot.press("ctrl+a")
        assert "marked" not in status(app)
        assert app.table.marked_count == 0

    run(check)


def test_ctrl_a_with_no_filter_marks_all_rows() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+a")
        assert "60 rows · 60 marked" in status(app)

    run(check)


def test_escape_in_the_table_clears_marks() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("space", "down", "space", "down", "space")
        assert "3 marked" in status(app)
        await pilot.press("escape")
        assert app.table.marked_count == 0
        assert "marked" not in status(app)
        assert app.focused is app.table

    run(check)


def test_escape_in_the_filter_keeps_marks() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("space", "slash")
        await pilot.press("escape")
        assert app.focused is app.table
        assert "1 marked" in status(app)

    run(check)


# --- enter: details ---------------------------------------------------------------------------


def test_enter_opens_details_with_arn_tags_and_cost_basis_and_escape_leaves() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        row = app.table.cursor_resource
        assert row is not None and row.id == "i-0a1b2c3d4e5f60001"
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        await wait_until(pilot, lambda: "cost basis" in screen_text(app), what="the details painted")
        text = screen_text(app)
        assert "ec2:instance  web-prod-1  (us-east-1)" in text
        assert f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:instance/i-0a1b2c3d4e5f60001" in text
        assert "cost basis" in text and "m5.large on-demand, 730 h" in text
        assert "$70.08" in text
        assert "instance_type" in text
        # Tags, each key beside its value.
        lines = text.splitlines()
        assert any("env" in line and "prod" in line and "=" not in line for line in lines)
        assert any("team" in line and "web" in line for line in lines)
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailsScreen)
        assert app.focused is app.table

    run(check, make_app(sample_source(resources=priced_resources())), size=(120, 40))  # one screen


def test_details_of_an_unpriced_resource_say_so() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await filter_by(pilot, "acme-prod-backups")
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        text = screen_text(app)
        assert re.search(r"monthly cost +unknown", text), text
        assert "arn:aws:s3:::acme-prod-backups" in text
        assert "do-not-delete" in text

    run(check)


# --- r: rescan --------------------------------------------------------------------------------


def test_r_rescans_rows_come_back_filter_and_marks_kept() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        source = app.scan.source
        assert isinstance(source, ReplaySource)
        assert source.scans == 1
        await filter_by(pilot, "kind:ec2:instance")
        await pilot.press("space", "down", "space")
        assert "2 marked" in status(app)
        await pilot.press("r")
        await wait_scan(app, pilot)
        assert source.scans == 2
        assert app.table.total_count == TOTAL
        # The filter survives the rescan ...
        assert "10 of 60 rows" in status(app)
        # ... and so do the marks of the rows found again (tests/test_rescan_marks.py).
        assert app.table.marked_count == 2
        assert "2 marked" in status(app)
        assert f"scan complete: {CELLS} cells" in status(app)

    run(check)


# --- g: coverage -------------------------------------------------------------------------------


def test_g_opens_coverage_and_the_denied_cell_explains_itself() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("g")
        screen = app.screen
        assert isinstance(screen, CoverageScreen)
        # The sample's 60 rows fill 37 cells; the other kinds' cells are empty.
        assert f"37 done, {CELLS - 38} empty, 1 denied" in screen_text(app)
        grid = screen.query_one(DataTable)
        assert [str(grid.get_row_at(i)[0]) for i in range(grid.row_count)] == [
            "global", "us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2",
        ]
        # eu-west-1 is row 2; rds:db-instance is the 9th kind (column 9 after "region").
        column = list(REGISTRY).index("rds:db-instance") + 1
        await pilot.press("down", "down", *["right"] * column)
        assert grid.cursor_coordinate == (2, column)
        assert str(grid.get_cell_at(grid.cursor_coordinate)) == "DENY"
        cell = shown_text(screen.query_one("#coverage-cell"))
        assert "eu-west-1 / rds:db-instance: denied" in cell
        assert "AccessDenied" in cell and "explicit deny" in cell
        # Elsewhere: a done cell says how many it found (s3:bucket is the kind before).
        await pilot.press("left")
        assert "eu-west-1 / s3:bucket: done, 1 resources" in shown_text(screen.query_one("#coverage-cell"))
        await pilot.press("escape")
        assert not isinstance(app.screen, CoverageScreen)

    run(check)


def test_g_again_leaves_coverage() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("g")
        assert isinstance(app.screen, CoverageScreen)
        await pilot.press("g")
        assert not isinstance(app.screen, CoverageScreen)
        assert app.focused is app.table

    run(check)


@pytest.mark.parametrize("screen_key", ["g", "enter", "question_mark"])
def test_table_keys_do_nothing_behind_another_screen(screen_key: str) -> None:
    """Marks must never change out of sight (they decide what a bulk action touches)."""

    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press(screen_key)
        assert len(app.screen_stack) == 2
        await pilot.press("space", "ctrl+a", "r", "K")
        assert app.table.marked_count == 0
        assert isinstance(app.scan.source, ReplaySource)
        assert app.scan.source.scans == 1
        assert app.table.sort_column is None
        assert len(app.screen_stack) == 2

    run(check)

    run(check)


# --- e: export ----------------------------------------------------------------------------------


async def export_to(app: TrackerApp, pilot: Pilot[Any], path: Path) -> None:
    await pilot.press("e")
    assert isinstance(app.screen, ExportScreen)
    # The default path is selected on focus, so what the user pastes replaces it.
    await paste(pilot, str(path))
    assert app.screen.query_one(Input).value == str(path)
    await pilot.press("enter")
    await pilot.pause()


def test_export_json_writes_exactly_the_filtered_rows(tmp_path: Path) -> None:
    target = tmp_path / "out" / "volumes.json"

    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await filter_by(pilot, "kind:ec2:volume")
        shown = list(app.table.visible_resources)
        await pilot.press("e")
        label = shown_text(app.screen.query_one("Label"))
        assert "Export 8 rows" in label
        default = app.screen.query_one(Input).value
        assert default.endswith(f"tracker-{ACCOUNT_ID}-{NOW:%Y%m%d-%H%M%S}.json")
        await pilot.press("escape")
        await export_to(app, pilot, target)
        assert not isinstance(app.screen, ExportScreen)
        assert target.exists()
        inventory = read_inventory(target)
        assert inventory.resources == shown
        assert inventory.identity.account_id == ACCOUNT_ID
        assert inventory.identity.alias == "acme-staging"
        assert inventory.regions == ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
        assert any(n.message == f"Wrote 8 rows to {target}" for n in app._notifications)

    run(check)
    # The file is valid inventory-v1 JSON on its own.
    assert json.loads(target.read_text())["schema"] == "tracker-tui/inventory/v1"


def test_export_csv_writes_exactly_the_filtered_rows(tmp_path: Path) -> None:
    target = tmp_path / "stopped.csv"

    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await filter_by(pilot, "state:stopped")
        await export_to(app, pilot, target)

    run(check)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert sorted(r["id"] for r in rows) == sorted(
        r.id for r in sample_resources() if r.state == "stopped"
    )
    jenkins = next(r for r in rows if r["name"] == "jenkins-old")
    assert jenkins["tags"] == "Name=jenkins-old;env=dev;team=platform"
    assert jenkins["region"] == "eu-west-1"


def test_export_with_a_bad_extension_shows_an_inline_error(tmp_path: Path) -> None:
    target = tmp_path / "inventory.txt"

    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await export_to(app, pilot, target)
        assert isinstance(app.screen, ExportScreen)  # still open, the user can fix it
        assert "must end in .json or .csv" in shown_text(app.screen.query_one("#export-error"))
        assert "must end in .json or .csv" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, ExportScreen)

    run(check)
    assert list(tmp_path.iterdir()) == []


def test_export_escape_cancels_without_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where the default path points

    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("e", "escape")
        assert not isinstance(app.screen, ExportScreen)
        assert app.focused is app.table

    run(check)
    assert list(tmp_path.iterdir()) == []


# --- ? help, ctrl+p palette, q quit ---------------------------------------------------------------


def test_question_mark_opens_help_with_the_key_map_and_filter_grammar() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in ("/", "space", "ctrl+a", "escape", "enter", "r", "g", "e", "?", "ctrl+p", "q", "K N I R S C A T"):
            assert any(line.strip().startswith(key) for line in text.splitlines()), key
        # The filter grammar follows the keys; the help scrolls to it.
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "tag:env=prod" in text and "cost>100" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

    run(check, size=(120, 40))  # every key of the map on one screen


def test_ctrl_p_palette_runs_coverage_grid() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Coverage grid")
        commands = app.screen.query_one(CommandList)
        for _ in range(100):  # the palette searches asynchronously
            if commands.option_count and commands.highlighted is not None:
                break
            await pilot.pause(0.02)
        else:
            raise AssertionError("the palette found no command")
        assert "Coverage grid" in str(commands.get_option_at_index(commands.highlighted).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CoverageScreen)

    run(check)


def test_q_quits_with_exit_code_zero() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("q")

    app = run(check)
    assert app.return_value == 0


def test_footer_shows_the_main_keys_at_120_columns() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        footer = screen_text(app).splitlines()[-1]
        for label in ("/ Filter", "space Mark", "s Stop", "^d Delete", "r Scan", "c Cost", "g Grid", "e Export",
                      "? Help", "q Quit"):
            assert label in footer, label

    run(check)


def test_every_footer_key_fits_at_80_columns() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        footer = screen_text(app).splitlines()[-1]
        assert footer.rstrip().endswith("q Quit"), footer

    run(check, size=(80, 24))


# --- sort keys ----------------------------------------------------------------------------------


def _age_order(r: Resource) -> str:
    return r.created or ""


SORT_CASES = [
    ("K", "kind", "Kind", lambda r: r.kind),
    ("N", "name", "Name", lambda r: r.name.lower()),
    ("I", "id", "ID", lambda r: r.id.lower()),
    ("R", "region", "Region", lambda r: r.region),
    ("S", "state", "State", lambda r: r.state.lower()),
    ("T", "tags", "Tags", None),
]


def test_uppercase_sort_keys_sort_and_reverse() -> None:
    from tracker_tui.ui.widgets.resource_table import format_tags

    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        for key, column, label, key_fn in SORT_CASES:
            fn = key_fn or (lambda r: format_tags(r).lower())
            await pilot.press(key)
            assert app.table.sort_column == column and not app.table.sort_reverse, key
            values = [fn(r) for r in app.table.visible_resources]
            assert values == sorted(values), key
            assert values != sorted(values, reverse=True), key  # the estate is not uniform
            assert f"{label} ▲" in app.table.render_line(0).text, key
            await pilot.press(key)
            assert app.table.sort_reverse, key
            values = [fn(r) for r in app.table.visible_resources]
            assert values == sorted(values, reverse=True), key
            assert f"{label} ▼" in app.table.render_line(0).text, key

    # Wide enough that every column (and so its sort arrow) shows beside the cost panels.
    run(check, size=WIDE)


def test_sort_by_cost_puts_unpriced_last_both_ways() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("C")
        costs = [r.monthly_cost for r in app.table.visible_resources]
        priced = [c for c in costs if c is not None]
        assert len(priced) == 18
        assert costs[:18] == sorted(priced)
        assert all(c is None for c in costs[18:])
        assert "Cost/mo ▲" in app.table.render_line(0).text
        await pilot.press("C")
        costs = [r.monthly_cost for r in app.table.visible_resources]
        assert costs[:18] == sorted(priced, reverse=True)
        assert costs[0] == 734.40
        assert all(c is None for c in costs[18:])
        assert "Cost/mo ▼" in app.table.render_line(0).text

    run(check, make_app(sample_source(resources=priced_resources())), size=WIDE)


def test_sort_by_age_youngest_first_then_oldest_first_undated_last() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("A")
        created = [r.created for r in app.table.visible_resources]
        dated = [c for c in created if c]
        assert len(dated) == TOTAL - 4  # Elastic IPs have no creation time
        assert created[: len(dated)] == sorted(dated, reverse=True)  # youngest first
        assert all(c is None for c in created[len(dated):])
        assert "Age ▲" in app.table.render_line(0).text
        await pilot.press("A")
        created = [r.created for r in app.table.visible_resources]
        assert created[: len(dated)] == sorted(dated)
        assert all(c is None for c in created[len(dated):])
        # The age column reads against the frozen clock: the oldest row is about 2 years old.
        oldest = created[0]
        assert oldest is not None
        assert datetime.fromisoformat(oldest.replace("Z", "+00:00")).year == 2025

    run(check, size=WIDE)


def test_sort_applies_to_the_filtered_view_and_keeps_the_filter() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await filter_by(pilot, "kind:lambda")
        await pilot.press("N")
        assert [r.name for r in app.table.visible_resources] == [
            "gdpr-export", "nightly-report", "orders-webhook", "slack-notifier", "thumbnailer",
        ]
        assert "5 of 60 rows" in status(app)

    run(check)


def test_sorting_by_a_column_hidden_at_80_columns_says_so_in_the_status_line() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("I")
        assert "sorted by id ▲" in status(app)
        await pilot.press("I")
        assert "sorted by id ▼" in status(app)
        await pilot.press("N")  # name is on screen: its arrow is in the header instead
        assert "sorted by" not in status(app)

    run(check, size=(80, 24))
