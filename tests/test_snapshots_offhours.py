"""Snapshots of ``z``'s screens at 80x24 and 120x36 (issue 25): the schedule picker (a preset,
and a custom schedule that cannot be, saying why), the confirm dialog listing what it creates,
and ``:schedules``.  Every prompt, input and button stays on screen at 80x24."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tracker_tui.ui.screens.schedule import SchedulePicker

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def priced_app() -> object:
    return make_app(sample_source(resources=sample_resources(priced=True)))


def open_screen(make: Callable[[], Any], *keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.app.push_screen(make())
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_schedule_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    """Office hours preselected in the config's zone; the line under it shows the tag value, the
    hours a month and both crons."""
    make = lambda: SchedulePicker(7, "Europe/Paris")  # noqa: E731
    assert snap_compare(priced_app(), terminal_size=size, run_before=open_screen(make))


@pytest.mark.parametrize("size", SIZES)
def test_schedule_picker_custom_that_cannot_be(snap_compare: Any, size: tuple[int, int]) -> None:
    """Custom chosen, a stop before the start: the reason in red, Next disabled."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        picker = SchedulePicker(2, "America/New_York")
        await pilot.app.push_screen(picker)
        await pilot.pause()
        from textual.widgets import Input, RadioButton

        picker.query(RadioButton).last().value = True
        await pilot.pause()
        picker.query_one("#schedule-stop", Input).value = "06:00"
        await pilot.pause()

    assert snap_compare(priced_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_confirm_offhours(snap_compare: Any, size: tuple[int, int]) -> None:
    """After the picker: what ``z`` creates in the account (the role, the group, each pair with its
    crons and zone, the tag), each row's saving and note, the row it skips and why; the alias typed."""
    from tests.support.estate import sample_identity
    from tracker_tui.aws.actions import ActionOptions, plan
    from tracker_tui.aws.actions.offhours import creations
    from tracker_tui.offhours import preset
    from tracker_tui.ui.screens.confirm import ConfirmActionScreen

    def screen() -> Any:
        office = preset("office-hours", "Europe/Paris")
        rows = [
            r for r in sample_resources(priced=True) if r.name in {"batch-worker-1", "batch-worker-2", "web-prod-1"}
        ]
        rows += [r for r in sample_resources(priced=True) if r.kind == "ec2:volume"][:1]
        planned = plan(rows, "schedule", ActionOptions(schedule=office))
        assert [p.action for p in planned].count("schedule") == 3
        return ConfirmActionScreen(planned, sample_identity(), creates=creations(planned, office, "123456789012"))

    assert snap_compare(priced_app(), terminal_size=size, run_before=open_screen(screen))


def every_kind_app() -> object:
    return make_app(sample_source(resources=sample_resources(priced=True, every_kind=True)))


@pytest.mark.parametrize("size", SIZES)
def test_schedules_view(snap_compare: Any, size: tuple[int, int]) -> None:
    """``:schedules``: tracker-tui's schedules as rows, one per stop/start pair."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.press("colon", *"schedules", "enter")
        await pilot.pause()

    assert snap_compare(every_kind_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_schedule_details(snap_compare: Any, size: tuple[int, int]) -> None:
    """A schedule's details: its zone, crons, next stop and start (worked out as the screen opens:
    the clock is frozen here), targets and the free-tier basis of its $0.00."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.press("colon", *"schedules", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(every_kind_app(), terminal_size=size, run_before=run_before)
