"""The safety-rail case of tracker_tui/aws/actions/ec2_vpc_endpoint.py (see base.py for the
shape): deleting an interface VPC endpoint, DryRun first.

moto 5.2 carries DeleteVpcEndpoints out even with ``DryRun=True`` (real AWS answers
DryRunOperation, as moto itself does for DeleteSnapshot and DeregisterImage).
``honour_dry_run()`` teaches it the real answer, so the rails see the real sequence: the
DryRun, then the call.  tests/test_actions_ec2_vpc_endpoint.py also checks the handler copes
with an endpoint that ignores DryRun.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.ec2.responses.vpcs import VPCs

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, ec2_calls, subnets, tag_spec, where


def honour_dry_run() -> None:
    """Make moto's DeleteVpcEndpoints answer DryRunOperation to ``DryRun=True`` (idempotent)."""
    original = VPCs.delete_vpc_endpoints
    if getattr(original, "honours_dry_run", False):
        return

    def delete_vpc_endpoints(self: VPCs) -> Any:
        self.error_on_dryrun()
        return original(self)

    delete_vpc_endpoints.honours_dry_run = True  # type: ignore[attr-defined]
    delete_vpc_endpoints.original = original  # type: ignore[attr-defined]
    VPCs.delete_vpc_endpoints = delete_vpc_endpoints  # type: ignore[method-assign]


honour_dry_run()


def _ec2() -> Any:
    return boto3.client("ec2", region_name=where())


def make_endpoint(tags: Tags) -> str:
    """An interface endpoint in two AZs."""
    ec2 = _ec2()
    both = subnets()
    vpc = ec2.describe_subnets(SubnetIds=both[:1])["Subnets"][0]["VpcId"]
    reply = ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="Interface",
        ServiceName=f"com.amazonaws.{where()}.ssm",
        SubnetIds=both,
        **tag_spec("vpc-endpoint", tags),
    )
    return str(reply["VpcEndpoint"]["VpcEndpointId"])


def endpoint_state(ident: str) -> str:
    try:
        return str(_ec2().describe_vpc_endpoints(VpcEndpointIds=[ident])["VpcEndpoints"][0]["State"])
    except ClientError:
        return GONE


CASES: dict[str, Case] = {
    # moto keeps a deleted endpoint listed, in state "deleted" (as AWS does for a while).
    "vpce-delete": Case(
        "ec2:vpc-endpoint", "delete", make_endpoint, endpoint_state, "available", "deleted",
        ec2_calls("DeleteVpcEndpoints"),
    ),
}  # fmt: skip
SERVICES: dict[str, str] = {"vpce-delete": "ec2"}
DONE_MESSAGES: dict[str, str] = {"vpce-delete": "deleted"}
VERIFIED_BY: dict[str, tuple[str, str]] = {"vpce-delete": ("ec2", "DescribeVpcEndpoints")}
VERIFY_TIMEOUTS: dict[str, str] = {"vpce-delete": "it was not deleted within 0.3 s (state: available)"}
STATE_REFUSALS: list[StateRefusal] = [
    ("vpce-delete", "VpcEndpoints.0.State", "deleting", "already being deleted", False),
    ("vpce-delete", "VpcEndpoints.0.State", "failed",
     "state is failed; only an available, pending-acceptance, rejected or expired endpoint is deleted", False),
    ("vpce-delete", "VpcEndpoints.0.State", "pending",
     "state is pending; only an available, pending-acceptance, rejected or expired endpoint is deleted", False),
    ("vpce-delete", "VpcEndpoints.0.RequesterManaged", True,
     "it is managed by another AWS service (RequesterManaged); delete it through that service", False),
]  # fmt: skip
