"""The price catalogue shipped with the package (``catalogue.json``) and typed access to it.

The file holds us-east-1 on-demand prices and, per commercial region, one factor per
service (optionally per EC2 family) derived from that region's published prices.  A
regional price is ``round(us-east-1 price x factor, 5)``; a region the file does not list
has no price at all, so callers show it as unknown rather than guess.

Every section, and the regional factor table, names its source; the file as a whole has a
source and an ``as_of`` date.  ``Catalogue`` refuses a file that lacks them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

SCHEMA = "tracker-tui/price-catalogue/v1"

#: Services that carry a per-region factor (``regions.factors[region][service]``).
FACTOR_SERVICES: tuple[str, ...] = ("ec2", "ebs", "nat_gateway", "elb", "rds", "elasticache", "s3", "logs")


class CatalogueError(ValueError):
    """The catalogue file is missing, unreadable or incomplete."""


def _round_rate(value: float) -> float:
    """Regional prices are kept to 5 decimals (AWS publishes hourly prices to 4 or 5)."""
    return round(value, 5)


@dataclass(frozen=True, slots=True)
class EbsRates:
    """One EBS volume type's prices in one region."""

    volume_type: str
    gb_month: float
    iops_included: int = 0
    iops_month: float | None = None
    #: io2: ``((up_to_iops | None, price), ...)``, applied tier by tier.
    iops_tiers: tuple[tuple[int | None, float], ...] = ()
    throughput_included_mibps: int = 0
    throughput_mibps_month: float | None = None
    usage_note: str | None = None


@dataclass(frozen=True, slots=True)
class RdsStorageRates:
    """One RDS storage type's prices in one region (Single-AZ; Multi-AZ doubles them)."""

    storage_type: str
    gb_month: float
    iops_month: float | None = None
    #: gp3: IOPS included below 400 GiB, and from 400 GiB.
    iops_included: int = 0
    iops_included_from_400_gib: int = 0
    usage_note: str | None = None


@dataclass(frozen=True, slots=True)
class ElbRate:
    label: str
    hourly: float
    usage_note: str | None


