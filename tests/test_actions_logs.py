"""The log group handler of aws/actions/logs.py against moto: deleted, its tags read first, deletion
protection (a protected tag) refused."""

from __future__ import annotations

from typing import Any

from moto import mock_aws

from tests.support import helpers
from tests.support.actions import act
from tests.support.rails.base import scanned
from tracker_tui.aws.actions import Status
from tracker_tui.store import AuditLog

# --- helpers -----------------------------------------------------------------------------


# --- log groups ----------------------------------------------------------------------------


def test_delete_log_group(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/app/old")
        logs.create_log_group(logGroupName="/app/old-but-kept")
        row = scanned(session, "logs:log-group")["/app/old"]

        (done,), _ = act(session, audit, [row], "delete")

        names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert names == ["/app/old-but-kept"]
    assert (done.status, done.deleted) == (Status.DONE, True)


def test_log_group_tags_are_read_before_deleting(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/audit/trail", tags={"protected": "true"})
        row = scanned(session, "logs:log-group")["/audit/trail"]
        assert row.tags == {}  # the scan does not list log group tags

        (refused,), _ = act(session, audit, [row], "delete")

        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/audit/trail"]
    assert refused.message == "tag protected is set"


def test_log_group_deletion_protection_refuses(audit: AuditLog) -> None:
    # moto 5.2 has no PutLogGroupDeletionProtection: the flag is added to DescribeLogGroups' answer.
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/audit/trail")
        row = scanned(session, "logs:log-group")["/audit/trail"]

        def protected(parsed: dict[str, Any], **_: Any) -> None:
            for group in parsed.get("logGroups", []):
                group["deletionProtectionEnabled"] = True

        logs.meta.events.register("after-call.cloudwatch-logs.DescribeLogGroups", protected)

        (refused,), _ = act(session, audit, [row], "delete")

        logs.meta.events.unregister("after-call.cloudwatch-logs.DescribeLogGroups", protected)
        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/audit/trail"]
    assert refused.message == (
        "deletion protection is on (deletionProtectionEnabled); tracker-tui never switches it off"
    )
