"""The demo estate's OpenSearch domains, through the public APIs: a three-node prod domain
with dedicated masters, a small staging one, and in prod the search domain the catalogue moved
off, which nothing searches or indexes any more (``idle-opensearch`` with the checks)."""

from __future__ import annotations

from typing import Any

from tracker_tui.demo_estate.core import RegionSeeder

#: Prod's idle domain (the idle checks' datapoints name it).
IDLE_DOMAIN = "prod-catalog-v1"


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's domains; how many the scan will list."""
    domains: dict[str, dict[str, Any]] = {
        "prod": {
            "DomainName": "prod-logs",
            "EngineVersion": "OpenSearch_2.13",
            "ClusterConfig": {
                "InstanceType": "r6g.large.search",
                "InstanceCount": 3,
                "DedicatedMasterEnabled": True,
                "DedicatedMasterType": "m6g.large.search",
                "DedicatedMasterCount": 3,
                "ZoneAwarenessEnabled": True,
                "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
            },
            "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 200},
        },
        "staging": {
            "DomainName": "staging-search",
            "EngineVersion": "OpenSearch_2.11",
            "ClusterConfig": {"InstanceType": "t3.small.search", "InstanceCount": 1},
            "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp2", "VolumeSize": 20},
        },
    }
    spec = domains.get(env)
    if spec is None:
        return 0
    s.c("opensearch").create_domain(**spec, TagList=s.tags(env=env, team="platform"))
    if env != "prod":
        return 1
    s.c("opensearch").create_domain(
        DomainName=IDLE_DOMAIN,
        EngineVersion="OpenSearch_2.11",
        ClusterConfig={"InstanceType": "t3.medium.search", "InstanceCount": 2},
        EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 20},
        TagList=s.tags(env=env, team="catalog"),
    )
    return 2
