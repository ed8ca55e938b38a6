"""tracker_tui/aws/actions/rds_snapshot.py against moto: deleting RDS manual snapshots (of a DB
instance, of an Aurora cluster), their tags read when describe leaves them out, and every
refusal.

The rails every handler shares (protected tags in any case, the audit log, the row's region,
AWS errors, verification, states) run on these handlers through tests/support/rails/rds_snapshot.py.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

from moto import mock_aws

from tests.support import helpers
from tests.support.rails.base import ACCOUNT, FAST, REGION, scanned
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, plan
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog


def run(session: AwsSession, audit: AuditLog, rows: list[Resource], verb: str, **options: Any) -> ActionUpdate:
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    (final,) = runner.run(plan(rows, verb, runner.options), lambda _: None)  # type: ignore[arg-type]
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
