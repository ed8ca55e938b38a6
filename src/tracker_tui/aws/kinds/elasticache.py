"""ElastiCache clusters."""

from __future__ import annotations

from typing import Any, Iterator

import botocore.exceptions

from tracker_tui.aws.kinds.base import CellContext, KindSpec, tag_dict, ts
from tracker_tui.model import Resource


def list_cache_clusters(ctx: CellContext) -> Iterator[list[Resource]]:
    cache = ctx.client("elasticache")
    for page in ctx.pages(cache, "describe_cache_clusters", ShowCacheNodeInfo=True):
        clusters = page.get("CacheClusters", [])
        tag_sets = ctx.fan_out(lambda c: _cache_tags(cache, c), clusters)
        batch = []
        for cluster, tags in zip(clusters, tag_sets):
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
                    kind="elasticache:cluster",
                    id=ident,
                    account_id=ctx.account_id,
                    arn=cluster.get("ARN") or ctx.arn("elasticache", f"cluster:{ident}"),
                    name=tags.get("Name", "") or ident,
                    region=ctx.region,
                    state=cluster.get("CacheClusterStatus", ""),
                    created=ts(cluster.get("CacheClusterCreateTime")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


def _cache_tags(client: Any, cluster: dict[str, Any]) -> dict[str, str]:
    arn = cluster.get("ARN")
    if not arn:
        return {}
    try:
        return tag_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList"))
    except botocore.exceptions.ClientError:
        return {}


KINDS = [
    KindSpec("elasticache:cluster", "elasticache", "regional", list_cache_clusters, "ElastiCache clusters")
]
