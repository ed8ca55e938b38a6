"""AMIs (aws/kinds/ec2_image.py): the account's own with their snapshots and the instances that use
them, against moto; paging past page 1 (Stubber: moto ignores MaxResults); and their price."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.stubs import ACCOUNT, CREATED_ISO, Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.ec2_image import KIND as IMAGE
from tracker_tui.aws.kinds.ec2_image import list_images
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
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


# --- paging past page 1 (Stubber) -----------------------------------------------------------------


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


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


# --- against moto ---------------------------------------------------------------------------------


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


# --- prices --------------------------------------------------------------------------------------------


def _row(kind: str, region: str = REGION, state: str = "available", **details: Any) -> Resource:
    return Resource(kind=kind, id="x", region=region, state=state, details=details)


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
