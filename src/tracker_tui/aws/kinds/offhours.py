"""Off-hours in a kind's price and findings: a scheduled row bills its schedule's hours, and a
non-production row running around the clock shows ``no-off-hours``.

The two share one formula (``scheduled_cost``), so a row scheduled on the finding's own
schedule costs exactly its cost less the finding's saving.  The compute part of a row is what
it costs running less what it costs stopped (storage, which keeps billing), each from the
kind's own estimator; a month is 730 hours, the schedule's hours are
``OffHours.monthly_hours`` (a year's hours in its zone over 12).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import UTC, datetime

from tracker_tui.aws.kinds.base import Related, Rule, Schedulable
from tracker_tui.aws.kinds.knobs import Thresholds
from tracker_tui.model import Resource, format_cost
from tracker_tui.offhours import HOURS_PER_MONTH, SCHEDULE_TAG, OffHours, schedule_of, scheduled_by
from tracker_tui.pricing.basis import Estimate, PriceBook, cents
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

Estimator = Callable[[Resource, Catalogue, "PriceBook | None"], Estimate]


def monthly_hours(schedule: OffHours) -> float:
    """``schedule.monthly_hours()`` (this year's), worked out once per schedule and year.

    It walks the year's weeks in the schedule's zone (~500 wall-clock conversions), and every
    non-production row a scan lists is priced and judged (``no-off-hours``) with it, several
    times each: that was most of what the findings cost a scan.
    """
    return _monthly_hours(schedule, datetime.now(UTC).year)


@functools.lru_cache(maxsize=64)
def _monthly_hours(schedule: OffHours, year: int) -> float:
    return schedule.monthly_hours(year)


@dataclasses.dataclass(frozen=True)
class Split:
    """A row's price cut in two: what it bills running and what it still bills stopped."""

    running: float
    stopped: float
    running_basis: str
    stopped_basis: str

    @property
    def compute(self) -> float:
        return max(0.0, self.running - self.stopped)

    def scheduled(self, schedule: OffHours) -> float:
        """What the row bills a month on ``schedule``: storage all month, compute its hours."""
        return cents(self.stopped + self.compute * monthly_hours(schedule) / HOURS_PER_MONTH)


def split(estimator: Estimator, kind: Schedulable, r: Resource, cat: Catalogue, book: PriceBook | None) -> Split | None:
    """``r`` priced running and stopped (None when either cannot be known)."""
    running, running_basis = estimator(dataclasses.replace(r, state=kind.running_state), cat, book)
    stopped, stopped_basis = estimator(dataclasses.replace(r, state=kind.stopped_state), cat, book)
    if running is None or stopped is None:
        return None
    return Split(running, stopped, running_basis, stopped_basis)


def scheduled_estimate(
    estimator: Estimator, kind: Schedulable, r: Resource, cat: Catalogue, book: PriceBook | None
) -> Estimate:
    """The row's price: its schedule's hours when tracker-tui's tag names one it can read and
    the row is in a state a schedule moves it through, else the kind's own estimate."""
    schedule = schedule_of(r.tags)
    if schedule is None or (r.state or "") not in kind.states:
        cost, basis = estimator(r, cat, book)
        if r.tags.get(SCHEDULE_TAG) and schedule is None:
            basis = f"{basis} (its {SCHEDULE_TAG} tag is not a schedule tracker-tui can read: priced as it is)"
        return cost, basis
    parts = split(estimator, kind, r, cat, book)
    if parts is None:
        _, basis = estimator(dataclasses.replace(r, state=kind.running_state), cat, book)
        return None, f"scheduled {schedule.label}: compute unknown ({basis})"
    hours = monthly_hours(schedule)
    hourly = parts.compute / HOURS_PER_MONTH
    return parts.scheduled(schedule), (
        f"scheduled {schedule.label}: {hours:g} h/month x ${hourly:.4f}/h compute "
        f"= {format_cost(cents(parts.compute * hours / HOURS_PER_MONTH))} "
        f"(around the clock: {parts.running_basis}); stopped hours: {parts.stopped_basis}"
    )


def _evidence_tail(parts: Split) -> str:
    if parts.stopped:
        return f"storage keeps billing {format_cost(parts.stopped)}/mo ({parts.stopped_basis})"
    return f"storage keeps billing ({parts.stopped_basis})"


def no_off_hours(kind: Schedulable, estimator: Estimator) -> Callable[[Thresholds], Rule]:
    """The ``no-off-hours`` rule of one kind, bound to the thresholds' off-hours policy: a
    running row tagged non-production that nothing schedules; it saves the compute billed
    outside office hours (the policy's zone)."""

    def bind(limits: Thresholds) -> Rule:
        policy = limits.offhours

        def parts_of(r: Resource) -> Split | None:
            return split(estimator, kind, r, load_catalogue(), None)

        def applies(r: Resource) -> bool:
            return (
                (r.state or "") == kind.running_state
                and r.monthly_cost is not None
                and policy.marker(r.tags) is not None
                and not scheduled_by(r.tags)
            )

        def saving(r: Resource, related: Related) -> float | None:
            parts = parts_of(r)
            if parts is None or r.monthly_cost is None:
                return None
            return cents(max(0.0, r.monthly_cost - parts.scheduled(policy.default)))

        def evidence(r: Resource, related: Related, found: float | None) -> str:
            marker = policy.marker(r.tags)
            tag = f"{marker[0]}={marker[1]}" if marker else "non-production"
            parts = parts_of(r)
            schedule = policy.default
            hours = monthly_hours(schedule)
            if parts is None:
                return f"tagged {tag}, running around the clock with no schedule; its compute price is unknown"
            return (
                f"tagged {tag}, running around the clock with no schedule; {schedule.label} runs {hours:g} of "
                f"{HOURS_PER_MONTH:g} h/month, so its compute {format_cost(parts.compute)}/mo would bill "
                f"{format_cost(cents(parts.compute * hours / HOURS_PER_MONTH))}; {_evidence_tail(parts)}"
            )

        return Rule(
            id="no-off-hours",
            label="non-production running 24/7",
            applies=applies,
            saving=saving,
            evidence=evidence,
            # Office hours are a guess at when nobody uses it: a person confirms with z.
            confidence="medium",
            action="schedule",
            bind=bind,
        )

    return bind
