"""The demo estate's families (tracker_tui/demo_estate/), seeded into moto in-process: what the
scan lists of them is what each family promises (the waste, the versions of the day)."""

from __future__ import annotations

from datetime import date
from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tracker_tui.aws.kinds import price_resources
from tracker_tui.aws.kinds.ec2_image import KIND as IMAGE
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.kinds.ec2_vpc_endpoint import KIND as VPC_ENDPOINT
from tracker_tui.demo_estate import (
    RegionSeeder,
    efs,
    eks,
    kms,
    opensearch,
    route53,
    sagemaker,
    secretsmanager,
    seed_buckets,
    seed_family_region,
)
from tracker_tui.demo_estate import ec2 as demo_ec2
from tracker_tui.demo_estate import rds as demo_rds
from tracker_tui.demo_estate.eks import eks_versions
from tracker_tui.findings import with_findings
from tracker_tui.model import Resource

REGION = "us-east-1"


def _by_id(kind: str, region: str = REGION, **scan: Any) -> dict[str, Resource]:
    resources, collector = helpers.scan([kind], [region], **scan)
    assert [r.status.value for r in collector.results] in (["done"], ["empty"]), collector.results
    return {r.id: r for r in price_resources(resources)}


# --- EC2: snapshots, AMIs, VPC endpoints ----------------------------------------------------------


def test_the_demo_seeds_orphaned_archived_and_ami_snapshots_a_used_and_an_unused_ami_and_two_endpoints() -> None:
    with mock_aws():
        boto = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        # No endpoint URL: moto's in-process mock, not the demo's server.
        seeder = RegionSeeder(boto, None, REGION, 2)
        subnets = seeder.c("ec2").describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
        seeder.instances("prod", sorted(subnets["Subnets"], key=lambda s: s["AvailabilityZone"]))
        made = demo_ec2.seed_region(seeder, "prod")
        volumes = {v["VolumeId"] for v in boto.client("ec2").describe_volumes()["Volumes"]}
        rows = {kind: list(_by_id(kind).values()) for kind in (SNAPSHOT, IMAGE, VPC_ENDPOINT)}
        [data] = boto.client("ec2").describe_volumes(Filters=[{"Name": "tag:Name", "Values": ["prod-worker-data"]}])[
            "Volumes"
        ]
        [worker] = [
            i
            for r in boto.client("ec2").describe_instances(InstanceIds=[data["Attachments"][0]["InstanceId"]])[
                "Reservations"
            ]
            for i in r["Instances"]
        ]

    snapshots, images, endpoints = rows[SNAPSHOT], rows[IMAGE], rows[VPC_ENDPOINT]
    # And the canary instance, its root volume, the worker's data volume (in use: ebs-no-io checks it).
    assert made == len(snapshots) + len(images) + len(endpoints) + 3
    assert (data["State"], data["Attachments"][0]["Device"]) == ("in-use", "/dev/sdf")
    assert {"Key": "Name", "Value": "prod-worker"} in worker["Tags"]
    assert len(snapshots) == 6 and len(images) == 2 and len(endpoints) == 2
    # Orphaned: its volume is gone and no own AMI uses it (moto's CreateImage names a volume it never made).
    orphaned = [s.name for s in snapshots if s.details["volume_id"] not in volumes and "backs_image" not in s.details]
    assert orphaned == ["prod-batch-scratch-final"]
    assert [s.name for s in snapshots if s.details["storage_tier"] == "archive"] == ["prod-worker-2024-archive"]
    assert sorted(bool(s.details.get("backs_image")) for s in snapshots) == [False] * 4 + [True] * 2
    assert sorted((i.name, i.details["in_use_by"]) for i in images) == [("prod-web-golden", 1), ("prod-worker-old", 0)]
    by_type = {e.details["endpoint_type"]: e for e in endpoints}
    assert (by_type["Interface"].details["az_count"], by_type["Interface"].monthly_cost) == (2, 14.6)
    assert by_type["Gateway"].monthly_cost == 0.0


