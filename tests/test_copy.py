"""``y`` and ``Y`` copy to the clipboard over OSC 52 (README, "Keys"), pressed as a user would."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.clipboard import in_table_order, row_message, shorten
from tracker_tui.ui.screens.details import DetailsScreen

OSC52 = "\x1b]52;c;"


def run(test: Callable[[TrackerApp, Pilot[Any]], Awaitable[None]], app: TrackerApp | None = None) -> None:
    """Run ``test`` against a scanned app at 120x36."""
    app = app or make_app()

    async def main() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await test(app, pilot)

    asyncio.run(main())


def messages(app: TrackerApp) -> list[tuple[str, str]]:
    """The notifications shown: (severity, message)."""
    return [(n.severity, n.message) for n in app._notifications]


def spy_terminal(app: TrackerApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app writes to the terminal from now on (the headless driver drops it)."""
    written: list[str] = []
    assert app._driver is not None
    monkeypatch.setattr(app._driver, "write", written.append)
    return written


def osc52(text: str) -> str:
    """The escape that puts ``text`` on the terminal's clipboard."""
    return f"{OSC52}{base64.b64encode(text.encode()).decode()}\a"


def test_y_copies_the_cursor_rows_arn_over_osc52(monkeypatch: pytest.MonkeyPatch) -> None:
    async def test(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("down")
        row = app.table.cursor_resource
        assert row is not None and row.arn
        written = spy_terminal(app, monkeypatch)
        await pilot.press("y")
        assert app.clipboard == row.arn
        assert osc52(row.arn) in written
        assert ("information", f"Copied the ARN of {row.name}: {row.arn}") in messages(app)

    run(test)


def test_y_copies_the_id_of_a_row_without_an_arn() -> None:
    resources = sample_resources()
    resources[0] = replace(resources[0], arn=None)

    async def test(app: TrackerApp, pilot: Pilot[Any]) -> None:
        row = app.table.cursor_resource
        assert row is not None and row.arn is None and row.id == resources[0].id
        await pilot.press("y")
        assert app.clipboard == row.id
        assert ("information", f"Copied the id of {row.name}: {row.id}") in messages(app)

    run(test, make_app(sample_source(resources=resources)))


def test_y_on_an_empty_table_warns_and_copies_nothing() -> None:
    async def test(app: TrackerApp, pilot: Pilot[Any]) -> None:
        assert app.table.cursor_resource is None
        await pilot.press("y")
        assert app.clipboard == ""
        assert ("warning", "No row under the cursor.") in messages(app)

    run(test, make_app(sample_source(resources=[])))


def test_Y_copies_the_marked_ids_one_per_line_in_table_order(monkeypatch: pytest.MonkeyPatch) -> None:
    async def test(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("N", "home")  # by name: the table's order is not the arrival order
        await pilot.press("down", "space", "down", "down", "space", "down", "space")
        shown = app.table.visible_resources
        expected = "\n".join(r.id for r in (shown[1], shown[3], shown[4]))
        assert [r.id for r in app.table.marked] != expected.splitlines()  # the marks' own order differs
        written = spy_terminal(app, monkeypatch)
        await pilot.press("Y")
        assert app.clipboard == expected
        assert osc52(expected) in written
        assert ("information", "Copied 3 ids (marked rows)") in messages(app)

    run(test)


def test_Y_with_nothing_marked_warns_and_leaves_the_clipboard() -> None:
    async def test(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("y")
        before = app.clipboard
        assert before
        await pilot.press("Y")
        assert app.clipboard == before
        assert ("warning", "Nothing marked: space marks a row; y copies the cursor row's ARN.") in messages(app)

    run(test)


def test_y_in_the_details_copies_the_rows_arn(monkeypatch: pytest.MonkeyPatch) -> None:
    async def test(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        row = app.screen.resource
        assert row.arn
        written = spy_terminal(app, monkeypatch)
        await pilot.press("y")
        assert isinstance(app.screen, DetailsScreen)  # it stays open
        assert app.clipboard == row.arn
        assert osc52(row.arn) in written
        assert ("information", f"Copied the ARN of {row.name}: {row.arn}") in messages(app)

    run(test)


def test_a_long_arn_is_shortened_in_the_message_only() -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + "x" * 80
    row = replace(sample_resources()[0], arn=arn)
    message = row_message(row)
    assert arn not in message and message.endswith("x" * 30)
    assert len(shorten(arn)) == 80 and shorten(arn).startswith("arn:aws:logs")
    assert shorten("short") == "short"


def test_marked_rows_the_filter_hides_come_after_the_shown_ones() -> None:
    a, b, c, d = sample_resources()[:4]
    assert in_table_order([a, b, c], shown=[d, c, a]) == [c, a, b]
