"""RDS DB instances."""

from __future__ import annotations

from typing import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, tag_dict, ts
from tracker_tui.model import Resource


def list_db_instances(ctx: CellContext) -> Iterator[list[Resource]]:
    rds = ctx.client("rds")
    for page in ctx.pages(rds, "describe_db_instances"):
        batch = []
        for db in page.get("DBInstances", []):
            tags = tag_dict(db.get("TagList"))
            ident = db["DBInstanceIdentifier"]
            details = {
                "engine": db.get("Engine"),
                "engine_version": db.get("EngineVersion"),
                "instance_class": db.get("DBInstanceClass"),
                "multi_az": bool(db.get("MultiAZ")),
                "allocated_storage_gib": db.get("AllocatedStorage"),
                "storage_type": db.get("StorageType"),
                "iops": db.get("Iops"),
                "deletion_protection": bool(db.get("DeletionProtection")),
                "availability_zone": db.get("AvailabilityZone"),
                "endpoint": (db.get("Endpoint") or {}).get("Address"),
                "license_model": db.get("LicenseModel"),
                "cluster_id": db.get("DBClusterIdentifier"),
                "publicly_accessible": db.get("PubliclyAccessible"),
            }
            batch.append(
                Resource(
                    kind="rds:db-instance",
                    id=ident,
                    account_id=ctx.account_id,
                    arn=db.get("DBInstanceArn") or ctx.arn("rds", f"db:{ident}"),
                    name=tags.get("Name", "") or ident,
                    region=ctx.region,
                    state=db.get("DBInstanceStatus", ""),
                    created=ts(db.get("InstanceCreateTime")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


KINDS = [KindSpec("rds:db-instance", "rds", "regional", list_db_instances, "RDS DB instances", ("stop", "delete"))]
