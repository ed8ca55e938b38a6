"""The reads the rails depend on, down their less travelled paths.

A handler acts only after it has read what it checks: tags (from a second API when the
first does not say), which address a row is, and, after the call, whether AWS did it. These
tests take the paths the main rail tests (tests/test_safety_rails.py) do not: a tag read that
fails over to the older API or fails outright, a waiter that never sees its state, a NAT
gateway that failed. Each was found by mutation testing (scripts/mutate_safety.py): the
whole suite stayed green with the path broken.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.rails import CASES, Outcome, run_case
from tests.support.rails.base import ACCOUNT, FAST, Case, scanned, where
from tracker_tui.aws.actions import ActionRunner, Status, plan
from tracker_tui.aws.actions.ec2 import _address_key
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog


def _error(code: str, message: str = "no") -> Any:
    return SimpleNamespace(status_code=400, headers={}), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RequestId": f"req-{code}", "HTTPStatusCode": 400},
    }


def _on(session: AwsSession, service: str, event: str, operation: str, hook: Callable[..., Any]) -> None:
    client = session.client(service, where())
    client.meta.events.register(f"{event}.{client.meta.service_model.service_id.hyphenize()}.{operation}", hook)


def _refuse_with(code: str, message: str = "no") -> Callable[..., Any]:
    return lambda **_: _error(code, message)


def _mutating(audit: AuditLog) -> list[str]:
    return [line["operation"] for line in audit.tail(100)]


# --- tags a handler has to ask a second API for -------------------------------------------------


def _act_on(name: str, audit: AuditLog, session: AwsSession, tags: dict[str, str]) -> Outcome:
    case = CASES[name]
    return run_case(
        Case(case.kind, case.verb, lambda _: case.make(tags), case.state, case.before, case.after, case.calls),
        {},
        audit,
        session=session,
    )


def test_a_log_groups_tags_come_from_the_older_api_when_the_newer_one_refuses(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _on(session, "logs", "before-call", "ListTagsForResource", _refuse_with("AccessDeniedException"))
        outcome = _act_on("log-group-delete", audit, session, {"Protected": "yes"})

    assert (outcome.final.status, outcome.final.message) == (Status.REFUSED, "tag Protected is set")
    assert outcome.state == "exists" and _mutating(audit) == []


def test_a_log_group_whose_tags_neither_api_gives_is_refused_with_the_first_error(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _on(session, "logs", "before-call", "ListTagsForResource", _refuse_with("AccessDeniedException", "not you"))
        _on(session, "logs", "before-call", "ListTagsLogGroup", _refuse_with("ThrottlingException", "later"))
        outcome = _act_on("log-group-delete", audit, session, {})

    final = outcome.final
    assert (final.status, final.code) == (Status.REFUSED, "AccessDeniedException")
    assert final.message == "cannot read its tags (AccessDeniedException: not you); refusing without checking"
    assert outcome.state == "exists" and _mutating(audit) == []


def test_a_log_group_described_without_its_new_arn_is_tagged_through_the_old_one(audit: AuditLog) -> None:
    # Older answers carry only "arn" (ending ":*"); the tag read must use it without the suffix.
    seen: list[str] = []

    def drop_new_arn(parsed: dict[str, Any], **_: Any) -> None:
        for group in parsed.get("logGroups", []):
            group.pop("logGroupArn", None)

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["resourceArn"])

    with mock_aws():
        session = helpers.moto_session()
        _on(session, "logs", "after-call", "DescribeLogGroups", drop_new_arn)
        _on(session, "logs", "provide-client-params", "ListTagsForResource", record)
        _on(session, "logs", "before-call", "ListTagsLogGroup", _refuse_with("ResourceNotFoundException"))
        outcome = _act_on("log-group-delete", audit, session, {"Protected": "yes"})

    assert (outcome.final.status, outcome.final.message) == (Status.REFUSED, "tag Protected is set")
    assert seen == [f"arn:aws:logs:{where()}:{ACCOUNT}:log-group:/rails/app"]


def _without_tag_list(parsed: dict[str, Any], **_: Any) -> None:
    for db in parsed.get("DBInstances", []):
        db.pop("TagList", None)


def test_a_databases_tags_are_read_when_describe_leaves_them_out(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _on(session, "rds", "after-call", "DescribeDBInstances", _without_tag_list)
        outcome = _act_on("db-stop", audit, session, {"Do-Not-Delete": "yes"})

    assert (outcome.final.status, outcome.final.message) == (Status.REFUSED, "tag Do-Not-Delete is set")
    assert outcome.state == "available" and _mutating(audit) == []


def test_a_database_whose_tags_cannot_be_read_is_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _on(session, "rds", "after-call", "DescribeDBInstances", _without_tag_list)
        _on(session, "rds", "before-call", "ListTagsForResource", _refuse_with("AccessDenied", "not you"))
        outcome = _act_on("db-delete", audit, session, {})

    final = outcome.final
    assert (final.status, final.code) == (Status.REFUSED, "AccessDenied")
    assert final.message == "cannot read its tags (AccessDenied: not you); refusing without checking"
    assert outcome.state == "available" and _mutating(audit) == []


def test_a_database_whose_tags_are_read_separately_and_harmless_is_stopped(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _on(session, "rds", "after-call", "DescribeDBInstances", _without_tag_list)
        outcome = _act_on("db-stop", audit, session, {"owner": "data"})

    assert outcome.final.status is Status.DONE, outcome.final.message
    assert outcome.state == "stopped"


# --- which address a row is ----------------------------------------------------------------------


def _eip(ident: str, **details: Any) -> Resource:
    return Resource(kind="ec2:elastic-ip", id=ident, account_id=ACCOUNT, region="us-east-1", details=details)


@pytest.mark.parametrize(
    ("row", "key"),
    [
        (_eip("eipalloc-01", allocation_id="eipalloc-01", public_ip="3.3.3.3"), {"AllocationId": "eipalloc-01"}),
        (_eip("3.3.3.3", allocation_id="eipalloc-02", public_ip="3.3.3.3"), {"AllocationId": "eipalloc-02"}),
        (_eip("eipalloc-03"), {"AllocationId": "eipalloc-03"}),
        # EC2-Classic addresses have no allocation id: the public IP is the key.
        (_eip("3.3.3.4", public_ip="3.3.3.4"), {"PublicIp": "3.3.3.4"}),
        (_eip("3.3.3.5"), {"PublicIp": "3.3.3.5"}),
    ],
)
def test_an_elastic_ip_is_released_by_the_key_that_names_it(row: Resource, key: dict[str, str]) -> None:
    assert _address_key(row) == key


# --- verification by a waiter, bounded and honest -------------------------------------------------


def _stop_with_states(audit: AuditLog, states: list[str] | None, **options: Any) -> tuple[Outcome, int]:
    """Stop an instance whose re-reads after the stop say ``states`` in turn (the last one
    repeated), or answer with an error when ``states`` is None; how many reads the waiter made."""
    reads = {"after stop": 0}
    stopped = {"yes": False}

    def acted(http_response: Any, **_: Any) -> None:
        stopped["yes"] = stopped["yes"] or http_response.status_code < 300

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        if not stopped["yes"] or "Reservations" not in parsed:
            return
        index = min(reads["after stop"], len(states or [""]) - 1)
        reads["after stop"] += 1
        for reservation in parsed["Reservations"]:
            for instance in reservation["Instances"]:
                instance["State"]["Name"] = (states or [""])[index]

    def fail(**_: Any) -> Any:
        if stopped["yes"]:
            reads["after stop"] += 1
            return _error("UnauthorizedOperation", "not allowed to look")
        return None

    with mock_aws():
        session = helpers.moto_session()
        _on(session, "ec2", "after-call", "StopInstances", acted)
        if states is None:
            _on(session, "ec2", "before-call", "DescribeInstances", fail)
        else:
            _on(session, "ec2", "after-call", "DescribeInstances", rewrite)
        outcome = run_case(CASES["instance-stop"], {}, audit, session=session, **options)
    return outcome, reads["after stop"]


def test_a_waiter_that_never_sees_its_state_gives_up_at_the_rows_deadline(audit: AuditLog) -> None:
    # 0.3 s at one read per 0.1 s: about four reads, not the waiter's own 40 x 15 s.
    outcome, reads = _stop_with_states(audit, ["stopping"], verify_timeout=0.3, poll_interval=0.1)

    final = outcome.final
    assert (final.status, final.code) == (Status.FAILED, "VerifyTimeout")
    assert final.message == (
        "asked AWS to stop it, but instance stopped was not confirmed within 0.3 s (Max attempts exceeded); "
        "rescan to check"
    )
    assert 3 <= reads <= 5, reads


def test_a_waiter_that_sees_a_terminal_state_says_so(audit: AuditLog) -> None:
    outcome, _ = _stop_with_states(audit, ["stopping", "terminated"], verify_timeout=5, poll_interval=0.01)

    final = outcome.final
    assert (final.status, final.code) == (Status.FAILED, "VerifyTimeout")
    assert "(Waiter encountered a terminal failure state: For expression" in final.message
    assert 'we matched expected path: "terminated"' in final.message


def test_a_waiter_whose_reads_fail_reports_the_reads_error_code(audit: AuditLog) -> None:
    outcome, reads = _stop_with_states(audit, None, verify_timeout=5, poll_interval=0.01)

    final = outcome.final
    assert (final.status, final.code) == (Status.FAILED, "UnauthorizedOperation"), final.message
    assert final.message.startswith("asked AWS to stop it, but instance stopped was not confirmed within 5 s (")
    assert reads == 1


def test_a_waiter_done_in_time_is_done(audit: AuditLog) -> None:
    outcome, reads = _stop_with_states(audit, ["stopping", "stopping", "stopped"], poll_interval=0.01)

    assert outcome.final.status is Status.DONE and outcome.final.message == "stopped"
    assert reads >= 3


# --- a failed NAT gateway can still be deleted -----------------------------------------------------


def test_a_failed_nat_gateway_is_deleted(audit: AuditLog) -> None:
    case = CASES["nat-delete"]
    first = {"read": True}

    def failed_once(parsed: dict[str, Any], **_: Any) -> None:
        if first["read"] and parsed.get("NatGateways"):
            first["read"] = False
            parsed["NatGateways"][0]["State"] = "failed"

    with mock_aws():
        session = helpers.moto_session()
        ident = case.make({})
        row = scanned(session, case.kind, where())[ident]
        _on(session, "ec2", "after-call", "DescribeNatGateways", failed_once)
        runner = ActionRunner(session, ACCOUNT, FAST, audit=audit)
        (final,) = runner.run(plan([row], case.verb, runner.options), lambda _: None)

        assert final.status is Status.DONE, final.message
        assert case.state(ident) == "deleted"


# --- a load balancer is the one scanned, by its ARN ---------------------------------------------------


def test_a_load_balancer_made_again_under_its_name_since_the_scan_is_not_deleted(audit: AuditLog) -> None:
    case = CASES["alb-delete"]
    with mock_aws():
        session = helpers.moto_session()
        ident = case.make({})
        row = scanned(session, case.kind, where())[ident]
        elbv2 = session.client("elbv2", where())
        elbv2.delete_load_balancer(LoadBalancerArn=row.arn)
        case.make({})  # the same name, a new load balancer (a new ARN)
        runner = ActionRunner(session, ACCOUNT, FAST, audit=audit)
        (final,) = runner.run(plan([row], case.verb, runner.options), lambda _: None)

        assert (final.status, final.deleted) == (Status.REFUSED, True), final.message
        assert final.message == "it no longer exists (deleted since the scan)"
        assert case.state(ident) == "exists" and _mutating(audit) == []


def test_a_load_balancer_row_without_an_arn_is_refused(audit: AuditLog) -> None:
    case = CASES["alb-delete"]
    with mock_aws():
        session = helpers.moto_session()
        ident = case.make({})
        row = dataclasses.replace(scanned(session, case.kind, where())[ident], arn="")
        runner = ActionRunner(session, ACCOUNT, FAST, audit=audit)
        (final,) = runner.run(plan([row], case.verb, runner.options), lambda _: None)

        assert (final.status, final.message) == (
            Status.REFUSED,
            "the scan recorded no load balancer ARN for it; rescan",
        )
        assert case.state(ident) == "exists" and _mutating(audit) == []
