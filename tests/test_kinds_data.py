"""The data family's kinds: RDS manual snapshots, DynamoDB tables, Redshift clusters, EFS file systems.

Listers run against moto (real fields, states, tags) and page past page 1: through moto where
it pages with the page-size parameter (ListTables, DescribeFileSystems), through botocore's
Stubber where it does not (DescribeDBSnapshots, DescribeDBClusterSnapshots, DescribeClusters).
Prices are checked to the cent against the shipped catalogue, with their bases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests import helpers
from tests.helpers import named, record_calls
from tests.test_paging_stubbed import Stubs, collect
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.rds_snapshot import list_rds_snapshots
from tracker_tui.aws.kinds.redshift import list_redshift_clusters
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"
RDS_SNAPSHOT = "rds:snapshot"
TABLE = "dynamodb:table"
REDSHIFT = "redshift:cluster"
EFS = "efs:file-system"
CREATED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
GIB = 2**30


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


def row(kind: str, region: str = "us-east-1", state: str = "available", **details: Any) -> Resource:
    return Resource(kind=kind, id="x", region=region, account_id=ACCOUNT, state=state, details=details)


# --- RDS snapshots ---------------------------------------------------------------------------


def _db(rds: Any, ident: str, storage: int = 20, engine: str = "postgres") -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=ident,
        Engine=engine,
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=storage,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )


def test_rds_snapshots_list_manual_db_and_cluster_snapshots_only() -> None:
    with mock_aws():
        rds = boto3.client("rds", region_name="eu-west-1")
        _db(rds, "orders", storage=200)
        rds.create_db_snapshot(
            DBInstanceIdentifier="orders",
            DBSnapshotIdentifier="orders-pre-upgrade",
            Tags=[{"Key": "Name", "Value": "before 16.4"}, {"Key": "env", "Value": "prod"}],
        )
        # A snapshot whose database has since been deleted.
        _db(rds, "crm", storage=50, engine="mysql")
        rds.delete_db_instance(DBInstanceIdentifier="crm", FinalDBSnapshotIdentifier="crm-final")
        rds.create_db_cluster(
            DBClusterIdentifier="analytics",
            Engine="aurora-postgresql",
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
        )
        rds.create_db_cluster_snapshot(DBClusterIdentifier="analytics", DBClusterSnapshotIdentifier="analytics-q3")
        # moto keeps an automated snapshot of the cluster: RDS deletes those itself, so they are not listed.
        automated = rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"]
        made = rds.describe_db_snapshots(DBSnapshotIdentifier="orders-pre-upgrade")["DBSnapshots"][0]

        resources, _ = helpers.scan([RDS_SNAPSHOT], ["us-east-1", "eu-west-1"])

    assert automated, "moto no longer makes an automated cluster snapshot: the exclusion is untested"
    found = {r.id: r for r in resources}
    assert set(found) == {"orders-pre-upgrade", "crm-final", "analytics-q3"}
    orders, crm, cluster = found["orders-pre-upgrade"], found["crm-final"], found["analytics-q3"]
    assert all(r.kind == RDS_SNAPSHOT and r.region == "eu-west-1" and r.account_id == ACCOUNT for r in resources)
    assert orders.arn == f"arn:aws:rds:eu-west-1:{ACCOUNT}:snapshot:orders-pre-upgrade"
    assert cluster.arn == f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster-snapshot:analytics-q3"
    assert (orders.state, orders.name, orders.tags) == (
        "available",
        "before 16.4",
        {"Name": "before 16.4", "env": "prod"},
    )
    assert orders.created == iso_utc(made["SnapshotCreateTime"])
    assert {k: orders.details[k] for k in ("snapshot_of", "source_id", "engine", "allocated_storage_gib")} == {
        "snapshot_of": "db-instance",
        "source_id": "orders",
        "engine": "postgres",
        "allocated_storage_gib": 200,
    }
    assert orders.details["encrypted"] is False
    assert (crm.details["source_id"], crm.details["engine"], crm.details["allocated_storage_gib"]) == (
        "crm",
        "mysql",
        50,
    )
    assert crm.name == "crm-final"
    assert (cluster.details["snapshot_of"], cluster.details["source_id"]) == ("cluster", "analytics")
    assert cluster.details["engine"] == "aurora-postgresql"


def _db_snapshot(ident: str, size: int, status: str = "available") -> dict[str, Any]:
    return {
        "DBSnapshotIdentifier": ident,
        "DBInstanceIdentifier": ident.rsplit("-", 1)[0],
        "SnapshotCreateTime": CREATED,
        "Engine": "postgres",
        "AllocatedStorage": size,
        "Status": status,
        "SnapshotType": "manual",
        "Encrypted": True,
        "DBSnapshotArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:{ident}",
        "TagList": [{"Key": "team", "Value": "data"}],
    }


def _cluster_snapshot(ident: str, size: int) -> dict[str, Any]:
    return {
        "DBClusterSnapshotIdentifier": ident,
        "DBClusterIdentifier": "analytics",
        "SnapshotCreateTime": CREATED,
        "Engine": "aurora-mysql",
        "AllocatedStorage": size,
        "Status": "available",
        "SnapshotType": "manual",
        "StorageEncrypted": True,
        "DBClusterSnapshotArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:{ident}",
        "TagList": [],
    }


def test_rds_snapshots_follow_the_marker_of_both_calls(stubs: Stubs) -> None:
    rds = stubs("rds")
    manual = {"SnapshotType": "manual", "MaxRecords": 20}
    rds.add_response(
        "describe_db_snapshots",
        {"DBSnapshots": [_db_snapshot("orders-1", 100), _db_snapshot("orders-2", 100)], "Marker": "db-page-2"},
        manual,
    )
    rds.add_response(
        "describe_db_snapshots",
        {"DBSnapshots": [_db_snapshot("billing-1", 30, "creating")]},
        {**manual, "Marker": "db-page-2"},
    )
    rds.add_response(
        "describe_db_cluster_snapshots",
        {"DBClusterSnapshots": [_cluster_snapshot("analytics-1", 10)], "Marker": "c-2"},
        manual,
    )
    rds.add_response(
        "describe_db_cluster_snapshots",
        {"DBClusterSnapshots": [_cluster_snapshot("analytics-2", 12)]},
        {**manual, "Marker": "c-2"},
    )

    found = collect(list_rds_snapshots(stubs.context("us-east-1", ["us-east-1"], page_size=20)))

    stubs.assert_no_pending_responses()
    assert {
        ident: (r.state, r.details["snapshot_of"], r.details["allocated_storage_gib"]) for ident, r in found.items()
    } == {
        "orders-1": ("available", "db-instance", 100),
        "orders-2": ("available", "db-instance", 100),
        "billing-1": ("creating", "db-instance", 30),
        "analytics-1": ("available", "cluster", 10),
        "analytics-2": ("available", "cluster", 12),
    }
    assert found["orders-1"].tags == {"team": "data"}
    assert found["orders-1"].created == "2025-06-01T08:00:00Z"


def test_rds_snapshot_prices_allocated_gib_at_the_backup_rate() -> None:
    cost, basis = estimate(row(RDS_SNAPSHOT, snapshot_of="db-instance", engine="postgres", allocated_storage_gib=400))
    assert cost == 38.0  # 400 x $0.095
    assert basis.startswith("RDS backup storage us-east-1, 400 GiB allocated x $0.095/GB-mo = $38.00; ")
    assert "upper bound" in basis and "free" in basis and "its DB is gone" in basis

    cost, basis = estimate(row(RDS_SNAPSHOT, snapshot_of="cluster", engine="aurora-mysql", allocated_storage_gib=250))
    assert cost == 5.25  # 250 x $0.021
    assert basis.startswith("Aurora backup storage us-east-1, 250 GiB allocated x $0.021/GB-mo = $5.25; ")
    assert "its cluster is gone" in basis

    # Each region's own rate: eu-central-1 $0.103.
    cost, _ = estimate(
        row(RDS_SNAPSHOT, "eu-central-1", snapshot_of="db-instance", engine="mysql", allocated_storage_gib=100)
    )
    assert cost == 10.3


def test_rds_snapshot_without_a_size_or_region_price_is_unknown_with_the_reason() -> None:
    assert estimate(row(RDS_SNAPSHOT, snapshot_of="db-instance", engine="postgres")) == (
        None,
        "RDS backup storage: allocated size unknown",
    )
    assert estimate(row(RDS_SNAPSHOT, "xx-nowhere-1", allocated_storage_gib=5)) == (
        None,
        "no catalogue prices for region xx-nowhere-1",
    )


# --- DynamoDB -----------------------------------------------------------------------------------


def _table(ddb: Any, name: str, **extra: Any) -> None:
    params: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    params.update(extra)
    ddb.create_table(**params)


def test_dynamodb_tables_fields_capacity_indexes_and_tags() -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-west-2")
        _table(
            ddb,
            "orders",
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 50},
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "customer", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-customer",
                    "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 20, "WriteCapacityUnits": 10},
                }
            ],
            DeletionProtectionEnabled=True,
            Tags=[{"Key": "Name", "Value": "orders-table"}, {"Key": "env", "Value": "prod"}],
        )
        _table(ddb, "events")
        ddb.put_item(TableName="events", Item={"pk": {"S": "e-1"}})
        created = ddb.describe_table(TableName="orders")["Table"]["CreationDateTime"]

        resources, _ = helpers.scan([TABLE], ["us-west-2"])

    found = {r.id: r for r in resources}
    assert set(found) == {"orders", "events"}
    orders, events = found["orders"], found["events"]
    assert orders.arn == f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/orders"
    assert (orders.state, orders.name, orders.region) == ("ACTIVE", "orders-table", "us-west-2")
    assert orders.tags == {"Name": "orders-table", "env": "prod"}
    assert orders.created == iso_utc(created)
    assert {
        k: orders.details[k]
        for k in (
            "billing_mode",
            "read_capacity_units",
            "write_capacity_units",
            "gsi_count",
            "gsi_read_capacity_units",
            "gsi_write_capacity_units",
            "table_class",
            "deletion_protection",
        )
    } == {
        "billing_mode": "PROVISIONED",
        "read_capacity_units": 100,
        "write_capacity_units": 50,
        "gsi_count": 1,
        "gsi_read_capacity_units": 20,
        "gsi_write_capacity_units": 10,
        "table_class": "STANDARD",
        "deletion_protection": True,
    }
    assert events.details["billing_mode"] == "PAY_PER_REQUEST"
    assert "read_capacity_units" not in events.details  # on-demand: no provisioned capacity
    assert events.details["item_count"] == 1
    assert events.details["deletion_protection"] is False
    assert events.tags == {} and events.name == "events"
    # Priced as scanned: 120 RCU and 60 WCU with the index.
    assert orders.monthly_cost == 39.86


def test_dynamodb_list_tables_pages_past_the_first_page() -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        names = [f"table-{i}" for i in range(5)]
        for name in names:
            _table(ddb, name)
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan([TABLE], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "dynamodb.ListTables")
    assert [p.get("ExclusiveStartTableName") for p in pages] == [None, "table-1", "table-3"]
    assert all(p["Limit"] == 2 for p in pages)
    assert len(named(calls, "dynamodb.DescribeTable")) == 5
    assert len(named(calls, "dynamodb.ListTagsOfResource")) == 5


def test_dynamodb_provisioned_price_counts_index_capacity_and_storage() -> None:
    table = row(
        TABLE,
        state="ACTIVE",
        billing_mode="PROVISIONED",
        read_capacity_units=100,
        write_capacity_units=50,
        gsi_count=1,
        gsi_read_capacity_units=20,
        gsi_write_capacity_units=10,
        size_bytes=40 * GIB,
    )
    cost, basis = estimate(table)
    # (120 x $0.00013 + 60 x $0.00065) x 730 = $39.858 -> $39.86; 40 GB x $0.25 = $10.00.
    assert cost == 49.86
    assert basis == (
        "provisioned us-east-1: (120 RCU x $0.00013/h + 60 WCU x $0.00065/h) x 730 h = $39.86 "
        "(20 RCU and 10 WCU of it on 1 index); + storage 40 GB x $0.25/GB-mo = $10.00; total $49.86"
    )


def test_dynamodb_on_demand_price_is_storage_plus_usage_dependent_requests() -> None:
    cost, basis = estimate(row(TABLE, state="ACTIVE", billing_mode="PAY_PER_REQUEST", size_bytes=int(2.5 * GIB)))
    assert cost == 0.63  # 2.5 GB x $0.25 = $0.625, half up
    assert basis == "on-demand: storage 2.5 GB x $0.25/GB-mo = $0.63 + requests, usage-dependent"


def test_dynamodb_without_a_catalogue_price_is_unknown_with_the_reason() -> None:
    eu = row(TABLE, "eu-west-1", state="ACTIVE", billing_mode="PROVISIONED", read_capacity_units=5, size_bytes=0)
    assert estimate(eu) == (None, "no catalogue price for DynamoDB in eu-west-1")
    ia = row(
        TABLE, state="ACTIVE", billing_mode="PAY_PER_REQUEST", size_bytes=0, table_class="STANDARD_INFREQUENT_ACCESS"
    )
    assert estimate(ia) == (None, "no catalogue price for the STANDARD_INFREQUENT_ACCESS table class in us-east-1")
    assert estimate(row(TABLE, state="ACTIVE", billing_mode="PROVISIONED")) == (None, "DynamoDB: table size unknown")


# --- Redshift ------------------------------------------------------------------------------------


def test_redshift_clusters_fields_state_and_tags() -> None:
    with mock_aws():
        rs = boto3.client("redshift", region_name="us-east-1")
        rs.create_cluster(
            ClusterIdentifier="warehouse",
            NodeType="ra3.xlplus",
            NumberOfNodes=2,
            ClusterType="multi-node",
            DBName="analytics",
            MasterUsername="admin",
            MasterUserPassword="NotASecret1",
            Encrypted=True,
            Tags=[{"Key": "env", "Value": "prod"}],
        )
        rs.create_cluster(
            ClusterIdentifier="adhoc",
            NodeType="dc2.large",
            ClusterType="single-node",
            MasterUsername="admin",
            MasterUserPassword="NotASecret1",
        )
        rs.pause_cluster(ClusterIdentifier="adhoc")
        created = rs.describe_clusters(ClusterIdentifier="warehouse")["Clusters"][0]["ClusterCreateTime"]

        resources, _ = helpers.scan([REDSHIFT])

    found = {r.id: r for r in resources}
    warehouse, adhoc = found["warehouse"], found["adhoc"]
    assert warehouse.arn == f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:warehouse"
    assert (warehouse.state, adhoc.state) == ("available", "paused")
    assert warehouse.tags == {"env": "prod"}
    assert warehouse.created == iso_utc(created)
    assert {k: warehouse.details[k] for k in ("node_type", "number_of_nodes", "db_name", "encrypted")} == {
        "node_type": "ra3.xlplus",
        "number_of_nodes": 2,
        "db_name": "analytics",
        "encrypted": True,
    }
    assert warehouse.details["availability_zone"].startswith("us-east-1")
    assert (adhoc.details["node_type"], adhoc.details["number_of_nodes"]) == ("dc2.large", 1)
    assert (warehouse.monthly_cost, adhoc.monthly_cost) == (1585.56, 0.0)


def _cluster(ident: str, status: str = "available") -> dict[str, Any]:
    return {
        "ClusterIdentifier": ident,
        "NodeType": "ra3.xlplus",
        "ClusterStatus": status,
        "NumberOfNodes": 2,
        "DBName": "dev",
        "ClusterCreateTime": CREATED,
        "AvailabilityZone": "us-east-1b",
        "Encrypted": True,
        "Tags": [{"Key": "team", "Value": ident}],
    }


def test_redshift_describe_clusters_follows_the_marker(stubs: Stubs) -> None:
    rs = stubs("redshift")
    rs.add_response(
        "describe_clusters", {"Clusters": [_cluster("a"), _cluster("b")], "Marker": "next"}, {"MaxRecords": 20}
    )
    rs.add_response("describe_clusters", {"Clusters": [_cluster("c", "paused")]}, {"MaxRecords": 20, "Marker": "next"})

    found = collect(list_redshift_clusters(stubs.context("us-east-1", ["us-east-1"], page_size=20)))

    stubs.assert_no_pending_responses()
    assert {ident: (r.state, r.tags["team"]) for ident, r in found.items()} == {
        "a": ("available", "a"),
        "b": ("available", "b"),
        "c": ("paused", "c"),
    }


def test_redshift_price_is_nodes_times_the_node_hour_and_paused_pays_no_nodes() -> None:
    running = row(REDSHIFT, node_type="ra3.xlplus", number_of_nodes=2)
    assert estimate(running) == (
        1585.56,
        "ra3.xlplus us-east-1 (catalogue 2026-10-15), 2 x $1.0860/h x 730 h = $1,585.56 "
        "+ managed storage at $0.024/GB-mo, usage-dependent",
    )
    dc2 = row(REDSHIFT, node_type="dc2.large", number_of_nodes=3)
    assert estimate(dc2) == (547.5, "dc2.large us-east-1 (catalogue 2026-10-15), 3 x $0.2500/h x 730 h = $547.50")
    paused = row(REDSHIFT, state="paused", node_type="ra3.xlplus", number_of_nodes=2)
    assert estimate(paused) == (0.0, "paused: no node charge; + managed storage at $0.024/GB-mo, usage-dependent")
    # Paused needs no node price: a region without one still prices it.
    assert estimate(row(REDSHIFT, "eu-west-1", state="paused", node_type="dc2.large", number_of_nodes=1))[0] == 0.0


def test_redshift_without_a_node_price_is_unknown_with_the_reason() -> None:
    assert estimate(row(REDSHIFT, "eu-west-1", node_type="ra3.xlplus", number_of_nodes=2)) == (
        None,
        "no catalogue price for ra3.xlplus nodes in eu-west-1",
    )
    assert estimate(row(REDSHIFT, node_type="ra3.xlplus")) == (None, "ra3.xlplus: node count unknown")


# --- EFS -----------------------------------------------------------------------------------------


def test_efs_file_systems_fields_and_paging_past_the_first_page() -> None:
    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1")
        first = efs.create_file_system(
            CreationToken="home",
            ThroughputMode="provisioned",
            ProvisionedThroughputInMibps=64,
            Encrypted=True,
            Tags=[{"Key": "Name", "Value": "shared-home"}, {"Key": "env", "Value": "prod"}],
        )["FileSystemId"]
        subnet = boto3.client("ec2", region_name="us-east-1").describe_subnets()["Subnets"][0]["SubnetId"]
        efs.create_mount_target(FileSystemId=first, SubnetId=subnet)
        others = [efs.create_file_system(CreationToken=f"fs-{i}")["FileSystemId"] for i in range(4)]
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan([EFS], session=session, page_size=2)

    found = {r.id: r for r in resources}
    assert set(found) == {first, *others}
    pages = named(calls, "efs.DescribeFileSystems")
    assert len(pages) == 3 and all(p["MaxItems"] == 2 for p in pages)
    assert [bool(p.get("Marker")) for p in pages] == [False, True, True]
    home = found[first]
    assert home.arn == f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/{first}"
    assert (home.name, home.state, home.tags) == ("shared-home", "available", {"Name": "shared-home", "env": "prod"})
    assert {
        k: home.details[k] for k in ("throughput_mode", "provisioned_throughput_mibps", "mount_targets", "encrypted")
    } == {
        "throughput_mode": "provisioned",
        "provisioned_throughput_mibps": 64.0,
        "mount_targets": 1,
        "encrypted": True,
    }
    assert home.details["size_bytes"] == 0 and home.details["performance_mode"] == "generalPurpose"
    assert found[others[0]].details["throughput_mode"] == "bursting"


def test_efs_prices_standard_and_names_what_it_cannot_price() -> None:
    fs = row(
        EFS, size_bytes=160 * GIB, size_standard_bytes=100 * GIB, size_ia_bytes=50 * GIB, size_archive_bytes=10 * GIB
    )
    cost, basis = estimate(fs)
    assert cost == 30.0  # 100 GB x $0.30
    assert basis == (
        "EFS Standard us-east-1, 100 GB x $0.30/GB-mo = $30.00; "
        "+ Infrequent Access 50 GB and Archive 10 GB: no catalogue price, not included"
    )
    provisioned = row(EFS, size_bytes=int(12.5 * GIB), throughput_mode="provisioned", provisioned_throughput_mibps=64.0)
    assert estimate(provisioned) == (
        3.75,
        "EFS Standard us-east-1, 12.5 GB x $0.30/GB-mo = $3.75; + provisioned throughput 64 MiB/s, not priced",
    )
    elastic = row(EFS, size_bytes=GIB, throughput_mode="elastic")
    assert estimate(elastic)[1].endswith("; + elastic throughput reads and writes, usage-dependent")


def test_efs_unknown_prices_say_why() -> None:
    assert estimate(row(EFS, "eu-west-1", size_bytes=GIB)) == (None, "no catalogue price for EFS in eu-west-1")
    one_zone = row(EFS, size_bytes=GIB, availability_zone="us-east-1a")
    assert estimate(one_zone) == (None, "no catalogue price for EFS One Zone storage in us-east-1")
    assert estimate(row(EFS)) == (None, "EFS: metered size unknown")
