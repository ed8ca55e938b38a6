"""The safety-rail cases of tracker_tui/aws/actions/rds_snapshot.py (see base.py for the
shape): deleting an RDS manual DB snapshot and an Aurora cluster snapshot."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, tag_list, where


def _rds() -> Any:
    return boto3.client("rds", region_name=where())


def make_db_snapshot(tags: Tags) -> str:
    rds = _rds()
    rds.create_db_instance(
        DBInstanceIdentifier="rails-snap-db",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )
    rds.create_db_snapshot(
        DBInstanceIdentifier="rails-snap-db", DBSnapshotIdentifier="rails-snapshot", Tags=tag_list(tags)
    )
    return "rails-snapshot"


def db_snapshot_state(ident: str) -> str:
    try:
        return str(_rds().describe_db_snapshots(DBSnapshotIdentifier=ident)["DBSnapshots"][0]["Status"])
    except ClientError:
        return GONE


def make_cluster_snapshot(tags: Tags) -> str:
    rds = _rds()
    rds.create_db_cluster(
        DBClusterIdentifier="rails-cluster",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier="rails-cluster", DBClusterSnapshotIdentifier="rails-cluster-snapshot", Tags=tag_list(tags)
    )
    return "rails-cluster-snapshot"


def cluster_snapshot_state(ident: str) -> str:
    try:
        found = _rds().describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=ident)["DBClusterSnapshots"]
    except ClientError:
        return GONE
    return str(found[0]["Status"])


CASES: dict[str, Case] = {
    "rds-snapshot-delete": Case(
        "rds:snapshot", "delete", make_db_snapshot, db_snapshot_state, "available", GONE, calls("DeleteDBSnapshot")
    ),
    "rds-cluster-snapshot-delete": Case(
        "rds:snapshot",
        "delete",
        make_cluster_snapshot,
        cluster_snapshot_state,
        "available",
        GONE,
        calls("DeleteDBClusterSnapshot"),
    ),
}
SERVICES: dict[str, str] = {"rds-snapshot-delete": "rds", "rds-cluster-snapshot-delete": "rds"}
DONE_MESSAGES: dict[str, str] = {"rds-snapshot-delete": "deleted", "rds-cluster-snapshot-delete": "deleted"}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "rds-snapshot-delete": ("rds", "DescribeDBSnapshots"),
    "rds-cluster-snapshot-delete": ("rds", "DescribeDBClusterSnapshots"),
}
STATE_REFUSALS: list[StateRefusal] = [
    ("rds-snapshot-delete", "DBSnapshots.0.Status", "creating",
     "state is creating; only an available snapshot can be deleted", False),
    ("rds-snapshot-delete", "DBSnapshots.0.Status", "deleting", "already being deleted", False),
    ("rds-snapshot-delete", "DBSnapshots.0.SnapshotType", "automated",
     "it is an automated snapshot; RDS deletes those with their retention period", False),
    ("rds-cluster-snapshot-delete", "DBClusterSnapshots.0.Status", "copying",
     "state is copying; only an available snapshot can be deleted", False),
]  # fmt: skip
