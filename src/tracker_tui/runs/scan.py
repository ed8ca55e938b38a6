"""A scan as a headless run: connect and scan in a thread, and hand what changed to whoever
polls it.

``ScanRun`` is the one place a scan is coordinated, for the TUI and ``tracker-tui scan``
alike.  ``start()`` cancels any scan in flight and starts the next generation in a thread;
the thread only appends ``(generation, event)`` pairs to a deque.  ``take(max_rows)``, called
from one thread (the app's timer, or the command's loop), turns what was queued into a
``ScanDelta``: rows added or replaced, rows removed, cells finished, notices to show.  So the
scan thread never touches a widget, and the caller decides how much it takes per call (a
burst of pages never freezes a screen).

Around the scan it keeps the memory between runs: the account's last saved scan is shown at
once, marked stale, while the new one streams in; when the new one completes, the stale rows
it did not find again go, the scan is saved, and the changes since the last one are worked
out (``changes``).  Findings that read other rows are settled in the scan thread once every
row is in (60+ ms at 100,000 rows: off the screen's loop).
"""

from __future__ import annotations

import gc
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tracker_tui.aws.kinds import REGISTRY, Thresholds
from tracker_tui.aws.scan import CellKey, saved_results
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import Connection, NoSession, ScanSource
from tracker_tui.findings import related_findings
from tracker_tui.history import Diff, ScanHistory, age_text, combined_view, diff, gone_since, scans_to_save
from tracker_tui.model import (
    CellFinished,
    CellResult,
    Identity,
    Resource,
    ResourcesFound,
    ScanEvent,
    ScanFinished,
    ScanStarted,
    iso_utc,
    plural,
)
from tracker_tui.rowstore import Key
from tracker_tui.store import Inventory

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    """Something to tell the operator (a toast in the TUI, a line on stderr headless)."""

    text: str
    title: str = ""
    severity: Severity = "information"
    timeout: float | None = None


@dataclass
class ScanDelta:
    """What changed since the last ``take``."""

    #: Rows to add; a row whose key is already shown replaces it.
    rows: list[Resource] = field(default_factory=list)
    #: Keys of rows to drop (stale rows the completed scan did not find again).
    removed: list[Key] = field(default_factory=list)
    #: Cells that finished.
    cells: list[CellResult] = field(default_factory=list)
    #: Set when the scan connected in this take (who, where).
    connected: Connection | None = None
    notices: list[Notice] = field(default_factory=list)
    #: The scan ended in this take: complete, cancelled or failed.
    finished: bool = False
    #: ... and it completed (stale rows dropped, the scan saved, the changes worked out).
    complete: bool = False
    #: More is queued than this take took: take again soon.
    more: bool = False

    def __bool__(self) -> bool:
        return bool(self.rows or self.removed or self.cells or self.connected or self.notices or self.finished)


@dataclass(frozen=True)
class _Connected:
    connection: Connection


@dataclass(frozen=True)
class _Failed:
    message: str


@dataclass(frozen=True)
class _Settled:
    """Rows whose findings read other rows, worked out once every row was in; they replace
    their rows just before ScanFinished."""

    resources: tuple[Resource, ...]


