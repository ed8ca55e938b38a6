"""Deleting an EBS snapshot (``ec2:snapshot``), or moving it to the archive tier in place (``m``).

Every call goes first with ``DryRun=True``.  Only the account's own snapshots are acted on, and
a snapshot that backs one of the account's AMIs is refused: deleting it would break the
image, so the image is deregistered first (``ec2_image``, which deletes its snapshots too if
the user asks, through the helpers here); AWS archives no snapshot an enabled AMI uses.

Archiving (ModifySnapshotTier) keeps the snapshot, its id, tags and data: it is billed at the
archive rate on its full size for 90 days at least, and must be restored (24-72 h) before a
volume can be made from it.  AWS's limits, refused here before the call (Amazon EBS User
Guide, "Considerations and limitations for archiving Amazon EBS snapshots"): completed
snapshots only, the account's own only, none an AMI uses, and no archive or restore while
another is under way (neither can be cancelled).  A snapshot shared with other accounts is
refused too: archiving ends their access, a loss to them the dialog cannot show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, ActionUpdate, Failed, Step, Verify
from tracker_tui.aws.kinds.base import CellContext, Lister, tag_dict, ts
from tracker_tui.aws.kinds.ec2_snapshot import (
    ARCHIVE_MINIMUM_DAYS,
    ARCHIVE_RESTORE_PER_GB,
    archive_estimate,
    archive_saving,
    archived_already,
    list_snapshots,
    snapshot_ids_of,
)
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import count_text, unit


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


# --- the archive tier, in place (``m``) ---------------------------------------------------------

#: DescribeSnapshotTierStatus's LastTieringOperationStatus for an archive or restore under way:
#: AWS cannot cancel one, so no other is asked for meanwhile.
ARCHIVING = "archival-in-progress"
TIERING_UNDER_WAY = frozenset({ARCHIVING, "temporary-restore-in-progress", "permanent-restore-in-progress"})
ARCHIVED = "archival-completed"
ARCHIVAL_FAILED = "archival-failed"
#: How long AWS takes to restore an archived snapshot (Amazon EBS User Guide: "up to 72 hours").
RESTORE_TIME = "24-72 h"
#: The refusal of a snapshot AWS already has in the archive tier (either read may say so first).
IN_THE_ARCHIVE = "it is in the archive tier already (StorageTier archive)"


def _tier_status(ec2: Any, snapshot_id: str) -> dict[str, Any] | None:
    """The snapshot's DescribeSnapshotTierStatus entry: its last archive or restore (None: not listed)."""
    pages = ec2.get_paginator("describe_snapshot_tier_status").paginate(
        Filters=[{"Name": "snapshot-id", "Values": [snapshot_id]}]
    )
    for page in pages:
        for status in page.get("SnapshotTierStatuses", []):
            if status.get("SnapshotId") == snapshot_id:
                return dict(status)
    return None


def _shared_with(ec2: Any, snapshot_id: str) -> list[str]:
    """Whom the snapshot is shared with (createVolumePermission): ``everyone (public)``, ``account N``."""
    reply = ec2.describe_snapshot_attribute(SnapshotId=snapshot_id, Attribute="createVolumePermission")
    whom = []
    for permission in reply.get("CreateVolumePermissions") or []:
        if permission.get("Group") == "all":
            whom.append("everyone (public)")
        elif permission.get("UserId"):
            whom.append(f"account {permission['UserId']}")
    return whom


def _progress(status: dict[str, Any]) -> str:
    progress = status.get("LastTieringProgress")
    return "" if progress is None else f", {progress}%"


