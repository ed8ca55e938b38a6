"""``m``: ModifyVolume from gp2 to gp3 in place (``modify_volume`` of aws/actions/ec2.py, whose other
handlers are tested in tests/test_actions_ec2.py), against moto.

The volume keeps its size and gets the IOPS and throughput gp2 gave it (the figures the
``gp2-to-gp3`` finding priced, so the saving the dialog shows is the one the row gets);
DryRun first, audited, verified (the modification optimizing or completed, the volume reading
gp3), and the row comes back repriced without the finding.  Every refusal leaves the volume
as it was and calls nothing.

moto 5.2 honours DryRun on ModifyVolume, keeps VolumeType, Iops and Throughput, and answers
every DescribeVolumesModifications with ModificationState "completed" at once (it never says
modifying, optimizing or failed, and lists no modifications for a volume never modified,
where AWS answers InvalidVolumeModification.NotFound): those answers are injected with
botocore hooks here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.support import helpers
from tests.support.actions import AUDIT_FIELDS, act, on_call, run_instance, statuses
from tests.support.helpers import actions_done, error_response, filter_rows, scan_done, wait_until
from tests.support.rails.base import ACCOUNT, scanned, tag_spec
from tracker_tui.aws.actions import ActionUpdate, Status, needs_typed_name, plan
from tracker_tui.aws.actions.ec2 import gp3_parameters
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

GP2_TO_GP3 = "gp2-to-gp3"
ZONE = "us-east-1a"


def _volume(ec2: Any, size: int = 100, vtype: str = "gp2", tags: dict[str, str] | None = None, **extra: Any) -> str:
    spec = tag_spec("volume", tags or {})
    return str(ec2.create_volume(Size=size, AvailabilityZone=ZONE, VolumeType=vtype, **spec, **extra)["VolumeId"])


def _described(ec2: Any, volume_id: str) -> dict[str, Any]:
    (volume,) = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"]
    return dict(volume)


def _finding(row: Resource, finding_id: str = GP2_TO_GP3) -> Any:
    return next((f for f in row.findings if f.id == finding_id), None)


def _modifications(ec2: Any, volume_id: str) -> list[dict[str, Any]]:
    return list(ec2.describe_volumes_modifications(VolumeIds=[volume_id])["VolumesModifications"])


def _after_modify(session: AwsSession, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change ``operation``'s answers once ModifyVolume (the real call, not its DryRun) has answered."""
    client = session.client("ec2", "us-east-1")
    acted: list[bool] = []

    def modified(http_response: Any, **_: Any) -> None:
        if http_response.status_code < 300:
            acted.append(True)

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        if acted:
            change(parsed)

    client.meta.events.register("after-call.ec2.ModifyVolume", modified)
    client.meta.events.register(f"after-call.ec2.{operation}", rewrite)


def _set_modification_state(state: str, message: str = "") -> Callable[[dict[str, Any]], None]:
    def change(parsed: dict[str, Any]) -> None:
        for mod in parsed.get("VolumesModifications", []):
            mod["ModificationState"] = state
            if message:
                mod["StatusMessage"] = message

    return change


# --- the action -----------------------------------------------------------------------------


