"""EFS file systems: metered size by storage class, throughput mode, mount targets (read-only kind)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import CellContext, KindSpec, known, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import GIB, Estimate, PriceBook, cents, count_text, gb_text, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "efs:file-system"


def list_file_systems(ctx: CellContext) -> Iterator[list[Resource]]:
    efs = ctx.client("efs")
    for page in ctx.pages(efs, "describe_file_systems"):
        yield [_file_system(ctx, fs) for fs in page.get("FileSystems", [])]


def _file_system(ctx: CellContext, fs: dict[str, Any]) -> Resource:
    ident = str(fs["FileSystemId"])
    tags = tag_dict(fs.get("Tags"))
    size = fs.get("SizeInBytes") or {}
    details = {
        "size_bytes": size.get("Value"),
        "size_standard_bytes": size.get("ValueInStandard"),
        "size_ia_bytes": size.get("ValueInIA"),
        "size_archive_bytes": size.get("ValueInArchive"),
        "size_measured": ts(size.get("Timestamp")),
        "throughput_mode": fs.get("ThroughputMode"),
        "provisioned_throughput_mibps": fs.get("ProvisionedThroughputInMibps"),
        "performance_mode": fs.get("PerformanceMode"),
        "mount_targets": fs.get("NumberOfMountTargets"),
        "encrypted": fs.get("Encrypted"),
        # Set for One Zone file systems only.
        "availability_zone": fs.get("AvailabilityZoneName"),
    }
    return Resource(
        kind=KIND,
        id=ident,
        account_id=ctx.account_id,
        arn=fs.get("FileSystemArn") or ctx.arn("elasticfilesystem", f"file-system/{ident}"),
        name=str(fs.get("Name") or tags.get("Name") or ident),
        region=ctx.region,
        state=str(fs.get("LifeCycleState", "")),
        created=ts(fs.get("CreationTime")),
        tags=tags,
        details=known(details),
    )


def estimate_file_system(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    """Standard GB x the region's Standard rate; what the catalogue cannot price is named."""
    d = r.details
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    if (r.state or "").lower() == "deleted":
        return 0.0, "deleted: no charge"
    if d.get("availability_zone"):
        return None, f"no catalogue price for EFS One Zone storage in {r.region}"
    price = cat.service_price("efs_standard_gb_month", r.region)
    if price is None:
        return None, f"no catalogue price for EFS in {r.region}"
    standard = number(d.get("size_standard_bytes"))
    if standard is None:
        standard = number(d.get("size_bytes"))  # no per-class breakdown: all of it is Standard
    if standard is None:
        return None, "EFS: metered size unknown"
    gb = standard / GIB
    monthly = cents(gb * price)
    basis = f"EFS Standard {r.region}, {gb_text(gb)} GB x ${unit(price)}/GB-mo = {format_cost(monthly)}"
    unpriced = [
        f"{label} {gb_text(value / GIB)} GB"
        for label, value in (
            ("Infrequent Access", number(d.get("size_ia_bytes"))),
            ("Archive", number(d.get("size_archive_bytes"))),
        )
        if value
    ]
    if unpriced:
        basis += f"; + {' and '.join(unpriced)}: no catalogue price, not included"
    mode = str(d.get("throughput_mode") or "")
    if mode == "provisioned":
        mibps = number(d.get("provisioned_throughput_mibps"))
        amount = f" {count_text(mibps)} MiB/s" if mibps is not None else ""
        basis += f"; + provisioned throughput{amount}, not priced"
    elif mode == "elastic":
        basis += "; + elastic throughput reads and writes, usage-dependent"
    return monthly, basis


SPEC = KindSpec(
    id=KIND,
    console=console_page("efs/home?region={region}#/file-systems/{id}"),
    aliases=("nfs",),
    label="efs",
    title="EFS file systems",
    service="efs",
    scope="regional",
    lister=list_file_systems,
    iam_actions=("elasticfilesystem:DescribeFileSystems",),
    estimator=estimate_file_system,
    rules=(),
    verbs={},
    billed_as="Amazon Elastic File System",
    not_found_codes=frozenset({"FileSystemNotFound"}),
)
