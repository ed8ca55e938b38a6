"""The safety-rail cases of tracker_tui/aws/actions/scheduler.py (see base.py for the shape):
removing a pair of tracker-tui's off-hours schedules, as ``z`` writes them, with the rows it names
untagged: an EC2 instance, an RDS instance, a Redshift cluster, a SageMaker notebook, and an
instance that no longer exists (the pair goes, nothing to untag).

The group carries the case's tags (schedules have none of their own: a row carries its group's),
and the role ``tracker-tui-scheduler`` exists as ``z`` makes it, so a run with every box ticked
deletes it too (tests/test_permissions.py records that path).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails import ec2, rds, redshift, sagemaker
from tests.support.rails.base import ACCOUNT, GONE, Case, StateRefusal, Tags, calls, ec2_calls, tag_list, where
from tracker_tui.aws.actions.offhours import role_policy, trust_policy
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.offhours import GROUP, ROLE, ROLE_POLICY, SCHEDULE_TAG, OffHours, preset, schedule_names

SCHEDULE = preset("office-hours", "Europe/Paris")
#: An instance id nothing has: the pair names a row that is gone.
MISSING_INSTANCE = "i-0123456789abcdef0"


def scheduler(region: str | None = None) -> Any:
    return boto3.client("scheduler", region_name=region or where())


def make_role() -> str:
    """The role ``z`` makes (its trust policy and inline policy), unless it is there already."""
    iam = boto3.client("iam", region_name="us-east-1")
    try:
        return str(iam.get_role(RoleName=ROLE)["Role"]["Arn"])
    except ClientError:
        pass
    arn = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust_policy(ACCOUNT)))["Role"]["Arn"]
    actions = [a for spec in REGISTRY.values() if spec.off_hours for a in spec.off_hours.iam_actions]
    iam.put_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY, PolicyDocument=json.dumps(role_policy(actions)))
    return str(arn)


def make_group(tags: Tags, region: str | None = None) -> None:
    client = scheduler(region)
    try:
        client.get_schedule_group(Name=GROUP)
    except ClientError:
        client.create_schedule_group(Name=GROUP, Tags=tag_list(tags))


def put_schedule(
    kind: str,
    verb: str,
    name: str,
    ids: list[str],
    *,
    schedule: OffHours = SCHEDULE,
    region: str | None = None,
    state: str = "ENABLED",
) -> None:
    """One half of a pair, as ``z`` writes it (the group must exist)."""
    way = REGISTRY[kind].off_hours
    assert way is not None
    stop_cron, start_cron = schedule.crons()
    scheduler(region).create_schedule(
        Name=name,
        GroupName=GROUP,
        ScheduleExpression=stop_cron if verb == "stop" else start_cron,
        ScheduleExpressionTimezone=schedule.zone,
        FlexibleTimeWindow={"Mode": "OFF"},
        State=state,
        Description=f"tracker-tui off-hours: {schedule.text} ({verb})",
        Target={"Arn": way.target_arn(verb), "RoleArn": make_role(), "Input": json.dumps(way.input_for(ids))},
    )


def make_pair(
    kind: str, ids: list[str], tags: Tags | None = None, *, schedule: OffHours = SCHEDULE, region: str | None = None
) -> str:
    """The pair ``z`` writes for ``ids`` of ``kind`` (one pair for all of a kind that takes a list,
    one per row otherwise), in the group tagged ``tags``; its name."""
    way = REGISTRY[kind].off_hours
    assert way is not None
    make_group(tags or {}, region)
    pair, stop_name, start_name = schedule_names(schedule, way.short, None if way.many else ids[0])
    put_schedule(kind, "stop", stop_name, ids, schedule=schedule, region=region)
    put_schedule(kind, "start", start_name, ids, schedule=schedule, region=region)
    return pair


def pair_state(pair: str) -> str:
    """Its stop schedule's state (ENABLED), or gone."""
    try:
        return str(scheduler().get_schedule(Name=f"{pair}-stop", GroupName=GROUP)["State"])
    except ClientError:
        return GONE


def _pair_of(kind: str, make_row: Callable[[Tags], str]) -> Callable[[Tags], str]:
    """A row of ``kind`` tagged with the schedule as ``z`` leaves it, and its pair in the group tagged ``tags``."""

    def make(tags: Tags) -> str:
        return make_pair(kind, [make_row({SCHEDULE_TAG: SCHEDULE.text})], tags)

    return make


def make_gone_target_pair(tags: Tags) -> str:
    return make_pair("ec2:instance", [MISSING_INSTANCE], tags)


DELETES = calls("DeleteSchedule") * 2

CASES: dict[str, Case] = {
    "schedule-delete": Case(
        "scheduler:schedule", "delete", make_gone_target_pair, pair_state, "ENABLED", GONE, DELETES
    ),
    "schedule-delete-ec2": Case(
        "scheduler:schedule",
        "delete",
        _pair_of("ec2:instance", ec2.make_instance),
        pair_state,
        "ENABLED",
        GONE,
        DELETES + ec2_calls("DeleteTags"),
    ),
    "schedule-delete-rds": Case(
        "scheduler:schedule",
        "delete",
        _pair_of("rds:db-instance", rds.make_db),
        pair_state,
        "ENABLED",
        GONE,
        DELETES + calls("RemoveTagsFromResource"),
    ),
    "schedule-delete-redshift": Case(
        "scheduler:schedule",
        "delete",
        _pair_of("redshift:cluster", redshift.make_cluster),
        pair_state,
        "ENABLED",
        GONE,
        DELETES + calls("DeleteTags"),
    ),
    "schedule-delete-notebook": Case(
        "scheduler:schedule",
        "delete",
        _pair_of("sagemaker:notebook-instance", sagemaker.make_notebook),
        pair_state,
        "ENABLED",
        GONE,
        DELETES + calls("DeleteTags"),
    ),
}
#: Only the case whose last call is a DeleteSchedule: refusing the others' last call (an untag)
#: comes after the schedules are gone, so their state would not be as before.
SERVICES: dict[str, str] = {"schedule-delete": "scheduler"}
DONE_MESSAGES: dict[str, str] = {name: f"removed {schedule_names(SCHEDULE, 'ec2')[1]}" for name in CASES} | {
    "schedule-delete-rds": f"removed {schedule_names(SCHEDULE, 'rds', 'rails-db')[1]}",
    "schedule-delete-redshift": f"removed {schedule_names(SCHEDULE, 'redshift', 'rails-warehouse')[1]}",
    "schedule-delete-notebook": f"removed {schedule_names(SCHEDULE, 'notebook', 'rails-notebook')[1]}",
}
#: What the last mutating call is verified with (its answer, replayed stale, must fail the run).
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "schedule-delete": ("scheduler", "GetSchedule"),
    "schedule-delete-ec2": ("ec2", "DescribeInstances"),
    "schedule-delete-rds": ("rds", "ListTagsForResource"),
    "schedule-delete-redshift": ("redshift", "DescribeClusters"),
    "schedule-delete-notebook": ("sagemaker", "ListTags"),
}
_EC2_PAIR = schedule_names(SCHEDULE, "ec2")[0]
VERIFY_TIMEOUTS: dict[str, str] = {
    "schedule-delete": f"it was not deleted within 0.3 s (state: {_EC2_PAIR}-start, {_EC2_PAIR}-stop still there)",
}
STATE_REFUSALS: list[StateRefusal] = [
    ("schedule-delete", "GroupName", "default",
     f"{_EC2_PAIR}-stop is in the schedule group default, not {GROUP}: not tracker-tui's to remove", False),
]  # fmt: skip
