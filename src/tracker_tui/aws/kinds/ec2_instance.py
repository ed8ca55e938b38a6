"""EC2 instances (not terminated): listing, price and the stopped-instance rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import CellContext, KindSpec, Related, Rule, tag_dict, ts
from tracker_tui.aws.kinds.ec2_volume import KIND as VOLUME
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import Estimate, LivePriceSource, cents, hourly_basis
from tracker_tui.pricing.catalogue import Catalogue

KIND = "ec2:instance"

_LIVE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"]
_BILLED_STATES = frozenset({"running", "pending"})
_STOPPED_STATES = frozenset({"stopped", "stopping"})
_ENDING_STATES = frozenset({"shutting-down", "terminated"})


def list_instances(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    filters = [{"Name": "instance-state-name", "Values": _LIVE_STATES}]
    for page in ctx.pages(ec2, "describe_instances", Filters=filters):
        batch = []
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                batch.append(_instance(ctx, inst))
        yield batch


def _instance(ctx: CellContext, inst: dict[str, Any]) -> Resource:
    tags = tag_dict(inst.get("Tags"))
    instance_id = inst["InstanceId"]
    volumes = [
        m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if m.get("Ebs", {}).get("VolumeId")
    ]
    details = {
        "instance_type": inst.get("InstanceType"),
        "platform": inst.get("PlatformDetails") or inst.get("Platform") or "Linux/UNIX",
        "availability_zone": inst.get("Placement", {}).get("AvailabilityZone"),
        "tenancy": inst.get("Placement", {}).get("Tenancy", "default"),
        "lifecycle": inst.get("InstanceLifecycle", "on-demand"),
        "vpc_id": inst.get("VpcId"),
        "subnet_id": inst.get("SubnetId"),
        "private_ip": inst.get("PrivateIpAddress"),
        "public_ip": inst.get("PublicIpAddress"),
        "image_id": inst.get("ImageId"),
        "key_name": inst.get("KeyName"),
        "volume_ids": volumes,
        "state_reason": (inst.get("StateReason") or {}).get("Message"),
        "autoscaling_group": tags.get("aws:autoscaling:groupName"),
    }
    return Resource(
        kind=KIND,
        id=instance_id,
        account_id=ctx.account_id,
        arn=ctx.arn("ec2", f"instance/{instance_id}"),
        name=tags.get("Name", ""),
        region=ctx.region,
        state=inst.get("State", {}).get("Name", ""),
        created=ts(inst.get("LaunchTime")),
        tags=tags,
        details={k: v for k, v in details.items() if v is not None},
    )


def estimate_instance(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    d = r.details
    state = (r.state or "").lower()
    if state in _STOPPED_STATES:
        return 0.0, f"{state}: no compute charge; its EBS volumes are billed on their own rows"
    if state in _ENDING_STATES:
        return 0.0, f"{state}: no further compute charge; its EBS volumes are billed on their own rows"
    itype = d.get("instance_type")
    if not itype:
        return None, "instance type unknown"
    lifecycle = str(d.get("lifecycle") or "on-demand").lower()
    if lifecycle == "spot":
        return None, f"{itype} spot instance: the price follows the spot market, not estimated"
    if lifecycle not in ("on-demand", "normal"):
        return None, f"{itype} {lifecycle} instance: no catalogue price"
    tenancy = str(d.get("tenancy") or "default").lower()
    if tenancy not in ("default", "shared"):
        return None, f"{itype} {tenancy} tenancy: no catalogue price (only shared tenancy is priced)"
    platform = str(d.get("platform") or "Linux/UNIX")
    if not cat.ec2_os_priced(platform):
        return None, f"{itype} {platform}: no catalogue price (only Linux/UNIX is priced)"
    hourly = cat.ec2_hourly(itype, r.region)
    source = "on-demand"
    if hourly is None and live is not None:
        try:
            hourly = live.ec2_hourly(itype, r.region)
        except Exception:  # noqa: BLE001 - a live lookup never breaks an estimate
            hourly = None
        source = "on-demand (AWS Price List API)"
    if hourly is None:
        where = r.region if cat.knows_region(r.region) else f"{r.region} (region not in the catalogue)"
        return None, f"no catalogue price for {itype} in {where}"
    monthly, basis = hourly_basis(f"{itype} Linux {source} {r.region}", hourly, cat.hours_per_month)
    if state not in _BILLED_STATES:
        basis += f" (state {state or 'unknown'}: priced as running)"
    if d.get("public_ip"):
        basis += "; public IPv4 ($0.005/h) not included"
    return monthly, basis


def _stopped_with_volumes(r: Resource) -> bool:
    return (r.state or "").lower() == "stopped" and bool(r.details.get("volume_ids"))


def _volumes_cost(r: Resource, volumes: Related) -> float | None:
    """What its volumes cost a month: terminating it and deleting them saves that (None if one is unpriced
    or was not scanned).  The volumes are their own rows, so this is no extra charge."""
    total = 0.0
    for volume_id in r.details.get("volume_ids") or []:
        volume = volumes(volume_id)
        cost = None if volume is None else volume.monthly_cost
        if cost is None:
            return None
        total += cost
    return cents(total)


STOPPED_INSTANCE_STORAGE = Rule(
    id="stopped-instance-storage",
    label="stopped instance still paying for storage",
    filter=f"kind:{KIND} state:stopped",
    applies=_stopped_with_volumes,
    saving=_volumes_cost,
    related_kind=VOLUME,
)

SPEC = KindSpec(
    id=KIND,
    label="ec2",
    title="EC2 instances",
    service="ec2",
    scope="regional",
    lister=list_instances,
    estimator=estimate_instance,
    rules=(STOPPED_INSTANCE_STORAGE,),
    verbs={"stop": "stop", "delete": "terminate"},
    billed_as="Amazon Elastic Compute Cloud - Compute",
    not_found_codes=frozenset({"InvalidInstanceID.NotFound"}),
)
