"""EBS snapshots, AMIs and VPC endpoints: listing against moto, the ownership filter, paging
past page 1 (Stubber: moto ignores MaxResults on all three), and their prices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests import helpers
from tests.test_paging_stubbed import ACCOUNT, CREATED, CREATED_ISO, Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.ec2_image import KIND as IMAGE
from tracker_tui.aws.kinds.ec2_image import list_images
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.kinds.ec2_snapshot import list_snapshots
from tracker_tui.aws.kinds.ec2_vpc_endpoint import KIND as VPC_ENDPOINT
from tracker_tui.aws.kinds.ec2_vpc_endpoint import list_vpc_endpoints
from tracker_tui.demo_estate import ec2 as demo_ec2
from tracker_tui.demo_estate.core import RegionSeeder
from tracker_tui.model import Resource

AMI = "ami-12c6146b"
REGION = "us-east-1"
OTHER_ACCOUNT = "210987654321"


def _tags(resource_type: str, **tags: str) -> dict[str, Any]:
    return {
        "TagSpecifications": [
            {"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    }


def _by_id(kind: str, region: str = REGION, **scan: Any) -> dict[str, Resource]:
    resources, collector = helpers.scan([kind], [region], **scan)
    assert [r.status.value for r in collector.results] in (["done"], ["empty"]), collector.results
    return {r.id: r for r in price_resources(resources)}


# --- snapshots against moto -------------------------------------------------------------------


def test_snapshots_list_the_accounts_own_with_their_volume_tier_and_backing_ami() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        volume = ec2.create_volume(Size=100, AvailabilityZone="us-east-1a")["VolumeId"]
        backup = ec2.create_snapshot(
            VolumeId=volume, Description="nightly", **_tags("snapshot", Name="db-nightly", env="prod")
        )
        archived = ec2.create_snapshot(VolumeId=volume, Description="year-end")["SnapshotId"]
        ec2.modify_snapshot_tier(SnapshotId=archived, StorageTier="archive")
        instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        image = ec2.create_image(InstanceId=instance, Name="golden")["ImageId"]
        (image_snapshot,) = [
            m["Ebs"]["SnapshotId"] for m in ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"]
        ]
        rows = _by_id(SNAPSHOT)

    assert set(rows) == {backup["SnapshotId"], archived, image_snapshot}
    row = rows[backup["SnapshotId"]]
    assert (row.kind, row.name, row.state, row.account_id, row.region) == (
        SNAPSHOT,
        "db-nightly",
        "completed",
        ACCOUNT,
        REGION,
    )
    assert row.tags == {"Name": "db-nightly", "env": "prod"}
    assert row.arn == f"arn:aws:ec2:{REGION}:{ACCOUNT}:snapshot/{backup['SnapshotId']}"
    assert row.created is not None and row.created == row.details["start_time"]
    assert row.details == {
        "volume_size_gib": 100,
        "volume_id": volume,
        "description": "nightly",
        "storage_tier": "standard",
        "start_time": row.created,
        "age_days": 0,
        "encrypted": False,
        "progress": "100%",
    }
    assert rows[archived].details["storage_tier"] == "archive"
    assert "backs_image" not in row.details
    assert rows[image_snapshot].details["backs_image"] == image
    assert rows[backup["SnapshotId"]].monthly_cost == 5.0
    assert rows[archived].monthly_cost == 1.25


def test_other_accounts_public_snapshots_are_never_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto answers OwnerIds=["self"] with its built-in images' snapshots too (other owners)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "true")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        volume = ec2.create_volume(Size=8, AvailabilityZone="us-east-1a")["VolumeId"]
        own = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
        answered = ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
        foreign = {s["SnapshotId"] for s in answered if s["OwnerId"] != ACCOUNT}
        rows = _by_id(SNAPSHOT)

    # The premise: the "self" answer holds other accounts' snapshots.
    assert len(foreign) > 100
    assert set(rows) == {own}


def test_a_snapshot_page_of_another_accounts_items_is_dropped_before_the_ami_lookup(stubs: Stubs) -> None:
    """An answer with only foreign snapshots costs no DescribeImages call (the Stubber would fail on it)."""
    ec2 = stubs("ec2")
    ec2.add_response(
        "describe_snapshots",
        {"Snapshots": [_snapshot("snap-0f00000000000001", owner=OTHER_ACCOUNT)]},
        {"OwnerIds": ["self"]},
    )
    found = collect(list_snapshots(stubs.context(REGION, [REGION])))
    stubs.assert_no_pending_responses()
    assert found == {}


# --- paging past page 1 (Stubber) -----------------------------------------------------------------


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


def _snapshot(ident: str, *, owner: str = ACCOUNT, size: int = 50, tier: str = "standard") -> dict[str, Any]:
    return {
        "SnapshotId": ident,
        "OwnerId": owner,
        "VolumeId": "vol-0a1b2c3d4e5f60001",
        "VolumeSize": size,
        "State": "completed",
        "StartTime": CREATED,
        "Progress": "100%",
        "Encrypted": True,
        "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234",
        "Description": f"backup {ident}",
        "StorageTier": tier,
        "Tags": [{"Key": "Name", "Value": ident}],
    }


def _image(ident: str, snapshots: list[str], *, owner: str = ACCOUNT) -> dict[str, Any]:
    return {
        "ImageId": ident,
        "OwnerId": owner,
        "Name": f"image {ident}",
        "State": "available",
        "Architecture": "arm64",
        "PlatformDetails": "Linux/UNIX",
        "CreationDate": "2024-03-01T09:30:00.000Z",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "VirtualizationType": "hvm",
        "Public": False,
        "BlockDeviceMappings": [
            {"DeviceName": f"/dev/xvd{chr(97 + i)}", "Ebs": {"SnapshotId": s, "VolumeSize": 8 * (i + 1)}}
            for i, s in enumerate(snapshots)
        ]
        + [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}],
    }


def _instance(ident: str, image: str, state: str) -> dict[str, Any]:
    return {"InstanceId": ident, "ImageId": image, "State": {"Name": state, "Code": 16}}


def test_snapshots_page_past_the_first_and_look_up_backing_amis_once_over_every_page(stubs: Stubs) -> None:
    ec2 = stubs("ec2")
    ec2.add_response(
        "describe_snapshots",
        {"Snapshots": [_snapshot("snap-01"), _snapshot("snap-02")], "NextToken": "snaps-2"},
        {"OwnerIds": ["self"], "MaxResults": 2},
    )
    # The AMI lookup pages too, and runs once for the cell (before the first page's rows).
    ec2.add_response(
        "describe_images",
        {"Images": [_image("ami-0a", ["snap-02"])], "NextToken": "images-2"},
        {"Owners": ["self"], "MaxResults": 2},
    )
    ec2.add_response(
        "describe_images",
        {"Images": [_image("ami-0b", ["snap-03"]), _image("ami-0c", ["snap-03"], owner=OTHER_ACCOUNT)]},
        {"Owners": ["self"], "MaxResults": 2, "NextToken": "images-2"},
    )
    ec2.add_response(
        "describe_snapshots",
        {"Snapshots": [_snapshot("snap-03", tier="archive"), _snapshot("snap-04", owner=OTHER_ACCOUNT)]},
        {"OwnerIds": ["self"], "MaxResults": 2, "NextToken": "snaps-2"},
    )

    found = collect(list_snapshots(stubs.context(REGION, [REGION], page_size=2)))

    stubs.assert_no_pending_responses()
    assert set(found) == {"snap-01", "snap-02", "snap-03"}
    assert "backs_image" not in found["snap-01"].details
    assert found["snap-02"].details["backs_image"] == "ami-0a"
    # Another account's AMI naming our snapshot does not count: only our own AMIs are ours to deregister.
    assert found["snap-03"].details["backs_image"] == "ami-0b"
    assert "backs_images" not in found["snap-03"].details
    assert found["snap-03"].details["storage_tier"] == "archive"
    assert found["snap-01"].created == CREATED_ISO
    assert found["snap-01"].details["kms_key_id"] == "arn:aws:kms:us-east-1:123456789012:key/1234"
    assert found["snap-01"].details["age_days"] == (datetime.now(UTC) - CREATED).days


def test_images_page_past_the_first_and_count_the_instances_launched_from_them(stubs: Stubs) -> None:
    ec2 = stubs("ec2")
    states = ["pending", "running", "stopping", "stopped"]
    ec2.add_response(
        "describe_images",
        {"Images": [_image("ami-0a", ["snap-01", "snap-02"])], "NextToken": "images-2"},
        {"Owners": ["self"], "MaxResults": 2},
    )
    ec2.add_response(
        "describe_instances",
        {"Reservations": [{"Instances": [_instance("i-01", "ami-0a", "running")]}], "NextToken": "inst-2"},
        {"Filters": [{"Name": "instance-state-name", "Values": states}], "MaxResults": 2},
    )
    ec2.add_response(
        "describe_instances",
        {
            "Reservations": [
                {"Instances": [_instance("i-02", "ami-0a", "stopped"), _instance("i-03", "ami-0b", "pending")]},
                {"Instances": [_instance("i-04", "ami-0f", "running")]},
            ]
        },
        {"Filters": [{"Name": "instance-state-name", "Values": states}], "MaxResults": 2, "NextToken": "inst-2"},
    )
    ec2.add_response(
        "describe_images",
        {"Images": [_image("ami-0b", []), _image("ami-0c", ["snap-09"]), _image("ami-0d", [], owner=OTHER_ACCOUNT)]},
        {"Owners": ["self"], "MaxResults": 2, "NextToken": "images-2"},
    )

    found = collect(list_images(stubs.context(REGION, [REGION], page_size=2)))

    stubs.assert_no_pending_responses()
    assert set(found) == {"ami-0a", "ami-0b", "ami-0c"}
    a = found["ami-0a"]
    assert (a.name, a.state, a.created, a.arn) == (
        "image ami-0a",
        "available",
        CREATED_ISO,
        "arn:aws:ec2:us-east-1::image/ami-0a",
    )
    assert a.details == {
        "image_name": "image ami-0a",
        "architecture": "arm64",
        "platform_details": "Linux/UNIX",
        "creation_date": CREATED_ISO,
        "root_device_type": "ebs",
        "root_device_name": "/dev/xvda",
        "virtualization_type": "hvm",
        "public": False,
        "snapshot_ids": ["snap-01", "snap-02"],
        "snapshots_gib": 24.0,
        "in_use_by": 2,
        "instance_ids": ["i-01", "i-02"],
        "running_instance_ids": ["i-01"],
    }
    assert (found["ami-0b"].details["in_use_by"], found["ami-0b"].details["running_instance_ids"]) == (1, ["i-03"])
    assert (found["ami-0c"].details["in_use_by"], found["ami-0c"].details["instance_ids"]) == (0, [])


def test_vpc_endpoints_page_past_the_first(stubs: Stubs) -> None:
    ec2 = stubs("ec2")

    def endpoint(ident: str, kind: str, subnets: list[str], state: str = "available") -> dict[str, Any]:
        return {
            "VpcEndpointId": ident,
            "VpcEndpointType": kind,
            "VpcId": "vpc-0a",
            "ServiceName": "com.amazonaws.us-east-1.ssm",
            "State": state,
            "SubnetIds": subnets,
            "PrivateDnsEnabled": True,
            "CreationTimestamp": CREATED,
            "Tags": [{"Key": "Name", "Value": ident}],
        }

    ec2.add_response(
        "describe_vpc_endpoints",
        {"VpcEndpoints": [endpoint("vpce-01", "Interface", ["subnet-a", "subnet-b"])], "NextToken": "vpce-2"},
        {"MaxResults": 2},
    )
    ec2.add_response(
        "describe_vpc_endpoints",
        {
            "VpcEndpoints": [
                endpoint("vpce-02", "GatewayLoadBalancer", ["subnet-a"], state="pendingAcceptance"),
                endpoint("vpce-03", "Interface", ["subnet-a"], state="Deleted"),
            ]
        },
        {"MaxResults": 2, "NextToken": "vpce-2"},
    )

    found = collect(list_vpc_endpoints(stubs.context(REGION, [REGION], page_size=2)))

    stubs.assert_no_pending_responses()
    assert set(found) == {"vpce-01", "vpce-02"}  # a deleted endpoint is not listed
    assert found["vpce-02"].state == "pendingacceptance"
    assert found["vpce-02"].details["az_count"] == 1
    assert found["vpce-01"].created == CREATED_ISO


# --- AMIs and VPC endpoints against moto ------------------------------------------------------------


def test_images_list_own_amis_with_snapshots_and_the_instances_that_use_them() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        source = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        golden = ec2.create_image(InstanceId=source, Name="golden", **_tags("image", Name="web-golden"))["ImageId"]
        unused = ec2.create_image(InstanceId=source, Name="old")["ImageId"]
        runs = ec2.run_instances(ImageId=golden, MinCount=3, MaxCount=3)["Instances"]
        ec2.stop_instances(InstanceIds=[runs[1]["InstanceId"]])
        ec2.terminate_instances(InstanceIds=[runs[2]["InstanceId"]])
        snapshots = [
            m["Ebs"]["SnapshotId"] for m in ec2.describe_images(ImageIds=[golden])["Images"][0]["BlockDeviceMappings"]
        ]
        rows = _by_id(IMAGE)

    assert set(rows) == {golden, unused}  # never moto's (or anyone's) public images
    row = rows[golden]
    assert (row.name, row.state, row.tags) == ("web-golden", "available", {"Name": "web-golden"})
    d = row.details
    assert (d["image_name"], d["public"], d["snapshot_ids"], d["snapshots_gib"]) == ("golden", False, snapshots, 15.0)
    assert (d["in_use_by"], sorted(d["instance_ids"])) == (2, sorted(r["InstanceId"] for r in runs[:2]))
    assert d["running_instance_ids"] == [runs[0]["InstanceId"]]
    assert rows[unused].details["in_use_by"] == 0
    assert rows[unused].name == "old"  # no Name tag: the AMI's own name
    assert row.monthly_cost == 0.0
    assert row.cost_basis == "an AMI costs nothing itself; its 1 snapshot (15 GiB) bills on its own ec2:snapshot row"


def test_a_cell_without_own_images_makes_no_instance_lookup() -> None:
    with mock_aws():
        session = helpers.moto_session()
        calls = helpers.record_calls(session)
        boto3.client("ec2", region_name=REGION).run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
        assert _by_id(IMAGE, session=session) == {}
        assert _by_id(SNAPSHOT, session=session) == {}
    names = [name for name, _ in calls]
    assert "ec2.DescribeInstances" not in names and names.count("ec2.DescribeImages") == 1
    assert helpers.named(calls, "ec2.DescribeImages") == [{"Owners": ["self"]}]
    assert helpers.named(calls, "ec2.DescribeSnapshots") == [{"OwnerIds": ["self"]}]


def test_vpc_endpoints_list_interface_and_gateway_with_their_azs() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in enumerate("ab")
        ]
        interface = ec2.create_vpc_endpoint(
            VpcId=vpc,
            VpcEndpointType="Interface",
            ServiceName="com.amazonaws.us-east-1.ssm",
            SubnetIds=subnets,
            PrivateDnsEnabled=True,
            **_tags("vpc-endpoint", Name="ssm", env="prod"),
        )["VpcEndpoint"]["VpcEndpointId"]
        gateway = ec2.create_vpc_endpoint(
            VpcId=vpc, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.s3"
        )["VpcEndpoint"]["VpcEndpointId"]
        gone = ec2.create_vpc_endpoint(
            VpcId=vpc, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.dynamodb"
        )["VpcEndpoint"]["VpcEndpointId"]
        ec2.delete_vpc_endpoints(VpcEndpointIds=[gone])
        rows = _by_id(VPC_ENDPOINT)

    assert set(rows) == {interface, gateway}  # moto keeps the deleted one listed as "deleted"
    row = rows[interface]
    assert (row.name, row.state, row.tags) == ("ssm", "available", {"Name": "ssm", "env": "prod"})
    d = row.details
    assert (d["endpoint_type"], d["service_name"], d["service"], d["vpc_id"]) == (
        "Interface",
        "com.amazonaws.us-east-1.ssm",
        "ssm",
        vpc,
    )
    assert (d["subnet_ids"], d["az_count"], d["private_dns_enabled"]) == (subnets, 2, True)
    assert d["dns_name"].startswith(interface)
    assert "az_count" not in rows[gateway].details
    assert (row.monthly_cost, rows[gateway].monthly_cost) == (14.6, 0.0)


# --- prices --------------------------------------------------------------------------------------------


def _row(kind: str, region: str = REGION, state: str = "available", **details: Any) -> Resource:
    return Resource(kind=kind, id="x", region=region, state=state, details=details)


@pytest.mark.parametrize(
    ("region", "tier", "size", "cost", "basis"),
    [
        ("us-east-1", "standard", 100, 5.0,
         "standard tier us-east-1: 100 GiB (the volume's size) x $0.05/GB-mo = $5.00; an upper bound: "
         "a snapshot bills only the blocks changed since the previous one"),
        ("us-east-1", "archive", 100, 1.25,
         "archive tier us-east-1: 100 GiB (the volume's size) x $0.0125/GB-mo = $1.25; an upper bound: "
         "an archived snapshot bills all the blocks it holds, for 90 days at least"),
        ("ap-southeast-2", "standard", 15, 0.83,
         "standard tier ap-southeast-2: 15 GiB (the volume's size) x $0.055/GB-mo = $0.83; an upper bound: "
         "a snapshot bills only the blocks changed since the previous one"),
    ],
)  # fmt: skip
def test_snapshot_price_is_its_volume_size_at_its_tiers_rate(
    region: str, tier: str, size: int, cost: float, basis: str
) -> None:
    assert estimate(_row(SNAPSHOT, region, "completed", volume_size_gib=size, storage_tier=tier)) == (cost, basis)


def test_a_snapshot_without_a_known_price_says_why() -> None:
    assert estimate(_row(SNAPSHOT, "us-east-1", storage_tier="standard")) == (None, "snapshot size unknown")
    assert estimate(_row(SNAPSHOT, "us-east-1", volume_size_gib=8, storage_tier="glacier")) == (
        None,
        "no catalogue price for glacier snapshot storage in us-east-1",
    )
    assert estimate(_row(SNAPSHOT, "xx-moon-1", volume_size_gib=8)) == (
        None,
        "no catalogue prices for region xx-moon-1",
    )


def test_an_ami_is_free_and_names_the_snapshots_that_bill() -> None:
    assert estimate(_row(IMAGE, snapshot_ids=["snap-1", "snap-2"], snapshots_gib=38)) == (
        0.0,
        "an AMI costs nothing itself; its 2 snapshots (38 GiB) bill on their own ec2:snapshot rows",
    )
    assert estimate(_row(IMAGE, snapshot_ids=[])) == (
        0.0,
        "an AMI costs nothing itself; it has no EBS snapshots (an instance-store AMI's bundle bills in S3)",
    )
    assert estimate(_row(IMAGE)) == (
        0.0,
        "an AMI costs nothing itself; its snapshots bill on their own ec2:snapshot rows",
    )


@pytest.mark.parametrize(
    ("endpoint_type", "region", "state", "azs", "cost", "basis"),
    [
        ("Interface", "us-east-1", "available", 2, 14.6,
         "interface endpoint us-east-1, 2 AZs x $0.0100/h x 730 h = $14.60 + data processed, usage-dependent"),
        ("GatewayLoadBalancer", "us-west-2", "available", 1, 7.3,
         "Gateway Load Balancer endpoint us-west-2, 1 AZ x $0.0100/h x 730 h = $7.30 "
         "+ data processed, usage-dependent"),
        ("Interface", "us-east-2", "pendingacceptance", 3, 21.9,
         "interface endpoint us-east-2, 3 AZs x $0.0100/h x 730 h = $21.90 + data processed, usage-dependent"),
        ("Gateway", "eu-west-1", "available", None, 0.0,
         "gateway endpoint (s3): free, no hourly or data processing charge"),
        ("Interface", "eu-west-1", "available", 2, None,
         "no catalogue price for interface endpoint AZ-hours in eu-west-1"),
        ("Interface", "xx-moon-1", "available", 2, None, "no catalogue prices for region xx-moon-1"),
        ("Interface", "us-east-1", "failed", 2, 0.0,
         "failed: an endpoint in this state holds no network interfaces and is not billed"),
        ("Interface", "us-east-1", "available", 0, None, "interface endpoint with no subnets listed: AZ count unknown"),
        ("Resource", "us-east-1", "available", 1, None, "endpoint type Resource: no price known"),
    ],
)  # fmt: skip
def test_vpc_endpoint_price_by_type_azs_and_region(
    endpoint_type: str, region: str, state: str, azs: int | None, cost: float | None, basis: str
) -> None:
    details: dict[str, Any] = {"endpoint_type": endpoint_type, "service": "s3"}
    if azs is not None:
        details["az_count"] = azs
    assert estimate(_row(VPC_ENDPOINT, region, state, **details)) == (cost, basis)


# --- the demo's estate ------------------------------------------------------------------------------


def test_the_demo_seeds_orphaned_archived_and_ami_snapshots_a_used_and_an_unused_ami_and_two_endpoints() -> None:
    with mock_aws():
        boto = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        # No endpoint URL: moto's in-process mock, not the demo's server.
        seeder = RegionSeeder(boto, None, REGION, 2)
        subnets = seeder.c("ec2").describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
        seeder.instances("prod", sorted(subnets["Subnets"], key=lambda s: s["AvailabilityZone"]))
        made = demo_ec2.seed_region(seeder, "prod")
        volumes = {v["VolumeId"] for v in boto.client("ec2").describe_volumes()["Volumes"]}
        rows = {kind: list(_by_id(kind).values()) for kind in (SNAPSHOT, IMAGE, VPC_ENDPOINT)}

    snapshots, images, endpoints = rows[SNAPSHOT], rows[IMAGE], rows[VPC_ENDPOINT]
    assert made == len(snapshots) + len(images) + len(endpoints) + 2  # and the canary instance, its root volume
    assert len(snapshots) == 6 and len(images) == 2 and len(endpoints) == 2
    # Orphaned: its volume is gone and no own AMI uses it (moto's CreateImage names a volume it never made).
    orphaned = [s.name for s in snapshots if s.details["volume_id"] not in volumes and "backs_image" not in s.details]
    assert orphaned == ["prod-batch-scratch-final"]
    assert [s.name for s in snapshots if s.details["storage_tier"] == "archive"] == ["prod-worker-2024-archive"]
    assert sorted(bool(s.details.get("backs_image")) for s in snapshots) == [False] * 4 + [True] * 2
    assert sorted((i.name, i.details["in_use_by"]) for i in images) == [("prod-web-golden", 1), ("prod-worker-old", 0)]
    by_type = {e.details["endpoint_type"]: e for e in endpoints}
    assert (by_type["Interface"].details["az_count"], by_type["Interface"].monthly_cost) == (2, 14.6)
    assert by_type["Gateway"].monthly_cost == 0.0
