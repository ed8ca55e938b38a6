"""Lambda functions (aws/kinds/awslambda.py) against moto: runtime, memory, paging."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.model import Resource

ACCOUNT = "123456789012"
LAMBDA_TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


def assert_owned(resource: Resource, kind: str, region: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT


# --- Lambda ----------------------------------------------------------------------------


def _function_code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def main(event, context):\n    return event\n")
    return buffer.getvalue()


def _create_functions(region: str, specs: list[tuple[str, str, int]]) -> None:
    role = boto3.client("iam", region_name=region).create_role(
        RoleName="lambda-exec", AssumeRolePolicyDocument=LAMBDA_TRUST
    )["Role"]["Arn"]
    lam = boto3.client("lambda", region_name=region)
    code = _function_code()
    for name, runtime, memory in specs:
        lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler="handler.main",
            Code={"ZipFile": code},
            MemorySize=memory,
        )


def test_lambda_functions_runtime_and_memory() -> None:
    with mock_aws():
        _create_functions("eu-west-1", [("resize", "python3.12", 512), ("notify", "nodejs20.x", 128)])

        resources, _ = helpers.scan(["lambda:function"], ["us-east-1", "eu-west-1"])

    found = {r.id: r for r in resources}
    assert set(found) == {"resize", "notify"}
    for fn in found.values():
        assert_owned(fn, "lambda:function", "eu-west-1")
        assert fn.arn == f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{fn.id}"
        assert fn.name == fn.id
    assert found["resize"].details["runtime"] == "python3.12"
    assert found["resize"].details["memory_mb"] == 512
    assert found["notify"].details["runtime"] == "nodejs20.x"
    assert found["notify"].details["memory_mb"] == 128


def test_lambda_functions_ask_for_pages_and_return_everything() -> None:
    with mock_aws():
        names = [f"fn-{i}" for i in range(5)]
        _create_functions("us-east-1", [(name, "python3.12", 128) for name in names])
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["lambda:function"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    # moto 5.2 ignores MaxItems on ListFunctions (one page with everything), so we can only
    # prove that the page size was asked for.
    pages = named(calls, "lambda.ListFunctions")
    assert pages
    assert all(params["MaxItems"] == 2 for params in pages)


# --- lambda-usage: the cost from what ran, when the checks run ---------------------------------


def _usage_row(name: str, region: str, memory: int, arch: str, modified: str) -> Resource:
    return Resource(
        kind="lambda:function", id=name, region=region, account_id=ACCOUNT, name=name, state="Active",
        details={"memory_mb": memory, "architectures": [arch], "last_modified": modified},
    )  # fmt: skip


def _check(rows: list[Resource]) -> dict[str, Resource]:
    from tracker_tui.aws.idle import plan_checks, run_checks

    session = helpers.moto_session()
    report = run_checks(plan_checks(rows), lambda _: session, now=NOW)
    return {r.id: r for r in report.resources}


NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
OLD = "2026-01-10T08:00:00Z"


def _put_usage(name: str, calls: float, millis: float) -> None:
    from tests.support.metrics import check_days

    data = [
        {"MetricName": metric, "Dimensions": [{"Name": "FunctionName", "Value": name}],
         "Timestamp": day + timedelta(hours=12), "Value": value}
        for day in check_days(NOW)
        for metric, value in (("Invocations", calls), ("Duration", millis))
    ]  # fmt: skip
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(Namespace="AWS/Lambda", MetricData=data)


def test_the_checks_price_a_function_from_its_requests_and_gb_seconds() -> None:
    with mock_aws():
        # 100,000 calls a day of 200 ms on 1,024 MB arm64: 1.4M requests and 280,000 GB-s in 14 days.
        _put_usage("api", 100_000, 100_000 * 200)
        got = _check([_usage_row("api", "us-east-1", 1024, "arm64", OLD)])

    row = got["api"]
    # 1.4 x $0.20 + 280,000 x $0.0000133334 = $0.28 + $3.733352 = $4.013352; x 730 / 336 = $8.72.
    assert row.monthly_cost == 8.72
    assert row.cost_basis is not None
    assert "1,400,000 requests, 280,000 GB-s (280,000 s x 1,024 MB, arm64) over 14 days" in row.cost_basis
    assert "x $0.0000133334/GB-s = $4.0134, x 730 h / 336 h = $8.72/mo" in row.cost_basis
    assert row.findings == ()  # a price, never a finding
    assert row.details["idle_check"].startswith("priced: ")


def test_a_function_that_ran_nothing_costs_nothing_but_a_new_one_is_no_data() -> None:
    with mock_aws():
        got = _check([
            _usage_row("quiet", "us-east-1", 256, "x86_64", OLD),
            _usage_row("new", "us-east-1", 256, "x86_64", "2026-11-30T08:00:00Z"),
        ])  # fmt: skip

    # Lambda publishes nothing for a function nobody calls: changed before the window, it ran nothing.
    assert got["quiet"].monthly_cost == 0.0
    assert "0 requests, 0 GB-s" in (got["quiet"].cost_basis or "")
    assert "read as 0" in got["quiet"].details["idle_check"]
    assert got["new"].monthly_cost is None
    assert got["new"].details["idle_check"].startswith("no data: ")


def test_usage_where_lambda_is_not_priced_stays_unknown_with_the_reason() -> None:
    with mock_aws():
        boto3.client("cloudwatch", region_name="eu-west-1").put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[{"MetricName": m, "Dimensions": [{"Name": "FunctionName", "Value": "eu"}],
                         "Timestamp": NOW - timedelta(days=2), "Value": 10.0} for m in ("Invocations", "Duration")],
        )  # fmt: skip
        got = _check([_usage_row("eu", "eu-west-1", 128, "x86_64", OLD)])

    assert got["eu"].monthly_cost is None
    assert "no catalogue price for Lambda in eu-west-1" in (got["eu"].cost_basis or "")
    assert got["eu"].details["idle_check"].startswith("measured, not priced: ")


def test_lambda_usage_is_a_price_not_a_finding_id() -> None:
    from tracker_tui.aws.kinds import REGISTRY

    assert "lambda-usage" not in REGISTRY.finding_labels()
    assert [rule.id for rule in REGISTRY["lambda:function"].metric_rules] == ["lambda-usage"]
