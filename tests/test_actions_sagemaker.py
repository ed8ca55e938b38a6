"""tracker_tui/aws/actions/sagemaker.py against moto: stop and start a notebook instance, delete
an endpoint; every refusal (state, protected tags, tags that cannot be read, gone or made again
since the scan), what the plan says beside each row, and the verbs the SageMaker kinds do not
take (with the read-only kinds of the demo's ML estate).

The rails every handler shares (protected tags in any case, the audit log, the row's region,
AWS errors, verification) run on these handlers through tests/support/rails/sagemaker.py."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.rails.base import ACCOUNT, FAST, scanned
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, needs_typed_name, plan
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-exec"
NOTEBOOK = "sagemaker:notebook-instance"
ENDPOINT = "sagemaker:endpoint"


def _act(session: AwsSession, audit: AuditLog, row: Resource, verb: str) -> ActionUpdate:
    runner = ActionRunner(session, ACCOUNT, FAST, audit=audit)
    (final,) = runner.run(plan([row], verb, runner.options), lambda _: None)  # type: ignore[arg-type]
    return final


def _operations(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


def _sm() -> Any:
    return boto3.client("sagemaker", region_name="us-east-1")


def _notebook(name: str = "ds-exploration", *, stopped: bool = False, tags: dict[str, str] | None = None) -> str:
    _sm().create_notebook_instance(
        NotebookInstanceName=name,
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        VolumeSizeInGB=20,
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )
    if stopped:
        _sm().stop_notebook_instance(NotebookInstanceName=name)
    return name


def _status(name: str) -> str:
    return str(_sm().describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"])


def _endpoint(name: str = "churn", tags: dict[str, str] | None = None) -> str:
    sm = _sm()
    sm.create_model(ModelName="churn-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img:latest"})
    sm.create_endpoint_config(
        EndpointConfigName="churn-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "churn-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 2,
            }
        ],
    )
    sm.create_endpoint(
        EndpointName=name,
        EndpointConfigName="churn-config",
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )
    return name


def _answer(operation: str, session: AwsSession, code: str, message: str) -> None:
    """Every ``operation`` call on the session's SageMaker client answers with this error, unsent."""

    def hook(**_: Any) -> Any:
        return SimpleNamespace(status_code=400, headers={}), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"RequestId": f"req-{code}", "HTTPStatusCode": 400},
        }

    session.client("sagemaker", "us-east-1").meta.events.register(f"before-call.sagemaker.{operation}", hook)


# --- notebook instances: stop -----------------------------------------------------------------------


def test_stopping_a_notebook_stops_it_and_reports_the_row_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook(tags={"team": "data"})
        row = scanned(session, NOTEBOOK)[name]
        (planned,) = plan([row], "stop")
        final = _act(session, audit, row, "stop")
        state = _status(name)

    assert (row.monthly_cost, planned.saving) == (36.5, 36.5)
    assert planned.note == "its ML storage volume is kept (and still billed)"
    assert not needs_typed_name([planned])  # a single stop confirms with y
    assert (final.status, final.message) == (Status.DONE, "stopped (its ML storage volume is kept and still billed)")
    assert state == "Stopped" and not final.deleted
    assert final.result is not None and final.result.state == "Stopped"
    assert (final.result.monthly_cost, final.result.cost_basis) == (
        0.0,
        "stopped: no instance charge; 20 GB ML storage volume still bills (ML storage not priced)",
    )
    assert _operations(audit) == [("before", "StopNotebookInstance"), ("after", "StopNotebookInstance")]


