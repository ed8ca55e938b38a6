"""RDS manual snapshots (aws/kinds/rds_snapshot.py): DB and cluster snapshots, manual only, against
moto; following the marker of both calls (Stubber: moto does not page them); and their prices
at the backup rate, with their bases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.stubs import Stubs, collect
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.rds_snapshot import list_rds_snapshots
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"
RDS_SNAPSHOT = "rds:snapshot"
CREATED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


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
