"""``tracker-tui prices update`` end to end: the account is moto (in-process), the Price List API
is answered (or refused) by a ``before-call`` hook on every session, so nothing leaves the
process; the prices it fetches are the ones the next scan uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tests.support.helpers import hook_every_session, run_cli
from tests.support.prices import offer
from tracker_tui.history import ScanHistory
from tracker_tui.model import Identity, Resource
from tracker_tui.store import Inventory

ACCOUNT = "123456789012"


class PriceList:
    """Answers GetProducts on every session the CLI opens: ``prices`` maps an instance type (the
    ``instanceType`` filter) to a USD/hour string; ``error`` replaces every answer."""

    def __init__(self) -> None:
        self.prices: dict[str, str] = {}
        self.error: Exception | None = None
        self.asked: list[dict[str, str]] = []

    def __call__(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # ``params`` is the serialised request: the Price List API speaks JSON.
        filters = {f["Field"]: f["Value"] for f in json.loads(params["body"])["Filters"]}
        self.asked.append(filters)
        if self.error is not None:
            raise self.error
        usd = self.prices.get(filters.get("instanceType", ""))
        answer = [offer(usd)] if usd else []
        return AWSResponse("https://api.pricing.us-east-1.amazonaws.com/", 200, {}, None), {
            "FormatVersion": "aws_v1",
            "PriceList": answer,
        }


@pytest.fixture
def price_list(monkeypatch: pytest.MonkeyPatch) -> Iterator[PriceList]:
    """moto in-process with one running m5.large (Linux) in us-east-1; the Price List API hooked."""
    api = PriceList()
    hook_every_session(monkeypatch, "before-call.pricing.GetProducts", api)
    with mock_aws():
        boto3.client("ec2", region_name="us-east-1").run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large"
        )
        yield api


def instances(out: str) -> list[dict[str, Any]]:
    return [r for r in json.loads(out)["resources"] if r["kind"] == "ec2:instance"]


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("tracker-tui: error: ")
    return last


def test_update_fetches_what_the_scan_needs_and_the_next_scan_uses_it(price_list: PriceList) -> None:
    code, out, _ = run_cli("scan", "--format", "json", "--region", "us-east-1", "--kind", "ec2:instance")
    assert code == 0
    (before,) = instances(out)
    assert before["monthly_cost"] == 70.08 and "(catalogue " in before["cost_basis"]
    assert price_list.asked == []  # a scan reads the cache only: no Price List call without live_prices

    price_list.prices["m5.large"] = "0.1010000000"
    code, out, err = run_cli("prices", "update", "--region", "us-east-1", "--kind", "ec2:instance")

    assert code == 0, err
    assert f"no saved scan of {ACCOUNT}: scanning now (read-only)" in err
    assert price_list.asked == [
        {
            "instanceType": "m5.large",
            "regionCode": "us-east-1",
            "operatingSystem": "Linux",
            "preInstalledSw": "NA",
            "licenseModel": "No License required",
            "tenancy": "Shared",
            "capacitystatus": "Used",
        }
    ]
    assert "1 prices for 1 rows: 1 fetched, 0 not sold as asked (kept as unknown), 0 failed" in out
    assert "rows whose cost changes: 1 (0 newly priced); run-rate $70.08 -> $73.73" in out
    assert "$70.08 -> $73.73" in out.splitlines()[-1] and "us-east-1" in out.splitlines()[-1]

    code, out, _ = run_cli("scan", "--format", "json", "--region", "us-east-1", "--kind", "ec2:instance")
    (after,) = instances(out)
    assert after["monthly_cost"] == 73.73
    assert "(AWS Price List API, " in after["cost_basis"]
    assert len(price_list.asked) == 1  # the scan used the cache


def test_update_reads_the_last_saved_scan_and_prices_a_licensed_os(price_list: PriceList) -> None:
    rhel = Resource(
        "ec2:instance", "i-rhel", "us-east-1", account_id=ACCOUNT, state="running",
        details={"instance_type": "m5.large", "platform": "Red Hat Enterprise Linux",
                 "usage_operation": "RunInstances:0010"},
    )
    identity = Identity(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/ci")
    ScanHistory().save(Inventory(identity=identity, regions=["us-east-1"], resources=[rhel],
                                 scanned_at="2026-11-30T10:00:00Z", accounts=[identity]))
    price_list.prices["m5.large"] = "0.1248000000"

    code, out, err = run_cli("prices", "update", "--region", "us-east-1")

    assert code == 0, err
    assert "using the last saved scan" in err and "scanning" not in err
    (asked,) = price_list.asked
    assert (asked["operatingSystem"], asked["licenseModel"]) == ("RHEL", "No License required")
    assert "rows whose cost changes: 1 (1 newly priced); run-rate $0.00 + 1 unknown -> $91.10" in out
    assert "ec2:instance i-rhel us-east-1: unknown -> $91.10" in out


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            botocore.exceptions.ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "not authorized: pricing:GetProducts"}},
                "GetProducts",
            ),
            "AccessDeniedException",
        ),
        (botocore.exceptions.EndpointConnectionError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com/"),
         "Could not connect"),
    ],
)
def test_update_without_permission_or_network_is_one_line_and_the_catalogue_stands(
    price_list: PriceList, error: Exception, says: str
) -> None:
    price_list.error = error
    code, out, err = run_cli("prices", "update", "--region", "us-east-1", "--kind", "ec2:instance")
    assert code == 2 and out == ""
    line = one_line_error(err)
    assert "the AWS Price List API cannot be used" in line and says in line
    assert "the shipped catalogue's prices stand" in line
    assert len(price_list.asked) == 1  # gave up at the first refusal

    code, out, _ = run_cli("scan", "--format", "json", "--region", "us-east-1", "--kind", "ec2:instance")
    (row,) = instances(out)
    assert row["monthly_cost"] == 70.08 and "(catalogue " in row["cost_basis"]


def test_update_refuses_the_demo_and_names_the_catalogue() -> None:
    code, out, err = run_cli("prices", "update", "--demo")
    assert code == 2 and out == ""
    assert "the demo account has no Price List API" in one_line_error(err)


def test_prices_needs_an_action() -> None:
    code, _, err = run_cli("prices")
    assert code == 2 and "Traceback" not in err
