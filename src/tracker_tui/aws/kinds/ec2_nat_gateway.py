"""NAT gateways (not deleted): listing and the hourly price (data processing is usage-dependent)."""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, known, tag_dict, ts
from tracker_tui.aws.kinds.console import vpc_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    hourly_charge_basis,
    whole_cost,
)
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import Estimate, PriceBook, hourly_basis, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "ec2:nat-gateway"

_LIVE_STATES = ["pending", "available", "deleting", "failed"]


def list_nat_gateways(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    filters = [{"Name": "state", "Values": _LIVE_STATES}]
    for page in ctx.pages(ec2, "describe_nat_gateways", Filter=filters):
        batch = []
        for nat in page.get("NatGateways", []):
            tags = tag_dict(nat.get("Tags"))
            nat_id = nat["NatGatewayId"]
            addresses = nat.get("NatGatewayAddresses", [])
            details = {
                "subnet_id": nat.get("SubnetId"),
                "vpc_id": nat.get("VpcId"),
                "connectivity_type": nat.get("ConnectivityType", "public"),
                "public_ips": [a["PublicIp"] for a in addresses if a.get("PublicIp")],
                "allocation_ids": [a["AllocationId"] for a in addresses if a.get("AllocationId")],
                "failure_message": nat.get("FailureMessage"),
            }
            batch.append(
                Resource(
                    kind=KIND,
                    id=nat_id,
                    account_id=ctx.account_id,
                    arn=ctx.arn("ec2", f"natgateway/{nat_id}"),
                    name=tags.get("Name", ""),
                    region=ctx.region,
                    state=nat.get("State", ""),
                    created=ts(nat.get("CreateTime")),
                    tags=tags,
                    details=known(details),
                )
            )
        yield batch


def estimate_nat_gateway(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    state = (r.state or "").lower()
    if state in ("failed", "deleted"):
        return 0.0, f"{state}: a NAT gateway in this state is not billed"
    hourly = cat.nat_hourly(r.region)
    per_gb = cat.nat_data_processing_gb(r.region)
    if hourly is None or per_gb is None:
        return unknown_region(r.region)
    monthly, basis = hourly_basis(f"NAT gateway {r.region}", hourly, cat.hours_per_month)
    basis += f" + data processing ${unit(per_gb)}/GB, usage-dependent; {cat.note('nat')}"
    return monthly, basis


#: ``idle-nat-gateway``: bytes through it over the window, both ways, at most this.  (The key
#: keeps its first name; it has counted replies from the internet too since both were read.)
IDLE_NAT_BYTES_OUT = Knob(
    "idle_nat_bytes_out",
    0.0,
    "idle-nat-gateway: bytes out to destinations plus bytes back from them over the window at most this",
    0.0,
    1e15,
)


def _judge_bytes(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    out, back = values["bytes_out"], values["bytes_in"]
    total = sum(out) + sum(back)
    idle = total <= limits[IDLE_NAT_BYTES_OUT]
    return Verdict(
        idle,
        f"over {limits[IDLE_DAYS]:g} days ({days_text(out)}): BytesOutToDestination {count(sum(out))} + "
        f"BytesInFromDestination {count(sum(back))} = {count(total)} bytes "
        f"({'at most' if idle else 'more than'} {count(limits[IDLE_NAT_BYTES_OUT])})",
    )


IDLE_NAT_GATEWAY = MetricRule(
    id="idle-nat-gateway",
    label="idle NAT gateway (no traffic either way)",
    applies=lambda r: (r.state or "").lower() == "available",
    queries=(
        MetricQuery("bytes_out", "AWS/NATGateway", "BytesOutToDestination", "Sum", "NatGatewayId"),
        MetricQuery("bytes_in", "AWS/NATGateway", "BytesInFromDestination", "Sum", "NatGatewayId"),
    ),
    judge=_judge_bytes,
    knobs=(IDLE_NAT_BYTES_OUT,),
    saving=whole_cost,
    saving_basis=hourly_charge_basis,
    action="delete",
)

SPEC = KindSpec(
    id=KIND,
    console=vpc_page("NatGatewayDetails:natGatewayId={id}"),
    aliases=("natgw",),
    label="nat",
    title="NAT gateways",
    service="ec2",
    scope="regional",
    lister=list_nat_gateways,
    iam_actions=("ec2:DescribeNatGateways",),
    estimator=estimate_nat_gateway,
    rules=(),
    verbs={"delete": "delete"},
    billed_as="EC2 - Other",
    not_found_codes=frozenset({"InvalidNatGatewayID.NotFound", "NatGatewayNotFound", "NatGatewayNotFoundException"}),
    metric_rules=(IDLE_NAT_GATEWAY,),
)
