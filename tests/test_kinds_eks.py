"""EKS clusters (aws/kinds/eks.py): listing against moto (fields, tags, node groups, paging) and
with Stubber (the upgrade policy, a cluster gone since listing); standard or extended support
dated with an injected clock; and the prices with their bases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.stubs import Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.eks import SUPPORT_CALENDAR, estimate_cluster, extended_support_since, list_clusters
from tracker_tui.filtering import parse_filter
from tracker_tui.findings import with_findings
from tracker_tui.model import Resource, iso_utc
from tracker_tui.pricing.catalogue import load_catalogue

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/svc"
NODES = "worker nodes (EC2, Fargate) bill on their own rows"


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


# --- EKS: listing ---------------------------------------------------------------------------------


def test_eks_clusters_fields_tags_nodegroups_and_paging() -> None:
    with mock_aws():
        eks = boto3.client("eks", region_name="eu-west-1")
        for name, version in (("prod-platform", "1.28"), ("staging", "1.33"), ("dev", "1.35")):
            eks.create_cluster(
                name=name,
                version=version,
                roleArn=ROLE,
                resourcesVpcConfig={"endpointPublicAccess": True, "endpointPrivateAccess": name == "prod-platform"},
                tags={"env": name, "Name": f"{name}-eks"},
            )
        for group in ("general", "gpu"):
            eks.create_nodegroup(clusterName="prod-platform", nodegroupName=group, nodeRole=ROLE, subnets=["subnet-1"])
        created = eks.describe_cluster(name="prod-platform")["cluster"]["createdAt"]
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, collector = helpers.scan(["eks:cluster"], ["us-east-1", "eu-west-1"], session=session, page_size=1)

    assert [r.code for r in collector.results if r.code] == []
    found = {r.id: r for r in resources}
    assert set(found) == {"prod-platform", "staging", "dev"}
    prod = found["prod-platform"]
    assert (prod.kind, prod.region, prod.account_id, prod.state) == ("eks:cluster", "eu-west-1", ACCOUNT, "ACTIVE")
    assert prod.arn == f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/prod-platform"
    assert prod.name == "prod-platform-eks"
    assert prod.tags == {"env": "prod-platform", "Name": "prod-platform-eks"}
    assert prod.created == iso_utc(created)
    assert prod.details["version"] == "1.28"
    assert prod.details["standard_support_ends"] == "2024-11-26"
    assert prod.details["platform_version"]
    assert (prod.details["endpoint_public_access"], prod.details["endpoint_private_access"]) == (True, True)
    assert found["staging"].details["endpoint_private_access"] is False
    assert prod.details["nodegroups"] == 2 and found["dev"].details["nodegroups"] == 0
    # One cluster a page in eu-west-1 (three pages), each page after the first asking with the token.
    pages = [p for p in named(calls, "eks.ListClusters") if p.get("maxResults") == 1]
    assert len(pages) >= 4 and sum(1 for p in pages if p.get("nextToken")) == 2
    assert len(named(calls, "eks.DescribeCluster")) == 3


def test_eks_lister_maps_the_upgrade_policy_and_skips_a_cluster_gone_since_listing(stubs: Stubs) -> None:
    eks = stubs("eks")
    eks.add_response("list_clusters", {"clusters": ["old", "gone"], "nextToken": "t2"}, {"maxResults": 2})
    eks.add_response(
        "describe_cluster",
        {
            "cluster": {
                "name": "old",
                "version": "1.29",
                "status": "ACTIVE",
                "upgradePolicy": {"supportType": "STANDARD"},
                "arn": f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/old",
            }
        },
        {"name": "old"},
    )
    eks.add_client_error("describe_cluster", "ResourceNotFoundException", "No cluster found", 404, {"name": "gone"})
    eks.add_client_error("list_nodegroups", "AccessDeniedException", "no", 403, {"clusterName": "old", "maxResults": 2})
    eks.add_response("list_nodegroups", {"nodegroups": []}, {"clusterName": "gone", "maxResults": 2})
    eks.add_response("list_clusters", {"clusters": ["new"]}, {"maxResults": 2, "nextToken": "t2"})
    eks.add_response(
        "describe_cluster", {"cluster": {"name": "new", "version": "1.34", "status": "CREATING"}}, {"name": "new"}
    )
    eks.add_response(
        "list_nodegroups", {"nodegroups": ["a"], "nextToken": "n2"}, {"clusterName": "new", "maxResults": 2}
    )
    eks.add_response(
        "list_nodegroups", {"nodegroups": ["b"]}, {"clusterName": "new", "maxResults": 2, "nextToken": "n2"}
    )

    found = collect(list_clusters(stubs.context("us-east-1", ["us-east-1"], page_size=2)))

    stubs.assert_no_pending_responses()
    assert set(found) == {"old", "new"}
    assert found["old"].details["support_type"] == "STANDARD"
    assert "nodegroups" not in found["old"].details  # could not be listed: unknown, not zero
    assert found["new"].details["nodegroups"] == 2  # both pages
    assert found["new"].state == "CREATING"
    assert found["new"].arn == f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/new"


# --- EKS: standard or extended support, by date ---------------------------------------------------


def _cluster(version: str | None, support_type: str | None = None, region: str = "us-east-1") -> Resource:
    details: dict[str, Any] = {}
    if version is not None:
        details["version"] = version
    if support_type is not None:
        details["support_type"] = support_type
    return Resource(kind="eks:cluster", id="c", region=region, state="ACTIVE", details=details)


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_eks_standard_support_until_the_day_before_its_end_date() -> None:
    cat = load_catalogue()
    cost, basis = estimate_cluster(_cluster("1.28"), cat, None, now=_at("2024-11-25T23:59:59"))
    assert cost == 73.0
    assert basis == (
        "EKS control plane us-east-1, Kubernetes 1.28 on standard support until 2024-11-26, "
        f"$0.1000/h x 730 h = $73.00; {NODES}"
    )


def test_eks_extended_support_from_the_first_hour_of_the_end_date() -> None:
    cat = load_catalogue()
    cost, basis = estimate_cluster(_cluster("1.28"), cat, None, now=_at("2024-11-26T00:00:00"))
    assert cost == 438.0
    assert basis == (
        "EKS control plane us-east-1, Kubernetes 1.28 on extended support (standard support ended 2024-11-26; "
        f"extended until 2025-11-26, then AWS upgrades it), $0.6000/h x 730 h = $438.00; {NODES}"
    )


def test_eks_past_extended_support_still_bills_extended_until_aws_upgrades_it() -> None:
    cost, basis = estimate_cluster(_cluster("1.28.7"), load_catalogue(), None, now=_at("2026-01-05T12:00:00"))
    assert cost == 438.0
    assert (
        "Kubernetes 1.28 on extended support (standard support ended 2024-11-26; extended ended 2025-11-26: " in basis
    )
    assert "AWS upgrades it automatically" in basis


def test_eks_upgrade_policy_standard_never_bills_extended_support() -> None:
    cost, basis = estimate_cluster(_cluster("1.31", "STANDARD"), load_catalogue(), None, now=_at("2026-01-01T00:00:00"))
    assert cost == 73.0
    assert basis.startswith(
        "EKS control plane us-east-1, Kubernetes 1.31: standard support ended 2025-11-26; upgrade policy STANDARD, "
        "so AWS upgrades it automatically instead of billing extended support, $0.1000/h x 730 h = $73.00"
    )
    # The policy changes nothing while standard support lasts.
    assert (
        estimate_cluster(_cluster("1.31", "STANDARD"), load_catalogue(), None, now=_at("2025-01-01T00:00:00"))[0]
        == 73.0
    )
    # An EXTENDED policy (the default) past the end date is extended support.
    assert (
        estimate_cluster(_cluster("1.31", "EXTENDED"), load_catalogue(), None, now=_at("2026-01-01T00:00:00"))[0]
        == 438.0
    )


def test_eks_the_registry_prices_with_todays_date() -> None:
    # 1.23's standard support ended in 2023: extended support whatever day the test runs.
    cost, basis = estimate(_cluster("1.23"))
    assert cost == 438.0 and "extended support" in basis


def test_eks_versions_it_cannot_date_or_price() -> None:
    cat = load_catalogue()
    now = _at("2026-06-01T00:00:00")
    cost, basis = estimate_cluster(_cluster("1.99"), cat, None, now=now)
    assert cost == 73.0 and "1.99 (not in tracker-tui's support calendar: standard assumed)" in basis
    assert estimate_cluster(_cluster(None), cat, None, now=now) == (
        None,
        "Kubernetes version unknown: $0.1000/h on standard support, $0.6000/h on extended",
    )
    assert estimate_cluster(_cluster("1.30", region="xx-nowhere-1"), cat, None, now=now) == (
        None,
        "no catalogue prices for region xx-nowhere-1",
    )


def test_eks_support_calendar_is_ordered_with_twelve_months_of_extended_support() -> None:
    versions = list(SUPPORT_CALENDAR)
    assert versions == sorted(versions, key=lambda v: tuple(int(p) for p in v.split(".")))
    ends = [SUPPORT_CALENDAR[v][0] for v in versions]
    assert ends == sorted(ends)
    for standard, extended in SUPPORT_CALENDAR.values():
        assert (extended.year - standard.year, extended.month, extended.day) == (1, standard.month, standard.day)


# --- eks-extended-support -------------------------------------------------------------------------


def test_eks_extended_support_is_a_finding_that_saves_the_fee_difference() -> None:
    """$0.60/h on extended support against $0.10/h on standard: $0.50/h x 730 h = $365.00 a month."""
    rows = with_findings(price_resources([
        _cluster("1.23"),                         # standard support ended 2023-10-11, whatever day the test runs
        _cluster("1.23", region="xx-nowhere-1"),  # not priced there
        _cluster("1.23", "STANDARD"),             # AWS upgrades it instead of billing extended support
        _cluster("1.99"),                         # not in the calendar: standard assumed
        _cluster(None),                           # version unknown
    ]))  # fmt: skip
    found = [[f for f in r.findings if f.id == "eks-extended-support"] for r in rows]
    (priced,), (unpriced,) = found[:2]
    assert (priced.monthly_saving, priced.confidence, priced.action) == (365.0, "high", None)
    assert priced.evidence.startswith(
        "Kubernetes 1.23: standard support ended 2023-10-11, so the control plane bills $0.6000/h (extended "
        "support) instead of $0.1000/h: $0.5000/h x 730 h = $365.00/mo more; upgrading to a version in standard "
        "support"
    )
    assert rows[0].monthly_cost == 438.0  # the fee the finding saves most of
    assert unpriced.monthly_saving is None
    assert "the fee is unknown here (no catalogue prices for region xx-nowhere-1)" in unpriced.evidence
    assert found[2:] == [[], [], []]
    assert [i for i, r in enumerate(rows) if parse_filter("finding:eks-extended-support").matches(r)] == [0, 1]


def test_eks_extended_support_since_the_end_of_standard_support_by_date() -> None:
    assert extended_support_since(_cluster("1.28"), _at("2024-11-25T23:59:59")) is None
    assert str(extended_support_since(_cluster("1.28"), _at("2024-11-26T00:00:00"))) == "2024-11-26"
    assert str(extended_support_since(_cluster("1.28", "EXTENDED"), _at("2026-01-01T00:00:00"))) == "2024-11-26"
    assert extended_support_since(_cluster("1.28", "STANDARD"), _at("2026-01-01T00:00:00")) is None
