"""The safety-rail case of tracker_tui/aws/actions/ec2_snapshot.py (see base.py for the shape):
deleting an EBS snapshot, DryRun first."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, ec2_calls, tag_spec, where


def _ec2() -> Any:
    return boto3.client("ec2", region_name=where())


def make_snapshot(tags: Tags) -> str:
    ec2 = _ec2()
    volume = ec2.create_volume(Size=8, AvailabilityZone=f"{where()}a")["VolumeId"]
    return str(ec2.create_snapshot(VolumeId=volume, **tag_spec("snapshot", tags))["SnapshotId"])


def snapshot_state(ident: str) -> str:
    try:
        return str(_ec2().describe_snapshots(SnapshotIds=[ident])["Snapshots"][0]["State"])
    except ClientError:
        return GONE


CASES: dict[str, Case] = {
    "snapshot-delete": Case(
        "ec2:snapshot", "delete", make_snapshot, snapshot_state, "completed", GONE, ec2_calls("DeleteSnapshot")
    ),
}
SERVICES: dict[str, str] = {"snapshot-delete": "ec2"}
DONE_MESSAGES: dict[str, str] = {"snapshot-delete": "deleted"}
VERIFIED_BY: dict[str, tuple[str, str]] = {"snapshot-delete": ("ec2", "DescribeSnapshots")}
VERIFY_TIMEOUTS: dict[str, str] = {"snapshot-delete": "it was not deleted within 0.3 s (state: still listed)"}
#: (Another account's OwnerId is refused too, but the scan drops such rows before any action:
#: tests/test_actions_ec2_snapshot.py alters only the re-read for that.)
STATE_REFUSALS: list[StateRefusal] = [
    ("snapshot-delete", "Snapshots.0.State", "pending",
     "it is still being created (100%); wait until it completes", False),
    ("snapshot-delete", "Snapshots.0.State", "recovering",
     "state is recovering; only a completed (or error) snapshot can be deleted", False),
]  # fmt: skip
