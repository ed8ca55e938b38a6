"""RDS actions: stop a DB instance (storage still billed), start it again, delete one (a final
snapshot by default), change its class in place (``m``: the class a finding names).

Deletion protection is read and refused, never switched off; Aurora members are refused
(act on the cluster).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, ActionUpdate, Choice, Step, Verify, named_fix
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


#: Why an action is not taken on a member of an Aurora cluster: its cluster is what is acted on.
ACT_ON_THE_CLUSTER = "act on the cluster instead (not supported here)"


def _checked_db(step: Step, rds: Any, aurora: str = ACT_ON_THE_CLUSTER) -> dict[str, Any]:
    """The DB instance re-read, refused when gone, protected by a tag, or a member of an Aurora
    cluster (``aurora`` says why that is refused)."""
    db = step.reread(lambda: _describe_db(rds, step.resource.id))
    tags = db.get("TagList")
    if tags is None:
        tags = step.read_or_refuse(
            lambda: rds.list_tags_for_resource(ResourceName=db["DBInstanceArn"]).get("TagList"), "tags"
        )
    step.check_tags(tag_dict(tags))
    cluster = db.get("DBClusterIdentifier")
    if cluster:
        step.refuse(f"it belongs to the Aurora cluster {cluster}; {aurora}")
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


# --- the class, changed in place (m) -------------------------------------------------------------

#: Why ``m`` leaves an Aurora member alone.  AWS would change its class, but the row cannot say
#: what that does: a writer's class change fails over to a reader (which then serves on its own
#: class), a reader smaller than the writer is a poor failover target, and the row prices the
#: instance at Aurora Standard's rate whatever the cluster's storage configuration (I/O-Optimized
#: instances bill more), so the saving, the new cost and the downtime the dialog would show are
#: not the cluster's.
AURORA_CLASS = (
    "its class is not changed here: the change fails over within the cluster, and the row's price "
    "does not know the cluster's storage configuration (Standard or I/O-Optimized)"
)
#: Why ``m`` has nothing to do on a row.
NO_CLASS_FIX = "no finding names a class to change it to"


def _offered(rds: Any, db: dict[str, Any], target: str) -> bool:
    """Whether AWS offers ``target`` for the instance's engine, engine version and license model
    in its region (DescribeOrderableDBInstanceOptions lists at least one option of the class)."""
    params: dict[str, Any] = {"Engine": db["Engine"], "DBInstanceClass": target}
    if db.get("EngineVersion"):
        params["EngineVersion"] = db["EngineVersion"]
    if db.get("LicenseModel"):
        params["LicenseModel"] = db["LicenseModel"]
    for page in rds.get_paginator("describe_orderable_db_instance_options").paginate(**params):
        if any(o.get("DBInstanceClass") == target for o in page.get("OrderableDBInstanceOptions", [])):
            return True
    return False


def modify_class(step: Step) -> Verify:
    """ModifyDBInstance to the class the row's best class finding names, applied at once (the
    database restarts; its data and storage stay), verified when it reads back available on
    that class."""
    rds = step.client("rds")
    ident = step.resource.id
    db = _checked_db(step, rds, aurora=AURORA_CLASS)
    status = str(db.get("DBInstanceStatus") or "")
    if status != "available":
        step.refuse(f"state is {status or 'unknown'}; only an available DB instance can be modified")
    pending = db.get("PendingModifiedValues") or {}
    if pending:
        # ApplyImmediately would apply them too, unasked.
        step.refuse(f"a modification is pending ({', '.join(sorted(pending))}); apply or cancel it first")
    fix = named_fix(step.resource)
    if fix is None or not fix.target:
        step.refuse(NO_CLASS_FIX)
    target = fix.target
    current = str(db.get("DBInstanceClass") or "")
    if current == target:
        step.refuse(f"it is {target} already")
    scanned = step.resource.details.get("instance_class")
    if scanned and current != scanned:
        # The finding (its target and saving) was worked out for the class the scan saw.
        step.refuse(f"its class is {current or 'unknown'} now, not the {scanned} the scan saw; rescan first")
    engine = str(db.get("Engine") or "")
    if not engine:
        step.refuse(f"its engine is unknown, so is whether {target} is offered for it")
    offered = step.read_or_refuse(lambda: _offered(rds, db, target), f"orderable options for {target}")
    if not offered:
        version = str(db.get("EngineVersion") or "")
        step.refuse(f"{target} is not offered for {engine}{f' {version}' if version else ''} in {step.region}")
    request_id = step.call(
        rds, "modify_db_instance", DBInstanceIdentifier=ident, DBInstanceClass=target, ApplyImmediately=True
    )

    def verify() -> ActionUpdate:
        seen = {"state": f"{status} on {current}"}

        def changed() -> bool:
            now = step.find(lambda: _describe_db(rds, ident))
            if now is None:
                seen["state"] = "not found"
                return False
            state = str(now.get("DBInstanceStatus") or "unknown")
            cls = str(now.get("DBInstanceClass") or "unknown")
            seen["state"] = f"{state} on {cls}"
            # Straight after the call AWS may still read available on the old class (the
            # change pending), then modifying: only available on the new class is done.
            return state == "available" and cls == target

        step.poll(changed, f"available on {target}", lambda: seen["state"])
        fresh = step.reread_resource(list_db_instances, DBInstanceIdentifier=ident)
        return step.done(
            f"class changed {current} -> {target}", result=fresh, deleted=fresh is None, request_id=request_id
        )

    return verify


def _class_saving(resource: Resource) -> float | None:
    """What the finding ``m`` realises says it saves, so the dialog and the cost panel agree;
    None when no finding names a class, or the row is an Aurora member (it will be refused)."""
    fix = named_fix(resource)
    if fix is None or resource.details.get("cluster_id"):
        return None
    return fix.monthly_saving


def _class_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    cluster = resource.details.get("cluster_id")
    if cluster:
        return f"a member of the Aurora cluster {cluster}: its class is not changed here (it will be refused)"
    fix = named_fix(resource)
    if fix is None or not fix.target:
        return f"{NO_CLASS_FIX} (it will be refused)"
    old = str(resource.details.get("instance_class") or "its class")
    new_cost, _ = estimate(dataclasses.replace(resource, details={**resource.details, "instance_class": fix.target}))
    downtime = (
        "the database restarts: a Multi-AZ failover, about a minute of downtime"
        if resource.details.get("multi_az")
        else "the database restarts: single-AZ, several minutes of downtime"
    )
    return (
        f"{old} -> {fix.target}: {format_cost(new_cost)}/mo (now {format_cost(resource.monthly_cost)}/mo); "
        f"{downtime}; data and storage unchanged; undo: modify the class back (aws rds modify-db-instance "
        f"--db-instance-identifier {resource.id} --db-instance-class {old} --apply-immediately "
        f"--region {resource.region})"
    )


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
    # In place, nothing lost (the restart is in the note): one row confirms with y, like a stop.
    ActionSpec(
        DB_INSTANCE,
        "modify",
        modify_class,
        iam_actions=(
            "rds:DescribeDBInstances",
            "rds:ListTagsForResource",
            "rds:DescribeOrderableDBInstanceOptions",
            "rds:ModifyDBInstance",
        ),
        note=_class_note,
        saving=_class_saving,
        single_key=True,
    ),
)
