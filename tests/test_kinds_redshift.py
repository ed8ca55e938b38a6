"""Redshift clusters (aws/kinds/redshift.py) against moto: fields, state, tags; following the marker
(Stubber: moto does not page DescribeClusters); and their prices, paused paying no nodes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.stubs import Stubs, collect
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.redshift import list_redshift_clusters
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"
REDSHIFT = "redshift:cluster"
CREATED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


def row(kind: str, region: str = "us-east-1", state: str = "available", **details: Any) -> Resource:
    return Resource(kind=kind, id="x", region=region, account_id=ACCOUNT, state=state, details=details)


# --- Redshift ------------------------------------------------------------------------------------


def test_redshift_clusters_fields_state_and_tags() -> None:
    with mock_aws():
        rs = boto3.client("redshift", region_name="us-east-1")
        rs.create_cluster(
            ClusterIdentifier="warehouse",
            NodeType="ra3.xlplus",
            NumberOfNodes=2,
            ClusterType="multi-node",
            DBName="analytics",
            MasterUsername="admin",
            MasterUserPassword="NotASecret1",
            Encrypted=True,
            Tags=[{"Key": "env", "Value": "prod"}],
        )
        rs.create_cluster(
            ClusterIdentifier="adhoc",
            NodeType="dc2.large",
            ClusterType="single-node",
            MasterUsername="admin",
            MasterUserPassword="NotASecret1",
        )
        rs.pause_cluster(ClusterIdentifier="adhoc")
        created = rs.describe_clusters(ClusterIdentifier="warehouse")["Clusters"][0]["ClusterCreateTime"]

        resources, _ = helpers.scan([REDSHIFT])

    found = {r.id: r for r in resources}
    warehouse, adhoc = found["warehouse"], found["adhoc"]
    assert warehouse.arn == f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:warehouse"
    assert (warehouse.state, adhoc.state) == ("available", "paused")
    assert warehouse.tags == {"env": "prod"}
    assert warehouse.created == iso_utc(created)
    assert {k: warehouse.details[k] for k in ("node_type", "number_of_nodes", "db_name", "encrypted")} == {
        "node_type": "ra3.xlplus",
        "number_of_nodes": 2,
        "db_name": "analytics",
        "encrypted": True,
    }
    assert warehouse.details["availability_zone"].startswith("us-east-1")
    assert (adhoc.details["node_type"], adhoc.details["number_of_nodes"]) == ("dc2.large", 1)
    assert (warehouse.monthly_cost, adhoc.monthly_cost) == (1585.56, 0.0)


def _cluster(ident: str, status: str = "available") -> dict[str, Any]:
    return {
        "ClusterIdentifier": ident,
        "NodeType": "ra3.xlplus",
        "ClusterStatus": status,
        "NumberOfNodes": 2,
        "DBName": "dev",
        "ClusterCreateTime": CREATED,
        "AvailabilityZone": "us-east-1b",
        "Encrypted": True,
        "Tags": [{"Key": "team", "Value": ident}],
    }


def test_redshift_describe_clusters_follows_the_marker(stubs: Stubs) -> None:
    rs = stubs("redshift")
    rs.add_response(
        "describe_clusters", {"Clusters": [_cluster("a"), _cluster("b")], "Marker": "next"}, {"MaxRecords": 20}
    )
    rs.add_response("describe_clusters", {"Clusters": [_cluster("c", "paused")]}, {"MaxRecords": 20, "Marker": "next"})

    found = collect(list_redshift_clusters(stubs.context("us-east-1", ["us-east-1"], page_size=20)))

    stubs.assert_no_pending_responses()
    assert {ident: (r.state, r.tags["team"]) for ident, r in found.items()} == {
        "a": ("available", "a"),
        "b": ("available", "b"),
        "c": ("paused", "c"),
    }


def test_redshift_price_is_nodes_times_the_node_hour_and_paused_pays_no_nodes() -> None:
    running = row(REDSHIFT, node_type="ra3.xlplus", number_of_nodes=2)
    assert estimate(running) == (
        1585.56,
        "ra3.xlplus us-east-1 (catalogue 2026-10-15), 2 x $1.0860/h x 730 h = $1,585.56 "
        "+ managed storage at $0.024/GB-mo, usage-dependent",
    )
    dc2 = row(REDSHIFT, node_type="dc2.large", number_of_nodes=3)
    assert estimate(dc2) == (547.5, "dc2.large us-east-1 (catalogue 2026-10-15), 3 x $0.2500/h x 730 h = $547.50")
    paused = row(REDSHIFT, state="paused", node_type="ra3.xlplus", number_of_nodes=2)
    assert estimate(paused) == (0.0, "paused: no node charge; + managed storage at $0.024/GB-mo, usage-dependent")
    # Paused needs no node price: a region without one still prices it.
    assert estimate(row(REDSHIFT, "eu-west-1", state="paused", node_type="dc2.large", number_of_nodes=1))[0] == 0.0


def test_redshift_without_a_node_price_is_unknown_with_the_reason() -> None:
    assert estimate(row(REDSHIFT, "eu-west-1", node_type="ra3.xlplus", number_of_nodes=2)) == (
        None,
        "no catalogue price for ra3.xlplus nodes in eu-west-1",
    )
    assert estimate(row(REDSHIFT, node_type="ra3.xlplus")) == (None, "ra3.xlplus: node count unknown")
