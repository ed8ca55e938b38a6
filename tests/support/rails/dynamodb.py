"""The safety-rail cases of tracker_tui/aws/actions/dynamodb.py (see base.py for the shape):
deleting a table, its on-demand backup made (and audited) first, as by default; switching a
provisioned table to on-demand (``m``), whose state is the table's billing mode.

moto switches the billing mode at once (ACTIVE and PAY_PER_REQUEST straight after the call)
and never answers LastUpdateToPayPerRequestDateTime: tests/test_actions_dynamodb.py injects
the UPDATING state and the 24-hour window with botocore hooks."""

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


def table_billing(ident: str) -> str:
    """What modify changes: the table's billing mode."""
    try:
        table = _dynamodb().describe_table(TableName=ident)["Table"]
    except ClientError:
        return GONE
    return str((table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED")


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
    "dynamodb-modify": Case(
        "dynamodb:table", "modify", make_table, table_billing, "PROVISIONED", "PAY_PER_REQUEST", calls("UpdateTable")
    ),
}
SERVICES: dict[str, str] = {"dynamodb-delete": "dynamodb", "dynamodb-modify": "dynamodb"}
DONE_MESSAGES: dict[str, str] = {
    # The box "make an on-demand backup first" is on by default: the delete names the backup.
    "dynamodb-delete": "deleted; backup tracker-tui-final-rails-table-",
    "dynamodb-modify": "switched to on-demand (PAY_PER_REQUEST)",
}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "dynamodb-delete": ("dynamodb", "DescribeTable"),
    "dynamodb-modify": ("dynamodb", "DescribeTable"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    # moto switches at once; the stale reads still say provisioned.
    "dynamodb-modify": "it was not ACTIVE and on-demand within 0.3 s (state: ACTIVE, PROVISIONED)",
}
STATE_REFUSALS: list[StateRefusal] = [
    ("dynamodb-delete", "Table.TableStatus", "DELETING", "already being deleted", False),
    ("dynamodb-delete", "Table.TableStatus", "UPDATING",
     "state is UPDATING; only an ACTIVE table can be deleted", False),
    ("dynamodb-delete", "Table.DeletionProtectionEnabled", True,
     "deletion protection is on (DeletionProtectionEnabled); tracker-tui never switches it off", False),
    ("dynamodb-modify", "Table.BillingModeSummary", {"BillingMode": "PAY_PER_REQUEST"},
     "it is on-demand (PAY_PER_REQUEST) already", False),
    ("dynamodb-modify", "Table.TableStatus", "UPDATING",
     "state is UPDATING; only an ACTIVE table can be switched to on-demand", False),
    ("dynamodb-modify", "Table.TableStatus", "DELETING", "it is being deleted", False),
]  # fmt: skip
