"""SageMaker notebook instances and endpoints (aws/kinds/sagemaker.py) against moto: fields, states,
tags, variants, paging; and their prices with their bases."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/svc"


def _priced(resources: list[Resource]) -> dict[str, tuple[float | None, str]]:
    return {r.id: estimate(r) for r in resources}


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
