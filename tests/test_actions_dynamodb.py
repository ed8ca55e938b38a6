"""tracker_tui/aws/actions/dynamodb.py against moto: deleting a table, an on-demand backup
first unless unticked; switching a provisioned table to on-demand (``m``), verified and
repriced; every refusal, and what the plan and the confirm dialog say.

The rails every handler shares (protected tags in any case, the audit log, the row's region,
AWS errors, verification, states) run on these handlers through tests/support/rails/dynamodb.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from moto import mock_aws
from textual.pilot import Pilot

from tests.support import helpers
from tests.support.helpers import actions_done, filter_rows, scan_done, wait_until
from tests.support.rails.base import ACCOUNT, FAST, REGION, scanned
from tracker_tui.aws.actions import ActionOptions, ActionRunner, ActionUpdate, PlannedAction, Status, choices_for, plan
from tracker_tui.aws.actions.dynamodb import BACKUP, backup_name
from tracker_tui.aws.actions.plan import needs_typed_name
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource
from tracker_tui.model import Finding, Resource
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen

WHEN = datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC)


def run(session: AwsSession, audit: AuditLog, rows: list[Resource], verb: str, **options: Any) -> ActionUpdate:
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    (final,) = runner.run(plan(rows, verb, runner.options, now=WHEN), lambda _: None)  # type: ignore[arg-type]
    return final


def operations(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


def answer(code: str, message: str = "no", status: int = 400) -> Any:
    """A before-call hook's answer: the call is not sent."""
    return SimpleNamespace(status_code=status, headers={}), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RequestId": f"req-{code}", "HTTPStatusCode": status},
    }


def hook(session: AwsSession, service: str, event: str, operation: str, handler: Any) -> None:
    client = session.client(service, REGION)
    client.meta.events.register(f"{event}.{client.meta.service_model.service_id.hyphenize()}.{operation}", handler)


def _table(session: AwsSession, name: str = "orders", **extra: Any) -> Any:
    ddb = session.client("dynamodb", REGION)
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 50},
        **extra,
    )
    return ddb


def test_the_delete_plan_names_the_backup_and_offers_to_skip_it() -> None:
    table = Resource(kind="dynamodb:table", id="orders", region=REGION, account_id=ACCOUNT, state="ACTIVE")
    (planned,) = plan([table], "delete", now=WHEN)
    assert planned.artifact == "tracker-tui-final-orders-20261129010203" == backup_name("orders", WHEN)
    assert planned.note.startswith("on-demand backup tracker-tui-final-orders-20261129010203 first")
    # The box is the action's own declaration, ticked unless the user unticks it.
    assert choices_for([planned]) == [BACKUP]
    assert (BACKUP.default, BACKUP.label) == (True, "Make an on-demand backup of each table first")
    assert needs_typed_name([planned])

    (unticked,) = plan([table], "delete", ActionOptions(choices={BACKUP: False}), now=WHEN)
    assert (unticked.artifact, unticked.note) == (None, "no backup: the data is gone for good")


def test_a_backup_name_fits_dynamodbs_limit_for_the_longest_table_name() -> None:
    name = backup_name("t" * 255, WHEN)
    assert len(name) == 255 and name.endswith("-20261129010203")


def test_deleting_a_table_backs_it_up_first_then_deletes_it(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]

        done = run(session, audit, [row], "delete")

        tables = ddb.list_tables()["TableNames"]
        backups = ddb.list_backups(TableName="orders")["BackupSummaries"]
    assert (done.status, done.deleted) == (Status.DONE, True)
    assert done.message == "deleted; backup tracker-tui-final-orders-20261129010203"
    assert tables == []
    assert [(b["BackupName"], b["BackupStatus"]) for b in backups] == [
        ("tracker-tui-final-orders-20261129010203", "AVAILABLE")
    ]
    assert operations(audit) == [
        ("before", "CreateBackup"),
        ("after", "CreateBackup"),
        ("before", "DeleteTable"),
        ("after", "DeleteTable"),
    ]
    assert audit.tail(100)[0]["params"] == {
        "TableName": "orders",
        "BackupName": "tracker-tui-final-orders-20261129010203",
    }


