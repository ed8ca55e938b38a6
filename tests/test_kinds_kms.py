"""KMS keys (aws/kinds/kms.py): customer-managed only, with aliases and tags, paging past page 1
(Stubber: moto's ListKeys does not page) and against moto; one call for a region without keys;
and their prices, pending deletion included."""

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
from tracker_tui.aws.kinds.kms import list_keys
from tracker_tui.findings import with_findings
from tracker_tui.model import Resource

ACCOUNT = "123456789012"
CREATED = datetime(2025, 1, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


def _failures(collector: Any) -> list[str | None]:
    return [r.code for r in collector.results if r.code]


# --- KMS keys: paging, the customer-managed filter, aliases (Stubber) -------------------------------


def _meta(key_id: str, manager: str, state: str = "Enabled", **extra: Any) -> dict[str, Any]:
    return {
        "KeyMetadata": {
            "AWSAccountId": ACCOUNT,
            "KeyId": key_id,
            "Arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}",
            "CreationDate": CREATED,
            "KeyState": state,
            "KeyManager": manager,
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "Origin": "AWS_KMS",
            **extra,
        }
    }


def _key_ids(*ids: str) -> list[dict[str, str]]:
    return [{"KeyId": i, "KeyArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{i}"} for i in ids]


def test_kms_lists_customer_keys_only_past_page_one_with_aliases_and_tags(stubs: Stubs) -> None:
    kms = stubs("kms")
    # Page 1: a customer key and an AWS-managed one (described, then dropped: no tags asked).
    kms.add_response(
        "list_keys", {"Keys": _key_ids("k-app", "k-aws-s3"), "Truncated": True, "NextMarker": "m2"}, {"Limit": 2}
    )
    kms.add_response("describe_key", _meta("k-app", "CUSTOMER", Description="app data"), {"KeyId": "k-app"})
    kms.add_response(
        "list_resource_tags", {"Tags": [{"TagKey": "env", "TagValue": "prod"}], "Truncated": False}, {"KeyId": "k-app"}
    )
    kms.add_response("describe_key", _meta("k-aws-s3", "AWS"), {"KeyId": "k-aws-s3"})
    # The region's aliases, once, beside the first page's keys (two pages of them too).
    kms.add_response(
        "list_aliases",
        {
            "Aliases": [
                {"AliasName": "alias/aws/s3", "TargetKeyId": "k-aws-s3"},
                {"AliasName": "alias/app-data", "TargetKeyId": "k-app"},
            ],
            "Truncated": True,
            "NextMarker": "a2",
        },
        {"Limit": 2},
    )
    kms.add_response(
        "list_aliases",
        {
            "Aliases": [{"AliasName": "alias/app-primary", "TargetKeyId": "k-app"}, {"AliasName": "alias/unused"}],
            "Truncated": False,
        },
        {"Limit": 2, "Marker": "a2"},
    )
    # Page 2: a key pending deletion, and one whose key policy denies DescribeKey.
    deletion = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)
    kms.add_response(
        "list_keys", {"Keys": _key_ids("k-old", "k-locked"), "Truncated": False}, {"Limit": 2, "Marker": "m2"}
    )
    kms.add_response(
        "describe_key", _meta("k-old", "CUSTOMER", "PendingDeletion", DeletionDate=deletion), {"KeyId": "k-old"}
    )
    kms.add_response("list_resource_tags", {"Tags": [], "Truncated": False}, {"KeyId": "k-old"})
    kms.add_client_error("describe_key", "AccessDeniedException", "not allowed", 400, {"KeyId": "k-locked"})

    found = collect(list_keys(stubs.context("us-east-1", ["us-east-1"], page_size=2)))

    stubs.assert_no_pending_responses()
    assert set(found) == {"k-app", "k-old", "k-locked"}  # never the AWS-managed key
    app = found["k-app"]
    assert (app.kind, app.region, app.state, app.tags) == ("kms:key", "us-east-1", "Enabled", {"env": "prod"})
    assert app.details["aliases"] == ["app-data", "app-primary"] and app.name == "app-data"
    assert (app.details["key_manager"], app.details["key_spec"], app.details["key_usage"]) == (
        "CUSTOMER",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
    )
    assert app.created == "2025-01-20T12:00:00Z"
    old = found["k-old"]
    assert (old.state, old.details["deletion_date"], old.name) == ("PendingDeletion", "2026-12-09T00:00:00Z", "")
    locked = found["k-locked"]
    assert (locked.state, locked.details["describe_error"]) == ("unknown", "AccessDeniedException")
    assert locked.arn == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k-locked"

    priced = {r.id: (r.monthly_cost, r.cost_basis) for r in price_resources(found.values())}
    assert priced == {
        "k-app": (1.0, "customer-managed key, $1.00/mo + requests, usage-dependent"),
        "k-old": (0.0, "pending deletion on 2026-12-09: no charge (it bills again if the deletion is cancelled)"),
        "k-locked": (
            1.0,
            "key (DescribeKey: AccessDeniedException; assumed customer-managed), $1.00/mo + requests, usage-dependent",
        ),
    }


