"""Monthly cost estimates per resource kind, each with a basis a person can check.

``estimate(resource)`` returns ``(monthly_usd_or_None, basis)``.  The rules:

* A number we cannot know is ``None`` with a basis that says why (usage-dependent, an
  uncatalogued type or region, a platform we do not price).  Never a silent 0.
* ``0.0`` means "this row itself costs nothing": a stopped instance (no compute; its EBS
  volumes are billed on their own rows), IAM, an Auto Scaling group (its instances are
  their own rows, so 0 here avoids counting them twice).
* A month is ``hours_per_month`` (730) hours; costs are rounded to cents (half up), using
  the hourly rate exactly as the basis shows it, so the basis can be recomputed by hand.

``waste(resource)`` classifies the waste the cost panel shows, with the monthly saving.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

from tracker_tui.model import Resource
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

Estimate = tuple[float | None, str]

GIB = 2**30

_EC2_BILLED_STATES = frozenset({"running", "pending"})
_EC2_STOPPED_STATES = frozenset({"stopped", "stopping"})
_EC2_ENDING_STATES = frozenset({"shutting-down", "terminated"})


class LivePriceSource(Protocol):
    """Where prices missing from the catalogue may come from (``live.LivePrices``)."""

    def ec2_hourly(self, instance_type: str, region: str) -> float | None: ...


def cents(value: float) -> float:
    """Round USD to cents, half up (16.425 -> 16.43)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def rate(value: float) -> str:
    """An hourly rate as shown in a basis: 4 decimals, 5 when the 5th is not zero ($0.1070, $0.02646)."""
    text = f"{value:.5f}"
    return text[:-1] if text.endswith("0") else text


def unit(value: float) -> str:
    """A per-unit rate, trimmed but at least 2 decimals ($0.08, $0.005, $0.0455)."""
    text = f"{value:.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def money(value: float) -> str:
    return f"${value:,.2f}"