def test_a_table_planned_without_a_name_still_gets_its_backup(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
        runner = ActionRunner(session, ACCOUNT, FAST, audit=audit)

        (done,) = runner.run([PlannedAction(row, "delete")], lambda _: None)

        (backup,) = ddb.list_backups(TableName="orders")["BackupSummaries"]
    assert backup["BackupName"].startswith("tracker-tui-final-orders-")
    assert done.status is Status.DONE and done.message == f"deleted; backup {backup['BackupName']}"


def test_deleting_without_a_backup_makes_none_and_says_so(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]

        done = run(session, audit, [row], "delete", choices={BACKUP: False})

        backups = ddb.list_backups()["BackupSummaries"]
        tables = ddb.list_tables()["TableNames"]
    assert (done.status, done.message) == (Status.DONE, "deleted (no backup)")
    assert backups == [] and tables == []
    assert operations(audit) == [("before", "DeleteTable"), ("after", "DeleteTable")]


def test_deletion_protection_refuses_and_is_left_on(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session, DeletionProtectionEnabled=True)
        row = scanned(session, "dynamodb:table")["orders"]

        refused = run(session, audit, [row], "delete")

        table = ddb.describe_table(TableName="orders")["Table"]
        backups = ddb.list_backups()["BackupSummaries"]
    assert refused.status is Status.REFUSED
    assert refused.message == "deletion protection is on (DeletionProtectionEnabled); tracker-tui never switches it off"
    assert (table["TableStatus"], table["DeletionProtectionEnabled"]) == ("ACTIVE", True)
    assert backups == [] and operations(audit) == []


def test_a_protected_tag_added_after_the_scan_refuses_the_delete(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
        arn = ddb.describe_table(TableName="orders")["Table"]["TableArn"]
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "DO-NOT-DELETE", "Value": "1"}])

        refused = run(session, audit, [row], "delete")

        assert ddb.list_tables()["TableNames"] == ["orders"]
    assert (refused.status, refused.message) == (Status.REFUSED, "tag DO-NOT-DELETE is set")
    assert operations(audit) == []


def test_a_backup_that_never_becomes_available_keeps_the_table(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]

        def creating(parsed: dict[str, Any], **_: Any) -> None:
            for summary in parsed.get("BackupSummaries", []):
                summary["BackupStatus"] = "CREATING"

        hook(session, "dynamodb", "after-call", "ListBackups", creating)

        failed = run(session, audit, [row], "delete", verify_timeout=0.2)

        assert ddb.list_tables()["TableNames"] == ["orders"]
    assert (failed.status, failed.code) == (Status.FAILED, "BackupNotAvailable")
    assert failed.message == (
        "backup tracker-tui-final-orders-20261129010203 was not available within 0.2 s (state: CREATING); "
        "the table was not deleted"
    )
    assert ("before", "DeleteTable") not in operations(audit)


