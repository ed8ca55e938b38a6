"""ctrl+d on an unattached EBS volume snapshots it first: ``delete_volume`` of aws/actions/ec2.py with
its ``SNAPSHOT_FIRST`` box (on by default: EC2 cannot tell whether a volume was ever attached or
written), against moto; and the saving net of that snapshot (``snapshot_first_saving`` of
aws/kinds/ec2_volume.py), which the plan shows.

Every check runs before anything is created, so a refused volume leaves no snapshot behind.
The snapshot carries the volume's tags (less AWS's own ``aws:`` ones) and
``tracker-tui:from-volume``, is taken DryRun first and audited, and the volume is deleted only
once it is completed; a snapshot an earlier delete took is reused (a pending one waited for).
A snapshot in error, one still pending at the deadline, or one that cannot be read keeps the
volume.  tests/support/rails/ec2.py runs every shared rail on the default (snapshot first).

moto 5.2 completes a snapshot the moment CreateSnapshot answers (it never says pending or
error, and lists it at once): those answers are injected with a botocore hook on
DescribeSnapshots here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.widgets import Checkbox

from tests.support import helpers
from tests.support.actions import act, after_ec2_call, on_ec2_call, run_instance, statuses
from tests.support.helpers import actions_done, error_response, wait_until
from tests.support.rails.base import ACCOUNT, REGION, scanned, tag_spec
from tracker_tui.aws.actions import ActionUpdate, Status, choices_for, needs_typed_name, plan
from tracker_tui.aws.actions.base import ActionOptions
from tracker_tui.aws.actions.ec2 import FROM_VOLUME_TAG, SNAPSHOT_FIRST, SNAPSHOT_REUSE_HOURS
from tracker_tui.aws.kinds import price_resources, resolve_kinds
from tracker_tui.aws.kinds.ec2_volume import snapshot_first_saving
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

ZONE = f"{REGION}a"
TAGS = {"Name": "scratch", "team": "data"}
DENIED = "You are not authorized to perform this operation."
#: What a delete that took a new snapshot says, after its id.
KEPT = " keeps its data (restore: create a volume from it)"
#: What CreateSnapshot and then DeleteVolume write to the audit log, each DryRun first.
SNAPSHOT_THEN_DELETE = [
    (phase, operation)
    for operation in ("CreateSnapshot", "DeleteVolume")
    for phase in ("before", "dry-run", "before", "after")
]


def _volume(ec2: Any, tags: dict[str, str] | None = None, size: int = 100, vtype: str = "gp3") -> str:
    volume = ec2.create_volume(Size=size, AvailabilityZone=ZONE, VolumeType=vtype, **tag_spec("volume", tags or {}))
    return str(volume["VolumeId"])


def _looking() -> Any:
    """A client of the test's own: the session's carries the hooks that rewrite the handler's answers."""
    return boto3.client("ec2", region_name=REGION)


def _own_snapshots() -> list[dict[str, Any]]:
    """Every snapshot the account owns (moto's AMIs' snapshots belong to other accounts)."""
    return list(_looking().describe_snapshots(OwnerIds=["self"])["Snapshots"])


def _tags(snapshot: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in snapshot.get("Tags", [])}


def _volume_ids() -> list[str]:
    return [v["VolumeId"] for v in _looking().describe_volumes()["Volumes"]]


def _each_volume(change: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], None]:
    """``change`` on each volume a DescribeVolumes answer lists (none once it is deleted)."""

    def apply(parsed: dict[str, Any]) -> None:
        for volume in parsed.get("Volumes", []):
            change(volume)

    return apply


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


def _earlier_snapshot(ec2: Any, volume_id: str) -> str:
    """A snapshot an earlier delete of ``volume_id`` took (as the handler tags it)."""
    snapshot = ec2.create_snapshot(
        VolumeId=volume_id,
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": FROM_VOLUME_TAG, "Value": volume_id}]}],
    )
    return str(snapshot["SnapshotId"])


def _started(snapshot_id: str) -> str:
    (snapshot,) = _looking().describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
    return f"{snapshot['StartTime'].astimezone(UTC):%Y-%m-%d %H:%M} UTC"