class Catalogue:
    """Typed, validated view of the catalogue data.

    Raises:
        CatalogueError: from the constructor when the data is incomplete (a section or the
            region table without a source, no ``as_of``, a missing or non-positive factor).
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        _validate(data)
        self._data = data
        self.source: str = data["source"]
        self.as_of: str = data["as_of"]
        self.currency: str = data.get("currency", "USD")
        self.hours_per_month: int = int(data["hours_per_month"])
        self.base_region: str = data["base_region"]
        self._sections: Mapping[str, Any] = data["sections"]
        self._factors: Mapping[str, Mapping[str, Any]] = data["regions"]["factors"]
        ec2 = self._sections["ec2"]
        self._ec2_os = frozenset(os_.lower() for os_ in ec2.get("operating_systems", []))

    # --- whole-file facts --------------------------------------------------------------

    @property
    def sections(self) -> Mapping[str, Any]:
        return self._sections

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(self._factors)

    @property
    def regions_source(self) -> str:
        return str(self._data["regions"]["source"])

    def section_source(self, name: str) -> str:
        return str(self._sections[name]["source"])

    def knows_region(self, region: str) -> bool:
        return region in self._factors

    def factor(self, service: str, region: str, family: str | None = None) -> float | None:
        """The region's price factor for ``service`` (and EC2 ``family``); None for an unlisted region."""
        entry = self._factors.get(region)
        if entry is None:
            return None
        if family is not None:
            families = entry.get(f"{service}_families") or {}
            if family in families:
                return float(families[family])
        value = entry.get(service)
        return None if value is None else float(value)

    def _regional(self, price: float | None, service: str, region: str, family: str | None = None) -> float | None:
        if price is None:
            return None
        factor = self.factor(service, region, family)
        return None if factor is None else _round_rate(float(price) * factor)

    # --- EC2 ---------------------------------------------------------------------------

    def ec2_os_priced(self, platform: str) -> bool:
        """True when instances of this platform (``PlatformDetails``) are priced."""
        return platform.strip().lower() in self._ec2_os

    def ec2_hourly(self, instance_type: str, region: str) -> float | None:
        """Linux on-demand USD/hour for ``instance_type`` in ``region``, or None when not catalogued."""
        family, _, size = instance_type.partition(".")
        price = self._sections["ec2"]["families"].get(family, {}).get(size)
        return self._regional(price, "ec2", region, family)

    def ec2_instance_types(self) -> list[str]:
        return [f"{fam}.{size}" for fam, sizes in self._sections["ec2"]["families"].items() for size in sizes]

    # --- EBS and public IPv4 -----------------------------------------------------------

    def ebs(self, volume_type: str, region: str) -> EbsRates | None:
        spec = self._sections["ebs"]["volume_types"].get(volume_type)
        factor = self.factor("ebs", region)
        if spec is None or factor is None:
            return None

        def r(value: Any) -> float | None:
            return None if value is None else _round_rate(float(value) * factor)

        tiers = tuple(
            (None if up is None else int(up), _round_rate(float(p) * factor)) for up, p in spec.get("iops_tiers", [])
        )
        return EbsRates(
            volume_type=volume_type,
            gb_month=_round_rate(float(spec["gb_month"]) * factor),
            iops_included=int(spec.get("iops_included", 0)),
            iops_month=r(spec.get("iops_month")),
            iops_tiers=tiers,
            throughput_included_mibps=int(spec.get("throughput_included_mibps", 0)),
            throughput_mibps_month=r(spec.get("throughput_mibps_month")),
            usage_note=spec.get("usage_note"),
        )

    def public_ipv4_hourly(self, region: str) -> float | None:
        """The same in every listed region; None for a region the catalogue does not list."""
        if not self.knows_region(region):
            return None
        return float(self._sections["public_ipv4"]["hourly"])

    # --- networking --------------------------------------------------------------------

    def nat_hourly(self, region: str) -> float | None:
        return self._regional(self._sections["nat_gateway"]["hourly"], "nat_gateway", region)

    def nat_data_processing_gb(self, region: str) -> float | None:
        return self._regional(self._sections["nat_gateway"]["data_processing_gb"], "nat_gateway", region)

    def elb(self, subtype: str, region: str) -> ElbRate | None:
        spec = self._sections["elb"]["subtypes"].get(subtype)
        if spec is None:
            return None
        hourly = self._regional(spec["hourly"], "elb", region)
        if hourly is None:
            return None
        return ElbRate(label=str(spec.get("label", subtype)), hourly=hourly, usage_note=spec.get("usage_note"))

    # --- databases and caches ----------------------------------------------------------

    def rds_engine(self, engine: str) -> str:
        """The engine whose price table applies (``mariadb`` is priced as ``mysql``)."""
        engine = engine.strip().lower()
        return str(self._sections["rds"].get("engine_aliases", {}).get(engine, engine))

    def rds_hourly(self, engine: str, instance_class: str, region: str) -> float | None:
        """Single-AZ on-demand USD/hour, or None when the engine or class is not catalogued."""
        table = self._sections["rds"]["engines"].get(self.rds_engine(engine), {})
        return self._regional(table.get(instance_class), "rds", region)

    def rds_storage(self, storage_type: str, region: str) -> RdsStorageRates | None:
        spec = self._sections["rds"]["storage"].get(storage_type)
        factor = self.factor("rds", region)
        if spec is None or factor is None:
            return None
        iops = spec.get("iops_month")
        return RdsStorageRates(
            storage_type=storage_type,
            gb_month=_round_rate(float(spec["gb_month"]) * factor),
            iops_month=None if iops is None else _round_rate(float(iops) * factor),
            iops_included=int(spec.get("iops_included", 0)),
            iops_included_from_400_gib=int(spec.get("iops_included_from_400_gib", spec.get("iops_included", 0))),
            usage_note=spec.get("usage_note"),
        )

    @property
    def aurora_storage_note(self) -> str:
        return str(self._sections["rds"].get("aurora_storage_note", "storage billed on the Aurora cluster"))

    def elasticache_hourly(self, node_type: str, engine: str, region: str) -> float | None:
        """USD per node-hour; None when the node type or engine is not catalogued."""
        section = self._sections["elasticache"]
        price = section["node_types"].get(node_type)
        engine_factor = section.get("engine_factors", {}).get((engine or "redis").strip().lower())
        if price is None or engine_factor is None:
            return None
        return self._regional(float(price) * float(engine_factor), "elasticache", region)

    # --- storage -----------------------------------------------------------------------

    def s3_standard_gb_month(self, region: str) -> float | None:
        return self._regional(self._sections["s3"]["standard_gb_month"], "s3", region)

    def logs_storage_gb_month(self, region: str) -> float | None:
        return self._regional(self._sections["logs"]["storage_gb_month"], "logs", region)

    def usage_note(self, section: str) -> str | None:
        note = self._sections.get(section, {}).get("usage_note")
        return None if note is None else str(note)


