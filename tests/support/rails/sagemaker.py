"""The safety-rail cases of tracker_tui/aws/actions/sagemaker.py (see base.py for the shape):
stopping and starting a notebook instance, deleting a real-time endpoint (its endpoint
configuration and model are kept).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, tag_list, where

NOTEBOOK = "rails-notebook"
ENDPOINT = "rails-endpoint"
ROLE = "arn:aws:iam::123456789012:role/sagemaker-exec"


def _sagemaker() -> Any:
    return boto3.client("sagemaker", region_name=where())


def make_notebook(tags: Tags) -> str:
    _sagemaker().create_notebook_instance(
        NotebookInstanceName=NOTEBOOK, InstanceType="ml.t3.medium", RoleArn=ROLE, Tags=tag_list(tags)
    )
    return NOTEBOOK


def make_stopped_notebook(tags: Tags) -> str:
    make_notebook(tags)
    _sagemaker().stop_notebook_instance(NotebookInstanceName=NOTEBOOK)
    return NOTEBOOK


def notebook_state(ident: str) -> str:
    try:
        return str(_sagemaker().describe_notebook_instance(NotebookInstanceName=ident)["NotebookInstanceStatus"])
    except ClientError:
        return GONE


def make_endpoint(tags: Tags) -> str:
    sm = _sagemaker()
    sm.create_model(
        ModelName="rails-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": f"123456789012.dkr.ecr.{where()}.amazonaws.com/model:latest"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="rails-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "rails-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName="rails-config", Tags=tag_list(tags))
    return ENDPOINT


def endpoint_state(ident: str) -> str:
    try:
        return str(_sagemaker().describe_endpoint(EndpointName=ident)["EndpointStatus"])
    except ClientError:
        return GONE


CASES: dict[str, Case] = {
    "notebook-stop": Case(
        "sagemaker:notebook-instance",
        "stop",
        make_notebook,
        notebook_state,
        "InService",
        "Stopped",
        calls("StopNotebookInstance"),
    ),
    "notebook-start": Case(
        "sagemaker:notebook-instance",
        "start",
        make_stopped_notebook,
        notebook_state,
        "Stopped",
        "InService",
        calls("StartNotebookInstance"),
    ),
    "endpoint-delete": Case(
        "sagemaker:endpoint", "delete", make_endpoint, endpoint_state, "InService", GONE, calls("DeleteEndpoint")
    ),
}
SERVICES: dict[str, str] = {name: "sagemaker" for name in CASES}
DONE_MESSAGES: dict[str, str] = {
    "notebook-stop": "stopped (its ML storage volume is kept and still billed)",
    "notebook-start": "started",
    "endpoint-delete": "deleted (its endpoint configuration rails-config and model are kept)",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "notebook-stop": ("sagemaker", "DescribeNotebookInstance"),
    "notebook-start": ("sagemaker", "DescribeNotebookInstance"),
    "endpoint-delete": ("sagemaker", "DescribeEndpoint"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    "notebook-stop": "it was not stopped within 0.3 s (state: InService)",
    "notebook-start": "it was not in service within 0.3 s (state: Stopped)",
    "endpoint-delete": "it was not deleted within 0.3 s (state: InService)",
}
STATE_REFUSALS: list[StateRefusal] = [
    ("notebook-stop", "NotebookInstanceStatus", "Stopped", "already stopped", False),
    ("notebook-stop", "NotebookInstanceStatus", "Stopping", "already stopping", False),
    ("notebook-stop", "NotebookInstanceStatus", "Pending",
     "state is Pending; only an InService notebook instance can be stopped", False),
    ("notebook-start", "NotebookInstanceStatus", "InService", "already in service", False),
    ("notebook-start", "NotebookInstanceStatus", "Pending", "already starting", False),
    ("notebook-start", "NotebookInstanceStatus", "Stopping",
     "state is Stopping; only a Stopped notebook instance can be started", False),
    ("notebook-start", "NotebookInstanceStatus", "Failed",
     "state is Failed; only a Stopped notebook instance can be started", False),
    ("endpoint-delete", "EndpointStatus", "Deleting", "already being deleted", False),
]  # fmt: skip
