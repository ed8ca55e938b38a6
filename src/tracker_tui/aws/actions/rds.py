"""RDS actions: stop a DB instance (storage still billed), start it again, delete one (a final
snapshot by default).

Deletion protection is read and refused, never switched off; Aurora members are refused
(act on the cluster).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, ActionUpdate, Choice, Step, Verify
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.rds import KIND as DB_INSTANCE
from tracker_tui.aws.kinds.rds import list_db_instances
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import cents

#: Prefix of the final snapshot an RDS delete leaves behind.
FINAL_SNAPSHOT_PREFIX = "tracker-tui-final"

#: A deleted database keeps a final snapshot unless the user unticks this: a delete without
#: one cannot be undone.
FINAL_SNAPSHOT = Choice("rds_final_snapshot", "Keep a final snapshot of each deleted database (named above)", True)


def final_snapshot_id(db_instance_id: str, when: datetime | None = None) -> str:
    """``tracker-tui-final-<db-id>-<YYYYmmddHHMMSS>`` (UTC), the name of an RDS delete's final snapshot."""
    when = when or datetime.now(UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return f"{FINAL_SNAPSHOT_PREFIX}-{db_instance_id}-{when:%Y%m%d%H%M%S}"


def _describe_db(rds: Any, ident: str) -> dict[str, Any] | None:
    found = rds.describe_db_instances(DBInstanceIdentifier=ident).get("DBInstances", [])
    return next((d for d in found if d.get("DBInstanceIdentifier") == ident), None)


def _checked_db(step: Step, rds: Any) -> dict[str, Any]:
    db = step.reread(lambda: _describe_db(rds, step.resource.id))
    tags = db.get("TagList")
    if tags is None:
        tags = step.read_or_refuse(
            lambda: rds.list_tags_for_resource(ResourceName=db["DBInstanceArn"]).get("TagList"), "tags"
        )
    step.check_tags(tag_dict(tags))
    cluster = db.get("DBClusterIdentifier")
    if cluster:
        step.refuse(f"it belongs to the Aurora cluster {cluster}; act on the cluster instead (not supported here)")
    return db


def _db_state(step: Step, rds: Any) -> str | None:
    current = step.find(lambda: _describe_db(rds, step.resource.id))
    return None if current is None else str(current.get("DBInstanceStatus", ""))


def stop_db_instance(step: Step) -> Verify:
    rds = step.client("rds")
    db = _checked_db(step, rds)
    status = str(db.get("DBInstanceStatus", ""))
    if status in ("stopped", "stopping"):
        step.refuse(f"already {status}")
    if status != "available":
        step.refuse(f"state is {status}; only an available DB instance can be stopped")
    request_id = step.call(rds, "stop_db_instance", DBInstanceIdentifier=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll_state(lambda: _db_state(step, rds), "stopped", "stopped", "stopping")
        fresh = step.reread_resource(list_db_instances, DBInstanceIdentifier=step.resource.id)
        return step.done("stopped", result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def start_db_instance(step: Step) -> Verify:
    rds = step.client("rds")
    db = _checked_db(step, rds)
    status = str(db.get("DBInstanceStatus", ""))
    if status == "available":
        step.refuse("already available")
    if status == "starting":
        step.refuse("already starting")
    if status == "stopping":
        step.refuse("it is stopping; wait until it has stopped")
    if status != "stopped":
        step.refuse(f"state is {status}; only a stopped DB instance can be started")
    request_id = step.call(rds, "start_db_instance", DBInstanceIdentifier=step.resource.id)

    def verify() -> ActionUpdate:
        step.poll_state(lambda: _db_state(step, rds), "available", "available", "starting")
        fresh = step.reread_resource(list_db_instances, DBInstanceIdentifier=step.resource.id)
        return step.done("started", result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def delete_db_instance(step: Step) -> Verify:
    rds = step.client("rds")
    db = _checked_db(step, rds)
    if db.get("DeletionProtection"):
        step.refuse("deletion protection is on (DeletionProtection); tracker-tui never switches it off")
    if str(db.get("DBInstanceStatus", "")) == "deleting":
        step.refuse("already being deleted")
    # The box decides.  The plan is made before the dialog, with the boxes as declared, so the
    # name it shows says what a kept snapshot is called, not whether one is kept (unticking
    # the box in that dialog used to be ignored); a row planned without a name gets one now.
    snapshot = (step.planned.artifact or final_snapshot_id(step.resource.id)) if step.choice(FINAL_SNAPSHOT) else None
    params: dict[str, Any] = {"DBInstanceIdentifier": step.resource.id}
    if snapshot:
        params["FinalDBSnapshotIdentifier"] = snapshot
    else:
        params["SkipFinalSnapshot"] = True
    request_id = step.call(rds, "delete_db_instance", **params)

    def verify() -> ActionUpdate:
        step.poll_state(lambda: _db_state(step, rds), "deleted", "deleted", "deleting")
        message = f"deleted; final snapshot {snapshot}" if snapshot else "deleted (no final snapshot)"
        return step.done(message, deleted=True, request_id=request_id)

    return verify


def _stop_saving(resource: Resource) -> float | None:
    """An RDS instance keeps paying for storage while stopped: the saving is the difference
    between its cost now and the catalogue's price of its stopped state."""
    cost = resource.monthly_cost
    if cost is None:
        return None
    stopped_cost, _ = estimate(dataclasses.replace(resource, state="stopped"))
    if stopped_cost is None:
        return None
    return cents(max(0.0, cost - stopped_cost))


def _start_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    cost, _ = estimate(dataclasses.replace(resource, state="available"))
    return f"bills {format_cost(cost)}/mo again while available"


def _final_snapshot(resource: Resource, options: ActionOptions, now: datetime) -> str | None:
    return final_snapshot_id(resource.id, now) if options.choice(FINAL_SNAPSHOT) else None


def _delete_note(resource: Resource, options: ActionOptions, snapshot: str | None) -> str:
    return f"final snapshot {snapshot}" if snapshot else "no final snapshot: the data is gone for good"


ACTIONS = (
    ActionSpec(
        DB_INSTANCE,
        "stop",
        stop_db_instance,
        iam_actions=("rds:DescribeDBInstances", "rds:ListTagsForResource", "rds:StopDBInstance"),
        note=lambda r, o, a: "RDS starts a stopped DB instance again after 7 days",
        saving=_stop_saving,
        single_key=True,
    ),
    ActionSpec(
        DB_INSTANCE,
        "start",
        start_db_instance,
        iam_actions=("rds:DescribeDBInstances", "rds:ListTagsForResource", "rds:StartDBInstance"),
        note=_start_note,
        # Starting saves nothing; the note says what it will cost.
        saving=lambda r: 0.0,
        single_key=True,
    ),
    ActionSpec(
        DB_INSTANCE,
        "delete",
        delete_db_instance,
        # No call of ours names the last two: AWS authorises the final snapshot DeleteDBInstance
        # takes as CreateDBSnapshot, and copying the instance's tags onto it as AddTagsToResource.
        iam_actions=(
            "rds:DescribeDBInstances",
            "rds:ListTagsForResource",
            "rds:DeleteDBInstance",
            "rds:CreateDBSnapshot",
            "rds:AddTagsToResource",
        ),
        note=_delete_note,
        artifact=_final_snapshot,
        choices=(FINAL_SNAPSHOT,),
    ),
)
