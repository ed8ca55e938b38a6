"""Deleting a VPC endpoint (``ec2:vpc-endpoint``), interface or gateway.

The call goes first with ``DryRun=True``.  An endpoint another AWS service manages
(RequesterManaged) is refused: that service would make it again, or break.
DeleteVpcEndpoints is a batch call that answers 200 and lists what it did not delete, so
its answer is read, not only its status.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Failed,
    Step,
    Verify,
    failed,
    gone,
    request_id_of,
)
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.ec2_vpc_endpoint import KIND as VPC_ENDPOINT
from tracker_tui.model import Resource

IGNORED_DRY_RUN = "the endpoint ignored DryRun=True and carried the call out at once"

#: The endpoint states a delete applies to (DescribeVpcEndpoints' State, lower case).
DELETABLE_ENDPOINT_STATES = frozenset({"available", "pendingacceptance", "rejected", "expired", "partial"})


def _describe_endpoint(ec2: Any, endpoint_id: str) -> dict[str, Any] | None:
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id]).get("VpcEndpoints", [])
    return next((e for e in endpoints if e.get("VpcEndpointId") == endpoint_id), None)


def _ec2_call_answer(step: Step, client: Any, method: str, **params: Any) -> dict[str, Any]:
    """``Step.ec2_call`` (DryRun first, audited), keeping AWS's answer: a batch API says in
    its body what it did not do."""
    carried_out = step.runner.dry_run(step, client, method, **params)
    if carried_out is not None:
        step.note = IGNORED_DRY_RUN
        return carried_out
    try:
        return step.runner.audited_call(step, client, method, **params)
    except ClientError as exc:
        raise failed(exc) from None


def delete_vpc_endpoint(step: Step) -> Verify:
    ec2 = step.client("ec2")
    endpoint = step.reread(lambda: _describe_endpoint(ec2, step.resource.id))
    state = str(endpoint.get("State", "")).lower()
    if state == "deleted":
        raise gone()
    if state == "deleting":
        step.refuse("already being deleted")
    if state not in DELETABLE_ENDPOINT_STATES:
        step.refuse(f"state is {state}; only an available, pending-acceptance, rejected or expired endpoint is deleted")
    if endpoint.get("RequesterManaged"):
        step.refuse("it is managed by another AWS service (RequesterManaged); delete it through that service")
    step.check_tags(tag_dict(endpoint.get("Tags")))
    answer = _ec2_call_answer(step, ec2, "delete_vpc_endpoints", VpcEndpointIds=[step.resource.id])
    request_id = request_id_of(answer)
    # DeleteVpcEndpoints answers 200 for the batch and lists the endpoints it did not delete.
    for item in answer.get("Unsuccessful") or []:
        error = item.get("Error") or {}
        code = str(error.get("Code") or "Unsuccessful")
        raise Failed(f"AWS did not delete it: {error.get('Message') or code}", code, request_id)

    def verify() -> ActionUpdate:
        def endpoint_state() -> str | None:
            current = step.find(lambda: _describe_endpoint(ec2, step.resource.id))
            return None if current is None else str(current.get("State", "")).lower()

        step.poll_state(endpoint_state, "deleted", "deleted", state)
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


def _endpoint_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    if str(resource.details.get("endpoint_type", "")).lower() == "gateway":
        return "its routes in the VPC's route tables go with it"
    return "its network interfaces go with it; private DNS names stop resolving"


ACTIONS = (
    ActionSpec(
        VPC_ENDPOINT,
        "delete",
        delete_vpc_endpoint,
        iam_actions=("ec2:DescribeVpcEndpoints", "ec2:DeleteVpcEndpoints"),
        note=_endpoint_note,
    ),
)
