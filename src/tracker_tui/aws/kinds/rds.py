"""RDS DB instances."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from tracker_tui.aws.kinds.base import (
    CellContext,
    InPlace,
    KindSpec,
    Related,
    Rule,
    Schedulable,
    Twins,
    known,
    own_cost,
    tag_dict,
    ts,
    twin_rule,
)
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    HOUR,
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    unknown_saving,
)
from tracker_tui.aws.kinds.offhours import no_off_hours
from tracker_tui.aws.kinds.sizing import RIGHTSIZE_HEADROOM, burstable, enough_hours, family_of, need_of
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
                # open-source-rds-extended-support(-disabled): whether it may bill Extended Support.
                "engine_lifecycle_support": db.get("EngineLifecycleSupport"),
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


#: (engine as the catalogue names it, major version) -> the last day of RDS standard support
#: (UTC); from the next day each vCPU-hour bills RDS Extended Support.  As the release
#: calendars gave them on 2026-12-06: RDS for MySQL (docs.aws.amazon.com/AmazonRDS/latest/
#: UserGuide/MySQL.Concepts.VersionMgmt.html), RDS for PostgreSQL (.../PostgreSQLReleaseNotes/
#: postgresql-release-calendar.html), Aurora MySQL (.../AuroraMySQLReleaseNotes/
#: AuroraMySQL.release-calendars.html; version 2 is MySQL 5.7-compatible, engine versions
#: 5.7.mysql_aurora.2.*) and Aurora PostgreSQL (.../AuroraPostgreSQLReleaseNotes/
#: aurorapostgresql-release-calendar.html).  A major version not listed is taken as in
#: standard support (versions older than these were upgraded by AWS before Extended Support).
#: The rates are the catalogue's (``rds_extended_support`` in scripts/catalogue/supplement.json).
EXTENDED_SUPPORT_CALENDAR: dict[tuple[str, str], date] = {
    ("mysql", "5.7"): date(2024, 2, 29),
    ("mysql", "8.0"): date(2026, 7, 31),
    ("postgres", "11"): date(2024, 2, 29),
    ("postgres", "12"): date(2025, 2, 28),
    ("postgres", "13"): date(2026, 2, 28),
    ("aurora-mysql", "2"): date(2024, 10, 31),
    ("aurora-postgresql", "11"): date(2024, 2, 29),
    ("aurora-postgresql", "12"): date(2025, 2, 28),
    ("aurora-postgresql", "13"): date(2026, 2, 28),
}

#: The value of ``EngineLifecycleSupport`` that opts out: AWS upgrades the engine instead.
EXTENDED_SUPPORT_DISABLED = "open-source-rds-extended-support-disabled"


def major_version(engine: str, version: str) -> str:
    """The major version as the calendars name it: ``8.0`` (MySQL), ``12`` (PostgreSQL), ``2``
    (Aurora MySQL ``5.7.mysql_aurora.2.11.2``); "" when the version cannot be read."""
    engine = Catalogue.rds_engine(engine)
    version = version.strip()
    if engine == "aurora-mysql":
        _, marker, rest = version.partition(".mysql_aurora.")
        return rest.split(".")[0] if marker else ""
    parts = version.split(".")
    return ".".join(parts[:2]) if engine in ("mysql", "mariadb") else parts[0]


@dataclasses.dataclass(frozen=True)
class ExtendedSupport:
    """What a DB instance's major version bills past RDS standard support, today."""

    #: ``postgres 12``, ``aurora-mysql 2, MySQL 5.7-compatible``.
    label: str
    #: The last day of standard support.
    ended: date
    #: Which year of Extended Support today is in (1 from the day after ``ended``).
    year: int
    #: USD a month (None: unknown, ``text`` says why).
    monthly: float | None
    #: How it is worked out, for the row's basis and the finding's evidence.
    text: str


def _support_year(ended: date, today: date) -> int:
    """1 from the day after ``ended`` for a year, 2 from its first anniversary, and so on."""
    start = ended + timedelta(days=1)
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day)) + 1


