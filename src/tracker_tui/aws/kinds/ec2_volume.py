"""EBS volumes, attached or not: listing, price (GB-month, IOPS, throughput), the unattached rule and
the attached volume with no I/O (CloudWatch)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from tracker_tui.aws.kinds.base import (
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
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    unknown_saving,
)
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, count_text, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

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
                    details=known(details),
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


def _unattached_evidence(r: Resource, related: Related, saving: float | None) -> str:
    size = count_text(number(r.details.get("size_gib")) or 0)
    what = f"{r.details.get('volume_type') or 'EBS'} {size} GiB, state available (attached to nothing)"
    cost = "cost unknown" if r.monthly_cost is None else f"costs {format_cost(r.monthly_cost)}/mo"
    return f"{what}; {cost} ({r.cost_basis or 'not priced'})"


UNATTACHED_VOLUME = Rule(
    id="unattached-volume",
    label="unattached volume",
    applies=lambda r: (r.state or "").lower() == "available",
    saving=own_cost,
    evidence=_unattached_evidence,
    action="delete",
)


def snapshot_first_saving(r: Resource) -> tuple[float | None, str]:
    """What deleting ``r`` after snapshotting it saves a month, and the basis of that figure.

    The snapshot bills only the volume's written blocks, which EC2 does not report, so it costs
    at most the volume's size at the region's standard snapshot rate: the saving is at least
    the volume's cost less that (never below 0; an sc1 volume's snapshot can cost more than the
    volume).  None, with the reason, when either price is unknown.
    """
    if r.monthly_cost is None:
        return None, f"its own price is unknown ({r.cost_basis or 'not priced'})"
    size = number(r.details.get("size_gib"))
    if size is None:
        return None, "its size is unknown, so is the most its snapshot can cost"
    rate = load_catalogue().snapshot_gb_month(r.region, "standard")
    if rate is None:
        return None, f"no catalogue price for standard snapshot storage in {r.region}"
    snapshot = cents(size * rate)
    net = cents(max(0.0, r.monthly_cost - snapshot))
    vtype = r.details.get("volume_type") or "EBS"
    return net, (
        f"deletes {format_cost(r.monthly_cost)}/mo of {vtype} volume, keeps a snapshot of at most "
        f"{count_text(size)} GiB x ${unit(rate)}/GB-mo = {format_cost(snapshot)}/mo (it bills written blocks only): "
        f"saves at least {format_cost(net)}/mo"
    )


#: gp3's baseline, included in its GB-month price.
GP3_BASE_IOPS = 3000
GP3_BASE_MIBPS = 125
GP3_MAX_IOPS = 16000


def gp2_performance(size_gib: float) -> tuple[int, int]:
    """The IOPS and throughput (MiB/s) a gp2 volume of ``size_gib`` gives, which a gp3 twin
    must match: 3 IOPS per GiB (100 at least, 16,000 at most); 128 MiB/s up to 170 GiB, else
    250 (AWS's gp2 documentation; 170-334 GiB reach 250 on burst credits)."""
    iops = int(min(GP3_MAX_IOPS, max(100, 3 * size_gib)))
    return max(GP3_BASE_IOPS, iops), (128 if size_gib <= 170 else 250)


def gp3_twin(r: Resource, iops: float, mibps: float) -> Resource:
    """The row as a gp3 volume of the same size with ``iops`` and ``mibps``."""
    details = {**r.details, "volume_type": "gp3", "iops": int(iops), "throughput_mibps": int(mibps)}
    return dataclasses.replace(r, details=details, monthly_cost=None, cost_basis=None)


def _conversion(r: Resource) -> tuple[float | None, Resource | None, str]:
    """(saving, the gp3 twin priced, why unknown) of converting ``r`` to gp3 in place."""
    size = number(r.details.get("size_gib"))
    if r.monthly_cost is None or size is None:
        return None, None, f"its own price is unknown ({r.cost_basis or 'not priced'})"
    vtype = str(r.details.get("volume_type") or "")
    if vtype == "gp2":
        iops, mibps = gp2_performance(size)
    else:  # io1/io2 at the IOPS it has, gp3's baseline throughput
        iops, mibps = max(GP3_BASE_IOPS, int(number(r.details.get("iops")) or 0)), GP3_BASE_MIBPS
    twin = gp3_twin(r, iops, mibps)
    cost, basis = estimate_volume(twin, load_catalogue(), None)
    if cost is None:
        return None, None, f"no gp3 price: {basis}"
    twin = dataclasses.replace(twin, monthly_cost=cost, cost_basis=basis)
    return cents(max(0.0, r.monthly_cost - cost)), twin, ""


def gp3_conversion(r: Resource) -> tuple[float | None, Resource | None]:
    """(saving, the gp3 twin priced) of converting ``r`` to gp3 in place, as the ``gp2-to-gp3``
    and ``io1-to-gp3`` rules price it; (None, None) when either price is unknown.  The saving
    is 0.0, never negative, when gp3 at that performance costs more."""
    saving, twin, _ = _conversion(r)
    return saving, twin


def _conversion_saving(r: Resource, related: Related) -> float | None:
    return _conversion(r)[0]


def _cheaper(r: Resource, related: Related) -> bool:
    """A conversion is a finding only where gp3 costs less (or the saving cannot be known):
    a 200 GiB gp2 volume gives 250 MiB/s, and gp3 at that throughput costs more."""
    saving = _conversion(r)[0]
    return saving is None or saving > 0


def _conversion_evidence(r: Resource, related: Related, saving: float | None) -> str:
    _, twin, why = _conversion(r)
    vtype = r.details.get("volume_type") or "?"
    if twin is None:
        return f"{vtype} -> gp3: saving unknown, {why}"
    d = twin.details
    assert r.monthly_cost is not None and twin.monthly_cost is not None
    return (
        f"{vtype} {count_text(number(r.details.get('size_gib')) or 0)} GiB costs {format_cost(r.monthly_cost)}/mo; "
        f"gp3 with the same size, {count_text(d['iops'])} IOPS and {d['throughput_mibps']} MiB/s "
        f"costs {format_cost(twin.monthly_cost)}/mo ({twin.cost_basis})"
    )


GP2_TO_GP3 = Rule(
    id="gp2-to-gp3",
    label="gp2 volume: gp3 costs less",
    applies=lambda r: r.details.get("volume_type") == "gp2" and (r.state or "").lower() in ("in-use", "available"),
    saving=_conversion_saving,
    confirm=_cheaper,
    evidence=_conversion_evidence,
    action="modify",
)


def _io_to_gp3_applies(r: Resource) -> bool:
    iops = number(r.details.get("iops"))
    return (
        r.details.get("volume_type") in ("io1", "io2")
        and iops is not None
        and iops <= GP3_MAX_IOPS
        and (r.state or "").lower() in ("in-use", "available")
    )


IO1_TO_GP3 = Rule(
    id="io1-to-gp3",
    label="io1/io2 volume within gp3's IOPS",
    applies=_io_to_gp3_applies,
    saving=_conversion_saving,
    confirm=_cheaper,
    evidence=lambda r, related, saving: (
        _conversion_evidence(r, related, saving)
        + "; gp3 has lower durability than io2 and higher latency than io1/io2: check the workload first"
    ),
    # io1/io2 are often chosen for latency or durability, which a price cannot see.
    confidence="medium",
    action="modify",
)

#: ``ebs-no-io``: read and write operations over the window, together, at most this.
IDLE_VOLUME_OPS = Knob(
    "idle_volume_ops", 0.0, "ebs-no-io: read and write operations over the window at most this", 0.0, 1e15
)


def _attached_to(r: Resource) -> str:
    """``i-0abc (/dev/sdf)``; several for a Multi-Attach volume."""
    attachments = [a for a in r.details.get("attachments") or () if isinstance(a, dict)]
    named = [f"{a.get('instance_id') or '?'}" + (f" ({a['device']})" if a.get("device") else "") for a in attachments]
    return ", ".join(named) or "an instance"


def _judge_io(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    reads, writes = values["read_ops"], values["write_ops"]
    total = sum(reads) + sum(writes)
    idle = total <= limits[IDLE_VOLUME_OPS]
    return Verdict(
        idle,
        f"attached to {_attached_to(r)}; over {limits[IDLE_DAYS]:g} days: VolumeReadOps ({days_text(reads)}) "
        f"{count(sum(reads))} reads, VolumeWriteOps ({days_text(writes)}) {count(sum(writes))} writes "
        f"({'at most' if idle else 'more than'} {count(limits[IDLE_VOLUME_OPS])} together)",
    )


def _io_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return unknown_saving(r)
    return (
        f"detaching and deleting it (after a snapshot) saves its cost, {format_cost(saving)}/mo ({r.cost_basis}); "
        "a standby volume may be wanted"
    )


EBS_NO_IO = MetricRule(
    id="ebs-no-io",
    label="attached volume with no I/O",
    applies=lambda r: (r.state or "").lower() == "in-use",
    queries=(
        MetricQuery("read_ops", "AWS/EBS", "VolumeReadOps", "Sum", "VolumeId"),
        MetricQuery("write_ops", "AWS/EBS", "VolumeWriteOps", "Sum", "VolumeId"),
    ),
    judge=_judge_io,
    knobs=(IDLE_VOLUME_OPS,),
    saving=lambda r: r.monthly_cost,
    saving_basis=_io_basis,
    # Deleting an attached volume is not a verb the tool performs: a person detaches it first.
    action=None,
    # A volume kept attached for a failover or a restore is wanted though it does nothing.
    confidence="medium",
)

SPEC = KindSpec(
    id=KIND,
    console=ec2_page("VolumeDetails:volumeId={id}"),
    aliases=("volume", "volumes", "ebs", "disk"),
    label="vol",
    title="EBS volumes",
    service="ec2",
    scope="regional",
    lister=list_volumes,
    iam_actions=("ec2:DescribeVolumes",),
    estimator=estimate_volume,
    rules=(UNATTACHED_VOLUME, GP2_TO_GP3, IO1_TO_GP3),
    # modify: gp2, io1 and io2 -> gp3 in place (io1/io2 at their IOPS, gp3's baseline throughput).
    verbs={"delete": "delete", "modify": "modify"},
    billed_as="EC2 - Other",
    not_found_codes=frozenset({"InvalidVolume.NotFound"}),
    metric_rules=(EBS_NO_IO,),
    # gp3 in place; an unattached volume deleted after a snapshot of it (the delete's default
    # box), which then bills: the saving net of the most that snapshot can cost.
    in_place={
        UNATTACHED_VOLUME.id: InPlace("delete", lambda r: snapshot_first_saving(r)[0]),
        GP2_TO_GP3.id: InPlace("modify"),
        IO1_TO_GP3.id: InPlace("modify"),
    },
)
