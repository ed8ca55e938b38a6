"""The safety-rail cases of the data family's handlers (see tests/rails.py for the shape).

Filled by the family's own work; every rail in tests/test_safety_rails.py runs on them:
deleting an RDS manual DB snapshot and cluster snapshot, deleting a DynamoDB table (its
on-demand backup first, as by default), pausing and resuming a Redshift cluster.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.rails import GONE, Case, StateRefusal, Tags, calls, tag_list, where


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


def _dynamodb() -> Any:
    return boto3.client("dynamodb", region_name=where())


def make_table(tags: Tags) -> str:
    extra = {"Tags": tag_list(tags)} if tags else {}
    _dynamodb().create_table(
        TableName="rails-table",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
        **extra,
    )
    return "rails-table"


def table_state(ident: str) -> str:
    try:
        return str(_dynamodb().describe_table(TableName=ident)["Table"]["TableStatus"])
    except ClientError:
        return GONE


def _redshift() -> Any:
    return boto3.client("redshift", region_name=where())


def make_cluster(tags: Tags) -> str:
    _redshift().create_cluster(
        ClusterIdentifier="rails-warehouse",
        NodeType="ra3.xlplus",
        NumberOfNodes=2,
        ClusterType="multi-node",
        MasterUsername="admin",
        MasterUserPassword="NotASecret1",
        Tags=tag_list(tags),
    )
    return "rails-warehouse"


def make_paused_cluster(tags: Tags) -> str:
    ident = make_cluster(tags)
    _redshift().pause_cluster(ClusterIdentifier=ident)
    return ident


def cluster_state(ident: str) -> str:
    try:
        return str(_redshift().describe_clusters(ClusterIdentifier=ident)["Clusters"][0]["ClusterStatus"])
    except ClientError:
        return GONE


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
    # The on-demand backup is made (and audited) before the table is deleted.
    "dynamodb-delete": Case(
        "dynamodb:table",
        "delete",
        make_table,
        table_state,
        "ACTIVE",
        GONE,
        calls("CreateBackup") + calls("DeleteTable"),
    ),
    "redshift-pause": Case(
        "redshift:cluster", "stop", make_cluster, cluster_state, "available", "paused", calls("PauseCluster")
    ),
    "redshift-resume": Case(
        "redshift:cluster", "start", make_paused_cluster, cluster_state, "paused", "available", calls("ResumeCluster")
    ),
}
SERVICES: dict[str, str] = {
    "rds-snapshot-delete": "rds",
    "rds-cluster-snapshot-delete": "rds",
    "dynamodb-delete": "dynamodb",
    "redshift-pause": "redshift",
    "redshift-resume": "redshift",
}
DONE_MESSAGES: dict[str, str] = {
    "rds-snapshot-delete": "deleted",
    "rds-cluster-snapshot-delete": "deleted",
    "dynamodb-delete": "deleted; backup tracker-tui-final-rails-table-",
    "redshift-pause": "paused",
    "redshift-resume": "resumed",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "rds-snapshot-delete": ("rds", "DescribeDBSnapshots"),
    "rds-cluster-snapshot-delete": ("rds", "DescribeDBClusterSnapshots"),
    "dynamodb-delete": ("dynamodb", "DescribeTable"),
    "redshift-pause": ("redshift", "DescribeClusters"),
    "redshift-resume": ("redshift", "DescribeClusters"),
}
STATE_REFUSALS: list[StateRefusal] = [
    ("rds-snapshot-delete", "DBSnapshots.0.Status", "creating",
     "state is creating; only an available snapshot can be deleted", False),
    ("rds-snapshot-delete", "DBSnapshots.0.Status", "deleting", "already being deleted", False),
    ("rds-snapshot-delete", "DBSnapshots.0.SnapshotType", "automated",
     "it is an automated snapshot; RDS deletes those with their retention period", False),
    ("rds-cluster-snapshot-delete", "DBClusterSnapshots.0.Status", "copying",
     "state is copying; only an available snapshot can be deleted", False),
    ("dynamodb-delete", "Table.TableStatus", "DELETING", "already being deleted", False),
    ("dynamodb-delete", "Table.TableStatus", "UPDATING",
     "state is UPDATING; only an ACTIVE table can be deleted", False),
    ("dynamodb-delete", "Table.DeletionProtectionEnabled", True,
     "deletion protection is on (DeletionProtectionEnabled); tracker-tui never switches it off", False),
    ("redshift-pause", "Clusters.0.ClusterStatus", "pausing", "already pausing", False),
    ("redshift-pause", "Clusters.0.ClusterStatus", "paused", "already paused", False),
    ("redshift-pause", "Clusters.0.ClusterStatus", "resizing",
     "state is resizing; only an available cluster can be paused", False),
    ("redshift-resume", "Clusters.0.ClusterStatus", "resuming", "already resuming", False),
    ("redshift-resume", "Clusters.0.ClusterStatus", "available",
     "state is available; only a paused cluster can be resumed", False),
]  # fmt: skip
