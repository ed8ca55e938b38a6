"""Running cost totals for the side panels: total, by kind, by region, top spenders, waste.

Kept incrementally (add / remove one resource at a time) so the panels stay live during a
scan of 100,000 resources without re-summing everything on every tick.  Unpriced rows
(``monthly_cost`` None) are counted, never treated as zero.  Waste comes from the rules
each kind declares (``KindSpec.rules``); nothing here knows a kind by name.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tracker_tui.aws.kinds import REGISTRY, price_resources, rules_of
from tracker_tui.aws.kinds.base import Related, Rule, no_related
from tracker_tui.model import UNKNOWN_COST, Resource, format_cost

Key = tuple[str, str, str, str]
#: A related row's place: (account, region, id).
_Place = tuple[str, str, str]



def related_kinds() -> frozenset[str]:
    """The kinds some rule reads other rows of (stopped instances read their volumes)."""
    return frozenset(rule.related_kind for rule in REGISTRY.rules().values() if rule.related_kind is not None)


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
    rule_id: str = ""


def _lookup(rows: dict[_Place, Resource], resource: Resource) -> Related:
    def related(ident: str) -> Resource | None:
        return rows.get((resource.account_id, resource.region, ident))

    return related


class CostSummary:
    """Aggregates over a changing set of resources.

    Every figure is kept as rows come and go: adding or removing a row costs O(1), so the
    panels can be refreshed during a 100,000-row scan.  Only the waste of rules that read
    other rows (they may arrive later) and the top spenders (after one of them goes) are
    worked out when asked for.
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
        #: Rows of the kinds rules read, by place.
        self._related: dict[str, dict[_Place, Resource]] = {kind: {} for kind in related_kinds()}
        #: key -> (rule, saving or None) for waste that depends on the row alone.
        self._waste: dict[Key, list[tuple[Rule, float | None]]] = {}
        self._waste_saving: dict[str, float] = defaultdict(float)
        self._waste_count: dict[str, int] = defaultdict(int)
        self._waste_unknown: dict[str, int] = defaultdict(int)
        #: key -> (row, rules) whose saving depends on other rows: worked out when asked.
        self._deferred: dict[Key, tuple[Resource, list[Rule]]] = {}
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
        related = self._related.get(r.kind)
        if related is not None:
            related[(r.account_id, r.region, r.id)] = r
        deferred: list[Rule] = []
        for rule in rules_of(r.kind):
            if not rule.applies(r):
                continue
            if rule.related_kind is not None:
                deferred.append(rule)
                continue
            saving = rule.saving(r, no_related)
            self._waste.setdefault(r.key, []).append((rule, saving))
            self._waste_count[rule.id] += 1
            if saving is None:
                self._waste_unknown[rule.id] += 1
            else:
                self._waste_saving[rule.id] += saving
        if deferred:
            self._deferred[r.key] = (r, deferred)

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
        related = self._related.get(r.kind)
        if related is not None:
            related.pop((r.account_id, r.region, r.id), None)
        self._deferred.pop(r.key, None)
        for rule, saving in self._waste.pop(r.key, []):
            self._waste_count[rule.id] -= 1
            if saving is None:
                self._waste_unknown[rule.id] -= 1
            else:
                self._waste_saving[rule.id] -= saving

    def top(self, n: int = 10) -> list[Resource]:
        """The ``n`` most expensive resources, dearest first (cached until it can change)."""
        if self._top is None or self._top_n != n:
            priced = (r for r in self._rows.values() if r.monthly_cost)
            self._top = heapq.nlargest(n, priced, key=lambda r: r.monthly_cost or 0.0)
            self._top_n = n
        return list(self._top)

    def waste_lines(self) -> list[WasteLine]:
        """Waste grouped by rule, with the monthly saving of each group, biggest first."""
        savings = defaultdict(float, self._waste_saving)
        counts = defaultdict(int, {rule_id: n for rule_id, n in self._waste_count.items() if n})
        unknown = defaultdict(int, self._waste_unknown)
        for resource, rules in self._deferred.values():
            for rule in rules:
                assert rule.related_kind is not None
                saving = rule.saving(resource, _lookup(self._related[rule.related_kind], resource))
                counts[rule.id] += 1
                if saving is None:
                    unknown[rule.id] += 1
                else:
                    savings[rule.id] += saving
        by_id = REGISTRY.rules()
        lines = [
            WasteLine(
                by_id[rule_id].label,
                counts[rule_id],
                round(savings[rule_id], 2),
                by_id[rule_id].filter,
                unknown[rule_id],
                rule_id,
            )
            for rule_id in counts
        ]
        return sorted(lines, key=lambda line: (-line.saving, line.label))

    def waste_total(self) -> float:
        return sum(line.saving for line in self.waste_lines())


def find_waste(resources: Iterable[Resource]) -> list[tuple[Resource, Rule, float | None]]:
    """Every waste row in ``resources`` with the rule it falls under and its saving.

    Rows not priced yet are priced first (a rule's saving is what the row costs); related
    rows (a stopped instance's volumes) are looked up among ``resources``.
    """
    items = [r if r.cost_basis is not None else price_resources([r])[0] for r in resources]
    related: dict[str, dict[_Place, Resource]] = {kind: {} for kind in related_kinds()}
    for r in items:
        if r.kind in related:
            related[r.kind][(r.account_id, r.region, r.id)] = r
    out = []
    for r in items:
        for rule in rules_of(r.kind):
            if rule.applies(r):
                lookup = no_related if rule.related_kind is None else _lookup(related[rule.related_kind], r)
                out.append((r, rule, rule.saving(r, lookup)))
    return out


def report_footer(resources: list[Resource]) -> list[str]:
    """The headless table's last lines: the estimated total and the waste by rule."""
    priced = [r.monthly_cost for r in resources if r.monthly_cost is not None]
    if not priced:
        return []
    unpriced = len(resources) - len(priced)
    summary = CostSummary()
    summary.add(resources)
    waste = summary.waste_lines()
    return [
        f"estimated monthly total: {format_cost(sum(priced))} "
        f"({unpriced} {UNKNOWN_COST}: usage-dependent or not in the catalogue, see cost_basis)",
        f"waste: {format_cost(sum(w.saving for w in waste))}/mo"
        + "".join(f"; {w.label} x{w.count} {format_cost(w.saving)}" for w in waste),
    ]