def extended_support(r: Resource, cat: Catalogue, now: datetime | None = None) -> ExtendedSupport | None:
    """The Extended Support fee the row bills today, or None when it bills none: a major
    version in standard support (or not in the calendar), a stopped instance (no instance
    hours; AWS starts it again after 7 days), or one opted out (AWS upgrades it instead).

    Per vCPU of its class (the catalogue's EC2 twin: db.m5.large -> m5.large), a Multi-AZ
    standby's too, at the catalogue's rate for its region and year (us-east-1's only).
    """
    d = r.details
    engine = cat.rds_engine(str(d.get("engine") or ""))
    major = major_version(engine, str(d.get("engine_version") or ""))
    ended = EXTENDED_SUPPORT_CALENDAR.get((engine, major))
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    if ended is None or today <= ended or (r.state or "").lower() == "stopped":
        return None
    if str(d.get("engine_lifecycle_support") or "") == EXTENDED_SUPPORT_DISABLED:
        return None
    label = f"{engine} {major}" + (", MySQL 5.7-compatible" if engine == "aurora-mysql" else "")
    year = _support_year(ended, today)
    what = f"RDS Extended Support ({label}, year {year} since standard support ended {ended})"
    cls = str(d.get("instance_class") or "")
    if cls == "db.serverless":
        return ExtendedSupport(
            label, ended, year, None, f"{what}: per ACU-hour on Aurora Serverless v2, usage-dependent"
        )
    info = cat.instance_type(cls.removeprefix("db."))
    if info is None:
        return ExtendedSupport(label, ended, year, None, f"{what}: the vCPUs of {cls or 'its class'} are unknown")
    hourly = cat.rds_extended_support_vcpu_hourly(engine, r.region, year)
    if hourly is None:
        why = "past its three years: AWS upgrades the engine" if year > 3 else "us-east-1's only are known"
        return ExtendedSupport(
            label, ended, year, None, f"{what}: {info.vcpus} vCPU x a rate not in the catalogue for {r.region} ({why})"
        )
    # An Aurora instance is a row of its own (its replicas are other rows); Multi-AZ on RDS
    # bills the standby's vCPUs too.
    standby = bool(d.get("multi_az")) and not engine.startswith("aurora")
    monthly = cents(info.vcpus * (2 if standby else 1) * hourly * cat.hours_per_month)
    copies = " x 2 (Multi-AZ standby)" if standby else ""
    return ExtendedSupport(
        label,
        ended,
        year,
        monthly,
        f"{what} {info.vcpus} vCPU{copies} x ${hourly:.3f}/vCPU-h x {cat.hours_per_month} h = {format_cost(monthly)}",
    )


def estimate_db_instance(
    r: Resource, cat: Catalogue, book: PriceBook | None, *, now: datetime | None = None
) -> Estimate:
    """Instance hours, storage (not Aurora's: the cluster's) and, past standard support, RDS
    Extended Support (``now``, default the current time, decides which year's rate)."""
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
    # Past standard support the fee is part of what the row bills; a fee whose rate is not
    # known leaves the total unknown (never counted as $0).
    fee = extended_support(r, cat, now)
    if aurora:
        monthly = cents(instance_cost)
        if fee is None:
            return monthly, f"{instance_basis} = {format_cost(monthly)}; {storage_basis}"
        if fee.monthly is None:
            return None, f"{instance_basis} = {format_cost(monthly)} + {fee.text}; total unknown; {storage_basis}"
        total = cents(monthly + fee.monthly)
        return total, (
            f"{instance_basis} = {format_cost(monthly)} + {fee.text}; total {format_cost(total)}; {storage_basis}"
        )
    monthly = cents(instance_cost + storage_cost)
    parts = (
        f"{instance_basis} = {format_cost(cents(instance_cost))} + {storage_basis} = {format_cost(cents(storage_cost))}"
    )
    if fee is None:
        return monthly, f"{parts}; total {format_cost(monthly)}"
    if fee.monthly is None:
        return None, f"{parts} + {fee.text}; total unknown"
    total = cents(instance_cost + storage_cost + fee.monthly)
    return total, f"{parts} + {fee.text}; total {format_cost(total)}"


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


def _class_twin_costs(r: Resource) -> list[tuple[str, float]]:
    """The twin class and what the row would cost on it, when the catalogue prices both."""
    family, _, size = str(r.details.get("instance_class") or "").rpartition(".")
    twin = CURRENT_CLASS_TWIN.get(family)
    if twin is None or not size:
        return []
    cost, _ = estimate_db_instance(
        dataclasses.replace(r, details={**r.details, "instance_class": f"{twin}.{size}"}), load_catalogue(), None
    )
    return [] if cost is None else [(f"{twin}.{size}", cost)]


def _class_twin_evidence(r: Resource, twins: Twins) -> str:
    twin, cost = twins[0]
    return (
        f"{r.details.get('instance_class')} costs {format_cost(r.monthly_cost)}/mo; {twin} (current generation, "
        f"same size, same engine and storage) costs {format_cost(cost)}/mo in {r.region} (catalogue); changing "
        "the class restarts the database (a Multi-AZ one fails over), at a maintenance window or at once"
    )


