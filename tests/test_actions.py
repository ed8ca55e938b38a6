"""What every action shares, against moto: plan() (each kind's action or the reason it has none,
the saving, the notes), the runner (a changed identity refuses every row, one failure does not
stop the rest, skipped and cancelled rows, a row gone since the scan) and the audit lines every
call writes before and after it.  Each handler's own tests are in tests/test_actions_<module>.py,
named after its module in aws/actions/."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import AUDIT_FIELDS, act, instance_state, on_call, run_instance, runner, statuses
from tests.support.helpers import error_response
from tests.support.rails.base import ACCOUNT, FAST, scanned
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, needs_typed_name, plan
from tracker_tui.aws.kinds import price_resources
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.catalogue import load_catalogue
from tracker_tui.store import AuditLog

REGION = "us-east-1"


# --- helpers -----------------------------------------------------------------------------


def _stopped_instance(ec2: Any, tags: dict[str, str] | None = None) -> str:
    instance_id = run_instance(ec2, tags)
    ec2.stop_instances(InstanceIds=[instance_id])
    assert instance_state(ec2, instance_id) == "stopped"
    return instance_id


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


# --- plan() ------------------------------------------------------------------------------


def _resource(kind: str, ident: str, cost: float | None = None, **details: Any) -> Resource:
    return Resource(kind=kind, id=ident, region="us-east-1", account_id=ACCOUNT, monthly_cost=cost, details=details)


def test_plan_delete_on_a_mixed_selection_picks_each_kinds_action_and_skips_the_rest() -> None:
    when = datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC)
    rows = [
        _resource("ec2:instance", "i-1", 7.59),
        _resource("ec2:volume", "vol-1", 8.0, size_gib=100),
        _resource("ec2:elastic-ip", "eipalloc-1", 3.65),
        _resource("ec2:nat-gateway", "nat-1", 32.85),
        _resource("s3:bucket", "logs-bucket", None),
        _resource("rds:db-instance", "orders", 15.0),
        _resource("elb:load-balancer", "web-alb", 16.43, subtype="application"),
        _resource("logs:log-group", "/app", 0.5),
        _resource("iam:role", "deployer", 0.0),
        _resource("lambda:function", "handler", None),
    ]

    planned = plan(rows, "delete", now=when)

    assert [p.action for p in planned] == [
        "terminate",
        "delete",
        "release",
        "delete",
        "delete",
        "delete",
        "delete",
        "delete",
        None,
        None,
    ]
    assert planned[8].skip_reason == "read-only kind"
    assert planned[9].skip_reason == "read-only kind"
    assert all(p.skip_reason is None for p in planned[:8])
    # Deleting saves the whole row's cost (unknown stays unknown); a volume's is net of the
    # snapshot taken first, at most 100 GiB x $0.05/GB-mo = $5.00: $8.00 - $5.00.
    assert [p.saving for p in planned[:8]] == [7.59, 3.0, 3.65, 32.85, None, 15.0, 16.43, 0.5]
    rds = planned[5]
    assert rds.artifact == "tracker-tui-final-orders-20261129010203"
    assert "tracker-tui-final-orders-20261129010203" in rds.note
    assert "stay allocated" in planned[3].note  # the NAT gateway's EIPs are not released implicitly


def test_plan_stop_saves_compute_only() -> None:
    catalogue = load_catalogue()
    instance, db = price_resources(
        [
            Resource(
                kind="ec2:instance",
                id="i-1",
                region="us-east-1",
                state="running",
                details={"instance_type": "t3.micro"},
            ),
            Resource(
                kind="rds:db-instance",
                id="orders",
                region="us-east-1",
                state="available",
                details={
                    "engine": "postgres",
                    "instance_class": "db.t3.micro",
                    "allocated_storage_gib": 20,
                    "storage_type": "gp2",
                },
            ),
        ]
    )
    volume = _resource("ec2:volume", "vol-1", 8.0)

    planned = plan([instance, db, volume], "stop")

    assert [p.action for p in planned] == ["stop", "stop", None]
    assert planned[0].saving == instance.monthly_cost
    hourly = catalogue.rds_hourly("postgres", "db.t3.micro", "us-east-1")
    assert hourly is not None and db.monthly_cost is not None
    # The instance part only: a stopped DB keeps paying for its 20 GiB of storage.
    assert planned[1].saving == pytest.approx(round(hourly * catalogue.hours_per_month, 2), abs=0.011)
    assert planned[1].saving is not None
    assert planned[1].saving < db.monthly_cost
    assert planned[2].skip_reason == "no stop action"


def test_efs_file_systems_take_no_action() -> None:
    fs = Resource(kind="efs:file-system", id="fs-1", region="us-east-1", account_id=ACCOUNT, state="available")
    assert [(p.action, p.skip_reason) for p in plan([fs], "delete")] == [(None, "read-only kind")]
    assert [(p.action, p.skip_reason) for p in plan([fs], "stop")] == [(None, "read-only kind")]


def test_plan_start_saves_nothing_says_what_it_will_cost_and_confirms_with_y() -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", REGION)
        stopped = _stopped_instance(ec2)
        running = run_instance(ec2)
        instances = scanned(session, "ec2:instance")
        ident = _stopped_db(session.client("rds", REGION))
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


# --- the runner --------------------------------------------------------------------------


def test_identity_changed_since_the_scan_refuses_every_row(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        ids = [run_instance(ec2), run_instance(ec2)]
        found = scanned(session, "ec2:instance")
        # The rows say they were scanned in another account than the credentials now reach.
        rows = [dataclasses.replace(found[i], account_id="210987654321") for i in ids]
        run = ActionRunner(session, "210987654321", FAST, audit=audit)

        finals = run.run(plan(rows, "delete"), lambda _: None)

        assert [instance_state(ec2, i) for i in ids] == ["running", "running"]
    assert [u.status for u in finals] == [Status.REFUSED, Status.REFUSED]
    assert finals[0].message == (
        "identity changed: credentials now belong to account 123456789012, rows were scanned in 210987654321"
    )
    assert audit.tail(50) == []


def test_bulk_delete_one_failure_does_not_stop_the_rest(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        ids = [ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"] for _ in range(3)]
        found = scanned(session, "ec2:volume")
        failing = ids[1]

        def fail_middle(params: dict[str, Any], **_: Any) -> Any:
            body = params["body"]
            if body.get("VolumeId") == failing and body.get("DryRun") != "true":
                return error_response("VolumeInUse", f"Volume {failing} is currently being used.")
            return None

        on_call(session, "ec2", "us-east-1", "DeleteVolume", fail_middle)

        finals, seen = act(session, audit, [found[i] for i in ids], "delete")

        left = [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]]
    assert left == [failing]
    assert [u.status for u in finals] == [Status.DONE, Status.FAILED, Status.DONE]
    assert finals[1].code == "VolumeInUse"
    assert finals[1].message == f"Volume {failing} is currently being used."
    assert statuses(seen, failing) == [Status.REQUESTED, Status.IN_PROGRESS, Status.FAILED]
    # The failed call is in the audit log too, before and after.
    lines = [
        line
        for line in audit.tail(100)
        if line["id"] == failing
        and line["operation"] == "DeleteVolume"
        and line["phase"] in ("before", "after")
        and not line.get("params", {}).get("DryRun")
    ]
    assert [(line["phase"], line["result"]) for line in lines] == [("before", None), ("after", "error")]
    assert lines[1]["code"] == "VolumeInUse"
    assert lines[1]["request_id"] == "req-VolumeInUse"


# --- the audit log -------------------------------------------------------------------------


def test_audit_has_before_and_after_for_every_call_and_before_is_on_disk_first(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        instance_id = run_instance(ec2)
        row = scanned(session, "ec2:instance")[instance_id]
        on_disk_at_call: list[dict[str, Any]] = []

        def read_log(params: dict[str, Any], **_: Any) -> None:
            lines = audit.path.read_text(encoding="utf-8").splitlines()
            on_disk_at_call.append(json.loads(lines[-1]))

        on_call(session, "ec2", "us-east-1", "TerminateInstances", read_log)

        (done,), _ = act(session, audit, [row], "delete")

    assert done.status is Status.DONE
    # Both calls, the DryRun and the real one, find their "before" line on disk already.
    dry, real = on_disk_at_call
    assert (dry["phase"], dry["operation"], dry["id"], dry["params"]["DryRun"]) == (
        "before",
        "TerminateInstances",
        instance_id,
        True,
    )
    assert (real["phase"], real["operation"], real["id"]) == ("before", "TerminateInstances", instance_id)
    assert "DryRun" not in real["params"]
    lines = audit.tail(10)
    assert [(line["phase"], line["result"]) for line in lines] == [
        ("before", None),
        ("dry-run", "ok"),
        ("before", None),
        ("after", "ok"),
    ]
    for line in lines:
        assert AUDIT_FIELDS <= set(line)
        assert (line["account"], line["region"], line["kind"], line["id"], line["action"]) == (
            ACCOUNT,
            "us-east-1",
            "ec2:instance",
            instance_id,
            "terminate",
        )
        assert line["time"].endswith("Z")
    assert lines[3]["request_id"]
    assert done.request_id == lines[3]["request_id"]


def test_a_call_is_not_made_when_the_audit_log_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log's directory should be")
    audit = AuditLog(blocker / "audit.jsonl")
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]

        (refused,), _ = act(session, audit, [row], "delete")

        assert [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]] == [volume_id]
    assert refused.status is Status.REFUSED
    assert refused.code == "AuditLogUnwritable"


# --- skipped, cancelled and gone rows ----------------------------------------------------


def test_skipped_rows_are_reported_and_cancel_skips_what_has_not_started(audit: AuditLog) -> None:
    import threading

    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_ids = [ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"] for _ in range(2)]
        found = scanned(session, "ec2:volume")
        role = Resource(kind="iam:role", id="deployer", region="global", account_id=ACCOUNT)
        cancel = threading.Event()

        def cancel_after_first_done(update: ActionUpdate) -> None:
            if update.status is Status.IN_PROGRESS:
                cancel.set()

        run = runner(session, audit)
        finals = run.run(plan([role, *(found[v] for v in volume_ids)], "delete"), cancel_after_first_done, cancel)

        left = [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]]
    assert [u.status for u in finals] == [Status.SKIPPED, Status.DONE, Status.SKIPPED]
    assert finals[0].message == "read-only kind"
    assert finals[2].message == "cancelled before it started"
    assert left == [volume_ids[1]]


def test_resource_deleted_since_the_scan_is_reported_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ec2 = session.client("ec2", "us-east-1")
        volume_id = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
        row = scanned(session, "ec2:volume")[volume_id]
        ec2.delete_volume(VolumeId=volume_id)

        (update,), _ = act(session, audit, [row], "delete")

    assert update.status is Status.REFUSED
    assert update.deleted is True
    assert "no longer exists" in update.message
