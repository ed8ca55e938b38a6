"""Pausing and resuming a Redshift provisioned cluster (``redshift:cluster``).

A paused cluster bills only its storage, so the saving the plan shows is its cost now less
its paused price; resuming brings the nodes' bill back.  Each is verified by polling the
cluster's status, then the row comes back re-read and repriced.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tracker_tui.aws.actions.base import ActionSpec, ActionUpdate, Step, Verify
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.base import tag_dict
from tracker_tui.aws.kinds.redshift import KIND as REDSHIFT_CLUSTER
from tracker_tui.aws.kinds.redshift import PAUSED, list_redshift_clusters
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import cents


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
