"""The demo estate's Redshift clusters, through the public APIs: a warehouse in prod and one in
staging, paused (only its storage bills), and in prod a legacy data mart nobody connects to
any more (``idle-redshift`` with the checks: see ``metrics_services``)."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder

#: Prod's idle cluster (the idle checks' datapoints name it).
LEGACY_MART = "prod-legacy-mart"


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's Redshift clusters; how many the scan will list."""
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
    # The mart the warehouse replaced: still running, no connections, its nodes still billed.
    redshift.create_cluster(
        ClusterIdentifier=LEGACY_MART,
        NodeType="dc2.large",
        ClusterType="single-node",
        DBName="marts",
        MasterUsername="admin",
        MasterUserPassword="NotARealPassword1",
        Encrypted=True,
        Tags=s.tags(env=env, team="data"),
    )
    return 2
