"""ElastiCache clusters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, known, tag_dict, ts
from tracker_tui.aws.kinds.console import q
from tracker_tui.model import Resource
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
from tracker_tui.pricing.catalogue import Catalogue

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
    rules=(),
    verbs={},
    billed_as="Amazon ElastiCache",
)
