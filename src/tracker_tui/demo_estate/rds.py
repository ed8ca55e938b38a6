"""The demo estate's RDS manual snapshots, through the public APIs: one of a database that
still runs, the final snapshot of one deleted long ago (waste, billed in full) and an Aurora
cluster snapshot taken before a migration; and a reporting database still on a
previous-generation class (``rds-previous-generation``, ``rds-graviton-migration``) and on
PostgreSQL 12 (``rds-extended-support``); an oversized BI database (``rightsize-database``).
The core seeding made the others."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's RDS snapshots; how many the scan will list."""
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
    # Waste: a reporting database that never moved on from db.m4 (db.m5 costs less; db.m6g,
    # Graviton, less still) nor from PostgreSQL 12, past standard support since 2025-02-28: it
    # bills RDS Extended Support per vCPU-hour.
    rds.create_db_instance(
        DBInstanceIdentifier="prod-reports-legacy",
        Engine="postgres",
        EngineVersion="12.22",
        DBInstanceClass="db.m4.large",
        AllocatedStorage=100,
        StorageType="gp3",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1",
        Tags=s.tags(env=env, team="finance"),
    )
    # Oversized: a BI database on eight vCPUs whose hourly CPU never passes 18% and which
    # holds a few dozen connections (rightsize-database: db.m5.large fits).
    rds.create_db_instance(
        DBInstanceIdentifier="prod-bi",
        Engine="postgres",
        DBInstanceClass="db.m5.2xlarge",
        AllocatedStorage=200,
        StorageType="gp3",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1",
        Tags=s.tags(env=env, team="data"),
    )
    return 5
