"""tracker_tui/aws/actions/redshift.py against moto: pausing and resuming a cluster, each
coming back repriced, and every refusal.

The rails every handler shares (protected tags in any case, the audit log, the row's region,
AWS errors, verification, states) run on these handlers through tests/support/rails/redshift.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from moto import mock_aws

from tests.support import helpers
from tests.support.rails.base import ACCOUNT, FAST, REGION, scanned
from tracker_tui.aws.actions import ActionRunner, ActionUpdate, Status, plan
from tracker_tui.aws.actions.plan import needs_typed_name
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog


def run(session: AwsSession, audit: AuditLog, rows: list[Resource], verb: str, **options: Any) -> ActionUpdate:
    runner = ActionRunner(session, ACCOUNT, dataclasses.replace(FAST, **options), audit=audit)
    (final,) = runner.run(plan(rows, verb, runner.options), lambda _: None)  # type: ignore[arg-type]
    return final


def operations(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


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
