"""The safety-rail cases of tracker_tui/aws/actions/redshift.py (see base.py for the shape):
pausing a cluster and resuming a paused one."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, tag_list, where


def _redshift() -> Any:
    return boto3.client("redshift", region_name=where())


def make_cluster(tags: Tags) -> str:
    _redshift().create_cluster(
        ClusterIdentifier="rails-warehouse",
        NodeType="ra3.xlplus",
        NumberOfNodes=2,
        ClusterType="multi-node",
        MasterUsername="admin",
        MasterUserPassword="NotASecret1",
        Tags=tag_list(tags),
    )
    return "rails-warehouse"


def make_paused_cluster(tags: Tags) -> str:
    ident = make_cluster(tags)
    _redshift().pause_cluster(ClusterIdentifier=ident)
    return ident


def cluster_state(ident: str) -> str:
    try:
        return str(_redshift().describe_clusters(ClusterIdentifier=ident)["Clusters"][0]["ClusterStatus"])
    except ClientError:
        return GONE


CASES: dict[str, Case] = {
    "redshift-pause": Case(
        "redshift:cluster", "stop", make_cluster, cluster_state, "available", "paused", calls("PauseCluster")
    ),
    "redshift-resume": Case(
        "redshift:cluster", "start", make_paused_cluster, cluster_state, "paused", "available", calls("ResumeCluster")
    ),
}
SERVICES: dict[str, str] = {"redshift-pause": "redshift", "redshift-resume": "redshift"}
DONE_MESSAGES: dict[str, str] = {"redshift-pause": "paused", "redshift-resume": "resumed"}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "redshift-pause": ("redshift", "DescribeClusters"),
    "redshift-resume": ("redshift", "DescribeClusters"),
}
STATE_REFUSALS: list[StateRefusal] = [
    ("redshift-pause", "Clusters.0.ClusterStatus", "pausing", "already pausing", False),
    ("redshift-pause", "Clusters.0.ClusterStatus", "paused", "already paused", False),
    ("redshift-pause", "Clusters.0.ClusterStatus", "resizing",
     "state is resizing; only an available cluster can be paused", False),
    ("redshift-resume", "Clusters.0.ClusterStatus", "resuming", "already resuming", False),
    ("redshift-resume", "Clusters.0.ClusterStatus", "available",
     "state is available; only a paused cluster can be resumed", False),
]  # fmt: skip
