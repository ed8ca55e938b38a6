"""VPC endpoints: listing (not deleted) and the price (gateway endpoints are free; interface
and Gateway Load Balancer endpoints bill per AZ-hour, plus data processed), and the CloudWatch
check of the billed ones (``idle-vpc-endpoint``: no bytes processed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import CellContext, KindSpec, known, tag_dict, ts
from tracker_tui.aws.kinds.console import vpc_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    Dimensions,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    unknown_saving,
)
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, rate, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "ec2:vpc-endpoint"

#: DescribeVpcEndpoints' VpcEndpointType -> how a basis says it.
TYPE_LABELS = {
    "interface": "interface endpoint",
    "gateway": "gateway endpoint",
    "gatewayloadbalancer": "Gateway Load Balancer endpoint",
}
#: States in which an endpoint holds no network interfaces, so no AZ-hours bill.
UNBILLED_STATES = frozenset({"deleted", "failed"})


def service_short_name(service_name: str) -> str:
    """``com.amazonaws.us-east-1.s3`` -> ``s3`` (an endpoint service's own name stays whole)."""
    if service_name.startswith("com.amazonaws.vpce."):
        return service_name
    parts = service_name.split(".")
    return ".".join(parts[3:]) if service_name.startswith("com.amazonaws.") and len(parts) > 3 else service_name


def list_vpc_endpoints(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    for page in ctx.pages(ec2, "describe_vpc_endpoints"):
        yield [
            _endpoint(ctx, endpoint)
            for endpoint in page.get("VpcEndpoints", [])
            # DescribeVpcEndpoints still lists endpoints for a while after they are deleted.
            if str(endpoint.get("State", "")).lower() != "deleted"
        ]


def _endpoint(ctx: CellContext, endpoint: dict[str, Any]) -> Resource:
    tags = tag_dict(endpoint.get("Tags"))
    endpoint_id = str(endpoint["VpcEndpointId"])
    endpoint_type = str(endpoint.get("VpcEndpointType") or "")
    subnets = [str(s) for s in endpoint.get("SubnetIds") or []]
    service = str(endpoint.get("ServiceName") or "")
    dns = [str(e["DnsName"]) for e in endpoint.get("DnsEntries") or [] if e.get("DnsName")]
    details = {
        "endpoint_type": endpoint_type or None,
        "service_name": service or None,
        "service": service_short_name(service) if service else None,
        "vpc_id": endpoint.get("VpcId"),
        "subnet_ids": subnets,
        # An interface (or GWLB) endpoint has one subnet per AZ, and bills per AZ.
        "az_count": len(subnets) if endpoint_type.lower() != "gateway" else None,
        "route_table_ids": endpoint.get("RouteTableIds") or None,
        "network_interface_ids": endpoint.get("NetworkInterfaceIds") or None,
        "private_dns_enabled": endpoint.get("PrivateDnsEnabled"),
        "dns_name": dns[0] if dns else None,
        "ip_address_type": endpoint.get("IpAddressType"),
        "requester_managed": bool(endpoint.get("RequesterManaged")),
        "last_error": (endpoint.get("LastError") or {}).get("Message"),
    }
    return Resource(
        kind=KIND,
        id=endpoint_id,
        account_id=ctx.account_id,
        arn=ctx.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
        name=tags.get("Name", ""),
        region=ctx.region,
        state=str(endpoint.get("State", "")).lower(),
        created=ts(endpoint.get("CreationTimestamp")),
        tags=tags,
        details=known(details),
    )


def estimate_vpc_endpoint(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    endpoint_type = str(d.get("endpoint_type") or "")
    label = TYPE_LABELS.get(endpoint_type.lower())
    state = (r.state or "").lower()
    if label is None:
        return None, f"endpoint type {endpoint_type or 'unknown'}: no price known"
    if endpoint_type.lower() == "gateway":
        service = d.get("service") or "S3 or DynamoDB"
        return 0.0, f"gateway endpoint ({service}): free, no hourly or data processing charge"
    if state in UNBILLED_STATES:
        return 0.0, f"{state}: an endpoint in this state holds no network interfaces and is not billed"
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    hourly = cat.service_price("vpc_endpoint_az_hourly", r.region)
    if hourly is None:
        return None, f"no catalogue price for {label} AZ-hours in {r.region}"
    azs = d.get("az_count")
    if not isinstance(azs, int) or isinstance(azs, bool) or azs < 1:
        return None, f"{label} with no subnets listed: AZ count unknown"
    monthly = cents(azs * hourly * cat.hours_per_month)
    return monthly, (
        f"{label} {r.region}, {azs} AZ{'s' if azs != 1 else ''} x ${rate(hourly)}/h x {cat.hours_per_month} h "
        f"= {format_cost(monthly)} + data processed, usage-dependent"
    )


#: The endpoint types AWS PrivateLink publishes metrics for (and bills by the hour); gateway
#: endpoints are free and have none.
METERED_TYPES = frozenset({"interface", "gatewayloadbalancer"})

#: ``idle-vpc-endpoint``: bytes processed over the window at most this.
IDLE_VPCE_BYTES = Knob(
    "idle_vpce_bytes", 0.0, "idle-vpc-endpoint: bytes processed over the window at most this", 0.0, 1e15
)


def _metered(r: Resource) -> bool:
    """An available interface or GWLB endpoint whose metric dimensions are all known."""
    d = r.details
    return (
        (r.state or "").lower() == "available"
        and str(d.get("endpoint_type") or "").lower() in METERED_TYPES
        and bool(d.get("vpc_id"))
        and bool(d.get("service_name"))
    )


def _endpoint_dimensions(r: Resource) -> Dimensions:
    """The rest of the dimension set PrivateLink publishes an endpoint's metrics with
    (CloudWatch matches the whole set): ``VPC Id``, ``Endpoint Type``, ``Service Name``."""
    d = r.details
    return (
        ("VPC Id", str(d.get("vpc_id"))),
        ("Endpoint Type", str(d.get("endpoint_type"))),
        ("Service Name", str(d.get("service_name"))),
    )


def _judge_bytes(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    daily = values["bytes"]
    total = sum(daily)
    idle = total <= limits[IDLE_VPCE_BYTES]
    return Verdict(
        idle,
        f"{r.details.get('endpoint_type')} endpoint for {r.details.get('service') or r.details.get('service_name')}: "
        f"BytesProcessed over {limits[IDLE_DAYS]:g} days ({days_text(daily)}): {count(total)} bytes "
        f"({'at most' if idle else 'more than'} {count(limits[IDLE_VPCE_BYTES])})",
    )


def _hourly_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return unknown_saving(r, "hourly cost")
    return f"deleting it saves its AZ-hours, {format_cost(saving)}/mo ({r.cost_basis})"


IDLE_VPC_ENDPOINT = MetricRule(
    id="idle-vpc-endpoint",
    label="idle VPC endpoint (no bytes processed)",
    applies=_metered,
    queries=(
        MetricQuery("bytes", "AWS/PrivateLinkEndpoints", "BytesProcessed", "Sum", "VPC Endpoint Id", sparse=True),
    ),
    judge=_judge_bytes,
    knobs=(IDLE_VPCE_BYTES,),
    saving=lambda r: r.monthly_cost,
    saving_basis=_hourly_basis,
    action="delete",
    more_dimensions=_endpoint_dimensions,
)

SPEC = KindSpec(
    id=KIND,
    console=vpc_page("EndpointDetails:vpcEndpointId={id}"),
    aliases=("endpoint",),
    label="vpce",
    title="VPC endpoints",
    service="ec2",
    scope="regional",
    lister=list_vpc_endpoints,
    iam_actions=("ec2:DescribeVpcEndpoints",),
    estimator=estimate_vpc_endpoint,
    rules=(),
    verbs={"delete": "delete"},
    billed_as="Amazon Virtual Private Cloud",
    not_found_codes=frozenset({"InvalidVpcEndpointId.NotFound", "InvalidVpcEndpoint.NotFound"}),
    metric_rules=(IDLE_VPC_ENDPOINT,),
)
