"""``z`` driven with keys against moto (issue 25's "done when", on a small account): filter
``finding:no-off-hours``, ``ctrl+a``, ``z``, office hours, type the account: the role, the group
and one pair of schedules exist with the right crons and zone, the rows show ``z`` and cost their
schedule's hours, the Savings panel drops by exactly their saving, and the Auto Scaling member is
refused with its reason.  Also: the picker's answers, cancelling, read-only mode, a row that
cannot be scheduled."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

import boto3
from moto import mock_aws
from textual.pilot import Pilot
from textual.widgets import Button, Input, RadioButton

from tests.support.helpers import actions_done, filter_rows, moto_session, scan_done, screen_text, wait_until
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.config import Settings
from tracker_tui.offhours import GROUP, ROLE, SCHEDULE_TAG, preset
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen
from tracker_tui.ui.screens.schedule import SchedulePicker

ACCOUNT = "123456789012"
REGION = "us-east-1"
ZONE = "Europe/Paris"


def _estate() -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name=REGION)

    def launch(name: str, env: str, **extra: str) -> str:
        tags = [{"Key": "Name", "Value": name}, {"Key": "env", "Value": env}]
        tags += [{"Key": k, "Value": v} for k, v in extra.items()]
        out = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large",
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
        )  # fmt: skip
        return str(out["Instances"][0]["InstanceId"])

    return {
        "ec2": ec2,
        "dev": [launch("dev-api", "dev"), launch("dev-web", "Development")],
        "asg": launch("", "dev", **{"aws:autoscaling:groupName": "dev-workers"}),
        "prod": launch("prod-api", "prod"),
    }


def _app(**kw: Any) -> TrackerApp:
    session = moto_session()
    source = LiveSource(lambda: session, resolve_kinds(["ec2:instance"]), [REGION])
    settings = kw.pop("settings", Settings(offhours_timezone=ZONE))
    return TrackerApp(source, monotonic=lambda: 0.0, settings=settings, **kw)


def run(check: Callable[[TrackerApp, Pilot[Any], dict[str, Any]], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        estate = _estate()

        async def go() -> None:
            app = _app(**kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await check(app, pilot, estate)

        asyncio.run(go())


async def _pick(pilot: Pilot[Any]) -> SchedulePicker:
    await pilot.press("z")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, SchedulePicker)
    return picker


def test_z_on_the_findings_schedules_them_and_the_savings_drop_by_exactly_their_saving() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, "finding:no-off-hours")
        rows = list(app.table.visible_resources)
        assert {r.id for r in rows} == {*estate["dev"], estate["asg"]}
        before = app.costs.savings().monthly
        dev_saving = sum(f.monthly_saving or 0.0 for r in rows if r.id in estate["dev"] for f in r.findings
                         if f.id == "no-off-hours")  # fmt: skip
        await pilot.press("ctrl+a")
        picker = await _pick(pilot)
        assert picker.query_one("#schedule-zone", Input).value == ZONE  # the config's zone
        await pilot.click("#schedule-next")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmActionScreen)
        text = screen_text(app)
        assert ROLE in text and f"group {GROUP}" in text.replace("schedule group", "group")
        assert dialog.typed  # confirmed like a bulk stop: the account typed
        await pilot.press(*ACCOUNT, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ActionProgressScreen)
        await wait_until(pilot, actions_done(app), timeout=60)
        await pilot.pause(0.2)
        assert "Auto Scaling" in screen_text(app)  # the member's refusal, on the results screen
        scheduler = boto3.client("scheduler", region_name=REGION)
        names = sorted(s["Name"] for s in scheduler.list_schedules(GroupName=GROUP)["Schedules"])
        office = preset("office-hours", ZONE)
        assert len(names) == 2 and all(n.startswith(office.slug + "-ec2-") for n in names)
        for name in names:
            got = scheduler.get_schedule(GroupName=GROUP, Name=name)
            assert got["ScheduleExpressionTimezone"] == ZONE
            assert got["ScheduleExpression"] in office.crons()
            assert sorted(json.loads(got["Target"]["Input"])["InstanceIds"]) == sorted(estate["dev"])
        boto3.client("iam").get_role(RoleName=ROLE)
        tags = {
            i["InstanceId"]: {t["Key"]: t["Value"] for t in i.get("Tags", [])}
            for res in estate["ec2"].describe_instances()["Reservations"] for i in res["Instances"]
        }  # fmt: skip
        assert all(tags[i][SCHEDULE_TAG] == office.text for i in estate["dev"])
        assert SCHEDULE_TAG not in tags[estate["asg"]]
        await pilot.press("escape")
        await pilot.pause()
        shown = {r.id: r for r in app.table.resources}
        for ident in estate["dev"]:
            assert "no-off-hours" not in {f.id for f in shown[ident].findings}
            assert "scheduled office hours" in (shown[ident].cost_basis or "")
        assert round(before - app.costs.savings().monthly, 2) == round(dev_saving, 2)
        await filter_rows(pilot, "schedule:office")
        assert {r.id for r in app.table.visible_resources} == set(estate["dev"])
        await pilot.pause(0.2)
        assert screen_text(app).count("z runn") == 2, screen_text(app)

        # :schedules has the pair at once (no rescan), and ctrl+d on it removes it, tags and all.
        await pilot.press("colon", *"schedules", "enter")
        await pilot.pause()
        (pair,) = app.table.visible_resources
        assert pair.kind == "scheduler:schedule" and sorted(pair.details["targets"]) == sorted(estate["dev"])
        assert pair.details["zone"] == ZONE and pair.name == f"ec2 x2: {office.text}"
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActionScreen)
        await pilot.press(*ACCOUNT, "enter")
        await wait_until(pilot, actions_done(app), timeout=60)
        await pilot.pause(0.2)
        removed = screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert boto3.client("scheduler", region_name=REGION).list_schedules(GroupName=GROUP)["Schedules"] == [], removed
        assert app.table.visible_resources == []
        shown = {r.id: r for r in app.table.resources}
        for ident in estate["dev"]:
            assert SCHEDULE_TAG not in shown[ident].tags and shown[ident].monthly_cost == 70.08
            assert "no-off-hours" in {f.id for f in shown[ident].findings}

    run(check)


def test_the_asg_member_is_refused_with_its_reason() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, f"{estate['asg']}")
        picker = await _pick(pilot)
        picker.query_one("#schedule-next", Button).press()
        await pilot.pause()
        await pilot.press(*ACCOUNT, "enter")
        await wait_until(pilot, actions_done(app), timeout=60)
        assert "Auto Scaling" in screen_text(app)
        assert boto3.client("scheduler", region_name=REGION).list_schedules()["Schedules"] == []

    run(check)


def test_the_picker_builds_a_custom_schedule_and_refuses_one_that_cannot_be() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, "dev-api")
        picker = await _pick(pilot)
        picker.query(RadioButton).last().value = True
        await pilot.pause()
        picker.query_one("#schedule-stop", Input).value = "06:00"
        await pilot.pause()
        assert picker.query_one("#schedule-next", Button).disabled and picker.chosen is None
        picker.query_one("#schedule-days", Input).value = "MON,WED"
        picker.query_one("#schedule-start", Input).value = "07:30"
        picker.query_one("#schedule-stop", Input).value = "18:00"
        picker.query_one("#schedule-zone", Input).value = "Asia/Tokyo"
        await pilot.pause()
        assert picker.chosen is not None and picker.chosen.text == "custom MON,WED 07:30-18:00 Asia/Tokyo"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SchedulePicker)
        assert any("nothing was scheduled" in n.message for n in app._notifications)

    run(check)


def test_enter_takes_the_highlighted_schedule_and_goes_on_or_to_the_days_for_custom() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, "dev-api")
        await _pick(pilot)
        await pilot.press("down", "enter")  # nights off
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmActionScreen)
        assert any(preset("nights-off", ZONE).text in line for line in dialog.creates)
        await pilot.press("escape")
        await pilot.pause()
        picker = await _pick(pilot)
        await pilot.press("down", "down", "down", "enter")  # custom: to its days first
        await pilot.pause()
        assert app.screen is picker and app.focused is picker.query_one("#schedule-days", Input)
        await pilot.press("enter")  # in a field: on to the dialog
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActionScreen)

    run(check)


def test_z_is_refused_in_read_only_mode_and_for_rows_it_cannot_schedule() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, "dev-api")
        await pilot.press("z")
        await pilot.pause()
        assert not isinstance(app.screen, SchedulePicker)
        assert any("read-only" in n.message for n in app._notifications)

    run(check, read_only=True)


def test_z_on_a_row_no_schedule_takes_says_why_and_opens_nothing() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, estate["asg"])
        app.table.add_resources([dataclasses.replace(app.table.visible_resources[0], kind="ec2:volume", id="vol-1")])
        await filter_rows(pilot, "vol-1")
        await pilot.press("z")
        await pilot.pause()
        assert not isinstance(app.screen, SchedulePicker)
        assert any("Nothing to schedule" in n.message and "ec2:volume" in n.message for n in app._notifications)

    run(check)
