"""Lambda functions, Auto Scaling groups and load balancers (ALB, NLB, Classic) against moto."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import boto3
from moto import mock_aws

from tests import helpers
from tests.helpers import named, record_calls
from tracker_tui.model import Resource

ACCOUNT = "123456789012"
AMI = "ami-12c6146b"
LAMBDA_TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


def assert_owned(resource: Resource, kind: str, region: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT


# --- Lambda ----------------------------------------------------------------------------


def _function_code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def main(event, context):\n    return event\n")
    return buffer.getvalue()


def _create_functions(region: str, specs: list[tuple[str, str, int]]) -> None:
    role = boto3.client("iam", region_name=region).create_role(
        RoleName="lambda-exec", AssumeRolePolicyDocument=LAMBDA_TRUST
    )["Role"]["Arn"]
    lam = boto3.client("lambda", region_name=region)
    code = _function_code()
    for name, runtime, memory in specs:
        lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler="handler.main",
            Code={"ZipFile": code},
            MemorySize=memory,
        )


def test_lambda_functions_runtime_and_memory() -> None:
    with mock_aws():
        _create_functions("eu-west-1", [("resize", "python3.12", 512), ("notify", "nodejs20.x", 128)])

        resources, _ = helpers.scan(["lambda:function"], ["us-east-1", "eu-west-1"])

    found = {r.id: r for r in resources}
    assert set(found) == {"resize", "notify"}
    for fn in found.values():
        assert_owned(fn, "lambda:function", "eu-west-1")
        assert fn.arn == f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{fn.id}"
        assert fn.name == fn.id
    assert found["resize"].details["runtime"] == "python3.12"
    assert found["resize"].details["memory_mb"] == 512
    assert found["notify"].details["runtime"] == "nodejs20.x"
    assert found["notify"].details["memory_mb"] == 128


def test_lambda_functions_ask_for_pages_and_return_everything() -> None:
    with mock_aws():
        names = [f"fn-{i}" for i in range(5)]
        _create_functions("us-east-1", [(name, "python3.12", 128) for name in names])
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["lambda:function"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    # moto 5.2 ignores MaxItems on ListFunctions (one page with everything), so we can only
    # prove that the page size was asked for.
    pages = named(calls, "lambda.ListFunctions")
    assert pages
    assert all(params["MaxItems"] == 2 for params in pages)


# --- Auto Scaling ----------------------------------------------------------------------


def _launch_configuration(asg: Any) -> str:
    asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=AMI, InstanceType="t3.micro")
    return "lc"


def test_autoscaling_groups_sizes_instances_and_tags() -> None:
    with mock_aws():
        asg = boto3.client("autoscaling", region_name="us-east-1")
        config = _launch_configuration(asg)
        asg.create_auto_scaling_group(
            AutoScalingGroupName="web",
            LaunchConfigurationName=config,
            MinSize=1,
            MaxSize=4,
            DesiredCapacity=2,
            AvailabilityZones=["us-east-1a"],
            Tags=[{"Key": "env", "Value": "prod", "PropagateAtLaunch": True}],
        )
        asg.create_auto_scaling_group(
            AutoScalingGroupName="idle",
            LaunchConfigurationName=config,
            MinSize=0,
            MaxSize=1,
            DesiredCapacity=0,
            AvailabilityZones=["us-east-1a"],
        )

        resources, _ = helpers.scan(["autoscaling:group"])

    found = {r.id: r for r in resources}
    assert set(found) == {"web", "idle"}
    web, idle = found["web"], found["idle"]
    for group in (web, idle):
        assert_owned(group, "autoscaling:group", "us-east-1")
        assert group.arn is not None
        assert group.arn.startswith(f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:")
        assert group.arn.endswith(f":autoScalingGroupName/{group.id}")
    assert (web.details["min_size"], web.details["max_size"], web.details["desired_capacity"]) == (1, 4, 2)
    assert web.details["instance_count"] == 2
    assert len(web.details["instance_ids"]) == 2
    assert web.details["launch_configuration"] == "lc"
    assert web.tags == {"env": "prod"}
    assert (idle.details["min_size"], idle.details["max_size"], idle.details["desired_capacity"]) == (0, 1, 0)
    assert idle.details["instance_count"] == 0
    assert idle.tags == {}


def test_autoscaling_groups_paginate_past_the_first_page() -> None:
    with mock_aws():
        asg = boto3.client("autoscaling", region_name="us-east-1")
        config = _launch_configuration(asg)
        names = [f"group-{i}" for i in range(5)]
        for name in names:
            asg.create_auto_scaling_group(
                AutoScalingGroupName=name,
                LaunchConfigurationName=config,
                MinSize=0,
                MaxSize=1,
                DesiredCapacity=0,
                AvailabilityZones=["us-east-1a"],
            )
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["autoscaling:group"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "autoscaling.DescribeAutoScalingGroups")
    assert len(pages) == 3  # 2 + 2 + 1
    assert all(params["MaxRecords"] == 2 for params in pages)


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
