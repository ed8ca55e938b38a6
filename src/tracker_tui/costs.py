"""Running cost totals for the side panels: total, by kind, by region, top spenders, waste.

Kept incrementally (add / remove one resource at a time) so the panels stay live during a
scan of 100,000 resources without re-summing everything on every tick.  Unpriced rows
(``monthly_cost`` None) are counted, never treated as zero.  Savings are the findings the
rows carry (``tracker_tui.findings``); nothing here knows a kind by name.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable

from tracker_tui.findings import Lookup, Savings, SavingsLine, SavingsTally, savings_lines, savings_of
from tracker_tui.model import UNKNOWN_COST, Resource, format_cost
from tracker_tui.store import Inventory
from tracker_tui.untrusted import markdown_code, markdown_text

Key = tuple[str, str, str, str]


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
        #: Rows with findings, and rows of the kinds findings cover (for the total).
        self._with_findings: dict[Key, Resource] = {}
        self._tally = SavingsTally()
        self._lookup = Lookup()
        self._counted: Savings | None = None
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
        if r.findings:
            self._with_findings[r.key] = r
            self._tally.add(r)
            self._counted = None
        if r.kind in self._lookup.wanted:
            self._lookup.add(r)
            self._counted = None

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
        if self._with_findings.pop(r.key, None) is not None:
            self._tally.remove(r)
            self._counted = None
        if r.kind in self._lookup.wanted:
            self._lookup.remove(r)
            self._counted = None

    def top(self, n: int = 10) -> list[Resource]:
        """The ``n`` most expensive resources, dearest first (cached until it can change)."""
        if self._top is None or self._top_n != n:
            priced = (r for r in self._rows.values() if r.monthly_cost)
            self._top = heapq.nlargest(n, priced, key=lambda r: r.monthly_cost or 0.0)
            self._top_n = n
        return list(self._top)

    def waste_lines(self) -> list[SavingsLine]:
        """Savings grouped by finding id, biggest first (each group sums its own rows)."""
        return self._tally.lines()

    def waste_total(self) -> float:
        """The savings of every row, each billed thing counted once (``findings.savings_total``)."""
        return self.savings().monthly

    def savings(self) -> Savings:
        """The savings of every row counted once, and the part fixable in place (``findings.savings_of``)."""
        if self._counted is None:
            self._counted = savings_of(self._with_findings.values(), self._lookup)
        return self._counted


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
        f"savings: {format_cost(summary.waste_total())}/mo (each resource counted once; "
        f"{format_cost(summary.savings().in_place_monthly)} of it fixable in place, nothing lost)"
        + "".join(f"; {w.finding_id} x{w.count} {w.saving_text()}" for w in waste),
    ]


def dumps_markdown(inventory: Inventory) -> str:
    """The savings report: totals by finding id, then every finding's row with its evidence."""
    resources = inventory.resources
    found = savings_of(resources)
    ident = inventory.identity
    account = f"{ident.account_id} ({ident.alias})" if ident.alias else ident.account_id
    lines = [
        f"# Savings: account {markdown_text(account)}",
        "",
        f"{len(resources)} resources in {len(inventory.regions)} regions, scanned {inventory.scanned_at}. "
        f"Savings found: **{format_cost(found.monthly)}/mo** (each resource counted once: "
        "the largest of its findings, and a finding that covers other rows counts them). "
        f"**{found.in_place_text()}** without losing data: a stop, `m` (a change of type, class, tier or "
        "billing) or a volume deleted after a snapshot of it.",
        "",
        "| finding | rows | saving/mo | unknown |",
        "|---|---:|---:|---:|",
    ]
    groups = savings_lines(resources)
    lines += [f"| {markdown_code(g.finding_id)} | {g.count} | {format_cost(g.saving)} | {g.unknown} |" for g in groups]
    for group in groups:
        lines += ["", f"## {markdown_code(group.finding_id)}: {markdown_text(group.label)}", ""]
        lines += ["| kind | region | id | name | saving/mo | confidence | evidence |", "|---|---|---|---|---:|---|---|"]
        for r in resources:
            for f in r.findings:
                if f.id == group.finding_id:
                    lines.append(
                        f"| {markdown_text(r.kind)} | {markdown_text(r.region)} | {markdown_code(r.id)} "
                        f"| {markdown_text(r.name)} | {format_cost(f.monthly_saving)} "
                        f"| {markdown_text(f.confidence)} | {markdown_text(f.evidence)} |"
                    )
    for e in inventory.errors:
        lines.append("\nerror: " + markdown_text(f"{e.region} {e.kind}: {e.code}: {e.message}") + " (not checked)")
    return "\n".join(lines) + "\n"
