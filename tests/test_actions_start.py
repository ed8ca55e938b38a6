"""``u`` on EC2 instances and RDS DB instances, against moto: a stopped one is started (EC2:
DryRun first), verified running / available, and comes back repriced (running again costs
compute); every refusal leaves it as it was and calls nothing.

moto 5.2 stops an instance and a DB instance at once (``stopped`` straight after the call)
and starts them at once (``running`` / ``available``); it honours DryRun on StartInstances.
The rails every handler shares (protected tags in any case, the audit log, the row's region,
AWS errors, verification, states when re-read) run on these handlers through their cases in
tests/support/rails/ec2.py and rds.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.pilot import Pilot

from tests import helpers
from tests.helpers import actions_done, error_response, scan_done, wait_until
from tests.test_actions import (
    act,
    instance_state,
    on_call,
    run_instance,
    scanned,
    statuses,
)
from tests.test_app_actions import _filter
from tracker_tui.aws.actions import ActionUpdate, Status, needs_typed_name, plan
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.model import format_cost
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

REGION = "us-east-1"


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def _stopped_instance(ec2: Any, tags: dict[str, str] | None = None) -> str:
    instance_id = run_instance(ec2, tags)
    ec2.stop_instances(InstanceIds=[instance_id])
    assert instance_state(ec2, instance_id) == "stopped"
    return instance_id


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


def _db(rds: Any, ident: str = "orders", *, stopped: bool = True, tags: dict[str, str] | None = None) -> str:
    rds.create_db_instance(
        DBInstanceIdentifier=ident,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        StorageType="gp2",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )
    if stopped:
        rds.stop_db_instance(DBInstanceIdentifier=ident)
    return ident


def _db_status(rds: Any, ident: str) -> str:
    return str(rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]["DBInstanceStatus"])


# --- EC2 instances ----------------------------------------------------------------------------


def test_start_instance_verifies_and_returns_it_running_and_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        assert (row.state, row.monthly_cost) == ("stopped", 0.0)

        finals, seen = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "running"
    assert statuses(seen, instance_id) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert (done.action, done.message, done.deleted) == ("start", "started", False)
    assert done.result is not None
    assert done.result.state == "running"
    assert done.result.monthly_cost and done.result.monthly_cost > 0
    assert done.result.details["instance_type"] == "t3.micro"
    lines = audit.tail(100)
    assert _phases(audit) == [
        ("before", "StartInstances"),
        ("dry-run", "StartInstances"),
        ("before", "StartInstances"),
        ("after", "StartInstances"),
    ]
    assert lines[0]["params"] == {"InstanceIds": [instance_id], "DryRun": True}
    assert lines[2]["params"] == {"InstanceIds": [instance_id]}
    assert {(line["id"], line["action"]) for line in lines} == {(instance_id, "start")}
    assert done.request_id and done.request_id == lines[-1]["request_id"]


def test_start_refused_when_already_running(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "running"
    assert (refused.status, refused.message, refused.deleted) == (Status.REFUSED, "already running", False)
    assert refused.result is None and refused.request_id == ""
    assert audit.tail(50) == []  # not even a DryRun


def test_start_refused_when_it_was_started_since_the_scan(audit: AuditLog) -> None:
    """The row still says stopped; the re-read says running: refused on what AWS says now."""
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        ec2.start_instances(InstanceIds=[instance_id])

        (refused,), _ = act(session, audit, [row], "start")

    assert (row.state, refused.status, refused.message) == ("stopped", Status.REFUSED, "already running")
    assert audit.tail(50) == []


def test_a_protected_tag_refuses_starting_and_nothing_changes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2, {"do-not-delete": "yes", "owner": "data"})
        row = scanned(session, "ec2:instance")[instance_id]

        (refused,), _ = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "stopped"
    assert (refused.status, refused.message) == (Status.REFUSED, "tag do-not-delete is set")
    assert audit.tail(50) == []


def test_a_dry_run_denial_refuses_before_anything_changes(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        instance_id = _stopped_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        real_calls: list[dict[str, Any]] = []

        def deny_dry_run(params: dict[str, Any], **_: Any) -> Any:
            if params["body"].get("DryRun") == "true":
                return error_response("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
            real_calls.append(params["body"])
            return None

        on_call(session, "ec2", REGION, "StartInstances", deny_dry_run)

        (refused,), _ = act(session, audit, [row], "start")

        assert instance_state(ec2, instance_id) == "stopped"
    assert real_calls == []
    assert (refused.status, refused.code) == (Status.REFUSED, "UnauthorizedOperation")
    assert refused.message == "DryRun denied: UnauthorizedOperation You are not authorized to perform this operation."
    before, line = audit.tail(50)
    assert (before["phase"], before["operation"], before["params"]["DryRun"]) == ("before", "StartInstances", True)
    assert (line["phase"], line["result"], line["code"]) == ("dry-run", "denied", "UnauthorizedOperation")


# --- RDS DB instances -------------------------------------------------------------------------


def test_start_db_instance_verifies_and_returns_it_available_and_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        ident = _db(rds)
        assert _db_status(rds, ident) == "stopped"
        row = scanned(session, "rds:db-instance")[ident]
        assert row.state == "stopped" and row.monthly_cost is not None

        finals, seen = act(session, audit, [row], "start")

        assert _db_status(rds, ident) == "available"
    assert statuses(seen, ident) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert (done.action, done.message, done.deleted) == ("start", "started", False)
    assert done.result is not None and done.result.state == "available"
    # Stopped, it paid for storage only; available, it pays for the instance class again.
    assert done.result.monthly_cost is not None and done.result.monthly_cost > row.monthly_cost
    assert _phases(audit) == [("before", "StartDBInstance"), ("after", "StartDBInstance")]
    assert audit.tail(10)[0]["params"] == {"DBInstanceIdentifier": ident}
    assert done.request_id and done.request_id == audit.tail(10)[-1]["request_id"]


def test_start_db_instance_refused_when_available(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        ident = _db(rds, stopped=False)
        row = scanned(session, "rds:db-instance")[ident]

        (refused,), _ = act(session, audit, [row], "start")

        assert _db_status(rds, ident) == "available"
    assert (refused.status, refused.message, refused.deleted) == (Status.REFUSED, "already available", False)
    assert audit.tail(50) == []


def test_a_protected_tag_refuses_starting_a_db_instance(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        ident = _db(rds, tags={"Protected": "true"})
        row = scanned(session, "rds:db-instance")[ident]

        (refused,), _ = act(session, audit, [row], "start")

        assert _db_status(rds, ident) == "stopped"
    assert (refused.status, refused.message) == (Status.REFUSED, "tag Protected is set")
    assert audit.tail(50) == []


# --- the plan -----------------------------------------------------------------------------------


def test_plan_start_saves_nothing_says_what_it_will_cost_and_confirms_with_y() -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        stopped = _stopped_instance(ec2)
        running = run_instance(ec2)
        instances = scanned(session, "ec2:instance")
        ident = _db(session.client("rds", REGION))
        db = scanned(session, "rds:db-instance")[ident]
        # What a t3.micro costs running: the figure the dialog must show for the stopped one.
        compute = instances[running].monthly_cost
        assert compute and compute > 0

        (one,) = plan([instances[stopped]], "start")
        (db_plan,) = plan([db], "start")
        both = plan([instances[stopped], instances[running]], "start")

    assert (one.action, one.saving, one.skip_reason) == ("start", 0.0, None)
    assert one.note == f"bills {format_cost(compute)}/mo again while running"
    assert needs_typed_name([one]) is False
    assert needs_typed_name(both) is True  # two rows: the account is typed
    assert (db_plan.action, db_plan.saving) == ("start", 0.0)
    assert db.monthly_cost is not None
    assert db_plan.note.startswith("bills $") and db_plan.note.endswith("/mo again while available")
    assert db_plan.note != f"bills {format_cost(db.monthly_cost)}/mo again while available"  # more than storage
    assert needs_typed_name([db_plan]) is False


# --- in the app ----------------------------------------------------------------------------------


def _app_estate() -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name=REGION)
    return {"ec2": ec2, "stopped": _stopped_instance(ec2), "running": run_instance(ec2)}


def run_app(check: Callable[[TrackerApp, Pilot[Any], dict[str, Any]], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        estate = _app_estate()

        async def go() -> None:
            session = helpers.moto_session()
            source = LiveSource(lambda: session, resolve_kinds(["ec2:instance"]), [REGION])
            app = TrackerApp(source, monotonic=lambda: 0.0, **kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await check(app, pilot, estate)

        asyncio.run(go())


def test_u_on_a_stopped_instance_confirms_with_y_and_the_row_runs_again() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        instance_id = estate["stopped"]
        await _filter(pilot, instance_id)
        row = app.table.cursor_resource
        assert row is not None and (row.id, row.state, row.monthly_cost) == (instance_id, "stopped", 0.0)

        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert not screen.typed  # one row: y confirms
        assert app.focused is screen.query_one("#confirm-cancel")
        (planned,) = screen.acting
        assert (planned.action, planned.saving) == ("start", 0.0)
        assert planned.note.endswith("/mo again while running")
        await pilot.press("y")
        await pilot.pause()
        progress = app.screen
        assert isinstance(progress, ActionProgressScreen)
        await wait_until(pilot, actions_done(app))
        (update,) = progress.latest.values()
        assert isinstance(update, ActionUpdate)
        assert (update.status, update.message) == (Status.DONE, "started")
        await pilot.press("escape")
        await pilot.pause()

        assert instance_state(estate["ec2"], instance_id) == "running"
        after = next(r for r in app.table.resources if r.id == instance_id)
        assert after.state == "running"
        assert after.monthly_cost and after.monthly_cost > 0
        assert instance_state(estate["ec2"], estate["running"]) == "running"

    run_app(check)


def test_u_in_read_only_mode_says_so_and_changes_nothing() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], estate: dict[str, Any]) -> None:
        await _filter(pilot, estate["stopped"])
        await pilot.press("u")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert instance_state(estate["ec2"], estate["stopped"]) == "stopped"
        assert AuditLog().tail(10) == []

    run_app(check, read_only=True)
