"""ElastiCache clusters (aws/kinds/elasticache.py) against moto: fields, tags, paging; and their
prices worked by hand from the shipped catalogue."""

from __future__ import annotations

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.prices import CAT, cost, res
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.filtering import parse_filter
from tracker_tui.findings import with_findings
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"


def assert_owned(resource: Resource, kind: str, region: str, arn: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT
    assert resource.arn == arn


# --- against moto ---------------------------------------------------------------------------------


def test_cache_clusters_fields_and_tags() -> None:
    with mock_aws():
        cache = boto3.client("elasticache", region_name="us-east-1")
        cache.create_cache_cluster(
            CacheClusterId="sessions",
            Engine="redis",
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
            Tags=[{"Key": "team", "Value": "web"}],
        )
        cache.create_cache_cluster(
            CacheClusterId="pages", Engine="memcached", CacheNodeType="cache.m5.large", NumCacheNodes=3
        )
        created = {
            c["CacheClusterId"]: c["CacheClusterCreateTime"]
            for c in cache.describe_cache_clusters()["CacheClusters"]
        }

        resources, _ = helpers.scan(["elasticache:cluster"])

    found = {r.id: r for r in resources}
    assert set(found) == {"sessions", "pages"}
    sessions, pages = found["sessions"], found["pages"]
    assert_owned(
        sessions, "elasticache:cluster", "us-east-1", f"arn:aws:elasticache:us-east-1:{ACCOUNT}:cluster:sessions"
    )
    assert_owned(pages, "elasticache:cluster", "us-east-1", f"arn:aws:elasticache:us-east-1:{ACCOUNT}:cluster:pages")
    assert sessions.details["engine"] == "redis"
    assert sessions.details["node_type"] == "cache.t3.micro"
    assert sessions.details["num_nodes"] == 1
    assert pages.details["engine"] == "memcached"
    assert pages.details["node_type"] == "cache.m5.large"
    assert pages.details["num_nodes"] == 3
    assert sessions.tags == {"team": "web"}
    assert pages.tags == {}
    assert sessions.state == "available"
    assert sessions.created == iso_utc(created["sessions"])


def test_cache_clusters_paginate_past_the_first_page() -> None:
    with mock_aws():
        cache = boto3.client("elasticache", region_name="us-east-1")
        names = [f"cache-{i}" for i in range(5)]
        for name in names:
            cache.create_cache_cluster(
                CacheClusterId=name, Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1
            )
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["elasticache:cluster"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "elasticache.DescribeCacheClusters")
    # Real ElastiCache wants MaxRecords >= 20 (not in the botocore model); moto accepts 2.
    assert len(pages) == 3  # 2 + 2 + 1
    assert all(params["MaxRecords"] == 2 and params["ShowCacheNodeInfo"] is True for params in pages)
    # Tags are read per cluster.
    assert len(named(calls, "elasticache.ListTagsForResource")) == 5


# --- prices ---------------------------------------------------------------------------------------


def test_elasticache_node_type_times_nodes() -> None:
    r = res("elasticache:cluster", state="available", engine="memcached", node_type="cache.m5.large", num_nodes=3)
    assert estimate(r) == (
        341.64,
        f"cache.m5.large memcached us-east-1 ({CAT}), 3 x $0.1560/h x 730 h = $341.64",
    )
    one = res("elasticache:cluster", state="available", engine="redis", node_type="cache.t3.medium", num_nodes=1)
    assert estimate(one) == (49.64, f"cache.t3.medium redis us-east-1 ({CAT}), $0.0680/h x 730 h = $49.64")


def test_elasticache_valkey_and_what_the_catalogue_does_not_have() -> None:
    valkey = res("elasticache:cluster", state="available", engine="valkey", node_type="cache.t3.medium", num_nodes=1)
    assert cost(valkey) == 39.71  # 0.068 x 0.8 = 0.0544 x 730
    unknown = res("elasticache:cluster", state="available", engine="redis", node_type="cache.x9.huge", num_nodes=2)
    assert estimate(unknown) == (
        None,
        "no catalogue price for cache.x9.huge redis in us-east-1; `tracker-tui prices update` fetches it",
    )
    eu = res("elasticache:cluster", "eu-west-1", "available", engine="redis", node_type="cache.t3.medium", num_nodes=1)
    assert cost(eu) is None  # the catalogue has us-east-1 nodes only; nothing is derived


# --- findings -------------------------------------------------------------------------------------


def cache(node_type: str, nodes: int = 1, engine: str = "redis", region: str = "us-east-1", **extra: str) -> Resource:
    return res("elasticache:cluster", region, extra.pop("state", "available"), engine=engine, node_type=node_type,
               num_nodes=nodes, **extra)  # fmt: skip


def test_a_graviton_node_type_that_costs_less_saves_the_difference_for_every_node() -> None:
    """``elasticache-graviton-migration``: cache.m5.large $0.156/h a node; cache.m6g.large $0.149/h,
    cache.m7g.large $0.158/h."""
    rows = with_findings(price_resources([
        cache("cache.m5.large", 3, "memcached"),                   # $341.64; on m6g $326.31, on m7g $346.02
        cache("cache.t3.medium", replication_group_id="sessions"),  # $49.64; on t4g $47.45
        cache("cache.r5.large", 2, "valkey", "us-west-2"),         # valkey 0.8 x: $252.29; on r6g $240.61
        cache("cache.r6g.large"),                                  # Graviton already
        cache("cache.m5.4xlarge"),                                 # no priced twin of that size
        cache("cache.m5.large", state="modifying"),                # only while available
        cache("cache.m5.large", region="eu-west-1"),               # not priced: nothing to compare
    ]))  # fmt: skip
    found = [[f for f in r.findings if f.id == "elasticache-graviton-migration"] for r in rows]
    (memcached,), (redis,), (valkey,) = found[:3]
    assert (memcached.monthly_saving, memcached.confidence, memcached.action) == (15.33, "low", None)
    assert memcached.evidence == (
        "3 cache.m5.large nodes (memcached) cost $341.64/mo; on cache.m6g.large (Graviton, arm64; same size): "
        "$326.31/mo in us-east-1 (catalogue); on cache.m7g.large: $346.02/mo; Memcached cannot change node type "
        "in place: the move is a new cluster (its cache starts cold)"
    )
    assert redis.monthly_saving == 2.19
    assert redis.evidence.endswith(
        "the engine version must support Graviton (Redis OSS 5.0.6 or later; Valkey all), and every node of "
        "replication group sessions changes with it"
    )
    assert valkey.monthly_saving == 11.68
    assert found[3:] == [[], [], [], []]
    shown = [i for i, r in enumerate(rows) if parse_filter("finding:elasticache-graviton-migration").matches(r)]
    assert shown == [0, 1, 2]
