"""The demo account: its server answers at once and never shows half an estate.

The child process seeds the estate while it already answers; ``SeedGates`` hold each
request until its part is made.  These tests run the real server process (loopback only).
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support.helpers import scan
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.demo import GATE_TIMEOUT_S, SeedGates, gated, start_demo
from tracker_tui.demo_estate import (
    DEMO_REGIONS,
    FAMILIES,
    FIRST_STAGE_FAMILIES,
    FIRST_STAGE_SERVICES,
    seed_first_stage,
    seed_global,
    seed_second_stage,
)

READS = ("Describe", "List", "Get", "Head")


# --- the gates ---------------------------------------------------------------------------------


def _waits(gates: SeedGates, region: str, service: str, timeout: float = 0.05) -> bool:
    """Whether a request for (region, service) is still held after ``timeout``."""
    return not _in_thread(lambda: gates.wait(region, service, timeout=5)).wait(timeout)


def _in_thread(work: Any) -> threading.Event:
    """Run ``work`` in a thread; the event is set when it returns."""
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def test_a_region_is_held_until_it_is_seeded_and_the_homes_early_services_first() -> None:
    gates = SeedGates(("us-east-1", "eu-west-1"), "us-east-1")
    assert _waits(gates, "us-east-1", "ec2") and _waits(gates, "us-east-1", "rds")
    assert _waits(gates, "eu-west-1", "ec2")
    # A region outside the estate is empty: nothing to wait for.
    assert not _waits(gates, "ca-central-1", "ec2")

    gates.open("us-east-1", ("ec2", "iam"))
    assert not _waits(gates, "us-east-1", "ec2") and not _waits(gates, "us-east-1", "iam")
    assert _waits(gates, "us-east-1", "rds")
    # Only the home region's: eu-west-1's EC2 is not made yet.
    assert _waits(gates, "eu-west-1", "ec2")

    gates.open("us-east-1")
    assert not _waits(gates, "us-east-1", "rds")
    assert _waits(gates, "eu-west-1", "rds")
    gates.open("eu-west-1")
    assert not _waits(gates, "eu-west-1", "rds")
    assert gates.failed == {}


def test_a_held_request_goes_on_the_moment_its_part_opens() -> None:
    gates = SeedGates(("us-east-1",), "us-east-1")
    done = _in_thread(lambda: gates.wait("us-east-1", "rds", timeout=5))
    assert not done.wait(0.05)
    gates.open("us-east-1", ("rds",))
    assert done.wait(1)


def test_a_failed_seeding_answers_the_regions_not_seeded_with_its_error() -> None:
    gates = SeedGates(("us-east-1", "eu-west-1"), "us-east-1")
    gates.open("us-east-1")
    gates.fail("ClientError: no")
    assert gates.wait("us-east-1", "rds") is None
    assert gates.wait("eu-west-1", "rds") == "ClientError: no"
    assert gates.failed == {"eu-west-1": "ClientError: no"}


def _call(app: Any, **environ: Any) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(dict(environ), start_response))
    return seen["status"], seen["headers"], body


def _backend(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answered"]


def _auth(region: str, service: str) -> str:
    return f"AWS4-HMAC-SHA256 Credential=demo/20261202/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0"


def test_the_middleware_reads_the_signed_scope_and_answers_failed_regions_in_the_services_protocol() -> None:
    gates = SeedGates(("us-east-1", "eu-west-1"), "us-east-1")
    gates.open("us-east-1")
    gates.fail("RuntimeError: moto broke")
    app = gated(_backend, gates)

    assert _call(app, HTTP_AUTHORIZATION=_auth("us-east-1", "rds"))[2] == b"answered"
    # Unsigned requests (moto's own API, the demo's bill) pass.
    assert _call(app)[2] == b"answered"

    status, headers, body = _call(app, HTTP_AUTHORIZATION=_auth("eu-west-1", "ec2"))
    assert status == "400 Bad Request" and headers["Content-Type"] == "text/xml"
    assert b"<Code>DemoSeedingFailed</Code>" in body
    assert b"the demo could not seed this region: RuntimeError: moto broke" in body

    status, headers, body = _call(
        app, HTTP_AUTHORIZATION=_auth("eu-west-1", "dynamodb"), CONTENT_TYPE="application/x-amz-json-1.0"
    )
    assert status == "400 Bad Request"
    assert json.loads(body) == {
        "__type": "DemoSeedingFailed",
        "message": "the demo could not seed this region: RuntimeError: moto broke",
    }


def test_requests_that_read_nothing_seeded_are_never_held() -> None:
    gates = SeedGates(("us-east-1",), "us-east-1")
    seen: list[bytes] = []

    def backend(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if "wsgi.input" in environ:
            seen.append(environ["wsgi.input"].read())
        return _backend(environ, start_response)

    app = gated(backend, gates)
    body = b"Action=DescribeRegions&Version=2016-11-15"
    environ = {
        "HTTP_AUTHORIZATION": _auth("us-east-1", "ec2"),
        "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    assert _call(app, **environ)[2] == b"answered"
    assert seen == [body]  # the app still reads the whole body
    assert _call(app, HTTP_AUTHORIZATION=_auth("us-east-1", "sts"))[2] == b"answered"
    # Anything else in a closed region waits.
    other = dict(environ, **{"wsgi.input": io.BytesIO(b"Action=DescribeInstances"), "CONTENT_LENGTH": "24"})
    held = _in_thread(lambda: _call(app, **other))
    assert not held.wait(0.1)
    gates.open("us-east-1")
    assert held.wait(1)


# --- what each stage writes ---------------------------------------------------------------------


@pytest.fixture
def recorded() -> Iterator[tuple[boto3.Session, list[tuple[str, str]]]]:
    calls: list[tuple[str, str]] = []

    def record(model: Any, **_: Any) -> None:
        calls.append((model.service_model.signing_name, model.name))

    with mock_aws():
        boto = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="us-east-1")
        boto.events.register("before-call", record)
        yield boto, calls


def test_the_first_stage_writes_only_what_the_gate_opens_early_and_the_rest_never_writes_there(
    recorded: tuple[boto3.Session, list[tuple[str, str]]],
) -> None:
    boto, calls = recorded
    seed_global(boto, None)
    seeder, made = seed_first_stage(boto, None, "us-east-1")
    first = list(calls)
    calls.clear()
    rest = seed_second_stage(seeder)

    assert made > 0 and rest > 0
    assert {service for service, _ in first} <= FIRST_STAGE_SERVICES
    # After the early gate opened, the rest may read EC2 (subnets, say) but write nothing it answers for.
    late_writes = [(s, op) for s, op in calls if s in FIRST_STAGE_SERVICES and not op.startswith(READS)]
    assert late_writes == []
    assert {family.__name__ for family in FIRST_STAGE_FAMILIES} <= {family.__name__ for family in FAMILIES}


# --- the real server ---------------------------------------------------------------------------


def _rows(session: Any) -> set[tuple[str, str, str]]:
    found, collector = scan([], list(DEMO_REGIONS), session=session)
    assert [r for r in collector.results if r.status.is_error] == []
    return {(r.kind, r.region, r.id) for r in found}


def test_a_scan_started_the_moment_the_server_answers_sees_the_whole_estate() -> None:
    demo = start_demo(latency_ms=0)
    # A request the server holds for its part of the estate is no black hole: the session
    # waits longer than the gate, so a slow seeding never ends a cell or opens the breaker.
    assert demo.session.config.read_timeout > GATE_TIMEOUT_S
    try:
        # The server answers while it is still seeding: the first scan races the seeding.
        assert demo.seeded(timeout=0) is None
        first = _rows(demo.session)
        report = demo.seeded(timeout=120)
        second = _rows(demo.session)
    finally:
        demo.stop()

    assert report is not None and report.error == "", report
    # The parts opened in the order the first rows need them: IAM, the home region's EC2
    # side, the rest of it, then the other regions.
    assert list(demo.stages)[:4] == ["ready", "us-east-1:iam", "us-east-1:first", "us-east-1"]
    assert set(demo.stages) == {"ready", "us-east-1:iam", "us-east-1:first", *DEMO_REGIONS}
    assert list(demo.stages.values()) == sorted(demo.stages.values())
    assert first == second
    # Every kind of the registry is in the estate, and every resource the seeding counted.
    assert {kind for kind, _, _ in first} == set(REGISTRY)
    assert len(first) >= report.resources


def test_one_operation_can_open_before_its_service() -> None:
    # The alias is made first: the app's identity call may go on while IAM's users are made.
    gates = SeedGates(("us-east-1",), "us-east-1")
    gates.open("us-east-1", ("iam.ListAccountAliases",))
    app = gated(_backend, gates)

    def call(action: str) -> threading.Event:
        body = f"Action={action}&Version=2010-05-08".encode()
        environ = {
            "HTTP_AUTHORIZATION": _auth("us-east-1", "iam"),
            "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        return _in_thread(lambda: _call(app, **environ))

    assert call("ListAccountAliases").wait(1)
    users = call("ListUsers")
    assert not users.wait(0.1)
    gates.open("us-east-1", ("iam",))
    assert users.wait(1)
