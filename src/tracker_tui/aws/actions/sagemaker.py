"""SageMaker actions: stop and start notebook instances, delete real-time endpoints.

Each re-reads the resource by name and checks it is the one scanned (a notebook or endpoint
made again under the same name since the scan is a different thing, not acted on), refuses
the wrong state and protected tags (ListTags on its ARN: no tags read, no action), makes
the one call, and polls the status until AWS shows the outcome.  Deleting an endpoint keeps
its endpoint configuration and model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, ActionUpdate, Step, Verify, gone
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.base import tag_dict, ts
from tracker_tui.aws.kinds.sagemaker import ENDPOINT as SAGEMAKER_ENDPOINT
from tracker_tui.aws.kinds.sagemaker import NOTEBOOK as SAGEMAKER_NOTEBOOK
from tracker_tui.aws.kinds.sagemaker import list_notebook_instances
from tracker_tui.model import Resource, format_cost

# --- the reads every handler makes ----------------------------------------------------------------


def _checked(step: Step, read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The resource as AWS has it now, the one scanned, with no protected tag."""
    item: dict[str, Any] = step.reread(read)
    created = step.resource.created
    if created and ts(item.get("CreationTime")) not in (None, created):
        # Made again under the same name since the scan: not the row the user chose.
        raise gone()
    return item


def _check_tags(step: Step, sm: Any, arn: str) -> None:
    tags = step.read_or_refuse(lambda: sm.list_tags(ResourceArn=arn).get("Tags"), "tags")
    step.check_tags(tag_dict(tags))


def _notebook(sm: Any, name: str) -> dict[str, Any]:
    return dict(sm.describe_notebook_instance(NotebookInstanceName=name))


def _notebook_status(step: Step, sm: Any) -> str | None:
    found = step.find(lambda: _notebook(sm, step.resource.id))
    return None if found is None else str(found.get("NotebookInstanceStatus", ""))


def _endpoint(sm: Any, name: str) -> dict[str, Any]:
    return dict(sm.describe_endpoint(EndpointName=name))


def _endpoint_status(step: Step, sm: Any) -> str | None:
    found = step.find(lambda: _endpoint(sm, step.resource.id))
    return None if found is None else str(found.get("EndpointStatus", ""))


# --- notebook instances -----------------------------------------------------------------------------


def stop_notebook(step: Step) -> Verify:
    sm = step.client("sagemaker")
    nb = _checked(step, lambda: _notebook(sm, step.resource.id))
    status = str(nb.get("NotebookInstanceStatus", ""))
    if status in ("Stopped", "Stopping"):
        step.refuse(f"already {status.lower()}")
    if status != "InService":
        step.refuse(f"state is {status}; only an InService notebook instance can be stopped")
    _check_tags(step, sm, str(nb.get("NotebookInstanceArn") or step.resource.arn))
    request_id = step.call(sm, "stop_notebook_instance", NotebookInstanceName=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll_state(lambda: _notebook_status(step, sm), "Stopped", "stopped", "Stopping")
        fresh = step.reread_resource(list_notebook_instances, NameContains=step.resource.id)
        return step.done(
            "stopped (its ML storage volume is kept and still billed)",
            result=fresh,
            deleted=fresh is None,
            request_id=request_id,
        )

    return verify


def start_notebook(step: Step) -> Verify:
    sm = step.client("sagemaker")
    nb = _checked(step, lambda: _notebook(sm, step.resource.id))
    status = str(nb.get("NotebookInstanceStatus", ""))
    if status == "InService":
        step.refuse("already in service")
    if status == "Pending":
        step.refuse("already starting")
    if status != "Stopped":
        step.refuse(f"state is {status}; only a Stopped notebook instance can be started")
    _check_tags(step, sm, str(nb.get("NotebookInstanceArn") or step.resource.arn))
    request_id = step.call(sm, "start_notebook_instance", NotebookInstanceName=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll_state(lambda: _notebook_status(step, sm), "InService", "in service", "Pending")
        fresh = step.reread_resource(list_notebook_instances, NameContains=step.resource.id)
        return step.done("started", result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def _start_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    cost, _ = estimate(dataclasses.replace(resource, state="InService"))
    return f"bills {format_cost(cost)}/mo again while in service"


# --- endpoints ----------------------------------------------------------------------------------------


def delete_endpoint(step: Step) -> Verify:
    sm = step.client("sagemaker")
    ep = _checked(step, lambda: _endpoint(sm, step.resource.id))
    if str(ep.get("EndpointStatus", "")) == "Deleting":
        step.refuse("already being deleted")
    _check_tags(step, sm, str(ep.get("EndpointArn") or step.resource.arn))
    config = str(ep.get("EndpointConfigName") or step.resource.details.get("endpoint_config") or "")
    request_id = step.call(sm, "delete_endpoint", EndpointName=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll_state(lambda: _endpoint_status(step, sm), "deleted", "deleted", "Deleting")
        kept = f"its endpoint configuration {config} and model are kept" if config else "its model is kept"
        return step.done(f"deleted ({kept})", deleted=True, request_id=request_id)

    return verify


def _endpoint_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    config = resource.details.get("endpoint_config")
    return f"endpoint configuration {config} and model are kept" if config else "its model is kept"


ACTIONS = (
    ActionSpec(
        SAGEMAKER_NOTEBOOK,
        "stop",
        stop_notebook,
        iam_actions=(
            "sagemaker:DescribeNotebookInstance",
            "sagemaker:ListTags",
            "sagemaker:StopNotebookInstance",
            "sagemaker:ListNotebookInstances",
        ),
        note=lambda r, o, a: "its ML storage volume is kept (and still billed)",
        single_key=True,
    ),
    ActionSpec(
        SAGEMAKER_NOTEBOOK,
        "start",
        start_notebook,
        iam_actions=(
            "sagemaker:DescribeNotebookInstance",
            "sagemaker:ListTags",
            "sagemaker:StartNotebookInstance",
            "sagemaker:ListNotebookInstances",
        ),
        note=_start_note,
        # Starting saves nothing; the note says what it will cost.
        saving=lambda r: 0.0,
        single_key=True,
    ),
    ActionSpec(
        SAGEMAKER_ENDPOINT,
        "delete",
        delete_endpoint,
        iam_actions=("sagemaker:DescribeEndpoint", "sagemaker:ListTags", "sagemaker:DeleteEndpoint"),
        note=_endpoint_note,
    ),
)
