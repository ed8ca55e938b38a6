"""Snapshots of the savings screens at 80x24 and 120x36: the idle checks' dialog (what they
will cost), the Savings panel with its list focused, and the details of a row with findings.

The sample estate (tests/support/estate.py) replayed with frozen clocks; the bastion (a running t2,
so ``previous-generation`` too) carries an ``idle-instance`` finding as a check would leave
it, so the panel and the details show one.
Update with ``pytest tests/test_snapshots_findings.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tracker_tui.aws.idle import IDLE_CHECK
from tracker_tui.model import Finding, Resource

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]

EVIDENCE = (
    "CPUUtilization over 14 days (14 daily datapoints): highest daily maximum 2.1% (under 5.0%), "
    "average 0.4% (under 2.0%); stopping it saves its compute"
)


def _checked(rows: list[Resource]) -> list[Resource]:
    """The estate with the bastion (a t2: previous-generation too) judged idle, as ``aws.idle`` leaves it."""
    out = []
    done = False
    for r in rows:
        if not done and r.kind == "ec2:instance" and r.name == "bastion" and r.monthly_cost:
            evidence = f"{EVIDENCE}, ${r.monthly_cost:.2f}/mo"
            finding = Finding("idle-instance", r.monthly_cost, evidence, "medium", "stop")
            r = dataclasses.replace(
                r,
                findings=(*r.findings, finding),
                details={**r.details, IDLE_CHECK: f"idle: {EVIDENCE} (checked 2026-12-02 09:30 UTC)"},
            )
            done = True
        out.append(r)
    return out


def checked_app() -> object:
    return make_app(sample_source(resources=_checked(sample_resources(priced=True))))


def after_scan(*keys: str, filter_text: str = "") -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_scan(pilot.app, pilot)  # type: ignore[arg-type]
        if filter_text:
            await pilot.press("slash")
            pilot.app.query_one("#filter", Input).value = filter_text
            await pilot.press("enter")
            await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_idle_check_dialog(snap_compare: Any, size: tuple[int, int]) -> None:
    """``i``: rows, metrics, requests, the cost and the thresholds before any request; the
    buttons show at 80x24."""
    assert snap_compare(checked_app(), terminal_size=size, run_before=after_scan("i"))


@pytest.mark.parametrize("size", SIZES)
def test_savings_panel_focused(snap_compare: Any, size: tuple[int, int]) -> None:
    """The Savings list (tab) with every finding id, its count and its sum; at 80 columns the
    panels start hidden (the table needs the width), so ``c`` shows them first."""
    keys = ("c", "tab") if size[0] < 100 else ("tab",)
    assert snap_compare(checked_app(), terminal_size=size, run_before=after_scan(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_details_with_findings(snap_compare: Any, size: tuple[int, int]) -> None:
    """A row with two findings: each with its saving, confidence and evidence."""
    run_before = after_scan("enter", filter_text="finding:idle-instance")
    assert snap_compare(checked_app(), terminal_size=size, run_before=run_before)
