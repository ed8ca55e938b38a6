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
    """Aggregates over a changing set of resources.

    Every figure is kept as rows come and go: adding or removing a row costs O(1), so the
    panels can be refreshed during a 100,000-row scan.  Only stopped instances' waste (it
    depends on their volumes, which may arrive later) and the top spenders (after one of
    them goes) are worked out when asked for.
    """

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
        self._volumes: dict[str, Resource] = {}
        #: key -> (label, saving or None) for waste that depends on the row alone.
        self._waste: dict[Key, tuple[str, float | None]] = {}
        self._waste_saving: dict[str, float] = defaultdict(float)
        self._waste_count: dict[str, int] = defaultdict(int)
        self._waste_unknown: dict[str, int] = defaultdict(int)
        #: Stopped instances: their waste is their volumes' cost, looked up when asked.
        self._stopped: dict[Key, Resource] = {}
        self._top: list[Resource] | None = None
        self._top_n = 0

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
            top = self._top
            if top is not None and (len(top) < self._top_n or cost > (top[-1].monthly_cost or 0.0)):
                self._top = None
        if r.kind == "ec2:volume":
            self._volumes[r.id] = r
        if not _may_be_waste(r):
            return
        if r.kind == "ec2:instance":
            self._stopped[r.key] = r
            return
        found = waste(r)
        if found is not None:
            label, saving = found
            self._waste[r.key] = found
            self._waste_count[label] += 1
            if saving is None:
                self._waste_unknown[label] += 1
            else:
                self._waste_saving[label] += saving

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
            if self._top is not None and any(t.key == r.key for t in self._top):
                self._top = None
        if r.kind == "ec2:volume":
            self._volumes.pop(r.id, None)
        self._stopped.pop(r.key, None)
        found = self._waste.pop(r.key, None)
        if found is not None:
            label, saving = found
            self._waste_count[label] -= 1
            if saving is None:
                self._waste_unknown[label] -= 1
            else:
                self._waste_saving[label] -= saving

    def top(self, n: int = 10) -> list[Resource]:
        """The ``n`` most expensive resources, dearest first (cached until it can change)."""
        if self._top is None or self._top_n != n:
            priced = (r for r in self._rows.values() if r.monthly_cost)
            self._top = heapq.nlargest(n, priced, key=lambda r: r.monthly_cost or 0.0)
            self._top_n = n
        return list(self._top)

    def waste_lines(self) -> list[WasteLine]:
        """Waste grouped by what it is, with the monthly saving of each group, biggest first."""
        savings = defaultdict(float, self._waste_saving)
        counts = defaultdict(int, {label: n for label, n in self._waste_count.items() if n})
        unknown = defaultdict(int, self._waste_unknown)
        for resource in self._stopped.values():
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
