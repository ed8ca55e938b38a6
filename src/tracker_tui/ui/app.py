"""The Textual application: header, filter, the streaming resource table, status line.

Scans run in a worker thread (``ScanSource.scan``) and hand events to a deque; a timer
that runs only while a scan is in flight drains it into the table in batches.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import threading
import time
from collections import deque
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from tracker_tui.aws.actions import (
    ActionOptions,
    ActionRunner,
    ActionUpdate,
    PlannedAction,
    describe_skipped,
    plan,
)
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.scan import status_for_code
from tracker_tui.aws.session import AwsSession, CredentialsError, SessionOptions, available_profiles
from tracker_tui.aws.source import Connection, LiveSource, MultiSource, ScanSource
from tracker_tui.config import Settings
from tracker_tui.filtering import FilterError, parse_filter
from tracker_tui.history import Diff, ScanHistory, age_text, diff
from tracker_tui.model import (
    GLOBAL_REGION,
    Cell,
    CellFinished,
    CellResult,
    CellStatus,
    Identity,
    Resource,
    ResourcesFound,
    ScanErrorEntry,
    ScanFinished,
    ScanStarted,
    iso_utc,
)
from tracker_tui.pricing.summary import CostSummary
from tracker_tui.store import AuditLog, Inventory, atomic_write_text, dumps_csv, dumps_json, format_cost, sort_resources
from tracker_tui.ui.messages import Connected, ConnectFailed
from tracker_tui.ui.screens.changes import ChangesScreen
from tracker_tui.ui.screens.confirm import ConfirmActionScreen, Confirmed
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.details import DetailsScreen
from tracker_tui.ui.screens.export import ExportScreen
from tracker_tui.ui.screens.help import HelpScreen
from tracker_tui.ui.screens.pickers import ProfilePicker, RegionPicker
from tracker_tui.ui.screens.progress import ActionProgressScreen
from tracker_tui.ui.widgets.bars import AccountHeader, StatusLine
from tracker_tui.ui.widgets.cost_panel import CostPanel
from tracker_tui.ui.widgets.resource_table import ResourceTable

#: How often the UI takes what the scan threads found (seconds).  Also bounds how stale
#: the progress line can be.
DRAIN_INTERVAL = 0.1
#: The cost panels show by default from this terminal width (they take 40 columns).
COST_PANEL_MIN_WIDTH = 120
#: When more is queued than one tick takes, the next batch follows after this pause.
BACKLOG_DELAY = 0.02
#: The cost panels are recomputed at most this often while a scan streams (seconds):
#: top spenders and waste walk every row, which at 100k rows is tens of milliseconds.
COST_REFRESH_INTERVAL = 1.0
#: Most resources taken into the table per tick (~20 ms of work), so a burst of pages
#: never freezes the screen; the rest waits for the next tick, which comes sooner.
DRAIN_MAX_ROWS = 3000

SORT_KEYS = {
    "K": "kind",
    "N": "name",
    "I": "id",
    "R": "region",
    "S": "state",
    "C": "cost",
    "A": "age",
    "T": "tags",
}


class TrackerApp(App[int]):
    """tracker-tui.

    Args:
        source: where scans come from (None when showing a saved inventory only).
        inventory: a saved inventory to show (``tracker-tui open``).
        settings: the user's config.
        now: the wall clock for ages and file names (tests freeze it).
        monotonic: the clock for elapsed times (tests freeze it).
    """

    CSS_PATH = "app.tcss"
    TITLE = "tracker-tui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        # Priority: the app handles "/" before passing keys on, so the text typed right
        # after it is already going to the filter (see action_focus_filter).
        Binding("slash", "focus_filter", "Filter", id="filter", priority=True),
        Binding("space", "toggle_mark", "Mark", id="mark"),
        Binding("ctrl+a", "mark_all", "Mark all", show=False, id="mark_all"),
        Binding("escape", "escape", "Clear marks", show=False, id="escape"),
        Binding("s", "stop", "Stop", id="stop"),
        Binding("ctrl+d", "delete", "Delete", id="delete"),
        # Short footer labels: all of them fit at 80 columns (the help has the long form).
        Binding("r", "rescan", "Scan", id="rescan"),
        Binding("c", "toggle_costs", "Cost", id="costs"),
        Binding("g", "coverage", "Grid", id="coverage"),
        Binding("d", "changes", "Changes", show=False, id="changes"),
        Binding("p", "pick_profile", "Profile", show=False, id="pick_profile"),
        Binding("l", "pick_regions", "Regions", show=False, id="pick_regions"),
        Binding("e", "export", "Export", id="export"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        *[
            Binding(key, f"sort('{column}')", f"Sort by {column}", show=False, id=f"sort_{column}")
            for key, column in SORT_KEYS.items()
        ],
    ]

    def __init__(
        self,
        source: ScanSource | None = None,
        *,
        inventory: Inventory | None = None,
        inventory_label: str = "",
        settings: Settings | None = None,
        read_only: bool = False,
        history: ScanHistory | None = None,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.source = source
        self.inventory = inventory
        self.inventory_label = inventory_label
        self.settings = settings or Settings()
        self.read_only_reason = ""
        if read_only:
            self.read_only_reason = "read-only mode (--read-only): actions are disabled"
        elif self.settings.read_only:
            self.read_only_reason = "read-only mode (read_only = true in the config file): actions are disabled"
        self.history = history
        #: Every region of the first connection (the region picker's choices).
        self._all_regions: list[str] = []
        #: The previous scan shown while a fresh one streams in (issue: memory between runs).
        self._stale: Inventory | None = None
        self._fresh: dict[Any, Resource] = {}
        self.changes: Diff | None = None
        self._changes_since = ""
        self._action_inbox: deque[Any] = deque()
        self._action_timer: Timer | None = None
        self._progress: ActionProgressScreen | None = None
        self._actions_running = 0
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._monotonic = monotonic
        self.connection: Connection | None = None
        self._inbox: deque[tuple[int, Any]] = deque()
        self._generation = 0
        self._cancel: threading.Event | None = None
        self._drain_timer: Timer | None = None
        self._scan_started = 0.0
        self._scan_seconds = 0.0
        self._scanning = False
        self._connect_error = ""
        #: How each cell ended, keyed by (account, region, kind).
        self._results: dict[tuple[str, str, str], CellResult] = {}
        self._total_cells = 0
        self._resources_found = 0
        self._filter_error = ""
        self.costs = CostSummary()
        self._costs_refreshed = 0.0
        self._backlog_timer_pending = False
        # Throttling uses the real clock even when tests freeze the displayed one.
        self._monotonic_real = time.monotonic
        if self.settings.theme:
            self.theme = self.settings.theme

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AccountHeader(id="header")
        with Horizontal(id="filter-bar"):
            yield Static("/", id="filter-prompt")
            yield Input(placeholder="filter: text kind: region: state: tag:k=v cost>N !term", id="filter")
            yield Static("", id="filter-error")
        with Horizontal(id="main"):
            yield ResourceTable(now=self._now, id="table")
            yield CostPanel(id="costs")
        yield StatusLine(id="status")
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p is in the help; room for the keys at 80 columns

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.cursor_blink = False  # no idle repaints over slow links
        self.table.focus()
        self.query_one(CostPanel).display = self.size.width >= COST_PANEL_MIN_WIDTH
        for warning in self.settings.warnings:
            self.notify(warning, severity="warning", timeout=10)
        if self.inventory is not None:
            inv = self.inventory
            kinds = tuple(sorted({r.kind for r in inv.resources} | {e.kind for e in inv.errors}))
            self.connection = Connection(inv.identity, tuple(inv.regions), "", self.inventory_label, kinds)
            self.table.add_resources(inv.resources)
            self.costs.add(inv.resources)
            for error in inv.errors:
                self._results[(error.account_id, error.region, error.kind)] = CellResult(
                    cell=Cell(error.region, error.kind, error.account_id),
                    status=status_for_code(error.code),
                    code=error.code,
                    message=error.message,
                )
            self._resources_found = len(inv.resources)
        self._refresh_header()
        self._refresh_status()
        self._refresh_costs()
        if self.source is not None:
            self.start_scan()

    # --- scanning -------------------------------------------------------------------------

    def start_scan(self) -> None:
        """Cancel any scan in flight and start a fresh one."""
        if self.source is None:
            return
        if self._cancel is not None:
            self._cancel.set()
        self._generation += 1
        generation = self._generation
        cancel = threading.Event()
        self._cancel = cancel
        self._inbox.clear()
        self._results.clear()
        self._total_cells = 0
        self._resources_found = 0
        self._connect_error = ""
        self._fresh = {}
        self._stale = None
        self.table.clear()
        self.costs.clear()
        gc.unfreeze()  # the old rows may go now
        self._scanning = True
        self._scan_started = self._monotonic()
        self.run_worker(
            partial(self._scan_thread, generation, cancel),
            thread=True,
            group=f"scan-{generation}",
            exit_on_error=False,
            description="scan",
        )
        if self._drain_timer is None:
            self._drain_timer = self.set_interval(DRAIN_INTERVAL, self._drain)
        self._refresh_status()

    def _scan_thread(self, generation: int, cancel: threading.Event) -> None:
        """Runs in a worker thread: connect, then scan, posting everything to the inbox."""
        put = self._inbox.append
        assert self.source is not None
        try:
            connection = self.source.connect()
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            put((generation, ConnectFailed(str(exc) or exc.__class__.__name__)))
            return
        put((generation, Connected(connection)))
        try:
            self.source.scan(lambda event: put((generation, event)), cancel)
        except Exception as exc:  # noqa: BLE001
            put((generation, ConnectFailed(f"scan stopped: {exc}")))

    def _drain_backlog(self) -> None:
        self._backlog_timer_pending = False
        self._drain()

    def _drain(self) -> None:
        """Take what the scan threads queued (up to DRAIN_MAX_ROWS resources) in one go."""
        batch: list[Resource] = []
        finished = False
        while self._inbox and len(batch) < DRAIN_MAX_ROWS:
            generation, event = self._inbox.popleft()
            if generation != self._generation:
                continue  # a cancelled scan's leftovers
            if isinstance(event, ResourcesFound):
                batch.extend(event.resources)
                for resource in event.resources:
                    self._fresh[resource.key] = resource
            elif isinstance(event, CellFinished):
                result = event.result
                self._results[(result.cell.account_id, result.cell.region, result.cell.kind)] = result
            elif isinstance(event, ScanStarted):
                self._total_cells = len(event.cells)
            elif isinstance(event, ScanFinished):
                finished = True
                self._scan_seconds = self._monotonic() - self._scan_started
                if not event.cancelled:
                    self._scan_complete()
            elif isinstance(event, Connected):
                self.connection = event.connection
                if not self._all_regions:
                    self._all_regions = list(event.connection.regions)
                self._refresh_header()
                self._show_last_scan()
            elif isinstance(event, ConnectFailed):
                finished = True
                self._connect_error = event.message
                self.notify(event.message, title="Scan failed", severity="error", timeout=15)
        if batch:
            self._resources_found += len(batch)
            self.table.add_resources(batch)
            self.costs.add(batch)
            # The rows live as long as the table: move them out of the collector's way, so
            # full collections (100+ ms at 100k rows) stop freezing the screen.
            gc.freeze()
        if self._inbox and not finished and not self._backlog_timer_pending:
            # A backlog: come back soon, but through the event loop (a timer, not
            # call_later), so the screen repaints and keys are handled between batches.
            self._backlog_timer_pending = True
            self.set_timer(BACKLOG_DELAY, self._drain_backlog)
        if finished:
            self._scanning = False
            if self._drain_timer is not None:
                self._drain_timer.stop()
                self._drain_timer = None
        self._refresh_status()
        if finished or (batch and self._monotonic_real() - self._costs_refreshed >= COST_REFRESH_INTERVAL):
            self._refresh_costs()
        screen = self.screen
        if isinstance(screen, CoverageScreen):
            screen.refresh_results(merge_accounts(self._results))

    # --- memory between runs -----------------------------------------------------------------

    def _show_last_scan(self) -> None:
        """Show the account's previous scan at once, marked stale, while the new one streams."""
        if self.history is None or self.connection is None or self._fresh:
            return
        lasts = [self.history.last(ident.account_id) for ident in self._identities()]
        for problem in self.history.problems:
            self.notify(problem, severity="warning", timeout=10)
        self.history.problems.clear()
        found = [inv for inv in lasts if inv is not None]
        if not found:
            return
        stale = found[0]
        if len(found) > 1:  # several accounts: one combined view of their last scans
            stale = Inventory(
                identity=stale.identity,
                regions=sorted({r for inv in found for r in inv.regions}),
                resources=[r for inv in found for r in inv.resources],
                scanned_at=min(inv.scanned_at for inv in found),
            )
        self._stale = stale
        self.table.add_resources(stale.resources)
        self.costs.add(stale.resources)
        self._refresh_costs()

    def _scan_complete(self) -> None:
        """Drop stale rows the new scan did not find again, save it, and work out the changes."""
        connection = self.connection
        if connection is None:
            return
        fresh = list(self._fresh.values())
        stale = self._stale
        if stale is not None:
            # Only rows of cells that finished cleanly this time are known to be gone; a
            # denied or failed cell keeps its old rows rather than losing them silently.
            clean = {key for key, result in self._results.items() if not result.status.is_error}
            gone = [
                r.key
                for r in stale.resources
                if r.key not in self._fresh and (r.account_id, _cell_region(r), r.kind) in clean
            ]
            self.table.remove_keys(gone)
            self.costs.remove(gone)
            self.changes = diff(stale.resources, fresh)
            self._changes_since = f"{age_text(stale.scanned_at, self._now())}, {stale.scanned_at}"
            d = self.changes
            self.notify(
                f"{len(d.new)} new, {len(d.gone)} gone, {len(d.changed)} changed since the last scan "
                f"({age_text(stale.scanned_at, self._now())}); press d",
                title="Changes",
                timeout=10,
            )
            self._stale = None
        if self.history is not None:
            # One saved scan per account, so each account's next start finds its own.
            for identity in self._identities():
                inventory = Inventory(
                    identity=identity,
                    regions=list(connection.regions),
                    resources=sort_resources([r for r in fresh if r.account_id == identity.account_id]),
                    errors=[
                        ScanErrorEntry(
                            r.cell.region, r.cell.kind, r.code or r.status.value, r.message or "", r.cell.account_id
                        )
                        for r in self._results.values()
                        if r.status.is_error and r.cell.account_id == identity.account_id
                    ],
                    scanned_at=iso_utc(self._now()) or "",
                    accounts=[identity],
                )
                try:
                    self.history.save(inventory)
                except OSError as exc:
                    self.notify(f"Could not save this scan for next time: {exc}", severity="warning")
                    break

    # --- profile and region pickers ---------------------------------------------------------

    def action_pick_profile(self) -> None:
        source = self.source
        if isinstance(source, MultiSource):
            self.notify("Several accounts are open: start again with the --profile or --org-role you want.",
                        severity="warning")
            return
        if not isinstance(source, LiveSource) or source.label.startswith("demo"):
            self.notify("Profiles apply to real accounts (this is the demo or a saved file).", severity="warning")
            return
        current = self.connection.profile if self.connection else None
        self.push_screen(ProfilePicker(available_profiles(), current), self._switch_profile)

    def _switch_profile(self, profile: str | None) -> None:
        source = self.source
        if profile is None or not isinstance(source, LiveSource):
            return
        endpoint = source.session.endpoint_url if source.session is not None else None
        try:
            session = AwsSession(SessionOptions(profile=profile, endpoint_url=endpoint))
        except CredentialsError as exc:
            self.notify(str(exc), title="Profile", severity="error", timeout=10)
            return
        self.source = LiveSource(
            lambda: session, source.kinds, source.requested_regions, source.options, live_prices=source.live_prices
        )
        source.close()
        self.connection = None
        self._all_regions = []
        self._refresh_header()
        self.notify(f"Switched to profile {profile}: rescanning.")
        self.start_scan()

    def action_pick_regions(self) -> None:
        source = self.source
        if not isinstance(source, (LiveSource, MultiSource)) or self.connection is None:
            self.notify("Regions can be chosen once connected to an account.", severity="warning")
            return
        choices = sorted(set(self._all_regions) | set(self.connection.regions))
        self.push_screen(RegionPicker(choices, list(source.requested_regions)), self._limit_regions)

    def _limit_regions(self, regions: list[str] | None) -> None:
        source = self.source
        if regions is None or not isinstance(source, (LiveSource, MultiSource)):
            return
        source.requested_regions = tuple(regions)
        source.reset_connection()
        self.notify(f"Scanning {', '.join(regions) if regions else 'every enabled region'}.")
        self.start_scan()

    def action_changes(self) -> None:
        if self.changes is None:
            self.notify("No earlier scan of this account to compare with (yet).")
            return
        self.push_screen(ChangesScreen(self.changes, self._changes_since))

    # --- header and status ----------------------------------------------------------------

    @property
    def danger(self) -> bool:
        if self.connection is None:
            return False
        names = [ident.alias for ident in self._identities()] + [self.connection.profile]
        return self.settings.is_dangerous(*names)

    def _identities(self) -> list[Identity]:
        """Every account this view covers (one, unless several profiles or an Organization)."""
        if self.connection is None:
            return []
        return list(self.connection.accounts) or [self.connection.identity]

    def _refresh_header(self) -> None:
        note = ""
        if self.connection is None and self.source is not None:
            note = "connecting…"
        self.query_one(AccountHeader).show(self.connection, danger=self.danger, source_note=note)

    def progress_text(self) -> str:
        done = len(self._results)
        errors = sum(1 for r in self._results.values() if r.status.is_error)
        if self._connect_error:
            return f"error: {self._connect_error}"
        if self.source is None:
            return f"{self.inventory_label}" if self.inventory_label else "saved inventory"
        stale = ""
        if self._stale is not None:
            stale = f" · showing last scan from {age_text(self._stale.scanned_at, self._now())} until refreshed"
        if self._scanning:
            elapsed = self._monotonic() - self._scan_started
            if self.connection is None:
                return f"connecting… {elapsed:.0f}s"
            total = self._total_cells or "?"
            return (
                f"scanning {done}/{total} cells · {self._resources_found:,} found · {_plural(errors, 'error')}"
                f" · {elapsed:.1f}s{stale}"
            )
        text = (
            f"scan complete: {done} cells · {self._resources_found:,} found · {_plural(errors, 'error')}"
            f" · {self._scan_seconds:.1f}s"
        )
        if errors:
            text += " (g: coverage)"
        return text

    def _refresh_status(self) -> None:
        table = self.table
        marked = table.marked
        marked_cost = ""
        if marked:
            priced = [r.monthly_cost for r in marked if r.monthly_cost is not None]
            marked_cost = format_cost(sum(priced)) + ("" if len(priced) == len(marked) else "+?")
        self.query_one(StatusLine).show(
            self.progress_text(), table.row_count, table.total_count, len(marked), marked_cost, table.hidden_sort
        )

    def _refresh_costs(self) -> None:
        self._costs_refreshed = self._monotonic_real()
        self.query_one(CostPanel).update_from(self.costs)

    # --- events from widgets --------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter":
            return
        try:
            parsed = parse_filter(event.value)
        except FilterError as exc:
            self._show_filter_error(str(exc))
            return
        self._show_filter_error("")
        self.table.set_filter(parsed)
        self._refresh_status()

    def _show_filter_error(self, message: str) -> None:
        # Only touch the widget when the text changes: an update re-lays-out the screen.
        if message != self._filter_error:
            self._filter_error = message
            self.query_one("#filter-error", Static).update(message)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.table.focus()

    def on_resource_table_marks_changed(self, event: ResourceTable.MarksChanged) -> None:
        self._refresh_status()

    def on_cost_panel_waste_selected(self, event: CostPanel.WasteSelected) -> None:
        """Show the rows behind a waste line: its filter goes into the filter bar."""
        filter_input = self.query_one("#filter", Input)
        filter_input.value = event.line.filter_text
        self.table.focus()

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        self.push_screen(DetailsScreen(event.resource))

    # --- actions -----------------------------------------------------------------------------

    #: Actions that act on the resource table: only offered while the main screen is showing.
    MAIN_SCREEN_ACTIONS = frozenset(
        {
            "focus_filter", "toggle_mark", "mark_all", "escape", "rescan", "coverage", "export", "sort",
            "toggle_costs", "stop", "delete", "changes", "pick_profile", "pick_regions",
        }
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MAIN_SCREEN_ACTIONS and len(self.screen_stack) > 1:
            return False
        if action == "focus_filter" and self.focused is not None and self.focused.id == "filter":
            return False  # "/" is part of the filter text then (/aws/lambda/...)
        return True

    def action_focus_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        # Focus at once, not on the next refresh (Widget.focus): keys typed right after
        # "/" must land in the filter, not on the table, where letters are bindings
        # (s stops, e exports, ...).
        self.screen.set_focus(filter_input)

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()

    def action_mark_all(self) -> None:
        self.table.action_mark_all()

    def action_escape(self) -> None:
        if self.focused is not None and self.focused.id == "filter":
            self.table.focus()
        elif self.table.marked_count:
            self.table.clear_marks()

    def action_rescan(self) -> None:
        if self.source is None:
            self.notify("This is a saved inventory: nothing to rescan.", severity="warning")
            return
        self.start_scan()

    # --- stop / delete ---------------------------------------------------------------------

    def action_stop(self) -> None:
        self.request_action("stop")

    def action_delete(self) -> None:
        self.request_action("delete")

    def _selection(self) -> list[Resource]:
        marked = self.table.marked
        if marked:
            return marked
        cursor = self.table.cursor_resource
        return [cursor] if cursor is not None else []

    def request_action(self, verb: str) -> None:
        """Plan ``verb`` for the marked rows (or the cursor row) and ask for confirmation."""
        if self.read_only_reason:
            self.notify(self.read_only_reason, title="Read-only", severity="warning")
            return
        session = getattr(self.source, "session", None)
        if session is None or self.connection is None:
            why = "a saved inventory has no account to act on" if self.source is None else "still connecting"
            self.notify(f"Nothing can be changed: {why}.", severity="warning")
            return
        rows = self._selection()
        if not rows:
            self.notify("No row under the cursor and nothing marked.", severity="warning")
            return
        accounts = sorted({r.account_id for r in rows})
        if len(accounts) > 1:
            self.notify(
                f"The rows belong to {len(accounts)} accounts ({', '.join(accounts)}); "
                "act on one account at a time (filter with account:ID).",
                severity="error",
                timeout=10,
            )
            return
        identity = self._identity_of(accounts[0] if accounts else "")
        session_for = getattr(self.source, "session_for", None)
        if session_for is not None:
            try:
                session = session_for(identity.account_id)
            except KeyError:
                self.notify(f"Account {identity.account_id} is not connected.", severity="error")
                return
        planned = plan(rows, verb, self._action_options())  # type: ignore[arg-type]
        if not any(p.action for p in planned):
            self.notify(f"Nothing to {verb}: {describe_skipped(planned)}", severity="warning", timeout=8)
            return
        danger = self.settings.is_dangerous(identity.alias, self.connection.profile)
        screen = ConfirmActionScreen(planned, identity, danger=danger)
        self.push_screen(screen, partial(self._confirmed, planned, session, identity))

    def _action_options(self, confirmed: Confirmed | None = None) -> ActionOptions:
        options = ActionOptions(protected_tags=tuple(self.settings.protected_tags))
        if confirmed is not None:
            options.empty_buckets = confirmed.empty_buckets
            options.rds_final_snapshot = confirmed.rds_final_snapshot
        return options

    def _identity_of(self, account_id: str) -> Identity:
        for identity in self._identities():
            if identity.account_id == account_id:
                return identity
        assert self.connection is not None
        return self.connection.identity

    def _confirmed(
        self, planned: list[PlannedAction], session: Any, identity: Identity, confirmed: Confirmed | None
    ) -> None:
        if confirmed is None:
            self.notify("Cancelled: nothing was changed.")
            return
        runner = ActionRunner(session, identity.account_id, self._action_options(confirmed), audit=AuditLog())
        acting = sum(1 for p in planned if p.action)
        progress = ActionProgressScreen(planned, f"{_plural(acting, 'action')} in account {identity.account_id}")
        self._progress = progress
        self.push_screen(progress)
        self._actions_running += 1
        self.run_worker(
            partial(self._action_thread, runner, planned), thread=True, group="actions", exit_on_error=False
        )
        if self._action_timer is None:
            self._action_timer = self.set_interval(DRAIN_INTERVAL, self._drain_actions)

    def _action_thread(self, runner: ActionRunner, planned: list[PlannedAction]) -> None:
        try:
            runner.run(planned, self._action_inbox.append)
        finally:
            self._action_inbox.append(None)  # this run is over

    def _drain_actions(self) -> None:
        changed: list[Resource] = []
        gone: list[Any] = []
        while self._action_inbox:
            update: ActionUpdate | None = self._action_inbox.popleft()
            if update is None:
                self._actions_running -= 1
                continue
            if self._progress is not None and self._progress.is_attached:
                self._progress.apply(update)
            if update.deleted:
                gone.append(update.resource.key)
            elif update.result is not None:
                changed.append(update.result)
        if gone:
            self.table.remove_keys(gone)
            self.costs.remove(gone)
        for resource in changed:
            self.table.replace_resource(resource)
        if changed:
            self.costs.add(changed)
        if gone or changed:
            self._refresh_costs()
            self._refresh_status()
        if self._actions_running <= 0 and self._action_timer is not None:
            self._action_timer.stop()
            self._action_timer = None

    def action_toggle_costs(self) -> None:
        panel = self.query_one(CostPanel)
        panel.display = not panel.display
        if panel.display:
            self._refresh_costs()
        elif self.focused is not None and panel in self.focused.ancestors_with_self:
            self.table.focus()

    def action_sort(self, column: str) -> None:
        self.table.sort_by(column)
        self._refresh_status()

    def action_coverage(self) -> None:
        connection = self.connection
        regions = list(connection.regions) if connection else []
        kinds = list(connection.kinds) if connection else []
        if not kinds:
            kinds = sorted({r.kind for r in self.table.resources} | {kind for _, _, kind in self._results})
        self.push_screen(CoverageScreen(merge_accounts(self._results), regions, kinds))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_export(self) -> None:
        rows = self.table.visible_resources
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        account = self.connection.identity.account_id if self.connection else "inventory"
        default = Path.cwd() / f"tracker-{account}-{stamp}.json"
        self.push_screen(ExportScreen(default, len(rows)), partial(self._export_to, list(rows)))

    def _export_to(self, rows: list[Resource], path: Path | None) -> None:
        if path is None:
            return
        try:
            if path.suffix.lower() == ".csv":
                text = dumps_csv(rows)
            else:
                connection = self.connection
                identity = connection.identity if connection else Identity(account_id="unknown")
                inventory = Inventory(
                    identity=identity,
                    regions=list(connection.regions) if connection else [],
                    resources=rows,
                    errors=[],
                    accounts=self._identities() or [identity],
                )
                text = dumps_json(inventory)
            atomic_write_text(path, text)
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror or exc}", severity="error", timeout=10)
            return
        self.notify(f"Wrote {len(rows):,} rows to {path}", title="Exported")

    def action_quit(self) -> None:
        self.exit(0)

    def on_unmount(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        if self.source is not None:
            self.source.close()

    # --- command palette ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Rescan", "Cancel any scan in flight and scan again (r)", self.action_rescan)
        yield SystemCommand("Filter", "Focus the filter (/)", self.action_focus_filter)
        yield SystemCommand("Stop", "Stop the marked rows, or the cursor row (s)", self.action_stop)
        yield SystemCommand(
            "Delete / terminate / release", "Delete the marked rows, or the cursor row (ctrl+d)", self.action_delete
        )
        yield SystemCommand("Switch profile", "Pick another AWS profile and rescan (p)", self.action_pick_profile)
        yield SystemCommand("Limit regions", "Pick the regions to scan and rescan (l)", self.action_pick_regions)
        yield SystemCommand("Changes since the last scan", "New, gone and changed resources (d)", self.action_changes)
        yield SystemCommand("Cost panels", "Show or hide the cost side panels (c)", self.action_toggle_costs)
        yield SystemCommand("Coverage grid", "Region x kind: how each cell ended (g)", self.action_coverage)
        yield SystemCommand("Export", "Write the filtered view to JSON or CSV (e)", self.action_export)
        yield SystemCommand("Mark all shown rows", "Mark every row the filter shows (ctrl+a)", self.action_mark_all)
        yield SystemCommand("Clear marks", "Unmark every row (escape)", self.table.clear_marks)
        yield SystemCommand("Keys and filter help", "Show the key map and filter grammar (?)", self.action_help)
        for key, column in SORT_KEYS.items():
            yield SystemCommand(f"Sort by {column}", f"Sort the table by {column}; again reverses ({key})",
                                partial(self.action_sort, column))


def merge_accounts(results: dict[tuple[str, str, str], CellResult]) -> dict[tuple[str, str], CellResult]:
    """One coverage cell per (region, kind) across accounts: counts add up, and an error in
    any account shows, its message naming the account when there are several."""
    several = len({account for account, _, _ in results}) > 1
    merged: dict[tuple[str, str], CellResult] = {}
    for (account, region, kind), result in sorted(results.items()):
        if several and result.message:
            result = dataclasses.replace(result, message=f"{account}: {result.message}")
        key = (region, kind)
        seen = merged.get(key)
        if seen is None:
            merged[key] = result
            continue
        worst = result if result.status.is_error and not seen.status.is_error else seen
        status = worst.status
        if not status.is_error and CellStatus.DONE in (seen.status, result.status):
            status = CellStatus.DONE
        messages = [m for m in (seen.message, result.message) if m]
        merged[key] = CellResult(
            worst.cell,
            status,
            seen.count + result.count,
            worst.code,
            "\n".join(messages) or None,
            max(seen.seconds, result.seconds),
        )
    return merged


def _cell_region(resource: Resource) -> str:
    """The region of the cell a resource came from: account-wide kinds (S3) and global
    ones (IAM) are one cell in 'global', whatever region the resource shows."""
    spec = REGISTRY.get(resource.kind)
    return GLOBAL_REGION if spec is not None and spec.scope != "regional" else resource.region


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- launching ---------------------------------------------------------------------------------


def launch(args: argparse.Namespace) -> int:
    """Open the TUI for the parsed command line (called by ``cli.run_tui``).

    Credentials and regions of a real account are checked before the screen opens, so a
    bad profile is one line and exit 2, not a broken screen.
    """
    from tracker_tui.aws.kinds import UnknownKindError, resolve_kinds
    from tracker_tui.aws.regions import RegionsError
    from tracker_tui.cli import UsageError, build_source
    from tracker_tui.config import load_settings
    from tracker_tui.store import InventoryError, read_inventory

    settings = load_settings()
    if getattr(args, "command", None) == "open":
        try:
            inventory = read_inventory(args.file)
        except InventoryError as exc:
            raise UsageError(str(exc)) from None
        label = f"{Path(args.file).name}, scanned {inventory.scanned_at}"
        return TrackerApp(None, inventory=inventory, inventory_label=label, settings=settings,
                          read_only=bool(args.read_only)).run() or 0
    try:
        kinds = resolve_kinds(args.kind)
    except UnknownKindError as exc:
        raise UsageError(str(exc)) from None
    source: Any = build_source(args, kinds, settings)
    if not args.demo:  # the demo connects in the app, so its screen shows at once
        try:
            source.connect()
        except (CredentialsError, RegionsError) as exc:
            source.close()
            raise UsageError(str(exc)) from None
    app = TrackerApp(
        source, settings=settings, read_only=bool(args.read_only), history=ScanHistory(keep=settings.keep_scans)
    )
    try:
        return app.run() or 0
    finally:
        source.close()
