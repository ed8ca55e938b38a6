"""Marks across a rescan (issue 14): rows found again keep their marks; rows gone lose them,
and the operator is told how many."""

from __future__ import annotations

import asyncio

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tests.support.helpers import shown_text
from tracker_tui.ui.app import TrackerApp


def test_marks_survive_a_rescan_and_rows_gone_lose_theirs() -> None:
    rows = sample_resources(priced=True)
    source = sample_source(resources=rows)

    async def go() -> None:
        app = make_app(source)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("space", "down", "space", "down", "space")
            marked = [r.key for r in app.table.marked]
            assert len(marked) == 3
            # Between the scans the second marked row goes away (deleted elsewhere).
            gone = marked[1]
            source.resources = [r for r in rows if r.key != gone]

            await pilot.press("r")
            await wait_scan(app, pilot)

            assert [r.key for r in app.table.marked] == [marked[0], marked[2]]
            assert app.table.kept_marks_count == 0
            messages = [str(n.message) for n in app._notifications]
            assert any("1 marked row not found again by the rescan: unmarked." in m for m in messages), messages
            assert "2 marked" in _status(app)

    asyncio.run(go())


def test_escape_during_a_rescan_unmarks_for_good() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("space", "down", "space")
            app.start_scan()
            app.table.clear_marks()
            await wait_scan(app, pilot)
            assert app.table.marked_count == 0

    asyncio.run(go())


def _status(app: TrackerApp) -> str:
    return shown_text(app.query_one("#status"))
