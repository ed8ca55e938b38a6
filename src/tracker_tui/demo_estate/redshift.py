"""The demo estate's Redshift clusters, through the public APIs: one in prod and one in
staging, paused (only its storage bills)."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's Redshift cluster; how many the scan will list."""
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