class Answers:
    """Rewrites the handler's DescribeSnapshots answers and records, in order, what each one said
    and when the real DeleteVolume call (not its DryRun) went out.

    Each answer that lists snapshots takes the next of ``states`` (the last repeated), merged
    into every snapshot it lists (``{"State": "pending", "Progress": "40%"}``); ``hide`` makes
    that many such answers list nothing first (a new snapshot not listed yet).
    """

    def __init__(self, session: AwsSession, states: list[dict[str, str]], hide: int = 0) -> None:
        self.states = states
        self.hide = hide
        self.events: list[str] = []
        client = session.client("ec2", REGION)
        client.meta.events.register("after-call.ec2.DescribeSnapshots", self._rewrite)
        client.meta.events.register("before-call.ec2.DeleteVolume", self._deleting)

    def _rewrite(self, parsed: dict[str, Any], **_: Any) -> None:
        snapshots = parsed.get("Snapshots") or []
        if not snapshots:
            return
        if self.hide:
            self.hide -= 1
            parsed["Snapshots"] = []
            self.events.append("not listed")
            return
        said = len([e for e in self.events if e.startswith("snapshot ")])
        change = self.states[min(said, len(self.states) - 1)]
        for snapshot in snapshots:
            snapshot.update(change)
        self.events.append(f"snapshot {change.get('State', snapshots[0].get('State'))}")

    def _deleting(self, params: dict[str, Any], **_: Any) -> None:
        if params["body"].get("DryRun") != "true":
            self.events.append("DeleteVolume")


# --- snapshot first, then delete -------------------------------------------------------------


