"""A fixed, believable estate for UI tests and snapshots, replayed through the scan path.

Sixty resources over the first 13 kinds in four regions (plus ``global`` for IAM), and with
``every_kind=True`` a few of each of the other 14 (tests/support/estate_more.py), with the
shapes the real scanners produce (see ``tracker_tui.aws.kinds``): stopped instances,
unattached volumes, idle Elastic IPs, prod/dev tags, one ``do-not-delete`` tag, and one
denied cell (eu-west-1 rds:db-instance).  Everything is deterministic: no clocks, no
randomness, so snapshots do not churn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tracker_tui.aws.bill import Bill, Period
from tracker_tui.aws.kinds import REGISTRY, price_resources
from tracker_tui.findings import with_findings
from tracker_tui.model import GLOBAL_REGION, Identity, Resource, ScanErrorEntry
from tracker_tui.replay import ReplaySource
from tracker_tui.store import Inventory, dumps_json, read_inventory
from tracker_tui.ui.app import TrackerApp

ACCOUNT_ID = "123456789012"
ALIAS = "acme-staging"
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
#: The frozen wall clock of every UI test: ages are computed against it.
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

DENIED_MESSAGE = (
    "User: arn:aws:iam::123456789012:user/ci-scanner is not authorized to perform: "
    "rds:DescribeDBInstances on resource: arn:aws:rds:eu-west-1:123456789012:db:* "
    "with an explicit deny in a service control policy"
)


def sample_identity(alias: str = ALIAS) -> Identity:
    """The identity that ran the replayed scan."""
    return Identity(account_id=ACCOUNT_ID, arn=f"arn:aws:iam::{ACCOUNT_ID}:user/ci-scanner", alias=alias)


def _arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"


def _r(
    kind: str,
    id: str,
    region: str,
    *,
    name: str = "",
    state: str,
    created: str | None,
    tags: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
    arn: str | None = None,
) -> Resource:
    return Resource(
        kind=kind,
        id=id,
        region=region,
        account_id=ACCOUNT_ID,
        arn=arn,
        name=name,
        state=state,
        created=created,
        tags=dict(tags or {}),
        details=dict(details or {}),
        monthly_cost=None,
        cost_basis=None,
    )


def _instances() -> list[Resource]:
    # (n, region, az, name, type, state, env, team, created)
    rows = [
        (1, "us-east-1", "us-east-1a", "web-prod-1", "m5.large", "running", "prod", "web", "2025-03-14T09:21:07Z"),
        (2, "us-east-1", "us-east-1b", "web-prod-2", "m5.large", "running", "prod", "web", "2025-03-14T09:21:09Z"),
        (3, "us-east-1", "us-east-1a", "bastion", "t2.micro", "running", "prod", "platform", "2025-01-08T16:02:44Z"),
        (4, "us-east-1", "us-east-1c", "ml-train-gpu", "g5.xlarge", "stopped", "dev", "data", "2026-06-02T11:45:00Z"),
        (5, "eu-west-1", "eu-west-1a", "api-eu-1", "c6i.large", "running", "prod", "api", "2025-09-30T07:10:12Z"),
        (6, "eu-west-1", "eu-west-1b", "api-eu-2", "c6i.large", "running", "prod", "api", "2025-09-30T07:10:15Z"),
        (7, "eu-west-1", "eu-west-1a", "jenkins-old", "t3.large", "stopped", "dev", "platform", "2025-02-17T13:30:00Z"),
        (8, "us-west-2", "us-west-2a", "batch-worker-1", "r6g.large", "running", "dev", "data", "2026-10-11T22:05:31Z"),
        (9, "us-west-2", "us-west-2b", "batch-worker-2", "r6g.large", "running", "dev", "data", "2026-10-11T22:05:33Z"),
        (10, "ap-southeast-2", "ap-southeast-2a", "demo-sydney", "t3.medium", "stopped", "dev", "sales", "2026-04-20T03:15:00Z"),
    ]
    out = []
    for n, region, az, name, itype, state, env, team, created in rows:
        iid = f"i-0a1b2c3d4e5f6{n:04d}"
        details: dict[str, Any] = {
            "instance_type": itype,
            "platform": "Linux/UNIX",
            "availability_zone": az,
            "tenancy": "default",
            "lifecycle": "on-demand",
            "vpc_id": f"vpc-0{n % 3 + 1}f3e2d1c0b9a8765",
            "subnet_id": f"subnet-0c4d5e6f7a8b9{n:04d}",
            "private_ip": f"10.{n}.1.{20 + n}",
            "image_id": "ami-0f9e8d7c6b5a40321",
            "key_name": "ops-2025",
            "volume_ids": [f"vol-0f1e2d3c4b5a6{n:04d}"],
        }
        if state == "running" and env == "prod":
            details["public_ip"] = f"54.210.{n}.{100 + n}"
        if state == "stopped":
            details["state_reason"] = "Client.UserInitiatedShutdown: User initiated shutdown"
        out.append(
            _r(
                "ec2:instance",
                iid,
                region,
                name=name,
                state=state,
                created=created,
                tags={"Name": name, "env": env, "team": team},
                details=details,
                arn=_arn("ec2", region, f"instance/{iid}"),
            )
        )
    return out


def _volumes() -> list[Resource]:
    # Root volumes of instances 1, 2, 5, 7, 8, 10 (in-use), and two left behind (available).
    rows = [
        (1, "us-east-1", "us-east-1a", 30, "gp3", "in-use", 1, "web-prod-1-root", "prod", "2025-03-14T09:21:07Z"),
        (2, "us-east-1", "us-east-1b", 30, "gp3", "in-use", 2, "web-prod-2-root", "prod", "2025-03-14T09:21:09Z"),
        (5, "eu-west-1", "eu-west-1a", 50, "gp3", "in-use", 5, "api-eu-1-root", "prod", "2025-09-30T07:10:12Z"),
        (7, "eu-west-1", "eu-west-1a", 200, "gp2", "in-use", 7, "jenkins-old-data", "dev", "2025-02-17T13:30:00Z"),
        (8, "us-west-2", "us-west-2a", 100, "gp3", "in-use", 8, "batch-scratch", "dev", "2026-10-11T22:05:31Z"),
        (10, "ap-southeast-2", "ap-southeast-2a", 20, "gp3", "in-use", 10, "demo-sydney-root", "dev", "2026-04-20T03:15:00Z"),
        (11, "us-east-1", "us-east-1c", 500, "io2", "available", None, "old-db-restore", "dev", "2025-06-01T10:00:00Z"),
        (12, "eu-west-1", "eu-west-1b", 80, "gp2", "available", None, "", "", "2025-11-23T18:42:10Z"),
    ]
    out = []
    for n, region, az, size, vtype, state, instance, name, env, created in rows:
        vid = f"vol-0f1e2d3c4b5a6{n:04d}"
        attachments = (
            [{"instance_id": f"i-0a1b2c3d4e5f6{instance:04d}", "device": "/dev/xvda", "state": "attached"}]
            if instance
            else []
        )
        details: dict[str, Any] = {
            "size_gib": size,
            "volume_type": vtype,
            "iops": 3000 if vtype == "gp3" else (16000 if vtype == "io2" else size * 3),
            "encrypted": vtype != "gp2",
            "availability_zone": az,
            "attached": bool(attachments),
            "attachments": attachments,
        }
        if vtype == "gp3":
            details["throughput_mibps"] = 125
        if n == 11:
            details["snapshot_id"] = "snap-0d2c4b6a8e0f13579"
        tags = {"Name": name} if name else {}
        if env:
            tags["env"] = env
        out.append(
            _r(
                "ec2:volume",
                vid,
                region,
                name=name,
                state=state,
                created=created,
                tags=tags,
                details=details,
                arn=_arn("ec2", region, f"volume/{vid}"),
            )
        )
    return out


def _elastic_ips() -> list[Resource]:
    rows = [
        ("eipalloc-0a11b22c33d44e001", "us-east-1", "54.210.1.101", 1, "web-prod-1-eip", "prod"),
        ("eipalloc-0a11b22c33d44e002", "us-east-1", "3.218.44.17", None, "", ""),
        ("eipalloc-0a11b22c33d44e003", "eu-west-1", "54.210.5.105", 5, "api-eu-1-eip", "prod"),
        ("eipalloc-0a11b22c33d44e004", "ap-southeast-2", "13.236.90.12", None, "old-vpn", "dev"),
    ]
    out = []
    for alloc, region, ip, instance, name, env in rows:
        details: dict[str, Any] = {"public_ip": ip, "allocation_id": alloc, "domain": "vpc", "associated": bool(instance)}
        if instance:
            details.update(
                association_id=f"eipassoc-0b{instance:015d}",
                instance_id=f"i-0a1b2c3d4e5f6{instance:04d}",
                network_interface_id=f"eni-0e{instance:015d}",
                private_ip=f"10.{instance}.1.{20 + instance}",
            )
        tags = {"Name": name} if name else {}
        if env:
            tags["env"] = env
        out.append(
            _r(
                "ec2:elastic-ip",
                alloc,
                region,
                name=name or ip,
                state="associated" if instance else "idle",
                created=None,  # DescribeAddresses has no creation time
                tags=tags,
                details=details,
                arn=_arn("ec2", region, f"elastic-ip/{alloc}"),
            )
        )
    return out


def _nat_gateways() -> list[Resource]:
    rows = [
        ("nat-0a9b8c7d6e5f40001", "us-east-1", "nat-prod-a", "prod", "available", "3.216.7.81", "2025-03-10T12:00:00Z"),
        ("nat-0a9b8c7d6e5f40002", "eu-west-1", "nat-prod-eu", "prod", "available", "52.17.200.4", "2025-09-28T08:30:00Z"),
        ("nat-0a9b8c7d6e5f40003", "us-west-2", "nat-batch", "dev", "available", "44.230.1.9", "2026-10-11T21:50:00Z"),
    ]
    out = []
    for nid, region, name, env, state, ip, created in rows:
        out.append(
            _r(
                "ec2:nat-gateway",
                nid,
                region,
                name=name,
                state=state,
                created=created,
                tags={"Name": name, "env": env},
                details={
                    "subnet_id": f"subnet-0{nid[-4:]}aa11bb22cc",
                    "vpc_id": "vpc-01f3e2d1c0b9a8765",
                    "connectivity_type": "public",
                    "public_ips": [ip],
                    "allocation_ids": [f"eipalloc-0ff{nid[-4:]}00112233"],
                },
                arn=_arn("ec2", region, f"natgateway/{nid}"),
            )
        )
    return out


def _buckets() -> list[Resource]:
    rows = [
        ("acme-prod-assets", "us-east-1", {"env": "prod", "team": "web"}, 48_318_221_312, 1_204_551, "2025-01-20T10:11:12Z"),
        ("acme-prod-backups", "eu-west-1", {"env": "prod", "team": "platform", "do-not-delete": "true"}, 912_004_882_001, 88_120, "2025-02-02T02:02:02Z"),
        ("acme-cloudtrail-logs", "us-east-1", {"env": "prod", "team": "security"}, 6_442_450_944, 310_442, "2025-01-05T00:00:01Z"),
        ("acme-dev-scratch", "us-west-2", {"env": "dev", "team": "data"}, None, None, "2026-07-07T07:07:07Z"),
        ("acme-sydney-demo-site", "ap-southeast-2", {"env": "dev", "team": "sales"}, 12_582_912, 41, "2026-04-20T03:00:00Z"),
    ]
    out = []
    for name, region, tags, size, objects, created in rows:
        details: dict[str, Any] = {
            "size_bytes": size,
            "object_count": objects,
            "size_source": "CloudWatch BucketSizeBytes (StandardStorage, daily)" if size is not None else "not reported by CloudWatch",
        }
        out.append(
            _r("s3:bucket", name, region, name=name, state="available", created=created, tags=tags,
               details=details, arn=f"arn:aws:s3:::{name}")
        )
    return out


def _databases() -> list[Resource]:
    rows = [
        ("orders-prod", "us-east-1", "available", "postgres", "16.4", "db.r6g.large", True, 200, True, "prod", "2025-04-01T06:00:00Z"),
        ("orders-replica", "us-east-1", "available", "postgres", "16.4", "db.r6g.large", False, 200, False, "prod", "2025-04-03T06:00:00Z"),
        ("analytics-dev", "us-west-2", "stopped", "mysql", "8.0.39", "db.t3.medium", False, 50, False, "dev", "2026-02-14T15:30:00Z"),
    ]
    out = []
    for ident, region, state, engine, version, klass, multi_az, storage, protect, env, created in rows:
        out.append(
            _r(
                "rds:db-instance",
                ident,
                region,
                name=ident,
                state=state,
                created=created,
                tags={"env": env, "team": "data" if env == "dev" else "api"},
                details={
                    "engine": engine,
                    "engine_version": version,
                    "instance_class": klass,
                    "multi_az": multi_az,
                    "allocated_storage_gib": storage,
                    "storage_type": "gp3",
                    "iops": 3000,
                    "deletion_protection": protect,
                    "availability_zone": f"{region}a",
                    "endpoint": f"{ident}.c9akciq32.{region}.rds.amazonaws.com",
                    "license_model": "postgresql-license" if engine == "postgres" else "general-public-license",
                    "publicly_accessible": False,
                },
                arn=_arn("rds", region, f"db:{ident}"),
            )
        )
    return out


def _functions() -> list[Resource]:
    rows = [
        ("thumbnailer", "us-east-1", "python3.12", 1024, 30, "prod", "2025-05-05T05:05:05Z"),
        ("orders-webhook", "us-east-1", "nodejs20.x", 256, 10, "prod", "2025-04-02T09:00:00Z"),
        ("gdpr-export", "eu-west-1", "python3.12", 512, 900, "prod", "2025-10-10T10:10:10Z"),
        ("nightly-report", "us-west-2", "python3.11", 2048, 300, "dev", "2026-03-03T03:03:03Z"),
        ("slack-notifier", "ap-southeast-2", "nodejs18.x", 128, 3, "dev", "2026-04-21T01:00:00Z"),
    ]
    out = []
    for fname, region, runtime, memory, timeout, env, created in rows:
        out.append(
            _r(
                "lambda:function",
                fname,
                region,
                name=fname,
                state="Active",
                created=created,
                tags={"env": env},
                details={
                    "runtime": runtime,
                    "memory_mb": memory,
                    "timeout_s": timeout,
                    "architectures": ["arm64"] if "python" in runtime else ["x86_64"],
                    "code_size_bytes": 4_812_339 if memory > 256 else 18_204,
                    "handler": "app.handler" if "python" in runtime else "index.handler",
                    "package_type": "Zip",
                    "last_modified": created,
                    "ephemeral_storage_mb": 512,
                },
                arn=_arn("lambda", region, f"function:{fname}"),
            )
        )
    return out


def _load_balancers() -> list[Resource]:
    rows = [
        ("web-prod-alb", "us-east-1", "application", "internet-facing", 2, "prod", "2025-03-14T09:30:00Z"),
        ("api-eu-nlb", "eu-west-1", "network", "internal", 2, "prod", "2025-09-30T07:20:00Z"),
        ("legacy-classic", "us-east-1", "classic", "internet-facing", 0, "dev", "2025-01-02T08:00:00Z"),
        ("batch-internal-alb", "us-west-2", "application", "internal", 0, "dev", "2026-10-11T22:10:00Z"),
    ]
    out = []
    for name, region, subtype, scheme, targets, env, created in rows:
        if subtype == "classic":
            arn = _arn("elasticloadbalancing", region, f"loadbalancer/{name}")
        else:
            short = "app" if subtype == "application" else "net"
            arn = _arn("elasticloadbalancing", region, f"loadbalancer/{short}/{name}/5f1e2d3c4b5a6978")
        out.append(
            _r(
                "elb:load-balancer",
                name,
                region,
                name=name,
                state="active" if targets else "idle",  # as the scanner shows a balancer with no targets
                created=created,
                tags={"env": env},
                details={
                    "subtype": subtype,
                    "scheme": scheme,
                    "dns_name": f"{name}-1234567890.{region}.elb.amazonaws.com",
                    "vpc_id": "vpc-01f3e2d1c0b9a8765",
                    "availability_zones": [f"{region}a", f"{region}b"],
                    "target_count": targets,
                },
                arn=arn,
            )
        )
    return out


def _log_groups() -> list[Resource]:
    rows = [
        ("/aws/lambda/thumbnailer", "us-east-1", 1_288_490_188, 30, "2025-05-05T05:05:06Z"),
        ("/aws/lambda/orders-webhook", "us-east-1", 322_122_547, None, "2025-04-02T09:00:01Z"),
        ("/ecs/api-eu", "eu-west-1", 53_687_091_200, 14, "2025-09-30T07:00:00Z"),
        ("/aws/lambda/gdpr-export", "eu-west-1", 10_485_760, None, "2025-10-10T10:10:11Z"),
        ("/aws/rds/instance/analytics-dev/error", "us-west-2", 4_194_304, 7, "2026-02-14T15:31:00Z"),
        ("/aws/lambda/slack-notifier", "ap-southeast-2", 0, None, "2026-04-21T01:00:01Z"),
    ]
    out = []
    for name, region, stored, retention, created in rows:
        details: dict[str, Any] = {
            "stored_bytes": stored,
            "retention": f"{retention} days" if retention else "never expires",
            "log_group_class": "STANDARD",
            "metric_filter_count": 0,
        }
        if retention:
            details["retention_days"] = retention
        out.append(
            _r("logs:log-group", name, region, name=name,
               state=f"retain-{retention}d" if retention else "no-retention", created=created,
               details=details, arn=_arn("logs", region, f"log-group:{name}:*"))
        )
    return out


def _iam() -> list[Resource]:
    users = [
        ("alice.nguyen", "AIDA4EXAMPLEUSER0001", "2026-11-28T17:02:11Z", "2025-01-03T09:00:00Z"),
        ("bob.okafor", "AIDA4EXAMPLEUSER0002", "2026-10-02T08:15:00Z", "2025-01-03T09:05:00Z"),
        ("ci-scanner", "AIDA4EXAMPLEUSER0003", None, "2025-06-12T12:00:00Z"),
        ("terraform-deploy", "AIDA4EXAMPLEUSER0004", None, "2025-01-03T09:30:00Z"),
    ]
    roles = [
        ("AWSServiceRoleForAutoScaling", "/aws-service-role/autoscaling.amazonaws.com/", "AROA4EXAMPLEROLE0001",
         "Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling",
         "2026-11-29T11:40:00Z", "2025-03-14T09:25:00Z"),
        ("lambda-thumbnailer-exec", "/", "AROA4EXAMPLEROLE0002", None, "2026-11-29T11:55:00Z", "2025-05-05T05:00:00Z"),
        ("OrganizationAccountAccessRole", "/", "AROA4EXAMPLEROLE0003", None, "2026-09-01T10:00:00Z", "2025-01-01T00:00:00Z"),
        ("old-jenkins-role", "/ci/", "AROA4EXAMPLEROLE0004", "Jenkins agents (decommissioned?)", None, "2025-02-17T13:00:00Z"),
    ]
    out = []
    for name, uid, last_used, created in users:
        details: dict[str, Any] = {"path": "/", "user_id": uid}
        if last_used:
            details["password_last_used"] = last_used
        tags = {"team": "platform"} if name in ("ci-scanner", "terraform-deploy") else {}
        out.append(
            _r("iam:user", name, GLOBAL_REGION, name=name, state="active", created=created, tags=tags,
               details=details, arn=f"arn:aws:iam::{ACCOUNT_ID}:user/{name}")
        )
    for name, path, rid, description, last_used, created in roles:
        details = {
            "path": path,
            "role_id": rid,
            "max_session_duration_s": 3600,
            "service_linked": path.startswith("/aws-service-role/"),
        }
        if description:
            details["description"] = description
        if last_used:
            details["last_used"] = last_used
        out.append(
            _r("iam:role", name, GLOBAL_REGION, name=name, state="active", created=created,
               details=details, arn=f"arn:aws:iam::{ACCOUNT_ID}:role{path}{name}")
        )
    return out


def _autoscaling_groups() -> list[Resource]:
    rows = [
        ("web-prod-asg", "us-east-1", 2, 6, 2, [1, 2], "web-prod-lt", "prod", "2025-03-14T09:25:00Z"),
        ("batch-workers", "us-west-2", 0, 10, 2, [8, 9], "batch-worker-lt", "dev", "2026-10-11T22:00:00Z"),
    ]
    out = []
    for name, region, low, high, desired, instances, template, env, created in rows:
        out.append(
            _r(
                "autoscaling:group",
                name,
                region,
                name=name,
                state="active",
                created=created,
                tags={"env": env},
                details={
                    "min_size": low,
                    "max_size": high,
                    "desired_capacity": desired,
                    "instance_count": len(instances),
                    "instance_ids": [f"i-0a1b2c3d4e5f6{n:04d}" for n in instances],
                    "launch_template": template,
                    "availability_zones": [f"{region}a", f"{region}b"],
                },
                arn=_arn("autoscaling", region,
                         f"autoScalingGroup:5e8a1c2b-0d3f-4a6b-9c7d-1e2f3a4b5c6d:autoScalingGroupName/{name}"),
            )
        )
    return out


def _cache_clusters() -> list[Resource]:
    rows = [
        ("sessions-prod-001", "us-east-1", "redis", "7.1", "cache.r6g.large", "prod", "sessions-prod", "2025-03-20T10:00:00Z"),
        ("dev-memcached", "eu-west-1", "memcached", "1.6.22", "cache.t3.micro", "dev", None, "2026-01-15T14:00:00Z"),
    ]
    out = []
    for ident, region, engine, version, node, env, group, created in rows:
        details: dict[str, Any] = {
            "engine": engine,
            "engine_version": version,
            "node_type": node,
            "num_nodes": 1,
            "availability_zone": f"{region}b",
        }
        if group:
            details["replication_group_id"] = group
        out.append(
            _r("elasticache:cluster", ident, region, name=ident, state="available", created=created,
               tags={"env": env}, details=details, arn=_arn("elasticache", region, f"cluster:{ident}"))
        )
    return out


def sample_resources(priced: bool = False, *, every_kind: bool = False) -> list[Resource]:
    """Sixty resources covering the first 13 kinds, in the order the replayed scan sends them.

    ``priced=True`` prices them with the catalogue, as a live scan does (the screens'
    snapshots use that); by default they are unpriced so cost tests can set exact figures.
    ``every_kind=True`` adds the rows of the other kinds (tests/support/estate_more.py), each in its
    kind's display position: the screens' tests count the sixty, the registry's want them all.
    """
    resources = [
        *_instances(),
        *_volumes(),
        *_elastic_ips(),
        *_nat_gateways(),
        *_buckets(),
        *_databases(),
        *_functions(),
        *_load_balancers(),
        *_log_groups(),
        *_iam(),
        *_autoscaling_groups(),
        *_cache_clusters(),
    ]
    if every_kind:
        from tests.support.estate_more import more_resources

        order = {kind: index for index, kind in enumerate(REGISTRY)}
        resources = sorted([*resources, *more_resources()], key=lambda r: order[r.kind])
    return with_findings(price_resources(resources)) if priced else resources


def sample_errors() -> list[ScanErrorEntry]:
    """The one cell that fails: RDS in eu-west-1 is denied by an SCP."""
    return [ScanErrorEntry("eu-west-1", "rds:db-instance", "AccessDenied", DENIED_MESSAGE, ACCOUNT_ID)]


def sample_source(
    alias: str = ALIAS,
    resources: list[Resource] | None = None,
) -> ReplaySource:
    """A ReplaySource over the sample estate: 4 regions x 11 regional kinds + 2 global cells."""
    return ReplaySource(
        identity=sample_identity(alias),
        regions=REGIONS,
        kinds=REGISTRY.ids,
        resources=sample_resources() if resources is None else resources,
        errors=sample_errors(),
        page_size=5,
    )


#: The month the sample bill is for: the last full month before NOW.
SAMPLE_PERIOD = Period(date(2026, 10, 1), date(2026, 11, 1))

#: The sample account's bill for that month, by Cost Explorer SERVICE: close to the estate's
#: run-rate where its kinds cover it, plus two services no kind covers and one at $0.00.
SAMPLE_BILL = {
    "EC2 - Other": 1318.64,
    "Amazon Relational Database Service": 541.20,
    "Amazon Elastic Compute Cloud - Compute": 466.93,
    "Amazon CloudFront": 412.00,
    "Amazon ElastiCache": 150.38,
    "AWS Support (Business)": 100.00,
    "Amazon Elastic Load Balancing": 74.12,
    "Amazon Simple Storage Service": 27.45,
    "Amazon Virtual Private Cloud": 18.25,
    "AmazonCloudWatch": 9.87,
    "AWS Lambda": 6.18,
    "AWS Key Management Service": 0.0,
    "Amazon Redshift": 0.0,
    "Amazon DynamoDB": 0.0,
    "Amazon Elastic File System": 0.0,
    "Amazon Elastic Container Service for Kubernetes": 0.0,
    "Amazon SageMaker": 0.0,
    "Amazon OpenSearch Service": 0.0,
    "Amazon Route 53": 0.0,
    "AWS Secrets Manager": 0.0,
}


def sample_bill(*, cached: bool = False, hours_ago: float = 0.0) -> Bill:
    """The sample account's bill, fetched ``hours_ago`` before NOW."""
    return Bill(ACCOUNT_ID, SAMPLE_PERIOD, dict(SAMPLE_BILL), NOW - timedelta(hours=hours_ago), cached=cached)


