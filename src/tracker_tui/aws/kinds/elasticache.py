"""ElastiCache clusters."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, Twins, known, tag_dict, ts, twin_rule
from tracker_tui.aws.kinds.console import q
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    unknown_saving,
)
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import (
    Estimate,
    PriceBook,
    PriceQuery,
    fetched,
    hourly_basis,
    number,
    price_source,
    unknown_region,
)
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

KIND = "elasticache:cluster"


def list_cache_clusters(ctx: CellContext) -> Iterator[list[Resource]]:
    cache = ctx.client("elasticache")
    for page in ctx.pages(cache, "describe_cache_clusters", ShowCacheNodeInfo=True):
        clusters = page.get("CacheClusters", [])
        tag_sets = ctx.fan_out(lambda c: _cache_tags(ctx, cache, c), clusters)
        batch = []
        for cluster, tags in zip(clusters, tag_sets, strict=True):
            ident = cluster["CacheClusterId"]
            details = {
                "engine": cluster.get("Engine"),
                "engine_version": cluster.get("EngineVersion"),
                "node_type": cluster.get("CacheNodeType"),
                "num_nodes": cluster.get("NumCacheNodes"),
                "replication_group_id": cluster.get("ReplicationGroupId"),
                "availability_zone": cluster.get("PreferredAvailabilityZone"),
            }
            batch.append(
                Resource(
                    kind=KIND,
                    id=ident,
                    account_id=ctx.account_id,
                    arn=cluster.get("ARN") or ctx.arn("elasticache", f"cluster:{ident}"),
                    name=tags.get("Name", "") or ident,
                    region=ctx.region,
                    state=cluster.get("CacheClusterStatus", ""),
                    created=ts(cluster.get("CacheClusterCreateTime")),
                    tags=tags,
                    details=known(details),
                )
            )
        yield batch


def _cache_tags(ctx: CellContext, client: Any, cluster: dict[str, Any]) -> dict[str, str]:
    arn = cluster.get("ARN")
    if not arn:
        return {}
    try:
        return tag_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList"))
    except ITEM_ERRORS as exc:  # listed without tags, noted on its row
        ctx.unreadable("tags", exc, cluster["CacheClusterId"])
        return {}


def price_query(node_type: str, engine: str, region: str) -> PriceQuery:
    """The GetProducts filters for one on-demand cache node type and engine in a region."""
    names = {"redis": "Redis", "memcached": "Memcached", "valkey": "Valkey"}
    cache_engine = names.get(engine.strip().lower(), engine)
    return PriceQuery(
        "AmazonElastiCache",
        (("instanceType", node_type), ("regionCode", region), ("cacheEngine", cache_engine)),
        "Hrs",
        f"{node_type} {engine} {region}",
    )


def estimate_cache_cluster(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    node_type = str(d.get("node_type") or "")
    engine = str(d.get("engine") or "redis")
    nodes = number(d.get("num_nodes"))
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    if (r.state or "").lower() == "deleted":
        return 0.0, "deleted: no charge"
    found = fetched(book, price_query(node_type, engine, r.region))
    hourly = found.usd if found is not None else cat.elasticache_hourly(node_type, engine, r.region)
    if hourly is None:
        return None, (
            f"no catalogue price for {node_type or 'unknown node type'} {engine} in {r.region}; "
            "`tracker-tui prices update` fetches it"
        )
    if nodes is None:
        return None, f"{node_type} {engine}: node count unknown"
    count = int(nodes)
    if count == 0:
        return 0.0, f"{node_type} {engine}: no nodes"
    what = f"{node_type} {engine} {r.region} ({price_source(found, cat)})"
    return hourly_basis(what, hourly, cat.hours_per_month, count)


#: x86 node types and their Graviton (arm64) twins of the same size.
GRAVITON_NODE_TWINS: dict[str, tuple[str, ...]] = {
    "cache.t3": ("cache.t4g",),
    "cache.m5": ("cache.m6g", "cache.m7g"),
    "cache.r5": ("cache.r6g", "cache.r7g"),
}


def _graviton_twin_costs(r: Resource) -> list[tuple[str, float]]:
    """The Graviton twins the catalogue prices for the row's engine and region, with what the
    cluster would cost on each (per node x nodes, as the row is priced), cheapest first."""
    family, _, size = str(r.details.get("node_type") or "").rpartition(".")
    if not size or r.monthly_cost is None:
        return []
    found = []
    for twin in GRAVITON_NODE_TWINS.get(family, ()):
        row = dataclasses.replace(r, details={**r.details, "node_type": f"{twin}.{size}"})
        cost, _ = estimate_cache_cluster(row, load_catalogue(), None)
        if cost is not None:
            found.append((f"{twin}.{size}", cost))
    return sorted(found, key=lambda twin: (twin[1], twin[0]))


def _graviton_evidence(r: Resource, twins: Twins) -> str:
    (twin, cost), others = twins[0], twins[1:]
    nodes = int(number(r.details.get("num_nodes")) or 0)
    also = "".join(f"; on {name}: {format_cost(other)}/mo" for name, other in others)
    if str(r.details.get("engine") or "").lower() == "memcached":
        how = "Memcached cannot change node type in place: the move is a new cluster (its cache starts cold)"
    else:
        how = "the engine version must support Graviton (Redis OSS 5.0.6 or later; Valkey all)"
        group = r.details.get("replication_group_id")
        if group:
            how += f", and every node of replication group {group} changes with it"
    these = f"{nodes} {r.details.get('node_type')} node{'s' if nodes != 1 else ''} ({r.details.get('engine')})"
    return (
        f"{these} cost{'s' if nodes == 1 else ''} {format_cost(r.monthly_cost)}/mo; on {twin} (Graviton, arm64; "
        f"same size): {format_cost(cost)}/mo in {r.region} (catalogue){also}; {how}"
    )


#: ``elasticache-graviton-migration``: an x86 node type whose Graviton twin of the same size costs less.
ELASTICACHE_GRAVITON_MIGRATION = twin_rule(
    id="elasticache-graviton-migration",
    label="cache nodes with a cheaper Graviton twin",
    billed=lambda r: (r.state or "").lower() == "available",
    twins=_graviton_twin_costs,
    describe=_graviton_evidence,
    # Low: the row is one cluster, but a Redis replication group changes all its nodes
    # together (and needs an engine version that runs on Graviton), and a Memcached cluster
    # cannot change node type at all: it is rebuilt, its cache cold.
    confidence="low",
)


#: ``idle-elasticache``: the highest daily CurrConnections at most this.  Not 0: CurrConnections
#: counts the connections ElastiCache itself holds to monitor a Valkey or Redis OSS node (4 to 6,
#: says AWS's metric reference), so a node no client uses reads 4 to 6, never 0.
IDLE_CACHE_CONNECTIONS = Knob(
    "idle_cache_connections",
    6.0,
    "idle-elasticache: the highest daily CurrConnections at most this (ElastiCache's own monitoring holds 4 to 6)",
    0.0,
    1e6,
)


def _idle_cache_applies(r: Resource) -> bool:
    """Available Valkey / Redis OSS clusters of their own.  Not Memcached: on top of the monitoring
    connections it counts internal ones, twice its thread count, which depends on the node type.
    Not a replication group's member: a replica no client connects to is its failover, not waste,
    and the group (several rows) is the unit; one row's metrics cannot tell."""
    engine = str(r.details.get("engine") or "").lower()
    return (
        (r.state or "").lower() == "available"
        and engine in ("redis", "valkey")
        and not r.details.get("replication_group_id")
    )