def test_delete_snapshots_the_volume_with_its_tags_completes_it_then_deletes_the_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2, TAGS)
        row = scanned(session, "ec2:volume")[volume_id]
        # AWS's own tags (a stack's) cannot be set in a request; an older from-volume tag (the
        # volume restored from such a snapshot with its tags) names another volume.
        foreign = [
            {"Key": "aws:cloudformation:stack-name", "Value": "web"},
            {"Key": FROM_VOLUME_TAG, "Value": "vol-old"},
        ]
        after_ec2_call(session, "DescribeVolumes", _each_volume(lambda volume: volume["Tags"].extend(foreign)))
        at_delete: list[list[tuple[str, str]]] = []

        def look(params: dict[str, Any], **_: Any) -> None:
            if params["body"].get("DryRun") != "true":
                at_delete.append([(s["SnapshotId"], s["State"]) for s in _own_snapshots()])

        on_ec2_call(session, "DeleteVolume", look)

        (done,), seen = act(session, audit, [row], "delete")

        snapshots = _own_snapshots()
        left = _volume_ids()
    (snapshot,) = snapshots
    snapshot_id = snapshot["SnapshotId"]
    assert (done.status, done.action, done.deleted) == (Status.DONE, "delete", True), done.message
    assert done.message == f"deleted; snapshot {snapshot_id}{KEPT}"
    assert statuses(seen, volume_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert volume_id not in left  # the volume is gone, its snapshot stays
    assert snapshot["VolumeId"] == volume_id and snapshot["State"] == "completed"
    assert _tags(snapshot) == {**TAGS, FROM_VOLUME_TAG: volume_id}
    assert snapshot["Description"] == f"tracker-tui: before deleting {volume_id} (scratch)"
    # The real DeleteVolume went out once the snapshot existed and was completed.
    assert at_delete == [[(snapshot_id, "completed")]]
    assert _phases(audit) == SNAPSHOT_THEN_DELETE
    lines = audit.tail(100)
    assert lines[0]["params"]["DryRun"] is True and "DryRun" not in lines[2]["params"]
    assert lines[2]["params"]["TagSpecifications"][0]["ResourceType"] == "snapshot"
    assert done.request_id == lines[-1]["request_id"]  # the delete's


def test_an_unticked_box_deletes_as_before_with_no_snapshot(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2, TAGS)
        row = scanned(session, "ec2:volume")[volume_id]

        (done,), _ = act(session, audit, [row], "delete", choices={SNAPSHOT_FIRST: False})

        snapshots = _own_snapshots()
        left = _volume_ids()
    assert (done.status, done.message, done.deleted) == (Status.DONE, "deleted", True)
    assert volume_id not in left
    assert snapshots == []
    assert _phases(audit) == SNAPSHOT_THEN_DELETE[4:]


def test_a_name_too_long_for_a_description_is_cut_to_awss_255_characters(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2, {"Name": "n" * 256})
        row = scanned(session, "ec2:volume")[volume_id]

        (done,), _ = act(session, audit, [row], "delete")

        (snapshot,) = _own_snapshots()
    assert done.status is Status.DONE, done.message
    description = snapshot["Description"]
    assert len(description) == 255
    assert description.startswith(f"tracker-tui: before deleting {volume_id} (nnn") and description.endswith("n...)")


def test_a_bulk_delete_takes_every_snapshot_before_waiting_for_any(audit: AuditLog) -> None:
    """The snapshots are waited for in the verification, so a run's snapshots proceed side by side."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        ids = [_volume(ec2), _volume(ec2)]
        found = scanned(session, "ec2:volume")

        finals, _ = act(session, audit, [found[i] for i in ids], "delete")

        sources = sorted(s["VolumeId"] for s in _own_snapshots())
        left = _volume_ids()
    assert [u.status for u in finals] == [Status.DONE, Status.DONE]
    assert sources == sorted(ids) and not set(ids) & set(left)
    calls = [(line["operation"], line["id"]) for line in audit.tail(100) if line["phase"] == "after"]
    assert calls == [("CreateSnapshot", ids[0]), ("CreateSnapshot", ids[1]), ("DeleteVolume", ids[0]),
                     ("DeleteVolume", ids[1])]  # fmt: skip


# --- waiting for it ---------------------------------------------------------------------------------


def test_a_pending_snapshot_is_waited_for_and_the_volume_deleted_only_once_it_completed(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        pending = {"State": "pending", "Progress": "40%"}
        answers = Answers(session, [pending, pending, {"State": "completed", "Progress": "100%"}], hide=1)

        (done,), _ = act(session, audit, [row], "delete")

        left = _volume_ids()
    assert done.status is Status.DONE, done.message
    assert done.message.startswith("deleted; snapshot snap-")
    # Not listed at first (a new snapshot may take a moment), pending twice, completed: then the delete.
    assert answers.events == ["not listed"] + ["snapshot pending"] * 2 + ["snapshot completed", "DeleteVolume"]
    assert volume_id not in left


def test_a_snapshot_in_error_keeps_the_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        answers = Answers(session, [{"State": "error", "StateMessage": "Internal error while copying blocks."}])

        (failed,), _ = act(session, audit, [row], "delete")

        (snapshot,) = _own_snapshots()
        left = _volume_ids()
    assert (failed.status, failed.code, failed.deleted) == (Status.FAILED, "SnapshotError", False)
    assert failed.message == (
        f"snapshot {snapshot['SnapshotId']} failed (Internal error while copying blocks.); the volume was not deleted"
    )
    assert failed.request_id == audit.tail(100)[-1]["request_id"]  # CreateSnapshot's
    assert volume_id in left
    assert "DeleteVolume" not in answers.events
    assert _phases(audit) == SNAPSHOT_THEN_DELETE[:4]


def test_a_snapshot_still_pending_at_the_deadline_keeps_the_volume_and_a_second_delete_reuses_it(
    audit: AuditLog,
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        answers = Answers(session, [{"State": "pending", "Progress": "40%"}])

        (failed,), _ = act(session, audit, [row], "delete", verify_timeout=0.2)

        answers.states = [{"State": "completed", "Progress": "100%"}]

        (snapshot,) = _own_snapshots()
        snapshot_id = snapshot["SnapshotId"]
        kept = _volume_ids()

        # It completes (moto: it already has); the same delete again takes no second snapshot.
        (done,), _ = act(session, audit, [row], "delete")

        after = _own_snapshots()
        left = _volume_ids()
        started = _started(snapshot_id)
    assert (failed.status, failed.code) == (Status.FAILED, "SnapshotPending")
    assert failed.message == (
        f"snapshot {snapshot_id} is still pending (40%); the volume was not deleted; "
        "delete it again once the snapshot completes (it will be reused)"
    )
    assert volume_id in kept
    assert done.status is Status.DONE, done.message
    assert done.message == (
        f"deleted; snapshot {snapshot_id}{KEPT}; an earlier delete took it (started {started}), reused"
    )
    assert [s["SnapshotId"] for s in after] == [snapshot_id]
    assert volume_id not in left
    # One CreateSnapshot (the first run), one DeleteVolume (the second).
    assert _phases(audit) == SNAPSHOT_THEN_DELETE


def test_a_snapshot_never_listed_keeps_the_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        Answers(session, [{}], hide=10**6)

        (failed,), _ = act(session, audit, [row], "delete", verify_timeout=0.2)

        left = _volume_ids()
    assert (failed.status, failed.code) == (Status.FAILED, "SnapshotPending")
    assert failed.message == (
        "the snapshot it asked for is not listed yet; the volume was not deleted; "
        "delete it again once the snapshot completes (it will be reused)"
    )
    assert volume_id in left


def test_a_snapshot_whose_progress_cannot_be_read_keeps_the_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        created: list[bool] = []
        ec2.meta.events.register("after-call.ec2.CreateSnapshot", lambda http_response, **_: created.append(True))
        denied = error_response("UnauthorizedOperation", DENIED, 403)
        on_ec2_call(session, "DescribeSnapshots", lambda **_: denied if created else None)

        (failed,), _ = act(session, audit, [row], "delete")

        left = _volume_ids()
    assert (failed.status, failed.code) == (Status.FAILED, "UnauthorizedOperation")
    assert failed.message == (
        f"cannot read its snapshot's progress (UnauthorizedOperation: {DENIED}); the volume was not deleted"
    )
    assert volume_id in left
    assert _phases(audit) == SNAPSHOT_THEN_DELETE[:4]


# --- a snapshot an earlier delete took ------------------------------------------------------------


def test_a_completed_earlier_snapshot_is_reused_and_no_second_one_is_taken(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        earlier = _earlier_snapshot(ec2, volume_id)
        row = scanned(session, "ec2:volume")[volume_id]

        (done,), _ = act(session, audit, [row], "delete")

        after = [s["SnapshotId"] for s in _own_snapshots()]
        left = _volume_ids()
        started = _started(earlier)
    assert done.status is Status.DONE, done.message
    assert done.message == f"deleted; snapshot {earlier}{KEPT}; an earlier delete took it (started {started}), reused"
    assert after == [earlier] and volume_id not in left
    assert _phases(audit) == SNAPSHOT_THEN_DELETE[4:]  # no CreateSnapshot


def test_a_pending_earlier_snapshot_is_waited_for_not_taken_again(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        earlier = _earlier_snapshot(ec2, volume_id)
        row = scanned(session, "ec2:volume")[volume_id]
        pending = {"State": "pending", "Progress": "70%"}
        # The handler's first read sees it pending, then the verification twice more.
        answers = Answers(session, [pending, pending, pending, {"State": "completed", "Progress": "100%"}])

        (done,), _ = act(session, audit, [row], "delete")

        after = [s["SnapshotId"] for s in _own_snapshots()]
    assert done.status is Status.DONE, done.message
    assert done.message.startswith(f"deleted; snapshot {earlier}{KEPT}; an earlier delete took it (started ")
    assert answers.events == ["snapshot pending"] * 3 + ["snapshot completed", "DeleteVolume"]
    assert after == [earlier]
    assert _phases(audit) == SNAPSHOT_THEN_DELETE[4:]


def test_a_pending_earlier_snapshot_deleted_while_waited_for_keeps_the_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        earlier = _earlier_snapshot(ec2, volume_id)
        row = scanned(session, "ec2:volume")[volume_id]
        Answers(session, [{"State": "pending", "Progress": "10%"}], hide=0)
        reads: list[int] = []

        def deleted_after_the_first_read(parsed: dict[str, Any]) -> None:
            reads.append(1)
            if len(reads) > 1:
                parsed["Snapshots"] = []

        after_ec2_call(session, "DescribeSnapshots", deleted_after_the_first_read)

        (failed,), _ = act(session, audit, [row], "delete")

        left = _volume_ids()
    assert (failed.status, failed.code) == (Status.FAILED, "SnapshotGone")
    assert failed.message == f"snapshot {earlier} is gone (deleted while it was waited for); the volume was not deleted"
    assert volume_id in left
    assert audit.tail(100) == []


def test_the_newest_earlier_snapshot_is_the_one_reused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        older, newer = _earlier_snapshot(ec2, volume_id), _earlier_snapshot(ec2, volume_id)
        row = scanned(session, "ec2:volume")[volume_id]
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        when = {older: now - timedelta(hours=5), newer: now - timedelta(hours=1)}

        def dated(parsed: dict[str, Any]) -> None:
            for snapshot in parsed.get("Snapshots", []):
                snapshot["StartTime"] = when[snapshot["SnapshotId"]]
            parsed["Snapshots"].sort(key=lambda s: s["StartTime"])  # oldest first: the order is not trusted

        after_ec2_call(session, "DescribeSnapshots", dated)

        (done,), _ = act(session, audit, [row], "delete")

    reused = f"an earlier delete took it (started {when[newer]:%Y-%m-%d %H:%M} UTC), reused"
    assert done.message == f"deleted; snapshot {newer}{KEPT}; {reused}"


def test_an_earlier_snapshot_over_a_day_old_is_not_reused_a_new_one_is_taken(audit: AuditLog) -> None:
    """EC2 keeps no attachment history: the volume may have been written since an old one."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        stale = _earlier_snapshot(ec2, volume_id)
        row = scanned(session, "ec2:volume")[volume_id]
        day_old = datetime.now(UTC) - timedelta(hours=SNAPSHOT_REUSE_HOURS, minutes=1)

        def dated(parsed: dict[str, Any]) -> None:
            for snapshot in parsed.get("Snapshots", []):
                if snapshot["SnapshotId"] == stale:
                    snapshot["StartTime"] = day_old

        after_ec2_call(session, "DescribeSnapshots", dated)

        (done,), _ = act(session, audit, [row], "delete")

        taken = [s["SnapshotId"] for s in _own_snapshots() if s["SnapshotId"] != stale]
    assert done.status is Status.DONE, done.message
    assert len(taken) == 1 and done.message == f"deleted; snapshot {taken[0]}{KEPT}"
    assert ("before", "CreateSnapshot") in _phases(audit)


def test_a_volume_protected_while_its_snapshot_ran_is_not_deleted(audit: AuditLog) -> None:
    """The volume is read again once the snapshot completes: a protected tag set (or an
    attachment made) during the wait keeps it, and the snapshot is kept."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]

        def protect(parsed: dict[str, Any]) -> None:
            # Set after the first checks passed (the handler reads its earlier snapshots next).
            boto3.client("ec2", region_name=REGION).create_tags(
                Resources=[volume_id], Tags=[{"Key": "do-not-delete", "Value": "1"}]
            )

        after_ec2_call(session, "DescribeSnapshots", protect)

        (refused,), _ = act(session, audit, [row], "delete")

        (snapshot,) = _own_snapshots()
        left = _volume_ids()
    assert (refused.status, refused.deleted) == (Status.REFUSED, False)
    kept = snapshot["SnapshotId"]
    assert refused.message == f"tag do-not-delete is set; the volume was not deleted, its snapshot {kept} is kept"
    assert volume_id in left
    assert ("before", "DeleteVolume") not in _phases(audit)


def test_an_earlier_snapshot_in_error_is_passed_over_and_a_new_one_taken(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        broken = _earlier_snapshot(ec2, volume_id)
        row = scanned(session, "ec2:volume")[volume_id]

        def broken_stays_broken(parsed: dict[str, Any]) -> None:
            for snapshot in parsed.get("Snapshots", []):
                if snapshot["SnapshotId"] == broken:
                    snapshot["State"] = "error"

        after_ec2_call(session, "DescribeSnapshots", broken_stays_broken)

        (done,), _ = act(session, audit, [row], "delete")

        taken = {s["SnapshotId"] for s in _own_snapshots()} - {broken}
    (new,) = taken
    assert done.message == f"deleted; snapshot {new}{KEPT}"
    assert _phases(audit) == SNAPSHOT_THEN_DELETE


def test_a_snapshot_listed_for_another_volume_is_never_reused(audit: AuditLog) -> None:
    """The tag is checked on what DescribeSnapshots answers, not only asked for in its filter."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        stranger = {"SnapshotId": "snap-0f00000000000000a", "VolumeId": "vol-0other", "State": "completed",
                    "StartTime": datetime(2030, 1, 1, tzinfo=UTC),
                    "Tags": [{"Key": FROM_VOLUME_TAG, "Value": "vol-0other"}]}  # fmt: skip
        after_ec2_call(session, "DescribeSnapshots", lambda parsed: parsed["Snapshots"].append(dict(stranger)))

        (done,), _ = act(session, audit, [row], "delete")

        (mine,) = _own_snapshots()
    assert done.message == f"deleted; snapshot {mine['SnapshotId']}{KEPT}"
    assert _phases(audit) == SNAPSHOT_THEN_DELETE


