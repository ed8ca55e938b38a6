"""Deleting an EBS snapshot (``ec2:snapshot``).

The call goes first with ``DryRun=True``.  Only the account's own snapshots are acted on, and
a snapshot that backs one of the account's AMIs is refused: deleting it would break the
image, so the image is deregistered first (``ec2_image``, which deletes its snapshots too if
the user asks, through the helpers here).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, ActionUpdate, Step, Verify
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.kinds.ec2_snapshot import snapshot_ids_of
from tracker_tui.model import Resource


def listed(ids: list[str]) -> str:
    return ", ".join(ids)


def plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _describe_snapshot(ec2: Any, snapshot_id: str) -> dict[str, Any] | None:
    snapshots = ec2.describe_snapshots(SnapshotIds=[snapshot_id]).get("Snapshots", [])
    return next((s for s in snapshots if s.get("SnapshotId") == snapshot_id), None)


def snapshot_exists(ec2: Any, snapshot_id: str) -> bool:
    """Whether the snapshot is still listed (a snapshot not found is not an error here)."""
    try:
        return _describe_snapshot(ec2, snapshot_id) is not None
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidSnapshot.NotFound":
            return False
        raise


def _images_using(ec2: Any, snapshot_id: str, account: str) -> list[str]:
    """The account's own AMIs whose block device mappings name the snapshot."""
    found: list[str] = []
    for page in ec2.get_paginator("describe_images").paginate(Owners=["self"]):
        for image in page.get("Images", []):
            if str(image.get("OwnerId", account)) == account and snapshot_id in snapshot_ids_of(image):
                found.append(str(image["ImageId"]))
    return found


def check_own(step: Step, item: dict[str, Any], what: str) -> None:
    """Refuse a snapshot or image another account owns (shared with this one, or public)."""
    owner = str(item.get("OwnerId") or "")
    if owner and owner != step.account:
        step.refuse(f"the {what} belongs to account {owner}; tracker-tui acts only on the account's own")


def delete_snapshot(step: Step) -> Verify:
    ec2 = step.client("ec2")
    snap = step.reread(lambda: _describe_snapshot(ec2, step.resource.id))
    check_own(step, snap, "snapshot")
    state = str(snap.get("State", ""))
    if state == "pending":
        step.refuse(
            f"it is still being created ({snap.get('Progress') or 'progress unknown'}); wait until it completes"
        )
    if state not in ("completed", "error"):
        step.refuse(f"state is {state}; only a completed (or error) snapshot can be deleted")
    step.check_tags(tag_dict(snap.get("Tags")))
    images = step.read_or_refuse(lambda: _images_using(ec2, step.resource.id, step.account), "AMIs")
    if images:
        step.refuse(
            f"it backs {plural(len(images), 'AMI', 'AMIs')} {listed(images)}; "
            f"deregister {plural(len(images), 'the image', 'them')} first"
        )
    request_id = step.ec2_call(ec2, "delete_snapshot", SnapshotId=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll_gone(lambda: step.find(lambda: _describe_snapshot(ec2, step.resource.id)) is not None, "deleted")
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


def _snapshot_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    notes = []
    backs = resource.details.get("backs_image")
    if backs:
        notes.append(f"it backs AMI {backs}: refused until the image is deregistered")
    if resource.details.get("storage_tier") == "archive":
        notes.append("archived: deleting it within 90 days of archiving still bills the rest of them")
    return "; ".join(notes)


ACTIONS = (
    ActionSpec(
        SNAPSHOT,
        "delete",
        delete_snapshot,
        iam_actions=("ec2:DescribeSnapshots", "ec2:DescribeImages", "ec2:DeleteSnapshot"),
        note=_snapshot_note,
    ),
)
