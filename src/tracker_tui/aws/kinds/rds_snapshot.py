"""RDS manual snapshots: DB snapshots and cluster snapshots, one kind.

Automated snapshots are left out: RDS deletes them with their retention period, and their
storage up to the database's size is free.  A manual snapshot stays (and bills) until someone
deletes it, even after its database is gone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import CellContext, KindSpec, Rule, known, old_snapshot, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Thresholds
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, count_text, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "rds:snapshot"

#: ``details["snapshot_of"]``: what the snapshot was taken of.
OF_DB_INSTANCE = "db-instance"
OF_CLUSTER = "cluster"


def list_rds_snapshots(ctx: CellContext) -> Iterator[list[Resource]]:
    """Manual DB snapshots, then manual cluster snapshots (Aurora, Multi-AZ DB clusters)."""
    rds = ctx.client("rds")
    for page in ctx.pages(rds, "describe_db_snapshots", SnapshotType="manual"):
        yield [_db_snapshot(ctx, snap) for snap in page.get("DBSnapshots", [])]
    for page in ctx.pages(rds, "describe_db_cluster_snapshots", SnapshotType="manual"):
        yield [_cluster_snapshot(ctx, snap) for snap in page.get("DBClusterSnapshots", [])]


def _resource(ctx: CellContext, ident: str, arn: str, snap: dict[str, Any], details: dict[str, Any]) -> Resource:
    tags = tag_dict(snap.get("TagList"))
    return Resource(
        kind=KIND,
        id=ident,
        account_id=ctx.account_id,
        arn=arn,
        name=tags.get("Name", "") or ident,
        region=ctx.region,
        state=str(snap.get("Status", "")),
        created=ts(snap.get("SnapshotCreateTime")),
        tags=tags,
        details=known(details),
    )


def _db_snapshot(ctx: CellContext, snap: dict[str, Any]) -> Resource:
    ident = snap["DBSnapshotIdentifier"]
    details = {
        "snapshot_of": OF_DB_INSTANCE,
        "source_id": snap.get("DBInstanceIdentifier"),
        "engine": snap.get("Engine"),
        "engine_version": snap.get("EngineVersion"),
        "allocated_storage_gib": snap.get("AllocatedStorage"),
        "storage_type": snap.get("StorageType"),
        "snapshot_type": snap.get("SnapshotType"),
        "encrypted": snap.get("Encrypted"),
        "percent_progress": snap.get("PercentProgress"),
        "availability_zone": snap.get("AvailabilityZone"),
        "source_created": ts(snap.get("InstanceCreateTime")),
    }
    return _resource(ctx, ident, snap.get("DBSnapshotArn") or ctx.arn("rds", f"snapshot:{ident}"), snap, details)


def _cluster_snapshot(ctx: CellContext, snap: dict[str, Any]) -> Resource:
    ident = snap["DBClusterSnapshotIdentifier"]
    details = {
        "snapshot_of": OF_CLUSTER,
        "source_id": snap.get("DBClusterIdentifier"),
        "engine": snap.get("Engine"),
        "engine_version": snap.get("EngineVersion"),
        "allocated_storage_gib": snap.get("AllocatedStorage"),
        "storage_type": snap.get("StorageType"),
        "snapshot_type": snap.get("SnapshotType"),
        "encrypted": snap.get("StorageEncrypted"),
        "percent_progress": snap.get("PercentProgress"),
        "source_created": ts(snap.get("ClusterCreateTime")),
    }
    arn = snap.get("DBClusterSnapshotArn") or ctx.arn("rds", f"cluster-snapshot:{ident}")
    return _resource(ctx, ident, arn, snap, details)


def estimate_rds_snapshot(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    """Allocated GiB x the region's backup storage rate (Aurora's own rate for Aurora clusters)."""
    d = r.details
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    engine = str(d.get("engine") or "")
    aurora = cat.rds_engine(engine).startswith("aurora")
    what = "Aurora backup storage" if aurora else "RDS backup storage"
    price = cat.service_price("aurora_backup_gb_month" if aurora else "rds_backup_gb_month", r.region)
    if price is None:
        return None, f"no catalogue price for {what} in {r.region}"
    size = number(d.get("allocated_storage_gib"))
    if size is None:
        return None, f"{what}: allocated size unknown"
    monthly = cents(size * price)
    engine_storage = "Aurora" if aurora else "RDS database"
    source = "cluster" if d.get("snapshot_of") == OF_CLUSTER else "DB"
    return monthly, (
        f"{what} {r.region}, {count_text(size)} GiB allocated x ${unit(price)}/GB-mo = {format_cost(monthly)}; "
        "the allocated size is an upper bound (a snapshot stores changed blocks); "
        f"backup storage up to the region's total {engine_storage} storage is free, "
        f"so this is its cost once that allowance is spent (as when its {source} is gone)"
    )


def old_manual_snapshot(limits: Thresholds) -> Rule:
    """Only manual snapshots: automated ones go with the retention period, nobody deletes them."""
    old = old_snapshot(limits)
    return dataclasses.replace(
        old, applies=lambda r: r.details.get("snapshot_type") == "manual" and old.applies(r), bind=old_manual_snapshot
    )


OLD_MANUAL_SNAPSHOT = old_manual_snapshot(Thresholds())

SPEC = KindSpec(
    id=KIND,
    console=console_page("rds/home?region={region}#db-snapshot:id={id}"),
    aliases=("db-snapshot", "rds-snapshot"),
    label="rdsnp",
    title="RDS snapshots",
    service="rds",
    scope="regional",
    lister=list_rds_snapshots,
    iam_actions=("rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots"),
    estimator=estimate_rds_snapshot,
    rules=(OLD_MANUAL_SNAPSHOT,),
    verbs={"delete": "delete"},
    billed_as="Amazon Relational Database Service",
    not_found_codes=frozenset(
        {"DBSnapshotNotFound", "DBSnapshotNotFoundFault", "DBClusterSnapshotNotFound", "DBClusterSnapshotNotFoundFault"}
    ),
)
