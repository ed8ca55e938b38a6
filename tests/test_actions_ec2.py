"""The handlers of aws/actions/ec2.py against moto, each action and each refusal: stop, start and
terminate an instance (DryRun first; termination and stop protection; a protected tag, one added
since the scan too), delete a volume, release an Elastic IP, delete a NAT gateway; and ``u`` in
the app.  Modifying a volume to gp3 has its own file, tests/test_actions_ec2_modify.py.

moto 5.2 stops an instance at once (``stopped`` straight after the call) and starts it at once
(``running``); it honours DryRun on StartInstances.  The rails every handler shares (protected
tags in any case, the audit log, the row's region, AWS errors, verification, states when
re-read) run on these handlers through their cases in tests/support/rails/ec2.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.pilot import Pilot

from tests.support import helpers
from tests.support.actions import act, instance_state, on_call, run_instance, statuses
from tests.support.helpers import actions_done, error_response, filter_rows, scan_done, wait_until
from tests.support.rails.base import scanned
from tracker_tui.aws.actions import ActionUpdate, Status
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

REGION = "us-east-1"


# --- helpers -----------------------------------------------------------------------------


def _network(ec2: Any) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    return vpc, subnets


def _stopped_instance(ec2: Any, tags: dict[str, str] | None = None) -> str:
    instance_id = run_instance(ec2, tags)
    ec2.stop_instances(InstanceIds=[instance_id])
    assert instance_state(ec2, instance_id) == "stopped"
    return instance_id


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


# --- EC2 instances -----------------------------------------------------------------------


def test_stop_instance_verifies_and_returns_it_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        assert row.monthly_cost and row.monthly_cost > 0

        finals, seen = act(session, audit, [row], "stop")

        assert instance_state(ec2, instance_id) == "stopped"
    assert statuses(seen, instance_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert done.action == "stop" and not done.deleted
    assert done.result is not None
    assert done.result.state == "stopped"
    assert done.result.monthly_cost == 0.0
    assert done.result.cost_basis and done.result.cost_basis.startswith("stopped")
    assert done.result.details["instance_type"] == "t3.micro"


def test_terminate_instance(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]

        (done,), _ = act(session, audit, [row], "delete")

        assert instance_state(ec2, instance_id) == "terminated"
    assert (done.status, done.action, done.deleted) == (Status.DONE, "terminate", True)


def test_stop_refused_when_already_stopped(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]  # scanned while running
        ec2.stop_instances(InstanceIds=[instance_id])

        (refused,), _ = act(session, audit, [row], "stop")

    assert refused.status is Status.REFUSED
    assert refused.message == "already stopped"
    assert audit.tail(50) == []  # nothing was called, not even a dry run


@pytest.mark.parametrize(
    ("tags", "options", "reason"),
    [
        ({"do-not-delete": "yes"}, {}, "tag do-not-delete is set"),
        ({"protected": ""}, {}, "tag protected is set"),
        ({"keep-forever": "1"}, {"protected_tags": ("keep-forever",)}, "tag keep-forever is set"),
    ],
)
def test_protected_tags_refuse_terminate_and_nothing_changes(
    audit: AuditLog, tags: dict[str, str], options: dict[str, Any], reason: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2, tags)
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "delete", **options)

        assert instance_state(ec2, instance_id) == "running"
    assert (refused.status, refused.message) == (Status.REFUSED, reason)


def test_protected_tag_added_after_the_scan_is_still_found(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        assert "do-not-delete" not in row.tags
        ec2.create_tags(Resources=[instance_id], Tags=[{"Key": "do-not-delete", "Value": "1"}])

        (refused,), _ = act(session, audit, [row], "delete")

        assert instance_state(ec2, instance_id) == "running"
    assert refused.message == "tag do-not-delete is set"


def test_termination_protection_refuses_and_is_left_on(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        # moto 5.2 ignores RunInstances' DisableApiTermination; ModifyInstanceAttribute sets it.
        ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": True})
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "delete")

        assert instance_state(ec2, instance_id) == "running"
        attribute = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination")
        assert attribute["DisableApiTermination"]["Value"] is True
    assert refused.status is Status.REFUSED
    assert refused.message == (
        "termination protection is on (DisableApiTermination); tracker-tui never switches it off"
    )


def test_stop_protection_refuses_and_is_left_on(audit: AuditLog) -> None:
    # moto 5.2 keeps DisableApiStop (RunInstances and ModifyInstanceAttribute) and enforces it.
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2, DisableApiStop=True)
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "stop")

        assert instance_state(ec2, instance_id) == "running"
        attribute = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiStop")
        assert attribute["DisableApiStop"]["Value"] is True
    assert refused.message == "stop protection is on (DisableApiStop); tracker-tui never switches it off"
    assert audit.tail(50) == []


def test_dry_run_denial_refuses_before_anything_changes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        real_calls: list[dict[str, Any]] = []

        def deny_dry_run(params: dict[str, Any], **_: Any) -> Any:
            if params["body"].get("DryRun") == "true":
                return error_response("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
            real_calls.append(params["body"])
            return None

        on_call(session, "ec2", "us-east-1", "StopInstances", deny_dry_run)

        (refused,), _ = act(session, audit, [row], "stop")

        assert instance_state(ec2, instance_id) == "running"
    assert real_calls == []
    assert refused.status is Status.REFUSED
    assert refused.code == "UnauthorizedOperation"
    assert refused.message == "DryRun denied: UnauthorizedOperation You are not authorized to perform this operation."
    before, line = audit.tail(50)
    assert (before["phase"], before["operation"], before["params"]["DryRun"]) == ("before", "StopInstances", True)
    assert line["phase"] == "dry-run"
    assert line["result"] == "denied"
    assert line["code"] == "UnauthorizedOperation"
    assert line["request_id"] == "req-UnauthorizedOperation"
    assert (line["operation"], line["id"], line["action"]) == ("StopInstances", instance_id, "stop")


# --- EBS volumes -------------------------------------------------------------------------


def test_delete_unattached_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = ec2.create_volume(Size=10, AvailabilityZone="us-east-1a", VolumeType="gp3")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]

        (done,), _ = act(session, audit, [row], "delete")

        assert ec2.describe_volumes()["Volumes"] == []
    assert (done.status, done.action, done.deleted) == (Status.DONE, "delete", True)


def test_attached_volume_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2, Placement={"AvailabilityZone": "us-east-1a"})
        volume_id = ec2.create_volume(Size=10, AvailabilityZone="us-east-1a")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]  # scanned while still unattached
        ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")

        (refused,), _ = act(session, audit, [row], "delete")

        assert [v["VolumeId"] for v in ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"]] == [volume_id]
    assert refused.status is Status.REFUSED
    assert refused.message == f"volume is attached to {instance_id} (state in-use)"


# --- Elastic IPs ---------------------------------------------------------------------------


def test_release_idle_elastic_ip(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        row = scanned(session, "ec2:elastic-ip")[allocation]

        (done,), _ = act(session, audit, [row], "delete")

        assert ec2.describe_addresses()["Addresses"] == []
    assert (done.status, done.action, done.deleted) == (Status.DONE, "release", True)


def test_associated_elastic_ip_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.associate_address(AllocationId=allocation, InstanceId=instance_id)
        row = scanned(session, "ec2:elastic-ip")[allocation]

        (refused,), _ = act(session, audit, [row], "delete")

        assert [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]] == [allocation]
    assert refused.status is Status.REFUSED
    assert refused.message == f"Elastic IP is associated with {instance_id}"


# --- NAT gateways --------------------------------------------------------------------------


def _nat(ec2: Any) -> tuple[str, str]:
    _, subnets = _network(ec2)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    return nat, allocation


def test_delete_nat_gateway_polls_deleting_until_deleted_and_keeps_its_eip(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        nat_id, allocation = _nat(ec2)
        row = scanned(session, "ec2:nat-gateway")[nat_id]
        # moto deletes at once; AWS answers "deleting" for a while.  Show that twice.
        polls: list[str] = []

        def still_deleting(parsed: dict[str, Any], **_: Any) -> None:
            for gateway in parsed.get("NatGateways", []):
                if gateway["State"] == "deleted" and polls.count("deleting") < 2:
                    gateway["State"] = "deleting"
                polls.append(gateway["State"])

        ec2.meta.events.register("after-call.ec2.DescribeNatGateways", still_deleting)

        (done,), _ = act(session, audit, [row], "delete")

        assert ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"] == "deleted"
        # Release nothing implicitly: the NAT gateway's Elastic IP is still allocated.
        assert [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]] == [allocation]
    assert polls == ["available", "deleting", "deleting", "deleted", "deleted"]  # the last one is ours
    assert (done.status, done.deleted) == (Status.DONE, True)
    # moto 5.2 carries DeleteNatGateway out even with DryRun=True: the runner does not call it
    # a second time, and the change is still in the audit log.
    after = [line for line in audit.tail(10) if line["phase"] == "after"]
    assert [(line["operation"], line["result"]) for line in after] == [("DeleteNatGateway", "ok")]


def test_nat_gateway_that_never_finishes_deleting_fails_within_the_bound(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        nat_id, _ = _nat(ec2)
        row = scanned(session, "ec2:nat-gateway")[nat_id]
        deleted: list[bool] = []

        def stuck(parsed: dict[str, Any], **_: Any) -> None:
            for gateway in parsed.get("NatGateways", []):
                if gateway["State"] == "deleted":
                    gateway["State"] = "deleting"
                    deleted.append(True)

        ec2.meta.events.register("after-call.ec2.DescribeNatGateways", stuck)

        (failed,), _ = act(session, audit, [row], "delete", verify_timeout=0.1)

    assert deleted
    assert failed.status is Status.FAILED
    assert failed.code == "VerifyTimeout"
    assert "deleting" in failed.message

# --- starting a stopped instance ------------------------------------------------------------------


def test_start_instance_verifies_and_returns_it_running_and_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        assert (row.state, row.monthly_cost) == ("stopped", 0.0)

        finals, seen = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "running"
    assert statuses(seen, instance_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert (done.action, done.message, done.deleted) == ("start", "started", False)
    assert done.result is not None
    assert done.result.state == "running"
    assert done.result.monthly_cost and done.result.monthly_cost > 0
    assert done.result.details["instance_type"] == "t3.micro"
    lines = audit.tail(100)
    assert _phases(audit) == [
        ("before", "StartInstances"),
        ("dry-run", "StartInstances"),
        ("before", "StartInstances"),
        ("after", "StartInstances"),
    ]
    assert lines[0]["params"] == {"InstanceIds": [instance_id], "DryRun": True}
    assert lines[2]["params"] == {"InstanceIds": [instance_id]}
    assert {(line["id"], line["action"]) for line in lines} == {(instance_id, "start")}
    assert done.request_id and done.request_id == lines[-1]["request_id"]


def test_start_refused_when_already_running(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "running"
    assert (refused.status, refused.message, refused.deleted) == (Status.REFUSED, "already running", False)
    assert refused.result is None and refused.request_id == ""
    assert audit.tail(50) == []  # not even a DryRun


def test_start_refused_when_it_was_started_since_the_scan(audit: AuditLog) -> None:
    """The row still says stopped; the re-read says running: refused on what AWS says now."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        ec2.start_instances(InstanceIds=[instance_id])

        (refused,), _ = act(session, audit, [row], "start")

    assert (row.state, refused.status, refused.message) == ("stopped", Status.REFUSED, "already running")
    assert audit.tail(50) == []


