"""The data family's actions against moto: deleting RDS manual snapshots, deleting DynamoDB
tables (an on-demand backup first, unless unticked), pausing and resuming Redshift clusters;
every refusal, and what the plan and the confirm dialog say.

The rails every handler shares (protected tags in any case, the audit log, the row's region,
AWS errors, verification, states) run on these handlers in tests/test_safety_rails.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

from tests import helpers
from tests.rails import scanned
from tracker_tui.aws.actions import ActionOptions, ActionRunner, ActionUpdate, PlannedAction, Status, choices_for, plan
from tracker_tui.aws.actions.data import backup_name
from tracker_tui.aws.actions.plan import needs_typed_name
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog

ACCOUNT = "123456789012"
REGION = "us-east-1"
FAST = ActionOptions(poll_interval=0.01, verify_timeout=5)
WHEN = datetime(2026, 11, 29, 1, 2, 3, tzinfo=UTC)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


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


# --- RDS snapshots -------------------------------------------------------------------------------


def _snapshot(session: AwsSession, ident: str = "orders-snap", tags: dict[str, str] | None = None) -> Any:
    rds = session.client("rds", REGION)
    rds.create_db_instance(
        DBInstanceIdentifier="orders",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=100,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )
    tag_list = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
    rds.create_db_snapshot(DBInstanceIdentifier="orders", DBSnapshotIdentifier=ident, Tags=tag_list)
    return rds


def test_deleting_a_db_snapshot_deletes_it_and_saves_what_it_costs(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = _snapshot(session)
        row = scanned(session, "rds:snapshot")["orders-snap"]
        (planned,) = plan([row], "delete")

        done = run(session, audit, [row], "delete")

        left = rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    assert (planned.action, planned.saving) == ("delete", 9.5)  # 100 GiB x $0.095
    assert (done.status, done.message, done.deleted) == (Status.DONE, "deleted", True)
    assert left == []
    assert operations(audit) == [("before", "DeleteDBSnapshot"), ("after", "DeleteDBSnapshot")]
    assert audit.tail(1)[0]["request_id"] == done.request_id


def test_deleting_a_cluster_snapshot_uses_the_cluster_api(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = session.client("rds", REGION)
        rds.create_db_cluster(
            DBClusterIdentifier="analytics",
            Engine="aurora-mysql",
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
        )
        rds.create_db_cluster_snapshot(DBClusterIdentifier="analytics", DBClusterSnapshotIdentifier="analytics-q3")
        row = scanned(session, "rds:snapshot")["analytics-q3"]

        done = run(session, audit, [row], "delete")

        left = rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
    assert done.status is Status.DONE and left == []
    assert operations(audit) == [("before", "DeleteDBClusterSnapshot"), ("after", "DeleteDBClusterSnapshot")]


def _without_tag_list(parsed: dict[str, Any], **_: Any) -> None:
    """Drop TagList from a DescribeDBSnapshots answer (it is optional in the API)."""
    for snapshot in parsed.get("DBSnapshots", []):
        snapshot.pop("TagList", None)


def test_a_snapshots_tags_come_from_list_tags_when_describe_leaves_them_out(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = _snapshot(session, tags={"Protected": "yes"})
        row = scanned(session, "rds:snapshot")["orders-snap"]
        # An answer without TagList: the handler must ask ListTagsForResource.
        hook(session, "rds", "after-call", "DescribeDBSnapshots", _without_tag_list)
        asked: list[str] = []
        hook(
            session,
            "rds",
            "before-parameter-build",
            "ListTagsForResource",
            lambda params, **_: asked.append(params["ResourceName"]),
        )

        refused = run(session, audit, [row], "delete")

        assert rds.describe_db_snapshots(DBSnapshotIdentifier="orders-snap")["DBSnapshots"]
    assert (refused.status, refused.message) == (Status.REFUSED, "tag Protected is set")
    assert asked == [f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders-snap"]
    assert operations(audit) == []


def test_a_snapshot_whose_tags_cannot_be_read_is_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _snapshot(session)
        row = scanned(session, "rds:snapshot")["orders-snap"]
        hook(session, "rds", "after-call", "DescribeDBSnapshots", _without_tag_list)
        hook(session, "rds", "before-call", "ListTagsForResource", lambda **_: answer("AccessDenied", "not allowed"))

        refused = run(session, audit, [row], "delete")

    assert refused.status is Status.REFUSED
    assert refused.message == "cannot read its tags (AccessDenied: not allowed); refusing without checking"
    assert operations(audit) == []


def test_a_snapshot_deleted_since_the_scan_is_reported_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rds = _snapshot(session)
        row = scanned(session, "rds:snapshot")["orders-snap"]
        rds.delete_db_snapshot(DBSnapshotIdentifier="orders-snap")

        refused = run(session, audit, [row], "delete")

    assert (refused.status, refused.deleted) == (Status.REFUSED, True)
    assert refused.message == "it no longer exists (deleted since the scan)"


# --- DynamoDB ------------------------------------------------------------------------------------


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
    (choice,) = choices_for([planned])
    assert (choice.option, choice.default) == ("dynamodb_backup", True)
    assert choice.label == "Make an on-demand backup of each table first"
    assert needs_typed_name([planned])

    (unticked,) = plan([table], "delete", ActionOptions(dynamodb_backup=False), now=WHEN)
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

        done = run(session, audit, [row], "delete", dynamodb_backup=False)

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


# --- Redshift -----------------------------------------------------------------------------------


def _cluster(session: AwsSession, ident: str = "warehouse", tags: dict[str, str] | None = None) -> Any:
    rs = session.client("redshift", REGION)
    rs.create_cluster(
        ClusterIdentifier=ident,
        NodeType="ra3.xlplus",
        NumberOfNodes=2,
        ClusterType="multi-node",
        MasterUsername="admin",
        MasterUserPassword="NotASecret1",
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )
    return rs


def _status(rs: Any, ident: str = "warehouse") -> str:
    return str(rs.describe_clusters(ClusterIdentifier=ident)["Clusters"][0]["ClusterStatus"])


def test_pausing_a_cluster_returns_it_repriced_at_storage_only(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rs = _cluster(session)
        row = scanned(session, "redshift:cluster")["warehouse"]
        (planned,) = plan([row], "stop")

        done = run(session, audit, [row], "stop")

        status = _status(rs)
    assert (planned.action, planned.saving, row.monthly_cost) == ("pause", 1585.56, 1585.56)
    assert not needs_typed_name([planned])  # one pause confirms with y
    assert (done.status, done.message, status) == (Status.DONE, "paused", "paused")
    assert done.result is not None and done.result.state == "paused" and done.result.monthly_cost == 0.0
    assert done.result.cost_basis == "paused: no node charge; + managed storage at $0.024/GB-mo, usage-dependent"
    assert operations(audit) == [("before", "PauseCluster"), ("after", "PauseCluster")]


def test_resuming_a_paused_cluster_returns_it_running_and_priced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rs = _cluster(session)
        rs.pause_cluster(ClusterIdentifier="warehouse")
        row = scanned(session, "redshift:cluster")["warehouse"]
        (planned,) = plan([row], "start")

        done = run(session, audit, [row], "start")

        status = _status(rs)
    assert (planned.action, planned.saving) == ("resume", 0.0)
    assert (done.status, done.message, status) == (Status.DONE, "resumed", "available")
    assert done.result is not None and (done.result.state, done.result.monthly_cost) == ("available", 1585.56)


def test_pausing_a_paused_cluster_and_resuming_a_running_one_are_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rs = _cluster(session)
        running = scanned(session, "redshift:cluster")["warehouse"]
        refused_resume = run(session, audit, [running], "start")
        rs.pause_cluster(ClusterIdentifier="warehouse")
        paused = scanned(session, "redshift:cluster")["warehouse"]

        refused_pause = run(session, audit, [paused], "stop")

        status = _status(rs)
    assert (refused_resume.status, refused_resume.message) == (
        Status.REFUSED,
        "state is available; only a paused cluster can be resumed",
    )
    assert (refused_pause.status, refused_pause.message) == (Status.REFUSED, "already paused")
    assert status == "paused" and operations(audit) == []


def test_a_protected_cluster_is_neither_paused_nor_resumed(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rs = _cluster(session, tags={"protected": "true"})
        row = scanned(session, "redshift:cluster")["warehouse"]

        refused = run(session, audit, [row], "stop")

        status = _status(rs)
    assert (refused.status, refused.message, status) == (Status.REFUSED, "tag protected is set", "available")
    assert operations(audit) == []


def test_a_cluster_deleted_since_the_scan_is_reported_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        rs = _cluster(session)
        row = scanned(session, "redshift:cluster")["warehouse"]
        rs.delete_cluster(ClusterIdentifier="warehouse", SkipFinalClusterSnapshot=True)

        refused = run(session, audit, [row], "stop")

    assert (refused.status, refused.deleted) == (Status.REFUSED, True)


# --- EFS ------------------------------------------------------------------------------------------


def test_efs_file_systems_take_no_action() -> None:
    fs = Resource(kind="efs:file-system", id="fs-1", region=REGION, account_id=ACCOUNT, state="available")
    assert [(p.action, p.skip_reason) for p in plan([fs], "delete")] == [(None, "read-only kind")]
    assert [(p.action, p.skip_reason) for p in plan([fs], "stop")] == [(None, "read-only kind")]
