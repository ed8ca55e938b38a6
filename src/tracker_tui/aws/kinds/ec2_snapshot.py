"""EBS snapshots the account owns: listing (never public or shared ones), the own AMI each
backs, and the storage price (the volume's size is an upper bound: snapshots are incremental)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tracker_tui.aws.kinds.base import (
    OLD_SNAPSHOT,
    CellContext,
    InPlace,
    KindSpec,
    Related,
    Rule,
    known,
    own_cost,
    tag_dict,
    ts,
)
from tracker_tui.aws.kinds.console import ec2_page
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, count_text, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

KIND = "ec2:snapshot"

#: The source volume AWS names for a snapshot that was copied (it has no volume of ours).
NO_VOLUME = "vol-ffffffff"

#: Why the volume's full size is only an upper bound, per storage tier.
UPPER_BOUND = {
    "standard": "an upper bound: a snapshot bills only the blocks changed since the previous one",
    "archive": "an upper bound: an archived snapshot bills all the blocks it holds, for 90 days at least",
}


def owned(items: Iterable[dict[str, Any]], account_id: str) -> list[dict[str, Any]]:
    """The items whose ``OwnerId`` is the scanned account.

    ``OwnerIds=["self"]`` should be enough, but it is not everywhere (moto answers with
    the public snapshots of its built-in images too), and another account's snapshot in
    our list would be one we could be asked to delete.
    """
    return [item for item in items if str(item.get("OwnerId", "")) == account_id]


def snapshot_ids_of(image: dict[str, Any]) -> list[str]:
    """The EBS snapshots an AMI's block device mappings name, in device order."""
    return [
        str(m["Ebs"]["SnapshotId"])
        for m in image.get("BlockDeviceMappings") or []
        if (m.get("Ebs") or {}).get("SnapshotId")
    ]


def images_by_snapshot(ctx: CellContext, ec2: Any) -> dict[str, list[str]]:
    """snapshot id -> the account's own AMIs that use it (one paginated DescribeImages)."""
    backing: dict[str, list[str]] = {}
    for page in ctx.pages(ec2, "describe_images", Owners=["self"]):
        for image in owned(page.get("Images", []), ctx.account_id):
            for snapshot in snapshot_ids_of(image):
                backing.setdefault(snapshot, []).append(str(image["ImageId"]))
    return backing


def _age_days(started: Any, now: datetime) -> int | None:
    if not isinstance(started, datetime):
        return None
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return max(0, (now - started).days)


