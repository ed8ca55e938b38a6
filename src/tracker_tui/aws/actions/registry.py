"""Every action's spec, by (kind id, action): the one place the runner and the plan look them up."""

from __future__ import annotations

from tracker_tui.aws.actions import ec2, elb, logs, rds, s3
from tracker_tui.aws.actions.base import ActionSpec

ACTION_SPECS: dict[tuple[str, str], ActionSpec] = {
    (spec.kind, spec.action): spec for family in (ec2, s3, rds, elb, logs) for spec in family.ACTIONS
}