def test_a_protected_tag_refuses_starting_and_nothing_changes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2, {"do-not-delete": "yes", "owner": "data"})
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "stopped"
    assert (refused.status, refused.message) == (Status.REFUSED, "tag do-not-delete is set")
    assert audit.tail(50) == []


def test_a_dry_run_denial_refuses_before_anything_changes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        real_calls: list[dict[str, Any]] = []

        def deny_dry_run(params: dict[str, Any], **_: Any) -> Any:
            if params["body"].get("DryRun") == "true":
                return error_response("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
            real_calls.append(params["body"])
            return None

        on_call(session, "ec2", REGION, "StartInstances", deny_dry_run)

        (refused,), _ = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "stopped"
    assert real_calls == []
    assert (refused.status, refused.code) == (Status.REFUSED, "UnauthorizedOperation")
    assert refused.message == "DryRun denied: UnauthorizedOperation You are not authorized to perform this operation."
    before, line = audit.tail(50)
    assert (before["phase"], before["operation"], before["params"]["DryRun"]) == ("before", "StartInstances", True)
    assert (line["phase"], line["result"], line["code"]) == ("dry-run", "denied", "UnauthorizedOperation")


# --- in the app ----------------------------------------------------------------------------------


def _app_estate() -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name=REGION)
    return {"ec2": ec2, "stopped": _stopped_instance(ec2), "running": run_instance(ec2)}


