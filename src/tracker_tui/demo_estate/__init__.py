"""The demo account's estate: what ``tracker-tui --demo`` seeds into its moto server.

``core`` seeds the first thirteen kinds; each module in ``FAMILIES`` adds its kinds to a
region through the same ``RegionSeeder`` (``seed_region``) and, if it has account-wide or
global ones, once (``seed_account``).  Everything goes through the public AWS APIs, so the
estate is real to the scan and actions really change it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import boto3

from tracker_tui.demo_estate.bill import DEMO_BILL, demo_bill_results, seed_bill
from tracker_tui.demo_estate.core import (
    DEMO_ACCOUNT_ALIAS,
    DEMO_AMIS_PATH,
    DEMO_LINUX_AMI,
    DEMO_WINDOWS_AMI,
    RegionSeeder,
    publish_bucket_size,
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

#: The family modules that add kinds beyond the core thirteen (``seed_region``, and
#: optionally ``seed_account``).
FAMILIES: tuple[ModuleType, ...] = ()


def seed_region(boto: boto3.Session, endpoint: str, region: str) -> int:
    """Seed one region's environment: the core kinds, then every family's."""
    env, scale = ENVIRONMENTS[region]
    seeder = RegionSeeder(boto, endpoint, region, scale)
    count = seeder.run(env)
    for family in FAMILIES:
        count += family.seed_region(seeder, env)
    return count


def seed_estate(boto: boto3.Session, endpoint: str) -> int:
    """Seed the whole estate, regions side by side; returns how many resources it made."""
    account_wide: list[Callable[[boto3.Session, str], int]] = [seed_buckets]
    account_wide += [f.seed_account for f in FAMILIES if hasattr(f, "seed_account")]
    with ThreadPoolExecutor(max_workers=6, thread_name_prefix="demo-seed") as pool:
        global_count = pool.submit(seed_global, boto, endpoint).result()  # roles before lambdas use them
        futures = [pool.submit(seed_region, boto, endpoint, region) for region in ENVIRONMENTS]
        futures += [pool.submit(seed, boto, endpoint) for seed in account_wide]
        return global_count + sum(f.result() for f in futures)


__all__ = [
    "DEMO_ACCOUNT_ALIAS",
    "DEMO_AMIS_PATH",
    "DEMO_BILL",
    "DEMO_LINUX_AMI",
    "DEMO_REGIONS",
    "DEMO_WINDOWS_AMI",
    "ENVIRONMENTS",
    "FAMILIES",
    "RegionSeeder",
    "demo_bill_results",
    "publish_bucket_size",
    "seed_bill",
    "seed_estate",
    "seed_region",
]