def list_snapshots(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    backing: dict[str, list[str]] | None = None
    now = datetime.now(UTC)
    for page in ctx.pages(ec2, "describe_snapshots", OwnerIds=["self"]):
        snapshots = owned(page.get("Snapshots", []), ctx.account_id)
        if snapshots and backing is None:
            # Only a cell that has snapshots pays for the AMI lookup, and only once.
            backing = images_by_snapshot(ctx, ec2)
        yield [_snapshot(ctx, snap, backing or {}, now) for snap in snapshots]


def _snapshot(ctx: CellContext, snap: dict[str, Any], backing: dict[str, list[str]], now: datetime) -> Resource:
    tags = tag_dict(snap.get("Tags"))
    snapshot_id = str(snap["SnapshotId"])
    volume = snap.get("VolumeId")
    images = backing.get(snapshot_id, [])
    details = {
        "volume_size_gib": snap.get("VolumeSize"),
        "volume_id": volume if volume and volume != NO_VOLUME else None,
        "description": snap.get("Description") or None,
        "storage_tier": snap.get("StorageTier") or "standard",
        "restore_expiry_time": ts(snap.get("RestoreExpiryTime")),
        "start_time": ts(snap.get("StartTime")),
        "age_days": _age_days(snap.get("StartTime"), now),
        "encrypted": bool(snap.get("Encrypted")),
        "kms_key_id": snap.get("KmsKeyId"),
        "progress": snap.get("Progress"),
        "backs_image": images[0] if images else None,
        "backs_images": images if len(images) > 1 else None,
    }
    return Resource(
        kind=KIND,
        id=snapshot_id,
        account_id=ctx.account_id,
        arn=ctx.arn("ec2", f"snapshot/{snapshot_id}"),
        name=tags.get("Name", ""),
        region=ctx.region,
        state=str(snap.get("State", "")),
        created=ts(snap.get("StartTime")),
        tags=tags,
        details=known(details),
    )


def estimate_snapshot(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    tier = str(d.get("storage_tier") or "standard")
    price = cat.snapshot_gb_month(r.region, tier)
    if price is None:
        return None, f"no catalogue price for {tier} snapshot storage in {r.region}"
    size = number(d.get("volume_size_gib"))
    if size is None:
        return None, "snapshot size unknown"
    monthly = cents(size * price)
    bound = UPPER_BOUND.get(tier, "an upper bound: the volume's full size")
    return monthly, (
        f"{tier} tier {r.region}: {count_text(size)} GiB (the volume's size) x ${unit(price)}/GB-mo "
        f"= {format_cost(monthly)}; {bound}"
    )


# --- the archive tier (``m``: ModifySnapshotTier, in aws/actions/ec2_snapshot.py) -------------

#: Restoring an archived snapshot, USD per GB restored.  The catalogue has no retrieval price, so
#: this is AWS's published rate (us-east-1): "Snapshot restores are billed at a rate of $0.03 per
#: GB of data restored" (Amazon EBS User Guide, "Pricing and billing for archiving Amazon EBS
#: snapshots"; https://aws.amazon.com/ebs/pricing/).  Only the confirm dialog's note uses it.
ARCHIVE_RESTORE_PER_GB = 0.03
#: The minimum archive period: deleting or permanently restoring sooner bills the rest of it.
ARCHIVE_MINIMUM_DAYS = 90
#: The minimum period in months as AWS's own example bills it (90 days x 24 h / 24 h x 30-day month).
ARCHIVE_MINIMUM_MONTHS = ARCHIVE_MINIMUM_DAYS / 30

#: Why an archive saving is low confidence, whatever the row (its sizes are the volume's).
ARCHIVE_CAVEAT = (
    "standard bills only the blocks changed since the volume's previous snapshot, archive bills the full "
    "snapshot: for the only snapshot of a volume the two hold the same blocks and this saving holds; for one "
    "of several, the blocks later snapshots share stay billed in the standard tier, so it saves less and "
    f"archiving can cost more; the archive bills {ARCHIVE_MINIMUM_DAYS} days at least"
)


@dataclass(frozen=True)
class ArchiveEstimate:
    """A standard-tier snapshot in the standard and the archive tier, at the volume's size: an
    upper bound of both (the archive stores the full snapshot, at most the volume's size)."""

    size_gib: float
    standard_rate: float
    archive_rate: float

    @property
    def standard_monthly(self) -> float:
        """What the row costs today (``estimate_snapshot``'s figure)."""
        return cents(self.size_gib * self.standard_rate)

    @property
    def archive_monthly(self) -> float:
        return cents(self.size_gib * self.archive_rate)

    @property
    def saving(self) -> float:
        return cents(self.standard_monthly - self.archive_monthly)

    @property
    def minimum_charge(self) -> float:
        """What the archive bills at least, however soon it is deleted or permanently restored."""
        return cents(self.size_gib * self.archive_rate * ARCHIVE_MINIMUM_MONTHS)

    @property
    def restore_fee(self) -> float:
        """One restore to the standard tier (the full snapshot, at most the volume's size)."""
        return cents(self.size_gib * ARCHIVE_RESTORE_PER_GB)


def archived_already(r: Resource) -> str | None:
    """Why the row is in the archive tier already, or will go back by itself (None: it is not)."""
    tier = str(r.details.get("storage_tier") or "standard")
    if tier != "standard":
        return f"in the {tier} tier already"
    if r.details.get("restore_expiry_time"):
        return f"restored from the archive tier until {r.details['restore_expiry_time']}, then archived again by AWS"
    return None


def archive_estimate(r: Resource) -> ArchiveEstimate | str:
    """What archiving the row costs and saves, or why that cannot be known (archived already,
    an unknown price or size)."""
    archived = archived_already(r)
    if archived is not None:
        return archived
    cat = load_catalogue()
    if not cat.knows_region(r.region):
        return unknown_region(r.region)[1]
    standard, archive = cat.snapshot_gb_month(r.region, "standard"), cat.snapshot_gb_month(r.region, "archive")
    if standard is None or archive is None:
        missing = " or ".join(t for t, price in (("standard", standard), ("archive", archive)) if price is None)
        return f"no catalogue price for {missing} snapshot storage in {r.region}"
    size = number(r.details.get("volume_size_gib"))
    if size is None:
        return "snapshot size unknown"
    return ArchiveEstimate(size, standard, archive)


def archive_saving(r: Resource) -> tuple[float | None, str, str]:
    """(monthly saving, basis, confidence) of moving the row to the archive tier.

    The row is priced at the volume's size x the standard rate, an upper bound; the archive
    bills the full snapshot (at most the volume's size) x the archive rate, for 90 days at
    least.  The saving is the difference of the two upper bounds, and it is low confidence:
    only the only snapshot of its volume saves it (``ARCHIVE_CAVEAT``), which a row cannot
    see.  An archived row (or one restored for a while) saves 0.0: archiving it is refused;
    None when a price or the size is unknown.
    """
    found = archive_estimate(r)
    if isinstance(found, str):
        if archived_already(r) is not None:
            return 0.0, f"{found}: archiving saves nothing more", "high"
        return None, found, "low"
    size = count_text(found.size_gib)
    return (
        found.saving,
        f"standard {size} GiB x ${unit(found.standard_rate)}/GB-mo = {format_cost(found.standard_monthly)} - "
        f"archive {size} GiB x ${unit(found.archive_rate)}/GB-mo = {format_cost(found.archive_monthly)}, both at the "
        f"volume's size (upper bounds) = {format_cost(found.saving)}/mo; {ARCHIVE_CAVEAT}",
        "low",
    )


def archive_in_place(r: Resource) -> float | None:
    """What ``m`` (the archive tier) saves on an old or orphaned snapshot, for the in-place
    total: None for one that backs an AMI (archiving it is refused) or whose price is unknown."""
    if r.details.get("backs_image") or r.details.get("backs_images"):
        return None
    return archive_saving(r)[0]


#: The tag ``ctrl+d`` on a volume puts on the snapshot it takes first (aws/actions/ec2.py).
FROM_VOLUME_TAG = "tracker-tui:from-volume"


def _orphan_candidate(r: Resource) -> bool:
    """Not one that backs an AMI, nor the snapshot kept when its volume was deleted on purpose
    (its volume is gone by design: ``old-snapshot`` still finds it when it ages)."""
    backs = r.details.get("backs_image") or r.details.get("backs_images")
    return not backs and FROM_VOLUME_TAG not in r.tags


def _source_gone(r: Resource, volumes: Related) -> bool:
    volume = r.details.get("volume_id")
    return not volume or volumes(str(volume)) is None


def _orphan_evidence(r: Resource, volumes: Related, saving: float | None) -> str:
    volume = r.details.get("volume_id")
    source = f"its source volume {volume} is not in the account" if volume else "it has no source volume"
    cost = "cost unknown" if r.monthly_cost is None else f"costs up to {format_cost(r.monthly_cost)}/mo"
    return f"{source} and no own AMI uses it; {cost} ({r.cost_basis or 'not priced'})"


ORPHANED_SNAPSHOT = Rule(
    id="orphaned-snapshot",
    label="orphaned snapshot",
    applies=_orphan_candidate,
    saving=own_cost,
    related_kind="ec2:volume",
    confirm=_source_gone,
    evidence=_orphan_evidence,
    # The price is an upper bound (a snapshot bills changed blocks only).
    confidence="medium",
    action="delete",
)

SPEC = KindSpec(
    id=KIND,
    console=ec2_page("SnapshotDetails:snapshotId={id}"),
    aliases=("snapshot", "snapshots"),
    label="snap",
    title="EBS snapshots",
    service="ec2",
    scope="regional",
    lister=list_snapshots,
    # DescribeImages: which snapshots back an own AMI (never called orphaned).
    iam_actions=("ec2:DescribeSnapshots", "ec2:DescribeImages"),
    estimator=estimate_snapshot,
    rules=(ORPHANED_SNAPSHOT, OLD_SNAPSHOT),
    verbs={"delete": "delete", "modify": "modify"},
    billed_as="EC2 - Other",
    not_found_codes=frozenset({"InvalidSnapshot.NotFound"}),
    # Deleting an old or orphaned snapshot saves more; the archive tier keeps it (restorable).
    in_place={
        ORPHANED_SNAPSHOT.id: InPlace("modify", archive_in_place),
        OLD_SNAPSHOT.id: InPlace("modify", archive_in_place),
    },
)
