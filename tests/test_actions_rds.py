"""The handlers of aws/actions/rds.py against moto: stop, start and delete a DB instance (a final
snapshot kept by default and named in the plan, none when the box is unticked), and each
refusal (already stopped or available, deletion protection, a protected tag).

moto 5.2 stops and starts a DB instance at once (``stopped`` / ``available`` straight after the
call).  The rails every handler shares run on these handlers through their cases in
tests/support/rails/rds.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import act, runner, statuses
from tests.support.rails.base import ACCOUNT, scanned
from tracker_tui.aws.actions import ActionOptions, PlannedAction, Status, final_snapshot_id, plan
from tracker_tui.aws.actions.rds import FINAL_SNAPSHOT
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

REGION = "us-east-1"


# --- helpers -----------------------------------------------------------------------------


def _db(rds: Any, ident: str, **extra: Any) -> None:
    params: dict[str, Any] = {
        "DBInstanceIdentifier": ident,
        "Engine": "postgres",
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "StorageType": "gp2",
        "MasterUsername": "admin",
        "MasterUserPassword": "not-a-secret-1",
        **extra,
    }
    rds.create_db_instance(**params)


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


def _stopped_db(rds: Any, ident: str = "orders", *, stopped: bool = True, tags: dict[str, str] | None = None) -> str:
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


# --- plan() ------------------------------------------------------------------------------


def _resource(kind: str, ident: str, cost: float | None = None, **details: Any) -> Resource:
    return Resource(kind=kind, id=ident, region="us-east-1", account_id=ACCOUNT, monthly_cost=cost, details=details)


def test_plan_without_final_snapshot_says_so() -> None:
    unticked = ActionOptions(choices={FINAL_SNAPSHOT: False})
    planned = plan([_resource("rds:db-instance", "orders", 15.0)], "delete", unticked)
    assert planned[0].artifact is None
    assert "no final snapshot" in planned[0].note


def test_final_snapshot_id_is_deterministic() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert final_snapshot_id("db-1", when) == "tracker-tui-final-db-1-20260102030405"


# --- stop and delete ---------------------------------------------------------------------


def test_stop_db_instance_returns_it_repriced_with_storage_only(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]

        (done,), _ = act(session, audit, [row], "stop")

        status = rds.describe_db_instances(DBInstanceIdentifier="orders")["DBInstances"][0]["DBInstanceStatus"]
    assert status == "stopped"
    assert done.status is Status.DONE
    assert done.result is not None and done.result.state == "stopped"
    assert row.monthly_cost is not None and done.result.monthly_cost is not None
    assert 0 < done.result.monthly_cost < row.monthly_cost
    assert done.result.cost_basis and done.result.cost_basis.startswith("stopped")


def test_stop_db_instance_refused_when_already_stopped(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]
        rds.stop_db_instance(DBInstanceIdentifier="orders")

        (refused,), _ = act(session, audit, [row], "stop")

    assert (refused.status, refused.message) == (Status.REFUSED, "already stopped")


def test_delete_db_instance_keeps_the_named_final_snapshot(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]
        run = runner(session, audit)
        planned = plan([row], "delete", run.options, now=datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC))

        (done,) = run.run(planned, lambda _: None)

        assert rds.describe_db_instances()["DBInstances"] == []
        snapshots = rds.describe_db_snapshots(DBInstanceIdentifier="orders")["DBSnapshots"]
    assert "tracker-tui-final-orders-20261129010203" in {s["DBSnapshotIdentifier"] for s in snapshots}
    assert (done.status, done.deleted) == (Status.DONE, True)
    assert "tracker-tui-final-orders-20261129010203" in done.message
    before = next(line for line in audit.tail(10) if line["phase"] == "before")
    assert before["params"]["FinalDBSnapshotIdentifier"] == "tracker-tui-final-orders-20261129010203"


def test_a_delete_planned_without_a_name_still_keeps_a_final_snapshot(audit: AuditLog) -> None:
    """A row planned elsewhere (no artifact): the runner names the snapshot itself, never skips it."""
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]

        (done,) = runner(session, audit).run([PlannedAction(row, "delete")], lambda _: None)

        snapshots = {s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]}
    (name,) = [s for s in snapshots if s.startswith("tracker-tui-final-orders-")]
    assert done.status is Status.DONE and done.message == f"deleted; final snapshot {name}"
    before = next(line for line in audit.tail(10) if line["phase"] == "before")
    assert before["params"] == {"DBInstanceIdentifier": "orders", "FinalDBSnapshotIdentifier": name}


def test_a_delete_without_a_final_snapshot_says_so_and_asks_for_none(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "scratch")
        row = scanned(session, "rds:db-instance")["scratch"]
        run = runner(session, audit, choices={FINAL_SNAPSHOT: False})

        (done,) = run.run(plan([row], "delete", run.options), lambda _: None)

        assert rds.describe_db_snapshots()["DBSnapshots"] == []
    assert (done.status, done.message, done.deleted) == (Status.DONE, "deleted (no final snapshot)", True)
    before = next(line for line in audit.tail(10) if line["phase"] == "before")
    assert before["params"] == {"DBInstanceIdentifier": "scratch", "SkipFinalSnapshot": True}


def test_deletion_protection_refuses_and_is_left_on(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders", DeletionProtection=True)
        row = scanned(session, "rds:db-instance")["orders"]

        (refused,), _ = act(session, audit, [row], "delete")

        (db,) = rds.describe_db_instances()["DBInstances"]
    assert db["DBInstanceStatus"] == "available"
    assert db["DeletionProtection"] is True
    assert refused.message == "deletion protection is on (DeletionProtection); tracker-tui never switches it off"


@pytest.mark.parametrize(("ticked", "kept"), [(True, {"tracker-tui-final-orders-20260101000000"}), (False, set())])
def test_the_plan_names_the_final_snapshot_and_the_box_decides_whether_it_is_kept(
    audit: AuditLog, ticked: bool, kept: set[str]
) -> None:
    """The plan is made before the dialog, with the box ticked: the name it shows is the one
    used, but unticking the box in that dialog is what the run does (it used to be ignored)."""
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", "us-east-1")
        _db(rds, "orders")
        row = scanned(session, "rds:db-instance")["orders"]
        planned = [PlannedAction(row, "delete", artifact="tracker-tui-final-orders-20260101000000")]
        run = runner(session, audit, choices={FINAL_SNAPSHOT: ticked})

        (done,) = run.run(planned, lambda _: None)

        snapshots = {s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]}
    assert done.status is Status.DONE
    assert snapshots == kept

# --- start ----------------------------------------------------------------------------------------


def test_start_db_instance_verifies_and_returns_it_available_and_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        ident = _stopped_db(rds)
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
        ident = _stopped_db(rds, stopped=False)
        row = scanned(session, "rds:db-instance")[ident]

        (refused,), _ = act(session, audit, [row], "start")

        assert _db_status(rds, ident) == "available"
    assert (refused.status, refused.message, refused.deleted) == (Status.REFUSED, "already available", False)
    assert audit.tail(50) == []


def test_a_protected_tag_refuses_starting_a_db_instance(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        ident = _stopped_db(rds, tags={"Protected": "true"})
        row = scanned(session, "rds:db-instance")[ident]

        (refused,), _ = act(session, audit, [row], "start")

        assert _db_status(rds, ident) == "stopped"
    assert (refused.status, refused.message) == (Status.REFUSED, "tag Protected is set")
    assert audit.tail(50) == []