def _validate(data: Mapping[str, Any]) -> None:
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise CatalogueError("price catalogue: not a JSON object")
    if data.get("schema") != SCHEMA:
        problems.append(f"schema is {data.get('schema')!r}, expected {SCHEMA!r}")
    for key in ("source", "as_of", "base_region"):
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(f"missing '{key}'")
    hours = data.get("hours_per_month")
    if not isinstance(hours, (int, float)) or hours <= 0:
        problems.append("missing or bad 'hours_per_month'")
    sections = data.get("sections")
    if not isinstance(sections, Mapping) or not sections:
        problems.append("missing 'sections'")
        sections = {}
    required = ("ec2", "ebs", "public_ipv4", "nat_gateway", "elb", "rds", "elasticache", "s3", "logs")
    for name in required:
        if name not in sections:
            problems.append(f"missing section '{name}'")
    for name, section in sections.items():
        if not isinstance(section, Mapping) or not isinstance(section.get("source"), str) or not section["source"]:
            problems.append(f"section '{name}' has no source")
    for path, value in _numbers(sections):
        if value <= 0:
            problems.append(f"price {path} is not positive ({value})")
    regions = data.get("regions")
    if not isinstance(regions, Mapping) or not isinstance(regions.get("source"), str) or not regions.get("source"):
        problems.append("the region table has no source")
        regions = {}
    factors = regions.get("factors") if isinstance(regions, Mapping) else None
    if not isinstance(factors, Mapping) or not factors:
        problems.append("the region table has no factors")
        factors = {}
    base = data.get("base_region")
    if factors and base not in factors:
        problems.append(f"the base region {base} has no factors")
    for region, entry in factors.items():
        for service in FACTOR_SERVICES:
            factor = entry.get(service) if isinstance(entry, Mapping) else None
            if not isinstance(factor, (int, float)) or isinstance(factor, bool) or factor <= 0:
                problems.append(f"region {region} has no positive '{service}' factor")
            elif region == base and factor != 1.0:
                problems.append(f"the base region's '{service}' factor is {factor}, not 1.0")
    if problems:
        raise CatalogueError("price catalogue: " + "; ".join(problems))


def _numbers(node: Any, path: str = "") -> list[tuple[str, float]]:
    """Every number in ``node`` (bools and JSON nulls skipped), with a dotted path."""
    found: list[tuple[str, float]] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            found.extend(_numbers(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_numbers(value, f"{path}[{i}]"))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        found.append((path, float(node)))
    return found


def read_catalogue_data() -> dict[str, Any]:
    """The raw JSON shipped in the package."""
    try:
        text = resources.files(__package__).joinpath("catalogue.json").read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"price catalogue unreadable: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError("price catalogue: not a JSON object")
    return data


@functools.lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The packaged catalogue, loaded and validated once per process."""
    return Catalogue(read_catalogue_data())


__all__ = [
    "FACTOR_SERVICES",
    "Catalogue",
    "CatalogueError",
    "EbsRates",
    "ElbRate",
    "RdsStorageRates",
    "load_catalogue",
    "read_catalogue_data",
]