def run_app(check: Callable[[TrackerApp, Pilot[Any], dict[str, Any]], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        estate = _app_estate()

        async def go() -> None:
            session = helpers.moto_session()
            source = LiveSource(lambda: session, resolve_kinds(["ec2:instance"]), [REGION])
            app = TrackerApp(source, monotonic=lambda: 0.0, **kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await check(app, pilot, estate)

        asyncio.run(go())


def test_u_on_a_stopped_instance_confirms_with_y_and_the_row_runs_again() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        instance_id = estate["stopped"]
        await filter_rows(pilot, instance_id)
        row = app.table.cursor_resource
        assert row is not None and (row.id, row.state, row.monthly_cost) == (instance_id, "stopped", 0.0)

        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert not screen.typed  # one row: y confirms
        assert app.focused is screen.query_one("#confirm-cancel")
        (planned,) = screen.acting
        assert (planned.action, planned.saving) == ("start", 0.0)
        assert planned.note.endswith("/mo again while running")
        await pilot.press("y")
        await pilot.pause()
        progress = app.screen
        assert isinstance(progress, ActionProgressScreen)
        await wait_until(pilot, actions_done(app))
        (update,) = progress.latest.values()
        assert isinstance(update, ActionUpdate)
        assert (update.status, update.message) == (Status.DONE, "started")
        await pilot.press("escape")
        await pilot.pause()

        assert instance_state(estate["ec2"], instance_id) == "running"
        after = next(r for r in app.table.resources if r.id == instance_id)
        assert after.state == "running"
        assert after.monthly_cost and after.monthly_cost > 0
        assert instance_state(estate["ec2"], estate["running"]) == "running"

    run_app(check)


def test_u_in_read_only_mode_says_so_and_changes_nothing() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, estate["stopped"])
        await pilot.press("u")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert instance_state(estate["ec2"], estate["stopped"]) == "stopped"
        assert AuditLog().tail(10) == []

    run_app(check, read_only=True)
