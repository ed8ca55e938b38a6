"""EFS file systems: metered size by storage class, throughput mode, mount targets, and the
lifecycle policy that moves files out of Standard (``efs-no-lifecycle``; read-only kind)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import (
    ITEM_ERRORS,
    CellContext,
    KindSpec,
    Related,
    Rule,
    error_code,
    known,
    tag_dict,
    ts,
)
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import GIB, Estimate, PriceBook, cents, count_text, gb_text, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "efs:file-system"

#: What a transition field holds when DescribeLifecycleConfiguration failed (nothing is judged
#: on it), and when the policy has no such transition.
UNKNOWN = "unknown"
NONE = "none"


def list_file_systems(ctx: CellContext) -> Iterator[list[Resource]]:
    efs = ctx.client("efs")
    for page in ctx.pages(efs, "describe_file_systems"):
        # Per file system: its lifecycle policy, side by side.
        yield ctx.fan_out(lambda fs: _file_system(ctx, fs, _lifecycle(ctx, efs, fs)), page.get("FileSystems", []))


def _lifecycle(ctx: CellContext, efs: Any, fs: dict[str, Any]) -> dict[str, str]:
    """When the lifecycle policy moves files to Infrequent Access and to Archive (``AFTER_30_DAYS``;
    ``none``), from DescribeLifecycleConfiguration; not read for a file system being deleted."""
    ident = str(fs["FileSystemId"])
    if str(fs.get("LifeCycleState", "")).lower() in ("deleting", "deleted"):
        return {}
    try:
        policies = efs.describe_lifecycle_configuration(FileSystemId=ident).get("LifecyclePolicies") or []
    except ITEM_ERRORS as exc:
        if error_code(exc) not in ("FileSystemNotFound",):  # deleted since the listing: nothing to say
            ctx.unreadable("lifecycle", exc, ident)
        return {"transition_to_ia": UNKNOWN, "transition_to_archive": UNKNOWN}
    found: dict[str, str] = {}
    for policy in policies:
        found.update({k: str(v) for k, v in policy.items() if v})
    return {
        "transition_to_ia": found.get("TransitionToIA", NONE),
        "transition_to_archive": found.get("TransitionToArchive", NONE),
    }


def _file_system(ctx: CellContext, fs: dict[str, Any], lifecycle: dict[str, str]) -> Resource:
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
        **lifecycle,
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


def _standard_bytes(r: Resource) -> float | None:
    """Bytes in Standard (with no per-class breakdown, all of it, as the estimate counts it)."""
    standard = number(r.details.get("size_standard_bytes"))
    return number(r.details.get("size_bytes")) if standard is None else standard


def _no_lifecycle(r: Resource) -> bool:
    standard = _standard_bytes(r)
    return (
        (r.state or "").lower() == "available"
        and r.details.get("transition_to_ia") == NONE
        and r.details.get("transition_to_archive") == NONE
        and standard is not None
        and standard > 0
    )


def _no_lifecycle_saving(r: Resource, related: Related) -> float | None:
    return None


def _no_lifecycle_evidence(r: Resource, related: Related, saving: float | None) -> str:
    gb = (_standard_bytes(r) or 0.0) / GIB
    cost = f" ({format_cost(r.monthly_cost)}/mo)" if r.monthly_cost is not None else ""
    return (
        f"{gb_text(gb)} GB in EFS Standard{cost}, and no lifecycle policy moves files to Infrequent Access or "
        "Archive (DescribeLifecycleConfiguration: no TransitionToIA, no TransitionToArchive): files never read "
        "again stay billed at the Standard rate; saving unknown: depends on how much of it goes unread for weeks, "
        "which nothing AWS reports measures before a policy is set (after one, the file system's StorageBytes "
        "metric by storage class shows what moved)"
    )


#: ``efs-no-lifecycle``: bytes in Standard and no policy moving any of them to IA or Archive.
EFS_NO_LIFECYCLE = Rule(
    id="efs-no-lifecycle",
    label="EFS without lifecycle",
    applies=_no_lifecycle,
    saving=_no_lifecycle_saving,
    evidence=_no_lifecycle_evidence,
    # The saving depends on how the files are read (IA bills each access); AWS's own default
    # for a new file system is a 30-day move to IA, back to Standard on first access.
    confidence="medium",
)


SPEC = KindSpec(
    id=KIND,
    console=console_page("efs/home?region={region}#/file-systems/{id}"),
    aliases=("nfs",),
    label="efs",
    title="EFS file systems",
    service="efs",
    scope="regional",
    lister=list_file_systems,
    iam_actions=("elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeLifecycleConfiguration"),
    estimator=estimate_file_system,
    rules=(EFS_NO_LIFECYCLE,),
    verbs={},
    billed_as="Amazon Elastic File System",
    not_found_codes=frozenset({"FileSystemNotFound"}),
)
