"""Auto Scaling groups (aws/kinds/autoscaling.py) against moto: sizes, instances, tags, paging."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.model import Resource

ACCOUNT = "123456789012"
AMI = "ami-12c6146b"


def assert_owned(resource: Resource, kind: str, region: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT


# --- Auto Scaling ----------------------------------------------------------------------


def _launch_configuration(asg: Any) -> str:
    asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=AMI, InstanceType="t3.micro")
    return "lc"


def test_autoscaling_groups_sizes_instances_and_tags() -> None:
    with mock_aws():
        asg = boto3.client("autoscaling", region_name="us-east-1")
        config = _launch_configuration(asg)
        asg.create_auto_scaling_group(
            AutoScalingGroupName="web",
            LaunchConfigurationName=config,
            MinSize=1,
            MaxSize=4,
            DesiredCapacity=2,
            AvailabilityZones=["us-east-1a"],
            Tags=[{"Key": "env", "Value": "prod", "PropagateAtLaunch": True}],
        )
        asg.create_auto_scaling_group(
            AutoScalingGroupName="idle",
            LaunchConfigurationName=config,
            MinSize=0,
            MaxSize=1,
            DesiredCapacity=0,
            AvailabilityZones=["us-east-1a"],
        )

        resources, _ = helpers.scan(["autoscaling:group"])

    found = {r.id: r for r in resources}
    assert set(found) == {"web", "idle"}
    web, idle = found["web"], found["idle"]
    for group in (web, idle):
        assert_owned(group, "autoscaling:group", "us-east-1")
        assert group.arn is not None
        assert group.arn.startswith(f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:")
        assert group.arn.endswith(f":autoScalingGroupName/{group.id}")
    assert (web.details["min_size"], web.details["max_size"], web.details["desired_capacity"]) == (1, 4, 2)
    assert web.details["instance_count"] == 2
    assert len(web.details["instance_ids"]) == 2
    assert web.details["launch_configuration"] == "lc"
    assert web.tags == {"env": "prod"}
    assert (idle.details["min_size"], idle.details["max_size"], idle.details["desired_capacity"]) == (0, 1, 0)
    assert idle.details["instance_count"] == 0
    assert idle.tags == {}


def test_autoscaling_groups_paginate_past_the_first_page() -> None:
    with mock_aws():
        asg = boto3.client("autoscaling", region_name="us-east-1")
        config = _launch_configuration(asg)
        names = [f"group-{i}" for i in range(5)]
        for name in names:
            asg.create_auto_scaling_group(
                AutoScalingGroupName=name,
                LaunchConfigurationName=config,
                MinSize=0,
                MaxSize=1,
                DesiredCapacity=0,
                AvailabilityZones=["us-east-1a"],
            )
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["autoscaling:group"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "autoscaling.DescribeAutoScalingGroups")
    assert len(pages) == 3  # 2 + 2 + 1
    assert all(params["MaxRecords"] == 2 for params in pages)
