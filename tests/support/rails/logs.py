"""The safety-rail case of tracker_tui/aws/actions/logs.py (see base.py for the shape):
deleting a log group."""

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


CASES: dict[str, Case] = {
    "log-group-delete": Case(
        "logs:log-group", "delete", make_log_group, log_group_state, "exists", GONE, calls("DeleteLogGroup")
    ),
}
SERVICES: dict[str, str] = {"log-group-delete": "logs"}
DONE_MESSAGES: dict[str, str] = {"log-group-delete": "deleted"}
VERIFIED_BY: dict[str, tuple[str, str]] = {"log-group-delete": ("logs", "DescribeLogGroups")}
VERIFY_TIMEOUTS: dict[str, str] = {"log-group-delete": "it was not deleted within 0.3 s (state: still listed)"}
STATE_REFUSALS: list[StateRefusal] = []
