"""The EC2 family's first kinds (aws/kinds/ec2_instance.py, ec2_volume.py, ec2_elastic_ip.py,
ec2_nat_gateway.py): listing against moto (instances, EBS volumes, Elastic IPs, NAT gateways),
and their prices worked by hand from the shipped catalogue."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.prices import CAT, basis, cost, res
from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource, iso_utc
from tracker_tui.pricing.basis import cents

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


# --- prices: instances ----------------------------------------------------------------------------


def test_instance_running_us_east_1() -> None:
    r = res("ec2:instance", state="running", instance_type="m5.large", platform="Linux/UNIX")
    assert estimate(r) == (70.08, f"m5.large Linux/UNIX on-demand us-east-1 ({CAT}), $0.0960/h x 730 h = $70.08")


def test_instance_region_priced_eu_west_1() -> None:
    r = res("ec2:instance", "eu-west-1", "running", instance_type="m5.large", platform="Linux/UNIX")
    assert estimate(r) == (78.11, f"m5.large Linux/UNIX on-demand eu-west-1 ({CAT}), $0.1070/h x 730 h = $78.11")
    assert cost(res("ec2:instance", "eu-west-1", "running", instance_type="t3.micro")) == 8.32  # 0.0114 x 730
    assert cost(res("ec2:instance", "us-east-1", "running", instance_type="t3.micro")) == 7.59


@pytest.mark.parametrize(
    "itype, platform, usage_operation, hourly",
    [
        # AWS's published Windows prices: Linux + $0.046/vCPU-h (on the baseline share of burstable types).
        ("t3.micro", "Windows", "RunInstances:0002", 0.0196),
        ("m5.large", "Windows", "RunInstances:0002", 0.188),
        ("t2.micro", "Windows", None, 0.0162),  # PlatformDetails alone
        ("m5.xlarge", "windows", None, 0.376),  # Platform: windows, the fallback
        ("c5.large", "Windows", "RunInstances:0002", 0.177),
    ],
)
def test_windows_instances_are_priced_with_the_license(
    itype: str, platform: str, usage_operation: str | None, hourly: float
) -> None:
    r = res("ec2:instance", state="running", instance_type=itype, platform=platform, usage_operation=usage_operation)
    value, text = estimate(r)
    assert value == cents(hourly * 730)
    assert f"{itype} Windows on-demand us-east-1" in text and "Windows license" in text and f"${hourly:.4f}/h" in text


@pytest.mark.parametrize(
    "platform, usage_operation, says",
    [
        ("Red Hat Enterprise Linux", "RunInstances:0010", "Red Hat Enterprise Linux: the license's price"),
        ("SUSE Linux", "RunInstances:000g", "SUSE Linux: the license's price"),
        ("Windows with SQL Server Standard", "RunInstances:0006", "Windows with SQL Server Standard: the license"),
        ("Ubuntu Pro", "RunInstances:0g00", "Ubuntu Pro: the license's price"),
        ("Windows BYOL", "RunInstances:0800", "bring your own license, not priced"),
        ("Plan 9", None, "an operating system not priced here"),
    ],
)
def test_licenses_the_catalogue_cannot_price_are_unknown_and_say_why(
    platform: str, usage_operation: str | None, says: str
) -> None:
    details: dict[str, Any] = {"instance_type": "m5.large", "platform": platform, "usage_operation": usage_operation}
    value, text = estimate(res("ec2:instance", state="running", **details))
    assert value is None and says in text, text


def test_windows_is_not_priced_on_arm_types() -> None:
    r = res("ec2:instance", state="running", instance_type="m6g.large", platform="Windows")
    assert estimate(r) == (None, "m6g.large Windows: Windows does not run on arm64 types; not priced")


def test_instance_stopped_has_no_compute_cost() -> None:
    r = res("ec2:instance", state="stopped", instance_type="m5.large", volume_ids=["vol-1"])
    assert estimate(r) == (0.0, "stopped: no compute charge; its EBS volumes are billed on their own rows")
    assert cost(res("ec2:instance", state="stopping", instance_type="m5.large")) == 0.0


def test_instance_unknown_type_region_tenancy_and_spot_are_unknown_not_zero() -> None:
    assert estimate(res("ec2:instance", state="running", instance_type="x9z.mega")) == (
        None,
        "no catalogue price for x9z.mega in us-east-1",
    )
    cn = estimate(res("ec2:instance", "cn-north-1", "running", instance_type="m5.large"))
    assert cn[0] is None and "cn-north-1 (region not in the catalogue)" in cn[1]
    spot = estimate(res("ec2:instance", state="running", instance_type="m5.large", lifecycle="spot"))
    assert spot[0] is None and "spot" in spot[1]
    dedicated = estimate(res("ec2:instance", state="running", instance_type="m5.large", tenancy="dedicated"))
    assert dedicated[0] is None and "dedicated" in dedicated[1]


def test_instance_public_ip_is_noted_as_not_included() -> None:
    r = res("ec2:instance", state="running", instance_type="t3.micro", public_ip="3.3.3.3")
    assert estimate(r) == (
        7.59,
        f"t3.micro Linux/UNIX on-demand us-east-1 ({CAT}), $0.0104/h x 730 h = $7.59; "
        "public IPv4 ($0.005/h) not included",
    )


# --- prices: volumes ------------------------------------------------------------------------------


def test_volume_gp3_with_extra_iops_and_throughput() -> None:
    r = res("ec2:volume", state="in-use", volume_type="gp3", size_gib=500, iops=6000, throughput_mibps=250)
    assert estimate(r) == (
        60.0,
        "gp3 us-east-1: 500 GiB x $0.08/GB-mo + 3,000 IOPS above 3,000 x $0.005 + 125 MiB/s above 125 x $0.04 = $60.00",
    )
    baseline = res("ec2:volume", state="in-use", volume_type="gp3", size_gib=50, iops=3000, throughput_mibps=125)
    assert estimate(baseline) == (4.0, "gp3 us-east-1: 50 GiB x $0.08/GB-mo = $4.00")


def test_volume_region_priced_eu_west_1() -> None:
    r = res("ec2:volume", "eu-west-1", "in-use", volume_type="gp3", size_gib=500, iops=6000, throughput_mibps=250)
    assert cost(r) == 66.0  # 500 x 0.088 + 3000 x 0.0055 + 125 x 0.044
    assert cost(res("ec2:volume", "eu-west-1", "in-use", volume_type="gp2", size_gib=100)) == 11.0
    # io1 in sa-east-1 was 33% off with factors: now the region's own $0.238/GB-mo and $0.091/IOPS-mo.
    assert cost(res("ec2:volume", "sa-east-1", "in-use", volume_type="io1", size_gib=100, iops=1000)) == 114.8


@pytest.mark.parametrize(
    "details, expected",
    [
        ({"volume_type": "gp2", "size_gib": 100}, 10.0),
        ({"volume_type": "io1", "size_gib": 200, "iops": 4000}, 285.0),  # 25 + 4000 x 0.065
        ({"volume_type": "io2", "size_gib": 100, "iops": 40000}, 2456.5),  # 12.5 + 32000 x .065 + 8000 x .0455
        ({"volume_type": "io2", "size_gib": 100, "iops": 70000}, 3740.5),  # 12.5 + 2080 + 32000 x .0455 + 6000 x .032
        ({"volume_type": "st1", "size_gib": 1000}, 45.0),
        ({"volume_type": "sc1", "size_gib": 500}, 7.5),
        ({"volume_type": "standard", "size_gib": 8}, 0.4),
    ],
)
def test_volume_types(details: dict[str, Any], expected: float) -> None:
    assert cost(res("ec2:volume", state="in-use", **details)) == expected


def test_volume_standard_notes_usage_and_unknowns() -> None:
    assert "I/O requests" in basis(res("ec2:volume", state="in-use", volume_type="standard", size_gib=8))
    assert estimate(res("ec2:volume", state="in-use", volume_type="gp9", size_gib=8)) == (
        None,
        "no catalogue price for volume type gp9 in us-east-1",
    )
    assert estimate(res("ec2:volume", state="in-use", volume_type="gp3")) == (None, "gp3 volume size unknown")
    assert cost(res("ec2:volume", "cn-north-1", "in-use", volume_type="gp3", size_gib=8)) is None


# --- prices: Elastic IPs and NAT gateways ---------------------------------------------------------


def test_elastic_ip_costs_the_same_idle_or_associated() -> None:
    idle = res("ec2:elastic-ip", state="idle", associated=False)
    assert estimate(idle) == (3.65, "public IPv4 us-east-1, $0.0050/h x 730 h = $3.65 (idle: pure waste)")
    associated = res("ec2:elastic-ip", "eu-west-1", "associated", associated=True)
    assert estimate(associated) == (3.65, "public IPv4 eu-west-1, $0.0050/h x 730 h = $3.65 (associated)")
    assert cost(res("ec2:elastic-ip", "us-gov-west-1", "idle")) is None


def test_nat_gateway_hourly_plus_usage_note() -> None:
    assert estimate(res("ec2:nat-gateway", state="available")) == (
        32.85,
        "NAT gateway us-east-1, $0.0450/h x 730 h = $32.85 + data processing $0.045/GB, usage-dependent; "
        "its public IPv4 is billed on its Elastic IP row",
    )
    eu = estimate(res("ec2:nat-gateway", "eu-west-1", "available"))
    assert eu[0] == 35.04 and "$0.0480/h" in eu[1] and "$0.048/GB, usage-dependent" in eu[1]
    assert cost(res("ec2:nat-gateway", "ap-southeast-2", "available")) == 43.07  # 0.059 x 730
    assert cost(res("ec2:nat-gateway", state="failed")) == 0.0
    assert cost(res("ec2:nat-gateway", "xx-nowhere-1", "available")) is None