# --- KMS keys against moto ------------------------------------------------------------------------


def test_kms_keys_in_moto_states_aliases_and_an_aws_managed_key_left_out() -> None:
    with mock_aws():
        kms = boto3.client("kms", region_name="eu-west-1")
        data = kms.create_key(Description="orders data", Tags=[{"TagKey": "team", "TagValue": "payments"}])
        data_id = data["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/orders", TargetKeyId=data_id)
        off_id = kms.create_key(Description="retired app")["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=off_id)
        gone_id = kms.create_key(Description="old exports")["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=gone_id, PendingWindowInDays=7)
        # moto makes every key a customer's; an AWS-managed one is what DescribeKey says it is.
        managed_id = kms.create_key(Description="Default key that protects my S3 objects")["KeyMetadata"]["KeyId"]
        session = helpers.moto_session()

        def aws_managed(parsed: dict[str, Any], **_: Any) -> None:
            meta = parsed.get("KeyMetadata") or {}
            if meta.get("KeyId") == managed_id:
                meta["KeyManager"] = "AWS"

        session.boto.events.register("after-call.kms.DescribeKey", aws_managed)
        calls = record_calls(session)

        resources, collector = helpers.scan(["kms:key"], ["eu-west-1"], session=session)

    assert _failures(collector) == []
    found = {r.id: r for r in price_resources(resources)}
    assert set(found) == {data_id, off_id, gone_id}
    assert all(p["KeyId"] != managed_id for p in named(calls, "kms.ListResourceTags"))
    data_key = found[data_id]
    assert (data_key.name, data_key.tags, data_key.details["aliases"]) == ("orders", {"team": "payments"}, ["orders"])
    assert data_key.arn == f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{data_id}"
    assert (data_key.monthly_cost, data_key.cost_basis) == (
        1.0,
        "customer-managed key, $1.00/mo + requests, usage-dependent",
    )
    off = found[off_id]
    assert (off.state, off.name) == ("Disabled", "retired app")
    assert (off.monthly_cost, off.cost_basis) == (
        1.0,
        "customer-managed key, $1.00/mo (disabled keys bill too) + requests, usage-dependent",
    )
    pending = found[gone_id]
    assert pending.state == "PendingDeletion" and pending.monthly_cost == 0.0
    assert pending.cost_basis == (
        f"pending deletion on {pending.details['deletion_date'][:10]}: no charge"
        " (it bills again if the deletion is cancelled)"
    )
    assert len(named(calls, "kms.ListAliases")) == 1


def test_kms_key_prices_outside_the_catalogue() -> None:
    key = Resource(kind="kms:key", id="k", region="xx-nowhere-1", state="Enabled")
    assert estimate(key) == (None, "no catalogue prices for region xx-nowhere-1")
    # Pending deletion is free wherever it is.
    assert estimate(Resource(kind="kms:key", id="k", region="xx-nowhere-1", state="PendingReplicaDeletion"))[0] == 0.0


def test_a_region_without_keys_costs_one_call() -> None:
    # Most regions of an account hold no key: no ListAliases there (one request per empty cell).
    with mock_aws():
        session = helpers.moto_session()
        calls = record_calls(session)
        found, _ = helpers.scan(["kms:key"], ["eu-north-1"], session=session)
    assert found == []
    assert [name for name, _ in calls] == ["kms.ListKeys"]


def test_a_disabled_key_is_found_for_its_fee_and_no_other_key_is() -> None:
    """``kms-disabled-key``: a disabled customer key bills $1.00 a month for nothing."""
    keys = [("off", "us-east-1", "Disabled"), ("on", "us-east-1", "Enabled"),
            ("gone", "us-east-1", "PendingDeletion"), ("far", "xx-nowhere-1", "Disabled")]  # fmt: skip
    rows = price_resources([Resource(kind="kms:key", id=i, region=where, state=s) for i, where, s in keys])
    found = {r.id: r.findings for r in with_findings(rows)}
    (finding,) = found["off"]
    assert (finding.id, finding.monthly_saving, finding.confidence, finding.action) == (
        "kms-disabled-key", 1.0, "medium", None
    )  # fmt: skip
    assert finding.evidence == (
        "disabled: it encrypts and decrypts nothing, yet AWS bills every customer-managed key that is not "
        "pending deletion; costs $1.00/mo (customer-managed key, $1.00/mo (disabled keys bill too) + requests, "
        "usage-dependent); scheduling its deletion (a 7-30 day wait, cancellable) ends the charge"
    )
    assert found["on"] == () and found["gone"] == ()  # in use; no longer billed
    (unpriced,) = found["far"]
    assert unpriced.monthly_saving is None  # a price not known is no saving of $0
    assert "monthly cost unknown" in unpriced.evidence
