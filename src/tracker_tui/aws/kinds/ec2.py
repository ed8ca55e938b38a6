"""EC2 family: instances, EBS volumes, Elastic IPs, NAT gateways."""

from __future__ import annotations

from typing import Any, Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, tag_dict, ts
from tracker_tui.model import Resource

_LIVE_INSTANCE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"]
_LIVE_NAT_STATES = ["pending", "available", "deleting", "failed"]


def list_instances(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    filters = [{"Name": "instance-state-name", "Values": _LIVE_INSTANCE_STATES}]
    for page in ctx.pages(ec2, "describe_instances", Filters=filters):
        batch = []
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                batch.append(_instance(ctx, inst))
        yield batch


def _instance(ctx: CellContext, inst: dict[str, Any]) -> Resource:
    tags = tag_dict(inst.get("Tags"))
    instance_id = inst["InstanceId"]
    volumes = [
        m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if m.get("Ebs", {}).get("VolumeId")
    ]
    details = {
        "instance_type": inst.get("InstanceType"),
        "platform": inst.get("PlatformDetails") or inst.get("Platform") or "Linux/UNIX",
        "availability_zone": inst.get("Placement", {}).get("AvailabilityZone"),
        "tenancy": inst.get("Placement", {}).get("Tenancy", "default"),
        "lifecycle": inst.get("InstanceLifecycle", "on-demand"),
        "vpc_id": inst.get("VpcId"),
        "subnet_id": inst.get("SubnetId"),
        "private_ip": inst.get("PrivateIpAddress"),
        "public_ip": inst.get("PublicIpAddress"),
        "image_id": inst.get("ImageId"),
        "key_name": inst.get("KeyName"),
        "volume_ids": volumes,
        "state_reason": (inst.get("StateReason") or {}).get("Message"),
        "autoscaling_group": tags.get("aws:autoscaling:groupName"),
    }
    return Resource(
        kind="ec2:instance",
        id=instance_id,
        account_id=ctx.account_id,
        arn=ctx.arn("ec2", f"instance/{instance_id}"),
        name=tags.get("Name", ""),
        region=ctx.region,
        state=inst.get("State", {}).get("Name", ""),
        created=ts(inst.get("LaunchTime")),
        tags=tags,
        details={k: v for k, v in details.items() if v is not None},
    )


def list_volumes(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    for page in ctx.pages(ec2, "describe_volumes"):
        batch = []
        for vol in page.get("Volumes", []):
            tags = tag_dict(vol.get("Tags"))
            attachments = [
                {"instance_id": a.get("InstanceId"), "device": a.get("Device"), "state": a.get("State")}
                for a in vol.get("Attachments", [])
            ]
            details = {
                "size_gib": vol.get("Size"),
                "volume_type": vol.get("VolumeType"),
                "iops": vol.get("Iops"),
                "throughput_mibps": vol.get("Throughput"),
                "encrypted": vol.get("Encrypted"),
                "availability_zone": vol.get("AvailabilityZone"),
                "snapshot_id": vol.get("SnapshotId") or None,
                "attached": bool(attachments),
                "attachments": attachments,
            }
            batch.append(
                Resource(
                    kind="ec2:volume",
                    id=vol["VolumeId"],
                    account_id=ctx.account_id,
                    arn=ctx.arn("ec2", f"volume/{vol['VolumeId']}"),
                    name=tags.get("Name", ""),
                    region=ctx.region,
                    state=vol.get("State", ""),
                    created=ts(vol.get("CreateTime")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


def list_elastic_ips(ctx: CellContext) -> Iterator[list[Resource]]:
    # DescribeAddresses is not paginated: one call returns every address in the region.
    ec2 = ctx.client("ec2")
    ctx.check_cancelled()
    batch = []
    for addr in ec2.describe_addresses().get("Addresses", []):
        tags = tag_dict(addr.get("Tags"))
        associated = bool(addr.get("AssociationId") or addr.get("InstanceId") or addr.get("NetworkInterfaceId"))
        ident = addr.get("AllocationId") or addr.get("PublicIp")
        details = {
            "public_ip": addr.get("PublicIp"),
            "allocation_id": addr.get("AllocationId"),
            "association_id": addr.get("AssociationId"),
            "instance_id": addr.get("InstanceId"),
            "network_interface_id": addr.get("NetworkInterfaceId"),
            "private_ip": addr.get("PrivateIpAddress"),
            "domain": addr.get("Domain"),
            "associated": associated,
        }
        batch.append(
            Resource(
                kind="ec2:elastic-ip",
                id=ident,
                account_id=ctx.account_id,
                arn=ctx.arn("ec2", f"elastic-ip/{ident}"),
                name=tags.get("Name", "") or addr.get("PublicIp", ""),
                region=ctx.region,
                state="associated" if associated else "idle",
                created=None,
                tags=tags,
                details={k: v for k, v in details.items() if v is not None},
            )
        )
    yield batch


def list_nat_gateways(ctx: CellContext) -> Iterator[list[Resource]]:
    ec2 = ctx.client("ec2")
    filters = [{"Name": "state", "Values": _LIVE_NAT_STATES}]
    for page in ctx.pages(ec2, "describe_nat_gateways", Filter=filters):
        batch = []
        for nat in page.get("NatGateways", []):
            tags = tag_dict(nat.get("Tags"))
            nat_id = nat["NatGatewayId"]
            addresses = nat.get("NatGatewayAddresses", [])
            details = {
                "subnet_id": nat.get("SubnetId"),
                "vpc_id": nat.get("VpcId"),
                "connectivity_type": nat.get("ConnectivityType", "public"),
                "public_ips": [a["PublicIp"] for a in addresses if a.get("PublicIp")],
                "allocation_ids": [a["AllocationId"] for a in addresses if a.get("AllocationId")],
                "failure_message": nat.get("FailureMessage"),
            }
            batch.append(
                Resource(
                    kind="ec2:nat-gateway",
                    id=nat_id,
                    account_id=ctx.account_id,
                    arn=ctx.arn("ec2", f"natgateway/{nat_id}"),
                    name=tags.get("Name", ""),
                    region=ctx.region,
                    state=nat.get("State", ""),
                    created=ts(nat.get("CreateTime")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


KINDS = [
    KindSpec("ec2:instance", "ec2", "regional", list_instances, "EC2 instances", ("stop", "terminate")),
    KindSpec("ec2:volume", "ec2", "regional", list_volumes, "EBS volumes", ("delete",)),
    KindSpec("ec2:elastic-ip", "ec2", "regional", list_elastic_ips, "Elastic IPs", ("release",)),
    KindSpec("ec2:nat-gateway", "ec2", "regional", list_nat_gateways, "NAT gateways", ("delete",)),
]
