"""The demo estate's Route 53 hosted zones, through the public APIs: global, so seeded once
for the account (``seed_account``), two public and one private to us-east-1's default VPC."""

from __future__ import annotations

from typing import Any

import boto3

from tracker_tui.demo_estate.core import SEED_CONFIG


def seed_account(boto: boto3.Session, endpoint: str | None) -> int:
    """The global hosted zones: two public, one private to us-east-1's default VPC."""
    route53 = boto.client("route53", region_name="us-east-1", endpoint_url=endpoint, config=SEED_CONFIG)
    ec2 = boto.client("ec2", region_name="us-east-1", endpoint_url=endpoint, config=SEED_CONFIG)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    zones: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("acme-demo.com", {"Comment": "public website"}, {"env": "prod"}),
        ("acme-staging.dev", {"Comment": "staging"}, {"env": "staging"}),
        ("internal.acme", {"Comment": "service discovery", "PrivateZone": True}, {"env": "prod"}),
    ]
    for name, config, tags in zones:
        extra = {"VPC": {"VPCRegion": "us-east-1", "VPCId": vpc}} if config.get("PrivateZone") else {}
        zone = route53.create_hosted_zone(Name=name, CallerReference=f"demo-{name}", HostedZoneConfig=config, **extra)
        route53.change_tags_for_resource(
            ResourceType="hostedzone",
            ResourceId=zone["HostedZone"]["Id"].rsplit("/", 1)[-1],
            AddTags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
    return len(zones)
