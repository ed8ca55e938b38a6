"""Secrets Manager secrets (aws/kinds/secretsmanager.py) against moto: fields, tags, pending
deletion, paging; and their prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.aws.kinds import Thresholds, estimate, price_resources
from tracker_tui.filtering import parse_filter
from tracker_tui.findings import with_findings
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


# --- secret-unused --------------------------------------------------------------------------------


def _days_ago(days: int) -> str:
    """A day ``days`` ago, at midnight UTC as AWS keeps LastAccessedDate."""
    day = (datetime.now(UTC) - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    return f"{day:%Y-%m-%dT%H:%M:%SZ}"


def _secret(name: str, created: int, accessed: int | None = None, **extra: Any) -> Resource:
    details: dict[str, Any] = {"rotation_enabled": False, **extra.pop("details", {})}
    if accessed is not None:
        details["last_accessed"] = _days_ago(accessed)
    return Resource(kind="secretsmanager:secret", id=name, region=extra.pop("region", "us-east-1"),
                    state=extra.pop("state", "active"), created=_days_ago(created), details=details)  # fmt: skip


def test_a_secret_not_read_for_longer_than_secret_unused_days_saves_its_fee() -> None:
    rows = [
        _secret("read-in-summer", created=700, accessed=120),   # last read 120 days ago
        _secret("never-read", created=400),                      # never read, made 400 days ago
        _secret("read-last-week", created=700, accessed=7),
        _secret("read-90-days-ago", created=700, accessed=90),   # not over the limit
        _secret("new", created=10),                              # never read, but new
        _secret("deleting", created=700, accessed=300, state="PendingDeletion"),  # no fee any more
        _secret("rds-managed", created=700, accessed=300, details={"owning_service": "rds"}),
        _secret("far", created=700, accessed=300, region="xx-nowhere-1"),  # not priced
    ]  # fmt: skip
    found = {r.id: [f for f in r.findings if f.id == "secret-unused"] for r in with_findings(price_resources(rows))}
    (summer,), (never,), (far,) = found.pop("read-in-summer"), found.pop("never-read"), found.pop("far")
    assert (summer.monthly_saving, summer.confidence, summer.action) == (0.4, "medium", None)
    assert summer.evidence == (
        f"last read {_days_ago(120)[:10]} (120 days ago, over the 90-day limit, secret_unused_days); costs "
        "$0.40/mo (secret, $0.40/mo + API calls, usage-dependent); it may still be a break-glass credential kept "
        "for a bad day: ask its owner before scheduling its deletion (a 7-30 day wait, cancellable)"
    )
    assert never.monthly_saving == 0.4
    assert never.evidence.startswith(f"never read since it was created {_days_ago(400)} (400 days ago, over the 90")
    assert far.monthly_saving is None and "monthly cost unknown (no catalogue prices for region xx-nowhere-1)" in (
        far.evidence
    )
    assert found == {name: [] for name in ("read-last-week", "read-90-days-ago", "new", "deleting", "rds-managed")}
    priced = with_findings(price_resources(rows))
    shown = [r.id for r in priced if parse_filter("finding:secret-unused").matches(r)]
    assert shown == ["read-in-summer", "never-read", "far"]


def test_secret_unused_days_is_the_users_to_set() -> None:
    rows = price_resources([_secret("read-last-month", created=700, accessed=30), _secret("never-read", created=60)])
    assert [r.findings for r in with_findings(rows)] == [(), ()]  # 90 days by default
    strict = with_findings(rows, limits=Thresholds(secret_unused_days=20))
    assert [[f.id for f in r.findings] for r in strict] == [["secret-unused"], ["secret-unused"]]
    assert "over the 20-day limit, secret_unused_days" in strict[0].findings[0].evidence
