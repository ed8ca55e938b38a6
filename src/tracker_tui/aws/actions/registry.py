"""Every action's spec, by (kind id, action): the one place the runner and the plan look them up."""

from __future__ import annotations

from tracker_tui.aws.actions import (
    dynamodb,
    ec2,
    ec2_image,
    ec2_snapshot,
    ec2_vpc_endpoint,
    elb,
    logs,
    offhours,
    rds,
    rds_snapshot,
    redshift,
    s3,
    sagemaker,
    scheduler,
)
from tracker_tui.aws.actions.base import ActionSpec

#: The handler modules, each with its ``ACTIONS``: one per kind module (``aws/kinds/<name>.py``)
#: or per service whose kinds share one (``ec2``: instances, volumes, Elastic IPs, NAT gateways).
FAMILIES = (
    ec2,
    ec2_snapshot,
    ec2_image,
    ec2_vpc_endpoint,
    s3,
    rds,
    rds_snapshot,
    dynamodb,
    redshift,
    elb,
    logs,
    sagemaker,
    offhours,
    scheduler,
)

ACTION_SPECS: dict[tuple[str, str], ActionSpec] = {
    (spec.kind, spec.action): spec for family in FAMILIES for spec in family.ACTIONS
}
