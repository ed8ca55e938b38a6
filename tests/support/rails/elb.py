"""The safety-rail cases of tracker_tui/aws/actions/elb.py (see base.py for the shape):
deleting an application, a network and a classic load balancer."""

from __future__ import annotations

from collections.abc import Callable

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, subnets, tag_list, where


def v2_lb_maker(lb_type: str) -> Callable[[Tags], str]:
    def make(tags: Tags) -> str:
        name = f"rails-{lb_type}"
        extra = {"Tags": tag_list(tags)} if tags else {}
        boto3.client("elbv2", region_name=where()).create_load_balancer(
            Name=name, Subnets=subnets(), Type=lb_type, **extra
        )
        return name

    return make


def v2_lb_state(ident: str) -> str:
    try:
        boto3.client("elbv2", region_name=where()).describe_load_balancers(Names=[ident])
    except ClientError:
        return GONE
    return "exists"


def make_classic_lb(tags: Tags) -> str:
    extra = {"Tags": tag_list(tags)} if tags else {}
    boto3.client("elb", region_name=where()).create_load_balancer(
        LoadBalancerName="rails-classic",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        AvailabilityZones=[f"{where()}a"],
        **extra,
    )
    return "rails-classic"


def classic_lb_state(ident: str) -> str:
    try:
        boto3.client("elb", region_name=where()).describe_load_balancers(LoadBalancerNames=[ident])
    except ClientError:
        return GONE
    return "exists"


CASES: dict[str, Case] = {
    "alb-delete": Case(
        "elb:load-balancer",
        "delete",
        v2_lb_maker("application"),
        v2_lb_state,
        "exists",
        GONE,
        calls("DeleteLoadBalancer"),
    ),
    "nlb-delete": Case(
        "elb:load-balancer",
        "delete",
        v2_lb_maker("network"),
        v2_lb_state,
        "exists",
        GONE,
        calls("DeleteLoadBalancer"),
    ),
    "classic-elb-delete": Case(
        "elb:load-balancer",
        "delete",
        make_classic_lb,
        classic_lb_state,
        "exists",
        GONE,
        calls("DeleteLoadBalancer"),
    ),
}
SERVICES: dict[str, str] = {"alb-delete": "elbv2", "nlb-delete": "elbv2", "classic-elb-delete": "elb"}
DONE_MESSAGES: dict[str, str] = {
    "alb-delete": "deleted (its target groups are kept)",
    "nlb-delete": "deleted (its target groups are kept)",
    "classic-elb-delete": "deleted",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "alb-delete": ("elbv2", "DescribeLoadBalancers"),
    "nlb-delete": ("elbv2", "DescribeLoadBalancers"),
    "classic-elb-delete": ("elb", "DescribeLoadBalancers"),
}
VERIFY_TIMEOUTS: dict[str, str] = {name: "it was not deleted within 0.3 s (state: still listed)" for name in CASES}
STATE_REFUSALS: list[StateRefusal] = []
