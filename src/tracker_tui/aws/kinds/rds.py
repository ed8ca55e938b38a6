"""RDS DB instances."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, Related, Rule, known, own_cost, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import IDLE_DAYS, MetricQuery, MetricRule, Series, Verdict, count, days_text
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import (
    Estimate,
    PriceBook,
    PriceQuery,
    cents,
    count_text,
    fetched,
    number,
    price_source,
    rate,
    unit,
    unknown_region,
)
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

KIND = "rds:db-instance"


def list_db_instances(ctx: CellContext) -> Iterator[list[Resource]]:
    rds = ctx.client("rds")
    for page in ctx.pages(rds, "describe_db_instances"):
        batch = []
        for db in page.get("DBInstances", []):
            tags = tag_dict(db.get("TagList"))
            ident = db["DBInstanceIdentifier"]
            details = {
                "engine": db.get("Engine"),
                "engine_version": db.get("EngineVersion"),
                "instance_class": db.get("DBInstanceClass"),
                "multi_az": bool(db.get("MultiAZ")),
                "allocated_storage_gib": db.get("AllocatedStorage"),
                "storage_type": db.get("StorageType"),
                "iops": db.get("Iops"),
                "deletion_protection": bool(db.get("DeletionProtection")),
                "availability_zone": db.get("AvailabilityZone"),
                "endpoint": (db.get("Endpoint") or {}).get("Address"),
                "license_model": db.get("LicenseModel"),
                "cluster_id": db.get("DBClusterIdentifier"),
                "publicly_accessible": db.get("PubliclyAccessible"),
            }
            batch.append(
                Resource(
                    kind=KIND,
                    id=ident,
                    account_id=ctx.account_id,
                    arn=db.get("DBInstanceArn") or ctx.arn("rds", f"db:{ident}"),
                    name=tags.get("Name", "") or ident,
                    region=ctx.region,
                    state=db.get("DBInstanceStatus", ""),
                    created=ts(db.get("InstanceCreateTime")),
                    tags=tags,
                    details=known(details),
                )
            )
        yield batch


#: DescribeDBInstances' Engine -> the Price List API's ``databaseEngine``.
PRICE_ENGINES = {
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "postgres": "PostgreSQL",
    "aurora-mysql": "Aurora MySQL",
    "aurora": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
    "sqlserver-ex": "SQL Server",
    "sqlserver-web": "SQL Server",
    "sqlserver-se": "SQL Server",
    "sqlserver-ee": "SQL Server",
    "oracle-se2": "Oracle",
    "oracle-ee": "Oracle",
}
#: SQL Server and Oracle editions, as the Price List API's ``databaseEdition`` says them.
PRICE_EDITIONS = {
    "sqlserver-ex": "Express",
    "sqlserver-web": "Web",
    "sqlserver-se": "Standard",
    "sqlserver-ee": "Enterprise",
    "oracle-se2": "Standard Two",
    "oracle-ee": "Enterprise",
}


def price_query(engine: str, instance_class: str, region: str, multi_az: bool) -> PriceQuery:
    """The GetProducts filters for one on-demand DB instance class (license included where it applies)."""
    engine = engine.strip().lower()
    filters = [
        ("instanceType", instance_class),
        ("regionCode", region),
        ("databaseEngine", PRICE_ENGINES.get(engine, engine)),
        ("deploymentOption", "Multi-AZ" if multi_az else "Single-AZ"),
    ]
    if engine in PRICE_EDITIONS:
        filters.append(("databaseEdition", PRICE_EDITIONS[engine]))
        filters.append(("licenseModel", "License included"))
    az = "Multi-AZ" if multi_az else "Single-AZ"
    return PriceQuery("AmazonRDS", tuple(filters), "Hrs", f"{instance_class} {engine} {az} {region}")


def estimate_db_instance(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    engine = str(d.get("engine") or "")
    cls = str(d.get("instance_class") or "")
    multi_az = bool(d.get("multi_az"))
    copies = 2 if multi_az else 1
    az = "Multi-AZ" if multi_az else "Single-AZ"
    stopped = (r.state or "").lower() == "stopped"
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    if cls == "db.serverless":
        return None, f"Aurora Serverless v2 ({engine}): ACU-hours, usage-dependent"
    aurora = cat.rds_engine(engine).startswith("aurora")

    # Storage (not for Aurora: its storage is billed on the cluster).
    storage_cost = 0.0
    storage_basis = ""
    if aurora:
        storage_basis = cat.aurora_storage_note
    else:
        stype = str(d.get("storage_type") or "")
        size = number(d.get("allocated_storage_gib"))
        rates = cat.rds_storage(stype, r.region)
        if rates is None or size is None:
            what = f"storage type {stype or 'unknown'}" if rates is None else "allocated storage unknown"
            return None, f"{cls} {engine}: no catalogue price for {what}"
        storage_cost = size * rates.gb_month * copies
        x_az = " x 2 (Multi-AZ)" if multi_az else ""
        storage_basis = f"storage {stype} {count_text(size)} GiB x ${unit(rates.gb_month)}/GB-mo{x_az}"
        iops = number(d.get("iops")) or 0.0
        included = rates.iops_included_from_400_gib if size >= 400 else rates.iops_included
        extra = max(0.0, iops - included) if stype in ("gp3", "io1", "io2") else 0.0
        if extra > 0:
            if rates.iops_month is None:
                return None, (
                    f"{cls} {engine}: no catalogue price for {stype} provisioned IOPS in {r.region}; "
                    "`tracker-tui prices update` fetches it"
                )
            storage_cost += extra * rates.iops_month * copies
            above = f" above {count_text(included)}" if included else ""
            storage_basis += f" + {count_text(extra)} IOPS{above} x ${unit(rates.iops_month)}{x_az}"
        if rates.usage_note:
            storage_basis += f" {rates.usage_note}"

    if stopped:
        if aurora:
            return 0.0, f"stopped: no instance charge; {storage_basis}"
        monthly = cents(storage_cost)
        return monthly, (
            f"stopped: no instance charge (RDS starts it again after 7 days); {storage_basis} = {format_cost(monthly)}"
        )

    found = fetched(book, price_query(engine, cls, r.region, multi_az))
    hourly = found.usd if found is not None else cat.rds_hourly(engine, cls, r.region, multi_az=multi_az)
    if hourly is None:
        return None, (
            f"no catalogue price for {cls or 'unknown class'} {engine or 'unknown engine'} {az} in {r.region}; "
            "`tracker-tui prices update` fetches it"
        )
    instance_cost = hourly * cat.hours_per_month
    instance_basis = (
        f"{cls} {engine} {az} {r.region} ({price_source(found, cat)}), ${rate(hourly)}/h x {cat.hours_per_month} h"
    )
    if aurora:
        monthly = cents(instance_cost)
        return monthly, f"{instance_basis} = {format_cost(monthly)}; {storage_basis}"
    monthly = cents(instance_cost + storage_cost)
    return monthly, (
        f"{instance_basis} = {format_cost(cents(instance_cost))} + "
        f"{storage_basis} = {format_cost(cents(storage_cost))}; "
        f"total {format_cost(monthly)}"
    )


def _stopped_evidence(r: Resource, related: Related, saving: float | None) -> str:
    cost = "storage cost unknown" if r.monthly_cost is None else f"storage still costs {format_cost(r.monthly_cost)}/mo"
    return (
        f"stopped; {cost} ({r.cost_basis or 'not priced'}); AWS starts a stopped instance again after 7 days, "
        "so a database kept stopped comes back billed in full"
    )


STOPPED_DATABASE = Rule(
    id="stopped-database",
    label="stopped database still paying for storage",
    applies=lambda r: (r.state or "").lower() == "stopped",
    saving=own_cost,
    evidence=_stopped_evidence,
    # Deleting (after a final snapshot) saves the storage; the snapshot costs a little too.
    confidence="medium",
    action="delete",
)

#: Previous-generation DB instance classes and their current twin (same size and engine, on
#: the same architecture: a class change, not a migration).
CURRENT_CLASS_TWIN = {"db.t2": "db.t3", "db.m3": "db.m5", "db.m4": "db.m5", "db.r3": "db.r5", "db.r4": "db.r5"}


def _class_twin_cost(r: Resource) -> tuple[str, float] | None:
    """The twin class and what the row would cost on it, when the catalogue prices both."""
    family, _, size = str(r.details.get("instance_class") or "").rpartition(".")
    twin = CURRENT_CLASS_TWIN.get(family)
    if twin is None or not size or r.monthly_cost is None:
        return None
    cost, _ = estimate_db_instance(
        dataclasses.replace(r, details={**r.details, "instance_class": f"{twin}.{size}"}), load_catalogue(), None
    )
    return None if cost is None else (f"{twin}.{size}", cost)


def _rds_previous_generation(r: Resource) -> bool:
    if (r.state or "").lower() != "available" or r.monthly_cost is None:
        return False  # a stopped database bills no instance hours: its class costs nothing then
    found = _class_twin_cost(r)
    return found is not None and found[1] < r.monthly_cost


def _class_twin_saving(r: Resource, related: Related) -> float | None:
    found = _class_twin_cost(r)
    return None if found is None or r.monthly_cost is None else cents(r.monthly_cost - found[1])


def _class_twin_evidence(r: Resource, related: Related, saving: float | None) -> str:
    found = _class_twin_cost(r)
    if found is None or r.monthly_cost is None:
        return "no priced current-generation twin"
    twin, cost = found
    return (
        f"{r.details.get('instance_class')} costs {format_cost(r.monthly_cost)}/mo; {twin} (current generation, "
        f"same size, same engine and storage) costs {format_cost(cost)}/mo in {r.region} (catalogue); changing "
        "the class restarts the database (a Multi-AZ one fails over), at a maintenance window or at once"
    )


#: ``rds-previous-generation``: a db.m4/r4/t2/... class whose current twin costs less.
RDS_PREVIOUS_GENERATION = Rule(
    id="rds-previous-generation",
    label="previous-generation DB class",
    applies=_rds_previous_generation,
    saving=_class_twin_saving,
    evidence=_class_twin_evidence,
    # The change restarts the database, and the engine version must support the newer class.
    confidence="medium",
)

#: ``idle-database``: the highest daily maximum of connections at most this.
IDLE_DB_CONNECTIONS = Knob(
    "idle_db_connections", 0.0, "idle-database: the highest daily connections at most this", 0.0, 1e6
)


def _judge_connections(values: Series, limits: Thresholds) -> Verdict:
    daily = values["connections_max"]
    peak = max(daily)
    idle = peak <= limits[IDLE_DB_CONNECTIONS]
    return Verdict(
        idle,
        f"DatabaseConnections over {limits[IDLE_DAYS]:g} days ({days_text(daily)}): "
        f"highest daily maximum {count(peak)} "
        f"({'at most' if idle else 'more than'} {count(limits[IDLE_DB_CONNECTIONS])})",
    )


def _storage_cost(r: Resource) -> float | None:
    """What the row costs with the instance stopped: its storage (Aurora's is on the cluster: 0)."""
    cost, _ = estimate_db_instance(dataclasses.replace(r, state="stopped"), load_catalogue(), None)
    return cost


def _compute_saving(r: Resource) -> float | None:
    storage = _storage_cost(r)
    if r.monthly_cost is None or storage is None:
        return None
    return cents(r.monthly_cost - storage)


def _compute_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return f"its instance charge is unknown ({r.cost_basis or 'not priced'})"
    storage = _storage_cost(r) or 0.0
    return (
        f"stopping it saves the instance charge, {format_cost(saving)}/mo: the row's "
        f"{format_cost(r.monthly_cost)} less storage {format_cost(storage)} ({r.cost_basis})"
    )


IDLE_DATABASE = MetricRule(
    id="idle-database",
    label="idle database (no connections)",
    applies=lambda r: (r.state or "").lower() == "available",
    queries=(MetricQuery("connections_max", "AWS/RDS", "DatabaseConnections", "Maximum", "DBInstanceIdentifier"),),
    judge=_judge_connections,
    knobs=(IDLE_DB_CONNECTIONS,),
    saving=_compute_saving,
    saving_basis=_compute_basis,
    action="stop",
)

SPEC = KindSpec(
    id=KIND,
    console=console_page("rds/home?region={region}#database:id={id};is-cluster=false"),
    aliases=("db", "database", "databases"),
    label="rds",
    title="RDS DB instances",
    service="rds",
    scope="regional",
    lister=list_db_instances,
    iam_actions=("rds:DescribeDBInstances",),
    estimator=estimate_db_instance,
    rules=(STOPPED_DATABASE, RDS_PREVIOUS_GENERATION),
    verbs={"stop": "stop", "delete": "delete", "start": "start"},
    billed_as="Amazon Relational Database Service",
    not_found_codes=frozenset({"DBInstanceNotFound", "DBInstanceNotFoundFault"}),
    metric_rules=(IDLE_DATABASE,),
)