class ScanRun:
    """One account source's scans, one at a time.

    Args:
        source: where scans come from (None: a saved inventory only; nothing to start).
        history: where scans are saved and the last one is read back (None: no memory).
        thresholds: the finding thresholds in force (the user's config).
        now: the wall clock (ages, the saved scan's time).
        monotonic: the clock for elapsed times.
    """

    def __init__(
        self,
        source: ScanSource | None,
        *,
        history: ScanHistory | None = None,
        thresholds: Thresholds | None = None,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.history = history
        self.thresholds = thresholds or Thresholds()
        self.now = now or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        #: Which scan the rows are from (each start counts one up).
        self.generation = 0
        #: A scan is in flight (until the take that sees it end).
        self.scanning = False
        self.connection: Connection | None = None
        #: Every region of the first connection (the region picker's choices).
        self.all_regions: list[str] = []
        #: How each cell ended, keyed by (account, region, kind).
        self.results: dict[CellKey, CellResult] = {}
        self.total_cells = 0
        self.resources_found = 0
        #: Why the last scan could not run ("" when it could).
        self.error = ""
        self.seconds = 0.0
        #: The changes since the last saved scan, once a scan completed (None: no earlier one).
        self.changes: Diff | None = None
        self.changes_since = ""
        #: What a saved inventory shown instead of a scan is called (its file).
        self.label = ""
        self._inbox: deque[tuple[int, Any]] = deque()
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        #: When the scan in flight started (the monotonic clock).
        self.started = 0.0
        self._stale: Inventory | None = None
        self._fresh: dict[Key, Resource] = {}

    # --- starting and stopping --------------------------------------------------------------

    def show(self, inventory: Inventory, label: str) -> list[Resource]:
        """Take a saved inventory as what is shown (``tracker-tui open``): its rows to add."""
        self.label = label
        kinds = tuple(sorted({r.kind for r in inventory.resources} | {e.kind for e in inventory.errors}))
        # Several accounts (a multi-account scan, or files merged by ``open a.json b.json``):
        # the header counts them and the table shows the Account column, as live.
        accounts = tuple(inventory.accounts) if len(inventory.accounts) > 1 else ()
        self.connection = Connection(inventory.identity, tuple(inventory.regions), "", label, kinds, accounts)
        self.results.update(saved_results(inventory.errors))
        self.resources_found = len(inventory.resources)
        return list(inventory.resources)

    def start(self, connection: Connection | None = None) -> None:
        """Cancel any scan in flight and start a fresh one in a thread.

        ``connection``: already connected (``tracker-tui scan`` connects first, to fail with
        one line on bad credentials); else the thread connects.
        """
        if self.source is None:
            return
        self.cancel()
        self.generation += 1
        cancel = threading.Event()
        self._cancel = cancel
        self._inbox.clear()
        self.results.clear()
        self.total_cells = 0
        self.resources_found = 0
        self.error = ""
        self._fresh = {}
        self._stale = None
        self.scanning = True
        self.started = self._monotonic()
        self._thread = threading.Thread(
            target=self._run, args=(self.source, self.generation, cancel, connection), name="scan", daemon=True
        )
        self._thread.start()

    def cancel(self) -> None:
        """Stop the scan in flight between pages (its leftovers are never taken)."""
        if self._cancel is not None:
            self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the scan thread (headless use); True when it has ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def switch_source(self, source: ScanSource) -> None:
        """Scan ``source`` from now on (another profile): the old one is cancelled and closed."""
        old = self.source
        self.cancel()
        self.source = source
        self.connection = None
        self.all_regions = []
        if old is not None and old is not source:
            old.close()

    def close(self) -> None:
        """Cancel and close the source (the app is going)."""
        self.cancel()
        if self.source is not None:
            self.source.close()

    def _run(
        self, source: ScanSource, generation: int, cancel: threading.Event, connection: Connection | None
    ) -> None:
        """The scan thread: connect, then scan, queueing everything for ``take``."""
        put = self._inbox.append
        if connection is None:
            try:
                connection = source.connect()
            except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
                put((generation, _Failed(str(exc) or exc.__class__.__name__)))
                return
        put((generation, _Connected(connection)))
        rows: list[Resource] = []
        thresholds = self.thresholds

        def sink(event: ScanEvent) -> None:
            if isinstance(event, ResourcesFound):
                rows.extend(event.resources)
            elif isinstance(event, ScanFinished) and not event.cancelled:
                settled = related_findings(rows, event.results, thresholds)
                if settled:
                    put((generation, _Settled(tuple(settled))))
            put((generation, event))

        try:
            source.scan(sink, cancel, thresholds=thresholds)
        except Exception as exc:  # noqa: BLE001
            put((generation, _Failed(f"scan stopped: {exc}")))

    # --- taking what changed --------------------------------------------------------------

    def take(self, max_rows: int) -> ScanDelta:
        """What the scan thread queued since the last call, up to ``max_rows`` rows."""
        delta = ScanDelta()
        while self._inbox and len(delta.rows) < max_rows:
            generation, event = self._inbox.popleft()
            if generation != self.generation:
                continue  # a cancelled scan's leftovers
            if isinstance(event, (ResourcesFound, _Settled)):
                delta.rows.extend(event.resources)
                for resource in event.resources:
                    self._fresh[resource.key] = resource
                if isinstance(event, ResourcesFound):  # settled rows replace rows already counted
                    self.resources_found += len(event.resources)
            elif isinstance(event, CellFinished):
                result = event.result
                self.results[(result.cell.account_id, result.cell.region, result.cell.kind)] = result
                delta.cells.append(result)
            elif isinstance(event, ScanStarted):
                self.total_cells = len(event.cells)
            elif isinstance(event, ScanFinished):
                delta.finished = True
                self.seconds = self._monotonic() - self.started
                delta.complete = not event.cancelled
            elif isinstance(event, _Connected):
                self.connection = delta.connected = event.connection
                if not self.all_regions:
                    self.all_regions = list(event.connection.regions)
                delta.rows.extend(self._last_scan(delta.notices))
            elif isinstance(event, _Failed):
                delta.finished = True
                self.error = event.message
                delta.notices.append(Notice(event.message, "Scan failed", "error", 15))
        if delta.complete:
            self._complete(delta)
        if delta.finished:
            self.scanning = False
        delta.more = bool(self._inbox) and not delta.finished
        return delta

    # --- memory between runs ----------------------------------------------------------------

    def _last_scan(self, notices: list[Notice]) -> list[Resource]:
        """The accounts' previous scan, to show at once marked stale while the new one streams."""
        if self.history is None or self.connection is None or self._fresh:
            return []
        lasts = [self.history.last(ident.account_id) for ident in self.identities()]
        notices.extend(Notice(problem, severity="warning", timeout=10) for problem in self.history.problems)
        self.history.problems.clear()
        found = [inv for inv in lasts if inv is not None]
        if not found:
            return []
        self._stale = combined_view(found)  # several accounts: one view of their last scans
        return list(self._stale.resources)

    def _complete(self, delta: ScanDelta) -> None:
        """Drop stale rows the new scan did not find again, save it, and work out the changes."""
        connection = self.connection
        if connection is None:
            return
        fresh = list(self._fresh.values())
        stale = self._stale
        if stale is not None:
            # Account-wide and global kinds are one cell in "global", whatever region their
            # rows show (asked of the registry now: a kind may have been registered since).
            global_kinds = {kind for kind, spec in REGISTRY.items() if spec.scope != "regional"}
            delta.removed.extend(
                gone_since(stale.resources, self._fresh, self.results.values(), global_kinds=global_kinds)
            )
            self.changes = d = diff(stale.resources, fresh)
            self.changes_since = f"{age_text(stale.scanned_at, self.now())}, {stale.scanned_at}"
            delta.notices.append(
                Notice(
                    f"{len(d.new)} new, {len(d.gone)} gone, {len(d.changed)} changed since the last scan "
                    f"({age_text(stale.scanned_at, self.now())}); press d",
                    "Changes",
                    timeout=10,
                )
            )
            self._stale = None
        if self.history is not None:
            scanned_at = iso_utc(self.now()) or ""
            saves = scans_to_save(self.identities(), connection.regions, fresh, self.results.values(), scanned_at)
            for inventory in saves:
                try:
                    self.history.save(inventory)
                except OSError as exc:
                    delta.notices.append(Notice(f"Could not save this scan for next time: {exc}", severity="warning"))
                    break

    # --- what it says ---------------------------------------------------------------------

    def session_for(self, account_id: str) -> AwsSession:
        """The session that acts on (or asks Cost Explorer about) an account: the current
        source's, since a profile switch may have replaced it."""
        if self.source is None:
            raise NoSession("a saved inventory (tracker-tui open) has no AWS session to ask Cost Explorer with")
        return self.source.session_for(account_id)

    def identities(self) -> list[Identity]:
        """Every account the scan covers (one, unless several profiles or an Organization)."""
        if self.connection is None:
            return []
        return list(self.connection.accounts) or [self.connection.identity]

    @property
    def progress(self) -> str:
        """One line: how far the scan is, or how it ended."""
        done = len(self.results)
        errors = sum(1 for r in self.results.values() if r.status.is_error)
        if self.error:
            return f"error: {self.error}"
        if self.source is None:
            return self.label or "saved inventory"
        stale = ""
        if self._stale is not None:
            stale = f" · showing last scan from {age_text(self._stale.scanned_at, self.now())} until refreshed"
        if self.scanning:
            elapsed = self._monotonic() - self.started
            if self.connection is None:
                return f"connecting… {elapsed:.0f}s"
            total = self.total_cells or "?"
            return (
                f"scanning {done}/{total} cells · {self.resources_found:,} found · {plural(errors, 'error')}"
                f" · {elapsed:.1f}s{stale}"
            )
        text = (
            f"scan complete: {done} cells · {self.resources_found:,} found · {plural(errors, 'error')}"
            f" · {self.seconds:.1f}s"
        )
        if errors:
            text += " (g: coverage)"
        return text

    @property
    def stale(self) -> bool:
        """The last saved scan is shown while this one streams in."""
        return self._stale is not None


def collect_once_settled() -> None:
    """One full garbage collection, then everything alive frozen again (``gc.freeze``).

    The app freezes its rows after each drain so the collector stops tracing them (100+ ms a
    full pass at 100,000 rows); a frozen row is still freed when the table drops it, only
    cycles wait.  The app calls this as a rescan starts, just after dropping the last scan's
    rows and before any new one arrives.  It used to unfreeze there and leave the full pass
    to the collector, which then ran it in the middle of the first burst of rows (a 190 ms
    stall measured with 10 accounts streaming); the first scan has nothing to release.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def rows_of(deltas: Iterable[ScanDelta]) -> list[Resource]:
    """Every row the deltas added, the last of each key winning (what a table would show)."""
    shown: dict[Key, Resource] = {}
    for delta in deltas:
        for row in delta.rows:
            shown[row.key] = row
        for key in delta.removed:
            shown.pop(key, None)
    return list(shown.values())
