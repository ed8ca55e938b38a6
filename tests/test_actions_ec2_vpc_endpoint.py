"""tracker_tui/aws/actions/ec2_vpc_endpoint.py against moto: deleting an interface or gateway
endpoint (DryRun first), what AWS lists as unsuccessful, an endpoint that ignores DryRun,
every refusal and the plan's notes.

The rails every handler shares run on it through tests/support/rails/ec2_vpc_endpoint.py.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws
from moto.ec2.responses.vpcs import VPCs

from tests.support import helpers
from tests.support.actions import after_ec2_call, delete_run, ec2_client, on_ec2_call, snapshot_phases
from tests.support.rails.base import scanned
from tests.support.rails.ec2_vpc_endpoint import make_endpoint
from tracker_tui.aws.actions import Status, plan
from tracker_tui.aws.kinds.ec2_vpc_endpoint import KIND as VPC_ENDPOINT
from tracker_tui.store import AuditLog


def test_delete_interface_endpoint_polls_until_deleted(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        endpoint = make_endpoint({})
        row = scanned(session, VPC_ENDPOINT)[endpoint]
        (planned,) = plan([row], "delete")
        final, _ = delete_run(session, audit, row)
        (after,) = ec2_client().describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"]

    assert planned.note == "its network interfaces go with it; private DNS names stop resolving"
    assert (final.status, final.message, final.deleted) == (Status.DONE, "deleted", True)
    assert after["State"] == "deleted"
    assert [p[:2] for p in snapshot_phases(audit)] == [
        ("before", "DeleteVpcEndpoints"), ("dry-run", "DeleteVpcEndpoints"),
        ("before", "DeleteVpcEndpoints"), ("after", "DeleteVpcEndpoints"),
    ]  # fmt: skip


def test_delete_gateway_endpoint(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        vpc = ec2_client().create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        endpoint = ec2_client().create_vpc_endpoint(
            VpcId=vpc, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.s3"
        )["VpcEndpoint"]["VpcEndpointId"]
        row = scanned(session, VPC_ENDPOINT)[endpoint]
        (planned,) = plan([row], "delete")
        final, _ = delete_run(session, audit, row)

    assert planned.note == "its routes in the VPC's route tables go with it"
    assert (final.status, final.deleted) == (Status.DONE, True)


def test_an_endpoint_aws_lists_as_unsuccessful_is_failed_with_its_error(audit: AuditLog) -> None:
    """DeleteVpcEndpoints answers 200 for the batch; what it did not delete is in Unsuccessful."""
    with mock_aws():
        session = helpers.moto_session()
        endpoint = make_endpoint({})
        row = scanned(session, VPC_ENDPOINT)[endpoint]

        def unsuccessful(params: dict[str, Any], **_: Any) -> Any:
            if str((params.get("body") or {}).get("DryRun", "")).lower() == "true":
                return None
            return SimpleNamespace(status_code=200, headers={}), {
                "Unsuccessful": [
                    {
                        "Error": {"Code": "OperationNotPermitted", "Message": "managed by a service"},
                        "ResourceId": endpoint,
                    }
                ],
                "ResponseMetadata": {"RequestId": "req-batch", "HTTPStatusCode": 200},
            }

        on_ec2_call(session, "DeleteVpcEndpoints", unsuccessful)
        final, _ = delete_run(session, audit, row)
        (after,) = ec2_client().describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"]

    assert (final.status, final.code, final.request_id) == (Status.FAILED, "OperationNotPermitted", "req-batch")
    assert final.message == "AWS did not delete it: managed by a service"
    assert not final.deleted
    assert after["State"] == "available"


def test_an_endpoint_server_that_ignores_dry_run_is_verified_and_says_so(
    audit: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto's own DeleteVpcEndpoints carries the DryRun out (the rails' case module fixes that for
    them: tests/support/rails/ec2_vpc_endpoint.py)."""
    monkeypatch.setattr(VPCs, "delete_vpc_endpoints", VPCs.delete_vpc_endpoints.original)  # type: ignore[attr-defined]
    with mock_aws():
        session = helpers.moto_session()
        endpoint = make_endpoint({})
        final, _ = delete_run(session, audit, scanned(session, VPC_ENDPOINT)[endpoint])

    assert (final.status, final.deleted) == (Status.DONE, True)
    assert final.message == "deleted (the endpoint ignored DryRun=True and carried the call out at once)"
    phases = [p[:2] for p in snapshot_phases(audit)]
    assert phases == [("before", "DeleteVpcEndpoints"), ("after", "DeleteVpcEndpoints")]


@pytest.mark.parametrize(
    ("change", "message", "deleted"),
    [
        ({"State": "deleted"}, "it no longer exists (deleted since the scan)", True),
        ({"State": "Deleting"}, "already being deleted", False),
        ({"State": "failed"},
         "state is failed; only an available, pending-acceptance, rejected or expired endpoint is deleted", False),
        ({"RequesterManaged": True},
         "it is managed by another AWS service (RequesterManaged); delete it through that service", False),
    ],
)  # fmt: skip
def test_an_endpoint_re_read_in_a_state_it_cannot_be_deleted_in_is_refused(
    audit: AuditLog, change: dict[str, Any], message: str, deleted: bool
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        endpoint = make_endpoint({})
        row = scanned(session, VPC_ENDPOINT)[endpoint]
        after_ec2_call(session, "DescribeVpcEndpoints", lambda parsed: parsed["VpcEndpoints"][0].update(change))
        final, _ = delete_run(session, audit, row)

    assert (final.status, final.message, final.deleted) == (Status.REFUSED, message, deleted)
    assert audit.tail(100) == []


@pytest.mark.parametrize("state", ["pendingAcceptance", "rejected", "expired"])
def test_an_endpoint_never_accepted_or_rejected_can_be_deleted(audit: AuditLog, state: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        endpoint = make_endpoint({})
        row = scanned(session, VPC_ENDPOINT)[endpoint]
        first = {"read": True}

        def change(parsed: dict[str, Any]) -> None:
            if first["read"]:  # only the handler's re-read: the verification sees moto's own state
                parsed["VpcEndpoints"][0]["State"] = state
                first["read"] = False

        after_ec2_call(session, "DescribeVpcEndpoints", change)
        final, _ = delete_run(session, audit, row)

    assert (final.status, final.message) == (Status.DONE, "deleted")


@pytest.mark.parametrize("tag", ["Do-Not-Delete", "PROTECTED"])
def test_a_protected_endpoint_is_refused(audit: AuditLog, tag: str) -> None:
    with mock_aws():
        session = helpers.moto_session()
        endpoint = make_endpoint({tag: ""})
        final, _ = delete_run(session, audit, scanned(session, VPC_ENDPOINT)[endpoint])
        (after,) = ec2_client().describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"]

    assert (final.status, final.message) == (Status.REFUSED, f"tag {tag} is set")
    assert after["State"] == "available"
    assert audit.tail(100) == []
