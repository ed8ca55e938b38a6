"""The safety-rail cases of the ec2_more family's handlers (see tests/rails.py for the shape).

Filled by the family's own work; every rail in tests/test_safety_rails.py runs on them:
deleting a snapshot, deregistering an AMI, deleting a VPC endpoint.

moto 5.2 carries DeleteVpcEndpoints out even with ``DryRun=True`` (real AWS answers
DryRunOperation, as moto itself does for DeleteSnapshot and DeregisterImage).
``honour_dry_run()`` teaches it the real answer, so the rails see the real sequence: the
DryRun, then the call.  tests/test_actions_ec2_more.py also checks the handler copes with an
endpoint that ignores DryRun.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.ec2.responses.vpcs import VPCs

from tests.rails import AMI, GONE, Case, StateRefusal, Tags, ec2_calls, tag_spec, where


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


def make_snapshot(tags: Tags) -> str:
    ec2 = _ec2()
    volume = ec2.create_volume(Size=8, AvailabilityZone=f"{where()}a")["VolumeId"]
    return str(ec2.create_snapshot(VolumeId=volume, **tag_spec("snapshot", tags))["SnapshotId"])


def snapshot_state(ident: str) -> str:
    try:
        return str(_ec2().describe_snapshots(SnapshotIds=[ident])["Snapshots"][0]["State"])
    except ClientError:
        return GONE


def make_image(tags: Tags) -> str:
    """An AMI of an instance that has since been terminated: nothing runs it."""
    ec2 = _ec2()
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    image = ec2.create_image(InstanceId=instance["InstanceId"], Name="rails-image", **tag_spec("image", tags))
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    return str(image["ImageId"])


def image_state(ident: str) -> str:
    try:
        images = _ec2().describe_images(ImageIds=[ident])["Images"]
    except ClientError:
        return GONE
    return str(images[0]["State"]) if images else GONE


def make_endpoint(tags: Tags) -> str:
    """An interface endpoint in two AZs."""
    ec2 = _ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{where()}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    reply = ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="Interface",
        ServiceName=f"com.amazonaws.{where()}.ssm",
        SubnetIds=subnets,
        **tag_spec("vpc-endpoint", tags),
    )
    return str(reply["VpcEndpoint"]["VpcEndpointId"])


def endpoint_state(ident: str) -> str:
    try:
        return str(_ec2().describe_vpc_endpoints(VpcEndpointIds=[ident])["VpcEndpoints"][0]["State"])
    except ClientError:
        return GONE


CASES: dict[str, Case] = {
    "snapshot-delete": Case(
        "ec2:snapshot", "delete", make_snapshot, snapshot_state, "completed", GONE, ec2_calls("DeleteSnapshot")
    ),
    "image-deregister": Case(
        "ec2:image", "delete", make_image, image_state, "available", GONE, ec2_calls("DeregisterImage")
    ),
    # moto keeps a deleted endpoint listed, in state "deleted" (as AWS does for a while).
    "vpce-delete": Case(
        "ec2:vpc-endpoint", "delete", make_endpoint, endpoint_state, "available", "deleted",
        ec2_calls("DeleteVpcEndpoints"),
    ),
}  # fmt: skip
SERVICES: dict[str, str] = {"snapshot-delete": "ec2", "image-deregister": "ec2", "vpce-delete": "ec2"}
DONE_MESSAGES: dict[str, str] = {
    "snapshot-delete": "deleted",
    # The box "also delete the image's snapshots" is off by default: they are named as kept.
    "image-deregister": "deregistered; its snapshots stay: snap-",
    "vpce-delete": "deleted",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "snapshot-delete": ("ec2", "DescribeSnapshots"),
    "image-deregister": ("ec2", "DescribeImages"),
    "vpce-delete": ("ec2", "DescribeVpcEndpoints"),
}
#: What a verification that times out says it waited for, and the state it saw last.
VERIFY_TIMEOUTS: dict[str, str] = {
    "snapshot-delete": "it was not deleted within 0.3 s (state: still listed)",
    "image-deregister": "it was not deregistered within 0.3 s (state: available)",
    "vpce-delete": "it was not deleted within 0.3 s (state: available)",
}
#: (Another account's OwnerId is refused too, but the scan drops such rows before any action:
#: tests/test_actions_ec2_more.py alters only the re-read for that.)
STATE_REFUSALS: list[StateRefusal] = [
    ("snapshot-delete", "Snapshots.0.State", "pending",
     "it is still being created (100%); wait until it completes", False),
    ("snapshot-delete", "Snapshots.0.State", "recovering",
     "state is recovering; only a completed (or error) snapshot can be deleted", False),
    ("image-deregister", "Images.0.State", "pending", "state is pending; wait until it is available", False),
    ("image-deregister", "Images.0.State", "deregistered", "it no longer exists (deleted since the scan)", True),
    ("vpce-delete", "VpcEndpoints.0.State", "deleting", "already being deleted", False),
    ("vpce-delete", "VpcEndpoints.0.State", "failed",
     "state is failed; only an available, pending-acceptance, rejected or expired endpoint is deleted", False),
    ("vpce-delete", "VpcEndpoints.0.State", "pending",
     "state is pending; only an available, pending-acceptance, rejected or expired endpoint is deleted", False),
    ("vpce-delete", "VpcEndpoints.0.RequesterManaged", True,
     "it is managed by another AWS service (RequesterManaged); delete it through that service", False),
]  # fmt: skip