@dataclass
class _OneSnapshot(CellContext):
    """A cell narrowed to one snapshot for ``list_snapshots``: only DescribeSnapshots takes its
    id (``Step.reread_resource``'s keywords would reach DescribeImages too, which has no
    SnapshotIds), so the re-read row still says which own AMIs it backs, as a scan would."""

    snapshot_id: str = ""

    def pages(self, client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        if operation == "describe_snapshots":
            kwargs["SnapshotIds"] = [self.snapshot_id]
        return super().pages(client, operation, **kwargs)


def _this_snapshot(snapshot_id: str) -> Lister:
    """``list_snapshots`` for one snapshot: its row as the scan maps and prices it."""

    def lister(ctx: CellContext) -> Iterator[list[Resource]]:
        narrowed = _OneSnapshot(
            session=ctx.session,
            region=ctx.region,
            account_id=ctx.account_id,
            regions=ctx.regions,
            snapshot_id=snapshot_id,
        )
        return list_snapshots(narrowed)

    return lister


def archive_snapshot(step: Step) -> Verify:
    """Move a completed snapshot of the account's own to the archive tier (ModifySnapshotTier)."""
    ec2 = step.client("ec2")
    snapshot_id = step.resource.id
    snap = step.reread(lambda: _describe_snapshot(ec2, snapshot_id))
    check_own(step, snap, "snapshot")
    state = str(snap.get("State", ""))
    if state == "pending":
        step.refuse(
            f"it is still being created ({snap.get('Progress') or 'progress unknown'}); "
            "only a completed snapshot can be archived"
        )
    if state != "completed":
        step.refuse(f"state is {state}; only a completed snapshot can be archived")
    if snap.get("StorageTier") == "archive":
        step.refuse(IN_THE_ARCHIVE)
    if snap.get("RestoreExpiryTime"):
        step.refuse(
            f"it is restored from the archive tier until {ts(snap['RestoreExpiryTime'])} (RestoreExpiryTime) and "
            "AWS archives it again then; to end the restore sooner: aws ec2 restore-snapshot-tier "
            "--temporary-restore-days 1"
        )
    step.check_tags(tag_dict(snap.get("Tags")))
    status = step.read_or_refuse(lambda: _tier_status(ec2, snapshot_id), "storage tier status") or {}
    tiering = str(status.get("LastTieringOperationStatus") or "")
    if tiering == ARCHIVING:
        step.refuse(f"it is being archived already ({tiering}{_progress(status)})")
    if tiering in TIERING_UNDER_WAY:
        step.refuse(
            f"a restore from the archive tier is under way ({tiering}{_progress(status)}); "
            "AWS cannot cancel it: try again once it has completed"
        )
    if status.get("StorageTier") == "archive":
        step.refuse(IN_THE_ARCHIVE)
    images = step.read_or_refuse(lambda: _images_using(ec2, snapshot_id, step.account), "AMIs")
    if images:
        step.refuse(
            f"it backs {plural(len(images), 'AMI', 'AMIs')} {listed(images)}; AWS archives no snapshot an "
            f"enabled AMI uses: deregister or disable {plural(len(images), 'the image', 'them')} first"
        )
    shared = step.read_or_refuse(lambda: _shared_with(ec2, snapshot_id), "sharing (createVolumePermission)")
    if shared:
        step.refuse(
            f"it is shared with {listed(shared)} (createVolumePermission); archiving ends their access: "
            "stop sharing it first"
        )
    # What tells this archive from an earlier one (a failed attempt): its start time.
    earlier = status.get("LastTieringStartTime")
    request_id = step.ec2_call(ec2, "modify_snapshot_tier", SnapshotId=snapshot_id, StorageTier="archive")

    def verify() -> ActionUpdate:
        seen = {"tiering": "", "progress": "", "state": "no archiving listed since the call"}

        def taken() -> bool:
            # Done when AWS lists this archive as in progress (it can take hours: an honest
            # done, said so), or completed with the snapshot reading the archive tier.
            current = step.find(lambda: _tier_status(ec2, snapshot_id))
            started = (current or {}).get("LastTieringStartTime")
            if current is None or started is None or started == earlier:
                return False
            seen["tiering"] = str(current.get("LastTieringOperationStatus") or "")
            seen["progress"] = _progress(current)
            seen["state"] = seen["tiering"] or "tiering status unknown"
            if seen["tiering"] == ARCHIVAL_FAILED:
                why = current.get("LastTieringOperationStatusDetail") or "no reason given"
                raise Failed(f"AWS accepted the archiving, then it failed: {why}", "ArchivalFailed", request_id)
            if seen["tiering"] == ARCHIVING:
                return True
            if seen["tiering"] != ARCHIVED:
                return False
            now = step.find(lambda: _describe_snapshot(ec2, snapshot_id))
            tier = "not found" if now is None else f"{now.get('StorageTier') or 'standard'} tier"
            seen["state"] += f", the snapshot reads {tier}"
            return now is not None and now.get("StorageTier") == "archive"

        step.poll(taken, "archived or being archived", lambda: seen["state"])
        fresh = step.reread_resource(_this_snapshot(snapshot_id))
        if seen["tiering"] == ARCHIVING:
            message = (
                f"archiving: AWS is moving it to the archive tier ({ARCHIVING}{seen['progress']}); "
                "a large snapshot takes hours: rescan to see it archived"
            )
        else:
            message = f"archived: in the archive tier now (a restore takes {RESTORE_TIME})"
        return step.done(message, result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def _archive_saving(resource: Resource) -> float | None:
    return archive_saving(resource)[0]


def _archive_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    """What archiving changes, what it will cost, how long a restore takes and how to undo it."""
    archived = archived_already(resource)
    if archived is not None:
        return f"{archived} (it will be refused)"
    backs = resource.details.get("backs_images") or (
        [resource.details["backs_image"]] if resource.details.get("backs_image") else []
    )
    if backs:
        return (
            f"it backs {plural(len(backs), 'AMI', 'AMIs')} {listed([str(b) for b in backs])}: refused until "
            f"{plural(len(backs), 'the image is', 'they are')} deregistered or disabled"
        )
    found = archive_estimate(resource)
    if isinstance(found, str):
        costs = f"archive tier cost unknown ({found})"
        restore = f"${unit(ARCHIVE_RESTORE_PER_GB)}/GB"
        minimum = f"billed {ARCHIVE_MINIMUM_DAYS} days at least"
    else:
        # Every figure at the volume's size: the full snapshot the archive holds is at most that.
        costs = (
            f"archive tier: up to {format_cost(found.archive_monthly)}/mo (now up to "
            f"{format_cost(found.standard_monthly)}/mo), a full copy of at most {count_text(found.size_gib)} GiB: "
            "that saving holds for a volume's only snapshot, one of several saves less or costs more"
        )
        restore = f"${unit(ARCHIVE_RESTORE_PER_GB)}/GB (up to {format_cost(found.restore_fee)})"
        minimum = f"billed {ARCHIVE_MINIMUM_DAYS} days at least (up to {format_cost(found.minimum_charge)})"
    return (
        f"{costs}; no volume can be made from it until it is restored: {RESTORE_TIME}, {restore}; {minimum} "
        "even if deleted or permanently restored sooner; undo: aws ec2 restore-snapshot-tier --permanent-restore"
    )


ACTIONS = (
    ActionSpec(
        SNAPSHOT,
        "delete",
        delete_snapshot,
        iam_actions=("ec2:DescribeSnapshots", "ec2:DescribeImages", "ec2:DeleteSnapshot"),
        note=_snapshot_note,
    ),
    # In place and nothing is lost (the same snapshot, restorable), so one row confirms with y
    # like a stop; what undoing costs (a 24-72 h restore, the 90 days billed) is in the note.
    ActionSpec(
        SNAPSHOT,
        "modify",
        archive_snapshot,
        iam_actions=(
            "ec2:DescribeSnapshots",
            "ec2:DescribeSnapshotTierStatus",
            "ec2:DescribeImages",
            "ec2:DescribeSnapshotAttribute",
            "ec2:ModifySnapshotTier",
        ),
        note=_archive_note,
        saving=_archive_saving,
        single_key=True,
    ),
)
