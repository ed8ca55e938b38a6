"""The demo's CloudWatch metrics: what the idle checks (``i``, ``--check-idle``) read.

Seeded last in each region, after everything they describe exists: CPU for every running
instance, bytes out for every NAT gateway, connections for every available database, one
pair of datapoints a day over the checks' window.  Most are busy; a few are idle (the
Windows reporting box in every region, the dev NAT gateway, the dev ledger database); the
bastions have no datapoints at all, so the checks show "no data", never idle, for them.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker_tui.aws.kinds.metric import IDLE_DAYS
from tracker_tui.demo_estate.core import RegionSeeder

#: Datapoints per PutMetricData call (AWS takes up to 1,000).
_BATCH = 1000


def seed_region(s: RegionSeeder, env: str) -> int:
    """Put the region's metrics; no resources are made (0)."""
    from tracker_tui.demo_estate import metrics_services, metrics_traffic  # they use this module's helpers

    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [end - timedelta(days=d) for d in range(1, int(IDLE_DAYS.default) + 1)]
    data: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for part in (_compute, metrics_traffic.datapoints, metrics_services.datapoints):
        for namespace, datapoints in part(s, env, days).items():
            data[namespace] += datapoints
    cloudwatch = s.c("cloudwatch")
    for namespace, datapoints in data.items():
        for first in range(0, len(datapoints), _BATCH):
            cloudwatch.put_metric_data(Namespace=namespace, MetricData=datapoints[first : first + _BATCH])
    return 0


#: What a part of the seeding returns: datapoints by namespace.
Datapoints = dict[str, list[dict[str, Any]]]


def _compute(s: RegionSeeder, env: str, days: list[datetime]) -> Datapoints:
    """Instances, NAT gateways, databases, Lambda functions."""
    data: Datapoints = {"AWS/EC2": [], "AWS/NATGateway": [], "AWS/RDS": [], "CWAgent": [], "AWS/Lambda": []}
    for instance_id, name in _running_instances(s):
        if name.endswith("-bastion"):
            continue  # launched without monitoring data: "no data", never idle
        quiet = name.endswith("-reports-win")
        if name == f"{env}-worker" and env in ("prod", "staging"):
            # Oversized: hourly CPU that never passes 16% of four vCPUs (rightsize-instance);
            # prod runs the CloudWatch agent (memory measured), staging does not.
            data["AWS/EC2"] += _hourly("CPUUtilization", instance_id, days, 2.0, 16.0, "Percent")
            if env == "prod":
                data["CWAgent"] += _hourly("mem_used_percent", instance_id, days, 22.0, 31.0, "Percent")
        else:
            low, high = (0.3, 3.1) if quiet else _busy(instance_id, 8.0, 85.0)
            data["AWS/EC2"] += _pairs("CPUUtilization", "InstanceId", instance_id, days, low, high, "Percent")
        for metric in ("NetworkIn", "NetworkOut"):
            # A quiet box still talks a little (the agent, patching): under a megabyte a day.
            low, high = (2e5, 4e5) if quiet else _busy(instance_id + metric, 5e8, 2e10)
            data["AWS/EC2"] += _pairs(metric, "InstanceId", instance_id, days, low, high, "Bytes")
    for nat_id in _available_nat_gateways(s):
        per_day = 0.0 if env == "dev" else _busy(nat_id, 2e8, 9e9)[1]
        for metric, share in (("BytesOutToDestination", 1.0), ("BytesInFromDestination", 3.0)):
            data["AWS/NATGateway"] += [
                _datum(metric, "NatGatewayId", nat_id, day + timedelta(hours=12), per_day * share, "Bytes")
                for day in days
            ]
    for db in _available_databases(s):
        low, high = (0.0, 0.0) if db == f"{env}-ledger" and env == "dev" else _busy(db, 2.0, 60.0)
        data["AWS/RDS"] += _pairs("DatabaseConnections", "DBInstanceIdentifier", db, days, low, high, "Count")
        if db == "prod-bi":
            data["AWS/RDS"] += _hourly("CPUUtilization", db, days, 3.0, 18.0, "Percent", "DBInstanceIdentifier")
    for n, function in enumerate(_functions(s)):
        if n % 4 == 3:
            continue  # never invoked in the window (and changed since it began): "no data", unpriced
        calls = round(_busy(function, 2e3, 4e5)[1])
        # Duration is the sum of the calls' milliseconds: some 120 ms each.
        data["AWS/Lambda"] += [
            _datum(metric, "FunctionName", function, day + timedelta(hours=12), value, unit)
            for day in days
            for metric, value, unit in (("Invocations", calls, "Count"), ("Duration", calls * 120.0, "Milliseconds"))
        ]
    return data


