"""Auto Scaling groups (their instances are listed, and billed, as EC2 instances)."""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, known, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import Estimate, PriceBook
from tracker_tui.pricing.catalogue import Catalogue

KIND = "autoscaling:group"


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
                    kind=KIND,
                    id=name,
                    account_id=ctx.account_id,
                    arn=group.get("AutoScalingGroupARN"),
                    name=tags.get("Name", "") or name,
                    region=ctx.region,
                    state=group.get("Status") or "active",
                    created=ts(group.get("CreatedTime")),
                    tags=tags,
                    details=known(details),
                )
            )
        yield batch


def estimate_group(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    count = r.details.get("instance_count")
    n = f" ({count} instances)" if isinstance(count, int) and not isinstance(count, bool) else ""
    return 0.0, f"the group is free; billed on its instances' own rows{n}, so $0 here avoids counting them twice"


SPEC = KindSpec(
    id=KIND,
    console=console_page("ec2/home?region={region}#AutoScalingGroupDetails:id={id}"),
    aliases=("scaling",),
    label="asg",
    title="Auto Scaling groups",
    service="autoscaling",
    scope="regional",
    lister=list_autoscaling_groups,
    iam_actions=("autoscaling:DescribeAutoScalingGroups",),
    estimator=estimate_group,
    rules=(),
    verbs={},
    billed_as="",  # the group is free; its instances bill as EC2
)