def _gb(value: float) -> str:
    """A size in GB for a basis: 2 decimals, or 3 significant digits when tiny."""
    if value == 0:
        return "0"
    if value < 0.01:
        return f"{value:.3g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _num(value: Any) -> float | None:
    """A details value as a number (None when missing or not numeric)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _unknown_region(region: str) -> Estimate:
    return None, f"no catalogue prices for region {region or 'unknown'}"


def _hourly_basis(what: str, hourly: float, hours: int, count: int = 1) -> tuple[float, str]:
    monthly = cents(hourly * hours * count)
    times = f"{count} x " if count != 1 else ""
    return monthly, f"{what}, {times}${rate(hourly)}/h x {hours} h = {money(monthly)}"


# --- per-kind estimators -----------------------------------------------------------------


def _ec2_instance(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    d = r.details
    state = (r.state or "").lower()
    if state in _EC2_STOPPED_STATES:
        return 0.0, f"{state}: no compute charge; its EBS volumes are billed on their own rows"
    if state in _EC2_ENDING_STATES:
        return 0.0, f"{state}: no further compute charge; its EBS volumes are billed on their own rows"
    itype = d.get("instance_type")
    if not itype:
        return None, "instance type unknown"
    lifecycle = str(d.get("lifecycle") or "on-demand").lower()
    if lifecycle == "spot":
        return None, f"{itype} spot instance: the price follows the spot market, not estimated"
    if lifecycle not in ("on-demand", "normal"):
        return None, f"{itype} {lifecycle} instance: no catalogue price"
    tenancy = str(d.get("tenancy") or "default").lower()
    if tenancy not in ("default", "shared"):
        return None, f"{itype} {tenancy} tenancy: no catalogue price (only shared tenancy is priced)"
    platform = str(d.get("platform") or "Linux/UNIX")
    if not cat.ec2_os_priced(platform):
        return None, f"{itype} {platform}: no catalogue price (only Linux/UNIX is priced)"
    hourly = cat.ec2_hourly(itype, r.region)
    source = "on-demand"
    if hourly is None and live is not None:
        try:
            hourly = live.ec2_hourly(itype, r.region)
        except Exception:  # noqa: BLE001 - a live lookup never breaks an estimate
            hourly = None
        source = "on-demand (AWS Price List API)"
    if hourly is None:
        where = r.region if cat.knows_region(r.region) else f"{r.region} (region not in the catalogue)"
        return None, f"no catalogue price for {itype} in {where}"
    monthly, basis = _hourly_basis(f"{itype} Linux {source} {r.region}", hourly, cat.hours_per_month)
    if state not in _EC2_BILLED_STATES:
        basis += f" (state {state or 'unknown'}: priced as running)"
    if d.get("public_ip"):
        basis += "; public IPv4 ($0.005/h) not included"
    return monthly, basis


def _ebs_volume(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    d = r.details
    if (r.state or "").lower() == "deleted":
        return 0.0, "deleted: no charge"
    vtype = str(d.get("volume_type") or "")
    size = _num(d.get("size_gib"))
    if not cat.knows_region(r.region):
        return _unknown_region(r.region)
    rates = cat.ebs(vtype, r.region)
    if rates is None:
        return None, f"no catalogue price for volume type {vtype or 'unknown'} in {r.region}"
    if size is None:
        return None, f"{vtype} volume size unknown"
    total = size * rates.gb_month
    parts = [f"{_int(size)} GiB x ${unit(rates.gb_month)}/GB-mo"]
    iops = _num(d.get("iops")) or 0.0
    if rates.iops_tiers:
        remaining, floor = iops, 0
        for up_to, price in rates.iops_tiers:
            if remaining <= 0:
                break
            span = remaining if up_to is None else min(remaining, up_to - floor)
            total += span * price
            parts.append(f"{_int(span)} IOPS x ${unit(price)}")
            remaining -= span
            floor = up_to or floor
    elif rates.iops_month is not None:
        extra = max(0.0, iops - rates.iops_included)
        if rates.iops_included:
            if extra > 0:
                total += extra * rates.iops_month
                parts.append(f"{_int(extra)} IOPS above {_int(rates.iops_included)} x ${unit(rates.iops_month)}")
        else:
            total += extra * rates.iops_month
            parts.append(f"{_int(extra)} IOPS x ${unit(rates.iops_month)}")
    if rates.throughput_mibps_month is not None:
        mibps = _num(d.get("throughput_mibps")) or 0.0
        extra = max(0.0, mibps - rates.throughput_included_mibps)
        if extra > 0:
            total += extra * rates.throughput_mibps_month
            parts.append(
                f"{_int(extra)} MiB/s above {rates.throughput_included_mibps} x ${unit(rates.throughput_mibps_month)}"
            )
    monthly = cents(total)
    basis = f"{vtype} {r.region}: " + " + ".join(parts) + f" = {money(monthly)}"
    if rates.usage_note:
        basis += f" {rates.usage_note}"
    return monthly, basis


def _elastic_ip(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    hourly = cat.public_ipv4_hourly(r.region)
    if hourly is None:
        return _unknown_region(r.region)
    associated = bool(r.details.get("associated")) or (r.state or "").lower() == "associated"
    monthly, basis = _hourly_basis(f"public IPv4 {r.region}", hourly, cat.hours_per_month)
    return monthly, basis + (" (associated)" if associated else " (idle: pure waste)")


def _nat_gateway(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    state = (r.state or "").lower()
    if state in ("failed", "deleted"):
        return 0.0, f"{state}: a NAT gateway in this state is not billed"
    hourly = cat.nat_hourly(r.region)
    per_gb = cat.nat_data_processing_gb(r.region)
    if hourly is None or per_gb is None:
        return _unknown_region(r.region)
    monthly, basis = _hourly_basis(f"NAT gateway {r.region}", hourly, cat.hours_per_month)
    basis += f" + data processing ${unit(per_gb)}/GB, usage-dependent; its public IPv4 is billed on its Elastic IP row"
    return monthly, basis


def _load_balancer(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    subtype = str(r.details.get("subtype") or "").lower()
    if not cat.knows_region(r.region):
        return _unknown_region(r.region)
    lb = cat.elb(subtype, r.region)
    if lb is None:
        return None, f"no catalogue price for load balancer type {subtype or 'unknown'}"
    if (r.state or "").lower() == "failed":
        return 0.0, f"{lb.label} failed to provision: not billed"
    monthly, basis = _hourly_basis(f"{lb.label} {r.region}", lb.hourly, cat.hours_per_month)
    if lb.usage_note:
        basis += f" {lb.usage_note}"
    return monthly, basis


def _rds_instance(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    d = r.details
    engine = str(d.get("engine") or "")
    cls = str(d.get("instance_class") or "")
    multi_az = bool(d.get("multi_az"))
    copies = 2 if multi_az else 1
    az = "Multi-AZ" if multi_az else "Single-AZ"
    stopped = (r.state or "").lower() == "stopped"
    if not cat.knows_region(r.region):
        return _unknown_region(r.region)
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
        size = _num(d.get("allocated_storage_gib"))
        rates = cat.rds_storage(stype, r.region)
        if rates is None or size is None:
            what = f"storage type {stype or 'unknown'}" if rates is None else "allocated storage unknown"
            return None, f"{cls} {engine}: no catalogue price for {what}"
        storage_cost = size * rates.gb_month * copies
        x_az = " x 2 (Multi-AZ)" if multi_az else ""
        storage_basis = f"storage {stype} {_int(size)} GiB x ${unit(rates.gb_month)}/GB-mo{x_az}"
        iops = _num(d.get("iops")) or 0.0
        if rates.iops_month is not None and iops:
            included = rates.iops_included_from_400_gib if size >= 400 else rates.iops_included
            extra = max(0.0, iops - included)
            if extra > 0:
                storage_cost += extra * rates.iops_month * copies
                above = f" above {_int(included)}" if included else ""
                storage_basis += f" + {_int(extra)} IOPS{above} x ${unit(rates.iops_month)}{x_az}"
        if rates.usage_note:
            storage_basis += f" {rates.usage_note}"

    if stopped:
        if aurora:
            return 0.0, f"stopped: no instance charge; {storage_basis}"
        monthly = cents(storage_cost)
        return monthly, (
            f"stopped: no instance charge (RDS starts it again after 7 days); {storage_basis} = {money(monthly)}"
        )

    hourly = cat.rds_hourly(engine, cls, r.region)
    if hourly is None:
        return None, f"no catalogue price for {cls or 'unknown class'} {engine or 'unknown engine'} in {r.region}"
    instance_cost = hourly * cat.hours_per_month * copies
    times = "2 x " if multi_az else ""
    instance_basis = f"{cls} {engine} {az} {r.region}, {times}${rate(hourly)}/h x {cat.hours_per_month} h"
    if aurora:
        monthly = cents(instance_cost)
        return monthly, f"{instance_basis} = {money(monthly)}; {storage_basis}"
    monthly = cents(instance_cost + storage_cost)
    return monthly, (
        f"{instance_basis} = {money(cents(instance_cost))} + {storage_basis} = {money(cents(storage_cost))}; "
        f"total {money(monthly)}"
    )


def _elasticache_cluster(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    d = r.details
    node_type = str(d.get("node_type") or "")
    engine = str(d.get("engine") or "redis")
    nodes = _num(d.get("num_nodes"))
    if not cat.knows_region(r.region):
        return _unknown_region(r.region)
    if (r.state or "").lower() == "deleted":
        return 0.0, "deleted: no charge"
    hourly = cat.elasticache_hourly(node_type, engine, r.region)
    if hourly is None:
        return None, f"no catalogue price for {node_type or 'unknown node type'} {engine} in {r.region}"
    if nodes is None:
        return None, f"{node_type} {engine}: node count unknown"
    count = int(nodes)
    if count == 0:
        return 0.0, f"{node_type} {engine}: no nodes"
    return _hourly_basis(f"{node_type} {engine} {r.region}", hourly, cat.hours_per_month, count)


def _s3_bucket(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    if not cat.knows_region(r.region):
        return _unknown_region(r.region)
    size = _num(r.details.get("size_bytes"))
    if size is None:
        return None, "size unknown (CloudWatch has no BucketSizeBytes yet)"
    price = cat.s3_standard_gb_month(r.region)
    if price is None:  # pragma: no cover - every listed region has an s3 factor
        return _unknown_region(r.region)
    gb = size / GIB
    monthly = cents(gb * price)
    basis = f"S3 Standard {r.region}, {_gb(gb)} GB x ${unit(price)}/GB-mo = {money(monthly)}"
    note = cat.usage_note("s3")
    return monthly, basis + (f" ({note})" if note else "")


def _log_group(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    if not cat.knows_region(r.region):
        return _unknown_region(r.region)
    price = cat.logs_storage_gb_month(r.region)
    stored = _num(r.details.get("stored_bytes"))
    if price is None:  # pragma: no cover - every listed region has a logs factor
        return _unknown_region(r.region)
    if stored is None:
        return None, "stored bytes unknown"
    gb = stored / GIB
    monthly = cents(gb * price)
    basis = f"log storage {r.region}, {_gb(gb)} GB x ${unit(price)}/GB-mo = {money(monthly)}"
    note = cat.usage_note("logs")
    return monthly, basis + (f" {note}" if note else "")


def _lambda_function(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    return None, "usage-dependent (requests and GB-seconds)"


def _iam(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    return 0.0, "IAM is free"


def _autoscaling_group(r: Resource, cat: Catalogue, live: LivePriceSource | None) -> Estimate:
    count = r.details.get("instance_count")
    n = f" ({count} instances)" if isinstance(count, int) and not isinstance(count, bool) else ""
    return 0.0, f"the group is free; billed on its instances' own rows{n}, so $0 here avoids counting them twice"


Estimator = Callable[[Resource, Catalogue, "LivePriceSource | None"], Estimate]

ESTIMATORS: dict[str, Estimator] = {
    "ec2:instance": _ec2_instance,
    "ec2:volume": _ebs_volume,
    "ec2:elastic-ip": _elastic_ip,
    "ec2:nat-gateway": _nat_gateway,
    "s3:bucket": _s3_bucket,
    "rds:db-instance": _rds_instance,
    "lambda:function": _lambda_function,
    "elb:load-balancer": _load_balancer,
    "logs:log-group": _log_group,
    "iam:user": _iam,
    "iam:role": _iam,
    "autoscaling:group": _autoscaling_group,
    "elasticache:cluster": _elasticache_cluster,
}


def estimate(
    resource: Resource, catalogue: Catalogue | None = None, live: LivePriceSource | None = None
) -> Estimate:
    """``(monthly USD or None, basis)`` for one resource.

    ``live`` (optional) prices EC2 instance types the catalogue lacks; any failure there
    falls back to the catalogue's answer (unknown).  Never raises for odd details: a value
    that cannot be read gives ``None`` and a basis naming the problem.
    """
    cat = catalogue or load_catalogue()
    estimator = ESTIMATORS.get(resource.kind)
    if estimator is None:
        return None, f"no estimator for kind {resource.kind}"
    try:
        return estimator(resource, cat, live)
    except Exception as exc:  # noqa: BLE001 - one odd resource must not break a scan
        return None, f"could not estimate: {type(exc).__name__}: {exc}"


def price_resources(
    resources: Iterable[Resource], catalogue: Catalogue | None = None, live: LivePriceSource | None = None
) -> list[Resource]:
    """Copies of ``resources`` with ``monthly_cost`` and ``cost_basis`` set."""
    cat = catalogue or load_catalogue()
    out = []
    for resource in resources:
        cost, basis = estimate(resource, cat, live)
        out.append(dataclasses.replace(resource, monthly_cost=cost, cost_basis=basis))
    return out


# --- waste -------------------------------------------------------------------------------

#: The waste categories, as the cost panel labels them.
IDLE_EIP = "idle Elastic IP"
UNATTACHED_VOLUME = "unattached volume"
STOPPED_INSTANCE = "stopped instance still paying for storage"
NO_RETENTION = "no retention"
NO_TARGETS = "no targets"


def _cost_of(resource: Resource, catalogue: Catalogue | None) -> float | None:
    """The resource's priced cost, estimating it when it has not been priced yet."""
    if resource.cost_basis is not None:
        return resource.monthly_cost
    return estimate(resource, catalogue)[0]


