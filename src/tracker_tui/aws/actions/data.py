"""Data-store actions: delete RDS manual snapshots, delete DynamoDB tables (an on-demand
backup first, by default), pause and resume Redshift clusters.

DynamoDB deletion protection is read and refused, never switched off.  EFS file systems
take no action.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Choice,
    Failed,
    Step,
    Verify,
    failed,
)
from tracker_tui.aws.actions.rds import FINAL_SNAPSHOT_PREFIX
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.dynamodb import KIND as TABLE
from tracker_tui.aws.kinds.dynamodb import table_tags
from tracker_tui.aws.kinds.rds_snapshot import KIND as RDS_SNAPSHOT
from tracker_tui.aws.kinds.rds_snapshot import OF_CLUSTER
from tracker_tui.aws.kinds.redshift import KIND as REDSHIFT_CLUSTER
from tracker_tui.aws.kinds.redshift import PAUSED, list_redshift_clusters
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import cents

# --- RDS manual snapshots ---------------------------------------------------------------------


def _describe_rds_snapshot(rds: Any, ident: str, cluster: bool) -> dict[str, Any] | None:
    if cluster:
        found = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=ident).get("DBClusterSnapshots", [])
        return next((s for s in found if s.get("DBClusterSnapshotIdentifier") == ident), None)
    found = rds.describe_db_snapshots(DBSnapshotIdentifier=ident).get("DBSnapshots", [])
    return next((s for s in found if s.get("DBSnapshotIdentifier") == ident), None)


def delete_rds_snapshot(step: Step) -> Verify:
    rds = step.client("rds")
    ident = step.resource.id
    cluster = step.resource.details.get("snapshot_of") == OF_CLUSTER
    snap = step.reread(lambda: _describe_rds_snapshot(rds, ident, cluster))
    tags = snap.get("TagList")
    if tags is None:
        arn = snap.get("DBClusterSnapshotArn") if cluster else snap.get("DBSnapshotArn")
        tags = step.read_or_refuse(lambda: rds.list_tags_for_resource(ResourceName=arn).get("TagList"), "tags")
    step.check_tags(tag_dict(tags))
    kind = str(snap.get("SnapshotType", "manual"))
    if kind != "manual":
        step.refuse(f"it is an {kind} snapshot; RDS deletes those with their retention period")
    status = str(snap.get("Status", ""))
    if status == "deleting":
        step.refuse("already being deleted")
    if status != "available":
        step.refuse(f"state is {status}; only an available snapshot can be deleted")
    if cluster:
        request_id = step.call(rds, "delete_db_cluster_snapshot", DBClusterSnapshotIdentifier=ident)
    else:
        request_id = step.call(rds, "delete_db_snapshot", DBSnapshotIdentifier=ident)

    def verify() -> ActionUpdate:
        def snapshot_state() -> str | None:
            current = step.find(lambda: _describe_rds_snapshot(rds, ident, cluster))
            return None if current is None else str(current.get("Status", ""))

        step.poll_state(snapshot_state, "deleted", "deleted", "deleting")
        return step.done("deleted", deleted=True, request_id=request_id)

    return verify


# --- DynamoDB tables ----------------------------------------------------------------------------

#: DynamoDB backup names: 3 to 255 of [a-zA-Z0-9_.-], which table names share.
_BACKUP_NAME_MAX = 255


def backup_name(table: str, when: datetime | None = None) -> str:
    """``tracker-tui-final-<table>-<YYYYmmddHHMMSS>`` (UTC): the backup a DynamoDB delete makes first."""
    when = when or datetime.now(UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    stamp = f"{when:%Y%m%d%H%M%S}"
    room = _BACKUP_NAME_MAX - len(FINAL_SNAPSHOT_PREFIX) - len(stamp) - 2
    return f"{FINAL_SNAPSHOT_PREFIX}-{table[:room]}-{stamp}"


def _describe_table(ddb: Any, name: str) -> dict[str, Any] | None:
    table: dict[str, Any] | None = ddb.describe_table(TableName=name).get("Table")
    return table


def _backup_status(ddb: Any, table: str, name: str) -> str | None:
    """The named on-demand backup's status (the newest of that name), or None when not listed."""
    named = [
        summary
        for page in ddb.get_paginator("list_backups").paginate(TableName=table, BackupType="USER")
        for summary in page.get("BackupSummaries", [])
        if summary.get("BackupName") == name
    ]
    newest = max(named, key=lambda summary: str(summary.get("BackupCreationDateTime", "")), default=None)
    return None if newest is None else str(newest.get("BackupStatus", ""))


def _await_backup(step: Step, ddb: Any, table: str, name: str) -> None:
    """Wait, bounded by the run's verify timeout, until the backup is AVAILABLE.

    Raises:
        Failed: it was not seen AVAILABLE in time (or could not be read): the table is left as it is.
    """
    deadline = time.monotonic() + step.options.verify_timeout
    status: str | None = None
    while True:
        try:
            status = _backup_status(ddb, table, name)
        except ClientError as exc:
            raise failed(exc, f"cannot confirm backup {name}, so the table was not deleted: ") from None
        if status == "AVAILABLE":
            return
        if status == "DELETED" or time.monotonic() >= deadline:
            raise Failed(
                f"backup {name} was not available within {step.options.verify_timeout:g} s "
                f"(state: {status or 'not listed'}); the table was not deleted",
                "BackupNotAvailable",
            )
        time.sleep(step.options.poll_interval)


