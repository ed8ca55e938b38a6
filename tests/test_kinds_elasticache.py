"""ElastiCache clusters (aws/kinds/elasticache.py) against moto: fields, tags, paging; and their
prices worked by hand from the shipped catalogue."""

from __future__ import annotations

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.prices import CAT, cost, res
from tracker_tui.aws.kinds import estimate
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
