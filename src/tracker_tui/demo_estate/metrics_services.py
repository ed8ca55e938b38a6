"""The demo's CloudWatch metrics for Redshift, ElastiCache, SageMaker endpoints, OpenSearch domains:
what their idle checks read.

Each is published with the dimensions AWS publishes it with (CloudWatch matches the whole set):
a SageMaker endpoint's ``Invocations`` per variant (EndpointName, VariantName), an OpenSearch
domain's rates with its account as ClientId.  Most rows are busy; one of each is idle (prod's
legacy mart and churn-predictor-v2, prod-catalog-v1, the staging sessions cache); the dev
sessions cache and the staging search domain have no datapoints ("no data", never idle).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tracker_tui.demo_estate.core import RegionSeeder
from tracker_tui.demo_estate.metrics import Datapoints, _busy, _datum, _pairs
from tracker_tui.demo_estate.opensearch import IDLE_DOMAIN
from tracker_tui.demo_estate.redshift import LEGACY_MART
from tracker_tui.demo_estate.sagemaker import IDLE_ENDPOINT

#: The cache nobody connects to: CurrConnections are ElastiCache's own monitoring (4 to 6).
IDLE_CACHE = "staging-sessions"
#: Rows left without datapoints.
SILENT = frozenset({"dev-sessions", "staging-search"})


def datapoints(s: RegionSeeder, env: str, days: list[datetime]) -> Datapoints:
    """The region's datapoints by namespace (one or a few a day over the checks' window)."""
    return {
        "AWS/Redshift": _redshift(s, days),
        "AWS/ElastiCache": _caches(s, days),
        "AWS/SageMaker": _endpoints(s, days),
        "AWS/ES": _domains(s, days),
    }


def _redshift(s: RegionSeeder, days: list[datetime]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cluster in s.c("redshift").describe_clusters().get("Clusters", []):
        name = cluster["ClusterIdentifier"]
        if cluster.get("ClusterStatus") != "available":
            continue
        if name == LEGACY_MART:
            connections, cpu = (0.0, 0.0), (0.6, 2.4)  # housekeeping only: vacuum, backups
        else:
            connections = _whole(_busy(name, 4.0, 60.0))
            cpu = _busy(name, 15.0, 80.0)
        out += _pairs("DatabaseConnections", "ClusterIdentifier", name, days, *connections, "Count")
        out += _pairs("CPUUtilization", "ClusterIdentifier", name, days, *cpu, "Percent")
    return out


def _caches(s: RegionSeeder, days: list[datetime]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cluster in s.c("elasticache").describe_cache_clusters().get("CacheClusters", []):
        name = cluster["CacheClusterId"]
        if name in SILENT or cluster.get("CacheClusterStatus") != "available":
            continue
        # ElastiCache's own monitoring connections, plus the clients' on a busy cache.
        low, high = (4.0, 5.0) if name == IDLE_CACHE else _whole(_busy(name, 40.0, 900.0))
        out += _pairs("CurrConnections", "CacheClusterId", name, days, low, high, "Count")
    return out


def _endpoints(s: RegionSeeder, days: list[datetime]) -> list[dict[str, Any]]:
    sm = s.c("sagemaker")
    out: list[dict[str, Any]] = []
    for summary in sm.list_endpoints().get("Endpoints", []):
        name = summary["EndpointName"]
        if summary.get("EndpointStatus") != "InService":
            continue
        for variant in sm.describe_endpoint(EndpointName=name).get("ProductionVariants", []):
            per_day = 0.0 if name == IDLE_ENDPOINT else _whole(_busy(name, 5_000.0, 400_000.0))[1]
            dimensions = [("EndpointName", name), ("VariantName", variant["VariantName"])]
            out += [_dimensioned("Invocations", dimensions, day, per_day, "None") for day in days]
    return out


def _domains(s: RegionSeeder, days: list[datetime]) -> list[dict[str, Any]]:
    client = s.c("opensearch")
    names = [d["DomainName"] for d in client.list_domain_names().get("DomainNames", [])]
    found = client.describe_domains(DomainNames=names).get("DomainStatusList", []) if names else []
    out: list[dict[str, Any]] = []
    for status in found:
        name = status["DomainName"]
        if name in SILENT:
            continue
        account = str(status["ARN"]).split(":")[4]
        dimensions = [("DomainName", name), ("ClientId", account)]
        for metric, low, high in (("SearchRate", 200.0, 20_000.0), ("IndexingRate", 1_000.0, 90_000.0)):
            per_day = 0.0 if name == IDLE_DOMAIN else _whole(_busy(f"{name}/{metric}", low, high))[1]
            out += [_dimensioned(metric, dimensions, day, per_day, "Count") for day in days]
    return out


def _whole(pair: tuple[float, float]) -> tuple[float, float]:
    """Counts are whole numbers."""
    return float(round(pair[0])), float(round(pair[1]))


def _dimensioned(
    metric: str, dimensions: list[tuple[str, str]], day: datetime, number: float, unit: str
) -> dict[str, Any]:
    """One datapoint at noon with every dimension AWS publishes the metric with."""
    (first, value), *more = dimensions
    datum = _datum(metric, first, value, day + timedelta(hours=12), number, unit)
    datum["Dimensions"] += [{"Name": name, "Value": extra} for name, extra in more]
    return datum
