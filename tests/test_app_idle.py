"""``i`` in the TUI against moto: the dialog says what the checks cost before any request,
escape reads nothing, enter reads CloudWatch off the UI thread and puts the judged rows back
(the Savings panel gains the idle line); a saved inventory and a scan in flight are refused."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from moto import mock_aws
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.estate import make_app, sample_identity, sample_resources, sample_source
from tests.support.helpers import moto_session, named, record_calls, scan_done, wait_until
from tests.support.metrics import check_days, launch_instances, put_cpu
from tracker_tui.aws.idle import IDLE_CHECK, IdleReport, plan_checks
from tracker_tui.aws.kinds import Thresholds, resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.runs import IdleDelta, IdleRun
from tracker_tui.store import Inventory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.idle import IdleCheckScreen


def run(check: Callable[[TrackerApp, Pilot[Any], dict[str, Any]], Awaitable[None]]) -> None:
    with mock_aws():
        idle, busy = launch_instances(2)
        now = datetime.now(UTC)
        put_cpu("us-east-1", idle, 0.1, 0.8, check_days(now))
        put_cpu("us-east-1", busy, 15.0, 75.0, check_days(now))
        boto3.client("ec2", region_name="us-east-1").create_volume(Size=8, AvailabilityZone="us-east-1a")
        session = moto_session()
        calls = record_calls(session)
        source = LiveSource(lambda: session, resolve_kinds(["ec2:instance", "ec2:volume"]), ["us-east-1"])

        async def go() -> None:
            app = TrackerApp(source, monotonic=lambda: 0.0)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await check(app, pilot, {"idle": idle, "busy": busy, "calls": calls})

        asyncio.run(go())


def test_i_asks_with_the_cost_then_flags_the_idle_instance() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        before = app.costs.waste_total()
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IdleCheckScreen)
        # Each instance: CPU maximum and average, network in and out; each root volume (attached):
        # read and write ops (ebs-no-io).
        assert "4 rows (2 EC2 instances, 2 EBS volumes) in 1 region: 12 metrics in 1 GetMetricData request" in (
            screen.plan.describe()
        )
        assert screen.plan.skipped == 1  # the loose volume
        assert named(estate["calls"], "cloudwatch.GetMetricData") == []  # nothing asked yet

        statuses: list[str] = []
        original = app.main.show_status

        def show_status(progress: str) -> None:
            statuses.append(progress)
            original(progress)

        app.main.show_status = show_status  # type: ignore[method-assign]
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.idle is None)

        # Progress was on the status line while they ran, first (80 columns cut the end).
        assert any(text.startswith("idle checks: 0/1 regions") for text in statuses), statuses
        assert any(text.startswith("idle checks: 1/1 regions") for text in statuses), statuses
        assert not statuses[-1].startswith("idle checks")
        assert len(named(estate["calls"], "cloudwatch.GetMetricData")) == 1
        rows = {r.id: r for r in app.table.resources}
        # m5.large: a Graviton twin was found from the row alone; the check adds idle-instance.
        graviton, idle = rows[estate["idle"]].findings
        assert (graviton.id, idle.id) == ("graviton-migration", "idle-instance")
        assert rows[estate["busy"]].details[IDLE_CHECK].startswith("busy: ")
        assert idle.monthly_saving is not None and graviton.monthly_saving is not None
        # The row counts once: stopping it ($70.08) now, instead of moving it to Graviton ($13.87).
        assert round(app.costs.waste_total() - before, 2) == round(idle.monthly_saving - graviton.monthly_saving, 2)
        lines = {line.finding_id: line for line in app.costs.waste_lines()}
        assert lines["idle-instance"].count == 1

    run(check)


def test_a_rescan_during_the_checks_drops_their_results() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        released = threading.Event()
        assert app.scan.source is not None
        session = app.scan.source.session_for("123456789012")

        def slow(**_: Any) -> None:
            released.wait(10)  # the answer comes back after the rescan has started

        session.boto.events.register("before-call.cloudwatch.GetMetricData", slow)
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.idle is not None)
        await pilot.press("r")
        released.set()
        await wait_until(pilot, lambda: app.idle is None and not app.scanning)

        assert any("results were dropped" in str(n.message) for n in app._notifications)
        assert all(IDLE_CHECK not in r.details for r in app.table.resources)
        assert all(not f.id.startswith("idle-instance") for r in app.table.resources for f in r.findings)

    run(check)


def test_a_row_deleted_while_the_checks_ran_does_not_come_back() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        rows = {r.id: r for r in app.table.resources}
        judged = dataclasses.replace(rows[estate["idle"]], details={IDLE_CHECK: "idle: ..."})
        app.table.remove_keys([judged.key])  # an action deleted it meanwhile
        run = IdleRun(plan_checks([]), lambda account: None, Thresholds(), app.scan.generation)
        run.take = lambda: IdleDelta(report=IdleReport(resources=[judged], idle=1))  # type: ignore[method-assign]
        app.watch_idle(run)
        await wait_until(pilot, lambda: app.idle is None)
        assert estate["idle"] not in {r.id for r in app.table.resources}
        assert app.idle is None

    run(check)


def test_escape_reads_no_metrics() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, IdleCheckScreen)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, IdleCheckScreen)
        assert app.idle is None
        assert named(estate["calls"], "cloudwatch.GetMetricData") == []
        assert all(IDLE_CHECK not in r.details for r in app.table.resources)

    run(check)


def test_the_filter_decides_what_is_checked() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await pilot.press("slash")
        app.query_one("#filter", Input).value = estate["busy"]
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IdleCheckScreen)
        assert [t.resource.id for t in screen.plan.targets] == [estate["busy"]]

    run(check)


def test_nothing_to_check_and_a_saved_inventory_are_refused_with_a_reason() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await pilot.press("slash")
        app.query_one("#filter", Input).value = "kind:ec2:volume state:available"
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press("i")
        await pilot.pause()
        assert not isinstance(app.screen, IdleCheckScreen)
        assert any("Nothing here to check" in str(n.message) for n in app._notifications)

    run(check)

    async def go() -> None:
        rows = sample_resources(priced=True)
        inventory = Inventory(identity=sample_identity(), regions=["us-east-1"], resources=rows)
        app = TrackerApp(None, inventory=inventory, inventory_label="saved.json")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("i")
            await pilot.pause()
            assert not isinstance(app.screen, IdleCheckScreen)
            assert any("saved inventory" in str(n.message) for n in app._notifications)

    asyncio.run(go())


def test_i_waits_for_the_scan_to_finish() -> None:
    """While rows are still arriving the checks are refused, not planned over half a view."""

    async def go() -> None:
        source = dataclasses.replace(sample_source(resources=sample_resources(priced=True)), page_delay=0.2)
        app = make_app(source)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: app.scanning and app.table.total_count > 0)
            await pilot.press("i")
            await pilot.pause()
            assert not isinstance(app.screen, IdleCheckScreen)
            assert any("Wait for the scan to finish" in str(n.message) for n in app._notifications)

    asyncio.run(go())
