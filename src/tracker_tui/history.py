"""Memory between runs: the last scans of each account, and what changed since.

Each finished scan is saved (inventory v1, written atomically) under the user cache dir,
``scans/<account id>/<UTC time>.json``.  On start the newest one shows at once, marked
stale with its age, while a fresh scan streams in; afterwards ``diff`` says what is new,
gone and changed, with the cost delta.  Old scans are pruned (keep N).  A corrupt file
is moved aside and reported, never silently lost.

The reconciliation between the stale view and the fresh scan is here too, as plain
functions (``combined_view``, ``gone_since``, ``scans_to_save``), so it is tested without a
terminal; the app only applies their answers to the table.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tracker_tui.aws.kinds import sort_resources
from tracker_tui.config import cache_dir
from tracker_tui.model import GLOBAL_REGION, CellResult, Identity, Resource, ScanErrorEntry, parse_iso
from tracker_tui.store import Inventory, InventoryError, atomic_write_text, dumps_json, read_inventory

DEFAULT_KEEP = 10
#: ``Resource.key``: (account id, region, kind, id).
ResourceKey = tuple[str, str, str, str]


def scans_dir(base: Path | None = None) -> Path:
    return (base or cache_dir()) / "scans"


def _stamp(scanned_at: str) -> str:
    """A file-name-safe, sortable form of the inventory's ``scanned_at``."""
    digits = "".join(ch for ch in scanned_at if ch.isdigit())
    return digits or datetime.now(UTC).strftime("%Y%m%d%H%M%S")


@dataclass
class ScanHistory:
    """Saved scans, one folder per account.

    Args:
        base: the cache dir (default: platformdirs' user cache dir for tracker-tui).
        keep: how many scans to keep per account.
    """

    base: Path | None = None
    keep: int = DEFAULT_KEEP
    #: Problems met while reading (corrupt files moved aside), one line each.
    problems: list[str] = field(default_factory=list)

    def _account_dir(self, account_id: str) -> Path:
        return scans_dir(self.base) / account_id

    def save(self, inventory: Inventory) -> Path:
        """Write the scan atomically and prune old ones; returns the file written."""
        folder = self._account_dir(inventory.identity.account_id)
        path = folder / f"{_stamp(inventory.scanned_at)}.json"
        atomic_write_text(path, dumps_json(inventory))
        self.prune(inventory.identity.account_id)
        return path

    def files(self, account_id: str) -> list[Path]:
        """Saved scans of an account, newest first."""
        folder = self._account_dir(account_id)
        if not folder.is_dir():
            return []
        return sorted((p for p in folder.glob("*.json") if not p.name.startswith(".")), reverse=True)

    def prune(self, account_id: str) -> None:
        for old in self.files(account_id)[max(1, self.keep) :]:
            try:
                old.unlink()
            except OSError:
                pass

    def last(self, account_id: str, *, before: str | None = None) -> Inventory | None:
        """The newest readable scan (older than ``before``'s stamp, when given).

        Corrupt files are renamed ``*.corrupt`` and reported in ``problems``; the next
        older scan is tried.
        """
        limit = _stamp(before) if before else None
        for path in self.files(account_id):
            if limit is not None and path.stem >= limit:
                continue
            try:
                return read_inventory(path)
            except InventoryError as exc:
                aside = path.with_name(path.name + ".corrupt")
                try:
                    os.replace(path, aside)
                    self.problems.append(f"cached scan {path} is unreadable ({exc}); moved aside to {aside}")
                except OSError:
                    self.problems.append(f"cached scan {path} is unreadable ({exc})")
        return None


@dataclass(frozen=True)
class Change:
    """One resource that differs between two scans."""

    before: Resource
    after: Resource
    fields: tuple[str, ...]

    @property
    def cost_delta(self) -> float:
        return (self.after.monthly_cost or 0.0) - (self.before.monthly_cost or 0.0)


