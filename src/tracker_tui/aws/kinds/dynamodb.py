"""DynamoDB tables: billing mode, provisioned capacity (the table's and its indexes'), size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, error_code, known, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import (
    GIB,
    Estimate,
    PriceBook,
    cents,
    count_text,
    gb_text,
    number,
    unit,
    unknown_region,
)
from tracker_tui.pricing.catalogue import Catalogue

KIND = "dynamodb:table"

PROVISIONED = "PROVISIONED"
ON_DEMAND = "PAY_PER_REQUEST"
STANDARD_CLASS = "STANDARD"

#: The error DescribeTable answers for a table that does not exist (any more).
NOT_FOUND = "ResourceNotFoundException"


def list_tables(ctx: CellContext) -> Iterator[list[Resource]]:
    """ListTables, then DescribeTable and ListTagsOfResource for each table, side by side."""
    ddb = ctx.client("dynamodb")
    for page in ctx.pages(ddb, "list_tables"):
        names = [str(n) for n in page.get("TableNames", [])]
        # The table's ARN is known from its name, so its tags need not wait for its description.
        jobs = [(name, part) for name in names for part in ("table", "tags")]
        answers = ctx.fan_out(lambda job: _read(ctx, ddb, *job), jobs)
        found = dict(zip(jobs, answers, strict=True))
        batch = []
        for name in names:
            table = found[(name, "table")]
            if table is None:  # deleted between ListTables and DescribeTable
                continue
            tags = found[(name, "tags")] or {}
            if table is _UNREAD:  # listed, but DescribeTable failed: the name is all we know
                batch.append(_undescribed(ctx, name, tags))
                continue
            batch.append(_table(ctx, table, tags))
        yield batch


def table_arn(ctx: CellContext, name: str) -> str:
    return ctx.arn("dynamodb", f"table/{name}")


#: DescribeTable failed for a listed table (a refusal, a timeout): it is still listed.
_UNREAD: dict[str, Any] = {}


def _read(ctx: CellContext, ddb: Any, name: str, part: str) -> Any:
    if part == "tags":
        try:
            return table_tags(ddb, table_arn(ctx, name))
        except ITEM_ERRORS as exc:
            # Listed without tags (the delete action reads them again and refuses then).
            ctx.unreadable("tags", exc, name)
            return {}
    try:
        # An answer without its Table (thinner than AWS documents) is no proof the table is
        # gone: only ResourceNotFound says that.  It is listed with its name, undescribed.
        return ddb.describe_table(TableName=name).get("Table") or _UNREAD
    except ITEM_ERRORS as exc:
        if error_code(exc) == NOT_FOUND:
            return None
        ctx.unreadable("description", exc, name)
        return _UNREAD


def _undescribed(ctx: CellContext, name: str, tags: dict[str, str]) -> Resource:
    """A listed table whose description could not be read: no guessed mode, size or protection
    (its cost is unknown for want of a size; an action reads it again first)."""
    return Resource(
        kind=KIND,
        id=name,
        account_id=ctx.account_id,
        arn=table_arn(ctx, name),
        name=tags.get("Name", "") or name,
        region=ctx.region,
        state="unknown",
        created=None,
        tags=tags,
        details={},
    )


def table_tags(ddb: Any, arn: str) -> dict[str, str]:
    """Every tag of a table (ListTagsOfResource pages with NextToken)."""
    tags: dict[str, str] = {}
    for page in ddb.get_paginator("list_tags_of_resource").paginate(ResourceArn=arn):
        tags.update(tag_dict(page.get("Tags")))
    return tags


def _table(ctx: CellContext, table: dict[str, Any], tags: dict[str, str]) -> Resource:
    name = str(table["TableName"])
    mode = str((table.get("BillingModeSummary") or {}).get("BillingMode") or PROVISIONED)
    provisioned = mode == PROVISIONED
    throughput = table.get("ProvisionedThroughput") or {}
    indexes = table.get("GlobalSecondaryIndexes") or []
    size = table.get("TableSizeBytes")
    details: dict[str, Any] = {
        "billing_mode": mode,
        "read_capacity_units": throughput.get("ReadCapacityUnits") if provisioned else None,
        "write_capacity_units": throughput.get("WriteCapacityUnits") if provisioned else None,
        "gsi_count": len(indexes),
        "gsi_read_capacity_units": _index_capacity(indexes, "ReadCapacityUnits") if provisioned else None,
        "gsi_write_capacity_units": _index_capacity(indexes, "WriteCapacityUnits") if provisioned else None,
        "item_count": table.get("ItemCount"),
        "size_bytes": size,
        "size_gb": round(size / GIB, 3) if isinstance(size, int) else None,
        "table_class": str((table.get("TableClassSummary") or {}).get("TableClass") or STANDARD_CLASS),
        "deletion_protection": bool(table.get("DeletionProtectionEnabled")),
        "replica_regions": [r.get("RegionName") for r in table.get("Replicas") or []] or None,
        "stream": (table.get("StreamSpecification") or {}).get("StreamViewType"),
    }
    return Resource(
        kind=KIND,
        id=name,
        account_id=ctx.account_id,
        arn=table.get("TableArn") or table_arn(ctx, name),
        name=tags.get("Name", "") or name,
        region=ctx.region,
        state=str(table.get("TableStatus", "")),
        created=ts(table.get("CreationDateTime")),
        tags=tags,
        details=known(details),
    )


def _index_capacity(indexes: list[dict[str, Any]], field: str) -> int:
    return sum(int((index.get("ProvisionedThroughput") or {}).get(field) or 0) for index in indexes)


def estimate_table(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    """Provisioned: capacity-hours (table and indexes) + storage; on-demand: storage + requests."""
    d = r.details
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    table_class = str(d.get("table_class") or STANDARD_CLASS)
    if table_class != STANDARD_CLASS:
        return None, f"no catalogue price for the {table_class} table class in {r.region}"
    storage_price = cat.service_price("dynamodb_provisioned", r.region, "storage_gb_month")
    if storage_price is None:
        return None, f"no catalogue price for DynamoDB in {r.region}"
    size = number(d.get("size_bytes"))
    if size is None:
        return None, "DynamoDB: table size unknown"
    gb = size / GIB
    storage_cost = gb * storage_price
    storage_basis = f"storage {gb_text(gb)} GB x ${unit(storage_price)}/GB-mo = {format_cost(cents(storage_cost))}"
    mode = str(d.get("billing_mode") or PROVISIONED)
    if mode == ON_DEMAND:
        return cents(storage_cost), f"on-demand: {storage_basis} + requests, usage-dependent"

    rcu_hour = cat.service_price("dynamodb_provisioned", r.region, "rcu_hour")
    wcu_hour = cat.service_price("dynamodb_provisioned", r.region, "wcu_hour")
    if rcu_hour is None or wcu_hour is None:
        return None, f"no catalogue price for DynamoDB provisioned capacity in {r.region}"
    gsi_rcu = number(d.get("gsi_read_capacity_units")) or 0.0
    gsi_wcu = number(d.get("gsi_write_capacity_units")) or 0.0
    rcu = (number(d.get("read_capacity_units")) or 0.0) + gsi_rcu
    wcu = (number(d.get("write_capacity_units")) or 0.0) + gsi_wcu
    hours = cat.hours_per_month
    # Rounded to a micro-dollar first, so float noise never tips a half cent the wrong way.
    capacity_cost = round((rcu * rcu_hour + wcu * wcu_hour) * hours, 6)
    gsi_count = int(number(d.get("gsi_count")) or 0)
    on_indexes = (
        f" ({count_text(gsi_rcu)} RCU and {count_text(gsi_wcu)} WCU of it on "
        f"{count_text(gsi_count)} {'index' if gsi_count == 1 else 'indexes'})"
        if gsi_rcu or gsi_wcu
        else ""
    )
    # The total is the sum of the two parts as the basis shows them.
    monthly = cents(cents(capacity_cost) + cents(storage_cost))
    return monthly, (
        f"provisioned {r.region}: ({count_text(rcu)} RCU x ${unit(rcu_hour)}/h + "
        f"{count_text(wcu)} WCU x ${unit(wcu_hour)}/h) x {hours} h = {format_cost(cents(capacity_cost))}{on_indexes}"
        f"; + {storage_basis}; total {format_cost(monthly)}"
    )


SPEC = KindSpec(
    id=KIND,
    console=console_page("dynamodbv2/home?region={region}#table?name={id}"),
    aliases=("table",),
    label="ddb",
    title="DynamoDB tables",
    service="dynamodb",
    scope="regional",
    lister=list_tables,
    iam_actions=("dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:ListTagsOfResource"),
    estimator=estimate_table,
    rules=(),
    verbs={"delete": "delete"},
    billed_as="Amazon DynamoDB",
    not_found_codes=frozenset({NOT_FOUND}),
)
