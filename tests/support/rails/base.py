"""The shape of a safety-rail case, and the helpers cases are made with.

Each module of this package is named after the action module whose handlers it covers
(``ec2_image.py`` here for ``tracker_tui/aws/actions/ec2_image.py``) and lists them in
``CASES`` (name -> ``Case``) and, for the other rails, ``SERVICES`` (name -> the client its
mutating call goes through; leave a case out when moto cannot be made to refuse it),
``DONE_MESSAGES`` (name -> the final update's message, or its start), ``VERIFIED_BY`` (name ->
(client, the read that verifies it)) and ``STATE_REFUSALS`` ((name, path in the re-read's
answer, value, the refusal's message, deleted)) and, optionally, ``VERIFY_TIMEOUTS`` (name ->
what a verification that times out says, between "but " and "; rescan to check").  Every rail
of tests/test_safety_rails.py runs on its cases, and a test there fails when an action has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from tests.support import helpers
from tracker_tui.aws.actions import ActionOptions, Verb
from tracker_tui.aws.kinds import price_resources
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource

ACCOUNT = "123456789012"  # moto's account; it has no alias, so the confirm word is the id
REGION = "us-east-1"
AMI = "ami-12c6146b"
FAST = ActionOptions(poll_interval=0.01, verify_timeout=5)
#: What a state probe answers once the resource no longer exists.
GONE = "gone"
#: The twin's tags: some tags to read, none of them protected.
HARMLESS = {"owner": "platform-team"}

Tags = dict[str, str]


def scanned(session: AwsSession, kind: str, region: str = REGION) -> dict[str, Resource]:
    """The kind's resources as the real scan maps and prices them, by id."""
    resources, _ = helpers.scan([kind], [region], session=session)
    return {r.id: r for r in price_resources(resources)}


# --- creating and probing each kind in moto -------------------------------------------------

#: Where the cases make their resources; the session's home region is always us-east-1, so a
#: handler that asks for a client without the row's region acts in the wrong one.
WHERE = [REGION]


def where() -> str:
    return WHERE[-1]


def subnets() -> list[str]:
    """Two subnets of a new VPC in two AZs of the cases' region (a NAT gateway, a load balancer)."""
    ec2 = boto3.client("ec2", region_name=where())
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{where()}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]


def tag_list(tags: Tags) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def tag_spec(resource_type: str, tags: Tags) -> dict[str, Any]:
    return {"TagSpecifications": [{"ResourceType": resource_type, "Tags": tag_list(tags)}]} if tags else {}


@dataclass(frozen=True)
class Case:
    """One handler: how to make its resource, how to read its state, what the action does."""

    kind: str
    verb: Verb
    make: Callable[[Tags], str]
    state: Callable[[str], str]
    #: The state while untouched, and after the action was carried out.
    before: str
    after: str
    #: The audit lines, as (phase, operation), that carrying the action out writes.
    calls: tuple[tuple[str, str], ...]
    #: ``ActionOptions`` fields the action needs besides the run's (``z``: the schedule).
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ec2(self) -> bool:
        return self.kind.startswith("ec2:")


def ec2_calls(operation: str) -> tuple[tuple[str, str], ...]:
    # The DryRun call has its own "before" line, then the line with its outcome.
    return (("before", operation), ("dry-run", operation), ("before", operation), ("after", operation))


def calls(operation: str) -> tuple[tuple[str, str], ...]:
    return (("before", operation), ("after", operation))


#: (name, path, value, message, deleted): see the module's docstring.
StateRefusal = tuple[str, str, Any, str, bool]
