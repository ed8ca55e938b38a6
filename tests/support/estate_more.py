"""The sample estate's rows of the kinds beyond the first thirteen (snapshots, images, VPC
endpoints; RDS snapshots, DynamoDB, Redshift, EFS; EKS, SageMaker, OpenSearch, Route 53, KMS,
Secrets Manager): ``sample_resources(every_kind=True)`` adds them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.estate import ACCOUNT_ID, NOW, _arn, _r
from tracker_tui.model import GLOBAL_REGION, Resource


def more_resources() -> list[Resource]:
    """One row or a few of every kind beyond the first thirteen."""
    return [*_ec2(), *_data_stores(), *_managed_services(), *_storage_hygiene()]


def _ec2() -> list[Resource]:
    """EBS snapshots (an old orphan, an archived one, two that back AMIs), AMIs (one a running
    instance was launched from, one nobody runs) and VPC endpoints (interface and gateway)."""

    def snapshot(n: int, region: str, volume: int, size: int, created: str, **extra: Any) -> Resource:
        sid = f"snap-0a1b2c3d4e5f7{n:04d}"
        tier = extra.pop("tier", "standard")
        name = extra.pop("name", "")
        details: dict[str, Any] = {
            "volume_size_gib": size,
            "volume_id": f"vol-0f1e2d3c4b5a6{volume:04d}",
            "storage_tier": tier,
            "start_time": created,
            "age_days": (NOW - datetime.fromisoformat(created.replace("Z", "+00:00"))).days,
            "encrypted": True,
            "progress": "100%",
            **extra,
        }
        return _r("ec2:snapshot", sid, region, name=name, state="completed", created=created,
                  tags={"Name": name} if name else {}, details=details, arn=_arn("ec2", region, f"snapshot/{sid}"))

    def image(n: int, region: str, name: str, snapshots: list[int], gib: int, created: str,
              running: list[int]) -> Resource:
        aid = f"ami-0b1c2d3e4f5a6{n:04d}"
        instances = [f"i-0a1b2c3d4e5f6{i:04d}" for i in running]
        details = {"image_name": name, "architecture": "x86_64", "platform_details": "Linux/UNIX",
                   "creation_date": created, "root_device_type": "ebs", "root_device_name": "/dev/xvda",
                   "virtualization_type": "hvm", "public": False,
                   "snapshot_ids": [f"snap-0a1b2c3d4e5f7{s:04d}" for s in snapshots], "snapshots_gib": float(gib),
                   "in_use_by": len(instances), "instance_ids": instances, "running_instance_ids": instances}
        return _r("ec2:image", aid, region, name=name, state="available", created=created, tags={"Name": name},
                  details=details, arn=f"arn:aws:ec2:{region}::image/{aid}")

    def endpoint(n: int, region: str, name: str, kind: str, service: str, subnets: int) -> Resource:
        vid = f"vpce-0c1d2e3f4a5b6{n:04d}"
        details: dict[str, Any] = {
            "endpoint_type": kind, "service_name": f"com.amazonaws.{region}.{service}", "service": service,
            "vpc_id": "vpc-01f3e2d1c0b9a8765", "subnet_ids": [f"subnet-0{n}{z}aa11bb22cc" for z in range(subnets)],
            "private_dns_enabled": kind == "Interface", "requester_managed": False,
        }
        if kind != "Gateway":
            details["az_count"] = subnets
        return _r("ec2:vpc-endpoint", vid, region, name=name, state="available", created="2025-03-10T12:30:00Z",
                  tags={"Name": name, "env": "prod"}, details=details, arn=_arn("ec2", region, f"vpc-endpoint/{vid}"))

    return [
        # An old snapshot whose volume is long gone (orphaned).
        snapshot(1, "us-east-1", 99, 500, "2024-06-01T09:58:00Z", name="old-db-pre-restore",
                 description="old-db before the 2024 restore"),
        snapshot(2, "us-east-1", 1, 30, "2026-11-28T02:00:00Z", name="web-prod-1-nightly",
                 description="nightly backup of web-prod-1"),
        snapshot(3, "eu-west-1", 7, 200, "2025-02-20T18:00:00Z", name="jenkins-old-year-end", tier="archive",
                 description="jenkins-old-data year-end archive"),
        snapshot(4, "us-east-1", 1, 30, "2026-03-02T10:00:00Z", backs_image="ami-0b1c2d3e4f5a60001",
                 description="Created by CreateImage(i-0a1b2c3d4e5f60001) for ami-0b1c2d3e4f5a60001"),
        snapshot(5, "eu-west-1", 7, 50, "2024-01-15T10:00:00Z", backs_image="ami-0b1c2d3e4f5a60002",
                 description="Created by CreateImage(i-0a1b2c3d4e5f60007) for ami-0b1c2d3e4f5a60002"),
        image(1, "us-east-1", "web-golden-2026.03", [4], 30, "2026-03-02T10:00:00Z", running=[1]),
        image(2, "eu-west-1", "jenkins-2024.01", [5], 50, "2024-01-15T10:00:00Z", running=[]),
        endpoint(1, "us-east-1", "ssm-prod", "Interface", "ssm", 2),
        endpoint(2, "us-east-1", "s3-gateway-prod", "Gateway", "s3", 0),
        endpoint(3, "eu-west-1", "ecr-api-prod-eu", "Interface", "ecr.api", 3),
    ]  # fmt: skip


def _data_stores() -> list[Resource]:
    """RDS manual snapshots (one of a database deleted long ago), DynamoDB tables (provisioned
    with an index, on-demand, protected), Redshift clusters (one paused) and EFS file systems."""
    return [
        _r("rds:snapshot", "orders-prod-pre-upgrade", "us-east-1", name="orders-prod-pre-upgrade", state="available",
           created="2026-05-02T03:00:00Z", tags={"env": "prod"},
           details={"snapshot_of": "db-instance", "source_id": "orders-prod", "engine": "postgres",
                    "engine_version": "16.4", "allocated_storage_gib": 200, "snapshot_type": "manual",
                    "encrypted": True},
           arn=_arn("rds", "us-east-1", "snapshot:orders-prod-pre-upgrade")),
        _r("rds:snapshot", "legacy-crm-final", "eu-west-1", name="legacy-crm-final", state="available",
           created="2024-09-30T22:10:00Z", tags={"env": "prod", "team": "sales"},
           details={"snapshot_of": "db-instance", "source_id": "legacy-crm", "engine": "mysql",
                    "engine_version": "5.7.44", "allocated_storage_gib": 500, "snapshot_type": "manual",
                    "encrypted": False},
           arn=_arn("rds", "eu-west-1", "snapshot:legacy-crm-final")),
        _r("rds:snapshot", "analytics-pre-migration", "us-west-2", name="analytics-pre-migration",
           state="available", created="2026-03-12T09:00:00Z", tags={"env": "staging"},
           details={"snapshot_of": "cluster", "source_id": "analytics", "engine": "aurora-postgresql",
                    "engine_version": "15.6", "allocated_storage_gib": 120, "snapshot_type": "manual",
                    "encrypted": True},
           arn=_arn("rds", "us-west-2", "cluster-snapshot:analytics-pre-migration")),
        _r("dynamodb:table", "orders-prod", "us-east-1", name="orders-prod", state="ACTIVE",
           created="2025-04-01T06:30:00Z", tags={"env": "prod", "team": "api"},
           details={"billing_mode": "PROVISIONED", "read_capacity_units": 100, "write_capacity_units": 50,
                    "gsi_count": 1, "gsi_read_capacity_units": 20, "gsi_write_capacity_units": 10,
                    "item_count": 18_400_000, "size_bytes": 42_949_672_960, "size_gb": 40.0,
                    "table_class": "STANDARD", "deletion_protection": True},
           arn=_arn("dynamodb", "us-east-1", "table/orders-prod")),
        _r("dynamodb:table", "sessions-dev", "us-west-2", name="sessions-dev", state="ACTIVE",
           created="2026-01-20T11:00:00Z", tags={"env": "dev"},
           details={"billing_mode": "PAY_PER_REQUEST", "gsi_count": 0, "item_count": 52_000,
                    "size_bytes": 1_288_490_189, "size_gb": 1.2, "table_class": "STANDARD",
                    "deletion_protection": False},
           arn=_arn("dynamodb", "us-west-2", "table/sessions-dev")),
        _r("redshift:cluster", "warehouse-prod", "us-east-1", name="warehouse-prod", state="available",
           created="2025-05-06T07:45:00Z", tags={"env": "prod", "team": "data"},
           details={"node_type": "ra3.xlplus", "number_of_nodes": 2, "db_name": "analytics",
                    "availability_zone": "us-east-1b", "encrypted": True},
           arn=_arn("redshift", "us-east-1", "cluster:warehouse-prod")),
        _r("redshift:cluster", "warehouse-staging", "us-east-1", name="warehouse-staging", state="paused",
           created="2025-08-19T15:20:00Z", tags={"env": "staging", "team": "data"},
           details={"node_type": "ra3.xlplus", "number_of_nodes": 2, "db_name": "analytics",
                    "availability_zone": "us-east-1a", "encrypted": True},
           arn=_arn("redshift", "us-east-1", "cluster:warehouse-staging")),
        # Dev's warehouse, up around the clock (no-off-hours: a schedule pauses it at night).
        _r("redshift:cluster", "warehouse-dev", "us-east-1", name="warehouse-dev", state="available",
           created="2026-06-01T09:00:00Z", tags={"env": "dev", "team": "data"},
           details={"node_type": "ra3.xlplus", "number_of_nodes": 1, "db_name": "analytics",
                    "availability_zone": "us-east-1b", "encrypted": True},
           arn=_arn("redshift", "us-east-1", "cluster:warehouse-dev")),
        _r("efs:file-system", "fs-0a1b2c3d4e5f60718", "us-east-1", name="shared-home", state="available",
           created="2025-02-02T12:00:00Z", tags={"Name": "shared-home", "env": "prod"},
           details={"size_bytes": 268_435_456_000, "size_standard_bytes": 214_748_364_800,
                    "size_ia_bytes": 53_687_091_200, "throughput_mode": "bursting",
                    "performance_mode": "generalPurpose", "mount_targets": 3, "encrypted": True},
           arn=_arn("elasticfilesystem", "us-east-1", "file-system/fs-0a1b2c3d4e5f60718")),
    ]


def _managed_services() -> list[Resource]:
    """EKS, SageMaker, OpenSearch and the fixed fees (zones, keys, secrets).

    The clusters' versions are ones whose support status no longer changes with the date
    (extended support over, or an upgrade policy of STANDARD), so their prices stay put.
    """
    out = [
        _r("eks:cluster", "prod-platform", "us-east-1", name="prod-platform", state="ACTIVE",
           created="2024-06-03T08:15:00Z", tags={"env": "prod", "team": "platform"},
           details={"version": "1.30", "platform_version": "eks.28", "support_type": "EXTENDED",
                    "standard_support_ends": "2025-07-23", "endpoint_public_access": True,
                    "endpoint_private_access": True, "nodegroups": 2},
           arn=_arn("eks", "us-east-1", "cluster/prod-platform")),
        _r("eks:cluster", "staging-platform", "us-west-2", name="staging-platform", state="ACTIVE",
           created="2025-02-11T10:40:00Z", tags={"env": "staging", "team": "platform"},
           details={"version": "1.31", "platform_version": "eks.20", "support_type": "STANDARD",
                    "standard_support_ends": "2025-11-26", "endpoint_public_access": True,
                    "endpoint_private_access": False, "nodegroups": 1},
           arn=_arn("eks", "us-west-2", "cluster/staging-platform")),
        _r("sagemaker:notebook-instance", "ds-exploration", "us-east-1", name="ds-exploration", state="InService",
           created="2026-02-17T13:05:00Z", tags={"env": "dev", "team": "data"},
           details={"instance_type": "ml.t3.medium", "volume_size_gb": 20, "direct_internet_access": "Enabled",
                    "root_access": "Enabled", "last_modified": "2026-03-02T09:00:00Z"},
           arn=_arn("sagemaker", "us-east-1", "notebook-instance/ds-exploration")),
        _r("sagemaker:notebook-instance", "ds-forecasting", "eu-west-1", name="ds-forecasting", state="Stopped",
           created="2025-11-20T15:30:00Z", tags={"env": "dev", "team": "data"},
           details={"instance_type": "ml.t3.large", "volume_size_gb": 50, "direct_internet_access": "Disabled",
                    "root_access": "Disabled", "last_modified": "2026-05-14T18:20:00Z"},
           arn=_arn("sagemaker", "eu-west-1", "notebook-instance/ds-forecasting")),
        _schedule_pair(),
        _r("sagemaker:endpoint", "churn-predictor", "us-east-1", name="churn-predictor", state="InService",
           created="2026-04-08T11:00:00Z", tags={"env": "prod", "team": "data"},
           details={"endpoint_config": "churn-predictor-v3-config", "last_modified": "2026-04-08T11:12:00Z",
                    "variants": [{"name": "AllTraffic", "instance_type": "ml.m5.large", "instance_count": 2}]},
           arn=_arn("sagemaker", "us-east-1", "endpoint/churn-predictor")),
        _r("opensearch:domain", "prod-logs", "us-east-1", name="prod-logs", state="active", created=None,
           tags={"env": "prod", "team": "platform"},
           details={"engine_version": "OpenSearch_2.13", "instance_type": "r6g.large.search", "instance_count": 3,
                    "dedicated_master": True, "master_type": "m6g.large.search", "master_count": 3,
                    "warm_enabled": False, "ebs_enabled": True, "volume_type": "gp3", "volume_size_gb": 200,
                    "zone_awareness": True, "availability_zones": 3},
           arn=_arn("es", "us-east-1", "domain/prod-logs")),
        _r("route53:hosted-zone", "Z0812345ABCDEFGHIJKL", GLOBAL_REGION, name="acme-demo.com", state="public",
           created=None, tags={"env": "prod"},
           details={"zone_name": "acme-demo.com.", "private_zone": False, "record_count": 14, "comment": "website"},
           arn="arn:aws:route53:::hostedzone/Z0812345ABCDEFGHIJKL"),
        _r("route53:hosted-zone", "Z0498765ZYXWVUTSRQPO", GLOBAL_REGION, name="internal.acme", state="private",
           created=None, tags={"env": "prod"},
           details={"zone_name": "internal.acme.", "private_zone": True, "record_count": 37,
                    "comment": "service discovery"},
           arn="arn:aws:route53:::hostedzone/Z0498765ZYXWVUTSRQPO"),
    ]
    # A database that never moved on from its previous-generation class (rds-previous-generation).
    out.append(_r("rds:db-instance", "legacy-reports", "us-east-1", name="legacy-reports", state="available",
                  created="2019-03-11T09:00:00Z", tags={"env": "prod", "team": "finance"},
                  details={"engine": "postgres", "engine_version": "13.15", "instance_class": "db.m4.large",
                           "multi_az": False, "allocated_storage_gib": 200, "storage_type": "gp3"},
                  arn=_arn("rds", "us-east-1", "db:legacy-reports")))
    # Staging's database, up around the clock with nothing to stop it at night (no-off-hours).
    out.append(_r("rds:db-instance", "orders-staging", "us-west-2", name="orders-staging", state="available",
                  created="2026-03-02T09:00:00Z", tags={"env": "staging", "team": "api"},
                  details={"engine": "postgres", "engine_version": "16.4", "instance_class": "db.t4g.medium",
                           "multi_az": False, "allocated_storage_gib": 50, "storage_type": "gp3"},
                  arn=_arn("rds", "us-west-2", "db:orders-staging")))
    keys = [
        ("1f0c2b6e-4d5a-4e8b-9c71-2a3b4c5d6e7f", "us-east-1", "prod-data", "Enabled", None),
        ("7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "us-east-1", "prod-old-app", "PendingDeletion",
         "2026-12-04T00:00:00Z"),
        ("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "us-east-1", "prod-legacy-tokens", "Disabled", None),
    ]
    for key_id, region, alias, key_state, deletion in keys:
        details: dict[str, Any] = {"key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT",
                                   "key_usage": "ENCRYPT_DECRYPT", "origin": "AWS_KMS", "aliases": [alias]}
        if deletion:
            details["deletion_date"] = deletion
        out.append(_r("kms:key", key_id, region, name=alias, state=key_state, created="2025-01-20T12:00:00Z",
                      tags={"env": "prod"}, details=details, arn=_arn("kms", region, f"key/{key_id}")))
    secrets = [
        ("prod/orders/db", "us-east-1", "active", "2026-11-28T00:00:00Z", None),
        ("prod/legacy-crm/db", "eu-west-1", "PendingDeletion", "2025-09-30T00:00:00Z", "2026-12-05T09:00:00Z"),
    ]
    for name, region, secret_state, accessed, deletion in secrets:
        details = {"last_accessed": accessed, "rotation_enabled": False}
        if deletion:
            details["deletion_date"] = deletion
        out.append(_r("secretsmanager:secret", name, region, name=name, state=secret_state,
                      created="2024-10-02T07:45:00Z", tags={"env": "prod"}, details=details,
                      arn=_arn("secretsmanager", region, f"secret:{name}-AbC123")))
    # A database left on PostgreSQL 12 (rds-extended-support) on an x86 class (rds-graviton-migration).
    out.append(_r("rds:db-instance", "billing-pg12", "us-east-1", name="billing-pg12", state="available",
                  created="2021-06-14T10:00:00Z", tags={"env": "prod", "team": "billing"},
                  details={"engine": "postgres", "engine_version": "12.22", "instance_class": "db.m5.large",
                           "multi_az": False, "allocated_storage_gib": 100, "storage_type": "gp3"},
                  arn=_arn("rds", "us-east-1", "db:billing-pg12")))
    # Cache nodes on x86 whose Graviton twins cost less (elasticache-graviton-migration).
    out.append(_r("elasticache:cluster", "search-cache", "us-east-1", name="search-cache", state="available",
                  created="2023-09-05T12:00:00Z", tags={"env": "prod"},
                  details={"engine": "redis", "engine_version": "7.0.7", "node_type": "cache.m5.large",
                           "num_nodes": 2, "availability_zone": "us-east-1a"},
                  arn=_arn("elasticache", "us-east-1", "cluster:search-cache")))
    # A partner's credential nobody has read since May (secret-unused).
    out.append(_r("secretsmanager:secret", "prod/partners/sftp", "us-east-1", name="prod/partners/sftp",
                  state="active", created="2023-02-01T09:00:00Z", tags={"env": "prod"},
                  details={"last_accessed": "2026-05-02T00:00:00Z", "rotation_enabled": False},
                  arn=_arn("secretsmanager", "us-east-1", "secret:prod/partners/sftp-XyZ789")))
    return out


def _storage_hygiene() -> list[Resource]:
    """Buckets and a file system that keep what nothing cleans up: one bucket with no lifecycle
    rule and versioning on (s3-no-lifecycle, s3-noncurrent-versions), one whose rules abort no
    uploads and a thousand stale ones at least (s3-incomplete-uploads), and a build cache all in
    EFS Standard (efs-no-lifecycle)."""
    hygiene: dict[str, Any] = {"lifecycle_rules": 0, "lifecycle_rules_enabled": 0, "abort_incomplete_days": "none",
                               "noncurrent_expiration_days": "none", "versioning": "Disabled",
                               "incomplete_uploads_over_7d": 0, "incomplete_uploads_capped": False}
    size_source = "CloudWatch BucketSizeBytes (StandardStorage, daily)"
    return [
        _r("s3:bucket", "acme-research-datasets", "us-west-2", name="acme-research-datasets", state="available",
           created="2024-06-12T08:00:00Z", tags={"env": "prod", "team": "data"},
           details={"size_bytes": 2_199_023_255_552, "object_count": 412_000, "size_source": size_source,
                    **hygiene, "versioning": "Enabled"},
           arn="arn:aws:s3:::acme-research-datasets"),
        _r("s3:bucket", "acme-media-uploads", "us-east-1", name="acme-media-uploads", state="available",
           created="2025-03-03T10:00:00Z", tags={"env": "prod", "team": "web"},
           details={"size_bytes": 322_122_547_200, "object_count": 95_000, "size_source": size_source,
                    **hygiene, "lifecycle_rules": 1, "lifecycle_rules_enabled": 1,
                    "incomplete_uploads_over_7d": 1000, "incomplete_uploads_capped": True},
           arn="arn:aws:s3:::acme-media-uploads"),
        _r("efs:file-system", "fs-0f1e2d3c4b5a69788", "us-east-1", name="build-cache", state="available",
           created="2025-09-09T09:00:00Z", tags={"Name": "build-cache", "env": "ci"},
           details={"size_bytes": 536_870_912_000, "size_standard_bytes": 536_870_912_000, "size_ia_bytes": 0,
                    "throughput_mode": "elastic", "performance_mode": "generalPurpose", "mount_targets": 2,
                    "encrypted": True, "transition_to_ia": "none", "transition_to_archive": "none"},
           arn=_arn("elasticfilesystem", "us-east-1", "file-system/fs-0f1e2d3c4b5a69788")),
    ]


def _schedule_pair() -> Resource:
    """The pair ``z`` wrote for the notebook ds-forecasting (office hours in Paris): a row of
    ``:schedules``."""
    pair = "office-hours-0ca81787-notebook-ds-forecasting"
    office = "office-hours MON-FRI 08:00-19:00 Europe/Paris"
    details = {
        "group": "tracker-tui", "schedule": office, "zone": "Europe/Paris", "target_service": "sagemaker",
        "target_kind": "sagemaker:notebook-instance", "targets": ["ds-forecasting"],
        "role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/tracker-tui-scheduler", "invocations_per_month": 43.5,
        "stop_name": f"{pair}-stop", "stop_expression": "cron(0 19 ? * MON-FRI *)", "stop_state": "ENABLED",
        "start_name": f"{pair}-start", "start_expression": "cron(0 8 ? * MON-FRI *)", "start_state": "ENABLED",
    }
    return _r("scheduler:schedule", pair, "eu-west-1", name=f"sagemaker ds-forecasting: {office}",
              state="ENABLED", created="2026-05-14T18:25:00Z",
              details=details, arn=_arn("scheduler", "eu-west-1", f"schedule/tracker-tui/{pair}-stop"))
