"""What every estimator shares: rounding, the way rates are written, and the estimate type.

Each kind prices itself in its own module (``aws/kinds/``) from the catalogue's data; the
rules here keep every basis written the same way, so a person can recompute it by hand:

* A number we cannot know is ``None`` with a basis that says why (usage-dependent, an
  uncatalogued type or region, a platform we do not price).  Never a silent 0.
* ``0.0`` means "this row itself costs nothing" (a stopped instance, IAM, an Auto Scaling
  group whose instances are their own rows).
* A month is ``hours_per_month`` (730) hours; costs are rounded to cents (half up), using
  the hourly rate exactly as the basis shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.catalogue import Catalogue

#: ``(monthly USD or None, basis)``.
Estimate = tuple[float | None, str]

GIB = 2**30


@dataclass(frozen=True, slots=True)
class PriceQuery:
    """One price as the AWS Price List API names it: what an estimator would like to know.

    Args:
        service: the offer's service code (``AmazonEC2``).
        filters: GetProducts TERM_MATCH (field, value) pairs that pick one product.
        unit: the price dimension's unit (``Hrs``, ``GB-Mo``).
        label: how a person says it (``m5.large Windows us-east-1``), for bases and messages.
    """

    service: str
    filters: tuple[tuple[str, str], ...]
    unit: str
    label: str

    @property
    def key(self) -> str:
        """A stable name for the cache: the service and its filters."""
        return self.service + "|" + "|".join(f"{field}={value}" for field, value in sorted(self.filters))


@dataclass(frozen=True, slots=True)
class FetchedPrice:
    """A price the Price List API gave, and when."""

    usd: float
    fetched: str


class PriceBook(Protocol):
    """Prices fetched from AWS (``live.LivePrices``): they win over the shipped catalogue."""

    def price(self, query: PriceQuery) -> FetchedPrice | None: ...


#: A kind's estimator: the resource, the catalogue, and (optionally) the fetched prices.
Estimator = Callable[[Resource, Catalogue, "PriceBook | None"], Estimate]


def fetched(book: PriceBook | None, query: PriceQuery) -> FetchedPrice | None:
    """``book``'s price for ``query``; None without a book or when it has none (or fails)."""
    if book is None:
        return None
    try:
        return book.price(query)
    except Exception:  # noqa: BLE001 - a price lookup never breaks an estimate
        return None


def price_source(found: FetchedPrice | None, catalogue: Catalogue) -> str:
    """Where a price came from, as a basis says it."""
    if found is not None:
        return f"AWS Price List API, {found.fetched[:10]}"
    return f"catalogue {catalogue.as_of}"


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


def gb_text(value: float) -> str:
    """A size in GB for a basis: 2 decimals, or 3 significant digits when tiny."""
    if value == 0:
        return "0"
    if value < 0.01:
        return f"{value:.3g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def number(value: Any) -> float | None:
    """A details value as a number (None when missing or not numeric)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def count_text(value: float) -> str:
    """A count or size as written in a basis: ``1,000``, or ``1.5`` when not whole."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def unknown_region(region: str) -> Estimate:
    return None, f"no catalogue prices for region {region or 'unknown'}"


def hourly_basis(what: str, hourly: float, hours: int, count: int = 1) -> tuple[float, str]:
    """``what, [count x ]$rate/h x hours h = $total``, and the total."""
    monthly = cents(hourly * hours * count)
    times = f"{count} x " if count != 1 else ""
    return monthly, f"{what}, {times}${rate(hourly)}/h x {hours} h = {format_cost(monthly)}"


def free(reason: str) -> Estimator:
    """An estimator for a kind that never costs anything itself (the basis says why)."""

    def estimator(resource: Resource, catalogue: Catalogue, book: PriceBook | None) -> Estimate:
        return 0.0, reason

    return estimator


def usage_dependent(reason: str) -> Estimator:
    """An estimator for a kind whose cost depends on usage we cannot see (always None)."""

    def estimator(resource: Resource, catalogue: Catalogue, book: PriceBook | None) -> Estimate:
        return None, reason

    return estimator