@dataclass
class FakeBills:
    """A bill source (``aws.bill.BillSource``) that never calls AWS: it counts its fetches.

    Args:
        bill: what ``fetch`` returns; ``error``: what it raises instead.
        cache: what ``cached`` returns (None: nothing cached, so the view asks first).
    """

    bill: Bill | None = None
    error: Exception | None = None
    cache: Bill | None = None
    fetches: list[bool] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Why no request can be made ("" when one can).
    no_session: str = ""

    def period(self) -> Period:
        return SAMPLE_PERIOD

    def unavailable(self, account_id: str) -> str:
        return self.no_session

    def cached(self, account_id: str) -> Bill | None:
        return self.cache

    def fetch(self, account_id: str, *, refresh: bool = False) -> Bill:
        self.fetches.append(refresh)
        if self.error is not None:
            raise self.error
        return self.bill if self.bill is not None else sample_bill()


def make_app(source: ReplaySource | None = None, **kw: Any) -> TrackerApp:
    """A TrackerApp on the sample source with both clocks frozen."""
    return TrackerApp(
        source if source is not None else sample_source(),
        now=lambda: NOW,
        monotonic=lambda: 0.0,
        **kw,
    )


def write_inventory(path: Path) -> Path:
    """The sample estate saved as ``tracker-tui scan --output`` writes it."""
    inventory = Inventory(
        identity=sample_identity(),
        regions=list(REGIONS),
        resources=sample_resources(),
        errors=sample_errors(),
        scanned_at="2026-11-28T22:15:00Z",
        accounts=[sample_identity()],
    )
    path.write_text(dumps_json(inventory), encoding="utf-8")
    return path


def open_app(path: Path) -> TrackerApp:
    """The app as ``tracker-tui open PATH`` starts it: the saved rows, no session, no scan."""
    inventory = read_inventory(path)
    label = f"{path.name}, scanned {inventory.scanned_at}"
    return TrackerApp(None, inventory=inventory, inventory_label=label, now=lambda: NOW, monotonic=lambda: 0.0)


async def wait_bill(app: TrackerApp, pilot: Pilot[Any], timeout: float = 5.0) -> None:
    """Wait until the bill view has left its fetching state (the fetch runs in a worker thread)."""
    from tracker_tui.ui.screens.bill import BillScreen

    for _ in range(int(timeout / 0.02)):
        screen = app.screen
        if isinstance(screen, BillScreen) and screen.state != "fetching":
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the bill view is still fetching after {timeout}s")


async def wait_scan(app: TrackerApp, pilot: Pilot[Any], timeout: float = 30.0) -> None:
    """Wait until the scan in flight has been taken into the table."""
    from tests.support.helpers import wait_until

    await wait_until(pilot, lambda: not app.scanning, timeout, "the scan to finish")
