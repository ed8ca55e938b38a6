"""The safety-rail cases of tracker_tui/aws/actions/logs.py (see base.py for the shape):
deleting a log group, and setting a retention on one that has none (``m``)."""

from __future__ import annotations

import boto3

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, where


def make_log_group(tags: Tags) -> str:
    extra = {"tags": dict(tags)} if tags else {}
    boto3.client("logs", region_name=where()).create_log_group(logGroupName="/rails/app", **extra)
    return "/rails/app"


def log_group_state(ident: str) -> str:
    groups = boto3.client("logs", region_name=where()).describe_log_groups(logGroupNamePrefix=ident)["logGroups"]
    return "exists" if any(g["logGroupName"] == ident for g in groups) else GONE


def log_group_retention(ident: str) -> str:
    """What modify changes: the retention, as the row's state column says it."""
    groups = boto3.client("logs", region_name=where()).describe_log_groups(logGroupNamePrefix=ident)["logGroups"]
    days = next((g.get("retentionInDays") for g in groups if g["logGroupName"] == ident), None)
    return f"retain-{days}d" if days else "no-retention"


CASES: dict[str, Case] = {
    "log-group-delete": Case(
        "logs:log-group", "delete", make_log_group, log_group_state, "exists", GONE, calls("DeleteLogGroup")
    ),
    # The rails run with the default log_retention_days (90).
    "log-group-modify": Case(
        "logs:log-group",
        "modify",
        make_log_group,
        log_group_retention,
        "no-retention",
        "retain-90d",
        calls("PutRetentionPolicy"),
    ),
}
SERVICES: dict[str, str] = {"log-group-delete": "logs", "log-group-modify": "logs"}
DONE_MESSAGES: dict[str, str] = {"log-group-delete": "deleted", "log-group-modify": "retention set to 90 days"}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "log-group-delete": ("logs", "DescribeLogGroups"),
    "log-group-modify": ("logs", "DescribeLogGroups"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    "log-group-delete": "it was not deleted within 0.3 s (state: still listed)",
    "log-group-modify": "it was not set to keep 90 days within 0.3 s (state: never expires)",
}
STATE_REFUSALS: list[StateRefusal] = [
    ("log-group-modify", "logGroups.0.retentionInDays", 30,
     "it has a retention already (30 days, retentionInDays); tracker-tui sets one only where there is none", False),
]
