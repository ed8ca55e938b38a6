"""Snapshot tests of every screen at 80x24 (bastion over SSH) and 120x36.

The app replays the sample estate (tests/fixtures.py) with both clocks frozen and the
filter's cursor blink off, so a screen only changes when the code does.  Update baselines
with ``pytest tests/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.fixtures import make_app, sample_resources, sample_source, wait_scan


def priced_app() -> object:
    """The sample estate priced from the catalogue, as a live scan shows it."""
    return make_app(sample_source(resources=sample_resources(priced=True)))


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def after_scan(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A run_before that waits for the replayed scan, then presses ``keys``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_view_after_scan(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan())


@pytest.mark.parametrize("size", SIZES)
def test_filtered_view(snap_compare: Any, size: tuple[int, int]) -> None:
    keys = ("slash", *"kind:ec2", "enter")
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_three_rows_marked(snap_compare: Any, size: tuple[int, int]) -> None:
    keys = ("space", "down", "down", "space", "down", "space")
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_details_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_coverage_grid_on_the_denied_cell(snap_compare: Any, size: tuple[int, int]) -> None:
    keys = ("g", "down", "down", *["right"] * 6)
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(priced_app(), terminal_size=size, run_before=after_scan("question_mark"))


def test_production_account_header(snap_compare: Any) -> None:
    app = make_app(sample_source(alias="acme-prod", resources=sample_resources(priced=True)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=after_scan())