def test_a_backup_aws_refuses_keeps_the_table(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
        hook(
            session,
            "dynamodb",
            "before-call",
            "CreateBackup",
            lambda **_: answer("ContinuousBackupsUnavailableException", "busy"),
        )

        failed = run(session, audit, [row], "delete")

        assert ddb.list_tables()["TableNames"] == ["orders"]
    assert (failed.status, failed.code) == (Status.FAILED, "ContinuousBackupsUnavailableException")
    assert failed.message == "backup failed, so the table was not deleted: busy"
    assert operations(audit) == [("before", "CreateBackup"), ("after", "CreateBackup")]


# --- m: a provisioned table switched to on-demand in place ------------------------------------------
#
# moto switches the billing mode at once (ACTIVE and PAY_PER_REQUEST straight after the call) and
# never answers LastUpdateToPayPerRequestDateTime: AWS's UPDATING state and the date of the last
# switch are injected with botocore hooks.

ON_DEMAND_NOTE = (
    "billing becomes per request (on-demand): the provisioned capacity charge ($33.22/mo) ends, "
    "requests are billed as made; it can be switched back to provisioned at any time"
)


def _billing(ddb: Any, name: str = "orders") -> tuple[str, str]:
    table = ddb.describe_table(TableName=name)["Table"]
    return table["TableStatus"], (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")


def _after_update(session: AwsSession, change: Any) -> list[int]:
    """Rewrite DescribeTable's answers with ``change(parsed, n)`` (n: reads since UpdateTable
    answered) once UpdateTable has answered; the list counts those reads."""
    reads: list[int] = []
    acted: list[bool] = []

    def updated(http_response: Any, **_: Any) -> None:
        if http_response.status_code < 300:
            acted.append(True)

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        if acted and parsed.get("Table"):
            reads.append(1)
            change(parsed["Table"], len(reads))

    hook(session, "dynamodb", "after-call", "UpdateTable", updated)
    hook(session, "dynamodb", "after-call", "DescribeTable", rewrite)
    return reads


def _last_switched(session: AwsSession, when: datetime) -> None:
    """DescribeTable says the table was last switched to on-demand at ``when`` (and is provisioned now)."""

    def stamp(parsed: dict[str, Any], **_: Any) -> None:
        summary = (parsed.get("Table") or {}).setdefault("BillingModeSummary", {"BillingMode": "PROVISIONED"})
        summary["LastUpdateToPayPerRequestDateTime"] = when

    hook(session, "dynamodb", "after-call", "DescribeTable", stamp)


def test_m_switches_a_provisioned_table_to_on_demand_keeps_its_data_and_reprices_the_row(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        ddb.put_item(TableName="orders", Item={"pk": {"S": "order-1"}})
        row = scanned(session, "dynamodb:table")["orders"]

        done = run(session, audit, [row], "modify")

        assert _billing(ddb) == ("ACTIVE", "PAY_PER_REQUEST")
        assert ddb.scan(TableName="orders")["Items"] == [{"pk": {"S": "order-1"}}]
    assert row.details["billing_mode"] == "PROVISIONED" and row.monthly_cost is not None
    assert (done.status, done.message, done.deleted) == (Status.DONE, "switched to on-demand (PAY_PER_REQUEST)", False)
    assert operations(audit) == [("before", "UpdateTable"), ("after", "UpdateTable")]
    assert audit.tail(100)[0]["params"] == {"TableName": "orders", "BillingMode": "PAY_PER_REQUEST"}
    assert done.request_id and done.request_id == audit.tail(100)[-1]["request_id"]
    # The row comes back repriced: the capacity charge is gone, storage stays, requests are usage.
    fresh = done.result
    assert fresh is not None and fresh.details["billing_mode"] == "PAY_PER_REQUEST"
    assert "read_capacity_units" not in fresh.details
    assert fresh.cost_basis is not None and fresh.cost_basis.startswith("on-demand: storage ")
    assert fresh.cost_basis.endswith(" + requests, usage-dependent")
    assert fresh.monthly_cost == round(row.monthly_cost - 33.22, 2)


def test_verification_waits_while_the_table_is_updating(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]

        def updating(table: dict[str, Any], n: int) -> None:
            if n <= 2:  # AWS: UPDATING (still provisioned) while the partitions change
                table["TableStatus"] = "UPDATING"
                table["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}

        reads = _after_update(session, updating)

        done = run(session, audit, [row], "modify")

        assert _billing(ddb) == ("ACTIVE", "PAY_PER_REQUEST")
    assert done.status is Status.DONE, done.message
    assert len(reads) >= 4  # two UPDATING, the ACTIVE one, and the re-read of the row
    assert done.result is not None and done.result.details["billing_mode"] == "PAY_PER_REQUEST"


def test_a_table_still_updating_when_the_time_is_up_fails_and_says_its_state(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
        _after_update(session, lambda table, n: table.update(TableStatus="UPDATING"))

        failed = run(session, audit, [row], "modify", verify_timeout=0.2)

    assert (failed.status, failed.code) == (Status.FAILED, "VerifyTimeout")
    assert failed.message == (
        "asked AWS to modify it, but it was not ACTIVE and on-demand within 0.2 s "
        "(state: UPDATING, PAY_PER_REQUEST); rescan to check"
    )
    assert failed.result is None


def test_an_on_demand_table_is_refused_and_nothing_is_called(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = session.client("dynamodb", REGION)
        ddb.create_table(
            TableName="orders",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        row = scanned(session, "dynamodb:table")["orders"]
        (planned,) = plan([row], "modify")

        refused = run(session, audit, [row], "modify")

    assert planned.note == "it is on-demand (PAY_PER_REQUEST) already (it will be refused)"
    assert planned.saving == 0.0
    assert (refused.status, refused.message) == (Status.REFUSED, "it is on-demand (PAY_PER_REQUEST) already")
    assert operations(audit) == []


def test_a_protected_tag_refuses_the_switch(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
        arn = ddb.describe_table(TableName="orders")["Table"]["TableArn"]
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "Protected", "Value": "yes"}])

        refused = run(session, audit, [row], "modify")

        assert _billing(ddb) == ("ACTIVE", "PROVISIONED")
    assert (refused.status, refused.message) == (Status.REFUSED, "tag Protected is set")
    assert operations(audit) == []


def test_a_table_switched_to_on_demand_within_24_hours_is_refused_with_when_to_retry(audit: AuditLog) -> None:
    last = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=23)
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
        _last_switched(session, last)

        refused = run(session, audit, [row], "modify")

        assert _billing(ddb) == ("ACTIVE", "PROVISIONED")
    retry = last + timedelta(hours=24)
    assert (refused.status, refused.code) == (Status.REFUSED, "BillingModeSwitchedRecently")
    assert refused.message == (
        f"it was switched to on-demand at {last:%Y-%m-%d %H:%M:%S} UTC and back since, less than 24 hours ago "
        f"(AWS limits switches to on-demand within 24 hours); retry after {retry:%Y-%m-%d %H:%M:%S} UTC"
    )
    assert operations(audit) == []


def test_a_table_switched_to_on_demand_more_than_24_hours_ago_is_switched(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
        _last_switched(session, datetime.now(UTC) - timedelta(hours=24, minutes=1))

        done = run(session, audit, [row], "modify")

        assert _billing(ddb)[1] == "PAY_PER_REQUEST"
    assert done.status is Status.DONE, done.message


def test_the_modify_plan_confirms_with_y_says_what_changes_and_saves_the_findings_figure() -> None:
    with mock_aws():
        session = helpers.moto_session()
        _table(session)
        row = scanned(session, "dynamodb:table")["orders"]
    (planned,) = plan([row], "modify")
    assert (planned.action, planned.saving, planned.artifact) == ("modify", 33.22, None)
    assert planned.note == ON_DEMAND_NOTE
    assert not needs_typed_name([planned])  # one table: y confirms
    assert needs_typed_name(plan([row, dataclasses.replace(row, id="other")], "modify"))
    assert choices_for([planned]) == []

    # With the idle finding, the saving is the finding's (the dialog and the cost panel agree).
    idle = Finding("idle-dynamodb-table", 30.0, "no consumed capacity", action="modify")
    (found,) = plan([dataclasses.replace(row, findings=(idle,))], "modify")
    assert found.saving == 30.0
    assert found.note == ON_DEMAND_NOTE.replace("$33.22", "$30.00")


def test_the_idle_table_finding_names_modify_and_the_kind_takes_it() -> None:
    from tracker_tui.aws.kinds.dynamodb import IDLE_DYNAMODB_TABLE, SPEC

    assert IDLE_DYNAMODB_TABLE.action == "modify"
    assert SPEC.verbs["modify"] == "modify"


# --- m in the app ---------------------------------------------------------------------------------


def _run_app(check: Any, **kw: Any) -> None:
    with mock_aws():
        session = helpers.moto_session()
        ddb = _table(session)

        async def go() -> None:
            source = LiveSource(lambda: session, resolve_kinds(["dynamodb:table"]), [REGION])
            app = TrackerApp(source, monotonic=lambda: 0.0, **kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await check(app, pilot, ddb)

        asyncio.run(go())


def test_m_on_a_table_confirms_with_y_and_the_row_is_repriced() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], ddb: Any) -> None:
        await filter_rows(pilot, "orders")
        row = app.table.cursor_resource
        assert row is not None and row.details["billing_mode"] == "PROVISIONED"
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen) and not screen.typed
        assert app.focused is screen.query_one("#confirm-cancel")
        assert [(p.action, p.saving, p.note) for p in screen.acting] == [("modify", 33.22, ON_DEMAND_NOTE)]
        await pilot.press("y")
        await pilot.pause()
        await wait_until(pilot, actions_done(app))
        await pilot.press("escape")
        await pilot.pause()
        assert _billing(ddb) == ("ACTIVE", "PAY_PER_REQUEST")
        after = next(r for r in app.table.resources if r.id == "orders")
        assert after.details["billing_mode"] == "PAY_PER_REQUEST"
        assert row.monthly_cost is not None and after.monthly_cost == round(row.monthly_cost - 33.22, 2)

    _run_app(check)


def test_m_in_read_only_mode_says_so_and_leaves_the_table_provisioned() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], ddb: Any) -> None:
        await filter_rows(pilot, "orders")
        await pilot.press("m")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert _billing(ddb) == ("ACTIVE", "PROVISIONED")
        assert AuditLog().tail(10) == []

    _run_app(check, read_only=True)