def _available(r: Resource) -> bool:
    # A stopped database bills no instance hours: its class costs nothing then.
    return (r.state or "").lower() == "available"


#: ``rds-previous-generation``: a db.m4/r4/t2/... class whose current twin costs less.
RDS_PREVIOUS_GENERATION = twin_rule(
    id="rds-previous-generation",
    label="previous-generation DB class",
    billed=_available,
    twins=_class_twin_costs,
    describe=_class_twin_evidence,
    # The change restarts the database, and the engine version must support the newer class.
    confidence="medium",
    # ``m`` changes the class in place (ModifyDBInstance): the data stays.
    action="modify",
)

#: x86 DB instance classes and their Graviton (arm64) twins of the same size, previous
#: generations included (db.m4 may go straight to db.m6g).
GRAVITON_CLASS_TWINS: dict[str, tuple[str, ...]] = {
    "db.t2": ("db.t4g",),
    "db.t3": ("db.t4g",),
    "db.m3": ("db.m6g", "db.m7g"),
    "db.m4": ("db.m6g", "db.m7g"),
    "db.m5": ("db.m6g", "db.m7g"),
    "db.m6i": ("db.m6g", "db.m7g"),
    "db.r3": ("db.r6g", "db.r7g"),
    "db.r4": ("db.r6g", "db.r7g"),
    "db.r5": ("db.r6g", "db.r7g"),
    "db.r6i": ("db.r6g", "db.r7g"),
}


def _graviton_twin_costs(r: Resource) -> list[tuple[str, float]]:
    """The Graviton twins the catalogue prices for the row's engine and region, with what the
    row would cost on each (same engine, storage, Multi-AZ), cheapest first."""
    family, _, size = str(r.details.get("instance_class") or "").rpartition(".")
    if not size or r.monthly_cost is None:
        return []
    found = []
    for twin in GRAVITON_CLASS_TWINS.get(family, ()):
        row = dataclasses.replace(r, details={**r.details, "instance_class": f"{twin}.{size}"})
        cost, _ = estimate_db_instance(row, load_catalogue(), None)
        if cost is not None:
            found.append((f"{twin}.{size}", cost))
    return sorted(found, key=lambda twin: (twin[1], twin[0]))


def _graviton_evidence(r: Resource, twins: Twins) -> str:
    (twin, cost), others = twins[0], twins[1:]
    also = "".join(f"; {name} costs {format_cost(other)}/mo" for name, other in others)
    return (
        f"{r.details.get('instance_class')} costs {format_cost(r.monthly_cost)}/mo; {twin} (Graviton, arm64; same "
        f"size, engine and storage) costs {format_cost(cost)}/mo in {r.region} (catalogue){also}; the engine version "
        "must support Graviton classes (the console lists the classes a version takes), and changing the class "
        "restarts the database (a Multi-AZ one fails over)"
    )


#: ``rds-graviton-migration``: an x86 class whose Graviton twin of the same size costs less.
RDS_GRAVITON_MIGRATION = twin_rule(
    id="rds-graviton-migration",
    label="DB class with a cheaper Graviton twin",
    billed=_available,
    twins=_graviton_twin_costs,
    describe=_graviton_evidence,
    # Medium, not low as EC2's graviton-migration: RDS runs the engine, so there is no arm64
    # image to build; but the engine version must support Graviton (an old minor may need an
    # upgrade first) and the class change restarts the database.
    confidence="medium",
    # ``m`` changes the class in place (ModifyDBInstance): no image to build, the data stays.
    action="modify",
)


def _fee_now(r: Resource) -> ExtendedSupport | None:
    return extended_support(r, load_catalogue())


def _extended_support_saving(r: Resource, related: Related) -> float | None:
    fee = _fee_now(r)
    return None if fee is None else fee.monthly


def _extended_support_evidence(r: Resource, related: Related, saving: float | None) -> str:
    fee = _fee_now(r)
    if fee is None:
        return "not billed RDS Extended Support"
    if fee.monthly is None:
        return f"{fee.text}; the fee is unknown, not $0; upgrading to a major version in standard support ends it"
    total = "" if r.monthly_cost is None else f", part of the row's {format_cost(r.monthly_cost)}/mo"
    return (
        f"{fee.text}{total}; upgrading to a major version in standard support ends the fee (a major upgrade "
        "needs testing and some downtime; a blue/green deployment keeps it short)"
    )