# --- refusals: nothing is created, nothing is deleted -----------------------------------------------


@pytest.mark.parametrize(
    ("tags", "state", "reason"),
    [
        pytest.param({"do-not-delete": "yes"}, None, "tag do-not-delete is set", id="protected"),
        pytest.param({"Protected": ""}, None, "tag Protected is set", id="protected-any-case"),
        pytest.param({}, "attached", "volume is attached to {instance} (state in-use)", id="attached"),
        pytest.param({}, "deleting", "already being deleted", id="deleting"),
        pytest.param(
            {}, "creating", "state is creating; only an available (unattached) volume can be deleted", id="creating"
        ),
    ],
)
def test_a_refused_volume_gets_no_snapshot(
    audit: AuditLog, tags: dict[str, str], state: str | None, reason: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2, tags)
        row = scanned(session, "ec2:volume")[volume_id]  # scanned while available
        instance = ""
        if state == "attached":
            instance = run_instance(ec2, Placement={"AvailabilityZone": ZONE})
            ec2.attach_volume(VolumeId=volume_id, InstanceId=instance, Device="/dev/sdf")
        elif state is not None:
            after_ec2_call(session, "DescribeVolumes", _each_volume(lambda volume: volume.update(State=state)))

        (refused,), seen = act(session, audit, [row], "delete")

        snapshots = _own_snapshots()
        left = _volume_ids()
    assert (refused.status, refused.message) == (Status.REFUSED, reason.format(instance=instance))
    assert statuses(seen, volume_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert snapshots == []
    assert volume_id in left
    assert audit.tail(100) == []  # not even a DryRun


def test_snapshots_that_cannot_be_read_refuse_without_checking(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        on_ec2_call(session, "DescribeSnapshots", lambda **_: error_response("UnauthorizedOperation", DENIED, 403))

        (refused,), _ = act(session, audit, [row], "delete")

        snapshots, left = _own_snapshots(), _volume_ids()
    assert (refused.status, refused.code) == (Status.REFUSED, "UnauthorizedOperation")
    assert refused.message == f"cannot read its snapshots (UnauthorizedOperation: {DENIED}); refusing without checking"
    assert snapshots == [] and volume_id in left
    assert audit.tail(100) == []


def _deny_dry_run(real_calls: list[dict[str, Any]]) -> Callable[..., Any]:
    def hook(params: dict[str, Any], **_: Any) -> Any:
        if params["body"].get("DryRun") == "true":
            return error_response("UnauthorizedOperation", DENIED, 403)
        real_calls.append(params["body"])
        return None

    return hook


def test_a_create_snapshot_dry_run_denied_refuses_before_anything_is_made(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        real_calls: list[dict[str, Any]] = []
        on_ec2_call(session, "CreateSnapshot", _deny_dry_run(real_calls))

        (refused,), _ = act(session, audit, [row], "delete")

        snapshots, left = _own_snapshots(), _volume_ids()
    assert (refused.status, refused.code) == (Status.REFUSED, "UnauthorizedOperation")
    assert refused.message == f"DryRun denied: UnauthorizedOperation {DENIED}"
    assert real_calls == [] and snapshots == [] and volume_id in left
    assert [(line["phase"], line["operation"], line["result"]) for line in audit.tail(100)] == [
        ("before", "CreateSnapshot", None),
        ("dry-run", "CreateSnapshot", "denied"),
    ]


def test_a_create_snapshot_aws_refuses_fails_and_keeps_the_volume(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        message = "The maximum per volume CreateSnapshot request rate has been exceeded."

        def refuse(params: dict[str, Any], **_: Any) -> Any:
            if params["body"].get("DryRun") == "true":
                return None
            return error_response("SnapshotCreationPerVolumeRateExceeded", message)

        on_ec2_call(session, "CreateSnapshot", refuse)

        (failed,), _ = act(session, audit, [row], "delete")

        snapshots, left = _own_snapshots(), _volume_ids()
    assert (failed.status, failed.code) == (Status.FAILED, "SnapshotCreationPerVolumeRateExceeded")
    assert failed.message == f"could not snapshot it first, so it was not deleted: {message}"
    assert failed.request_id == "req-SnapshotCreationPerVolumeRateExceeded"
    assert snapshots == [] and volume_id in left
    assert [(line["phase"], line["operation"], line["result"]) for line in audit.tail(100)] == [
        ("before", "CreateSnapshot", None),
        ("dry-run", "CreateSnapshot", "ok"),
        ("before", "CreateSnapshot", None),
        ("after", "CreateSnapshot", "error"),
    ]


def test_a_delete_dry_run_denied_after_the_snapshot_refuses_and_names_the_snapshot_kept(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        volume_id = _volume(ec2)
        row = scanned(session, "ec2:volume")[volume_id]
        real_calls: list[dict[str, Any]] = []
        on_ec2_call(session, "DeleteVolume", _deny_dry_run(real_calls))

        (refused,), seen = act(session, audit, [row], "delete")

        (snapshot,) = _own_snapshots()
        left = _volume_ids()
    assert (refused.status, refused.code, refused.deleted) == (Status.REFUSED, "UnauthorizedOperation", False)
    assert refused.message == (
        f"DryRun denied: UnauthorizedOperation {DENIED}; the volume was not deleted, "
        f"its snapshot {snapshot['SnapshotId']} is kept"
    )
    assert statuses(seen, volume_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert real_calls == [] and volume_id in left
    assert _phases(audit) == SNAPSHOT_THEN_DELETE[:6]


# --- the money: net of the snapshot ---------------------------------------------------------------


def _priced(vtype: str, size: int | None, region: str = REGION, **details: Any) -> Resource:
    row = Resource(
        kind="ec2:volume",
        id="vol-0abc",
        region=region,
        account_id=ACCOUNT,
        state="available",
        details={"volume_type": vtype, "size_gib": size, **details},
    )
    (priced,) = price_resources([row])
    return priced


@pytest.mark.parametrize(
    ("row", "cost", "net", "basis"),
    [
        # gp3: 100 GiB x $0.08 = $8.00; its snapshot at most 100 GiB x $0.05 = $5.00; $8.00 - $5.00 = $3.00.
        pytest.param(
            ("gp3", 100, {"iops": 3000, "throughput_mibps": 125}), 8.0, 3.0,
            "deletes $8.00/mo of gp3 volume, keeps a snapshot of at most 100 GiB x $0.05/GB-mo = $5.00/mo "
            "(it bills written blocks only): saves at least $3.00/mo",
            id="gp3",
        ),
        # io1: 100 GiB x $0.125 + 3,000 IOPS x $0.065 = $12.50 + $195.00 = $207.50; less $5.00 = $202.50.
        pytest.param(
            ("io1", 100, {"iops": 3000}), 207.5, 202.5,
            "deletes $207.50/mo of io1 volume, keeps a snapshot of at most 100 GiB x $0.05/GB-mo = $5.00/mo "
            "(it bills written blocks only): saves at least $202.50/mo",
            id="io1",
        ),
        # sc1: 500 GiB x $0.015 = $7.50; its snapshot may cost up to 500 x $0.05 = $25.00: never below 0.
        pytest.param(
            ("sc1", 500, {}), 7.5, 0.0,
            "deletes $7.50/mo of sc1 volume, keeps a snapshot of at most 500 GiB x $0.05/GB-mo = $25.00/mo "
            "(it bills written blocks only): saves at least $0.00/mo",
            id="sc1-never-below-zero",
        ),
    ],
)  # fmt: skip
def test_the_saving_is_the_volume_less_the_most_its_snapshot_can_cost(
    row: tuple[str, int, dict[str, Any]], cost: float, net: float, basis: str
) -> None:
    vtype, size, details = row
    volume = _priced(vtype, size, **details)

    assert volume.monthly_cost == cost
    assert snapshot_first_saving(volume) == (net, basis)


def test_an_unknown_price_or_size_leaves_the_saving_unknown_with_the_reason() -> None:
    unpriced = _priced("gp9", 100)
    assert unpriced.monthly_cost is None
    assert snapshot_first_saving(unpriced) == (
        None,
        f"its own price is unknown ({unpriced.cost_basis})",
    )
    assert "gp9" in str(unpriced.cost_basis)
    sizeless = Resource(kind="ec2:volume", id="vol-0abc", region=REGION, monthly_cost=8.0, details={})
    assert snapshot_first_saving(sizeless) == (None, "its size is unknown, so is the most its snapshot can cost")
    # A region the catalogue has no snapshot price for (the volume priced by hand).
    elsewhere = Resource(kind="ec2:volume", id="vol-0abc", region="xx-nowhere-1", monthly_cost=8.0,
                         details={"size_gib": 100})  # fmt: skip
    assert snapshot_first_saving(elsewhere) == (
        None,
        "no catalogue price for standard snapshot storage in xx-nowhere-1",
    )


# --- the plan and the dialog -----------------------------------------------------------------------

NOTE_ON = (
    "snapshot first (on: EC2 cannot tell if it holds data): tagged tracker-tui:from-volume, completed before "
    "the delete; restore with create-volume from it; saves at least $3.00/mo net of its snapshot, $8.00/mo "
    "without it; untick to delete without one: not recoverable"
)


def test_the_plan_shows_the_net_saving_offers_the_box_and_needs_the_name_typed() -> None:
    volume = _priced("gp3", 100, iops=3000, throughput_mibps=125)

    (planned,) = plan([volume], "delete")

    assert (planned.action, planned.saving) == ("delete", 3.0)
    assert planned.note == NOTE_ON
    assert choices_for([planned]) == [SNAPSHOT_FIRST]
    assert SNAPSHOT_FIRST.default is True
    assert needs_typed_name([planned]) is True  # a delete, even of one row


def test_a_plan_with_the_box_unticked_says_the_delete_cannot_be_undone() -> None:
    volume = _priced("gp3", 100, iops=3000, throughput_mibps=125)

    (planned,) = plan([volume], "delete", ActionOptions().choosing({SNAPSHOT_FIRST: False}))

    assert planned.note == "no snapshot first: not recoverable; saves $8.00/mo"
    # The saving column cannot see the box: it stays net of the snapshot, the note says the whole.
    assert planned.saving == 3.0


def test_the_plan_says_when_the_net_saving_is_unknown() -> None:
    (planned,) = plan([_priced("gp9", 100)], "delete")

    assert planned.saving is None
    assert "net saving unknown: its own price is unknown (" in planned.note
    assert planned.note.startswith("snapshot first (on: ")


def _delete_in_the_tui(untick: bool) -> tuple[ActionUpdate, bool]:
    """ctrl+d on the one volume, its box left alone or unticked, the account typed: the row's
    final update, and what the box showed before it was touched."""
    session = helpers.moto_session()
    source = LiveSource(lambda: session, resolve_kinds(["ec2:volume"]), [REGION])
    app = TrackerApp(source, monotonic=lambda: 0.0)
    finals: list[ActionUpdate] = []
    shown: list[bool] = []

    async def go() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: not app.scanning and app.table.row_count)
            await pilot.press("ctrl+d")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ConfirmActionScreen)
            box = screen.query_one(f"#choice-{SNAPSHOT_FIRST.key}", Checkbox)
            shown.append(box.value)
            if untick:
                box.value = False
            await pilot.press(*ACCOUNT, "enter")
            await wait_until(pilot, actions_done(app))
            progress = app.screen
            assert isinstance(progress, ActionProgressScreen)
            finals.extend(progress.latest.values())

    asyncio.run(go())
    (final,) = finals
    return final, shown[0]


@pytest.mark.parametrize("untick", [False, True], ids=["left-alone", "unticked"])
def test_the_dialogs_box_is_ticked_and_what_it_says_is_done(untick: bool) -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        volume_id = _volume(ec2, TAGS)

        final, ticked = _delete_in_the_tui(untick)

        snapshots = _own_snapshots()
        left = _volume_ids()
    assert ticked is True
    assert final.status is Status.DONE, final.message
    assert volume_id not in left
    if untick:
        assert (final.message, snapshots) == ("deleted", [])
    else:
        (snapshot,) = snapshots
        assert final.message == f"deleted; snapshot {snapshot['SnapshotId']}{KEPT}"
        assert _tags(snapshot) == {**TAGS, FROM_VOLUME_TAG: volume_id}
