"""EBS volumes, attached or not: listing, price (GB-month, IOPS, throughput) and the unattached rule."""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, Rule, own_cost, tag_dict, ts
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, count_text, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "ec2:volume"


def list_volumes(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    for page in ctx.pages(ec2, "describe_volumes"):
        batch = []
        for vol in page.get("Volumes", []):
            tags = tag_dict(vol.get("Tags"))
            attachments = [
                {"instance_id": a.get("InstanceId"), "device": a.get("Device"), "state": a.get("State")}
                for a in vol.get("Attachments", [])
            ]
            details = {
                "size_gib": vol.get("Size"),
                "volume_type": vol.get("VolumeType"),
                "iops": vol.get("Iops"),
                "throughput_mibps": vol.get("Throughput"),
                "encrypted": vol.get("Encrypted"),
                "availability_zone": vol.get("AvailabilityZone"),
                "snapshot_id": vol.get("SnapshotId") or None,
                "attached": bool(attachments),
                "attachments": attachments,
            }
            batch.append(
                Resource(
                    kind=KIND,
                    id=vol["VolumeId"],
                    account_id=ctx.account_id,
                    arn=ctx.arn("ec2", f"volume/{vol['VolumeId']}"),
                    name=tags.get("Name", ""),
                    region=ctx.region,
                    state=vol.get("State", ""),
                    created=ts(vol.get("CreateTime")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


def estimate_volume(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    if (r.state or "").lower() == "deleted":
        return 0.0, "deleted: no charge"
    vtype = str(d.get("volume_type") or "")
    size = number(d.get("size_gib"))
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    rates = cat.ebs(vtype, r.region)
    if rates is None:
        return None, f"no catalogue price for volume type {vtype or 'unknown'} in {r.region}"
    if size is None:
        return None, f"{vtype} volume size unknown"
    total = size * rates.gb_month
    parts = [f"{count_text(size)} GiB x ${unit(rates.gb_month)}/GB-mo"]
    iops = number(d.get("iops")) or 0.0
    if rates.iops_tiers:
        remaining, floor = iops, 0
        for up_to, price in rates.iops_tiers:
            if remaining <= 0:
                break
            span = remaining if up_to is None else min(remaining, up_to - floor)
            total += span * price
            parts.append(f"{count_text(span)} IOPS x ${unit(price)}")
            remaining -= span
            floor = up_to or floor
    elif rates.iops_month is not None:
        extra = max(0.0, iops - rates.iops_included)
        if rates.iops_included:
            if extra > 0:
                total += extra * rates.iops_month
                parts.append(
                    f"{count_text(extra)} IOPS above {count_text(rates.iops_included)} x ${unit(rates.iops_month)}"
                )
        else:
            total += extra * rates.iops_month
            parts.append(f"{count_text(extra)} IOPS x ${unit(rates.iops_month)}")
    if rates.throughput_mibps_month is not None:
        mibps = number(d.get("throughput_mibps")) or 0.0
        extra = max(0.0, mibps - rates.throughput_included_mibps)
        if extra > 0:
            total += extra * rates.throughput_mibps_month
            parts.append(
                f"{count_text(extra)} MiB/s above {rates.throughput_included_mibps} "
                f"x ${unit(rates.throughput_mibps_month)}"
            )
    monthly = cents(total)
    basis = f"{vtype} {r.region}: " + " + ".join(parts) + f" = {format_cost(monthly)}"
    if rates.usage_note:
        basis += f" {rates.usage_note}"
    return monthly, basis


UNATTACHED_VOLUME = Rule(
    id="unattached-volume",
    label="unattached volume",
    filter=f"kind:{KIND} state:available",
    applies=lambda r: (r.state or "").lower() == "available",
    saving=own_cost,
)

SPEC = KindSpec(
    id=KIND,
    label="vol",
    title="EBS volumes",
    service="ec2",
    scope="regional",
    lister=list_volumes,
    estimator=estimate_volume,
    rules=(UNATTACHED_VOLUME,),
    verbs={"delete": "delete"},
    billed_as="EC2 - Other",
    not_found_codes=frozenset({"InvalidVolume.NotFound"}),
)
