"""``m`` on an RDS DB instance: ModifyDBInstance to the class its best class finding names
(``modify_class`` of aws/actions/rds.py, whose other handlers are tested in
tests/test_actions_rds.py), against moto.

The class is the ``target`` of the row's rightsize-database, rds-previous-generation or
rds-graviton-migration finding that saves the most; the change is applied at once, audited,
verified (the instance reads back available on the new class) and the row comes back repriced
without the finding.  Every refusal leaves the instance as it was and calls nothing that changes.

moto 5.2 changes the class at once (never ``modifying``, never a pending modification), and
answers DescribeOrderableDBInstanceOptions for aurora-postgresql and neptune only, ignoring its
DBInstanceClass filter: ``offer`` (tests/support/rails/rds.py) teaches moto's backend the classes
it offers, and botocore hooks inject the other answers AWS gives.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import act, on_call, statuses
from tests.support.helpers import actions_done, error_response, filter_rows, scan_done, wait_until
from tests.support.rails.base import ACCOUNT, scanned
from tests.support.rails.rds import offer
from tracker_tui.aws.actions import ActionUpdate, Status, needs_typed_name, plan
from tracker_tui.aws.actions.base import named_fix
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource
from tracker_tui.model import Finding, Resource
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

REGION = "us-east-1"
GRAVITON = "rds-graviton-migration"
PREVIOUS = "rds-previous-generation"
#: What every class twin of the tests' instances is offered as (moto answers them all).
TWINS = ("db.m5.large", "db.m6g.large", "db.m7g.large", "db.m6g.2xlarge", "db.m5.xlarge")


def _db(rds: Any, ident: str = "legacy", db_class: str = "db.m4.large", **extra: Any) -> str:
    tags = extra.pop("tags", None) or {}
    rds.create_db_instance(
        DBInstanceIdentifier=ident,
        Engine=extra.pop("Engine", "postgres"),
        DBInstanceClass=db_class,
        AllocatedStorage=20,
        StorageType="gp2",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        **extra,
    )
    return ident


def _described(rds: Any, ident: str) -> dict[str, Any]:
    (db,) = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"]
    return dict(db)


def _finding(row: Resource, finding_id: str) -> Finding | None:
    return next((f for f in row.findings if f.id == finding_id), None)


def _calls(session: AwsSession) -> list[tuple[str, dict[str, Any]]]:
    """Every RDS call the session's client makes from now on, as (operation, params)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    client = session.client("rds", REGION)
    client.meta.events.register(
        "before-parameter-build.rds", lambda params, model, **_: seen.append((model.name, dict(params)))
    )
    return seen


