"""tracker_tui/aws/actions/ec2_snapshot.py against moto: deleting a snapshot (DryRun first),
every refusal (an AMI it backs, now or since the scan; protected; another account's; its
state), the audit lines and the plan's notes.

The rails every handler shares run on it through tests/support/rails/ec2_snapshot.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support import helpers
from tests.support.rails.ec2_image import make_image
from tests.support.rails.ec2_snapshot import make_snapshot
from tracker_tui.aws.actions import ActionOptions, ActionRunner, ActionUpdate, Status, plan
from tracker_tui.aws.kinds import price_resources
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

ACCOUNT = "123456789012"
REGION = "us-east-1"
FAST = ActionOptions(poll_interval=0.01, verify_timeout=5)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def _ec2() -> Any:
    return boto3.client("ec2", region_name=REGION)


def _rows(session: AwsSession, kind: str) -> dict[str, Resource]:
    resources, _ = helpers.scan([kind], [REGION], session=session)
    return {r.id: r for r in price_resources(resources)}


def _run(session: AwsSession, audit: AuditLog, row: Resource, **options: Any) -> tuple[ActionUpdate, list[Status]]:
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    seen: list[ActionUpdate] = []
    (final,) = runner.run(plan([row], "delete", runner.options), seen.append)
    return final, [u.status for u in seen]


def _phases(audit: AuditLog) -> list[tuple[str, str, str]]:
    return [
        (line["phase"], line["operation"], (line.get("params") or {}).get("SnapshotId", "")) for line in audit.tail(100)
    ]


def _after_call(session: AwsSession, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Alter every later answer of ``operation`` (after the scan: only the handler's re-read sees it)."""
    client = session.client("ec2", REGION)
    client.meta.events.register(f"after-call.ec2.{operation}", lambda parsed, **_: change(parsed) if parsed else None)


def _also_maps(session: AwsSession, image: str, snapshot: str) -> None:
    """Every later DescribeImages answer has ``image`` name ``snapshot`` too (moto's RegisterImage
    ignores the block device mappings it is given, so an AMI of several snapshots is made so)."""

    def change(parsed: dict[str, Any]) -> None:
        for found in parsed.get("Images", []):
            if found["ImageId"] == image:
                found["BlockDeviceMappings"].append({"DeviceName": "/dev/xvdz", "Ebs": {"SnapshotId": snapshot}})

    _after_call(session, "DescribeImages", change)


def _snapshot_exists(ident: str) -> bool:
    try:
        return bool(_ec2().describe_snapshots(SnapshotIds=[ident])["Snapshots"])
    except ClientError:
        return False


def _image_snapshots(image: str) -> list[str]:
    (found,) = _ec2().describe_images(ImageIds=[image])["Images"]
    return [m["Ebs"]["SnapshotId"] for m in found["BlockDeviceMappings"] if m.get("Ebs")]


def test_delete_snapshot_dry_runs_deletes_and_verifies(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({"team": "data"})
        final, seen = _run(session, audit, _rows(session, SNAPSHOT)[snap])
        assert not _snapshot_exists(snap)

    assert (final.status, final.message, final.deleted) == (Status.DONE, "deleted", True)
    assert seen == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert [p[:2] for p in _phases(audit)] == [
        ("before", "DeleteSnapshot"), ("dry-run", "DeleteSnapshot"),
        ("before", "DeleteSnapshot"), ("after", "DeleteSnapshot"),
    ]  # fmt: skip


def test_a_snapshot_that_backs_an_own_ami_is_refused_until_the_image_is_deregistered(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (snap,) = _image_snapshots(image)
        row = _rows(session, SNAPSHOT)[snap]
        final, _ = _run(session, audit, row)
        assert _snapshot_exists(snap)

    assert (final.status, final.message) == (Status.REFUSED, f"it backs AMI {image}; deregister the image first")
    assert audit.tail(100) == []
    # The confirm dialog says so before anything is run.
    (planned,) = plan([row], "delete")
    assert planned.note == f"it backs AMI {image}: refused until the image is deregistered"


def test_a_snapshot_that_came_to_back_an_ami_after_the_scan_is_refused_too(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = _rows(session, SNAPSHOT)[snap]
        assert "backs_image" not in row.details
        image, other = make_image({}), make_image({})  # the second does not use it
        _also_maps(session, image, snap)
        final, _ = _run(session, audit, row)
        assert _snapshot_exists(snap)

    assert other
    assert (final.status, final.message) == (Status.REFUSED, f"it backs AMI {image}; deregister the image first")


@pytest.mark.parametrize("tag", ["do-not-delete", "Protected"])
def test_a_protected_snapshot_is_refused(audit: AuditLog, tag: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({tag: "yes"})
        final, _ = _run(session, audit, _rows(session, SNAPSHOT)[snap])
        assert _snapshot_exists(snap)

    assert (final.status, final.message) == (Status.REFUSED, f"tag {tag} is set")
    assert audit.tail(100) == []


@pytest.mark.parametrize(
    ("field", "value", "message", "deleted"),
    [
        ("OwnerId", "210987654321",
         "the snapshot belongs to account 210987654321; tracker-tui acts only on the account's own", False),
        ("State", "pending", "it is still being created (100%); wait until it completes", False),
        ("State", "recoverable", "state is recoverable; only a completed (or error) snapshot can be deleted", False),
    ],
)  # fmt: skip
def test_a_snapshot_re_read_in_a_state_it_cannot_be_deleted_in_is_refused(
    audit: AuditLog, field: str, value: str, message: str, deleted: bool
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = _rows(session, SNAPSHOT)[snap]
        _after_call(session, "DescribeSnapshots", lambda parsed: parsed["Snapshots"][0].update({field: value}))
        final, _ = _run(session, audit, row)
        assert _snapshot_exists(snap)

    assert (final.status, final.message, final.deleted) == (Status.REFUSED, message, deleted)
    assert audit.tail(100) == []


def test_a_snapshot_in_error_can_be_deleted(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = _rows(session, SNAPSHOT)[snap]

        def in_error(parsed: dict[str, Any]) -> None:
            for found in parsed.get("Snapshots", []):
                found["State"] = "error"

        _after_call(session, "DescribeSnapshots", in_error)
        final, _ = _run(session, audit, row)
        assert not _snapshot_exists(snap)

    assert (final.status, final.message) == (Status.DONE, "deleted")


def test_a_snapshot_deleted_since_the_scan_is_refused_as_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = _rows(session, SNAPSHOT)[snap]
        _ec2().delete_snapshot(SnapshotId=snap)
        final, _ = _run(session, audit, row)

    assert (final.status, final.message, final.deleted) == (
        Status.REFUSED,
        "it no longer exists (deleted since the scan)",
        True,
    )


def test_an_archived_snapshots_note_warns_of_the_90_day_minimum() -> None:
    row = Resource(kind=SNAPSHOT, id="snap-1", region=REGION, details={"storage_tier": "archive"})
    (planned,) = plan([row], "delete")
    assert (planned.action, planned.note) == (
        "delete",
        "archived: deleting it within 90 days of archiving still bills the rest of them",
    )
