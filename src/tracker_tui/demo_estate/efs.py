"""The demo estate's EFS file systems, through the public APIs: a shared home in prod and,
in staging, one with provisioned throughput left on after a load test."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's file systems; how many the scan will list."""
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
