"""Deleting a DynamoDB table (``dynamodb:table``), an on-demand backup first unless the user
unticks it.

The backup is made and seen AVAILABLE before the table is deleted; a backup that fails or
never becomes available keeps the table.  Deletion protection is read and refused, never
switched off.  A global table loses only this region's replica.
"""

from __future__ import annotations

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
from tracker_tui.aws.kinds.dynamodb import KIND as TABLE
from tracker_tui.aws.kinds.dynamodb import table_tags
from tracker_tui.model import Resource

#: DynamoDB backup names: 3 to 255 of [a-zA-Z0-9_.-], which table names share.
_BACKUP_NAME_MAX = 255

#: A deleted table is backed up first unless the user unticks this: a delete without a
#: backup cannot be undone.
BACKUP = Choice("dynamodb_backup", "Make an on-demand backup of each table first", True)


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
    # The box decides (the plan, made before the dialog, only names the backup; see rds.py).
    backup = (step.planned.artifact or backup_name(name)) if step.choice(BACKUP) else None
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
    return backup_name(resource.id, now) if options.choice(BACKUP) else None


def _table_note(resource: Resource, options: ActionOptions, backup: str | None) -> str:
    note = (
        f"on-demand backup {backup} first (kept until you delete it; billed as backup storage)"
        if backup
        else "no backup: the data is gone for good"
    )
    if resource.details.get("replica_regions"):
        note += "; a global table: only this region's replica is deleted"
    return note


ACTIONS = (
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
        choices=(BACKUP,),
    ),
)
