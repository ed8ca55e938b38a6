"""Lambda functions (aws/kinds/awslambda.py) against moto: runtime, memory, paging."""

from __future__ import annotations

import io
import zipfile

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
