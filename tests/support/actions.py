"""Running action handlers against moto: plan and run a verb, launch an instance, hook a call.

For the tests of ``tracker_tui/aws/actions/`` that drive the runner directly (the rails'
cases have their own, in tests/support/rails/).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from tests.support.rails.base import ACCOUNT, AMI, FAST
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, plan
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

#: The fields of every audit line.
AUDIT_FIELDS = {"time", "account", "region", "kind", "id", "action", "request_id", "result"}


def runner(session: AwsSession, audit: AuditLog, **options: Any) -> ActionRunner:
    return ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)


def act(
    session: AwsSession,
    audit: AuditLog,
    resources: list[Resource],
    verb: str,
    **options: Any,
) -> tuple[list[ActionUpdate], list[ActionUpdate]]:
    """Plan and run ``verb``; returns (final updates, every update in order)."""
    run = runner(session, audit, **options)
    seen: list[ActionUpdate] = []
    finals = run.run(plan(resources, verb, run.options), seen.append)  # type: ignore[arg-type]
    return finals, seen


def run_instance(ec2: Any, tags: dict[str, str] | None = None, **extra: Any) -> str:
    kwargs: dict[str, Any] = {"ImageId": AMI, "MinCount": 1, "MaxCount": 1, "InstanceType": "t3.micro", **extra}
    if tags:
        kwargs["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return ec2.run_instances(**kwargs)["Instances"][0]["InstanceId"]


def instance_state(ec2: Any, instance_id: str) -> str:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


def on_call(session: AwsSession, service: str, region: str, operation: str, handler: Callable[..., Any]) -> None:
    """Register ``handler`` for ``before-call`` of one operation on the session's cached client."""
    client = session.client(service, region)
    client.meta.events.register(f"before-call.{client.meta.service_model.service_id.hyphenize()}.{operation}", handler)


def statuses(updates: list[ActionUpdate], resource_id: str) -> list[Status]:
    return [u.status for u in updates if u.resource.id == resource_id]
