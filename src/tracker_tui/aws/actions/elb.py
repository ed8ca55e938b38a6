"""Load balancer actions: delete an ALB, NLB or GWLB (elbv2) or a Classic one (elb).

Deletion protection (elbv2) is read and refused, never switched off; target groups stay.
"""

from __future__ import annotations

from typing import Any

from tracker_tui.aws.actions.base import ActionSpec, ActionUpdate, Step, Verify
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.elb import KIND as LOAD_BALANCER


def _describe_v2(elbv2: Any, arn: str) -> dict[str, Any] | None:
    found = elbv2.describe_load_balancers(LoadBalancerArns=[arn]).get("LoadBalancers", [])
    return found[0] if found else None


def _delete_v2(step: Step) -> Verify:
    elbv2 = step.client("elbv2")
    scanned_arn = step.resource.arn or ""
    if ":loadbalancer/" not in scanned_arn:
        # Only the ARN names the very one scanned: one deleted and made again under the same
        # name since the scan is another load balancer, and found gone.
        step.refuse("the scan recorded no load balancer ARN for it; rescan")
    lb = step.reread(lambda: _describe_v2(elbv2, scanned_arn))
    arn = lb["LoadBalancerArn"]
    described = step.reread(lambda: elbv2.describe_tags(ResourceArns=[arn]).get("TagDescriptions", []))
    attributes = step.reread(lambda: elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn).get("Attributes", []))
    step.check_tags(tag_dict(described[0].get("Tags")) if described else {})
    protection = {a.get("Key"): a.get("Value") for a in attributes}.get("deletion_protection.enabled")
    if str(protection).lower() == "true":
        step.refuse("deletion protection is on (deletion_protection.enabled); tracker-tui never switches it off")
    request_id = step.call(elbv2, "delete_load_balancer", LoadBalancerArn=arn)

    def verify() -> ActionUpdate:
        step.poll_gone(lambda: step.find(lambda: _describe_v2(elbv2, arn)) is not None, "deleted")
        return step.done("deleted (its target groups are kept)", deleted=True, request_id=request_id)

    return verify


def _classic_exists(step: Step, elb: Any, name: str) -> bool:
    def described() -> bool:
        return bool(elb.describe_load_balancers(LoadBalancerNames=[name]).get("LoadBalancerDescriptions", []))

    return bool(step.find(described))


def _delete_classic(step: Step) -> Verify:
    elb = step.client("elb")
    name = step.resource.id
    step.reread(lambda: _classic_exists(step, elb, name) or None)
    described = step.reread(lambda: elb.describe_tags(LoadBalancerNames=[name]).get("TagDescriptions", []))
    step.check_tags(tag_dict(described[0].get("Tags")) if described else {})
    request_id = step.call(elb, "delete_load_balancer", LoadBalancerName=name)

    def verify() -> ActionUpdate:
        step.poll_gone(lambda: _classic_exists(step, elb, name), "deleted")
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


def delete_load_balancer(step: Step) -> Verify:
    if str(step.resource.details.get("subtype") or "").lower() == "classic":
        return _delete_classic(step)
    return _delete_v2(step)


ACTIONS = (
    ActionSpec(
        LOAD_BALANCER,
        "delete",
        delete_load_balancer,
        iam_actions=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DeleteLoadBalancer",
        ),
    ),
)
