"""The action flow driven with keys against moto: mark, ctrl+d / s, the confirm dialog's
rules (wrong name does nothing, escape cancels, the right name acts), refusals shown,
the table and costs updated, read-only mode."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import boto3
from moto import mock_aws
from textual.pilot import Pilot

from tests.support.helpers import actions_done, filter_rows, moto_session, scan_done, wait_until
from tracker_tui.aws.actions import Status
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

ACCOUNT = "123456789012"
KINDS = ["ec2:instance", "ec2:volume", "ec2:elastic-ip"]


def _estate() -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    loose = [
        ec2.create_volume(Size=size, AvailabilityZone="us-east-1a", VolumeType="gp3")["VolumeId"]
        for size in (10, 20, 30)
    ]
    web = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro")
    guarded = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro")
    guarded_id = guarded["Instances"][0]["InstanceId"]
    ec2.modify_instance_attribute(InstanceId=guarded_id, DisableApiTermination={"Value": True})
    return {"ec2": ec2, "loose": loose, "web": web["Instances"][0]["InstanceId"], "guarded": guarded_id}


def _app(**kw: Any) -> TrackerApp:
    session = moto_session()
    source = LiveSource(lambda: session, resolve_kinds(KINDS), ["us-east-1"])
    return TrackerApp(source, monotonic=lambda: 0.0, **kw)


def run(check: Callable[[TrackerApp, Pilot[Any], dict[str, Any]], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        estate = _estate()

        async def go() -> None:
            app = _app(**kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await check(app, pilot, estate)

        asyncio.run(go())


def _volumes(ec2: Any) -> set[str]:
    return {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}


def test_bulk_delete_needs_the_account_typed_and_escape_changes_nothing() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        ec2 = estate["ec2"]
        await filter_rows(pilot, "kind:ec2:volume state:available")
        assert app.table.row_count == 3
        await pilot.press("ctrl+a", "ctrl+d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert app.focused is screen.query_one("#confirm-cancel")
        assert screen.word == ACCOUNT  # moto accounts have no alias: the id is typed
        # A wrong name does nothing.
        await pilot.press(*"acme", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActionScreen)
        assert "nothing was done" in str(app.screen.query_one("#confirm-error").render())
        assert set(estate["loose"]) <= _volumes(ec2)
        # escape cancels.
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert set(estate["loose"]) <= _volumes(ec2)
        assert app.table.row_count == 3

        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press(*ACCOUNT, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ActionProgressScreen)
        progress = app.screen
        await wait_until(pilot, actions_done(app))
        assert not (set(estate["loose"]) & _volumes(ec2))
        assert all(u.status is Status.DONE for u in progress.latest.values())
        await pilot.press("escape")
        await pilot.pause()
        assert app.table.row_count == 0
        assert not any(r.kind == "ec2:volume" and r.state == "available" for r in app.table.resources)

    run(check)


def test_terminating_a_protected_instance_is_refused_with_the_reason() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, estate["guarded"])
        assert app.table.row_count == 1
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActionScreen)
        await pilot.press(*ACCOUNT, "enter")
        await pilot.pause()
        await wait_until(pilot, actions_done(app))
        progress = app.screen
        assert isinstance(progress, ActionProgressScreen)
        (update,) = progress.latest.values()
        assert update.status is Status.REFUSED
        assert "termination protection" in update.message
        reply = estate["ec2"].describe_instances(InstanceIds=[estate["guarded"]])
        assert reply["Reservations"][0]["Instances"][0]["State"]["Name"] == "running"

    run(check)


def test_a_single_stop_confirms_with_y_and_the_row_changes_state_and_cost() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, estate["web"])
        before = app.table.cursor_resource
        assert before is not None and before.state == "running" and before.monthly_cost
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen) and not screen.typed
        await pilot.press("y")
        await pilot.pause()
        await wait_until(pilot, actions_done(app))
        reply = estate["ec2"].describe_instances(InstanceIds=[estate["web"]])
        assert reply["Reservations"][0]["Instances"][0]["State"]["Name"] == "stopped"
        await pilot.press("escape")
        await pilot.pause()
        after = next(r for r in app.table.resources if r.id == estate["web"])
        assert after.state == "stopped"
        assert after.monthly_cost == 0.0
        assert round(app.costs.total, 2) == round(sum(r.monthly_cost or 0 for r in app.table.resources), 2)

    run(check)


def test_read_only_mode_refuses_the_keys_and_says_why() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        messages = [n.message for n in app._notifications]
        assert any("read-only" in m for m in messages)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert set(estate["loose"]) <= _volumes(estate["ec2"])

    run(check, read_only=True)


def test_marks_hidden_by_the_filter_are_said_and_a_confirmed_run_uses_the_marks_up() -> None:
    """Marks outlive a filter change (k9s): the dialog says how many acted-on rows the filter hides,
    and a confirmed run clears the marks, so a later key on another view acts on what it shows."""

    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, "kind:ec2:volume state:available")
        await pilot.press("ctrl+a")
        await filter_rows(pilot, "kind:ec2:instance")
        await pilot.press("ctrl+d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmActionScreen) and dialog.hidden == 3
        assert "3 of these rows are marked but hidden by the filter" in str(
            dialog.query_one("#confirm-facts").render()
        )
        await pilot.press("escape")
        await pilot.pause()
        assert app.table.marked_count == 3  # cancelled: the marks stay
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press(*ACCOUNT, "enter")
        await wait_until(pilot, actions_done(app))
        assert app.table.marked_count == 0

    run(check)
