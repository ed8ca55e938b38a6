"""``tracker-tui prices update``: ask AWS for every price a scan needed, and say what changed.

The prices a scan needs are the ones its rows' estimators ask for: each estimator is run
against a ``RecordingBook`` that remembers every ``PriceQuery`` and answers none.  Those
are fetched from the Price List API into the cache (``LivePrices.update``), and every row is
priced again, with and without them, to report what the fetched prices change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource, format_cost, format_cost_sum
from tracker_tui.pricing.basis import PriceQuery
from tracker_tui.pricing.catalogue import load_catalogue
from tracker_tui.pricing.live import (
    DEFAULT_TTL_SECONDS,
    PRICING_REGION,
    ClientSource,
    LivePrices,
    RecordingBook,
    UpdateReport,
)

#: How many changed rows ``summary_lines`` lists (largest change first).
SHOWN_CHANGES = 10


def needed_queries(resources: Iterable[Resource]) -> list[PriceQuery]:
    """Every price the rows' estimators would look up, once each, in a stable order."""
    book = RecordingBook()
    catalogue = load_catalogue()
    for resource in resources:
        estimate(resource, catalogue, book)
    return sorted(book.queries.values(), key=lambda q: q.key)


@dataclass(frozen=True)
class RowChange:
    """A row whose monthly cost the fetched prices change (None: unknown)."""

    resource: Resource
    before: float | None
    after: float | None


@dataclass
class PriceUpdate:
    """What ``update_prices`` did: the API's answers, and the rows whose cost they change."""

    report: UpdateReport
    changes: list[RowChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    cache_path: Path | None = None
    rows: int = 0
    #: Every row's monthly cost without the fetched prices, and with them (None: unknown).
    before: list[float | None] = field(default_factory=list)
    after: list[float | None] = field(default_factory=list)

    @property
    def newly_priced(self) -> int:
        return sum(1 for c in self.changes if c.before is None and c.after is not None)


def update_prices(
    session: ClientSource, resources: Sequence[Resource], *, cache_path: Path | None = None, workers: int = 8
) -> PriceUpdate:
    """Fetch every price ``resources`` need into the cache; compare each row before and after."""
    queries = needed_queries(resources)
    live = LivePrices(session, cache_path, fetch=True)
    report = live.update(queries, workers=workers)
    catalogue = load_catalogue()
    cached = LivePrices(None, live.cache_path, fetch=False)
    changes, befores, afters = [], [], []
    for resource in resources:
        before, _ = estimate(resource, catalogue)
        after, _ = estimate(resource, catalogue, cached)
        befores.append(before)
        afters.append(after)
        if before != after:
            changes.append(RowChange(resource, before, after))
    problems = list(dict.fromkeys([*live.problems, *cached.problems]))
    return PriceUpdate(report, changes, problems, live.cache_path, len(resources), befores, afters)


def summary_lines(update: PriceUpdate) -> list[str]:
    """What ``tracker-tui prices update`` prints: what was asked and answered, where it is kept,
    and what it changes (the run-rate before and after, the largest row changes)."""
    r = update.report
    days = DEFAULT_TTL_SECONDS // 86400
    as_of = load_catalogue().as_of
    if not r.asked:
        return [f"nothing to ask: the {update.rows} rows need no price (free kinds, or none priced by the hour)"]
    lines = [
        f"AWS Price List API ({PRICING_REGION}): {r.asked} prices for {update.rows} rows: {r.fetched} fetched, "
        f"{r.unavailable} not sold as asked (kept as unknown), {r.failed} failed",
        f"cached in {update.cache_path} for {days} days; they win over the shipped catalogue (as of {as_of})",
    ]
    lines += [f"problem: {p}" for p in update.problems]
    newly = update.newly_priced
    lines.append(
        f"rows whose cost changes: {len(update.changes)} ({newly} newly priced); run-rate "
        f"{format_cost_sum(update.before)} -> {format_cost_sum(update.after)}"
    )

    def size(change: RowChange) -> float:
        return abs((change.after or 0.0) - (change.before or 0.0))

    for c in sorted(update.changes, key=size, reverse=True)[:SHOWN_CHANGES]:
        res = c.resource
        lines.append(f"  {res.kind} {res.id} {res.region}: {format_cost(c.before)} -> {format_cost(c.after)}")
    if len(update.changes) > SHOWN_CHANGES:
        lines.append(f"  ... and {len(update.changes) - SHOWN_CHANGES} more")
    return lines
