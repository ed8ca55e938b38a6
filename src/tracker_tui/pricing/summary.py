"""Running cost totals for the side panels: total, by kind, by region, top spenders, waste.

Kept incrementally (add / remove one resource at a time) so the panels stay live during a
scan of 100,000 resources without re-summing everything on every tick.  Unpriced rows
(``monthly_cost`` None) are counted, never treated as zero.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from tracker_tui.model import Resource
from tracker_tui.pricing.estimate import IDLE_EIP, NO_RETENTION, NO_TARGETS, STOPPED_INSTANCE, UNATTACHED_VOLUME, waste

Key = tuple[str, str, str, str]

#: The table filter that shows each kind of waste (what "select a waste line" applies).
WASTE_FILTERS = {
    IDLE_EIP: "kind:ec2:elastic-ip state:idle",
    UNATTACHED_VOLUME: "kind:ec2:volume state:available",
    STOPPED_INSTANCE: "kind:ec2:instance state:stopped",
    NO_RETENTION: "kind:logs:log-group state:no-retention",
    NO_TARGETS: "kind:elb:load-balancer state:idle",
}


@dataclass(frozen=True)
class WasteLine:
    """One kind of waste: what, how many, the monthly saving, and the filter that shows it.

    ``unknown`` counts the rows whose saving cannot be known (unpriced); they are in
    ``count`` but add nothing to ``saving``.
    """

    label: str
    count: int
    saving: float
    filter_text: str
    unknown: int = 0


class CostSummary:
    """Aggregates over a changing set of resources."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self._rows: dict[Key, Resource] = {}
        self.total = 0.0
        self.priced = 0
        self.unpriced = 0
        self.by_kind: dict[str, float] = defaultdict(float)
        self.by_region: dict[str, float] = defaultdict(float)
        self.unpriced_by_kind: dict[str, int] = defaultdict(int)
        self._waste_candidates: dict[Key, Resource] = {}
        self._volumes: dict[str, Resource] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, resources: Iterable[Resource]) -> None:
        for resource in resources:
            old = self._rows.get(resource.key)
            if old is not None:
                self._subtract(old)
            self._rows[resource.key] = resource
            self._add(resource)

    def remove(self, keys: Iterable[Key]) -> None:
        for key in keys:
            old = self._rows.pop(key, None)
            if old is not None:
                self._subtract(old)

    def _add(self, r: Resource) -> None:
        cost = r.monthly_cost
        if cost is None:
            self.unpriced += 1
            self.unpriced_by_kind[r.kind] += 1
        else:
            self.priced += 1
            self.total += cost
            self.by_kind[r.kind] += cost
            self.by_region[r.region] += cost
        if r.kind == "ec2:volume":
            self._volumes[r.id] = r
        if _may_be_waste(r):
            self._waste_candidates[r.key] = r

    def _subtract(self, r: Resource) -> None:
        cost = r.monthly_cost
        if cost is None:
            self.unpriced -= 1
            self.unpriced_by_kind[r.kind] -= 1
            if not self.unpriced_by_kind[r.kind]:
                del self.unpriced_by_kind[r.kind]
        else:
            self.priced -= 1
            self.total -= cost
            for table, key in ((self.by_kind, r.kind), (self.by_region, r.region)):
                table[key] -= cost
                if abs(table[key]) < 1e-9:
                    del table[key]
        if r.kind == "ec2:volume":
            self._volumes.pop(r.id, None)
        self._waste_candidates.pop(r.key, None)

    def top(self, n: int = 10) -> list[Resource]:
        """The ``n`` most expensive resources, dearest first."""
        priced = (r for r in self._rows.values() if r.monthly_cost)
        return heapq.nlargest(n, priced, key=lambda r: r.monthly_cost or 0.0)

    def waste_lines(self) -> list[WasteLine]:
        """Waste grouped by what it is, with the monthly saving of each group, biggest first."""
        savings: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        unknown: dict[str, int] = defaultdict(int)
        for resource in self._waste_candidates.values():
            found = waste(resource, self._volumes)
            if found is None:
                continue
            label, saving = found
            counts[label] += 1
            if saving is None:
                unknown[label] += 1
            else:
                savings[label] += saving
        lines = [
            WasteLine(label, counts[label], round(savings[label], 2), WASTE_FILTERS.get(label, ""), unknown[label])
            for label in counts
        ]
        return sorted(lines, key=lambda line: (-line.saving, line.label))

    def waste_total(self) -> float:
        return sum(line.saving for line in self.waste_lines())


def _may_be_waste(r: Resource) -> bool:
    """A cheap pre-check so only plausible waste is kept for the waste panel."""
    if r.kind == "ec2:elastic-ip":
        return r.state == "idle"
    if r.kind == "ec2:volume":
        return r.state == "available"
    if r.kind == "ec2:instance":
        return r.state == "stopped"
    if r.kind == "logs:log-group":
        return not r.details.get("retention_days")
    if r.kind == "elb:load-balancer":
        return not r.details.get("target_count")
    return False
