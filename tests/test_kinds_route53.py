"""Route 53 hosted zones (aws/kinds/route53.py): global, fields, tags read ten zones a call, paging,
against moto; and their price."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.aws.kinds import estimate
from tracker_tui.model import GLOBAL_REGION, Resource

ACCOUNT = "123456789012"


def _failures(collector: Any) -> list[str | None]:
    return [r.code for r in collector.results if r.code]


# --- Route 53 hosted zones --------------------------------------------------------------------------


def _zones() -> dict[str, str]:
    route53 = boto3.client("route53", region_name="us-east-1")
    vpc = boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ids = {}
    for i in range(11):
        reply = route53.create_hosted_zone(Name=f"site{i}.example.com", CallerReference=f"ref-{i}")
        ids[f"site{i}.example.com"] = reply["HostedZone"]["Id"].rsplit("/", 1)[-1]
    reply = route53.create_hosted_zone(
        Name="internal.acme",
        CallerReference="ref-internal",
        VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
        HostedZoneConfig={"Comment": "service discovery", "PrivateZone": True},
    )
    ids["internal.acme"] = reply["HostedZone"]["Id"].rsplit("/", 1)[-1]
    route53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=ids["internal.acme"], AddTags=[{"Key": "env", "Value": "prod"}]
    )
    return ids


def test_hosted_zones_are_global_with_fields_tags_and_paging() -> None:
    with mock_aws():
        ids = _zones()
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, collector = helpers.scan(
            ["route53:hosted-zone"], ["us-east-1", "eu-west-1"], session=session, page_size=5
        )

    assert _failures(collector) == []
    found = {r.id: r for r in resources}
    assert set(found) == set(ids.values())  # once, not once a region
    private = found[ids["internal.acme"]]
    assert (private.kind, private.region, private.account_id) == ("route53:hosted-zone", GLOBAL_REGION, ACCOUNT)
    assert (private.name, private.state, private.tags) == ("internal.acme", "private", {"env": "prod"})
    assert private.arn == f"arn:aws:route53:::hostedzone/{ids['internal.acme']}"
    assert private.details["zone_name"] == "internal.acme."
    assert (private.details["private_zone"], private.details["comment"]) == (True, "service discovery")
    public = found[ids["site0.example.com"]]
    assert (public.state, public.details["private_zone"], public.tags) == ("public", False, {})
    assert public.details["record_count"] == 2  # SOA and NS
    pages = named(calls, "route53.ListHostedZones")
    assert len(pages) == 3 and all(p["MaxItems"] == "5" for p in pages)
    assert [bool(p.get("Marker")) for p in pages] == [False, True, True]
    # Tags ten zones a call, per page: 5, 5, 2.
    assert [len(p["ResourceIds"]) for p in named(calls, "route53.ListTagsForResources")] == [5, 5, 2]


def test_hosted_zone_tags_are_read_ten_zones_a_call() -> None:
    with mock_aws():
        _zones()
        session = helpers.moto_session()
        calls = record_calls(session)
        resources, _ = helpers.scan(["route53:hosted-zone"], session=session)
    assert len(resources) == 12
    assert sorted(len(p["ResourceIds"]) for p in named(calls, "route53.ListTagsForResources")) == [2, 10]


def test_a_hosted_zone_costs_the_first_25_zones_rate_plus_queries() -> None:
    zone = Resource(kind="route53:hosted-zone", id="Z1", region=GLOBAL_REGION, state="public")
    assert estimate(zone) == (
        0.5,
        "hosted zone, $0.50/mo (the rate of an account's first 25 zones; more cost less each)"
        " + queries, usage-dependent",
    )
