"""tracker_tui/aws/actions/ec2_snapshot.py against moto: deleting a snapshot (DryRun first),
every refusal (an AMI it backs, now or since the scan; protected; another account's; its
state), the audit lines and the plan's notes.

The rails every handler shares run on it through tests/support/rails/ec2_snapshot.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import (
    after_ec2_call,
    also_maps,
    delete_run,
    ec2_client,
    image_snapshots,
    snapshot_exists,
    snapshot_phases,
)
from tests.support.rails.base import REGION, scanned
from tests.support.rails.ec2_image import make_image
from tests.support.rails.ec2_snapshot import make_snapshot
from tracker_tui.aws.actions import Status, plan
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog


def test_delete_snapshot_dry_runs_deletes_and_verifies(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({"team": "data"})
        final, seen = delete_run(session, audit, scanned(session, SNAPSHOT)[snap])
        assert not snapshot_exists(snap)

    assert (final.status, final.message, final.deleted) == (Status.DONE, "deleted", True)
    assert seen == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert [p[:2] for p in snapshot_phases(audit)] == [
        ("before", "DeleteSnapshot"), ("dry-run", "DeleteSnapshot"),
        ("before", "DeleteSnapshot"), ("after", "DeleteSnapshot"),
    ]  # fmt: skip


def test_a_snapshot_that_backs_an_own_ami_is_refused_until_the_image_is_deregistered(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        image = make_image({})
        (snap,) = image_snapshots(image)
        row = scanned(session, SNAPSHOT)[snap]
        final, _ = delete_run(session, audit, row)
        assert snapshot_exists(snap)

    assert (final.status, final.message) == (Status.REFUSED, f"it backs AMI {image}; deregister the image first")
    assert audit.tail(100) == []
    # The confirm dialog says so before anything is run.
    (planned,) = plan([row], "delete")
    assert planned.note == f"it backs AMI {image}: refused until the image is deregistered"


def test_a_snapshot_that_came_to_back_an_ami_after_the_scan_is_refused_too(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        assert "backs_image" not in row.details
        image, other = make_image({}), make_image({})  # the second does not use it
        also_maps(session, image, snap)
        final, _ = delete_run(session, audit, row)
        assert snapshot_exists(snap)

    assert other
    assert (final.status, final.message) == (Status.REFUSED, f"it backs AMI {image}; deregister the image first")


@pytest.mark.parametrize("tag", ["do-not-delete", "Protected"])
def test_a_protected_snapshot_is_refused(audit: AuditLog, tag: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({tag: "yes"})
        final, _ = delete_run(session, audit, scanned(session, SNAPSHOT)[snap])
        assert snapshot_exists(snap)

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
        row = scanned(session, SNAPSHOT)[snap]
        after_ec2_call(session, "DescribeSnapshots", lambda parsed: parsed["Snapshots"][0].update({field: value}))
        final, _ = delete_run(session, audit, row)
        assert snapshot_exists(snap)

    assert (final.status, final.message, final.deleted) == (Status.REFUSED, message, deleted)
    assert audit.tail(100) == []


def test_a_snapshot_in_error_can_be_deleted(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]

        def in_error(parsed: dict[str, Any]) -> None:
            for found in parsed.get("Snapshots", []):
                found["State"] = "error"

        after_ec2_call(session, "DescribeSnapshots", in_error)
        final, _ = delete_run(session, audit, row)
        assert not snapshot_exists(snap)

    assert (final.status, final.message) == (Status.DONE, "deleted")


def test_a_snapshot_deleted_since_the_scan_is_refused_as_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        snap = make_snapshot({})
        row = scanned(session, SNAPSHOT)[snap]
        ec2_client().delete_snapshot(SnapshotId=snap)
        final, _ = delete_run(session, audit, row)

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
