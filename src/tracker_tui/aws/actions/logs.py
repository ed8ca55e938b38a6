"""CloudWatch Logs actions: delete a log group, or set a retention on one that keeps every event
(``m``, the ``no-retention`` finding's fix).  Its tags are re-read first: the scan does not list them."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Refused,
    Step,
    Verify,
    code_of,
    message_of,
)
from tracker_tui.aws.kinds.logs import KIND as LOG_GROUP
from tracker_tui.aws.kinds.logs import NO_RETENTION, list_log_groups
from tracker_tui.config import LOG_RETENTION_DAYS
from tracker_tui.model import Resource, format_cost


def _describe(logs: Any, name: str) -> dict[str, Any] | None:
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name):
        for group in page.get("logGroups", []):
            if group.get("logGroupName") == name:
                return dict(group)
    return None


def _tags(logs: Any, group: dict[str, Any]) -> dict[str, str]:
    """ListTagsForResource, else the older ListTagsLogGroup; refused when neither answers."""
    arn = group.get("logGroupArn") or str(group.get("arn") or "").removesuffix(":*")
    first_error: BaseException | None = None
    if arn:
        try:
            return dict(logs.list_tags_for_resource(resourceArn=arn).get("tags") or {})
        except ClientError as exc:
            first_error = exc
    try:
        return dict(logs.list_tags_log_group(logGroupName=group["logGroupName"]).get("tags") or {})
    except ClientError as exc:
        failure = first_error or exc
        raise Refused(
            f"cannot read its tags ({code_of(failure)}: {message_of(failure)}); refusing without checking",
            code_of(failure),
        ) from None


def delete_log_group(step: Step) -> Verify:
    logs = step.client("logs")
    name = step.resource.id
    group = step.reread(lambda: _describe(logs, name))
    step.check_tags(_tags(logs, group))
    if group.get("deletionProtectionEnabled"):
        step.refuse("deletion protection is on (deletionProtectionEnabled); tracker-tui never switches it off")
    request_id = step.call(logs, "delete_log_group", logGroupName=name)

    def verify() -> ActionUpdate:
        step.poll_gone(lambda: _describe(logs, name) is not None, "deleted")
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


def _retention_text(days: object) -> str:
    return f"{days} days" if days else "never expires"


def put_retention(step: Step) -> Verify:
    """Set the config's retention on a group that has none; AWS then deletes the older events."""
    logs = step.client("logs")
    name = step.resource.id
    days = step.options.log_retention_days
    if days not in LOG_RETENTION_DAYS:
        # The config file's check keeps a bad value out; this holds for options built elsewhere.
        step.refuse(f"log_retention_days {days} is not a retention CloudWatch Logs accepts")
    group = step.reread(lambda: _describe(logs, name))
    step.check_tags(_tags(logs, group))
    current = group.get("retentionInDays")
    if current:
        step.refuse(
            f"it has a retention already ({current} days, retentionInDays); "
            "tracker-tui sets one only where there is none"
        )
    request_id = step.call(logs, "put_retention_policy", logGroupName=name, retentionInDays=days)

    def verify() -> ActionUpdate:
        seen = {"state": "never expires"}

        def kept() -> bool:
            now = step.find(lambda: _describe(logs, name))
            seen["state"] = "not found" if now is None else _retention_text(now.get("retentionInDays"))
            return now is not None and now.get("retentionInDays") == days

        step.poll(kept, f"set to keep {days} days", lambda: seen["state"])
        # Repriced as re-read: the finding is gone; what it stores shrinks as AWS deletes.
        fresh = step.reread_resource(list_log_groups, logGroupNamePrefix=name)
        return step.done(f"retention set to {days} days", result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def _retention_saving(resource: Resource) -> float | None:
    """What the row's ``no-retention`` finding says (all it stores today, at most), so the dialog
    and the cost panel agree.  A group with a retention already saves nothing (it will be
    refused): 0.0, not unknown, so it leaves a bulk dialog's total known."""
    if resource.details.get("retention_days"):
        return 0.0
    finding = next((f for f in resource.findings if f.id == NO_RETENTION.id), None)
    return finding.monthly_saving if finding is not None else resource.monthly_cost


def _retention_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    current = resource.details.get("retention_days")
    if current:
        return f"it has a retention already ({current} days): only a group with none is changed (it will be refused)"
    days = options.log_retention_days
    saving = _retention_saving(resource)
    saves = (
        f"saves up to {format_cost(saving)}/mo (what it stores today)"
        if saving is not None
        else "saves an unknown amount (its stored bytes are unknown)"
    )
    return (
        f"retention {days} days: AWS then deletes events older than {days} days, now and from then on; "
        f"this cannot be undone; {saves}"
    )


ACTIONS = (
    ActionSpec(
        LOG_GROUP,
        "delete",
        delete_log_group,
        iam_actions=("logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:DeleteLogGroup"),
        iam_fallbacks={"logs:ListTagsForResource": ("logs:ListTagsLogGroup",)},
    ),
    # Not single_key: AWS deletes the events older than the retention, so even one row
    # confirms with the account's name typed.
    ActionSpec(
        LOG_GROUP,
        "modify",
        put_retention,
        iam_actions=("logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:PutRetentionPolicy"),
        iam_fallbacks={"logs:ListTagsForResource": ("logs:ListTagsLogGroup",)},
        note=_retention_note,
        saving=_retention_saving,
    ),
)
