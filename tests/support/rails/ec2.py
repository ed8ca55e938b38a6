"""The safety-rail cases of tracker_tui/aws/actions/ec2.py (see base.py for the shape):
stopping, starting and terminating an instance and changing its type, deleting a volume and
modifying one to gp3, releasing an Elastic IP, deleting a NAT gateway; every EC2 call goes first
with DryRun.

moto stops an instance at once (``stopped`` straight after the call), so the start case
makes its instance and stops it before the scan.  moto changes a running instance's type (AWS
refuses: it must be stopped) and takes any type; the handler's checks are what refuse.  moto
5.2 carries DeleteNatGateway out even with DryRun=True: its case records one "before" and one
"after" line, and no SERVICES entry (the real call is never made, so it cannot be refused).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import AMI, GONE, Case, StateRefusal, Tags, ec2_calls, subnets, tag_spec, where


def _ec2() -> Any:
    return boto3.client("ec2", region_name=where())


def make_instance(tags: Tags) -> str:
    reply = _ec2().run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", **tag_spec("instance", tags)
    )
    return str(reply["Instances"][0]["InstanceId"])


def make_stopped_instance(tags: Tags) -> str:
    ident = make_instance(tags)
    _ec2().stop_instances(InstanceIds=[ident])
    return ident


#: A previous-generation type: the scan gives its row a previous-generation finding whose
#: target is its current twin, m5.large (cheaper in the catalogue), which ``m`` changes it to.
PREVIOUS_GENERATION_TYPE = "m4.large"


def make_previous_generation_instance(tags: Tags) -> str:
    """A running m4.large as AWS has one launched from a current image: HVM, with ENA enabled
    (m5 requires it).  moto, loading no images here (MOTO_EC2_LOAD_DEFAULT_AMIS=false), launches
    it paravirtual without ENA; its ModifyInstanceAttribute sets any attribute by name, which
    AWS would not, so this is moto's shape only."""
    ec2 = _ec2()
    reply = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType=PREVIOUS_GENERATION_TYPE, **tag_spec("instance", tags)
    )
    ident = str(reply["Instances"][0]["InstanceId"])
    ec2.modify_instance_attribute(InstanceId=ident, Attribute="virtualizationType", Value="hvm")
    ec2.modify_instance_attribute(InstanceId=ident, Attribute="enaSupport", Value="true")
    return ident


def instance_type(ident: str) -> str:
    """What modify changes on an instance: its type."""
    reply = _ec2().describe_instances(InstanceIds=[ident])
    return str(reply["Reservations"][0]["Instances"][0]["InstanceType"])


def instance_state(ident: str) -> str:
    reply = _ec2().describe_instances(InstanceIds=[ident])
    return str(reply["Reservations"][0]["Instances"][0]["State"]["Name"])


def make_volume(tags: Tags) -> str:
    return str(_ec2().create_volume(Size=1, AvailabilityZone=f"{where()}a", **tag_spec("volume", tags))["VolumeId"])


def volume_state(ident: str) -> str:
    try:
        return str(_ec2().describe_volumes(VolumeIds=[ident])["Volumes"][0]["State"])
    except ClientError:
        return GONE


def make_gp2_volume(tags: Tags) -> str:
    volume = _ec2().create_volume(
        Size=100, AvailabilityZone=f"{where()}a", VolumeType="gp2", **tag_spec("volume", tags)
    )
    return str(volume["VolumeId"])


def volume_type(ident: str) -> str:
    """What modify changes: the volume's type."""
    try:
        return str(_ec2().describe_volumes(VolumeIds=[ident])["Volumes"][0]["VolumeType"])
    except ClientError:
        return GONE


def make_eip(tags: Tags) -> str:
    return str(_ec2().allocate_address(Domain="vpc", **tag_spec("elastic-ip", tags))["AllocationId"])


def eip_state(ident: str) -> str:
    try:
        (address,) = _ec2().describe_addresses(AllocationIds=[ident])["Addresses"]
    except ClientError:
        return GONE
    return "associated" if address.get("AssociationId") else "allocated"


def make_nat(tags: Tags) -> str:
    ec2 = _ec2()
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    reply = ec2.create_nat_gateway(SubnetId=subnets()[0], AllocationId=allocation, **tag_spec("natgateway", tags))
    return str(reply["NatGateway"]["NatGatewayId"])


