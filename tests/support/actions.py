"""Running action handlers against moto: plan and run a verb, launch an instance, hook a call.

For the tests of ``tracker_tui/aws/actions/`` that drive the runner directly (the rails'
cases have their own, in tests/support/rails/).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import ACCOUNT, AMI, FAST, REGION
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


# --- EC2 snapshots, images and endpoints (tests/test_actions_ec2_*.py) -----------------------------


def ec2_client() -> Any:
    return boto3.client("ec2", region_name=REGION)


def delete_run(
    session: AwsSession, audit: AuditLog, row: Resource, **options: Any
) -> tuple[ActionUpdate, list[Status]]:
    """Delete ``row`` through the runner: its final update and every status it went through."""
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    seen: list[ActionUpdate] = []
    (final,) = runner.run(plan([row], "delete", runner.options), seen.append)
    return final, [u.status for u in seen]


def snapshot_phases(audit: AuditLog) -> list[tuple[str, str, str]]:
    """Each audit line's phase, operation and the snapshot it names ("" for none)."""
    return [
        (line["phase"], line["operation"], (line.get("params") or {}).get("SnapshotId", "")) for line in audit.tail(100)
    ]


def on_ec2_call(session: AwsSession, operation: str, handler: Callable[..., Any]) -> None:
    on_call(session, "ec2", REGION, operation, handler)


def after_ec2_call(session: AwsSession, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Alter every later answer of ``operation`` (after the scan: only the handler's re-read sees it)."""
    client = session.client("ec2", REGION)
    client.meta.events.register(f"after-call.ec2.{operation}", lambda parsed, **_: change(parsed) if parsed else None)


def also_maps(session: AwsSession, image: str, snapshot: str) -> None:
    """Every later DescribeImages answer has ``image`` name ``snapshot`` too (moto's RegisterImage
    ignores the block device mappings it is given, so an AMI of several snapshots is made so)."""

    def change(parsed: dict[str, Any]) -> None:
        for found in parsed.get("Images", []):
            if found["ImageId"] == image:
                found["BlockDeviceMappings"].append({"DeviceName": "/dev/xvdz", "Ebs": {"SnapshotId": snapshot}})

    after_ec2_call(session, "DescribeImages", change)


def snapshot_exists(ident: str) -> bool:
    try:
        return bool(ec2_client().describe_snapshots(SnapshotIds=[ident])["Snapshots"])
    except ClientError:
        return False


def image_snapshots(image: str) -> list[str]:
    (found,) = ec2_client().describe_images(ImageIds=[image])["Images"]
    return [m["Ebs"]["SnapshotId"] for m in found["BlockDeviceMappings"] if m.get("Ebs")]
