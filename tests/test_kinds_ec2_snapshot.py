"""EBS snapshots (aws/kinds/ec2_snapshot.py): the account's own only, their volume, tier and
backing AMI, against moto; paging past page 1 with the AMI lookup done once (Stubber: moto
ignores MaxResults); and their prices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.stubs import ACCOUNT, CREATED, CREATED_ISO, Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.ec2_snapshot import KIND as SNAPSHOT
from tracker_tui.aws.kinds.ec2_snapshot import list_snapshots
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