def _after(session: AwsSession, operation: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Alter every later answer of ``operation`` (registered after the scan: the handler's reads only)."""
    session.client("rds", REGION).meta.events.register(
        f"after-call.rds.{operation}", lambda parsed, **_: change(parsed) if parsed else None
    )


def _after_modify(session: AwsSession, change: Callable[[dict[str, Any]], None]) -> None:
    """Alter DescribeDBInstances' answers once ModifyDBInstance has answered (the verification's reads)."""
    acted: list[bool] = []
    client = session.client("rds", REGION)
    client.meta.events.register(
        "after-call.rds.ModifyDBInstance", lambda http_response, **_: acted.append(http_response.status_code < 300)
    )
    client.meta.events.register(
        "after-call.rds.DescribeDBInstances", lambda parsed, **_: change(parsed) if acted and parsed else None
    )


def _set(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(parsed: dict[str, Any]) -> None:
        for db in parsed.get("DBInstances", []):
            for key, value in fields.items():
                if value is None:
                    db.pop(key, None)
                else:
                    db[key] = value

    return change


# --- the action -----------------------------------------------------------------------------------


def test_modify_moves_the_class_to_the_best_findings_target_and_reprices_the_row(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        offer(*TWINS)
        ident = _db(rds)
        row = scanned(session, "rds:db-instance")[ident]
        graviton, previous = _finding(row, GRAVITON), _finding(row, PREVIOUS)
        # Both class findings name a class; the Graviton one saves more, so it is the fix.
        assert graviton is not None and previous is not None
        assert (graviton.target, graviton.monthly_saving, graviton.action) == ("db.m6g.large", 16.79, "modify")
        assert (previous.target, previous.monthly_saving, previous.action) == ("db.m5.large", 2.92, "modify")
        before = _described(rds, ident)
        calls = _calls(session)

        (done,), seen = act(session, audit, [row], "modify")

        after = _described(rds, ident)
    assert statuses(seen, ident) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    assert (done.status, done.action, done.deleted) == (Status.DONE, "modify", False)
    assert done.message == "class changed db.m4.large -> db.m6g.large"
    # AWS has it on the new class, the rest as it was: in place, nothing lost.
    assert (after["DBInstanceClass"], after["DBInstanceStatus"]) == ("db.m6g.large", "available")
    for key in ("Engine", "EngineVersion", "AllocatedStorage", "StorageType", "MultiAZ", "Endpoint"):
        assert after[key] == before[key], key
    # The one mutating call, with the class and applied at once.
    modifies = [params for name, params in calls if name == "ModifyDBInstance"]
    assert modifies == [{"DBInstanceIdentifier": ident, "DBInstanceClass": "db.m6g.large", "ApplyImmediately": True}]
    # The row as re-read: the new class, cheaper by exactly what the finding said, no class finding left.
    fresh = done.result
    assert fresh is not None and fresh.details["instance_class"] == "db.m6g.large"
    assert fresh.monthly_cost is not None and row.monthly_cost is not None
    assert (row.monthly_cost, fresh.monthly_cost) == (135.16, 118.37)
    assert round(row.monthly_cost - fresh.monthly_cost, 2) == graviton.monthly_saving
    assert fresh.cost_basis and fresh.cost_basis.startswith("db.m6g.large postgres Single-AZ")
    assert _finding(fresh, GRAVITON) is None and _finding(fresh, PREVIOUS) is None


def test_modify_is_audited_before_and_after_the_one_call(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        offer(*TWINS)
        ident = _db(rds)
        row = scanned(session, "rds:db-instance")[ident]

        (done,), _ = act(session, audit, [row], "modify")

    lines = audit.tail(20)
    assert [(line["phase"], line["operation"], line["result"]) for line in lines] == [
        ("before", "ModifyDBInstance", None),
        ("after", "ModifyDBInstance", "ok"),
    ]
    params = {"DBInstanceIdentifier": ident, "DBInstanceClass": "db.m6g.large", "ApplyImmediately": True}
    assert lines[0]["params"] == params
    for line in lines:
        assert (line["account"], line["region"], line["kind"], line["id"], line["action"]) == (
            ACCOUNT,
            REGION,
            "rds:db-instance",
            ident,
            "modify",
        )
    assert lines[1]["request_id"] and done.request_id == lines[1]["request_id"]


def test_a_rightsizing_target_wins_over_a_smaller_twin_saving(audit: AuditLog) -> None:
    """rightsize-database (from the idle checks: db.m5.2xlarge -> db.m5.large, $389.82) saves more
    than the row's Graviton twin (db.m6g.2xlarge, $55.48): the class goes down two sizes."""
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        offer(*TWINS)
        ident = _db(rds, "bi", "db.m5.2xlarge")
        scanned_row = scanned(session, "rds:db-instance")[ident]
        rightsize = Finding("rightsize-database", 389.82, "CPU p99 ...", "low", "modify", "db.m5.large")
        row = dataclasses.replace(scanned_row, findings=(*scanned_row.findings, rightsize))
        twin = _finding(row, GRAVITON)
        assert twin is not None and (twin.target, twin.monthly_saving) == ("db.m6g.2xlarge", 55.48)
        (planned,) = plan([row], "modify")

        (done,), _ = act(session, audit, [row], "modify")

        after = _described(rds, ident)
    assert planned.saving == 389.82
    assert (done.status, done.message) == (Status.DONE, "class changed db.m5.2xlarge -> db.m5.large")
    assert after["DBInstanceClass"] == "db.m5.large"
    assert done.result is not None and done.result.monthly_cost is not None and row.monthly_cost is not None
    assert round(row.monthly_cost - done.result.monthly_cost, 2) == 389.82  # $522.06 -> $132.24


def test_the_fix_is_the_largest_named_saving_unknown_counting_least() -> None:
    def row(*findings: Finding) -> Resource:
        return Resource("rds:db-instance", "db", REGION, account_id=ACCOUNT, findings=findings)

    unknown = Finding("rightsize-database", None, "e", "low", "modify", "db.m5.large")
    small = Finding(PREVIOUS, 2.92, "e", "medium", "modify", "db.m5.large")
    big = Finding(GRAVITON, 16.79, "e", "medium", "modify", "db.m6g.large")
    unnamed = Finding("rds-extended-support", 292.0, "e", "high", None)
    no_target = Finding("idle-database", 500.0, "e", "medium", "stop")
    assert named_fix(row(unknown, small, big, unnamed, no_target)) == big
    assert named_fix(row(big, small)) == big
    assert named_fix(row(unknown, small)) == small
    # Unknown is less than nothing: a known $0.00 (an estimate that came out even) wins over it.
    zero = dataclasses.replace(small, monthly_saving=0.0)
    assert named_fix(row(unknown, zero)) == zero
    assert named_fix(row(unknown)) == unknown
    assert named_fix(row(dataclasses.replace(big, target=None), unnamed)) is None
    assert named_fix(row(dataclasses.replace(big, action="stop"))) is None
    assert named_fix(row()) is None


# --- verification ---------------------------------------------------------------------------------


def test_verification_polls_while_modifying_then_done(audit: AuditLog) -> None:
    """AWS answers available on the old class first (the change pending), then modifying, then
    available on the new class: only the last is done."""
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        offer(*TWINS)
        ident = _db(rds)
        row = scanned(session, "rds:db-instance")[ident]
        polls: list[str] = []

        def interim(parsed: dict[str, Any]) -> None:
            polls.append("poll")
            if len(polls) == 1:
                _set(DBInstanceClass="db.m4.large", PendingModifiedValues={"DBInstanceClass": "db.m6g.large"})(parsed)
            elif len(polls) <= 3:
                _set(DBInstanceStatus="modifying", DBInstanceClass="db.m4.large")(parsed)
            elif len(polls) == 4:
                _set(DBInstanceStatus="modifying")(parsed)  # the new class, still restarting

        _after_modify(session, interim)

        (done,), seen = act(session, audit, [row], "modify")

    assert done.status is Status.DONE, done.message
    assert done.message == "class changed db.m4.large -> db.m6g.large"
    # Four reads not yet done, the fifth done; then the lister re-reads it once more (repriced).
    assert len(polls) == 6
    assert statuses(seen, ident) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]


def test_a_class_that_never_changes_times_out_with_the_state_seen(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        offer(*TWINS)
        ident = _db(rds)
        row = scanned(session, "rds:db-instance")[ident]
        _after_modify(session, _set(DBInstanceStatus="modifying", DBInstanceClass="db.m4.large"))

        (failed,), _ = act(session, audit, [row], "modify", verify_timeout=0.2)

    assert (failed.status, failed.code) == (Status.FAILED, "VerifyTimeout")
    assert failed.message == (
        "asked AWS to modify it, but it was not available on db.m6g.large within 0.2 s "
        "(state: modifying on db.m4.large); rescan to check"
    )
    assert failed.request_id == "" and failed.result is None  # the call's id is on the audit line


def test_an_instance_gone_while_verifying_times_out_as_not_found(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        offer(*TWINS)
        ident = _db(rds)
        row = scanned(session, "rds:db-instance")[ident]
        acted: list[bool] = []
        rds.meta.events.register("after-call.rds.ModifyDBInstance", lambda **_: acted.append(True))
        on_call(
            session,
            "rds",
            REGION,
            "DescribeDBInstances",
            lambda **_: error_response("DBInstanceNotFound", f"DBInstance {ident} not found.", 404) if acted else None,
        )

        (failed,), _ = act(session, audit, [row], "modify", verify_timeout=0.2)

    assert (failed.status, failed.code) == (Status.FAILED, "VerifyTimeout")
    assert "(state: not found)" in failed.message


# --- refusals: nothing changes, nothing is called ------------------------------------------------


def _refused(
    audit: AuditLog,
    prepare: Callable[[AwsSession, Any, str], None] | None = None,
    *,
    db_class: str = "db.m4.large",
    offered: tuple[str, ...] = TWINS,
    **db: Any,
) -> tuple[Any, dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """Make, scan, ``prepare`` (after the scan), modify: the final update, the instance after,
    and the RDS calls the run made."""
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        if offered:
            offer(*offered)
        ident = _db(rds, db_class=db_class, **db)
        row = scanned(session, "rds:db-instance")[ident]
        if prepare is not None:
            prepare(session, rds, ident)
        calls = _calls(session)
        (final,), seen = act(session, audit, [row], "modify")
        try:
            after = _described(rds, ident)
        except rds.exceptions.DBInstanceNotFoundFault:
            after = {}
    assert statuses(seen, ident) == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert (final.status, final.action, final.request_id) == (Status.REFUSED, "modify", "")
    assert final.result is None
    assert audit.tail(50) == []  # no mutating call, not even its "before" line
    assert "ModifyDBInstance" not in [name for name, _ in calls]
    return final, after, calls


def test_a_row_whose_findings_name_no_class_is_refused(audit: AuditLog) -> None:
    """db.m6g.large is current and Graviton already: no finding, nothing to change it to."""
    final, after, _ = _refused(audit, db_class="db.m6g.large")

    assert final.message == "no finding names a class to change it to"
    assert after["DBInstanceClass"] == "db.m6g.large"


def test_an_instance_deleted_since_the_scan_is_refused_as_gone(audit: AuditLog) -> None:
    def delete(session: AwsSession, rds: Any, ident: str) -> None:
        rds.delete_db_instance(DBInstanceIdentifier=ident, SkipFinalSnapshot=True)

    final, after, _ = _refused(audit, delete)

    assert (final.message, final.deleted) == ("it no longer exists (deleted since the scan)", True)
    assert after == {}


def test_a_stopped_instance_is_refused_with_its_state(audit: AuditLog) -> None:
    def stop(session: AwsSession, rds: Any, ident: str) -> None:
        rds.stop_db_instance(DBInstanceIdentifier=ident)

    final, after, _ = _refused(audit, stop)

    assert final.message == "state is stopped; only an available DB instance can be modified"
    assert (after["DBInstanceStatus"], after["DBInstanceClass"]) == ("stopped", "db.m4.large")


def test_an_instance_already_on_the_target_class_is_refused(audit: AuditLog) -> None:
    def changed(session: AwsSession, rds: Any, ident: str) -> None:
        rds.modify_db_instance(DBInstanceIdentifier=ident, DBInstanceClass="db.m6g.large", ApplyImmediately=True)

    final, after, _ = _refused(audit, changed)

    assert final.message == "it is db.m6g.large already"
    assert after["DBInstanceClass"] == "db.m6g.large"


def test_an_instance_whose_class_changed_since_the_scan_is_refused(audit: AuditLog) -> None:
    """The finding's target and saving were worked out for db.m4.large: a db.m5.xlarge gets a rescan first."""

    def changed(session: AwsSession, rds: Any, ident: str) -> None:
        rds.modify_db_instance(DBInstanceIdentifier=ident, DBInstanceClass="db.m5.xlarge", ApplyImmediately=True)

    final, after, _ = _refused(audit, changed)

    assert final.message == "its class is db.m5.xlarge now, not the db.m4.large the scan saw; rescan first"
    assert after["DBInstanceClass"] == "db.m5.xlarge"


def test_a_pending_modification_is_refused(audit: AuditLog) -> None:
    """ApplyImmediately would apply the pending change too: refused (moto never leaves one pending)."""

    def pending(session: AwsSession, rds: Any, ident: str) -> None:
        _after(session, "DescribeDBInstances", _set(PendingModifiedValues={"AllocatedStorage": 40, "MultiAZ": True}))

    final, after, _ = _refused(audit, pending)

    assert final.message == "a modification is pending (AllocatedStorage, MultiAZ); apply or cancel it first"
    assert after["DBInstanceClass"] == "db.m4.large"


@pytest.mark.parametrize("tag", ["do-not-delete", "Protected"])
def test_a_protected_tag_is_refused(audit: AuditLog, tag: str) -> None:
    final, after, _ = _refused(audit, tags={tag: "yes"})

    assert final.message == f"tag {tag} is set"
    assert after["DBInstanceClass"] == "db.m4.large"


def test_a_protected_tag_read_from_list_tags_for_resource_is_refused(audit: AuditLog) -> None:
    """AWS may leave TagList out of DescribeDBInstances: the tags are read on their own."""

    def no_tag_list(session: AwsSession, rds: Any, ident: str) -> None:
        _after(session, "DescribeDBInstances", _set(TagList=None))

    final, _, calls = _refused(audit, no_tag_list, tags={"do-not-delete": "yes"})

    assert final.message == "tag do-not-delete is set"
    assert "ListTagsForResource" in [name for name, _ in calls]


def test_an_aurora_member_is_refused_and_the_plan_says_so(audit: AuditLog) -> None:
    def member(session: AwsSession, rds: Any, ident: str) -> None:
        _after(session, "DescribeDBInstances", _set(DBClusterIdentifier="orders-cluster"))

    final, after, calls = _refused(audit, member)

    assert final.message == (
        "it belongs to the Aurora cluster orders-cluster; its class is not changed here: the change fails over "
        "within the cluster, and the row's price does not know the cluster's storage configuration (Standard or "
        "I/O-Optimized)"
    )
    assert after["DBInstanceClass"] == "db.m4.large"
    assert "DescribeOrderableDBInstanceOptions" not in [name for name, _ in calls]


@pytest.mark.parametrize(
    ("engine", "extra", "db_class", "reason"),
    [
        pytest.param(
            "postgres", {}, "db.m4.large", "db.m6g.large is not offered for postgres 9.3.3 in us-east-1", id="postgres"
        ),
        pytest.param(
            "mysql",
            {"EngineVersion": "5.7.44"},
            "db.m5.large",
            "db.m6g.large is not offered for mysql 5.7.44 in us-east-1",
            id="mysql-5.7",
        ),
    ],
)
def test_a_class_not_offered_for_the_engine_version_is_refused(
    audit: AuditLog, engine: str, extra: dict[str, Any], db_class: str, reason: str
) -> None:
    """moto's own answer for these engines is empty, as AWS's is for a class the version does not take."""
    final, after, calls = _refused(audit, db_class=db_class, offered=(), Engine=engine, **dict(extra))

    assert final.message == reason
    assert after["DBInstanceClass"] == db_class
    (asked,) = [params for name, params in calls if name == "DescribeOrderableDBInstanceOptions"]
    assert (asked["Engine"], asked["DBInstanceClass"]) == (engine, "db.m6g.large")
    assert asked["EngineVersion"] == after["EngineVersion"] and asked["LicenseModel"] == after["LicenseModel"]


def test_other_classes_offered_do_not_offer_the_target(audit: AuditLog) -> None:
    """An answer listing only other classes (moto ignores the class filter) is not an offer of the target."""
    final, _, _ = _refused(audit, offered=("db.m5.large", "db.m7g.large"))

    assert final.message == "db.m6g.large is not offered for postgres 9.3.3 in us-east-1"


def test_an_offer_on_a_later_page_counts(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        ident = _db(rds)
        row = scanned(session, "rds:db-instance")[ident]
        pages: list[str] = []

        def paged(params: dict[str, Any], **_: Any) -> Any:
            marker = params["body"].get("Marker")
            pages.append(marker or "first")
            cls, more = ("db.m5.large", {"Marker": "page-2"}) if not marker else ("db.m6g.large", {})
            body = {
                "OrderableDBInstanceOptions": [{"Engine": "postgres", "DBInstanceClass": cls}],
                **more,
                "ResponseMetadata": {"RequestId": "req-orderable", "HTTPStatusCode": 200},
            }
            return SimpleNamespace(status_code=200, headers={}), body

        on_call(session, "rds", REGION, "DescribeOrderableDBInstanceOptions", paged)

        (done,), _ = act(session, audit, [row], "modify")

        assert _described(rds, ident)["DBInstanceClass"] == "db.m6g.large"
    assert done.status is Status.DONE, done.message
    assert pages == ["first", "page-2"]


def test_orderable_options_that_cannot_be_read_refuse_without_checking(audit: AuditLog) -> None:
    denied = error_response("AccessDenied", "not authorized to perform rds:DescribeOrderableDBInstanceOptions", 403)

    def deny(session: AwsSession, rds: Any, ident: str) -> None:
        on_call(session, "rds", REGION, "DescribeOrderableDBInstanceOptions", lambda **_: denied)

    final, after, _ = _refused(audit, deny)

    assert (final.code, final.message) == (
        "AccessDenied",
        "cannot read its orderable options for db.m6g.large (AccessDenied: not authorized to perform "
        "rds:DescribeOrderableDBInstanceOptions); refusing without checking",
    )
    assert after["DBInstanceClass"] == "db.m4.large"


def test_an_unknown_engine_is_refused(audit: AuditLog) -> None:
    def no_engine(session: AwsSession, rds: Any, ident: str) -> None:
        _after(session, "DescribeDBInstances", _set(Engine=None))

    final, _, calls = _refused(audit, no_engine)

    assert final.message == "its engine is unknown, so is whether db.m6g.large is offered for it"
    assert "DescribeOrderableDBInstanceOptions" not in [name for name, _ in calls]


# --- the plan -------------------------------------------------------------------------------------


def _priced_rows() -> dict[str, Resource]:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        ids = {
            "legacy": _db(rds, "legacy"),
            "ha": _db(rds, "ha", MultiAZ=True),
            "current": _db(rds, "current", "db.m6g.large"),
        }
        rows = scanned(session, "rds:db-instance")
    return {name: rows[ident] for name, ident in ids.items()}


def test_plan_modify_saves_the_findings_figure_and_says_what_changes() -> None:
    rows = _priced_rows()

    legacy, ha, current = plan([rows["legacy"], rows["ha"], rows["current"]], "modify")

    graviton = _finding(rows["legacy"], GRAVITON)
    assert graviton is not None and legacy.saving == graviton.monthly_saving == 16.79
    assert legacy.note == (
        "db.m4.large -> db.m6g.large: $118.37/mo (now $135.16/mo); the database restarts: single-AZ, several "
        "minutes of downtime; data and storage unchanged; undo: modify the class back (aws rds modify-db-instance "
        "--db-instance-identifier legacy --db-instance-class db.m4.large --apply-immediately --region us-east-1)"
    )
    # Multi-AZ: twice the instance hours and storage, and a failover rather than minutes down.
    ha_graviton = _finding(rows["ha"], GRAVITON)
    assert ha_graviton is not None and ha.saving == ha_graviton.monthly_saving == 33.58
    assert ha.note.startswith(
        "db.m4.large -> db.m6g.large: $236.74/mo (now $270.32/mo); the database restarts: a Multi-AZ failover, "
        "about a minute of downtime; data and storage unchanged; undo: "
    )
    # Nothing names a class: planned (its kind takes modify), refused, and said so; no saving.
    assert (current.action, current.saving) == ("modify", None)
    assert current.note == "no finding names a class to change it to (it will be refused)"


def test_plan_says_an_aurora_member_will_be_refused_and_saves_nothing() -> None:
    row = _priced_rows()["legacy"]
    member = dataclasses.replace(row, details={**row.details, "cluster_id": "orders-cluster"})

    (planned,) = plan([member], "modify")

    assert (planned.action, planned.saving) == ("modify", None)
    assert (
        planned.note
        == "a member of the Aurora cluster orders-cluster: its class is not changed here (it will be refused)"
    )


def test_one_database_confirms_with_y_and_two_need_the_name_typed() -> None:
    rows = _priced_rows()

    assert needs_typed_name(plan([rows["legacy"]], "modify")) is False
    assert needs_typed_name(plan([rows["legacy"], rows["ha"]], "modify")) is True


# --- in the app -----------------------------------------------------------------------------------


def test_m_on_a_database_confirms_with_y_changes_the_class_and_reprices_the_row() -> None:
    with mock_aws():
        offer(*TWINS)
        rds = boto3.client("rds", region_name=REGION)
        ident = _db(rds)
        updates: list[ActionUpdate] = []

        async def go() -> None:
            session = helpers.moto_session()
            source = LiveSource(lambda: session, resolve_kinds(["rds:db-instance"]), [REGION])
            app = TrackerApp(source, monotonic=lambda: 0.0)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await filter_rows(pilot, ident)
                row = app.table.cursor_resource
                assert row is not None and row.id == ident and row.details["instance_class"] == "db.m4.large"

                await pilot.press("m")
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, ConfirmActionScreen)
                assert not screen.typed  # one row: y confirms, as a stop does
                assert app.focused is screen.query_one("#confirm-cancel")
                (planned,) = screen.acting
                assert (planned.action, planned.saving) == ("modify", 16.79)
                assert planned.note.startswith("db.m4.large -> db.m6g.large: $118.37/mo (now $135.16/mo)")
                await pilot.press("y")
                await pilot.pause()
                progress = app.screen
                assert isinstance(progress, ActionProgressScreen)
                await wait_until(pilot, actions_done(app))
                updates.extend(u for u in progress.latest.values() if isinstance(u, ActionUpdate))
                await pilot.press("escape")
                await pilot.pause()
                after = next(r for r in app.table.resources if r.id == ident)
                assert (after.details["instance_class"], after.monthly_cost) == ("db.m6g.large", 118.37)
                assert _finding(after, GRAVITON) is None

        asyncio.run(go())
        assert _described(rds, ident)["DBInstanceClass"] == "db.m6g.large"
    (update,) = updates
    assert (update.status, update.message) == (Status.DONE, "class changed db.m4.large -> db.m6g.large")