def _judge_cache_connections(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    daily = values["connections_max"]
    peak = max(daily)
    idle = peak <= limits[IDLE_CACHE_CONNECTIONS]
    return Verdict(
        idle,
        f"CurrConnections over {limits[IDLE_DAYS]:g} days ({days_text(daily)}): highest daily maximum {count(peak)} "
        f"({'at most' if idle else 'more than'} {count(limits[IDLE_CACHE_CONNECTIONS])}, "
        "counting ElastiCache's own monitoring connections)",
    )


def _cache_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return unknown_saving(r)
    return (
        f"deleting it saves its cost, {format_cost(saving)}/mo ({r.cost_basis}); the tool does not delete "
        "caches: take a final backup and delete it in the console or CLI"
    )


IDLE_ELASTICACHE = MetricRule(
    id="idle-elasticache",
    label="idle cache cluster (no client connections)",
    applies=_idle_cache_applies,
    # Published per node (CacheClusterId, CacheNodeId) and for the cluster (CacheClusterId
    # alone, across its nodes): the cluster's series is the one asked for.
    queries=(MetricQuery("connections_max", "AWS/ElastiCache", "CurrConnections", "Maximum", "CacheClusterId"),),
    judge=_judge_cache_connections,
    knobs=(IDLE_CACHE_CONNECTIONS,),
    saving=lambda r: r.monthly_cost,
    saving_basis=_cache_basis,
    action=None,
    # CurrConnections is sampled once a minute: a client that connects for seconds (a job, a
    # health check of another system) can fall between samples; and the bound is a judgement.
    confidence="medium",
)


def _console_page(r: Resource, base: str) -> str:
    engine = "memcached" if str(r.details.get("engine") or "").lower() == "memcached" else "redis"
    return f"{base}/elasticache/home?region={r.region}#/{engine}/{q(r.id)}"


SPEC = KindSpec(
    id=KIND,
    console=_console_page,
    aliases=("redis", "memcached"),
    label="cache",
    title="ElastiCache clusters",
    service="elasticache",
    scope="regional",
    lister=list_cache_clusters,
    iam_actions=("elasticache:DescribeCacheClusters", "elasticache:ListTagsForResource"),
    estimator=estimate_cache_cluster,
    rules=(ELASTICACHE_GRAVITON_MIGRATION,),
    verbs={},
    billed_as="Amazon ElastiCache",
    metric_rules=(IDLE_ELASTICACHE,),
)
