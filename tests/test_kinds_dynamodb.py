"""DynamoDB tables (aws/kinds/dynamodb.py) against moto: fields, capacity, indexes, tags, paging
past page 1 with the page-size parameter; and their prices to the cent, with their bases."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource, iso_utc

ACCOUNT = "123456789012"
TABLE = "dynamodb:table"
GIB = 2**30


def row(kind: str, region: str = "us-east-1", state: str = "available", **details: Any) -> Resource:
    return Resource(kind=kind, id="x", region=region, account_id=ACCOUNT, state=state, details=details)


# --- DynamoDB -----------------------------------------------------------------------------------


def _table(ddb: Any, name: str, **extra: Any) -> None:
    params: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    params.update(extra)
    ddb.create_table(**params)


def test_dynamodb_tables_fields_capacity_indexes_and_tags() -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-west-2")
        _table(
            ddb,
            "orders",
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 50},
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "customer", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-customer",
                    "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 20, "WriteCapacityUnits": 10},
                }
            ],
            DeletionProtectionEnabled=True,
            Tags=[{"Key": "Name", "Value": "orders-table"}, {"Key": "env", "Value": "prod"}],
        )
        _table(ddb, "events")
        ddb.put_item(TableName="events", Item={"pk": {"S": "e-1"}})
        created = ddb.describe_table(TableName="orders")["Table"]["CreationDateTime"]

        resources, _ = helpers.scan([TABLE], ["us-west-2"])

    found = {r.id: r for r in resources}
    assert set(found) == {"orders", "events"}
    orders, events = found["orders"], found["events"]
    assert orders.arn == f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/orders"
    assert (orders.state, orders.name, orders.region) == ("ACTIVE", "orders-table", "us-west-2")
    assert orders.tags == {"Name": "orders-table", "env": "prod"}
    assert orders.created == iso_utc(created)
    assert {
        k: orders.details[k]
        for k in (
            "billing_mode",
            "read_capacity_units",
            "write_capacity_units",
            "gsi_count",
            "gsi_read_capacity_units",
            "gsi_write_capacity_units",
            "table_class",
            "deletion_protection",
        )
    } == {
        "billing_mode": "PROVISIONED",
        "read_capacity_units": 100,
        "write_capacity_units": 50,
        "gsi_count": 1,
        "gsi_read_capacity_units": 20,
        "gsi_write_capacity_units": 10,
        "table_class": "STANDARD",
        "deletion_protection": True,
    }
    assert events.details["billing_mode"] == "PAY_PER_REQUEST"
    assert "read_capacity_units" not in events.details  # on-demand: no provisioned capacity
    assert events.details["item_count"] == 1
    assert events.details["deletion_protection"] is False
    assert events.tags == {} and events.name == "events"
    # Priced as scanned: 120 RCU and 60 WCU with the index.
    assert orders.monthly_cost == 39.86


def test_dynamodb_list_tables_pages_past_the_first_page() -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        names = [f"table-{i}" for i in range(5)]
        for name in names:
            _table(ddb, name)
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan([TABLE], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "dynamodb.ListTables")
    assert [p.get("ExclusiveStartTableName") for p in pages] == [None, "table-1", "table-3"]
    assert all(p["Limit"] == 2 for p in pages)
    assert len(named(calls, "dynamodb.DescribeTable")) == 5
    assert len(named(calls, "dynamodb.ListTagsOfResource")) == 5


def test_dynamodb_provisioned_price_counts_index_capacity_and_storage() -> None:
    table = row(
        TABLE,
        state="ACTIVE",
        billing_mode="PROVISIONED",
        read_capacity_units=100,
        write_capacity_units=50,
        gsi_count=1,
        gsi_read_capacity_units=20,
        gsi_write_capacity_units=10,
        size_bytes=40 * GIB,
    )
    cost, basis = estimate(table)
    # (120 x $0.00013 + 60 x $0.00065) x 730 = $39.858 -> $39.86; 40 GB x $0.25 = $10.00.
    assert cost == 49.86
    assert basis == (
        "provisioned us-east-1: (120 RCU x $0.00013/h + 60 WCU x $0.00065/h) x 730 h = $39.86 "
        "(20 RCU and 10 WCU of it on 1 index); + storage 40 GB x $0.25/GB-mo = $10.00; total $49.86"
    )


def test_dynamodb_on_demand_price_is_storage_plus_usage_dependent_requests() -> None:
    cost, basis = estimate(row(TABLE, state="ACTIVE", billing_mode="PAY_PER_REQUEST", size_bytes=int(2.5 * GIB)))
    assert cost == 0.63  # 2.5 GB x $0.25 = $0.625, half up
    assert basis == "on-demand: storage 2.5 GB x $0.25/GB-mo = $0.63 + requests, usage-dependent"


def test_dynamodb_without_a_catalogue_price_is_unknown_with_the_reason() -> None:
    eu = row(TABLE, "eu-west-1", state="ACTIVE", billing_mode="PROVISIONED", read_capacity_units=5, size_bytes=0)
    assert estimate(eu) == (None, "no catalogue price for DynamoDB in eu-west-1")
    ia = row(
        TABLE, state="ACTIVE", billing_mode="PAY_PER_REQUEST", size_bytes=0, table_class="STANDARD_INFREQUENT_ACCESS"
    )
    assert estimate(ia) == (None, "no catalogue price for the STANDARD_INFREQUENT_ACCESS table class in us-east-1")
    assert estimate(row(TABLE, state="ACTIVE", billing_mode="PROVISIONED")) == (None, "DynamoDB: table size unknown")
