"""The scan's permissions are what the scan calls: recorded, not believed (issue 21, part 4).

The demo's estate (every kind, in-process moto) is scanned kind by kind with a hook on the
session that records every operation botocore sends (``before-parameter-build``); each
operation is turned into the IAM actions AWS authorises it as (``aws.permissions.iam_actions``)
and held to the kind's declaration both ways: nothing called that is not declared, nothing
declared that is never called.  Then ``tracker-tui scan --check-idle`` runs end to end and
everything it calls must be in the connect, scan and idle statements.

tests/test_permissions.py holds the actions, the bill, the price refresh, ``--org-role``, the
policy document and ``--check``; they live apart because each of them needs a fresh moto,
and a fresh ``mock_aws`` would wipe this module's estate.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tests.support.helpers import hook_every_session, moto_session, record_calls, scan
from tracker_tui.aws.idle import plan_checks, run_checks
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.permissions import Part, iam_actions, read_parts
from tracker_tui.aws.session import AwsSession
from tracker_tui.cli import main
from tracker_tui.demo_estate import seed_account, seed_global, seed_region

REGION = "us-east-1"

#: Declared actions a scan of the estate cannot call, by kind, and why.  Empty: every
#: declared action of every kind is exercised.  Add one only with the reason moto cannot
#: reach its path (an error-only or pagination-only branch), never to silence a failure.
NOT_EXERCISED: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="module")
def estate() -> Iterator[None]:
    """The demo's estate in one region: at least one resource of every kind (in-process moto)."""
    with mock_aws():
        boto = boto3.Session(region_name=REGION)
        seed_global(boto, None)  # IAM first: the Lambda functions need its roles
        seed_account(boto, None)
        seed_region(boto, None, REGION)
        yield


def actions_of(calls: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """The IAM actions of every recorded "service.Operation"."""
    return {action for name, _ in calls for action in iam_actions(*name.split(".", 1))}


def deny(session: AwsSession, refused: set[str]) -> None:
    """Answer every call AWS would authorise as one of ``refused`` with AccessDenied (nothing is sent)."""

    def answer(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if not refused & set(iam_actions(model.service_model.service_name, model.name)):
            return None
        return AWSResponse("https://denied.example.invalid/", 403, {}, None), {
            "Error": {"Code": "AccessDenied", "Message": "not authorized"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    session.boto.events.register("before-call", answer)


def by_statement(parts: list[Part], *keys: str) -> set[str]:
    return {action for part in parts if part.statement in keys for action in part.actions}


# --- each kind alone ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_a_kinds_scan_calls_exactly_the_actions_it_declares(estate: None, kind: str) -> None:
    spec = REGISTRY[kind]
    session = moto_session()
    calls = record_calls(session)
    resources, collector = scan([kind], [REGION], session=session)

    assert resources, f"the estate holds no {kind}: the recording would prove nothing"
    assert [r for r in collector.results if r.status.is_error] == []
    called = actions_of(calls)
    declared = set(spec.iam_actions)
    assert called - declared == set(), f"{kind} calls actions its KindSpec.iam_actions does not declare"
    exempt = set(NOT_EXERCISED.get(kind, {}))
    assert declared - called - exempt == set(), f"{kind} declares actions its scan never called"


FALLBACK_KINDS = [kind for kind, spec in REGISTRY.items() if spec.iam_fallbacks]


def test_the_kinds_with_a_fallback_are_the_iam_ones() -> None:
    """The parametrised test below covers them; a new fallback shows up here first."""
    assert FALLBACK_KINDS == ["iam:user", "iam:role"]


@pytest.mark.parametrize("kind", FALLBACK_KINDS)
def test_a_denied_first_choice_calls_exactly_the_declared_fallbacks(estate: None, kind: str) -> None:
    spec = REGISTRY[kind]
    listed, _ = scan([kind], [REGION])
    session = moto_session()
    calls = record_calls(session)
    deny(session, set(spec.iam_fallbacks))
    resources, collector = scan([kind], [REGION], session=session)

    # The same rows, with their tags, by the other way.
    assert sorted((r.id, r.tags) for r in resources) == sorted((r.id, r.tags) for r in listed)
    assert [r for r in collector.results if r.status.is_error] == []
    instead = {action for alternatives in spec.iam_fallbacks.values() for action in alternatives}
    assert actions_of(calls) == set(spec.iam_actions) | instead


# --- the idle checks alone ---------------------------------------------------------------------


def test_the_idle_checks_call_exactly_the_idle_statement(estate: None) -> None:
    """The scan reads CloudWatch too (bucket sizes): the checks are recorded on a session of their own."""
    kinds = [kind for kind, spec in REGISTRY.items() if spec.metric_rules]
    resources, _ = scan(kinds, [REGION])
    plan = plan_checks(resources)
    declared = {r.id for k in kinds for r in REGISTRY[k].metric_rules}
    assert {rule.id for t in plan.targets for rule in t.rules} == declared
    session = moto_session()
    calls = record_calls(session)

    report = run_checks(plan, lambda _account: session)

    assert report.failures == [] and report.requests >= 1
    assert actions_of(calls) == by_statement(read_parts(), "idle")


# --- the whole scan, as the command runs it ----------------------------------------------------


def answer_regions(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
    """DescribeRegions answers the estate's one region: moto's 30-odd empty ones add nothing but time."""
    if (model.service_model.service_name, model.name) != ("ec2", "DescribeRegions"):
        return None
    region = {"RegionName": REGION, "Endpoint": f"ec2.{REGION}.amazonaws.com", "OptInStatus": "opt-in-not-required"}
    return AWSResponse(f"https://ec2.{REGION}.amazonaws.com/", 200, {}, None), {"Regions": [region]}


def test_a_full_scan_with_the_idle_checks_calls_only_the_read_only_statements(
    estate: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tracker-tui scan --check-idle``: connect, every kind, the idle checks; nothing else."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((f"{model.service_model.service_name}.{model.name}", params))

    hook_every_session(monkeypatch, "before-parameter-build", record)
    hook_every_session(monkeypatch, "before-call", answer_regions)
    out, err = io.StringIO(), io.StringIO()
    code = main(["scan", "--format", "json", "--check-idle"], stdout=out, stderr=err)

    assert code == 0, err.getvalue()
    inventory = json.loads(out.getvalue())
    assert {r["kind"] for r in inventory["resources"]} == set(REGISTRY)
    assert any(f["id"].startswith("idle-") for r in inventory["resources"] for f in r.get("findings", []))
    parts = read_parts()
    called = actions_of(calls)
    assert called - by_statement(parts, "connect", "scan", "idle") == set()
    # Every action of those statements was called, and no fallback: the policy grants the first choices.
    fallbacks = {a for part in parts for alternatives in part.fallbacks.values() for a in alternatives}
    assert by_statement(parts, "connect", "scan", "idle") - called == set()
    assert called & fallbacks == set()