def delete_table(step: Step) -> Verify:
    ddb = step.client("dynamodb")
    name = step.resource.id
    table = step.reread(lambda: _describe_table(ddb, name))
    status = str(table.get("TableStatus", ""))
    if status == "DELETING":
        step.refuse("already being deleted")
    if status != "ACTIVE":
        step.refuse(f"state is {status}; only an ACTIVE table can be deleted")
    arn = str(table.get("TableArn") or step.resource.arn or "")
    step.check_tags(step.read_or_refuse(lambda: table_tags(ddb, arn), "tags"))
    if table.get("DeletionProtectionEnabled"):
        step.refuse("deletion protection is on (DeletionProtectionEnabled); tracker-tui never switches it off")
    # A backup is made unless the plan named none AND the options turned it off.
    backup = step.planned.artifact
    if backup is None and step.options.dynamodb_backup:
        backup = backup_name(name)
    if backup:
        failure = "backup failed, so the table was not deleted: "
        step.call(ddb, "create_backup", failure=failure, TableName=name, BackupName=backup)
        _await_backup(step, ddb, name, backup)
    request_id = step.call(ddb, "delete_table", TableName=name)

    def verify() -> ActionUpdate:
        def table_state() -> str | None:
            current = step.find(lambda: _describe_table(ddb, name))
            return None if current is None else str(current.get("TableStatus", ""))

        step.poll_state(table_state, "deleted", "deleted", "DELETING")
        message = f"deleted; backup {backup}" if backup else "deleted (no backup)"
        return step.done(message, deleted=True, request_id=request_id)

    return verify


def _backup(resource: Resource, options: ActionOptions, now: datetime) -> str | None:
    return backup_name(resource.id, now) if options.dynamodb_backup else None


def _table_note(resource: Resource, options: ActionOptions, backup: str | None) -> str:
    note = (
        f"on-demand backup {backup} first (kept until you delete it; billed as backup storage)"
        if backup
        else "no backup: the data is gone for good"
    )
    if resource.details.get("replica_regions"):
        note += "; a global table: only this region's replica is deleted"
    return note


# --- Redshift clusters ----------------------------------------------------------------------------


def _describe_cluster(redshift: Any, ident: str) -> dict[str, Any] | None:
    found = redshift.describe_clusters(ClusterIdentifier=ident).get("Clusters", [])
    return next((c for c in found if c.get("ClusterIdentifier") == ident), None)


def _cluster_state(step: Step, redshift: Any) -> str | None:
    current = step.find(lambda: _describe_cluster(redshift, step.resource.id))
    return None if current is None else str(current.get("ClusterStatus", ""))


def _pause_or_resume(step: Step, *, pause: bool) -> Verify:
    redshift = step.client("redshift")
    ident = step.resource.id
    cluster = step.reread(lambda: _describe_cluster(redshift, ident))
    status = str(cluster.get("ClusterStatus", ""))
    if pause:
        if status in (PAUSED, "pausing"):
            step.refuse(f"already {status}")
        if status != "available":
            step.refuse(f"state is {status}; only an available cluster can be paused")
    else:
        if status == "resuming":
            step.refuse("already resuming")
        if status != PAUSED:
            step.refuse(f"state is {status}; only a paused cluster can be resumed")
    step.check_tags(tag_dict(cluster.get("Tags")))
    method, target, moving = (
        ("pause_cluster", PAUSED, "pausing") if pause else ("resume_cluster", "available", "resuming")
    )
    request_id = step.call(redshift, method, ClusterIdentifier=ident)

    def verify() -> ActionUpdate:
        step.poll_state(lambda: _cluster_state(step, redshift), target, target, moving)
        fresh = step.reread_resource(list_redshift_clusters, ClusterIdentifier=ident)
        return step.done("paused" if pause else "resumed", result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def pause_cluster(step: Step) -> Verify:
    return _pause_or_resume(step, pause=True)


def resume_cluster(step: Step) -> Verify:
    return _pause_or_resume(step, pause=False)


def _pause_saving(resource: Resource) -> float | None:
    """A paused cluster pays no nodes: the saving is its cost now less its paused price."""
    cost = resource.monthly_cost
    if cost is None:
        return None
    paused_cost, _ = estimate(dataclasses.replace(resource, state=PAUSED))
    if paused_cost is None:
        return None
    return cents(max(0.0, cost - paused_cost))


ACTIONS = (
    ActionSpec(
        RDS_SNAPSHOT,
        "delete",
        delete_rds_snapshot,
        iam_actions=(
            "rds:DescribeDBSnapshots",
            "rds:DescribeDBClusterSnapshots",
            "rds:ListTagsForResource",
            "rds:DeleteDBSnapshot",
            "rds:DeleteDBClusterSnapshot",
        ),
    ),
    ActionSpec(
        TABLE,
        "delete",
        delete_table,
        iam_actions=(
            "dynamodb:DescribeTable",
            "dynamodb:ListTagsOfResource",
            "dynamodb:CreateBackup",
            "dynamodb:ListBackups",
            "dynamodb:DeleteTable",
        ),
        note=_table_note,
        artifact=_backup,
        choices=(Choice("dynamodb_backup", "Make an on-demand backup of each table first", True),),
    ),
    ActionSpec(
        REDSHIFT_CLUSTER,
        "pause",
        pause_cluster,
        iam_actions=("redshift:DescribeClusters", "redshift:PauseCluster"),
        note=lambda r, o, a: "its storage stays (and bills); resume it with u",
        saving=_pause_saving,
        single_key=True,
    ),
    ActionSpec(
        REDSHIFT_CLUSTER,
        "resume",
        resume_cluster,
        iam_actions=("redshift:DescribeClusters", "redshift:ResumeCluster"),
        note=lambda r, o, a: "its nodes bill again from the moment it is available",
        saving=lambda r: 0.0,
        single_key=True,
    ),
)
