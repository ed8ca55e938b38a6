"""The safety-rail cases of every action handler, and how one is run.

One module per action module (``tracker_tui/aws/actions/<name>.py`` -> ``<name>.py`` here),
in ``FAMILIES``; their tables are merged below for tests/test_safety_rails.py, which runs
every rail on every case and fails when an action has none.  base.py says what each table holds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tests.support import helpers
from tests.support.rails import (
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
from tests.support.rails.base import ACCOUNT, FAST, Case, StateRefusal, Tags, scanned, where
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, plan
from tracker_tui.aws.session import AwsSession
from tracker_tui.store import AuditLog

#: The rail cases, one module per action module, by the action module's name.
FAMILIES = {
    "ec2": ec2,
    "ec2_snapshot": ec2_snapshot,
    "ec2_image": ec2_image,
    "ec2_vpc_endpoint": ec2_vpc_endpoint,
    "s3": s3,
    "rds": rds,
    "rds_snapshot": rds_snapshot,
    "dynamodb": dynamodb,
    "redshift": redshift,
    "elb": elb,
    "logs": logs,
    "sagemaker": sagemaker,
    "offhours": offhours,
    "scheduler": scheduler,
}

CASES: dict[str, Case] = {name: case for family in FAMILIES.values() for name, case in family.CASES.items()}
#: The client each case's mutating call goes through (a case moto cannot make refuse is left out).
SERVICES: dict[str, str] = {k: v for family in FAMILIES.values() for k, v in family.SERVICES.items()}
#: What each action's final update says when it is done (or how it starts).
DONE_MESSAGES: dict[str, str] = {k: v for family in FAMILIES.values() for k, v in family.DONE_MESSAGES.items()}
#: The read each action is verified with: (client, operation).
VERIFIED_BY: dict[str, tuple[str, str]] = {k: v for family in FAMILIES.values() for k, v in family.VERIFIED_BY.items()}
#: What a verification that times out says it waited for, and the state it saw last.
VERIFY_TIMEOUTS: dict[str, str] = {
    k: v for family in FAMILIES.values() for k, v in getattr(family, "VERIFY_TIMEOUTS", {}).items()
}
#: A state the resource may be in when it is re-read, and what the action must say.
STATE_REFUSALS: list[StateRefusal] = [r for family in FAMILIES.values() for r in family.STATE_REFUSALS]


@dataclass
class Outcome:
    final: ActionUpdate
    statuses: list[Status]
    state: str


def run_case(case: Case, tags: Tags, audit: AuditLog, session: AwsSession | None = None, **options: Any) -> Outcome:
    """Make the case's resource with ``tags``, scan it, plan and run the case's verb, read its state."""
    session = session or helpers.moto_session()
    ident = case.make(tags)
    assert case.state(ident) == case.before
    row = scanned(session, case.kind, where())[ident]
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **{**case.options, **options}), audit=audit)
    seen: list[ActionUpdate] = []
    (final,) = runner.run(plan([row], case.verb, runner.options), seen.append)
    return Outcome(final, [u.status for u in seen], case.state(ident))
