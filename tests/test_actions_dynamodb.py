"""tracker_tui/aws/actions/dynamodb.py against moto: deleting a table, an on-demand backup
first unless unticked; every refusal, and what the plan and the confirm dialog say.

The rails every handler shares (protected tags in any case, the audit log, the row's region,
AWS errors, verification, states) run on these handlers through tests/support/rails/dynamodb.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from moto import mock_aws

from tests.support import helpers
from tests.support.rails.base import ACCOUNT, FAST, REGION, scanned
from tracker_tui.aws.actions import ActionOptions, ActionRunner, ActionUpdate, PlannedAction, Status, choices_for, plan
from tracker_tui.aws.actions.dynamodb import BACKUP, backup_name
from tracker_tui.aws.actions.plan import needs_typed_name
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

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