def nat_state(ident: str) -> str:
    return str(_ec2().describe_nat_gateways(NatGatewayIds=[ident])["NatGateways"][0]["State"])


CASES: dict[str, Case] = {
    "instance-stop": Case(
        "ec2:instance", "stop", make_instance, instance_state, "running", "stopped", ec2_calls("StopInstances")
    ),
    "instance-start": Case(
        "ec2:instance",
        "start",
        make_stopped_instance,
        instance_state,
        "stopped",
        "running",
        ec2_calls("StartInstances"),
    ),
    "instance-terminate": Case(
        "ec2:instance",
        "delete",
        make_instance,
        instance_state,
        "running",
        "terminated",
        ec2_calls("TerminateInstances"),
    ),
    # Running: stopped, modified to the finding's type, started again (moto stops and starts at once).
    "instance-modify": Case(
        "ec2:instance",
        "modify",
        make_previous_generation_instance,
        instance_type,
        PREVIOUS_GENERATION_TYPE,
        "m5.large",
        ec2_calls("StopInstances") + ec2_calls("ModifyInstanceAttribute") + ec2_calls("StartInstances"),
    ),
    # Snapshot first (the box's default): CreateSnapshot, then DeleteVolume once it completed.
    "volume-delete": Case(
        "ec2:volume",
        "delete",
        make_volume,
        volume_state,
        "available",
        GONE,
        ec2_calls("CreateSnapshot") + ec2_calls("DeleteVolume"),
    ),
    "volume-modify": Case(
        "ec2:volume", "modify", make_gp2_volume, volume_type, "gp2", "gp3", ec2_calls("ModifyVolume")
    ),
    "eip-release": Case(
        "ec2:elastic-ip", "delete", make_eip, eip_state, "allocated", GONE, ec2_calls("ReleaseAddress")
    ),
    "nat-delete": Case(
        "ec2:nat-gateway",
        "delete",
        make_nat,
        nat_state,
        "available",
        "deleted",
        (("before", "DeleteNatGateway"), ("after", "DeleteNatGateway")),
    ),
}
SERVICES: dict[str, str] = {
    "instance-stop": "ec2",
    "instance-start": "ec2",
    "instance-terminate": "ec2",
    # No "instance-modify": its last call is the start after the modify, so a refused start
    # leaves the type changed, not as it was, which is what that rail checks.  Its refusals are
    # tested in tests/test_actions_ec2_resize.py (a refused modify starts it again, unchanged).
    "volume-delete": "ec2",
    "volume-modify": "ec2",
    "eip-release": "ec2",
}
DONE_MESSAGES: dict[str, str] = {
    "instance-stop": "stopped",
    "instance-start": "started",
    "instance-terminate": "terminated",
    "instance-modify": "type changed m4.large -> m5.large; running again",
    "volume-delete": "deleted; snapshot snap-",
    "volume-modify": "modified to gp3 (3,000 IOPS, 128 MiB/s)",
    "eip-release": "released",
    "nat-delete": (
        "deleted (its Elastic IPs stay allocated) (the endpoint ignored DryRun=True and carried the call out at once)"
    ),
}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "instance-stop": ("ec2", "DescribeInstances"),
    "instance-start": ("ec2", "DescribeInstances"),
    "instance-terminate": ("ec2", "DescribeInstances"),
    "instance-modify": ("ec2", "DescribeInstances"),
    "volume-delete": ("ec2", "DescribeVolumes"),
    "volume-modify": ("ec2", "DescribeVolumes"),
    "eip-release": ("ec2", "DescribeAddresses"),
    "nat-delete": ("ec2", "DescribeNatGateways"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    "instance-stop": "instance stopped was not confirmed within 0.3 s (Max attempts exceeded)",
    "instance-start": "instance running was not confirmed within 0.3 s (Max attempts exceeded)",
    "instance-terminate": "instance terminated was not confirmed within 0.3 s (Max attempts exceeded)",
    # The reads after the start replay the stopped instance seen before it.
    "instance-modify": "instance running was not confirmed within 0.3 s (Max attempts exceeded)",
    "volume-delete": "it was not deleted within 0.3 s (state: available)",
    # moto completes the modification at once; the stale reads still say gp2.
    "volume-modify": "it was not modified to gp3 within 0.3 s (state: modification completed, volume gp2)",
    "eip-release": "it was not released within 0.3 s (state: allocated)",
    # moto deleted it on the DryRun call; the stale reads still say available.
    "nat-delete": "it was not deleted within 0.3 s (state: available)",
}
STATE_REFUSALS: list[StateRefusal] = [
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "stopping", "already stopping", False),
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "pending",
     "state is pending; only a running instance can be stopped", False),
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "shutting-down", "it is shutting-down", False),
    ("instance-stop", "Reservations.0.Instances.0.State.Name", "terminated", "it is terminated", True),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "running", "already running", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "pending", "already starting", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "stopping",
     "it is stopping; wait until it has stopped", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "shutting-down", "it is shutting-down", False),
    ("instance-start", "Reservations.0.Instances.0.State.Name", "terminated", "it is terminated", True),
    # Not a state EC2 has today: anything but stopped is refused, whatever AWS adds.
    ("instance-start", "Reservations.0.Instances.0.State.Name", "hibernating",
     "state is hibernating; only a stopped instance can be started", False),
    ("instance-terminate", "Reservations.0.Instances.0.State.Name", "shutting-down", "already shutting down", False),
    ("instance-terminate", "Reservations.0.Instances.0.State.Name", "terminated", "already terminated", True),
    ("instance-modify", "Reservations.0.Instances.0.State.Name", "pending",
     "state is pending; only a running or stopped instance changes type", False),
    ("instance-modify", "Reservations.0.Instances.0.State.Name", "stopping",
     "state is stopping; only a running or stopped instance changes type", False),
    ("instance-modify", "Reservations.0.Instances.0.State.Name", "shutting-down", "it is shutting-down", False),
    ("instance-modify", "Reservations.0.Instances.0.State.Name", "terminated", "it is terminated", True),
    ("instance-modify", "Reservations.0.Instances.0.RootDeviceType", "instance-store",
     "its root device is instance store: stopping loses the instance store root", False),
    ("instance-modify", "Reservations.0.Instances.0.Tags", [{"Key": "aws:autoscaling:groupName", "Value": "web"}],
     "a member of Auto Scaling group web, which would replace it: change the group's instance type "
     "(its launch template) instead", False),
    ("instance-modify", "Reservations.0.Instances.0.Architecture", "arm64",
     "m5.large is x86_64, the instance arm64: it needs an image for x86_64: launch a new instance from one", False),
    ("instance-modify", "Reservations.0.Instances.0.VirtualizationType", "paravirtual",
     "m5.large takes hvm virtualization, the instance is paravirtual: its image cannot boot there; "
     "launch a new instance from an hvm image", False),
    ("instance-modify", "Reservations.0.Instances.0.EnaSupport", False,
     "m5.large requires ENA (enhanced networking), not enabled on the instance: enable ENA first "
     "(an image with the ENA driver, then modify-instance-attribute --ena-support while stopped)", False),
    ("volume-delete", "Volumes.0.State", "deleting", "already being deleted", False),
    ("volume-delete", "Volumes.0.State", "creating",
     "state is creating; only an available (unattached) volume can be deleted", False),
    ("volume-delete", "Volumes.0.State", "deleted", "it no longer exists (deleted since the scan)", True),
    ("volume-modify", "Volumes.0.VolumeType", "gp3", "it is gp3 already", False),
    ("volume-modify", "Volumes.0.VolumeType", "st1", "type st1; only gp2, io1 and io2 volumes are modified to gp3",
     False),
    ("volume-modify", "Volumes.0.State", "creating",
     "state is creating; only an available or in-use volume can be modified", False),
    ("volume-modify", "Volumes.0.State", "deleted", "it no longer exists (deleted since the scan)", True),
    ("eip-release", "Addresses.0.AssociationId", "eipassoc-0f1", "Elastic IP is associated with eipassoc-0f1", False),
    ("eip-release", "Addresses.0.InstanceId", "i-0f1", "Elastic IP is associated with i-0f1", False),
    ("eip-release", "Addresses.0.NetworkInterfaceId", "eni-0f1", "Elastic IP is associated with eni-0f1", False),
    ("nat-delete", "NatGateways.0.State", "deleting", "already being deleted", False),
    ("nat-delete", "NatGateways.0.State", "pending",
     "state is pending; only an available or failed NAT gateway can be deleted", False),
    ("nat-delete", "NatGateways.0.State", "deleted", "it no longer exists (deleted since the scan)", True),
]  # fmt: skip