# --- EKS, SageMaker, OpenSearch, Route 53, KMS, Secrets Manager -----------------------------------


def test_demo_versions_come_from_the_calendar_for_the_day() -> None:
    assert eks_versions(date(2026, 12, 2)) == ("1.32", "1.35")
    assert eks_versions(date(2025, 1, 1)) == ("1.24", "1.35")


def test_the_demo_seeds_what_the_scan_lists_with_the_waste_it_promises() -> None:
    kinds = [
        "eks:cluster",
        "sagemaker:notebook-instance",
        "sagemaker:endpoint",
        "opensearch:domain",
        "route53:hosted-zone",
        "kms:key",
        "secretsmanager:secret",
    ]
    regions = {"us-east-1": "prod", "us-west-2": "staging", "ap-southeast-2": "dev", "eu-west-1": "prod-eu"}
    with mock_aws():
        boto = boto3.Session(region_name="us-east-1")
        families = (eks, sagemaker, opensearch, kms, secretsmanager, route53)
        seeded = sum(
            seed_family_region(family, RegionSeeder(boto, None, r, 1), env)
            for r, env in regions.items()
            for family in families
        )
        seeded += route53.seed_account(boto, None)
        resources, collector = helpers.scan(kinds, list(regions))

    assert [r.code for r in collector.results if r.code] == []
    assert len(resources) == seeded
    assert {r.kind for r in resources} == set(kinds)
    rows = {(r.kind, r.region, r.id): r for r in price_resources(resources)}
    prod, staging = (
        rows["eks:cluster", "us-east-1", "prod-platform"],
        rows["eks:cluster", "us-west-2", "staging-platform"],
    )
    assert prod.monthly_cost == 438.0 and "on extended support" in str(prod.cost_basis)
    assert staging.monthly_cost == 73.0 and "on standard support" in str(staging.cost_basis)
    idle = rows["sagemaker:notebook-instance", "us-east-1", "ds-exploration"]
    assert (idle.state, idle.details["instance_type"], idle.monthly_cost) == ("InService", "ml.t3.medium", 36.5)
    assert rows["sagemaker:notebook-instance", "us-east-1", "ds-forecasting"].state == "Stopped"
    assert rows["sagemaker:endpoint", "us-east-1", "churn-predictor"].monthly_cost == 167.9
    assert {r.state for r in resources if r.kind == "route53:hosted-zone"} == {"public", "private"}
    assert {r.state for r in resources if r.kind == "kms:key"} == {"Enabled", "Disabled", "PendingDeletion"}
    assert {r.state for r in resources if r.kind == "secretsmanager:secret"} == {"active", "PendingDeletion"}
    # moto dates every secret today; the demo dates one back, never read since: secret-unused.
    found = {(r.kind, r.region, r.id): {f.id: f.monthly_saving for f in r.findings} for r in with_findings(resources)}
    stale = rows["secretsmanager:secret", "us-east-1", "prod/partners/sftp-legacy"]
    assert (stale.created, stale.details.get("last_accessed")) == ("2025-03-14T09:00:00Z", None)
    assert {key[2] for key, ids in found.items() if "secret-unused" in ids} == {"prod/partners/sftp-legacy"}
    assert found["secretsmanager:secret", "us-east-1", "prod/partners/sftp-legacy"] == {"secret-unused": 0.4}
    assert found["eks:cluster", "us-east-1", "prod-platform"] == {"eks-extended-support": 365.0}
    assert found["eks:cluster", "us-west-2", "staging-platform"] == {}


def test_a_secret_is_dated_back_only_in_the_servers_own_process() -> None:
    with mock_aws():
        boto = boto3.Session(region_name=REGION)
        arn = boto.client("secretsmanager").create_secret(Name="s", SecretString="x")["ARN"]
        remote = RegionSeeder(boto, "http://127.0.0.1:1", REGION, 1)  # another process's server: out of reach
        assert secretsmanager.backdate(remote, arn, secretsmanager.STALE_CREATED) is False
        assert secretsmanager.backdate(RegionSeeder(boto, None, REGION, 1), arn, secretsmanager.STALE_CREATED)
        (listed,) = boto.client("secretsmanager").list_secrets()["SecretList"]
    assert listed["CreatedDate"] == secretsmanager.STALE_CREATED


