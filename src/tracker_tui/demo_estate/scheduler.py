"""The demo estate's off-hours schedules, as ``z`` would have left them: prod's Windows reports
server is off at night, staging's web servers sleep outside office hours (Los Angeles).

The execution role is seeded with IAM (``core.seed_global``: nothing writes IAM once the scan may
read it); the tag goes on each instance with the region's EC2 (``tag_scheduled``, from the EC2
family's first stage: the home region's EC2 is answered before the rest is made); the group and a
stop and a start schedule naming the instances come with the rest (``seed_region``).  So
``:schedules`` has rows, and those instances show ``z`` and cost their schedule's hours.  moto
keeps schedules; it does not run them."""

from __future__ import annotations

import json
from typing import Any

from tracker_tui.demo_estate.core import DEMO_ACCOUNT, RegionSeeder
from tracker_tui.offhours import GROUP, ROLE, SCHEDULE_TAG, OffHours, preset, schedule_names

#: Per environment: the role (its instances' Name after ``<env>-``) already on a schedule, and the schedule.
SCHEDULED: dict[str, tuple[str, OffHours]] = {
    "prod": ("reports-win", preset("nights-off", "America/New_York")),
    "staging": ("web", preset("office-hours", "America/Los_Angeles")),
}


def tag_scheduled(s: RegionSeeder, env: str, by_role: dict[str, list[dict[str, Any]]]) -> None:
    """Tag the environment's scheduled instances (EC2's first stage)."""
    if env not in SCHEDULED:
        return
    role, schedule = SCHEDULED[env]
    ids = [inst["InstanceId"] for inst in by_role.get(role, [])]
    if ids:
        s.c("ec2").create_tags(Resources=ids, Tags=[{"Key": SCHEDULE_TAG, "Value": schedule.text}])


def seed_region(s: RegionSeeder, env: str) -> int:
    """The group and the pair of schedules naming the tagged instances; how many rows the scan lists."""
    if env not in SCHEDULED:
        return 0
    _, schedule = SCHEDULED[env]
    found = s.c("ec2").describe_instances(Filters=[{"Name": f"tag:{SCHEDULE_TAG}", "Values": [schedule.text]}])
    ids = [i["InstanceId"] for res in found["Reservations"] for i in res["Instances"]]
    if not ids:
        return 0
    scheduler = s.c("scheduler")
    scheduler.create_schedule_group(Name=GROUP)
    _, stop_name, start_name = schedule_names(schedule, "ec2")
    stop_cron, start_cron = schedule.crons()
    for name, verb, cron in ((stop_name, "stop", stop_cron), (start_name, "start", start_cron)):
        scheduler.create_schedule(
            Name=name,
            GroupName=GROUP,
            ScheduleExpression=cron,
            ScheduleExpressionTimezone=schedule.zone,
            FlexibleTimeWindow={"Mode": "OFF"},
            State="ENABLED",
            Description=f"tracker-tui off-hours: {schedule.text} ({verb})",
            Target={
                "Arn": f"arn:aws:scheduler:::aws-sdk:ec2:{verb}Instances",
                "RoleArn": f"arn:aws:iam::{DEMO_ACCOUNT}:role/{ROLE}",
                "Input": json.dumps({"InstanceIds": ids}),
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
            },
        )
    return 1
