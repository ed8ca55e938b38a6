"""Memory between runs: the last scans of each account, and what changed since.

Each finished scan is saved (inventory v1, written atomically) under the user cache dir,
``scans/<account id>/<UTC time>.json``.  On start the newest one shows at once, marked
stale with its age, while a fresh scan streams in; afterwards ``diff`` says what is new,
gone and changed, with the cost delta.  Old scans are pruned (keep N).  A corrupt file
is moved aside and reported, never silently lost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from tracker_tui.config import cache_dir
from tracker_tui.model import Resource, parse_iso
from tracker_tui.store import Inventory, InventoryError, atomic_write_text, dumps_json, read_inventory

DEFAULT_KEEP = 10


def scans_dir(base: Path | None = None) -> Path:
    return (base or cache_dir()) / "scans"


def _stamp(scanned_at: str) -> str:
    """A file-name-safe, sortable form of the inventory's ``scanned_at``."""
    digits = "".join(ch for ch in scanned_at if ch.isdigit())
    return digits or datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")


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
    seconds = max(0.0, ((now or datetime.now(timezone.utc)) - when).total_seconds())
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min ago"
    if seconds < 36 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"
