"""The safety-rail case of tracker_tui/aws/actions/ec2_image.py (see base.py for the shape):
deregistering an AMI nothing runs, DryRun first; the box "also delete its snapshots" is off
by default, so its snapshots are named as kept."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import AMI, GONE, Case, StateRefusal, Tags, ec2_calls, tag_spec, where


def _ec2() -> Any:
    return boto3.client("ec2", region_name=where())


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


CASES: dict[str, Case] = {
    "image-deregister": Case(
        "ec2:image", "delete", make_image, image_state, "available", GONE, ec2_calls("DeregisterImage")
    ),
}
SERVICES: dict[str, str] = {"image-deregister": "ec2"}
DONE_MESSAGES: dict[str, str] = {
    # The box "also delete the image's snapshots" is off by default: they are named as kept.
    "image-deregister": "deregistered; its snapshots stay: snap-",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {"image-deregister": ("ec2", "DescribeImages")}
VERIFY_TIMEOUTS: dict[str, str] = {"image-deregister": "it was not deregistered within 0.3 s (state: available)"}
STATE_REFUSALS: list[StateRefusal] = [
    ("image-deregister", "Images.0.State", "pending", "state is pending; wait until it is available", False),
    ("image-deregister", "Images.0.State", "deregistered", "it no longer exists (deleted since the scan)", True),
]  # fmt: skip
