"""The safety-rail cases of tracker_tui/aws/actions/ec2_snapshot.py (see base.py for the shape):
deleting an EBS snapshot, and moving one to the archive tier in place (``m``), DryRun first.

moto 5.2 implements ModifySnapshotTier (honouring DryRun) and DescribeSnapshotTierStatus: it
archives at once (LastTieringOperationStatus ``archival-completed``, StorageTier ``archive``),
so the archive case runs on moto as it is; AWS's ``archival-in-progress`` and the rest are
injected in tests/test_actions_ec2_snapshot_archive.py.
"""

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


def snapshot_archived(ident: str) -> str:
    """What modify changes, as the rails compare it: "completed" once the snapshot is in the
    archive tier, "completed, standard tier" before.

    tests/test_safety_rails.py compares a modify's re-read row by its state column unless the
    kind names the detail that changes (it does for a volume's type); a snapshot's state reads
    "completed" in both tiers, so the archived snapshot reads as its row does, and the untouched
    one names its tier: a refused case that archived anyway would not read as before.
    """
    try:
        (snap,) = _ec2().describe_snapshots(SnapshotIds=[ident])["Snapshots"]
    except ClientError:
        return GONE
    state = str(snap["State"])
    return state if snap.get("StorageTier") == "archive" else f"{state}, {snap.get('StorageTier')} tier"


CASES: dict[str, Case] = {
    "snapshot-delete": Case(
        "ec2:snapshot", "delete", make_snapshot, snapshot_state, "completed", GONE, ec2_calls("DeleteSnapshot")
    ),
    "snapshot-modify": Case(
        "ec2:snapshot",
        "modify",
        make_snapshot,
        snapshot_archived,
        "completed, standard tier",
        "completed",
        ec2_calls("ModifySnapshotTier"),
    ),
}
SERVICES: dict[str, str] = {"snapshot-delete": "ec2", "snapshot-modify": "ec2"}
DONE_MESSAGES: dict[str, str] = {"snapshot-delete": "deleted", "snapshot-modify": "archived: in the archive tier now"}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "snapshot-delete": ("ec2", "DescribeSnapshots"),
    # The tier status says whether an archive started since the call (and how far it is).
    "snapshot-modify": ("ec2", "DescribeSnapshotTierStatus"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    "snapshot-delete": "it was not deleted within 0.3 s (state: still listed)",
    "snapshot-modify": "it was not archived or being archived within 0.3 s (state: no archiving listed since the call)",
}
#: (Another account's OwnerId is refused too, but the scan drops such rows before any action:
#: tests/test_actions_ec2_snapshot.py alters only the re-read for that.)
STATE_REFUSALS: list[StateRefusal] = [
    ("snapshot-delete", "Snapshots.0.State", "pending",
     "it is still being created (100%); wait until it completes", False),
    ("snapshot-delete", "Snapshots.0.State", "recovering",
     "state is recovering; only a completed (or error) snapshot can be deleted", False),
    # The archive's own reads (its DescribeSnapshots refusals are in its test file): an archive
    # or a restore under way, or the archive tier already, as DescribeSnapshotTierStatus says.
    ("snapshot-modify", "SnapshotTierStatuses.0.LastTieringOperationStatus", "archival-in-progress",
     "it is being archived already (archival-in-progress)", False),
    ("snapshot-modify", "SnapshotTierStatuses.0.LastTieringOperationStatus", "permanent-restore-in-progress",
     "a restore from the archive tier is under way (permanent-restore-in-progress); AWS cannot cancel it: "
     "try again once it has completed", False),
    ("snapshot-modify", "SnapshotTierStatuses.0.StorageTier", "archive",
     "it is in the archive tier already (StorageTier archive)", False),
]  # fmt: skip
