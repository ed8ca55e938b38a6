"""AMIs the account owns: listing, their snapshots, the instances launched from them.

An AMI costs nothing itself: what it holds is its EBS snapshots, which bill on their own
rows (``ec2_snapshot``), so the basis names them instead of counting them twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import (
    CellContext,
    KindSpec,
    Related,
    Rule,
    known,
    named_rows,
    named_rows_cost,
    tag_dict,
    ts,
)
from tracker_tui.aws.kinds.console import ec2_page
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.kinds.ec2_snapshot import owned, snapshot_ids_of
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, count_text, number
from tracker_tui.pricing.catalogue import Catalogue

KIND = "ec2:image"

#: The instance states that count as using an AMI (terminated ones do not).
USING_STATES = ["pending", "running", "stopping", "stopped"]
#: Of those, the ones an AMI must not be deregistered under.
RUNNING_STATES = frozenset({"pending", "running"})


def instances_by_image(ctx: CellContext, ec2: Any) -> dict[str, list[tuple[str, str]]]:
    """image id -> [(instance id, state), ...] of the instances launched from it (one paginated call)."""
    using: dict[str, list[tuple[str, str]]] = {}
    filters = [{"Name": "instance-state-name", "Values": USING_STATES}]
    for page in ctx.pages(ec2, "describe_instances", Filters=filters):
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                state = str((inst.get("State") or {}).get("Name", ""))
                using.setdefault(str(inst.get("ImageId", "")), []).append((str(inst["InstanceId"]), state))
    return using


def list_images(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    using: dict[str, list[tuple[str, str]]] | None = None
    for page in ctx.pages(ec2, "describe_images", Owners=["self"]):
        images = owned(page.get("Images", []), ctx.account_id)
        if images and using is None:
            # Only a cell with own AMIs pays for the instance lookup, and only once.
            using = instances_by_image(ctx, ec2)
        yield [_image(ctx, image, using or {}) for image in images]


def _image(ctx: CellContext, image: dict[str, Any], using: dict[str, list[tuple[str, str]]]) -> Resource:
    tags = tag_dict(image.get("Tags"))
    image_id = str(image["ImageId"])
    sizes = [
        number((m.get("Ebs") or {}).get("VolumeSize"))
        for m in image.get("BlockDeviceMappings") or []
        if (m.get("Ebs") or {}).get("SnapshotId")
    ]
    instances = using.get(image_id, [])
    details = {
        "image_name": image.get("Name"),
        "description": image.get("Description") or None,
        "architecture": image.get("Architecture"),
        "platform_details": image.get("PlatformDetails") or image.get("Platform"),
        "creation_date": ts(image.get("CreationDate")),
        "root_device_type": image.get("RootDeviceType"),
        "root_device_name": image.get("RootDeviceName"),
        "virtualization_type": image.get("VirtualizationType"),
        "public": bool(image.get("Public")),
        "snapshot_ids": snapshot_ids_of(image),
        "snapshots_gib": sum(s for s in sizes if s is not None),
        "in_use_by": len(instances),
        "instance_ids": [i for i, _ in instances],
        "running_instance_ids": [i for i, state in instances if state in RUNNING_STATES],
        "source_instance_id": image.get("SourceInstanceId"),
        "deprecation_time": ts(image.get("DeprecationTime")),
    }
    return Resource(
        kind=KIND,
        id=image_id,
        account_id=ctx.account_id,
        # AMI ARNs carry no account: arn:aws:ec2:us-east-1::image/ami-...
        arn=f"arn:{ctx.partition}:ec2:{ctx.region}::image/{image_id}",
        name=tags.get("Name", "") or str(image.get("Name") or ""),
        region=ctx.region,
        state=str(image.get("State", "")),
        created=ts(image.get("CreationDate")),
        tags=tags,
        details=known(details),
    )


def estimate_image(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    snapshots = r.details.get("snapshot_ids")
    if not isinstance(snapshots, list):
        return 0.0, f"an AMI costs nothing itself; its snapshots bill on their own {SNAPSHOT} rows"
    if not snapshots:
        return 0.0, "an AMI costs nothing itself; it has no EBS snapshots (an instance-store AMI's bundle bills in S3)"
    size = number(r.details.get("snapshots_gib"))
    count = len(snapshots)
    sized = f" ({count_text(size)} GiB)" if size is not None else ""
    if count == 1:
        return 0.0, f"an AMI costs nothing itself; its 1 snapshot{sized} bills on its own {SNAPSHOT} row"
    return 0.0, f"an AMI costs nothing itself; its {count} snapshots{sized} bill on their own {SNAPSHOT} rows"


def _unused(r: Resource) -> bool:
    return not r.details.get("running_instance_ids") and isinstance(r.details.get("snapshot_ids"), list)


def _snapshots(r: Resource, snapshots: Related) -> list[Resource]:
    return named_rows(r, snapshots, "snapshot_ids")


def _snapshots_cost(r: Resource, snapshots: Related) -> float | None:
    """What its snapshots cost: deregistering it and deleting them saves that."""
    return named_rows_cost(r, snapshots, "snapshot_ids")


def _unused_evidence(r: Resource, snapshots: Related, saving: float | None) -> str:
    users = int(r.details.get("in_use_by") or 0)
    who = "no instance of the account uses it" if not users else f"no running instance uses it ({users} stopped)"
    ids = list(r.details.get("snapshot_ids") or [])
    if saving is None:
        return f"{who}; its {len(ids)} snapshot(s) {', '.join(ids)}: cost unknown (not all scanned or priced)"
    return f"{who}; its {len(ids)} snapshot(s) {', '.join(ids)} cost up to {format_cost(saving)}/mo"


UNUSED_IMAGE = Rule(
    id="unused-image",
    label="unused AMI",
    applies=_unused,
    saving=_snapshots_cost,
    related_kind=SNAPSHOT,
    evidence=_unused_evidence,
    # An image may be kept to launch from later; its snapshots' prices are upper bounds.
    confidence="medium",
    action="deregister",
    covers=_snapshots,
)

SPEC = KindSpec(
    id=KIND,
    console=ec2_page("ImageDetails:imageId={id}"),
    aliases=("image", "images"),
    label="ami",
    title="AMIs",
    service="ec2",
    scope="regional",
    lister=list_images,
    # DescribeInstances: which instances run each image (unused-image).
    iam_actions=("ec2:DescribeImages", "ec2:DescribeInstances"),
    estimator=estimate_image,
    rules=(UNUSED_IMAGE,),
    verbs={"delete": "deregister"},
    # Free itself: its snapshots are billed (as EBS, "EC2 - Other") on their own rows.
    billed_as="",
    not_found_codes=frozenset({"InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"}),
)