#: ``rds-extended-support``: a major version past RDS standard support bills a fee per vCPU-hour.
RDS_EXTENDED_SUPPORT = Rule(
    id="rds-extended-support",
    label="DB engine on RDS Extended Support",
    applies=lambda r: _fee_now(r) is not None,
    saving=_extended_support_saving,
    evidence=_extended_support_evidence,
    # The fee is AWS's published rate x the class's vCPUs: billed for certain while the
    # version stays.  No verb: a major upgrade is the owner's to plan and test.
    confidence="high",
)

#: ``idle-database``: the highest daily maximum of connections at most this.
IDLE_DB_CONNECTIONS = Knob(
    "idle_db_connections", 0.0, "idle-database: the highest daily connections at most this", 0.0, 1e6
)


def _judge_connections(r: Resource, values: Series, limits: Thresholds) -> Verdict:
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
        return unknown_saving(r, "instance charge")
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

#: Memory per vCPU of the DB class families rightsizing judges (AWS's DB instance class table):
#: the target's memory, and from it its default ``max_connections``.
GIB_PER_VCPU = {"m": 4, "r": 8, "x": 16, "z": 8, "c": 2}

#: Default ``max_connections``: the class's memory (bytes) over this, per engine (RDS's
#: parameter groups: MySQL and MariaDB ``DBInstanceClassMemory/12582880``, PostgreSQL
#: ``LEAST(DBInstanceClassMemory/9531392, 5000)``).  Aurora MySQL's is a logarithm: not compared.
CONNECTION_BYTES = {"mysql": 12_582_880, "mariadb": 12_582_880, "postgres": 9_531_392, "aurora-postgresql": 9_531_392}
_POSTGRES_CAP = 5000


def _db_vcpus(cls: str) -> int | None:
    info = load_catalogue().instance_type(cls.removeprefix("db."))
    return None if info is None else info.vcpus


def _db_sizable(r: Resource) -> bool:
    cls = str(r.details.get("instance_class") or "")
    return (
        (r.state or "").lower() == "available"
        and r.monthly_cost is not None
        and cls.startswith("db.")
        and not burstable(cls)
        and _smaller_class(cls, str(r.details.get("engine") or ""), r.region)
    )


@functools.lru_cache(maxsize=2048)
def _smaller_class(cls: str, engine: str, region: str) -> bool:
    vcpus = _db_vcpus(cls)
    family = family_of(cls)
    return vcpus is not None and any(
        family_of(other) == family and (_db_vcpus(other) or vcpus) < vcpus
        for other in load_catalogue().rds_classes(engine, region)
    )


def _max_connections(engine: str, cls: str) -> int | None:
    """The engine's default max_connections on ``cls`` (approximate: from the class's nominal memory)."""
    divisor = CONNECTION_BYTES.get(load_catalogue().rds_engine(engine))
    vcpus = _db_vcpus(cls)
    per_vcpu = GIB_PER_VCPU.get(family_of(cls).removeprefix("db.")[:1])
    if divisor is None or vcpus is None or per_vcpu is None:
        return None
    value = vcpus * per_vcpu * 2**30 // divisor
    return min(value, _POSTGRES_CAP) if "postgres" in engine else value


