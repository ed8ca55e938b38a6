"""The demo account's estate: what ``tracker-tui --demo`` seeds into its moto server.

``core`` seeds the first thirteen kinds; each module in ``FAMILIES``, named after its AWS
service, adds that service's further kinds to a region through the same ``RegionSeeder``
(``seed_region``) and, if it has account-wide or global ones, once (``seed_account``).
Everything goes through the public AWS APIs, so the estate is real to the scan and actions
really change it.

A region is seeded in two stages (``seed_first_stage``: what EC2 answers for; then
``seed_second_stage``), so the demo server can answer the home region's EC2 requests, the
first rows, while the rest is still being made (see ``tracker_tui.demo``).
"""

from __future__ import annotations

from types import ModuleType

import boto3

from tracker_tui.demo_estate import (
    dynamodb,
    ec2,
    efs,
    eks,
    kms,
    metrics,
    opensearch,
    rds,
    redshift,
    route53,
    sagemaker,
    scheduler,
    secretsmanager,
)
from tracker_tui.demo_estate.bill import DEMO_BILL, demo_bill_results, seed_bill
from tracker_tui.demo_estate.core import (
    DEMO_ACCOUNT_ALIAS,
    DEMO_AMIS_PATH,
    DEMO_LINUX_AMI,
    DEMO_WINDOWS_AMI,
    RegionSeeder,
    publish_bucket_size,
    seed_alias,
    seed_buckets,
    seed_global,
)

#: The regions that hold the estate, each an environment at a scale; the scan covers
#: whatever DescribeRegions returns.
ENVIRONMENTS = {
    "us-east-1": ("prod", 3),
    "eu-west-1": ("prod-eu", 2),
    "us-west-2": ("staging", 2),
    "ap-southeast-2": ("dev", 1),
}
DEMO_REGIONS = tuple(ENVIRONMENTS)

#: The family modules that add kinds beyond the core thirteen (``seed_region`` for a
#: region's, ``seed_account`` for global ones; a module has either or both), in the order
#: they are seeded.  ``metrics`` is last: it reads what the others made.
FAMILIES: tuple[ModuleType, ...] = (
    rds,
    dynamodb,
    redshift,
    efs,
    ec2,
    eks,
    sagemaker,
    opensearch,
    kms,
    secretsmanager,
    route53,
    scheduler,
    metrics,
)


#: The families seeded with the EC2 stage: they write only what ``FIRST_STAGE_SERVICES`` name.
FIRST_STAGE_FAMILIES: tuple[ModuleType, ...] = (ec2,)

#: What the home region's first stage writes (EC2 and Auto Scaling: the instances and their
#: volumes), with what is seeded before it (IAM: the alias, users and roles; STS: nothing),
#: so the demo server may answer these once it is done, while the rest of the estate is
#: still being made.  Nothing later writes to them there (tests/test_demo.py checks).
FIRST_STAGE_SERVICES = frozenset({"sts", "iam", "ec2", "autoscaling"})


def seed_family_region(family: ModuleType, seeder: RegionSeeder, env: str) -> int:
    """What one family adds to a region (nothing when all its kinds are global)."""
    seed = getattr(family, "seed_region", None)
    return int(seed(seeder, env)) if seed is not None else 0


def seed_first_stage(boto: boto3.Session, endpoint: str | None, region: str) -> tuple[RegionSeeder, int]:
    """A region's EC2 side (core and EC2-only families); the seeder carries on with the rest."""
    env, scale = ENVIRONMENTS[region]
    seeder = RegionSeeder(boto, endpoint, region, scale)
    count = seeder.run_ec2(env)
    for family in FIRST_STAGE_FAMILIES:
        count += seed_family_region(family, seeder, env)
    return seeder, count


def seed_second_stage(seeder: RegionSeeder) -> int:
    """The rest of a region's environment after ``seed_first_stage``."""
    env = ENVIRONMENTS[seeder.region][0]
    before = seeder.count
    count = seeder.run_rest(env) - before  # the seeder's count is a running total
    for family in FAMILIES:
        if family not in FIRST_STAGE_FAMILIES:
            count += seed_family_region(family, seeder, env)
    return count


def seed_region(boto: boto3.Session, endpoint: str | None, region: str) -> int:
    """Seed one region's environment: the core kinds, then every family's."""
    seeder, count = seed_first_stage(boto, endpoint, region)
    return count + seed_second_stage(seeder)


def seed_account(boto: boto3.Session, endpoint: str | None) -> int:
    """What is account-wide beyond IAM: buckets, and every family's global kinds."""
    count = seed_buckets(boto, endpoint)
    for family in FAMILIES:
        if hasattr(family, "seed_account"):
            count += family.seed_account(boto, endpoint)
    return count


__all__ = [
    "DEMO_ACCOUNT_ALIAS",
    "DEMO_AMIS_PATH",
    "DEMO_BILL",
    "DEMO_LINUX_AMI",
    "DEMO_REGIONS",
    "DEMO_WINDOWS_AMI",
    "ENVIRONMENTS",
    "FAMILIES",
    "FIRST_STAGE_FAMILIES",
    "FIRST_STAGE_SERVICES",
    "RegionSeeder",
    "demo_bill_results",
    "publish_bucket_size",
    "seed_account",
    "seed_alias",
    "seed_bill",
    "seed_family_region",
    "seed_first_stage",
    "seed_global",
    "seed_region",
    "seed_second_stage",
]
