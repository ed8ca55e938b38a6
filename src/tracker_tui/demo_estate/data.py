"""The demo estate's data stores: RDS manual snapshots (one whose database is gone), DynamoDB
tables (provisioned and on-demand, one with deletion protection), Redshift clusters (one
paused) and EFS file systems, through the public APIs.

Seeding is on the demo's start-up path, so each region gets a few resources in few calls.
"""

from __future__ import annotations

from typing import Any

from tracker_tui.demo_estate.core import RegionSeeder

#: Per environment: (table, billing mode, RCU, WCU, deletion protection, extra tags).
TABLES: dict[str, list[tuple[str, str, int, int, bool, dict[str, str]]]] = {
    "prod": [
        ("orders", "PROVISIONED", 100, 50, True, {"team": "payments"}),
        ("sessions", "PAY_PER_REQUEST", 0, 0, False, {"team": "web"}),
        ("audit-trail", "PROVISIONED", 25, 25, False, {"team": "security", "do-not-delete": "true"}),
    ],
    "prod-eu": [("orders", "PAY_PER_REQUEST", 0, 0, True, {"team": "payments"})],
    "staging": [("orders", "PROVISIONED", 20, 10, False, {"team": "payments"})],
    "dev": [("scratch", "PAY_PER_REQUEST", 0, 0, False, {"team": "data"})],
}


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed the data-store kinds of one environment; how many resources the scan will list."""
    return _rds_snapshots(s, env) + _tables(s, env) + _redshift(s, env) + _file_systems(s, env)


def _rds_snapshots(s: RegionSeeder, env: str) -> int:
    if env not in ("prod", "staging"):
        return 0
    rds = s.c("rds")
    # A snapshot of a database that still runs (the core seeding made "<env>-orders").
    rds.create_db_snapshot(
        DBInstanceIdentifier=f"{env}-orders",
        DBSnapshotIdentifier=f"{env}-orders-pre-upgrade",
        Tags=s.tags(env=env, team="data"),
    )
    if env != "prod":
        return 1
    # Waste: the final snapshot of a database deleted long ago, still billed in full.
    rds.create_db_instance(
        DBInstanceIdentifier="prod-legacy-crm",
        Engine="mysql",
        DBInstanceClass="db.m5.large",
        AllocatedStorage=400,
        StorageType="gp2",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1",
        Tags=s.tags(env=env, team="sales"),
    )
    rds.delete_db_instance(DBInstanceIdentifier="prod-legacy-crm", FinalDBSnapshotIdentifier="prod-legacy-crm-final")
    # An Aurora cluster snapshot taken before a migration.
    rds.create_db_cluster(
        DBClusterIdentifier="prod-analytics",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1",
        Tags=s.tags(env=env, team="data"),
    )
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier="prod-analytics",
        DBClusterSnapshotIdentifier="prod-analytics-pre-migration",
        Tags=s.tags(env=env, team="data"),
    )
    return 3


def _tables(s: RegionSeeder, env: str) -> int:
    ddb = s.c("dynamodb")
    rows = TABLES.get(env, [])
    for name, mode, rcu, wcu, protect, extra in rows:
        params: dict[str, Any] = {
            "TableName": f"{env}-{name}",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "customer", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": mode,
            "DeletionProtectionEnabled": protect,
            "Tags": [{"Key": "env", "Value": env}, *({"Key": k, "Value": v} for k, v in extra.items())],
        }
        index: dict[str, Any] = {
            "IndexName": "by-customer",
            "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
        if mode == "PROVISIONED":
            params["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
            # Provisioned indexes bill their own capacity.
            index["ProvisionedThroughput"] = {
                "ReadCapacityUnits": max(5, rcu // 5),
                "WriteCapacityUnits": max(5, wcu // 5),
            }
        params["GlobalSecondaryIndexes"] = [index]
        ddb.create_table(**params)
    return len(rows)


def _redshift(s: RegionSeeder, env: str) -> int:
    if env not in ("prod", "staging"):
        return 0
    redshift = s.c("redshift")
    name = f"{env}-warehouse"
    redshift.create_cluster(
        ClusterIdentifier=name,
        NodeType="ra3.xlplus",
        NumberOfNodes=2,
        ClusterType="multi-node",
        DBName="analytics",
        MasterUsername="admin",
        MasterUserPassword="NotARealPassword1",
        Encrypted=True,
        Tags=s.tags(env=env, team="data"),
    )
    if env == "staging":
        # Paused over the weekend and never resumed: only its storage bills.
        redshift.pause_cluster(ClusterIdentifier=name)
    return 1


def _file_systems(s: RegionSeeder, env: str) -> int:
    efs = s.c("efs")
    if env == "prod":
        efs.create_file_system(
            CreationToken=f"{env}-shared-home",
            PerformanceMode="generalPurpose",
            ThroughputMode="bursting",
            Encrypted=True,
            Tags=s.tags(Name=f"{env}-shared-home", env=env, team="platform"),
        )
        return 1
    if env == "staging":
        # Provisioned throughput someone set for a load test: billed whether used or not.
        efs.create_file_system(
            CreationToken=f"{env}-ml-scratch",
            PerformanceMode="generalPurpose",
            ThroughputMode="provisioned",
            ProvisionedThroughputInMibps=64,
            Tags=s.tags(Name=f"{env}-ml-scratch", env=env, team="data"),
        )
        return 1
    return 0