def _judge_db_size(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    """The cheapest class of the same family for the same engine with the vCPUs the p99 CPU
    peak needs (with headroom) and a default max_connections that holds the peak connections."""
    days = int(limits[IDLE_DAYS])
    hours = values["cpu_max_hourly"]
    if not enough_hours(len(hours), days):
        return Verdict(
            False, f"{len(hours)} of {days * 24} hours of CPUUtilization; rightsizing needs 75%", no_data=True
        )
    cls, engine = str(r.details.get("instance_class")), str(r.details.get("engine") or "")
    vcpus = _db_vcpus(cls)
    if vcpus is None or r.monthly_cost is None:
        return Verdict(False, f"{cls}: vCPUs or price unknown", no_data=True)
    headroom = limits[RIGHTSIZE_HEADROOM]
    need = need_of(vcpus, hours, values["cpu_average_hourly"], (), headroom)
    peak = max(values["connections_max"])
    wanted = peak / (1 - headroom / 100)
    fits = []
    for other in load_catalogue().rds_classes(engine, r.region):
        size = _db_vcpus(other)
        if family_of(other) != family_of(cls) or size is None or size < need.minimum:
            continue
        limit = _max_connections(engine, other)
        if limit is not None and limit < wanted:
            continue
        cost, _ = estimate_db_instance(
            dataclasses.replace(r, details={**r.details, "instance_class": other}), load_catalogue(), None
        )
        if cost is not None:
            fits.append((cost, size, other, limit))
    measured = f"CPUUtilization hourly over {days} days ({len(hours)} of {days * 24} hours): {need.cpu_text()}"
    connections = f"peak DatabaseConnections {count(peak)}"
    if not fits:
        return Verdict(False, f"{measured}; {connections}; no priced {family_of(cls)} class fits in {r.region}")
    cost, size, target, limit = min(fits)
    if target == cls or cost >= r.monthly_cost:
        return Verdict(False, f"{measured}; {connections}; {cls} is the cheapest {family_of(cls)} class that fits")
    held = (
        f"{target}'s default max_connections about {count(limit)} holds {count(peak)} with {headroom:g}% headroom"
        if limit is not None
        else f"connections not compared ({engine}'s default max_connections is not a linear formula)"
    )
    saving = cents(r.monthly_cost - cost)
    return Verdict(
        True,
        f"{measured}; {connections}: {held}; {target} ({size} vCPUs) fits: {need.projected(size)}; "
        "memory not measured (FreeableMemory): the target has less memory in proportion; check the working set",
        saving=saving,
        basis=(
            f"{cls} {format_cost(r.monthly_cost)}/mo -> {target} {format_cost(cost)}/mo for {engine} in {r.region} "
            f"(catalogue, same storage): saves {format_cost(saving)}/mo; the class change restarts the database"
        ),
        confidence="low",
        target=target,
    )


RIGHTSIZE_DATABASE = MetricRule(
    id="rightsize-database",
    label="oversized database (smaller class fits)",
    applies=_db_sizable,
    queries=(
        MetricQuery("cpu_max_hourly", "AWS/RDS", "CPUUtilization", "Maximum", "DBInstanceIdentifier", HOUR),
        MetricQuery("cpu_average_hourly", "AWS/RDS", "CPUUtilization", "Average", "DBInstanceIdentifier", HOUR),
        MetricQuery("connections_max", "AWS/RDS", "DatabaseConnections", "Maximum", "DBInstanceIdentifier"),
    ),
    judge=_judge_db_size,
    knobs=(RIGHTSIZE_HEADROOM,),
    saving=lambda r: None,
    saving_basis=lambda r, saving: "",
    # ``m`` changes the class in place (ModifyDBInstance) to the target the verdict names.
    action="modify",
    # Memory is not measured (RDS reports FreeableMemory in bytes, and the catalogue has no
    # class memory to compare it with): low, always.
    confidence="low",
)

def _not_aurora(r: Resource) -> bool:
    return not r.details.get("cluster_id")


#: ``z``: StopDBInstance and StartDBInstance take one instance, so each row gets its own pair of
#: schedules (AWS starts a stopped instance after 7 days; a nightly stop comes first).
SCHEDULABLE = Schedulable(
    short="rds",
    service="rds",
    stop="stopDBInstance",
    start="startDBInstance",
    field="DbInstanceIdentifier",
    many=False,
    iam_actions=("rds:StopDBInstance", "rds:StartDBInstance"),
    running_state="available",
    stopped_state="stopped",
    states=frozenset({"available", "stopped", "starting", "stopping"}),
    arn_resource="db",
)
NO_OFF_HOURS = no_off_hours(SCHEDULABLE, estimate_db_instance)(Thresholds())


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
    rules=(STOPPED_DATABASE, RDS_PREVIOUS_GENERATION, RDS_GRAVITON_MIGRATION, RDS_EXTENDED_SUPPORT, NO_OFF_HOURS),
    verbs={"stop": "stop", "delete": "delete", "start": "start", "modify": "modify", "schedule": "schedule"},
    billed_as="Amazon Relational Database Service",
    not_found_codes=frozenset({"DBInstanceNotFound", "DBInstanceNotFoundFault"}),
    metric_rules=(IDLE_DATABASE, RIGHTSIZE_DATABASE),
    # A stop keeps the database (AWS starts it again after 7 days); a class change keeps data
    # and storage (a restart).  An Aurora member is refused both: its cluster is acted on.
    in_place={
        IDLE_DATABASE.id: InPlace("stop", takes=_not_aurora),
        RIGHTSIZE_DATABASE.id: InPlace("modify", takes=_not_aurora),
        RDS_PREVIOUS_GENERATION.id: InPlace("modify", takes=_not_aurora),
        RDS_GRAVITON_MIGRATION.id: InPlace("modify", takes=_not_aurora),
        NO_OFF_HOURS.id: InPlace("schedule", takes=_not_aurora),
    },
    off_hours=SCHEDULABLE,
)
