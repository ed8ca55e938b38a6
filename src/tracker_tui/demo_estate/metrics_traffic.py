"""The demo's CloudWatch metrics for load balancers, VPC endpoints, DynamoDB tables, EBS volumes:
what their idle checks read.

Most are busy; one of each check is idle: the dev worker's data volume (``ebs-no-io``), the
staging Systems Manager endpoint (``idle-vpc-endpoint``), the dev web ALB
(``idle-load-balancer-traffic``) and the staging orders table (``idle-dynamodb-table``).  Some
have no datapoints at all, so the checks say "no data", never idle, for them: the volumes of
stopped instances and of the bastions (EBS publishes nothing for a stopped instance's
volumes), the dev endpoint and the staging ALB.  Prod's audit trail is written and never read:
busy, since both reads and writes must be none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tracker_tui.aws.kinds.elb import arn_metric_name
from tracker_tui.demo_estate.core import RegionSeeder
from tracker_tui.demo_estate.dynamodb import TABLES
from tracker_tui.demo_estate.metrics import Datapoints, _busy, _pairs

#: The environment whose data volume, ALB and table sit idle, and so on.
QUIET_VOLUME_ENV = "dev"
QUIET_ENDPOINT_ENV = "staging"
SILENT_ENDPOINT_ENV = "dev"
QUIET_ALB_ENV = "dev"
SILENT_ALB_ENV = "staging"
QUIET_TABLE = "staging-orders"


def datapoints(s: RegionSeeder, env: str, days: list[datetime]) -> Datapoints:
    """The region's datapoints by namespace (one or a few a day over the checks' window)."""
    return {
        "AWS/EBS": _volumes(s, env, days),
        "AWS/PrivateLinkEndpoints": _endpoints(s, env, days),
        "AWS/ApplicationELB": _balancers(s, env, days),
        "AWS/DynamoDB": _tables(env, days),
    }


def _volumes(s: RegionSeeder, env: str, days: list[datetime]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for volume_id, name in _volumes_of_running_instances(s):
        quiet = name == f"{env}-worker-data" and env == QUIET_VOLUME_ENV
        for metric in ("VolumeReadOps", "VolumeWriteOps"):
            low, high = (0.0, 0.0) if quiet else _whole(_busy(volume_id + metric, 2e3, 4e5))
            out += _pairs(metric, "VolumeId", volume_id, days, low, high, "Count")
    return out


def _endpoints(s: RegionSeeder, env: str, days: list[datetime]) -> list[dict[str, Any]]:
    if env == SILENT_ENDPOINT_ENV:
        return []
    out: list[dict[str, Any]] = []
    for endpoint in s.c("ec2").describe_vpc_endpoints()["VpcEndpoints"]:
        if endpoint.get("VpcEndpointType") != "Interface":
            continue  # gateway endpoints publish nothing
        endpoint_id = endpoint["VpcEndpointId"]
        low, high = (0.0, 0.0) if env == QUIET_ENDPOINT_ENV else _whole(_busy(endpoint_id, 5e6, 4e8))
        # PrivateLink publishes with four dimensions; CloudWatch matches the whole set.
        dimensions = [
            {"Name": "VPC Endpoint Id", "Value": endpoint_id},
            {"Name": "VPC Id", "Value": endpoint["VpcId"]},
            {"Name": "Endpoint Type", "Value": endpoint["VpcEndpointType"]},
            {"Name": "Service Name", "Value": endpoint["ServiceName"]},
        ]
        for datum in _pairs("BytesProcessed", "VPC Endpoint Id", endpoint_id, days, low, high, "Bytes"):
            out.append({**datum, "Dimensions": dimensions})
    return out


def _balancers(s: RegionSeeder, env: str, days: list[datetime]) -> list[dict[str, Any]]:
    """The web ALBs (the only balancers with targets: the NLBs and Classic ones have none)."""
    if env == SILENT_ALB_ENV:
        return []
    out: list[dict[str, Any]] = []
    for balancer in s.c("elbv2").describe_load_balancers()["LoadBalancers"]:
        if balancer.get("Type") != "application":
            continue
        name = arn_metric_name(balancer["LoadBalancerArn"])
        low, high = (0.0, 0.0) if env == QUIET_ALB_ENV else _whole(_busy(name, 200.0, 9e4))
        out += _pairs("RequestCount", "LoadBalancer", name, days, low, high, "Count")
    return out


def _tables(env: str, days: list[datetime]) -> list[dict[str, Any]]:
    """The provisioned tables (on-demand ones are not checked)."""
    out: list[dict[str, Any]] = []
    for table, mode, *_ in TABLES.get(env, []):
        if mode != "PROVISIONED":
            continue
        name = f"{env}-{table}"
        for metric in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"):
            unused = name == QUIET_TABLE or (table == "audit-trail" and metric == "ConsumedReadCapacityUnits")
            low, high = (0.0, 0.0) if unused else _whole(_busy(name + metric, 500.0, 6e4))
            out += _pairs(metric, "TableName", name, days, low, high, "Count")
    return out


def _whole(pair: tuple[float, float]) -> tuple[float, float]:
    """Counts (requests, operations, bytes, capacity units) are whole numbers here."""
    return float(round(pair[0])), float(round(pair[1]))


def _volumes_of_running_instances(s: RegionSeeder) -> Iterator[tuple[str, str]]:
    """(volume id, Name tag) of each volume attached to a running instance, bastions aside."""
    ec2 = s.c("ec2")
    running: set[str] = set()
    for page in ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    ):
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                tags = {t.get("Key"): t.get("Value", "") for t in inst.get("Tags") or []}
                if not str(tags.get("Name", "")).endswith("-bastion"):
                    running.add(inst["InstanceId"])
    for page in ec2.get_paginator("describe_volumes").paginate(
        Filters=[{"Name": "attachment.status", "Values": ["attached"]}]
    ):
        for volume in page.get("Volumes", []):
            if any(a.get("InstanceId") in running for a in volume.get("Attachments", [])):
                tags = {t.get("Key"): t.get("Value", "") for t in volume.get("Tags") or []}
                yield volume["VolumeId"], str(tags.get("Name", ""))
