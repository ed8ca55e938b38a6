"""The safety-rail case of tracker_tui/aws/actions/dynamodb.py (see base.py for the shape):
deleting a table, its on-demand backup made (and audited) first, as by default."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, tag_list, where


def _dynamodb() -> Any:
    return boto3.client("dynamodb", region_name=where())


def make_table(tags: Tags) -> str:
    extra = {"Tags": tag_list(tags)} if tags else {}
    _dynamodb().create_table(
        TableName="rails-table",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
        **extra,
    )
    return "rails-table"


def table_state(ident: str) -> str:
    try:
        return str(_dynamodb().describe_table(TableName=ident)["Table"]["TableStatus"])
    except ClientError:
        return GONE


CASES: dict[str, Case] = {
    # The on-demand backup is made (and audited) before the table is deleted.
    "dynamodb-delete": Case(
        "dynamodb:table",
        "delete",
        make_table,
        table_state,
        "ACTIVE",
        GONE,
        calls("CreateBackup") + calls("DeleteTable"),
    ),
}
SERVICES: dict[str, str] = {"dynamodb-delete": "dynamodb"}
DONE_MESSAGES: dict[str, str] = {
    # The box "make an on-demand backup first" is on by default: the delete names the backup.
    "dynamodb-delete": "deleted; backup tracker-tui-final-rails-table-",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {"dynamodb-delete": ("dynamodb", "DescribeTable")}
STATE_REFUSALS: list[StateRefusal] = [
    ("dynamodb-delete", "Table.TableStatus", "DELETING", "already being deleted", False),
    ("dynamodb-delete", "Table.TableStatus", "UPDATING",
     "state is UPDATING; only an ACTIVE table can be deleted", False),
    ("dynamodb-delete", "Table.DeletionProtectionEnabled", True,
     "deletion protection is on (DeletionProtectionEnabled); tracker-tui never switches it off", False),
]  # fmt: skip
