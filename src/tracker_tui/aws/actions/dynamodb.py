"""Deleting a DynamoDB table (``dynamodb:table``), an on-demand backup first unless the user
unticks it; switching a provisioned table to on-demand in place (``m``).

The backup is made and seen AVAILABLE before the table is deleted; a backup that fails or
never becomes available keeps the table.  Deletion protection is read and refused, never
switched off.  A global table loses only this region's replica.

The switch to on-demand (``UpdateTable(BillingMode="PAY_PER_REQUEST")``) keeps the data and
the indexes; it is verified by reading the table back ACTIVE and PAY_PER_REQUEST, and the row
comes back repriced (storage only: on-demand requests are billed as they are made).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
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
from tracker_tui.aws.kinds.dynamodb import (
    IDLE_DYNAMODB_TABLE,
    ON_DEMAND,
    PROVISIONED,
    capacity_saving,
    list_table,
    table_tags,
)
from tracker_tui.aws.kinds.dynamodb import KIND as TABLE
from tracker_tui.model import Resource, format_cost

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


# --- provisioned -> on-demand in place ----------------------------------------------------------

#: How long after a switch to on-demand tracker-tui leaves a table alone.  AWS allows a table
#: at most four switches to on-demand in a rolling 24 hours (back to provisioned at any time),
#: and DescribeTable only says when the last one was: a table switched to on-demand and back
#: within the day is being managed by someone, and the limit cannot be counted from here.
SWITCH_WINDOW = timedelta(hours=24)


def _utc(value: Any) -> datetime | None:
    """An API timestamp as an aware UTC datetime (None: absent or not a timestamp)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return None


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _billing(table: dict[str, Any]) -> str:
    """The table's billing mode (a table never switched may answer no BillingModeSummary: provisioned)."""
    return str((table.get("BillingModeSummary") or {}).get("BillingMode") or PROVISIONED)


def _check_switch_window(step: Step, table: dict[str, Any], now: datetime) -> None:
    """Refuse when the table was last switched to on-demand less than ``SWITCH_WINDOW`` ago,
    with the time it may be retried."""
    last = _utc((table.get("BillingModeSummary") or {}).get("LastUpdateToPayPerRequestDateTime"))
    if last is None or now - last >= SWITCH_WINDOW:
        return
    step.refuse(
        f"it was switched to on-demand at {_when(last)} and back since, less than 24 hours ago "
        f"(AWS limits switches to on-demand within 24 hours); retry after {_when(last + SWITCH_WINDOW)}",
        "BillingModeSwitchedRecently",
    )


def switch_to_on_demand(step: Step) -> Verify:
    ddb = step.client("dynamodb")
    name = step.resource.id
    table = step.reread(lambda: _describe_table(ddb, name))
    status = str(table.get("TableStatus", ""))
    if status == "DELETING":
        step.refuse("it is being deleted")
    if _billing(table) == ON_DEMAND:
        step.refuse("it is on-demand (PAY_PER_REQUEST) already")
    if status != "ACTIVE":
        step.refuse(f"state is {status}; only an ACTIVE table can be switched to on-demand")
    arn = str(table.get("TableArn") or step.resource.arn or "")
    step.check_tags(step.read_or_refuse(lambda: table_tags(ddb, arn), "tags"))
    _check_switch_window(step, table, datetime.now(UTC))
    request_id = step.call(ddb, "update_table", TableName=name, BillingMode=ON_DEMAND)

    def verify() -> ActionUpdate:
        seen = {"state": f"{status}, {PROVISIONED}"}

        def switched() -> bool:
            # Done when the table reads ACTIVE (UPDATING while its partitions change, which
            # can take minutes) and its billing mode reads PAY_PER_REQUEST.
            current = step.find(lambda: _describe_table(ddb, name))
            if current is None:
                seen["state"] = "not found"
                return False
            state, mode = str(current.get("TableStatus") or "unknown"), _billing(current)
            seen["state"] = f"{state}, {mode}"
            return state == "ACTIVE" and mode == ON_DEMAND

        step.poll(switched, "ACTIVE and on-demand", lambda: seen["state"])
        fresh = step.reread_resource(list_table(name))
        return step.done(
            "switched to on-demand (PAY_PER_REQUEST)", result=fresh, deleted=fresh is None, request_id=request_id
        )

    return verify


def _on_demand_saving(resource: Resource) -> float | None:
    """What the row's ``idle-dynamodb-table`` finding says the switch saves, so the dialog and the
    cost panel agree; without it, the provisioned capacity charge priced the same way."""
    finding = next((f for f in resource.findings if f.id == IDLE_DYNAMODB_TABLE.id), None)
    if finding is not None:
        return finding.monthly_saving
    return capacity_saving(resource)


def _on_demand_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    if resource.details.get("billing_mode") == ON_DEMAND:
        return "it is on-demand (PAY_PER_REQUEST) already (it will be refused)"
    saving = _on_demand_saving(resource)
    charge = f" ({format_cost(saving)}/mo)" if saving is not None else ""
    return (
        f"billing becomes per request (on-demand): the provisioned capacity charge{charge} ends, requests "
        "are billed as made; it can be switched back to provisioned at any time"
    )


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
    # In place and reversible (the data and indexes stay), confirmed like a stop (one row with
    # y); the saving is the idle-dynamodb-table finding's, so the dialog and the cost panel agree.
    ActionSpec(
        TABLE,
        "modify",
        switch_to_on_demand,
        iam_actions=("dynamodb:DescribeTable", "dynamodb:ListTagsOfResource", "dynamodb:UpdateTable"),
        note=_on_demand_note,
        saving=_on_demand_saving,
        single_key=True,
    ),
)