def waste(
    resource: Resource,
    volumes: Mapping[str, Resource] | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[str, float | None] | None:
    """``(category, monthly saving in USD)`` when the resource is waste, else None.

    The saving is ``None`` when it cannot be known (an unpriced type, or for a stopped
    instance, volumes missing from ``volumes``); the category still stands.

    * idle Elastic IP: its cost (the public IPv4 charge).
    * unattached volume (state ``available``): its cost.
    * stopped instance with EBS volumes: the monthly cost of those volumes, looked up by
      ``details.volume_ids`` in ``volumes`` (volume id -> priced or unpriced volume
      ``Resource``); the volumes are separate rows, so this is what terminating the
      instance and deleting its volumes would save, not an extra charge.  Without the
      lookup, or with a volume missing from it, the saving is None.  A stopped instance
      with no EBS volumes costs nothing and is not waste.
    * log group with no retention: its current storage cost (setting a retention or
      deleting old data saves up to that).
    * load balancer with no registered targets: its hourly cost.
    """
    kind = resource.kind
    state = (resource.state or "").lower()
    d = resource.details
    if kind == "ec2:elastic-ip":
        associated = bool(d.get("associated")) or state == "associated"
        return None if associated else (IDLE_EIP, _cost_of(resource, catalogue))
    if kind == "ec2:volume":
        return (UNATTACHED_VOLUME, _cost_of(resource, catalogue)) if state == "available" else None
    if kind == "ec2:instance":
        if state != "stopped":
            return None
        ids: Sequence[str] = list(d.get("volume_ids") or [])
        if not ids:
            return None
        if volumes is None:
            return STOPPED_INSTANCE, None
        total = 0.0
        for vol_id in ids:
            vol = volumes.get(vol_id)
            cost = None if vol is None else _cost_of(vol, catalogue)
            if cost is None:
                return STOPPED_INSTANCE, None
            total += cost
        return STOPPED_INSTANCE, cents(total)
    if kind == "logs:log-group":
        if d.get("retention_days"):
            return None
        return NO_RETENTION, _cost_of(resource, catalogue)
    if kind == "elb:load-balancer":
        targets = d.get("target_count")
        if isinstance(targets, int) and not isinstance(targets, bool) and targets == 0:
            return NO_TARGETS, _cost_of(resource, catalogue)
        return None
    return None


def find_waste(
    resources: Iterable[Resource], catalogue: Catalogue | None = None
) -> list[tuple[Resource, str, float | None]]:
    """Every waste row in ``resources`` with its category and saving (volumes looked up among them)."""
    items = list(resources)
    volumes = {(r.account_id, r.region, r.id): r for r in items if r.kind == "ec2:volume"}
    out = []
    for r in items:
        lookup = None
        if r.kind == "ec2:instance":
            lookup = {
                vid: volumes[(r.account_id, r.region, vid)]
                for vid in r.details.get("volume_ids") or []
                if (r.account_id, r.region, vid) in volumes
            }
        found = waste(r, lookup, catalogue)
        if found is not None:
            out.append((r, found[0], found[1]))
    return out


__all__ = [
    "ESTIMATORS",
    "IDLE_EIP",
    "NO_RETENTION",
    "NO_TARGETS",
    "STOPPED_INSTANCE",
    "UNATTACHED_VOLUME",
    "Estimate",
    "LivePriceSource",
    "cents",
    "estimate",
    "find_waste",
    "price_resources",
    "waste",
]
