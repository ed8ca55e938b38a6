"""The load balancer handler of aws/actions/elb.py against moto: ALB, NLB and Classic deleted,
deletion protection refused."""

from __future__ import annotations

from typing import Any

from moto import mock_aws

from tests.support import helpers
from tests.support.actions import act
from tests.support.rails.base import scanned
from tracker_tui.aws.actions import Status
from tracker_tui.store import AuditLog

# --- helpers -----------------------------------------------------------------------------


def _network(ec2: Any) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    return vpc, subnets


# --- load balancers ------------------------------------------------------------------------


def test_delete_alb_nlb_and_classic(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        elbv2 = session.client("elbv2", "us-east-1")
        elb = session.client("elb", "us-east-1")
        _, subnets = _network(ec2)
        elbv2.create_load_balancer(Name="web-alb", Subnets=subnets, Type="application")
        elbv2.create_load_balancer(Name="tcp-nlb", Subnets=subnets, Type="network")
        elb.create_load_balancer(
            LoadBalancerName="legacy",
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
            AvailabilityZones=["us-east-1a"],
        )
        found = scanned(session, "elb:load-balancer")
        assert {r.details["subtype"] for r in found.values()} == {"application", "network", "classic"}

        finals, _ = act(session, audit, list(found.values()), "delete")

        assert elbv2.describe_load_balancers()["LoadBalancers"] == []
        assert elb.describe_load_balancers()["LoadBalancerDescriptions"] == []
    assert [u.status for u in finals] == [Status.DONE] * 3
    operations = {(line["id"], line["operation"]) for line in audit.tail(20)}
    assert ("legacy", "DeleteLoadBalancer") in operations
    assert {line["operation"] for line in audit.tail(20)} == {"DeleteLoadBalancer"}


def test_load_balancer_deletion_protection_refuses(audit: AuditLog) -> None:
    # moto does not enforce the attribute; the runner must read it and refuse on its own.
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        elbv2 = session.client("elbv2", "us-east-1")
        _, subnets = _network(ec2)
        arn = elbv2.create_load_balancer(Name="web-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
        )
        row = scanned(session, "elb:load-balancer")["web-alb"]

        (refused,), _ = act(session, audit, [row], "delete")

        assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1
    assert refused.message == (
        "deletion protection is on (deletion_protection.enabled); tracker-tui never switches it off"
    )
