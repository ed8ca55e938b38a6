"""EC2 family against moto: instances, EBS volumes, Elastic IPs, NAT gateways."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests import helpers
from tests.helpers import named, record_calls
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"
AMI = "ami-12c6146b"


def assert_owned(resource: Resource, kind: str, region: str, arn_suffix: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT
    assert resource.arn == f"arn:aws:ec2:{region}:{ACCOUNT}:{arn_suffix}"


def run_instance(ec2: Any, instance_type: str = "t3.micro", tags: dict[str, str] | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"ImageId": AMI, "MinCount": 1, "MaxCount": 1, "InstanceType": instance_type}
    if tags:
        kwargs["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return ec2.run_instances(**kwargs)["Instances"][0]


# --- instances -------------------------------------------------------------------------


def test_instances_running_and_stopped_listed_terminated_excluded() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        web = run_instance(ec2, "t3.micro", {"Name": "web-1", "env": "prod"})
        batch = run_instance(ec2, "m5.large")
        gone = run_instance(ec2)
        ec2.stop_instances(InstanceIds=[batch["InstanceId"]])
        ec2.terminate_instances(InstanceIds=[gone["InstanceId"]])
        described = {
            i["InstanceId"]: i
            for r in ec2.describe_instances()["Reservations"]
            for i in r["Instances"]
        }

        resources, _ = helpers.scan(["ec2:instance"])

    found = {r.id: r for r in resources}
    assert set(found) == {web["InstanceId"], batch["InstanceId"]}
    running, stopped = found[web["InstanceId"]], found[batch["InstanceId"]]
    assert_owned(running, "ec2:instance", "us-east-1", f"instance/{web['InstanceId']}")
    assert_owned(stopped, "ec2:instance", "us-east-1", f"instance/{batch['InstanceId']}")
    assert running.state == "running"
    assert stopped.state == "stopped"
    assert running.details["instance_type"] == "t3.micro"
    assert stopped.details["instance_type"] == "m5.large"
    assert running.name == "web-1"
    assert stopped.name == ""
    assert running.tags == {"Name": "web-1", "env": "prod"}
    root_volumes = [m["Ebs"]["VolumeId"] for m in described[web["InstanceId"]]["BlockDeviceMappings"]]
    assert root_volumes and running.details["volume_ids"] == root_volumes
    assert running.created == iso_utc(described[web["InstanceId"]]["LaunchTime"])


def test_instances_carry_their_own_region() -> None:
    with mock_aws():
        east = run_instance(boto3.client("ec2", region_name="us-east-1"))
        west = run_instance(boto3.client("ec2", region_name="eu-west-1"))

        resources, _ = helpers.scan(["ec2:instance"], ["us-east-1", "eu-west-1"])

    regions = {r.id: r.region for r in resources}
    assert regions == {east["InstanceId"]: "us-east-1", west["InstanceId"]: "eu-west-1"}
    west_resource = next(r for r in resources if r.id == west["InstanceId"])
    assert_owned(west_resource, "ec2:instance", "eu-west-1", f"instance/{west['InstanceId']}")


def test_instances_paginate_past_the_first_page() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        # moto pages DescribeInstances by reservation: one run_instances call per instance.
        ids = sorted(run_instance(ec2)["InstanceId"] for _ in range(5))
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["ec2:instance"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == ids
    pages = named(calls, "ec2.DescribeInstances")
    assert len(pages) == 3  # 2 + 2 + 1
    assert all(params["MaxResults"] == 2 for params in pages)


# --- volumes ---------------------------------------------------------------------------


def test_volumes_attached_and_unattached() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        host = run_instance(ec2)
        data = ec2.create_volume(
            AvailabilityZone="us-east-1a",
            Size=100,
            VolumeType="io1",
            Iops=500,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "data"}]}],
        )
        spare = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, VolumeType="gp3")
        ec2.attach_volume(VolumeId=data["VolumeId"], InstanceId=host["InstanceId"], Device="/dev/sdf")

        resources, _ = helpers.scan(["ec2:volume"])

    found = {r.id: r for r in resources}
    attached, idle = found[data["VolumeId"]], found[spare["VolumeId"]]
    assert_owned(attached, "ec2:volume", "us-east-1", f"volume/{data['VolumeId']}")
    assert_owned(idle, "ec2:volume", "us-east-1", f"volume/{spare['VolumeId']}")
    assert attached.state == "in-use"
    assert attached.details["attached"] is True
    assert attached.details["attachments"] == [
        {"instance_id": host["InstanceId"], "device": "/dev/sdf", "state": "attached"}
    ]
    assert attached.details["size_gib"] == 100
    assert attached.details["volume_type"] == "io1"
    assert attached.details["iops"] == 500
    assert attached.name == "data"
    assert attached.tags == {"Name": "data"}
    assert attached.created == iso_utc(data["CreateTime"])
    assert idle.state == "available"
    assert idle.details["attached"] is False
    assert idle.details["attachments"] == []
    assert idle.details["size_gib"] == 8
    assert idle.details["volume_type"] == "gp3"
    # The instance's root volume is listed too (in use).
    others = [r for r in resources if r.id not in (data["VolumeId"], spare["VolumeId"])]
    assert [r.state for r in others] == ["in-use"]


def test_volumes_ask_for_pages_and_return_everything() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        ids = sorted(ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"] for _ in range(5))
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["ec2:volume"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == ids
    # moto 5.2 ignores MaxResults on DescribeVolumes (one page with everything), so we can
    # only prove that the page size was asked for.
    pages = named(calls, "ec2.DescribeVolumes")
    assert pages
    assert all(params["MaxResults"] == 2 for params in pages)


# --- Elastic IPs -----------------------------------------------------------------------


def test_elastic_ips_associated_and_idle() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        host = run_instance(ec2)
        used = ec2.allocate_address(Domain="vpc")
        idle = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=used["AllocationId"], InstanceId=host["InstanceId"])

        resources, _ = helpers.scan(["ec2:elastic-ip"])

    found = {r.id: r for r in resources}
    assert set(found) == {used["AllocationId"], idle["AllocationId"]}
    associated, spare = found[used["AllocationId"]], found[idle["AllocationId"]]
    assert_owned(associated, "ec2:elastic-ip", "us-east-1", f"elastic-ip/{used['AllocationId']}")
    assert_owned(spare, "ec2:elastic-ip", "us-east-1", f"elastic-ip/{idle['AllocationId']}")
    assert associated.state == "associated"
    assert associated.details["associated"] is True
    assert associated.details["instance_id"] == host["InstanceId"]
    assert associated.details["public_ip"] == used["PublicIp"]
    assert spare.state == "idle"
    assert spare.details["associated"] is False
    # moto answers InstanceId "" for an unassociated address (AWS omits the key).
    assert not spare.details.get("instance_id")
    assert spare.details["public_ip"] == idle["PublicIp"]
    assert spare.name == idle["PublicIp"]


# --- NAT gateways ----------------------------------------------------------------------


def _subnet(ec2: Any) -> tuple[str, str]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    return vpc, subnet["SubnetId"]


def _nat(ec2: Any, subnet: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"SubnetId": subnet, "AllocationId": ec2.allocate_address(Domain="vpc")["AllocationId"]}
    if tags:
        kwargs["TagSpecifications"] = [
            {"ResourceType": "natgateway", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return ec2.create_nat_gateway(**kwargs)["NatGateway"]


def test_nat_gateways_live_listed_deleted_excluded() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc, subnet = _subnet(ec2)
        live = _nat(ec2, subnet, {"Name": "egress"})
        gone = _nat(ec2, subnet)
        ec2.delete_nat_gateway(NatGatewayId=gone["NatGatewayId"])

        resources, _ = helpers.scan(["ec2:nat-gateway"])

    assert [r.id for r in resources] == [live["NatGatewayId"]]
    nat = resources[0]
    assert_owned(nat, "ec2:nat-gateway", "us-east-1", f"natgateway/{live['NatGatewayId']}")
    assert nat.state == "available"
    assert nat.details["subnet_id"] == subnet
    assert nat.details["vpc_id"] == vpc
    assert nat.details["allocation_ids"] == [a["AllocationId"] for a in live["NatGatewayAddresses"]]
    assert len(nat.details["public_ips"]) == 1
    assert nat.name == "egress"
    assert nat.tags == {"Name": "egress"}


def test_nat_gateways_page_size_respects_the_api_minimum() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        _, subnet = _subnet(ec2)
        ids = sorted(_nat(ec2, subnet)["NatGatewayId"] for _ in range(6))
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, collector = helpers.scan(["ec2:nat-gateway"], session=session, page_size=2)

    # DescribeNatGateways accepts MaxResults 5..1000 (botocore rejects 2 before sending), so
    # the requested 2 is raised to 5.  moto 5.2 then ignores MaxResults and answers in one page.
    assert [r.status.value for r in collector.results] == ["done"]
    assert sorted(r.id for r in resources) == ids
    pages = named(calls, "ec2.DescribeNatGateways")
    assert pages
    assert all(params["MaxResults"] == 5 for params in pages)
