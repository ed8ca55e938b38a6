"""The demo estate's EFS file systems, through the public APIs: a shared home in prod whose
lifecycle policy moves cold files to Infrequent Access and, in staging, one with provisioned
throughput left on after a load test and no lifecycle policy at all (``efs-no-lifecycle``)."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder

GIB = 2**30
#: What each file system holds, all in Standard (moto meters nothing written through NFS).
STORED = {"prod-shared-home": 180 * GIB, "staging-ml-scratch": 420 * GIB}


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's file systems; how many the scan will list."""
    efs = s.c("efs")
    if env == "prod":
        home = efs.create_file_system(
            CreationToken=f"{env}-shared-home",
            PerformanceMode="generalPurpose",
            ThroughputMode="bursting",
            Encrypted=True,
            Tags=s.tags(Name=f"{env}-shared-home", env=env, team="platform"),
        )["FileSystemId"]
        # Tidy: files unread for 30 days move to IA, and back on their first access.
        efs.put_lifecycle_configuration(
            FileSystemId=home,
            LifecyclePolicies=[
                {"TransitionToIA": "AFTER_30_DAYS"},
                {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
            ],
        )
        _store(s, home, STORED[f"{env}-shared-home"])
        return 1
    if env == "staging":
        # Provisioned throughput someone set for a load test: billed whether used or not; and no
        # lifecycle policy, so its training sets stay in Standard long after the last run read them.
        scratch = efs.create_file_system(
            CreationToken=f"{env}-ml-scratch",
            PerformanceMode="generalPurpose",
            ThroughputMode="provisioned",
            ProvisionedThroughputInMibps=64,
            Tags=s.tags(Name=f"{env}-ml-scratch", env=env, team="data"),
        )["FileSystemId"]
        _store(s, scratch, STORED[f"{env}-ml-scratch"])
        return 1
    return 0


def _store(s: RegionSeeder, file_system_id: str, size: int) -> None:
    """Give a file system its stored bytes (in Standard).

    moto meters only what is written through NFS, which nothing here can do, so the demo sets
    the size on moto's in-process model (as ``tracker_tui.demo`` does for log groups); only when
    seeding in-process (``s.endpoint`` None).  Scans read it back through DescribeFileSystems."""
    if s.endpoint is not None:
        return
    try:
        from moto.efs.models import efs_backends
    except ImportError:  # pragma: no cover - the demo extra is not installed
        return
    efs_backends["123456789012"][s.region].file_systems_by_id[file_system_id]._size_value = size