def test_a_stopped_notebook_is_not_stopped_again(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook()
        row = scanned(session, NOTEBOOK)[name]
        _sm().stop_notebook_instance(NotebookInstanceName=name)  # since the scan
        final = _act(session, audit, row, "stop")

    assert (final.status, final.message, final.deleted) == (Status.REFUSED, "already stopped", False)
    assert audit.tail(100) == []


def test_a_notebook_whose_tags_cannot_be_read_is_not_stopped(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook()
        row = scanned(session, NOTEBOOK)[name]
        _answer("ListTags", session, "AccessDeniedException", "not allowed to list tags")
        final = _act(session, audit, row, "stop")
        state = _status(name)

    assert (final.status, final.code) == (Status.REFUSED, "AccessDeniedException")
    assert final.message == (
        "cannot read its tags (AccessDeniedException: not allowed to list tags); refusing without checking"
    )
    assert state == "InService" and audit.tail(100) == []


def test_a_notebook_deleted_since_the_scan_is_refused_as_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook()
        row = scanned(session, NOTEBOOK)[name]
        _sm().stop_notebook_instance(NotebookInstanceName=name)
        _sm().delete_notebook_instance(NotebookInstanceName=name)
        final = _act(session, audit, row, "stop")

    assert (final.status, final.message, final.deleted) == (
        Status.REFUSED,
        "it no longer exists (deleted since the scan)",
        True,
    )
    assert audit.tail(100) == []


def test_a_notebook_made_again_under_its_name_since_the_scan_is_not_acted_on(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook()
        # The row the user chose was created in 2025; the one under that name now is another.
        row = dataclasses.replace(scanned(session, NOTEBOOK)[name], created="2025-03-01T09:00:00Z")
        final = _act(session, audit, row, "stop")
        state = _status(name)

    assert (final.status, final.message, final.deleted) == (
        Status.REFUSED,
        "it no longer exists (deleted since the scan)",
        True,
    )
    assert state == "InService" and audit.tail(100) == []


# --- notebook instances: start ---------------------------------------------------------------------


def test_starting_a_stopped_notebook_starts_it_and_says_what_it_will_cost(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook(stopped=True)
        row = scanned(session, NOTEBOOK)[name]
        (planned,) = plan([row], "start")
        final = _act(session, audit, row, "start")
        state = _status(name)

    assert row.monthly_cost == 0.0
    assert (planned.action, planned.saving) == ("start", 0.0)
    assert planned.note == "bills $36.50/mo again while in service"
    assert not needs_typed_name([planned])
    assert (final.status, final.message) == (Status.DONE, "started")
    assert state == "InService"
    assert final.result is not None and (final.result.state, final.result.monthly_cost) == ("InService", 36.5)
    assert _operations(audit) == [("before", "StartNotebookInstance"), ("after", "StartNotebookInstance")]


def test_a_notebook_in_service_is_not_started(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook(stopped=True)
        row = scanned(session, NOTEBOOK)[name]
        _sm().start_notebook_instance(NotebookInstanceName=name)  # since the scan
        final = _act(session, audit, row, "start")

    assert (final.status, final.message) == (Status.REFUSED, "already in service")
    assert audit.tail(100) == []


def test_a_protected_stopped_notebook_is_not_started(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _notebook(stopped=True, tags={"Protected": "true"})
        row = scanned(session, NOTEBOOK)[name]
        final = _act(session, audit, row, "start")
        state = _status(name)

    assert (final.status, final.message) == (Status.REFUSED, "tag Protected is set")
    assert state == "Stopped" and audit.tail(100) == []


# --- endpoints: delete ---------------------------------------------------------------------------------


def test_deleting_an_endpoint_keeps_its_configuration_and_model(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _endpoint()
        row = scanned(session, ENDPOINT)[name]
        (planned,) = plan([row], "delete")
        final = _act(session, audit, row, "delete")
        sm = _sm()
        endpoints = [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]
        config = sm.describe_endpoint_config(EndpointConfigName="churn-config")["EndpointConfigName"]
        model = sm.describe_model(ModelName="churn-model")["ModelName"]

    assert (planned.saving, planned.note) == (167.9, "endpoint configuration churn-config and model are kept")
    assert needs_typed_name([planned])  # a delete needs the account's name typed
    assert (final.status, final.deleted) == (Status.DONE, True)
    assert final.message == "deleted (its endpoint configuration churn-config and model are kept)"
    assert final.request_id
    assert endpoints == [] and (config, model) == ("churn-config", "churn-model")
    assert _operations(audit) == [("before", "DeleteEndpoint"), ("after", "DeleteEndpoint")]


def test_a_protected_endpoint_is_not_deleted(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _endpoint(tags={"do-not-delete": "yes"})
        row = scanned(session, ENDPOINT)[name]
        final = _act(session, audit, row, "delete")
        still = [e["EndpointName"] for e in _sm().list_endpoints()["Endpoints"]]

    assert (final.status, final.message) == (Status.REFUSED, "tag do-not-delete is set")
    assert still == [name] and audit.tail(100) == []


def test_an_endpoint_deleted_since_the_scan_is_refused_as_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _endpoint()
        row = scanned(session, ENDPOINT)[name]
        _sm().delete_endpoint(EndpointName=name)
        final = _act(session, audit, row, "delete")

    assert (final.status, final.message, final.deleted) == (
        Status.REFUSED,
        "it no longer exists (deleted since the scan)",
        True,
    )
    assert audit.tail(100) == []


def test_an_endpoint_aws_refuses_to_delete_is_failed_with_aws_words(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        name = _endpoint()
        row = scanned(session, ENDPOINT)[name]
        _answer("DeleteEndpoint", session, "ValidationException", "Cannot update in-progress endpoint")
        final = _act(session, audit, row, "delete")
        still = [e["EndpointName"] for e in _sm().list_endpoints()["Endpoints"]]

    assert (final.status, final.code, final.message) == (
        Status.FAILED,
        "ValidationException",
        "Cannot update in-progress endpoint",
    )
    assert not final.deleted and still == [name]


# --- what the plan does with the family's other verbs and kinds ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "verb", "reason"),
    [
        (NOTEBOOK, "delete", "no delete action"),
        (ENDPOINT, "stop", "no stop action"),
        (ENDPOINT, "start", "no start action"),
        ("eks:cluster", "delete", "read-only kind"),
        ("opensearch:domain", "stop", "read-only kind"),
        ("route53:hosted-zone", "delete", "read-only kind"),
        ("kms:key", "delete", "read-only kind"),
        ("secretsmanager:secret", "delete", "read-only kind"),
    ],
)
def test_verbs_a_kind_does_not_take_are_skipped_with_a_reason(kind: str, verb: str, reason: str) -> None:
    row = Resource(kind=kind, id="x", region="us-east-1", account_id=ACCOUNT)
    (planned,) = plan([row], verb)  # type: ignore[arg-type]
    assert (planned.action, planned.skip_reason) == (None, reason)


@pytest.mark.parametrize(("kind", "verb"), [(NOTEBOOK, "stop"), (NOTEBOOK, "start"), (ENDPOINT, "delete")])
def test_each_verb_plans_its_action(kind: str, verb: str) -> None:
    (planned,) = plan([Resource(kind=kind, id="x", region="us-east-1")], verb)  # type: ignore[arg-type]
    assert (planned.action, planned.skip_reason) == (verb, None)
