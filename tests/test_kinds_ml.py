"""EKS clusters, SageMaker notebook instances and endpoints, OpenSearch domains: listing against
moto (real fields, states, tags, paging past page 1), the extended-support dating of EKS with
an injected clock, and the prices with their bases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests import helpers
from tests.helpers import named, record_calls
from tests.test_paging_stubbed import Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.eks import SUPPORT_CALENDAR, estimate_cluster, list_clusters
from tracker_tui.demo_estate import (
    RegionSeeder,
    eks,
    kms,
    opensearch,
    route53,
    sagemaker,
    secretsmanager,
    seed_family_region,
)
from tracker_tui.demo_estate.eks import eks_versions
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


def _priced(resources: list[Resource]) -> dict[str, tuple[float | None, str]]:
    return {r.id: estimate(r) for r in resources}


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


# --- SageMaker notebook instances --------------------------------------------------------------


def test_notebooks_fields_states_tags_prices_and_paging() -> None:
    with mock_aws():
        sm = boto3.client("sagemaker", region_name="us-east-1")
        specs = [
            ("ds-exploration", "ml.t3.medium", 20, "Enabled", {"env": "dev", "team": "data"}),
            ("forecasting", "ml.t3.xlarge", 50, "Disabled", {"team": "data"}),
            ("old-notebook", "ml.t3.large", 5, "Enabled", {}),
        ]
        for name, itype, size, internet, tags in specs:
            sm.create_notebook_instance(
                NotebookInstanceName=name,
                InstanceType=itype,
                RoleArn=ROLE,
                VolumeSizeInGB=size,
                DirectInternetAccess=internet,
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )
        sm.stop_notebook_instance(NotebookInstanceName="old-notebook")
        created = sm.describe_notebook_instance(NotebookInstanceName="ds-exploration")["CreationTime"]
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["sagemaker:notebook-instance"], session=session, page_size=1)

    found = {r.id: r for r in resources}
    assert set(found) == {"ds-exploration", "forecasting", "old-notebook"}
    ds = found["ds-exploration"]
    assert (ds.kind, ds.region, ds.state, ds.account_id) == (
        "sagemaker:notebook-instance",
        "us-east-1",
        "InService",
        ACCOUNT,
    )
    assert ds.arn == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/ds-exploration"
    assert ds.created == iso_utc(created)
    assert ds.tags == {"env": "dev", "team": "data"}
    assert ds.details["instance_type"] == "ml.t3.medium"
    assert (ds.details["volume_size_gb"], ds.details["direct_internet_access"]) == (20, "Enabled")
    assert found["forecasting"].details["direct_internet_access"] == "Disabled"
    assert found["old-notebook"].state == "Stopped"
    assert found["old-notebook"].tags == {}
    pages = named(calls, "sagemaker.ListNotebookInstances")
    assert len(pages) == 3 and all(p["MaxResults"] == 1 for p in pages)
    assert [bool(p.get("NextToken")) for p in pages] == [False, True, True]
    assert len(named(calls, "sagemaker.DescribeNotebookInstance")) == 3
    assert len(named(calls, "sagemaker.ListTags")) == 3

    assert _priced(resources) == {
        "ds-exploration": (
            36.5,
            "ml.t3.medium notebook us-east-1 (catalogue 2026-10-15), $0.0500/h x 730 h = $36.50"
            " + 20 GB ML storage volume, ML storage not priced",
        ),
        "forecasting": (
            146.0,
            "ml.t3.xlarge notebook us-east-1 (catalogue 2026-10-15), $0.2000/h x 730 h = $146.00"
            " + 50 GB ML storage volume, ML storage not priced",
        ),
        "old-notebook": (
            0.0,
            "stopped: no instance charge; 5 GB ML storage volume still bills (ML storage not priced)",
        ),
    }


def _notebook(itype: str, state: str = "InService", region: str = "us-east-1") -> Resource:
    return Resource(
        kind="sagemaker:notebook-instance",
        id="nb",
        region=region,
        state=state,
        details={"instance_type": itype, "volume_size_gb": 5},
    )


def test_notebook_prices_it_does_not_know_say_why() -> None:
    assert estimate(_notebook("ml.p3.2xlarge")) == (None, "no catalogue price for ml.p3.2xlarge notebooks in us-east-1")
    assert estimate(_notebook("ml.t3.medium", region="eu-west-1")) == (
        None,
        "no catalogue price for ml.t3.medium notebooks in eu-west-1",
    )
    # Stopped needs no price: only its storage bills.
    assert estimate(_notebook("ml.t3.medium", "Stopped", "eu-west-1"))[0] == 0.0
    # Starting up is billed like running.
    assert estimate(_notebook("ml.t3.medium", "Pending"))[0] == 36.5


# --- SageMaker endpoints --------------------------------------------------------------------------


def test_endpoints_variants_tags_prices_and_paging() -> None:
    with mock_aws():
        sm = boto3.client("sagemaker", region_name="us-east-1")
        sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img:latest"})
        sm.create_endpoint_config(
            EndpointConfigName="two-large",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "m",
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 2,
                }
            ],
        )
        sm.create_endpoint_config(
            EndpointConfigName="serverless",
            ProductionVariants=[
                {
                    "VariantName": "Main",
                    "ModelName": "m",
                    "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                }
            ],
        )
        sm.create_endpoint(EndpointName="churn", EndpointConfigName="two-large", Tags=[{"Key": "env", "Value": "prod"}])
        sm.create_endpoint(EndpointName="churn-canary", EndpointConfigName="two-large")
        sm.create_endpoint(EndpointName="faq-bot", EndpointConfigName="serverless")
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["sagemaker:endpoint"], session=session, page_size=1)

    found = {r.id: r for r in resources}
    assert set(found) == {"churn", "churn-canary", "faq-bot"}
    churn = found["churn"]
    assert (churn.kind, churn.state, churn.tags) == ("sagemaker:endpoint", "InService", {"env": "prod"})
    assert churn.arn == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/churn"
    assert churn.details["endpoint_config"] == "two-large"
    assert churn.details["variants"] == [{"name": "AllTraffic", "instance_type": "ml.m5.large", "instance_count": 2}]
    assert found["faq-bot"].details["variants"] == [
        {"name": "Main", "serverless_memory_mb": 2048, "serverless_max_concurrency": 5}
    ]
    pages = named(calls, "sagemaker.ListEndpoints")
    assert len(pages) == 3 and [bool(p.get("NextToken")) for p in pages] == [False, True, True]
    assert len(named(calls, "sagemaker.DescribeEndpointConfig")) == 3

    priced = _priced(resources)
    assert priced["churn"] == (
        167.9,
        "real-time endpoint us-east-1 (catalogue 2026-10-15): AllTraffic 2 x ml.m5.large x $0.1150/h x 730 h = $167.90",
    )
    assert priced["faq-bot"] == (None, "serverless variant Main: per request and compute time, usage-dependent")


def _endpoint(*variants: dict[str, Any], region: str = "us-east-1") -> Resource:
    return Resource(
        kind="sagemaker:endpoint", id="ep", region=region, state="InService", details={"variants": list(variants)}
    )


def test_endpoint_prices_add_up_over_variants_and_name_the_serverless_part() -> None:
    large = {"name": "A", "instance_type": "ml.m5.large", "instance_count": 2}
    small = {"name": "B", "instance_type": "ml.c5.large", "instance_count": 1}
    assert estimate(_endpoint(large, small)) == (
        242.36,
        "real-time endpoint us-east-1 (catalogue 2026-10-15): A 2 x ml.m5.large x $0.1150/h x 730 h = $167.90; "
        "B 1 x ml.c5.large x $0.1020/h x 730 h = $74.46; total $242.36",
    )
    cost, basis = estimate(_endpoint(small, {"name": "S", "serverless_memory_mb": 1024}))
    assert cost == 74.46
    assert basis.endswith("= $74.46; + serverless variant S: per request and compute time, usage-dependent")
    # A variant scaled to zero costs nothing; an unknown type or region is not guessed.
    assert estimate(_endpoint({**large, "instance_count": 0}))[0] == 0.0
    assert estimate(_endpoint({**large, "instance_type": "ml.g5.xlarge"})) == (
        None,
        "no catalogue price for ml.g5.xlarge endpoint instances in us-east-1",
    )
    assert estimate(_endpoint(large, region="eu-west-1"))[0] is None
    assert estimate(Resource(kind="sagemaker:endpoint", id="ep", region="us-east-1")) == (
        None,
        "production variants unknown",
    )


# --- OpenSearch domains ---------------------------------------------------------------------------


def test_opensearch_domains_fields_tags_prices_and_batched_describes() -> None:
    with mock_aws():
        client = boto3.client("opensearch", region_name="us-east-1")
        client.create_domain(
            DomainName="prod-logs",
            EngineVersion="OpenSearch_2.11",
            ClusterConfig={
                "InstanceType": "r6g.large.search",
                "InstanceCount": 3,
                "DedicatedMasterEnabled": True,
                "DedicatedMasterType": "m6g.large.search",
                "DedicatedMasterCount": 3,
            },
            EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 100},
            TagList=[{"Key": "env", "Value": "prod"}],
        )
        for i in range(5):
            client.create_domain(DomainName=f"search-{i}")  # moto's default: one t3.small.search, no EBS
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, collector = helpers.scan(["opensearch:domain"], session=session)

    assert [r.code for r in collector.results if r.code] == []
    found = {r.id: r for r in resources}
    assert set(found) == {"prod-logs", *(f"search-{i}" for i in range(5))}
    logs = found["prod-logs"]
    assert (logs.kind, logs.state, logs.tags) == ("opensearch:domain", "active", {"env": "prod"})
    assert logs.arn == f"arn:aws:es:us-east-1:{ACCOUNT}:domain/prod-logs"
    assert {
        k: logs.details[k]
        for k in (
            "engine_version",
            "instance_type",
            "instance_count",
            "dedicated_master",
            "master_type",
            "master_count",
            "volume_type",
            "volume_size_gb",
        )
    } == {
        "engine_version": "OpenSearch_2.11",
        "instance_type": "r6g.large.search",
        "instance_count": 3,
        "dedicated_master": True,
        "master_type": "m6g.large.search",
        "master_count": 3,
        "volume_type": "gp3",
        "volume_size_gb": 100,
    }
    assert found["search-0"].details["ebs_enabled"] is False and found["search-0"].tags == {}
    # Five names a DescribeDomains call: six domains, two calls.
    assert sorted(len(p["DomainNames"]) for p in named(calls, "opensearch.DescribeDomains")) == [1, 5]
    assert len(named(calls, "opensearch.ListTags")) == 6

    priced = _priced(resources)
    assert priced["prod-logs"] == (
        682.65,
        "OpenSearch us-east-1 (catalogue 2026-10-15): 3 data x r6g.large.search x $0.1670/h x 730 h = $365.73"
        " + 3 master x m6g.large.search x $0.1280/h x 730 h = $280.32"
        " + EBS gp3 100 GB x 3 nodes x $0.122/GB-mo = $36.60; total $682.65",
    )
    assert priced["search-0"] == (
        26.28,
        "OpenSearch us-east-1 (catalogue 2026-10-15): 1 data x t3.small.search x $0.0360/h x 730 h = $26.28;"
        " total $26.28",
    )


def test_opensearch_lists_an_empty_region_with_one_call() -> None:
    with mock_aws():
        session = helpers.moto_session()
        calls = record_calls(session)
        resources, collector = helpers.scan(["opensearch:domain"], ["eu-west-1"], session=session)
    assert resources == [] and [r.code for r in collector.results if r.code] == []
    assert len(named(calls, "opensearch.ListDomainNames")) == 1
    assert named(calls, "opensearch.DescribeDomains") == []


def _domain(**details: Any) -> Resource:
    base: dict[str, Any] = {
        "instance_type": "m6g.large.search",
        "instance_count": 2,
        "ebs_enabled": True,
        "volume_type": "gp2",
        "volume_size_gb": 50,
    }
    base.update(details)
    return Resource(
        kind="opensearch:domain", id="d", region=str(base.pop("region", "us-east-1")), state="active", details=base
    )


def test_opensearch_prices_storage_by_type_and_refuses_to_guess() -> None:
    assert estimate(_domain()) == (
        200.38,
        "OpenSearch us-east-1 (catalogue 2026-10-15): 2 data x m6g.large.search x $0.1280/h x 730 h = $186.88"
        " + EBS gp2 50 GB x 2 nodes x $0.135/GB-mo = $13.50; total $200.38",
    )
    cost, basis = estimate(_domain(volume_type="gp3", iops=6000))
    assert cost == 199.08 and basis.endswith("; + gp3 IOPS/throughput above the baseline, not priced")
    assert estimate(_domain(volume_type="io1")) == (
        None,
        "no catalogue price for io1 EBS storage on OpenSearch in us-east-1",
    )
    assert estimate(_domain(warm_enabled=True, warm_type="ultrawarm1.medium.search", warm_count=2)) == (
        None,
        "no catalogue price for ultrawarm1.medium.search (UltraWarm nodes) in us-east-1",
    )
    assert estimate(_domain(instance_type="c6g.large.search")) == (
        None,
        "no catalogue price for c6g.large.search (data nodes) in us-east-1",
    )
    assert estimate(_domain(region="eu-west-1"))[0] is None
    assert estimate(_domain(dedicated_master=True, master_type=None)) == (None, "master node type or count unknown")


# --- the demo estate's share -------------------------------------------------------------------------


def test_demo_versions_come_from_the_calendar_for_the_day() -> None:
    assert eks_versions(date(2026, 12, 2)) == ("1.32", "1.35")
    assert eks_versions(date(2025, 1, 1)) == ("1.24", "1.35")


def test_the_demo_seeds_what_the_scan_lists_with_the_waste_it_promises() -> None:
    kinds = [
        "eks:cluster",
        "sagemaker:notebook-instance",
        "sagemaker:endpoint",
        "opensearch:domain",
        "route53:hosted-zone",
        "kms:key",
        "secretsmanager:secret",
    ]
    regions = {"us-east-1": "prod", "us-west-2": "staging", "ap-southeast-2": "dev", "eu-west-1": "prod-eu"}
    with mock_aws():
        boto = boto3.Session(region_name="us-east-1")
        families = (eks, sagemaker, opensearch, kms, secretsmanager, route53)
        seeded = sum(
            seed_family_region(family, RegionSeeder(boto, None, r, 1), env)
            for r, env in regions.items()
            for family in families
        )
        seeded += route53.seed_account(boto, None)
        resources, collector = helpers.scan(kinds, list(regions))

    assert [r.code for r in collector.results if r.code] == []
    assert len(resources) == seeded
    assert {r.kind for r in resources} == set(kinds)
    rows = {(r.kind, r.region, r.id): r for r in price_resources(resources)}
    prod, staging = (
        rows["eks:cluster", "us-east-1", "prod-platform"],
        rows["eks:cluster", "us-west-2", "staging-platform"],
    )
    assert prod.monthly_cost == 438.0 and "on extended support" in str(prod.cost_basis)
    assert staging.monthly_cost == 73.0 and "on standard support" in str(staging.cost_basis)
    idle = rows["sagemaker:notebook-instance", "us-east-1", "ds-exploration"]
    assert (idle.state, idle.details["instance_type"], idle.monthly_cost) == ("InService", "ml.t3.medium", 36.5)
    assert rows["sagemaker:notebook-instance", "us-east-1", "ds-forecasting"].state == "Stopped"
    assert rows["sagemaker:endpoint", "us-east-1", "churn-predictor"].monthly_cost == 167.9
    assert {r.state for r in resources if r.kind == "route53:hosted-zone"} == {"public", "private"}
    assert {r.state for r in resources if r.kind == "kms:key"} == {"Enabled", "PendingDeletion"}
    assert {r.state for r in resources if r.kind == "secretsmanager:secret"} == {"active", "PendingDeletion"}
