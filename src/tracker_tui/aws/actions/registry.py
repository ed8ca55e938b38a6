"""Every action's spec, by (kind id, action): the one place the runner and the plan look them up."""

from __future__ import annotations

from tracker_tui.aws.actions import data, ec2, ec2_more, elb, logs, ml, rds, s3
from tracker_tui.aws.actions.base import ActionSpec

#: The family modules, each with its ``ACTIONS``.
FAMILIES = (ec2, ec2_more, s3, rds, data, elb, logs, ml)

ACTION_SPECS: dict[tuple[str, str], ActionSpec] = {
    (spec.kind, spec.action): spec for family in FAMILIES for spec in family.ACTIONS
}
