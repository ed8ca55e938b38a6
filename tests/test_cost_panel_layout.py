"""The cost panel lays the screen out again only when a figure's height can change (issue 26).

A layout pass measures and repaints every widget of the screen: 40-100 ms during a scan of
many accounts, and the panel refreshes once a second.  Totals that grow a digit keep their
height, so they are shown without one (as do waste lines whose number stays the same: Textual
lays the list out without the screen); one waste line fewer, or a line long enough to wrap,
still lays the screen out.
"""

from __future__ import annotations

import asyncio
import dataclasses

from rich.text import Text
from textual.widgets import OptionList

from tests.support.helpers import count_layouts, scan_done, wait_until
from tests.test_cost_summary import KINDS, REGIONS, _estate
from tracker_tui.costs import CostSummary
from tracker_tui.model import Identity, Resource, format_cost
from tracker_tui.replay import ReplaySource
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.widgets.cost_panel import CostPanel, _shape


def _scaled(rows: list[Resource], factor: float) -> list[Resource]:
    return [dataclasses.replace(r, monthly_cost=r.monthly_cost * factor) if r.monthly_cost else r for r in rows]


def test_the_shape_of_a_text_is_its_line_count_unless_a_line_can_wrap() -> None:
    short, longer = Text("Monthly run-rate $9.99\n3 priced"), Text("Monthly run-rate $99,999.99\n30 priced")
    assert _shape(short, 36) == _shape(longer, 36) == 2
    wide = Text("x" * 40)
    assert _shape(wide, 36) == (40,) != _shape(Text("x" * 41), 36)
    assert _shape(Text("x" * 35), 36) == 1 and _shape(Text("x" * 36), 36) == (36,)  # the last column may wrap
    assert _shape(short, 0) == (22, 8)  # no width yet (not laid out): the lengths


def test_figures_that_grow_and_waste_counts_that_change_are_shown_without_a_layout() -> None:
    estate = _estate(120)
    source = ReplaySource(Identity("123456789012", "", "acme-staging"), REGIONS, KINDS, estate, page_size=25)

    async def run() -> None:
        app = TrackerApp(source, monotonic=lambda: 0.0)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, scan_done(app))
            await pilot.pause()
            panel = app.query_one(CostPanel)
            laid_out = count_layouts(app.main)

            # Every cost times 100: the total grows two digits, the waste savings too; the
            # same kinds, regions, top 10 and waste lines.
            bigger = CostSummary()
            bigger.add(_scaled(app.table.resources, 100.0))
            panel.update_from(bigger)
            await pilot.pause()
            assert laid_out == []
            text = str(panel.query_one("#cost-total").render())
            assert f"Monthly run-rate {format_cost(bigger.total)}" in text
            options = panel.query_one("#waste-list", OptionList)
            first = bigger.waste_lines()[0]
            assert first.saving_text() in str(options.get_option_at_index(0).prompt)

            # One waste line fewer: the list's height changes, so the screen is laid out.
            fewer = CostSummary()
            fewer.add(
                [r for r in _scaled(app.table.resources, 100.0) if all(f.id != first.finding_id for f in r.findings)]
            )
            panel.update_from(fewer)
            await pilot.pause()
            assert laid_out != []
            assert options.option_count == len(fewer.waste_lines()) == len(bigger.waste_lines()) - 1

    asyncio.run(run())
