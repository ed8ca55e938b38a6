"""Auto Scaling groups (their instances are listed, and billed, as EC2 instances)."""

from __future__ import annotations

from typing import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, tag_dict, ts
from tracker_tui.model import Resource


def list_autoscaling_groups(ctx: CellContext) -> Iterator[list[Resource]]:
    asg = ctx.client("autoscaling")
    for page in ctx.pages(asg, "describe_auto_scaling_groups"):
        batch = []
        for group in page.get("AutoScalingGroups", []):
            tags = tag_dict(group.get("Tags"))
            name = group["AutoScalingGroupName"]
            template = group.get("LaunchTemplate") or (group.get("MixedInstancesPolicy") or {}).get(
                "LaunchTemplate", {}
            ).get("LaunchTemplateSpecification")
            details = {
                "min_size": group.get("MinSize"),
                "max_size": group.get("MaxSize"),
                "desired_capacity": group.get("DesiredCapacity"),
                "instance_count": len(group.get("Instances", [])),
                "instance_ids": [i["InstanceId"] for i in group.get("Instances", [])],
                "launch_configuration": group.get("LaunchConfigurationName"),
                "launch_template": (template or {}).get("LaunchTemplateName") or (template or {}).get(
                    "LaunchTemplateId"
                ),
                "availability_zones": group.get("AvailabilityZones"),
                "target_group_arns": group.get("TargetGroupARNs") or None,
            }
            batch.append(
                Resource(
                    kind="autoscaling:group",
                    id=name,
                    account_id=ctx.account_id,
                    arn=group.get("AutoScalingGroupARN"),
                    name=tags.get("Name", "") or name,
                    region=ctx.region,
                    state=group.get("Status") or "active",
                    created=ts(group.get("CreatedTime")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


KINDS = [
    KindSpec("autoscaling:group", "autoscaling", "regional", list_autoscaling_groups, "Auto Scaling groups")
]
