"""Findings: the savings each resource shows, with evidence, and totals that count nothing twice.

Every kind declares its rules in its own module (``KindSpec.rules``); this module runs them.
A rule that reads only its row (``related_kind`` None) is run as the row is scanned
(``local_findings``); one that reads other rows (a stopped instance's volumes, a snapshot's
source volume) once the rows it reads are all in (``with_findings``), and only if their kind
was scanned at all: a snapshot whose volumes were not listed is not called orphaned.

A total counts each billed thing once: a row's findings exclude each other (deleting an
unattached gp2 volume and converting it to gp3 do not add up), and a finding that saves
what other rows cost (a stopped instance's volumes, an unused image's snapshots) covers
them.  ``savings_total`` takes findings from the largest down and skips one whose rows an
earlier one already counted.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker_tui.aws.kinds import REGISTRY, Thresholds, rules_of
from tracker_tui.aws.kinds.base import Related, Rule, no_related
from tracker_tui.model import CellResult, Finding, Resource, format_cost

Key = tuple[str, str, str, str]
_Place = tuple[str, str, str]


def related_kinds() -> frozenset[str]:
    """The kinds some rule reads other rows of (stopped instances read their volumes)."""
    return frozenset(rule.related_kind for rule in REGISTRY.rules().values() if rule.related_kind is not None)


def kinds_with_related_rules() -> frozenset[str]:
    """The kinds whose findings wait for other rows (worked out again when those are in)."""
    return frozenset(spec.id for spec in REGISTRY.values() if any(rule.related_kind for rule in spec.rules))


def _finding(rule: Rule, resource: Resource, lookup: Related) -> Finding | None:
    if rule.confirm is not None and not rule.confirm(resource, lookup):
        return None
    saving = rule.saving(resource, lookup)
    target = rule.target(resource) if rule.target is not None else None
    return Finding(rule.id, saving, rule.evidence(resource, lookup, saving), rule.confidence, rule.action, target)


def local_findings(resources: Iterable[Resource], limits: Thresholds | None = None) -> list[Resource]:
    """``resources`` with the findings of the rules that read the row alone (cheap; per page),
    judged under ``limits`` (the user's thresholds; default the declared defaults)."""
    metric = _metric_ids()
    out = []
    for r in resources:
        found = []
        for rule in rules_of(r.kind, limits):
            if rule.related_kind is None and rule.applies(r):
                finding = _finding(rule, r, no_related)
                if finding is not None:
                    found.append(finding)
        found.extend(f for f in r.findings if f.id in metric)
        out.append(dataclasses.replace(r, findings=tuple(found)) if found or r.findings else r)
    return out


def _metric_ids() -> frozenset[str]:
    """The findings read from CloudWatch: only a check sets or clears them, never the rules."""
    return frozenset(REGISTRY.metric_rules())


class Lookup:
    """Rows of the related kinds by place (account, region, id), for the rules that read them."""

    def __init__(self, resources: Iterable[Resource] = ()) -> None:
        self.wanted = related_kinds()
        self.rows: dict[str, dict[_Place, Resource]] = {kind: {} for kind in self.wanted}
        for r in resources:
            self.add(r)

    def add(self, r: Resource) -> None:
        if r.kind in self.wanted:
            self.rows[r.kind][(r.account_id, r.region, r.id)] = r

    def remove(self, r: Resource) -> None:
        if r.kind in self.wanted:
            self.rows[r.kind].pop((r.account_id, r.region, r.id), None)

    def for_row(self, kind: str, resource: Resource) -> Related:
        rows = self.rows.get(kind, {})

        def related(ident: str) -> Resource | None:
            return rows.get((resource.account_id, resource.region, ident))

        return related


#: A scan cell that finished listing everything: (account, region, kind).
Cell = tuple[str, str, str]


def complete_cells(results: Iterable[CellResult]) -> set[Cell]:
    """The cells of a scan whose rows are all in (done, empty or partial; not failed or cancelled)."""
    return {(r.cell.account_id, r.cell.region, r.cell.kind) for r in results if r.status.listed_all}


def with_findings(
    resources: Sequence[Resource],
    complete: set[Cell] | None = None,
    lookup: Lookup | None = None,
    limits: Thresholds | None = None,
) -> list[Resource]:
    """Every row with all its findings: the row's own rules and those that read other rows.

    ``complete``: the cells whose rows are all in (``complete_cells``; None: every kind
    present counts as fully listed everywhere).  A rule reading rows of a cell that failed
    or was not scanned is not run: a snapshot is not orphaned because its volume's region
    was denied.
    """
    lookup = lookup or Lookup(resources)
    present = {r.kind for r in resources}
    metric = _metric_ids()

    def listed(r: Resource, kind: str) -> bool:
        return kind in present if complete is None else (r.account_id, r.region, kind) in complete

    out = []
    for r in resources:
        found = []
        for rule in rules_of(r.kind, limits):
            if not rule.applies(r):
                continue
            if rule.related_kind is None:
                finding = _finding(rule, r, no_related)
            elif listed(r, rule.related_kind):
                finding = _finding(rule, r, lookup.for_row(rule.related_kind, r))
            else:
                finding = None
            if finding is not None:
                found.append(finding)
        found.extend(f for f in r.findings if f.id in metric)
        out.append(dataclasses.replace(r, findings=tuple(found)) if found or r.findings else r)
    return out


def related_findings(
    rows: Iterable[Resource], results: Iterable[CellResult], limits: Thresholds | None = None
) -> list[Resource]:
    """Once a scan is complete: the rows whose findings read other rows, with those findings
    (only the rows that changed; the TUI puts them back in place)."""
    everything = list(rows)
    lookup = Lookup(everything)
    complete = complete_cells(results)
    waiting = kinds_with_related_rules()
    candidates = [r for r in everything if r.kind in waiting]
    return [
        new
        for old, new in zip(candidates, with_findings(candidates, complete, lookup, limits), strict=True)
        if new.findings != old.findings
    ]


def _covered(resource: Resource, finding: Finding, lookup: Lookup, rules: dict[str, Rule]) -> set[Key]:
    keys = {resource.key}
    rule = rules.get(finding.id)
    if rule is not None and rule.covers is not None and rule.related_kind is not None:
        keys.update(row.key for row in rule.covers(resource, lookup.for_row(rule.related_kind, resource)))
    return keys


def counted(resources: Iterable[Resource], lookup: Lookup | None = None) -> list[tuple[Resource, Finding]]:
    """The findings a total counts: largest first, none on a billed thing already counted.

    ``lookup``: the related rows (built from ``resources`` when None; the cost panel keeps
    its own up to date, so a 100,000-row scan does not rebuild one per refresh).
    """
    rows = list(resources)
    lookup = lookup or Lookup(rows)
    rules = REGISTRY.rules()
    candidates = [(r, f) for r in rows for f in r.findings if f.monthly_saving is not None and f.monthly_saving > 0]
    candidates.sort(key=lambda rf: (-(rf[1].monthly_saving or 0.0), rf[0].key, rf[1].id))
    taken: set[Key] = set()
    out = []
    for r, f in candidates:
        keys = _covered(r, f, lookup, rules)
        if keys & taken:
            continue
        taken |= keys
        out.append((r, f))
    return out


def savings_total(resources: Iterable[Resource], lookup: Lookup | None = None) -> float:
    """The monthly savings of ``resources``, each billed thing counted once (see the module doc)."""
    return round(sum(f.monthly_saving or 0.0 for _, f in counted(resources, lookup)), 2)


def in_place_saving(resource: Resource, limit: float | None = None) -> float | None:
    """The most one fix that loses no data saves on ``resource`` (its kind's ``in_place``
    over its findings), at most ``limit``; None when none of its findings has such a fix or
    what it saves is unknown."""
    spec = REGISTRY.get(resource.kind)
    fixes = spec.in_place if spec is not None else {}
    best: float | None = None
    for finding in resource.findings:
        fix = fixes.get(finding.id)
        saves = fix.realises(resource, finding.monthly_saving) if fix is not None else None
        if saves is not None and (best is None or saves > best):
            best = saves
    if best is not None and limit is not None:
        best = min(best, limit)
    return best


@dataclass(frozen=True)
class Savings:
    """The savings found, each billed thing counted once, and how much of it a fix that loses
    no data reaches (a stop, ``m``, a delete that keeps a snapshot first): per counted
    finding, the best such fix on its row, never more than the finding."""

    monthly: float
    in_place_monthly: float

    @property
    def in_place_share(self) -> float | None:
        return self.in_place_monthly / self.monthly if self.monthly else None

    def to_dict(self) -> dict[str, float]:
        return {"monthly": self.monthly, "in_place_monthly": self.in_place_monthly}

    def in_place_text(self) -> str:
        """``$3,950.00 of $4,831.57/mo can be fixed in place`` (the words every screen uses)."""
        return f"{format_cost(self.in_place_monthly)} of {format_cost(self.monthly)}/mo can be fixed in place"


def savings_of(resources: Iterable[Resource], lookup: Lookup | None = None) -> Savings:
    """``savings_total`` and the part of it fixable in place (see ``Savings``)."""
    pairs = counted(resources, lookup)
    total = sum(f.monthly_saving or 0.0 for _, f in pairs)
    kept = sum(in_place_saving(r, f.monthly_saving) or 0.0 for r, f in pairs)
    return Savings(round(total, 2), round(kept, 2))


@dataclass(frozen=True)
class SavingsLine:
    """One finding id: how many rows, what they save (each on its own), and the filter."""

    finding_id: str
    label: str
    count: int
    saving: float
    #: Rows whose saving cannot be known (in ``count``, not in ``saving``).
    unknown: int = 0

    @property
    def filter_text(self) -> str:
        return f"finding:{self.finding_id}"

    def saving_text(self) -> str:
        """``$12.00``; ``unknown`` when no row's saving can be known (never a silent $0.00);
        ``$12.00 + 2 unknown`` when some cannot."""
        if self.unknown >= self.count:
            return "unknown"
        known = format_cost(self.saving)
        return f"{known} + {self.unknown} unknown" if self.unknown else known


class SavingsTally:
    """Findings counted by id as rows come and go (O(findings) per row), for ``lines``."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.unknown: dict[str, int] = defaultdict(int)
        self.saving: dict[str, float] = defaultdict(float)

    def add(self, resource: Resource, sign: int = 1) -> None:
        for f in resource.findings:
            self.counts[f.id] += sign
            if f.monthly_saving is None:
                self.unknown[f.id] += sign
            else:
                self.saving[f.id] += sign * f.monthly_saving

    def remove(self, resource: Resource) -> None:
        self.add(resource, -1)

    def lines(self) -> list[SavingsLine]:
        """Findings grouped by id, biggest saving first."""
        labels = REGISTRY.finding_labels()
        lines = []
        for fid, count in self.counts.items():
            if count:
                label = labels.get(fid, fid)
                lines.append(SavingsLine(fid, label, count, round(self.saving[fid], 2), self.unknown[fid]))
        return sorted(lines, key=lambda line: (-line.saving, line.finding_id))


def savings_lines(resources: Iterable[Resource]) -> list[SavingsLine]:
    """Findings grouped by id, biggest saving first."""
    tally = SavingsTally()
    for r in resources:
        tally.add(r)
    return tally.lines()
