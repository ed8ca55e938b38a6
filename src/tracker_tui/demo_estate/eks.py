"""The demo estate's EKS clusters, through the public APIs: prod's left on a Kubernetes version
in extended support (the hourly fee six times over), staging's on the newest."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tracker_tui.aws.kinds.eks import SUPPORT_CALENDAR
from tracker_tui.demo_estate.core import ROLE_ARN, RegionSeeder


def eks_versions(today: date) -> tuple[str, str]:
    """(a version in extended support today, the newest in standard support), from the calendar."""
    versions = list(SUPPORT_CALENDAR)
    extended = [v for v in versions if SUPPORT_CALENDAR[v][0] <= today < SUPPORT_CALENDAR[v][1]]
    standard = [v for v in versions if today < SUPPORT_CALENDAR[v][0]]
    return (extended[0] if extended else versions[0]), (standard[-1] if standard else versions[-1])


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's cluster; how many the scan will list."""
    old, current = eks_versions(datetime.now(UTC).date())
    version = {"prod": old, "staging": current}.get(env)
    if version is None:
        return 0
    s.c("eks").create_cluster(
        name=f"{env}-platform",
        version=version,
        roleArn=ROLE_ARN.format(name="eks-cluster"),
        resourcesVpcConfig={"endpointPublicAccess": True, "endpointPrivateAccess": env == "prod"},
        tags={"env": env, "team": "platform"},
    )
    return 1
