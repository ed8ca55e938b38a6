"""RDS DB instances and ElastiCache clusters against moto."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests import helpers
from tests.helpers import named, record_calls
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"


def assert_owned(resource: Resource, kind: str, region: str, arn: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT
    assert resource.arn == arn


def _db(rds: Any, ident: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "DBInstanceIdentifier": ident,
        "Engine": "postgres",
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "MasterUsername": "admin",
        "MasterUserPassword": "not-a-secret-1",
    }
    params.update(extra)
    return rds.create_db_instance(**params)["DBInstance"]


# --- RDS -------------------------------------------------------------------------------


def test_db_instances_fields_tags_and_stopped_state() -> None:
    with mock_aws():
        rds = boto3.client("rds", region_name="eu-west-1")
        _db(
            rds,
            "orders",
            DBInstanceClass="db.m5.large",
            AllocatedStorage=100,
            MultiAZ=True,
            DeletionProtection=True,
            Tags=[{"Key": "Name", "Value": "orders-db"}, {"Key": "env", "Value": "prod"}],
        )
        _db(rds, "reports", Engine="mysql")
        rds.stop_db_instance(DBInstanceIdentifier="reports")
        created = {
            d["DBInstanceIdentifier"]: d["InstanceCreateTime"] for d in rds.describe_db_instances()["DBInstances"]
        }

        resources, _ = helpers.scan(["rds:db-instance"], ["us-east-1", "eu-west-1"])

    found = {r.id: r for r in resources}
    assert set(found) == {"orders", "reports"}
    orders, reports = found["orders"], found["reports"]
    assert_owned(orders, "rds:db-instance", "eu-west-1", f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders")
    assert_owned(reports, "rds:db-instance", "eu-west-1", f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:reports")
    assert orders.state == "available"
    assert reports.state == "stopped"
    assert orders.details["engine"] == "postgres"
    assert reports.details["engine"] == "mysql"
    assert orders.details["instance_class"] == "db.m5.large"
    assert orders.details["multi_az"] is True
    assert reports.details["multi_az"] is False
    assert orders.details["allocated_storage_gib"] == 100
    assert orders.details["deletion_protection"] is True
    assert reports.details["deletion_protection"] is False
    assert orders.tags == {"Name": "orders-db", "env": "prod"}
    assert orders.name == "orders-db"
    assert reports.name == "reports"  # no Name tag: the identifier stands in
    assert orders.created == iso_utc(created["orders"])


def test_db_instances_paginate_past_the_first_page() -> None:
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        names = [f"db-{i}" for i in range(5)]
        for name in names:
            _db(rds, name)
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["rds:db-instance"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "rds.DescribeDBInstances")
    # Real RDS wants MaxRecords >= 20 (not in the botocore model); moto accepts 2.
    assert len(pages) == 3  # 2 + 2 + 1
    assert all(params["MaxRecords"] == 2 for params in pages)


# --- ElastiCache -----------------------------------------------------------------------


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