@dataclass(frozen=True)
class Diff:
    """What changed between an older and a newer scan."""

    new: list[Resource]
    gone: list[Resource]
    changed: list[Change]

    @property
    def cost_delta(self) -> float:
        """Monthly run-rate change (priced rows only)."""
        added = sum(r.monthly_cost or 0.0 for r in self.new)
        removed = sum(r.monthly_cost or 0.0 for r in self.gone)
        return added - removed + sum(c.cost_delta for c in self.changed)

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.gone or self.changed)


#: Fields compared to call a resource changed (details are compared too, as a whole).
_COMPARED = ("state", "name", "monthly_cost", "tags", "details")


def diff(older: Sequence[Resource], newer: Sequence[Resource]) -> Diff:
    """New, gone and changed resources between two scans, matched by ``Resource.key``."""
    before = {r.key: r for r in older}
    after = {r.key: r for r in newer}
    new = [r for key, r in after.items() if key not in before]
    gone = [r for key, r in before.items() if key not in after]
    changed = []
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            continue
        fields = tuple(name for name in _COMPARED if getattr(then, name) != getattr(now, name))
        if fields:
            changed.append(Change(then, now, fields))
    return Diff(new, gone, changed)


def age_text(scanned_at: str, now: datetime | None = None) -> str:
    """'3 h ago' style age of a scan (``scanned_at`` is ISO UTC)."""
    when = parse_iso(scanned_at)
    if when is None:
        return "at an unknown time"
    seconds = max(0.0, ((now or datetime.now(UTC)) - when).total_seconds())
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min ago"
    if seconds < 36 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


# --- the stale view and the fresh scan ---------------------------------------------------------


def combined_view(scans: Sequence[Inventory]) -> Inventory:
    """One view of several accounts' last scans (at least one): the first one's identity,
    every region and row, and the oldest scan time, since that is how stale the view is."""
    first = scans[0]
    if len(scans) == 1:
        return first
    return Inventory(
        identity=first.identity,
        regions=sorted({r for inv in scans for r in inv.regions}),
        resources=[r for inv in scans for r in inv.resources],
        scanned_at=min(inv.scanned_at for inv in scans),
    )


def gone_since(
    stale: Iterable[Resource],
    found: Collection[ResourceKey],
    results: Iterable[CellResult],
    *,
    global_kinds: Collection[str],
) -> list[ResourceKey]:
    """The stale rows a finished scan shows to be gone: not found again, in a clean cell.

    Only rows of cells that finished cleanly this time are known to be gone; a denied or
    failed cell keeps its old rows rather than losing them silently.

    Args:
        stale: the rows of the last scan, shown while the new one streamed in.
        found: the keys of the rows the new scan found.
        results: how each cell of the new scan ended.
        global_kinds: kinds scanned as one cell in region ``global`` (account-wide and
            global ones), whatever region their rows show (an S3 bucket's own region).
    """
    # A cell that listed every row (partial ones too: only some details are missing) says
    # which of its stale rows are gone; a failed or cancelled one says nothing.
    clean = {
        (r.cell.account_id, r.cell.region, r.cell.kind)
        for r in results
        if not r.status.is_error or r.status.listed_all
    }
    gone = []
    for row in stale:
        cell_region = GLOBAL_REGION if row.kind in global_kinds else row.region
        if row.key not in found and (row.account_id, cell_region, row.kind) in clean:
            gone.append(row.key)
    return gone


def scans_to_save(
    identities: Iterable[Identity],
    regions: Sequence[str],
    fresh: Iterable[Resource],
    results: Iterable[CellResult],
    scanned_at: str,
) -> list[Inventory]:
    """One inventory per account, its own rows and failed cells, so each account's next
    start finds its own last scan (``ScanHistory`` keeps one folder per account)."""
    rows, ends = list(fresh), list(results)
    return [
        Inventory(
            identity=identity,
            regions=list(regions),
            resources=sort_resources([r for r in rows if r.account_id == identity.account_id]),
            errors=[
                ScanErrorEntry(r.cell.region, r.cell.kind, r.code or r.status.value, r.message or "", r.cell.account_id)
                for r in ends
                if r.status.is_error and r.cell.account_id == identity.account_id
            ],
            scanned_at=scanned_at,
            accounts=[identity],
        )
        for identity in identities
    ]
