"""CloudWatch Logs actions: delete a log group (its tags re-read first: the scan does not list them)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import ActionSpec, ActionUpdate, Refused, Step, Verify, code_of, message_of
from tracker_tui.aws.kinds.logs import KIND as LOG_GROUP


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


ACTIONS = (
    ActionSpec(
        LOG_GROUP,
        "delete",
        delete_log_group,
        iam_actions=("logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:DeleteLogGroup"),
        iam_fallbacks={"logs:ListTagsForResource": ("logs:ListTagsLogGroup",)},
    ),
)