def _functions(s: RegionSeeder) -> list[str]:
    return [f["FunctionName"] for page in s.c("lambda").get_paginator("list_functions").paginate()
            for f in page.get("Functions", [])]  # fmt: skip


def _busy(name: str, low: float, high: float) -> tuple[float, float]:
    """A believable busy (low, high) pair, the same for the same name on every run."""
    spread = (zlib.crc32(name.encode()) % 1000) / 1000
    top = low + (high - low) * (0.4 + 0.6 * spread)
    return round(top * 0.35, 1), round(top, 1)


def _datum(metric: str, dimension: str, value: str, when: datetime, number: float, unit: str) -> dict[str, Any]:
    return {
        "MetricName": metric,
        "Dimensions": [{"Name": dimension, "Value": value}],
        "Timestamp": when,
        "Value": number,
        "Unit": unit,
    }


def _pairs(
    metric: str, dimension: str, value: str, days: list[datetime], low: float, high: float, unit: str
) -> list[dict[str, Any]]:
    """A quiet morning and a busy evening each day: the daily maximum and average differ."""
    out = []
    for day in days:
        out.append(_datum(metric, dimension, value, day + timedelta(hours=6), low, unit))
        out.append(_datum(metric, dimension, value, day + timedelta(hours=18), high, unit))
    return out


def _hourly(
    metric: str,
    row: str,
    days: list[datetime],
    low: float,
    high: float,
    unit: str,
    dimension: str = "InstanceId",
) -> list[dict[str, Any]]:
    """Two datapoints an hour, every hour of the window: a working day's curve from ``low`` at
    night to ``high`` in the afternoon (the hour's maximum and average differ)."""
    out = []
    for day in days:
        for hour in range(24):
            shape = max(0.0, 1 - abs(hour - 15) / 9)  # 0 at night, 1 at 15:00
            top = low + (high - low) * shape
            when = day + timedelta(hours=hour)
            out.append(_datum(metric, dimension, row, when + timedelta(minutes=10), top, unit))
            out.append(_datum(metric, dimension, row, when + timedelta(minutes=40), top * 0.6, unit))
    return out


def _running_instances(s: RegionSeeder) -> Iterator[tuple[str, str]]:
    filters = [{"Name": "instance-state-name", "Values": ["running"]}]
    for page in s.c("ec2").get_paginator("describe_instances").paginate(Filters=filters):
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                tags = {t.get("Key"): t.get("Value", "") for t in inst.get("Tags") or []}
                yield inst["InstanceId"], str(tags.get("Name", ""))


def _available_nat_gateways(s: RegionSeeder) -> list[str]:
    gateways = s.c("ec2").describe_nat_gateways().get("NatGateways", [])
    return [g["NatGatewayId"] for g in gateways if g.get("State") == "available"]


def _available_databases(s: RegionSeeder) -> list[str]:
    dbs = s.c("rds").describe_db_instances().get("DBInstances", [])
    return [d["DBInstanceIdentifier"] for d in dbs if d.get("DBInstanceStatus") == "available"]
