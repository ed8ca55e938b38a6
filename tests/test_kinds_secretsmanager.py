"""Secrets Manager secrets (aws/kinds/secretsmanager.py) against moto: fields, tags, pending
deletion, paging; and their prices."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.model import Resource

ACCOUNT = "123456789012"


def _failures(collector: Any) -> list[str | None]:
    return [r.code for r in collector.results if r.code]


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
