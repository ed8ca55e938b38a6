"""Redshift provisioned clusters: node type and count, state (a paused cluster pays no nodes)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import CellContext, InPlace, KindSpec, Schedulable, known, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    percent,
    unknown_saving,
)
from tracker_tui.aws.kinds.offhours import no_off_hours
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, hourly_basis, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

KIND = "redshift:cluster"

PAUSED = "paused"


def list_redshift_clusters(ctx: CellContext) -> Iterator[list[Resource]]:
    redshift = ctx.client("redshift")
    for page in ctx.pages(redshift, "describe_clusters"):
        yield [_cluster(ctx, cluster) for cluster in page.get("Clusters", [])]


def _cluster(ctx: CellContext, cluster: dict[str, Any]) -> Resource:
    ident = str(cluster["ClusterIdentifier"])
    tags = tag_dict(cluster.get("Tags"))
    capacity = cluster.get("TotalStorageCapacityInMegaBytes")
    details = {
        "node_type": cluster.get("NodeType"),
        "number_of_nodes": cluster.get("NumberOfNodes"),
        "db_name": cluster.get("DBName"),
        "cluster_version": cluster.get("ClusterVersion"),
        "availability_zone": cluster.get("AvailabilityZone"),
        "multi_az": cluster.get("MultiAZ"),  # "Enabled" / "Disabled"
        "encrypted": cluster.get("Encrypted"),
        "publicly_accessible": cluster.get("PubliclyAccessible"),
        "endpoint": (cluster.get("Endpoint") or {}).get("Address"),
        # RA3: the managed storage the nodes can address (a quota, not what is stored).
        "storage_capacity_mb": capacity or None,
    }
    return Resource(
        kind=KIND,
        id=ident,
        account_id=ctx.account_id,
        arn=ctx.arn("redshift", f"cluster:{ident}"),
        name=tags.get("Name", "") or ident,
        region=ctx.region,
        state=str(cluster.get("ClusterStatus", "")),
        created=ts(cluster.get("ClusterCreateTime")),
        tags=tags,
        details=known(details),
    )


def _managed_storage(node_type: str, region: str, cat: Catalogue) -> str:
    """What RA3 nodes add on top: managed storage, billed on what is stored (not in the API)."""
    if not node_type.startswith("ra3."):
        return ""
    price = cat.service_price("redshift_managed_storage_gb_month", region)
    at = f" at ${unit(price)}/GB-mo" if price is not None else ""
    return f"+ managed storage{at}, usage-dependent"


def estimate_redshift_cluster(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    """Nodes x node-hour x 730 h while running; a paused cluster pays its storage only."""
    d = r.details
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    node_type = str(d.get("node_type") or "")
    storage = _managed_storage(node_type, r.region, cat)
    if (r.state or "").lower() == PAUSED:
        kept = storage or "+ backups beyond the free allowance, usage-dependent"
        return 0.0, f"paused: no node charge; {kept}"
    hourly = cat.service_price("redshift_node_hourly", r.region, node_type)
    if hourly is None:
        return None, f"no catalogue price for {node_type or 'unknown node type'} nodes in {r.region}"
    nodes = number(d.get("number_of_nodes"))
    if nodes is None:
        return None, f"{node_type}: node count unknown"
    monthly, basis = hourly_basis(
        f"{node_type} {r.region} (catalogue {cat.as_of})", hourly, cat.hours_per_month, int(nodes)
    )
    return monthly, f"{basis} {storage}" if storage else basis


#: ``idle-redshift``: the highest daily CPU maximum (the cluster's, leader and compute nodes
#: together) under this (percent), with no connection at all.  A cluster nobody queries
#: still runs its own housekeeping (vacuum, analyze, backups), so its CPU is low, not zero.
IDLE_REDSHIFT_CPU = Knob(
    "idle_redshift_cpu_max_percent", 5.0, "idle-redshift: the highest daily CPU maximum is under this (%)", 0.0, 100.0
)


def _judge_redshift(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    connections = values["connections_max"]
    peak_connections = max(connections)
    peak_cpu = max(values["cpu_max"])
    quiet = peak_connections <= 0
    low = peak_cpu < limits[IDLE_REDSHIFT_CPU]
    return Verdict(
        quiet and low,
        f"DatabaseConnections over {limits[IDLE_DAYS]:g} days ({days_text(connections)}): highest daily maximum "
        f"{count(peak_connections)} ({'no connection' if quiet else 'more than 0'}); "
        f"CPUUtilization highest daily maximum {percent(peak_cpu)} "
        f"({'under' if low else 'not under'} {percent(limits[IDLE_REDSHIFT_CPU])})",
    )


def _paused_cost(r: Resource) -> float | None:
    """What the row costs paused: no node charge (its storage is usage-dependent, not in the row's cost)."""
    cost, _ = estimate_redshift_cluster(dataclasses.replace(r, state=PAUSED), load_catalogue(), None)
    return cost


def _node_saving(r: Resource) -> float | None:
    """The node charge: the row's cost less what it costs paused (worked out again from the row)."""
    paused = _paused_cost(r)
    if r.monthly_cost is None or paused is None:
        return None
    return cents(r.monthly_cost - paused)


def _node_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return unknown_saving(r, "node charge")
    return (
        f"pausing it saves its node charge, {format_cost(saving)}/mo ({r.cost_basis}); paused, it still bills "
        "its storage (usage-dependent), and resuming brings the nodes back"
    )


IDLE_REDSHIFT = MetricRule(
    id="idle-redshift",
    label="idle Redshift cluster (no connections)",
    applies=lambda r: (r.state or "").lower() == "available",
    queries=(
        MetricQuery("connections_max", "AWS/Redshift", "DatabaseConnections", "Maximum", "ClusterIdentifier"),
        # Published per node (ClusterIdentifier, NodeID) and for the cluster (ClusterIdentifier
        # alone): the cluster's series is the one asked for.
        MetricQuery("cpu_max", "AWS/Redshift", "CPUUtilization", "Maximum", "ClusterIdentifier"),
    ),
    judge=_judge_redshift,
    knobs=(IDLE_REDSHIFT_CPU,),
    saving=_node_saving,
    saving_basis=_node_basis,
    # The kind's verbs map "stop" to its pause action.
    action="pause",
)

#: ``z``: PauseCluster and ResumeCluster take one cluster: a pair of schedules per row.
SCHEDULABLE = Schedulable(
    short="redshift",
    service="redshift",
    stop="pauseCluster",
    start="resumeCluster",
    field="ClusterIdentifier",
    many=False,
    iam_actions=("redshift:PauseCluster", "redshift:ResumeCluster"),
    running_state="available",
    stopped_state=PAUSED,
    states=frozenset({"available", PAUSED, "pausing", "resuming"}),
    arn_resource="cluster",
)
NO_OFF_HOURS = no_off_hours(SCHEDULABLE, estimate_redshift_cluster)(Thresholds())

SPEC = KindSpec(
    id=KIND,
    console=console_page("redshiftv2/home?region={region}#cluster-details?cluster={id}"),
    aliases=("warehouse",),
    label="rshft",
    title="Redshift clusters",
    service="redshift",
    scope="regional",
    lister=list_redshift_clusters,
    iam_actions=("redshift:DescribeClusters",),
    estimator=estimate_redshift_cluster,
    rules=(NO_OFF_HOURS,),
    verbs={"stop": "pause", "start": "resume", "schedule": "schedule"},
    billed_as="Amazon Redshift",
    not_found_codes=frozenset({"ClusterNotFound", "ClusterNotFoundFault"}),
    metric_rules=(IDLE_REDSHIFT,),
    # A paused cluster keeps its data (its storage still bills, outside the saving).
    in_place={IDLE_REDSHIFT.id: InPlace("pause"), NO_OFF_HOURS.id: InPlace("schedule")},
    off_hours=SCHEDULABLE,
)