# --- RDS and ElastiCache: the class, engine and node findings -------------------------------------


def test_the_demos_databases_and_caches_on_x86_and_an_old_engine_show_their_findings() -> None:
    with mock_aws():
        seeder = RegionSeeder(boto3.Session(region_name=REGION), None, REGION, 2)
        seeder.rds("prod")  # the core's (prod-orders, which the family snapshots), then the family's
        seeder.elasticache("prod")
        demo_rds.seed_region(seeder, "prod")
        rows = with_findings([*_by_id("rds:db-instance").values(), *_by_id("elasticache:cluster").values()])
    found = {r.id: {f.id: f.monthly_saving for f in r.findings} for r in rows}
    legacy = found.pop("prod-reports-legacy")  # db.m4.large on PostgreSQL 12
    assert set(legacy) == {"rds-previous-generation", "rds-graviton-migration", "rds-extended-support"}
    assert (legacy["rds-previous-generation"], legacy["rds-graviton-migration"]) == (2.92, 16.79)
    assert (legacy["rds-extended-support"] or 0) >= 146.0  # 2 vCPU x $0.100 x 730 h; $0.200 from year 3
    assert found == {
        "prod-orders": {"rds-graviton-migration": 5.11},  # db.t3.medium -> db.t4g.medium
        "prod-ledger": {"rds-graviton-migration": 36.5},  # db.r5.large Multi-AZ -> db.r6g.large
        # db.m5.2xlarge -> db.m6g.2xlarge from the row; rightsize-database comes from the checks.
        "prod-bi": {"rds-graviton-migration": 55.48},
        "prod-reporting": {"stopped-database": 23.0},  # db.m5.large, stopped: no class change saves anything
        "prod-memcached": {"elasticache-graviton-migration": 15.33},  # 3 x cache.m5.large -> cache.m6g.large
        "prod-sessions": {"elasticache-graviton-migration": 2.19},  # cache.t3.medium -> cache.t4g.medium
    }


# --- S3 and EFS: what nothing cleans up --------------------------------------------------------------


def test_the_demo_buckets_and_file_systems_keep_what_no_rule_cleans_up_and_the_tidy_ones_are_clear() -> None:
    regions = {"us-east-1": "prod", "us-west-2": "staging", "ap-southeast-2": "dev", "eu-west-1": "prod-eu"}
    with mock_aws():
        boto = boto3.Session(region_name="us-east-1")
        buckets = seed_buckets(boto, None)
        file_systems = sum(seed_family_region(efs, RegionSeeder(boto, None, r, 1), env) for r, env in regions.items())
        resources, collector = helpers.scan(["s3:bucket", "efs:file-system"], list(regions))

    assert [r.code for r in collector.results if r.code] == []
    assert len(resources) == buckets + file_systems
    found = {r.name: {f.id for f in r.findings} for r in with_findings(price_resources(resources))}
    assert found == {
        "acme-prod-assets": set(),  # transitions and aborts
        "acme-prod-backups": set(),  # versioned, and old versions expire
        "acme-terraform-state": set(),
        "acme-logs-archive": set(),  # expires, and no upload was left behind
        "acme-staging-assets": {"s3-no-lifecycle"},
        "acme-ml-datasets": {"s3-no-lifecycle", "s3-noncurrent-versions"},
        "acme-dev-scratch": {"s3-noncurrent-versions"},  # suspended, an old version kept; no size yet
        "acme-tmp-exports": {"s3-incomplete-uploads"},
        "prod-shared-home": set(),  # moves to IA after 30 days
        "staging-ml-scratch": {"efs-no-lifecycle"},
    }
    scratch = next(r for r in resources if r.name == "staging-ml-scratch")
    assert scratch.details["size_standard_bytes"] == 420 * 2**30
