"""The small fixed fees: Route 53 hosted zones (global), customer-managed KMS keys, Secrets
Manager secrets.  Listing against moto (fields, tags, paging past page 1; Stubber for KMS,
whose ListKeys moto does not page), the customer-managed-only filter, and the prices, pending
deletion included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests import helpers
from tests.helpers import named, record_calls
from tests.test_paging_stubbed import Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.kms import list_keys
from tracker_tui.model import GLOBAL_REGION, Resource

ACCOUNT = "123456789012"
CREATED = datetime(2025, 1, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


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


# --- Secrets Manager --------------------------------------------------------------------------------


def test_secrets_fields_tags_pending_deletion_prices_and_paging() -> None:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-west-2")
        for name, tags in (("prod/orders/db", {"env": "prod"}), ("prod/api-key", {}), ("old/crm", {"env": "old"})):
            client.create_secret(
                Name=name,
                SecretString="s3cr3t",
                Description=f"{name} credentials",
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )
        client.get_secret_value(SecretId="prod/orders/db")
        client.delete_secret(SecretId="old/crm", RecoveryWindowInDays=7)
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, collector = helpers.scan(["secretsmanager:secret"], ["us-west-2"], session=session, page_size=1)

    assert _failures(collector) == []
    found = {r.id: r for r in price_resources(resources)}
    assert set(found) == {"prod/orders/db", "prod/api-key", "old/crm"}  # the one scheduled for deletion too
    orders = found["prod/orders/db"]
    assert (orders.kind, orders.region, orders.state, orders.tags) == (
        "secretsmanager:secret",
        "us-west-2",
        "active",
        {"env": "prod"},
    )
    assert orders.arn and orders.arn.startswith(f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:prod/orders/db-")
    assert orders.details["description"] == "prod/orders/db credentials"
    assert orders.details["rotation_enabled"] is False and orders.created
    assert (orders.monthly_cost, orders.cost_basis) == (0.4, "secret, $0.40/mo + API calls, usage-dependent")
    crm = found["old/crm"]
    assert crm.state == "PendingDeletion" and crm.details["deletion_date"]
    assert (crm.monthly_cost, crm.cost_basis) == (
        0.0,
        f"scheduled for deletion on {crm.details['deletion_date'][:10]}: no charge",
    )
    pages = named(calls, "secretsmanager.ListSecrets")
    assert len(pages) >= 3 and all(p["IncludePlannedDeletion"] is True and p["MaxResults"] == 1 for p in pages)
    assert [bool(p.get("NextToken")) for p in pages][:3] == [False, True, True]


def test_secret_prices_for_bare_rows() -> None:
    assert estimate(Resource(kind="secretsmanager:secret", id="s", region="eu-west-1", state="active"))[0] == 0.4
    assert estimate(Resource(kind="secretsmanager:secret", id="s", region="xx-nowhere-1", state="active")) == (
        None,
        "no catalogue prices for region xx-nowhere-1",
    )


def test_a_region_without_keys_costs_one_call() -> None:
    # Most regions of an account hold no key: no ListAliases there (one request per empty cell).
    with mock_aws():
        session = helpers.moto_session()
        calls = record_calls(session)
        found, _ = helpers.scan(["kms:key"], ["eu-north-1"], session=session)
    assert found == []
    assert [name for name, _ in calls] == ["kms.ListKeys"]
