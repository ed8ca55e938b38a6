"""OpenSearch domains (aws/kinds/opensearch.py) against moto: fields, tags, batched describes, one
call for an empty region; and their prices by storage type, refusing to guess."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource

ACCOUNT = "123456789012"


def _priced(resources: list[Resource]) -> dict[str, tuple[float | None, str]]:
    return {r.id: estimate(r) for r in resources}


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
