"""DynamoDB tables: billing mode, provisioned capacity (the table's and its indexes'), size, and
the CloudWatch check of provisioned capacity nobody consumes (``idle-dynamodb-table``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracker_tui.aws.kinds.base import (
    ITEM_ERRORS,
    CellContext,
    InPlace,
    KindSpec,
    Lister,
    error_code,
    known,
    tag_dict,
    ts,
)
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    unknown_saving,
)
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
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

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


def list_table(name: str) -> Lister:
    """A lister of the one table ``name``, mapped as ``list_tables`` maps it (an action's re-read
    of the row it changed, without listing and describing every table in the region)."""

    def lister(ctx: CellContext) -> Iterator[list[Resource]]:
        ddb = ctx.client("dynamodb")
        table = _read(ctx, ddb, name, "table")
        if table is None:  # gone
            return
        tags = _read(ctx, ddb, name, "tags") or {}
        yield [_undescribed(ctx, name, tags) if table is _UNREAD else _table(ctx, table, tags)]

    return lister


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

    capacity = provisioned_capacity(r, cat)
    if capacity is None:
        return None, f"no catalogue price for DynamoDB provisioned capacity in {r.region}"
    # The total is the sum of the two parts as the basis shows them.
    monthly = cents(capacity.monthly + cents(storage_cost))
    return monthly, f"provisioned {r.region}: {capacity.text}; + {storage_basis}; total {format_cost(monthly)}"


@dataclass(frozen=True)
class Capacity:
    """A provisioned table's capacity (its own and its indexes') and what it costs a month."""

    rcu: float
    wcu: float
    gsi_rcu: float
    gsi_wcu: float
    gsi_count: int
    rcu_hour: float
    wcu_hour: float
    hours: float
    #: USD a month, to the cent (the part of the row's cost an on-demand table would not pay).
    monthly: float

    @property
    def text(self) -> str:
        """``(20 RCU x $0.00013/h + 10 WCU x $0.00065/h) x 730 h = $6.64 (5 RCU and 5 WCU of it on 1 index)``."""
        on_indexes = (
            f" ({count_text(self.gsi_rcu)} RCU and {count_text(self.gsi_wcu)} WCU of it on "
            f"{count_text(self.gsi_count)} {'index' if self.gsi_count == 1 else 'indexes'})"
            if self.gsi_rcu or self.gsi_wcu
            else ""
        )
        return (
            f"({count_text(self.rcu)} RCU x ${unit(self.rcu_hour)}/h + {count_text(self.wcu)} WCU x "
            f"${unit(self.wcu_hour)}/h) x {self.hours} h = {format_cost(self.monthly)}{on_indexes}"
        )


def provisioned_capacity(r: Resource, cat: Catalogue) -> Capacity | None:
    """The capacity part of a provisioned table's cost, from the catalogue's RCU- and WCU-hour
    rates (None where the catalogue has none)."""
    d = r.details
    rcu_hour = cat.service_price("dynamodb_provisioned", r.region, "rcu_hour")
    wcu_hour = cat.service_price("dynamodb_provisioned", r.region, "wcu_hour")
    if rcu_hour is None or wcu_hour is None:
        return None
    gsi_rcu = number(d.get("gsi_read_capacity_units")) or 0.0
    gsi_wcu = number(d.get("gsi_write_capacity_units")) or 0.0
    rcu = (number(d.get("read_capacity_units")) or 0.0) + gsi_rcu
    wcu = (number(d.get("write_capacity_units")) or 0.0) + gsi_wcu
    hours = cat.hours_per_month
    # Rounded to a micro-dollar first, so float noise never tips a half cent the wrong way.
    cost = round((rcu * rcu_hour + wcu * wcu_hour) * hours, 6)
    gsi_count = int(number(d.get("gsi_count")) or 0)
    return Capacity(rcu, wcu, gsi_rcu, gsi_wcu, gsi_count, rcu_hour, wcu_hour, hours, cents(cost))


# --- idle-dynamodb-table: provisioned capacity nobody consumes (CloudWatch) -----------------------

#: ``idle-dynamodb-table``: read and write capacity units consumed over the window, together, at most this.
IDLE_TABLE_CAPACITY_UNITS = Knob(
    "idle_table_capacity_units",
    0.0,
    "idle-dynamodb-table: read and write capacity units consumed over the window at most this",
    0.0,
    1e15,
)


def _provisioned(r: Resource) -> bool:
    return r.state == "ACTIVE" and r.details.get("billing_mode") == PROVISIONED


def _judge_consumed(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    reads, writes = values["reads"], values["writes"]
    total = sum(reads) + sum(writes)
    idle = total <= limits[IDLE_TABLE_CAPACITY_UNITS]
    evidence = (
        f"over {limits[IDLE_DAYS]:g} days: ConsumedReadCapacityUnits ({days_text(reads)}) {count(sum(reads))} "
        f"read units, ConsumedWriteCapacityUnits ({days_text(writes)}) {count(sum(writes))} write units "
        f"({'at most' if idle else 'more than'} {count(limits[IDLE_TABLE_CAPACITY_UNITS])} together)"
    )
    indexes = int(number(r.details.get("gsi_count")) or 0)
    if not indexes:
        return Verdict(idle, evidence)
    # Reads through an index are published apart (its own GlobalSecondaryIndexName dimension),
    # and are not read here; writes reach an index only through the table, so they are.
    word = "index" if indexes == 1 else "indexes"
    return Verdict(
        idle,
        f"{evidence}; reads through its {indexes} global secondary {word} are not counted",
        confidence="medium",
    )


def capacity_saving(r: Resource) -> float | None:
    """What switching ``r`` to on-demand saves a month: its provisioned capacity charge (None:
    the row is not priced, or the catalogue has no capacity rates; 0.0 for an on-demand table)."""
    if r.monthly_cost is None:  # not priced (unknown region, table class, size): nor is its capacity
        return None
    capacity = provisioned_capacity(r, load_catalogue())
    return None if capacity is None else capacity.monthly


def _capacity_basis(r: Resource, saving: float | None) -> str:
    monthly = r.monthly_cost
    capacity = provisioned_capacity(r, load_catalogue())
    if saving is None or capacity is None or monthly is None:
        return unknown_saving(r, "provisioned capacity's cost")
    return (
        f"switching it to on-demand removes its provisioned capacity charge, {format_cost(saving)}/mo: "
        f"{capacity.text}; storage ({format_cost(cents(monthly - saving))} of the row's {format_cost(monthly)}) "
        "keeps billing, and on-demand bills per request instead"
    )


IDLE_DYNAMODB_TABLE = MetricRule(
    id="idle-dynamodb-table",
    label="provisioned table with no consumed capacity",
    applies=_provisioned,
    queries=(
        MetricQuery("reads", "AWS/DynamoDB", "ConsumedReadCapacityUnits", "Sum", "TableName", sparse=True),
        MetricQuery("writes", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", "Sum", "TableName", sparse=True),
    ),
    judge=_judge_consumed,
    knobs=(IDLE_TABLE_CAPACITY_UNITS,),
    saving=capacity_saving,
    saving_basis=_capacity_basis,
    # Switched to on-demand in place (``m``); deleting an idle table is not the fix.
    action="modify",
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
    verbs={"delete": "delete", "modify": "modify"},
    billed_as="Amazon DynamoDB",
    not_found_codes=frozenset({NOT_FOUND}),
    metric_rules=(IDLE_DYNAMODB_TABLE,),
    # On-demand billing keeps the table and its data; back to provisioned after 24 h.
    in_place={IDLE_DYNAMODB_TABLE.id: InPlace("modify")},
)