@pytest.mark.parametrize("attached", [True, False], ids=["in-use", "available"])
def test_modify_turns_gp2_into_gp3_in_place_with_gp2s_performance_and_reprices_the_row(
    audit: AuditLog, attached: bool
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        if attached:
            instance_id = run_instance(ec2, Placement={"AvailabilityZone": ZONE})
            ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
        row = scanned(session, "ec2:volume")[volume_id]
        assert row.state == ("in-use" if attached else "available")
        finding = _finding(row)
        assert finding is not None and finding.monthly_saving and row.monthly_cost

        finals, seen = act(session, audit, [row], "modify")

        after = _described(ec2, volume_id)
    assert statuses(seen, volume_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert (done.status, done.action, done.deleted) == (Status.DONE, "modify", False)
    assert done.message == "modified to gp3 (3,000 IOPS, 128 MiB/s)"
    # AWS has it as gp3 of the same size, at least what gp2 gave 100 GiB (300 IOPS: gp3's 3,000).
    assert (after["VolumeType"], after["Size"], after["Iops"], after["Throughput"]) == ("gp3", 100, 3000, 128)
    assert after["Iops"] >= 3000 and after["Throughput"] >= 125
    assert after["State"] == row.state  # still attached (or not): in place
    assert [a["InstanceId"] for a in after["Attachments"]] == ([instance_id] if attached else [])
    # The row as re-read: gp3, cheaper by exactly what the finding said, the finding gone.
    fresh = done.result
    assert fresh is not None
    assert (fresh.details["volume_type"], fresh.details["size_gib"]) == ("gp3", 100)
    assert fresh.monthly_cost is not None and fresh.cost_basis and fresh.cost_basis.startswith("gp3 ")
    assert fresh.monthly_cost < row.monthly_cost
    assert round(row.monthly_cost - fresh.monthly_cost, 2) == finding.monthly_saving
    assert _finding(fresh) is None
    # An unattached one still is: it is cheaper now, but still attached to nothing.
    assert (_finding(fresh, "unattached-volume") is not None) is (not attached)


@pytest.mark.parametrize("vtype", ["io1", "io2"])
def test_modify_turns_io1_and_io2_into_gp3_at_their_iops_and_reprices_the_row(audit: AuditLog, vtype: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100, vtype, Iops=4000)
        row = scanned(session, "ec2:volume")[volume_id]
        finding = _finding(row, "io1-to-gp3")
        assert finding is not None and finding.monthly_saving and row.monthly_cost

        (done,), _ = act(session, audit, [row], "modify")

        after = _described(ec2, volume_id)
    assert (done.status, done.message) == (Status.DONE, "modified to gp3 (4,000 IOPS, 125 MiB/s)")
    assert (after["VolumeType"], after["Size"], after["Iops"], after["Throughput"]) == ("gp3", 100, 4000, 125)
    fresh = done.result
    assert fresh is not None and fresh.monthly_cost is not None
    # Cheaper by exactly what the finding said, and the finding gone.
    assert round(row.monthly_cost - fresh.monthly_cost, 2) == finding.monthly_saving
    assert _finding(fresh, "io1-to-gp3") is None


def test_a_large_gp2_volume_keeps_its_6000_iops_and_250_mibps(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 2000)
        row = scanned(session, "ec2:volume")[volume_id]
        planned = plan([row], "modify")

        (done,), _ = act(session, audit, [row], "modify")

        after = _described(ec2, volume_id)
    assert done.status is Status.DONE, done.message
    assert (after["VolumeType"], after["Size"], after["Iops"], after["Throughput"]) == ("gp3", 2000, 6000, 250)
    assert done.message == "modified to gp3 (6,000 IOPS, 250 MiB/s)"
    # The dialog's saving is the finding's, and it is what the row now costs less.
    finding = _finding(row)
    assert finding is not None and planned[0].saving == finding.monthly_saving
    assert done.result is not None and done.result.monthly_cost is not None and row.monthly_cost is not None
    assert round(row.monthly_cost - done.result.monthly_cost, 2) == finding.monthly_saving
    assert "6,000 IOPS and 250 MiB/s" in finding.evidence


@pytest.mark.parametrize(
    ("size", "iops", "mibps"),
    [(1, 3000, 128), (170, 3000, 128), (171, 3000, 250), (1000, 3000, 250), (1001, 3003, 250), (6000, 16000, 250)],
)
def test_gp3_parameters_are_what_gp2_gave(size: int, iops: int, mibps: int) -> None:
    assert gp3_parameters(size) == {"Iops": iops, "Throughput": mibps}


def test_modify_is_audited_dry_run_first_then_the_call(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]

        (done,), _ = act(session, audit, [row], "modify")

    lines = audit.tail(20)
    assert [(line["phase"], line["operation"], line["result"]) for line in lines] == [
        ("before", "ModifyVolume", None),
        ("dry-run", "ModifyVolume", "ok"),
        ("before", "ModifyVolume", None),
        ("after", "ModifyVolume", "ok"),
    ]
    params = {"VolumeId": volume_id, "VolumeType": "gp3", "Iops": 3000, "Throughput": 128}
    assert lines[0]["params"] == {**params, "DryRun": True}
    assert lines[1]["code"] == "DryRunOperation"
    assert lines[2]["params"] == params  # no Size: the same size; no DryRun: the real call
    for line in lines:
        assert AUDIT_FIELDS <= set(line)
        assert (line["account"], line["region"], line["kind"], line["id"], line["action"]) == (
            ACCOUNT,
            "us-east-1",
            "ec2:volume",
            volume_id,
            "modify",
        )
    assert lines[3]["request_id"] and done.request_id == lines[3]["request_id"]


# --- refusals: nothing changes, nothing is called --------------------------------------------------


@pytest.mark.parametrize(
    ("vtype", "extra", "tags", "reason"),
    [
        pytest.param("gp3", {}, None, "it is gp3 already", id="gp3"),
        pytest.param("st1", {}, None, "type st1; only gp2, io1 and io2 volumes are modified to gp3", id="st1"),
        pytest.param("io1", {"Iops": 20000}, None, "20,000 IOPS: gp3 stops at 16,000", id="io1-beyond-gp3"),
        pytest.param(
            "io2", {"Iops": 6000, "Size": 10}, None, "6,000 IOPS on 10 GiB: gp3 takes at most 500 IOPS per GiB (5,000)",
            id="io2-too-dense",
        ),
        pytest.param("gp2", {}, {"do-not-delete": "yes"}, "tag do-not-delete is set", id="protected"),
        pytest.param("gp2", {}, {"Protected": ""}, "tag Protected is set", id="protected-any-case"),
    ],
)
def test_refused_and_nothing_changes(
    audit: AuditLog, vtype: str, extra: dict[str, Any], tags: dict[str, str] | None, reason: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        params = dict(extra)  # the parametrized dict is shared by every run of the case: never pop from it
        size = params.pop("Size", 200)
        volume_id = _volume(ec2, size, vtype, tags, **params)
        row = scanned(session, "ec2:volume")[volume_id]
        before = _described(ec2, volume_id)

        (refused,), seen = act(session, audit, [row], "modify")

        after = _described(ec2, volume_id)
        assert _modifications(ec2, volume_id) == []
    assert (refused.status, refused.action, refused.message) == (Status.REFUSED, "modify", reason)
    assert statuses(seen, volume_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert refused.result is None and not refused.deleted and refused.request_id == ""
    assert (after["VolumeType"], after.get("Iops"), after.get("Throughput")) == (
        before["VolumeType"],
        before.get("Iops"),
        before.get("Throughput"),
    )
    assert audit.tail(50) == []  # not even a DryRun


def test_a_volume_that_turned_gp3_since_the_scan_is_refused(audit: AuditLog) -> None:
    """The row still says gp2 (the plan acts on it); the re-read says gp3: refused, not modified twice."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        ec2.modify_volume(VolumeId=volume_id, VolumeType="gp3")

        (refused,), _ = act(session, audit, [row], "modify")

        assert len(_modifications(ec2, volume_id)) == 1
    assert (refused.status, refused.message) == (Status.REFUSED, "it is gp3 already")
    assert audit.tail(50) == []


@pytest.mark.parametrize("state", ["modifying", "optimizing"])
def test_a_modification_already_in_progress_refuses(audit: AuditLog, state: str) -> None:
    # moto completes every modification at once: its answer says one is still under way.
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]

        def resizing(parsed: dict[str, Any], **_: Any) -> None:
            parsed["VolumesModifications"] = [
                {
                    "VolumeId": volume_id,
                    "ModificationState": state,
                    "TargetVolumeType": "gp2",
                    "TargetSize": 200,
                    "Progress": 40,
                    "StartTime": datetime(2026, 1, 1, tzinfo=UTC),
                }
            ]

        session.client("ec2", "us-east-1").meta.events.register("after-call.ec2.DescribeVolumesModifications", resizing)

        (refused,), _ = act(session, audit, [row], "modify")

        assert _described(ec2, volume_id)["VolumeType"] == "gp2"
    assert refused.status is Status.REFUSED
    assert refused.message == (
        f"a modification is already in progress ({state}, to gp2); "
        "AWS takes one at a time, try again when it has completed"
    )
    assert refused.message.startswith("a modification is already in progress")
    assert audit.tail(50) == []


def test_a_completed_earlier_modification_does_not_block(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        ec2.modify_volume(VolumeId=volume_id, Size=120)  # a resize, completed (moto: at once)
        row = scanned(session, "ec2:volume")[volume_id]

        (done,), _ = act(session, audit, [row], "modify")

        after = _described(ec2, volume_id)
    assert done.status is Status.DONE, done.message
    assert (after["VolumeType"], after["Size"], after["Iops"], after["Throughput"]) == ("gp3", 120, 3000, 128)


def test_a_volume_never_modified_where_aws_answers_not_found_is_modified(audit: AuditLog) -> None:
    """AWS answers DescribeVolumesModifications with InvalidVolumeModification.NotFound for a
    volume never modified (moto lists none): that is "nothing under way", not a refusal."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        modified: list[bool] = []
        answered: list[str] = []

        def never_modified(**_: Any) -> Any:
            if modified:
                return None
            answered.append("not found")
            message = f"Modification for volume '{volume_id}' does not exist."
            return error_response("InvalidVolumeModification.NotFound", message)

        on_call(session, "ec2", "us-east-1", "DescribeVolumesModifications", never_modified)
        ec2.meta.events.register(
            "after-call.ec2.ModifyVolume", lambda http_response, **_: modified.append(http_response.status_code < 300)
        )

        (done,), _ = act(session, audit, [row], "modify")

        assert _described(ec2, volume_id)["VolumeType"] == "gp3"
    assert answered == ["not found"]
    assert done.status is Status.DONE, done.message


def test_modifications_that_cannot_be_read_refuse_without_checking(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        denied = error_response("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
        on_call(session, "ec2", "us-east-1", "DescribeVolumesModifications", lambda **_: denied)

        (refused,), _ = act(session, audit, [row], "modify")

        assert _described(ec2, volume_id)["VolumeType"] == "gp2"
    assert refused.status is Status.REFUSED
    assert refused.message == (
        "cannot read its modifications (UnauthorizedOperation: You are not authorized to perform this operation.); "
        "refusing without checking"
    )
    assert audit.tail(50) == []


def test_a_dry_run_denial_refuses_before_anything_changes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        real_calls: list[dict[str, Any]] = []

        def deny_dry_run(params: dict[str, Any], **_: Any) -> Any:
            if params["body"].get("DryRun") == "true":
                return error_response("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
            real_calls.append(params["body"])
            return None

        on_call(session, "ec2", "us-east-1", "ModifyVolume", deny_dry_run)

        (refused,), _ = act(session, audit, [row], "modify")

        assert _described(ec2, volume_id)["VolumeType"] == "gp2"
    assert real_calls == []
    assert (refused.status, refused.code) == (Status.REFUSED, "UnauthorizedOperation")
    assert refused.message == "DryRun denied: UnauthorizedOperation You are not authorized to perform this operation."
    before, line = audit.tail(50)
    assert (before["phase"], before["operation"], before["params"]["DryRun"]) == ("before", "ModifyVolume", True)
    assert (line["phase"], line["result"], line["code"]) == ("dry-run", "denied", "UnauthorizedOperation")


# --- verification ---------------------------------------------------------------------------------


def test_a_modification_still_optimizing_is_done_and_says_so(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        _after_modify(session, "DescribeVolumesModifications", _set_modification_state("optimizing"))

        (done,), _ = act(session, audit, [row], "modify")

    assert done.status is Status.DONE
    assert done.message == "modified to gp3 (3,000 IOPS, 128 MiB/s); optimizing: full gp3 performance once it completes"
    assert done.result is not None and done.result.details["volume_type"] == "gp3"


def test_verification_polls_while_modifying(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        polls: list[str] = []

        def modifying_twice(parsed: dict[str, Any]) -> None:
            polls.append("poll")
            if len(polls) <= 2:
                _set_modification_state("modifying")(parsed)

        _after_modify(session, "DescribeVolumesModifications", modifying_twice)

        (done,), _ = act(session, audit, [row], "modify")

    assert done.status is Status.DONE, done.message
    assert len(polls) == 3


def test_a_modification_that_fails_fails_the_row_with_aws_reason(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        _after_modify(
            session, "DescribeVolumesModifications", _set_modification_state("failed", "Volume type gp3 unsupported.")
        )

        (failed,), _ = act(session, audit, [row], "modify")

    assert (failed.status, failed.code) == (Status.FAILED, "ModificationFailed")
    assert failed.message == "AWS accepted the modification to gp3, then it failed: Volume type gp3 unsupported."
    assert failed.request_id and failed.result is None


def test_a_modification_never_listed_times_out(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        row = scanned(session, "ec2:volume")[volume_id]
        _after_modify(session, "DescribeVolumesModifications", lambda parsed: parsed.update(VolumesModifications=[]))

        (failed,), _ = act(session, audit, [row], "modify", verify_timeout=0.2)

    assert (failed.status, failed.code) == (Status.FAILED, "VerifyTimeout")
    assert failed.message == (
        "asked AWS to modify it, but it was not modified to gp3 within 0.2 s "
        "(state: no modification to gp3 listed); rescan to check"
    )


def test_an_earlier_modification_listed_in_place_of_ours_does_not_verify_it(audit: AuditLog) -> None:
    """A completed resize from before is not the gp3 modification: the row waits for its own."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 100)
        ec2.modify_volume(VolumeId=volume_id, Size=120)
        row = scanned(session, "ec2:volume")[volume_id]

        def only_the_resize(parsed: dict[str, Any]) -> None:
            mods = parsed.get("VolumesModifications", [])
            parsed["VolumesModifications"] = [m for m in mods if m.get("TargetVolumeType") != "gp3"]

        _after_modify(session, "DescribeVolumesModifications", only_the_resize)

        (failed,), _ = act(session, audit, [row], "modify", verify_timeout=0.2)

    assert (failed.status, failed.code) == (Status.FAILED, "VerifyTimeout")
    assert "(state: no modification to gp3 listed)" in failed.message


# --- the plan ------------------------------------------------------------------------------------


def _priced_rows() -> dict[str, Resource]:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        ids = {"gp2": _volume(ec2, 100), "big": _volume(ec2, 2000), "io1": _volume(ec2, 100, "io1", Iops=3000),
               "io1-fast": _volume(ec2, 100, "io1", Iops=20000)}  # fmt: skip
        # A kind ``m`` does nothing to (an instance's type changes: its modify is tested elsewhere).
        ids["address"] = str(ec2.allocate_address(Domain="vpc")["AllocationId"])
        volumes = scanned(session, "ec2:volume")
        addresses = scanned(session, "ec2:elastic-ip")
    return {name: volumes.get(ident) or addresses[ident] for name, ident in ids.items()}


def test_plan_modify_saves_the_findings_figure_and_skips_other_kinds() -> None:
    rows = _priced_rows()

    planned = plan([rows["gp2"], rows["address"], rows["big"], rows["io1"]], "modify")

    assert [p.action for p in planned] == ["modify", None, "modify", "modify"]
    assert planned[1].skip_reason == "no modify action"
    for p in (planned[0], planned[2]):
        finding = _finding(p.resource)
        assert finding is not None and finding.monthly_saving and p.saving == finding.monthly_saving
    assert planned[0].note == (
        "to gp3 in place (no detach, no restart): 100 GiB, 3,000 IOPS, 128 MiB/s, $8.12/mo (now $10.00)"
    )
    assert planned[2].note == (
        "to gp3 in place (no detach, no restart): 2,000 GiB, 6,000 IOPS, 250 MiB/s, $180.00/mo (now $200.00)"
    )
    # io1 at 3,000 IOPS: gp3 at its IOPS and baseline throughput, the io1-to-gp3 finding's saving.
    io1 = _finding(planned[3].resource, "io1-to-gp3")
    # io1 100 GiB x $0.125 + 3,000 IOPS x $0.065 = $207.50; gp3 at 3,000 IOPS and 125 MiB/s: $8.00.
    assert io1 is not None and planned[3].saving == io1.monthly_saving == 199.5
    assert planned[3].note == (
        "to gp3 in place (no detach, no restart): 100 GiB, 3,000 IOPS, 125 MiB/s, $8.00/mo (now $207.50); "
        "125 MiB/s is gp3's baseline (io1 may have given more: raise it with another modify if the workload "
        "needs it); gp3 has higher latency than io1; back to io1 with another modify after 6 hours"
    )
    # Beyond gp3's 16,000 IOPS: planned (its kind takes modify), refused, and said so; it saves nothing.
    (fast,) = plan([rows["io1-fast"]], "modify")
    assert fast.saving is None
    assert fast.note == "io1: 20,000 IOPS: gp3 stops at 16,000 (it will be refused)"


def test_a_gp2_volume_that_gp3_would_not_make_cheaper_saves_nothing_and_says_what_it_costs() -> None:
    """171-334 GiB: gp3 at the 250 MiB/s gp2 gives costs more than gp2, so the row has no
    gp2-to-gp3 finding; the plan says the saving is nothing, not unknown, and what gp3 costs."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = _volume(ec2, 200)
        row = scanned(session, "ec2:volume")[volume_id]

    assert _finding(row) is None and row.monthly_cost == 20.0
    (planned,) = plan([row], "modify")
    assert (planned.action, planned.saving) == ("modify", 0.0)
    assert planned.note == (
        "to gp3 in place (no detach, no restart): 200 GiB, 3,000 IOPS, 250 MiB/s, $21.00/mo: $1.00 more than now"
    )


def test_one_volume_confirms_with_y_and_two_need_the_name_typed() -> None:
    rows = _priced_rows()

    assert needs_typed_name(plan([rows["gp2"]], "modify")) is False
    assert needs_typed_name(plan([rows["gp2"], rows["address"]], "modify")) is False  # one acts
    assert needs_typed_name(plan([rows["gp2"], rows["big"]], "modify")) is True


# --- in the app ----------------------------------------------------------------------------------

APP_KINDS = ["ec2:instance", "ec2:volume"]


def _app_estate() -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    instance_id = run_instance(ec2, Placement={"AvailabilityZone": ZONE})
    data = _volume(ec2, 500)
    ec2.attach_volume(VolumeId=data, InstanceId=instance_id, Device="/dev/sdf")
    return {"ec2": ec2, "data": data, "loose": _volume(ec2, 50), "instance": instance_id}


def run_app(check: Callable[[TrackerApp, Pilot[Any], dict[str, Any]], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        estate = _app_estate()

        async def go() -> None:
            session = helpers.moto_session()
            source = LiveSource(lambda: session, resolve_kinds(APP_KINDS), ["us-east-1"])
            app = TrackerApp(source, monotonic=lambda: 0.0, **kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await check(app, pilot, estate)

        asyncio.run(go())


def _gp2_line(app: TrackerApp) -> tuple[int, float]:
    line = next(line for line in app.costs.waste_lines() if line.finding_id == GP2_TO_GP3)
    return line.count, line.saving


def _panel_text(app: TrackerApp) -> str:
    options = app.query_one("#waste-list", OptionList)
    return "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))


def test_m_on_a_gp2_volume_confirms_with_y_and_the_saving_leaves_the_panel() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        volume_id = estate["data"]
        count, total = _gp2_line(app)
        await filter_rows(pilot, volume_id)
        row = app.table.cursor_resource
        assert row is not None and row.id == volume_id and row.details["volume_type"] == "gp2"
        finding = _finding(row)
        assert finding is not None and finding.monthly_saving
        assert f"save ${total:,.2f}" in _panel_text(app)

        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert not screen.typed  # one row: y confirms
        assert app.focused is screen.query_one("#confirm-cancel")
        assert [(p.action, p.saving) for p in screen.acting] == [("modify", finding.monthly_saving)]
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ActionProgressScreen)
        progress = app.screen
        await wait_until(pilot, actions_done(app))
        (update,) = progress.latest.values()
        assert isinstance(update, ActionUpdate)
        assert update.status is Status.DONE, update.message
        await pilot.press("escape")
        await pilot.pause()

        assert estate["ec2"].describe_volumes(VolumeIds=[volume_id])["Volumes"][0]["VolumeType"] == "gp3"
        after = next(r for r in app.table.resources if r.id == volume_id)
        assert after.details["volume_type"] == "gp3" and _finding(after) is None
        assert row.monthly_cost is not None and after.monthly_cost is not None
        assert round(row.monthly_cost - after.monthly_cost, 2) == finding.monthly_saving
        new_count, new_total = _gp2_line(app)
        assert new_count == count - 1
        assert round(total - new_total, 2) == finding.monthly_saving
        assert f"save ${new_total:,.2f}" in _panel_text(app)
        assert round(app.costs.total, 2) == round(sum(r.monthly_cost or 0 for r in app.table.resources), 2)

    run_app(check)


def test_m_with_two_volumes_marked_needs_the_account_typed() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        ids = [estate["data"], estate["loose"]]
        for volume_id in ids:
            await filter_rows(pilot, volume_id)
            await pilot.press("space")
        await filter_rows(pilot, "kind:ec2:volume")
        assert {r.id for r in app.table.marked} == set(ids)
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert sorted(p.resource.id for p in screen.acting) == sorted(ids)
        assert screen.typed and screen.word == ACCOUNT
        await pilot.press("y")  # not enough for two rows: y goes into the box
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActionScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        volumes = estate["ec2"].describe_volumes(VolumeIds=ids)["Volumes"]
        assert {v["VolumeType"] for v in volumes} == {"gp2"}

    run_app(check)


def test_m_in_read_only_mode_says_so_and_changes_nothing() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await filter_rows(pilot, estate["data"])
        await pilot.press("m")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert estate["ec2"].describe_volumes(VolumeIds=[estate["data"]])["Volumes"][0]["VolumeType"] == "gp2"
        assert AuditLog().tail(10) == []

    run_app(check, read_only=True)


@pytest.mark.parametrize(
    ("size", "iops", "why"),
    [
        pytest.param(32, 16000, None, id="at-gp3s-16000"),
        pytest.param(40, 16001, "16,001 IOPS: gp3 stops at 16,000", id="past-16000"),
        pytest.param(10, 5000, None, id="at-500-per-gib"),
        pytest.param(
            10, 5001, "5,001 IOPS on 10 GiB: gp3 takes at most 500 IOPS per GiB (5,000)", id="past-500-per-gib"
        ),
        pytest.param(10, None, "its provisioned IOPS are unknown", id="unknown"),
    ],
)
def test_gp3_carries_io1_iops_up_to_its_limits_inclusive(size: int, iops: int | None, why: str | None) -> None:
    from tracker_tui.aws.actions.ec2 import _beyond_gp3

    assert _beyond_gp3(size, iops) == why
