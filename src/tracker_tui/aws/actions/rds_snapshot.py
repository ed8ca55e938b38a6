"""Deleting an RDS manual snapshot (``rds:snapshot``), of a DB instance or of an Aurora cluster.

Only manual snapshots are deleted (RDS deletes automated ones with their retention period),
and only an available one.  Its tags come with the describe call or, when RDS leaves them
out, from ListTagsForResource: a snapshot whose tags cannot be read is refused.
"""

from __future__ import annotations

from typing import Any

from tracker_tui.aws.actions.base import ActionSpec, ActionUpdate, Step, Verify
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.rds_snapshot import KIND as RDS_SNAPSHOT
from tracker_tui.aws.kinds.rds_snapshot import OF_CLUSTER


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
)
