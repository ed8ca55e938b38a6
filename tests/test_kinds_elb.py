"""Load balancers (aws/kinds/elb.py): ALB, NLB and Classic against moto, paging, and their prices
worked by hand from the shipped catalogue."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.prices import res
from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource

ACCOUNT = "123456789012"
AMI = "ami-12c6146b"


def assert_owned(resource: Resource, kind: str, region: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT


# --- load balancers --------------------------------------------------------------------


def _network(ec2: Any) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    return vpc, subnets


def test_load_balancers_alb_nlb_and_classic() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        elbv2 = boto3.client("elbv2", region_name="us-east-1")
        elb = boto3.client("elb", region_name="us-east-1")
        vpc, subnets = _network(ec2)
        instances = [
            i["InstanceId"]
            for i in ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=subnets[0])["Instances"]
        ]
        alb = elbv2.create_load_balancer(
            Name="web-alb", Subnets=subnets, Type="application", Tags=[{"Key": "env", "Value": "prod"}]
        )["LoadBalancers"][0]
        nlb = elbv2.create_load_balancer(Name="tcp-nlb", Subnets=subnets, Type="network")["LoadBalancers"][0]
        group = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance")[
            "TargetGroups"
        ][0]
        elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
        )
        elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": i} for i in instances])
        elb.create_load_balancer(
            LoadBalancerName="legacy",
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
            AvailabilityZones=["us-east-1a"],
            Tags=[{"Key": "team", "Value": "old"}],
        )
        elb.register_instances_with_load_balancer(LoadBalancerName="legacy", Instances=[{"InstanceId": instances[0]}])

        resources, _ = helpers.scan(["elb:load-balancer"])

    found = {r.id: r for r in resources}
    assert set(found) == {"web-alb", "tcp-nlb", "legacy"}
    for balancer in found.values():
        assert_owned(balancer, "elb:load-balancer", "us-east-1")
    web, tcp, legacy = found["web-alb"], found["tcp-nlb"], found["legacy"]
    assert web.arn is not None and tcp.arn is not None
    assert web.arn == alb["LoadBalancerArn"]
    assert web.arn.startswith(f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web-alb/")
    assert tcp.arn == nlb["LoadBalancerArn"]
    # AWS spells an NLB's ARN ".../loadbalancer/net/...": moto 5.2 writes "app/" for every type.
    assert tcp.arn.startswith(f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/")
    assert legacy.arn == f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/legacy"
    assert web.details["subtype"] == "application"
    assert tcp.details["subtype"] == "network"
    assert legacy.details["subtype"] == "classic"
    assert web.details["target_count"] == 2
    assert tcp.details["target_count"] == 0
    assert legacy.details["target_count"] == 1
    assert web.tags == {"env": "prod"}
    assert tcp.tags == {}
    assert legacy.tags == {"team": "old"}
    assert web.details["vpc_id"] == vpc


def test_load_balancers_paginate_past_the_first_page() -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        elbv2 = boto3.client("elbv2", region_name="us-east-1")
        elb = boto3.client("elb", region_name="us-east-1")
        _, subnets = _network(ec2)
        modern = [f"alb-{i}" for i in range(5)]
        for name in modern:
            elbv2.create_load_balancer(Name=name, Subnets=subnets)
        classic = [f"clb-{i}" for i in range(3)]
        for name in classic:
            elb.create_load_balancer(
                LoadBalancerName=name,
                Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
                AvailabilityZones=["us-east-1a"],
            )
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["elb:load-balancer"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == sorted(modern + classic)
    assert {r.id: r.details["subtype"] for r in resources if r.id in classic} == dict.fromkeys(classic, "classic")
    v2_pages = named(calls, "elbv2.DescribeLoadBalancers")
    assert len(v2_pages) == 3  # 2 + 2 + 1
    assert all(params["PageSize"] == 2 for params in v2_pages)
    classic_pages = named(calls, "elb.DescribeLoadBalancers")
    assert len(classic_pages) == 2  # 2 + 1
    assert all(params["PageSize"] == 2 for params in classic_pages)


# --- prices ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subtype, region, expected, label",
    [
        ("application", "us-east-1", 16.43, "ALB"),
        ("network", "us-east-1", 16.43, "NLB"),
        ("gateway", "us-east-1", 9.13, "GWLB"),
        ("classic", "us-east-1", 18.25, "Classic LB"),
        ("application", "eu-west-1", 18.40, "ALB"),  # 0.0252 x 730 = 18.396
    ],
)
def test_load_balancers_by_subtype(subtype: str, region: str, expected: float, label: str) -> None:
    value, text = estimate(res("elb:load-balancer", region, "active", subtype=subtype, target_count=1))
    assert value == expected
    assert text.startswith(f"{label} {region}, $") and "usage-dependent" in text


def test_load_balancer_unknown_subtype_or_region_price() -> None:
    assert estimate(res("elb:load-balancer", state="active", subtype="mystery")) == (
        None,
        "no catalogue price for mystery in us-east-1; `tracker-tui prices update` fetches it",
    )
    # The offer input has no load balancer prices for the newest regions: unknown, never guessed.
    assert estimate(res("elb:load-balancer", "ap-southeast-3", "active", subtype="application")) == (
        None,
        "no catalogue price for ALB in ap-southeast-3; `tracker-tui prices update` fetches it",
    )
