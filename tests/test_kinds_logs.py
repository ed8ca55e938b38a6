"""CloudWatch log groups (aws/kinds/logs.py) against moto: retention, stored bytes, created,
paging; and their storage price."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.prices import cost, res
from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"
GIB = 2**30


def assert_owned(resource: Resource, kind: str, region: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT


# --- CloudWatch Logs -------------------------------------------------------------------


def test_log_groups_retention_stored_bytes_and_created() -> None:
    with mock_aws():
        logs = boto3.client("logs", region_name="eu-west-1")
        logs.create_log_group(logGroupName="/app/kept")
        logs.put_retention_policy(logGroupName="/app/kept", retentionInDays=30)
        logs.create_log_group(logGroupName="/app/forever")
        described = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}

        resources, _ = helpers.scan(["logs:log-group"], ["us-east-1", "eu-west-1"])

    groups = {r.id: r for r in resources}
    assert set(groups) == {"/app/kept", "/app/forever"}
    kept, forever = groups["/app/kept"], groups["/app/forever"]
    for group in (kept, forever):
        assert_owned(group, "logs:log-group", "eu-west-1")
        assert group.arn == f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{group.id}"
        # moto always reports storedBytes 0; the field is carried, not invented.
        assert group.details["stored_bytes"] == 0
    assert kept.details["retention_days"] == 30
    assert kept.details["retention"] == "30 days"
    assert forever.details.get("retention_days") is None
    assert forever.details["retention"] == "never expires"
    expected_created = datetime.fromtimestamp(described["/app/kept"]["creationTime"] / 1000, tz=UTC)
    assert kept.created == iso_utc(expected_created)


def test_log_groups_paginate_past_the_first_page() -> None:
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        names = [f"/paged/{i}" for i in range(5)]
        for name in names:
            logs.create_log_group(logGroupName=name)
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["logs:log-group"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "logs.DescribeLogGroups")
    assert len(pages) == 3  # 2 + 2 + 1
    assert all(params["limit"] == 2 for params in pages)


# --- prices ---------------------------------------------------------------------------------------


def test_log_group_storage() -> None:
    r = res("logs:log-group", state="active", stored_bytes=10 * GIB)
    assert estimate(r) == (0.3, "log storage us-east-1, 10 GB x $0.03/GB-mo = $0.30 + ingestion, usage-dependent")
    assert cost(res("logs:log-group", "ap-southeast-2", "active", stored_bytes=100 * GIB)) == 3.3
    assert cost(res("logs:log-group", state="active", stored_bytes=0)) == 0.0
