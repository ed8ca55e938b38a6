"""Elastic IP addresses, associated or idle: listing, the public IPv4 charge and the idle rule."""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, Rule, default_evidence, known, own_cost, tag_dict
from tracker_tui.aws.kinds.console import q
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import Estimate, PriceBook, hourly_basis, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "ec2:elastic-ip"


def list_elastic_ips(ctx: CellContext) -> Iterator[list[Resource]]:
    # DescribeAddresses is not paginated: one call returns every address in the region.
    ec2 = ctx.client("ec2")
    ctx.check_cancelled()
    batch = []
    for addr in ec2.describe_addresses().get("Addresses", []):
        tags = tag_dict(addr.get("Tags"))
        associated = bool(addr.get("AssociationId") or addr.get("InstanceId") or addr.get("NetworkInterfaceId"))
        ident = addr.get("AllocationId") or addr.get("PublicIp")
        details = {
            "public_ip": addr.get("PublicIp"),
            "allocation_id": addr.get("AllocationId"),
            "association_id": addr.get("AssociationId"),
            "instance_id": addr.get("InstanceId"),
            "network_interface_id": addr.get("NetworkInterfaceId"),
            "private_ip": addr.get("PrivateIpAddress"),
            "domain": addr.get("Domain"),
            "associated": associated,
        }
        batch.append(
            Resource(
                kind=KIND,
                id=ident,
                account_id=ctx.account_id,
                arn=ctx.arn("ec2", f"elastic-ip/{ident}"),
                name=tags.get("Name", "") or addr.get("PublicIp", ""),
                region=ctx.region,
                state="associated" if associated else "idle",
                created=None,
                tags=tags,
                details=known(details),
            )
        )
    yield batch


def _associated(r: Resource) -> bool:
    return bool(r.details.get("associated")) or (r.state or "").lower() == "associated"


def estimate_elastic_ip(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    hourly = cat.public_ipv4_hourly(r.region)
    if hourly is None:
        return unknown_region(r.region)
    monthly, basis = hourly_basis(f"public IPv4 {r.region}", hourly, cat.hours_per_month)
    return monthly, basis + (" (associated)" if _associated(r) else " (idle: pure waste)")


IDLE_ELASTIC_IP = Rule(
    id="idle-elastic-ip",
    label="idle Elastic IP",
    applies=lambda r: not _associated(r),
    saving=own_cost,
    evidence=lambda r, related, saving: "associated with no instance or network interface; "
    + default_evidence(r, related, saving),
    action="release",
)

def _console_page(r: Resource, base: str) -> str:
    allocation = str(r.details.get("allocation_id") or "")
    if allocation:
        return f"{base}/ec2/home?region={r.region}#ElasticIpDetails:AllocationId={q(allocation)}"
    return f"{base}/ec2/home?region={r.region}#Addresses:search={q(r.id)}"


SPEC = KindSpec(
    id=KIND,
    console=_console_page,
    aliases=("elastic-ip", "address", "ip"),
    label="eip",
    title="Elastic IPs",
    service="ec2",
    scope="regional",
    lister=list_elastic_ips,
    iam_actions=("ec2:DescribeAddresses",),
    estimator=estimate_elastic_ip,
    rules=(IDLE_ELASTIC_IP,),
    verbs={"delete": "release"},
    billed_as="Amazon Virtual Private Cloud",
    not_found_codes=frozenset({"InvalidAllocationID.NotFound", "InvalidAddress.NotFound"}),
)
