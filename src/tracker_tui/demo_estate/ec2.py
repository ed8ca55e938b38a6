"""The demo estate's EBS snapshots, AMIs, VPC endpoints and a data volume, through the public APIs.

Per region: snapshots of volumes that still exist, one whose volume was deleted (orphaned),
one moved to the archive tier, one protected by a tag in prod; a golden AMI that a running
canary instance was launched from, and (at scale 2 and up) an AMI nobody runs; an interface
endpoint in two AZs and a (free) gateway endpoint for S3; a data volume attached to a worker.
The core seeding has already made the region's instances, so a few calls find and reuse them.
"""

from __future__ import annotations

from typing import Any

from tracker_tui.demo_estate import scheduler
from tracker_tui.demo_estate.core import RegionSeeder


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's snapshots, AMIs, VPC endpoints and data volume; how many resources the scan lists."""
    ec2 = s.c("ec2")
    running = ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["running"]}])
    instances = [i for r in running["Reservations"] for i in r["Instances"]]
    by_role: dict[str, list[dict[str, Any]]] = {}
    for inst in instances:
        name = next((t["Value"] for t in inst.get("Tags", []) if t["Key"] == "Name"), "")
        by_role.setdefault(name.removeprefix(f"{env}-"), []).append(inst)
    scheduler.tag_scheduled(s, env, by_role)
    return _snapshots(s, env, by_role) + _images(s, env, by_role) + _endpoints(s, env) + _data_volume(s, env, by_role)


def _data_volume(s: RegionSeeder, env: str, by_role: dict[str, list[dict[str, Any]]]) -> int:
    """A data volume attached to the first worker: busy, except in dev, where nothing reads or
    writes it (``ebs-no-io``, once the idle checks run)."""
    ec2 = s.c("ec2")
    worker = by_role["worker"][0]
    volume = ec2.create_volume(
        AvailabilityZone=worker["Placement"]["AvailabilityZone"],
        Size=100,
        VolumeType="gp3",
        TagSpecifications=[
            {"ResourceType": "volume", "Tags": s.tags(Name=f"{env}-worker-data", env=env, team="platform")}
        ],
    )["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=worker["InstanceId"], Device="/dev/sdf")
    return 1


def _root_volume(inst: dict[str, Any]) -> str:
    return str(next(m["Ebs"]["VolumeId"] for m in inst["BlockDeviceMappings"] if m.get("Ebs")))


def _snapshot_spec(s: RegionSeeder, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": "snapshot", "Tags": s.tags(**tags)}]


def _snapshots(s: RegionSeeder, env: str, by_role: dict[str, list[dict[str, Any]]]) -> int:
    ec2 = s.c("ec2")
    az = f"{s.region}a"
    web, api = by_role["web"][0], by_role["api"][0]
    # Backups of volumes that still exist.
    ec2.create_snapshot(
        VolumeId=_root_volume(web),
        Description=f"nightly backup of {env}-web root",
        TagSpecifications=_snapshot_spec(s, Name=f"{env}-web-nightly", env=env, team="platform"),
    )
    protected = {"do_not_delete": "true"} if env == "prod" else {}
    ec2.create_snapshot(
        VolumeId=_root_volume(api),
        Description=f"before the {env}-api kernel upgrade",
        TagSpecifications=_snapshot_spec(s, Name=f"{env}-api-pre-upgrade", env=env, team="payments", **protected),
    )
    # Waste: the snapshot of a scratch volume deleted since (orphaned, and billed in full).
    scratch = ec2.create_volume(AvailabilityZone=az, Size=200 * s.scale, VolumeType="gp3")["VolumeId"]
    ec2.create_snapshot(
        VolumeId=scratch,
        Description="batch-scratch final state",
        TagSpecifications=_snapshot_spec(s, Name=f"{env}-batch-scratch-final", env=env, team="data"),
    )
    ec2.delete_volume(VolumeId=scratch)
    # An old year-end backup moved to the archive tier (a quarter of the standard price).
    archived = ec2.create_snapshot(
        VolumeId=_root_volume(by_role["worker"][0]),
        Description="year-end 2024 archive",
        TagSpecifications=_snapshot_spec(s, Name=f"{env}-worker-2024-archive", env=env, team="finance"),
    )["SnapshotId"]
    ec2.modify_snapshot_tier(SnapshotId=archived, StorageTier="archive")
    return 4


def _images(s: RegionSeeder, env: str, by_role: dict[str, list[dict[str, Any]]]) -> int:
    ec2 = s.c("ec2")
    web = by_role["web"][0]
    golden = ec2.create_image(
        InstanceId=web["InstanceId"],
        Name=f"{env}-web-golden-2026.11",
        Description=f"{env} web tier golden image",
        NoReboot=True,
        TagSpecifications=[{"ResourceType": "image", "Tags": s.tags(Name=f"{env}-web-golden", env=env)}],
    )["ImageId"]
    # A canary launched from it: the AMI is in use, and deregistering it is refused.
    ec2.run_instances(
        ImageId=golden,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        SubnetId=web["SubnetId"],
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": s.tags(Name=f"{env}-web-canary", env=env, team="platform")}
        ],
    )
    made = 1 + 1 + 2  # the image, the snapshot CreateImage took, the canary and its root volume
    if s.scale > 1:
        # Waste: an AMI nobody runs any more, its snapshot still billed.
        ec2.create_image(
            InstanceId=by_role["worker"][0]["InstanceId"],
            Name=f"{env}-worker-2024.03",
            Description="worker image from before the move to containers",
            NoReboot=True,
            TagSpecifications=[{"ResourceType": "image", "Tags": s.tags(Name=f"{env}-worker-old", env=env)}],
        )
        made += 2
    return made


def _endpoints(s: RegionSeeder, env: str) -> int:
    ec2 = s.c("ec2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnets.sort(key=lambda subnet: subnet["AvailabilityZone"])
    vpc_id = subnets[0]["VpcId"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    # An interface endpoint for Systems Manager in two AZs: billed per AZ-hour.
    ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        VpcEndpointType="Interface",
        ServiceName=f"com.amazonaws.{s.region}.ssm",
        SubnetIds=[subnet["SubnetId"] for subnet in subnets[:2]],
        PrivateDnsEnabled=True,
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": s.tags(Name=f"{env}-ssm", env=env)}],
    )
    # A gateway endpoint for S3: free.
    ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        VpcEndpointType="Gateway",
        ServiceName=f"com.amazonaws.{s.region}.s3",
        RouteTableIds=[table["RouteTableId"] for table in tables[:1]],
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": s.tags(Name=f"{env}-s3-gateway", env=env)}],
    )
    return 2
