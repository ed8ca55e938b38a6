"""Rows streaming in (and filter keys) move the table's scrollbar without laying the screen out.

A layout pass measures and repaints every widget of the screen, the cost panels' tables
included: 15-70 ms a time during a many-account scan.  The table's size does not depend on
its row count, so only a scrollbar that appears or goes needs one.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from textual.pilot import Pilot

from tests.support.estate import make_app, wait_scan
from tests.support.helpers import count_layouts, screen_text
from tracker_tui.ui.app import TrackerApp


async def _scanned(app: TrackerApp, pilot: Pilot[Any]) -> None:
    await wait_scan(app, pilot)
    await pilot.pause()


def test_more_rows_move_the_scrollbar_and_the_end_is_reachable_without_a_layout() -> None:
    async def main() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await _scanned(app, pilot)
            table = app.table
            assert table.show_vertical_scrollbar  # 60 rows on a screen of about 30
            laid_out = count_layouts(app.main)
            extra = [replace(r, id=f"{r.id}-more", name=f"more-{i}") for i, r in enumerate(table.resources[:40])]
            table.add_resources(extra)
            await pilot.pause()
            assert laid_out == []
            assert table.vertical_scrollbar.window_virtual_size == table.row_count + 1 == 101
            await pilot.press("end")
            await pilot.pause()
            assert table.cursor_resource is not None and table.cursor_resource.name == "more-39"
            assert "more-39" in screen_text(app)  # scrolled all the way: the last row shows

    asyncio.run(main())


def test_the_scrollbar_still_comes_and_goes_with_the_rows() -> None:
    async def main() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await _scanned(app, pilot)
            table = app.table
            await pilot.press("slash", *"kind:ec2:volume", "enter")
            await pilot.pause()
            assert 0 < table.row_count < 20
            assert not table.show_vertical_scrollbar
            await pilot.press("slash", "ctrl+u", "enter")
            await pilot.pause()
            assert table.row_count == 60
            assert table.show_vertical_scrollbar
            await pilot.press("end")
            await pilot.pause()
            last = table.visible_resources[-1]
            assert table.cursor_resource == last
            assert (last.name or last.id) in screen_text(app)

    asyncio.run(main())
