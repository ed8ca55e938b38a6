"""The Textual application: header, filter, the streaming resource table, status line.

Scans run in a worker thread (``ScanSource.scan``) and hand events to a deque; a timer
that runs only while a scan is in flight drains it into the table in batches.
"""

from __future__ import annotations

import argparse
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

from tracker_tui.aws.source import Connection, ScanSource
from tracker_tui.config import Settings
from tracker_tui.filtering import FilterError, parse_filter
from tracker_tui.model import (
    CellFinished,
    CellResult,
    CellStatus,
    Resource,
    ResourcesFound,
    ScanFinished,
    ScanStarted,
)
from tracker_tui.store import Inventory, atomic_write_text, dumps_csv, dumps_json
from tracker_tui.ui.messages import ConnectFailed, Connected
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.details import DetailsScreen
from tracker_tui.ui.screens.export import ExportScreen
from tracker_tui.ui.screens.help import HelpScreen
from tracker_tui.pricing.summary import CostSummary
from tracker_tui.store import format_cost
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
        Binding("slash", "focus_filter", "Filter", id="filter"),
        Binding("space", "toggle_mark", "Mark", id="mark"),
        Binding("ctrl+a", "mark_all", "Mark all", show=False, id="mark_all"),
        Binding("escape", "escape", "Clear marks", show=False, id="escape"),
        Binding("r", "rescan", "Rescan", id="rescan"),
        Binding("c", "toggle_costs", "Costs", id="costs"),
        Binding("g", "coverage", "Grid", id="coverage"),
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
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.source = source
        self.inventory = inventory
        self.inventory_label = inventory_label
        self.settings = settings or Settings()
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
        self._results: dict[tuple[str, str], CellResult] = {}
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
        yield Footer()

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
                self._results[(error.region, error.kind)] = CellResult(
                    cell=_cell(error.region, error.kind, error.account_id),
                    status=CellStatus.FAILED if error.code not in _DENIED_HINT else CellStatus.DENIED,
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
            elif isinstance(event, CellFinished):
                result = event.result
                self._results[(result.cell.region, result.cell.kind)] = result
            elif isinstance(event, ScanStarted):
                self._total_cells = len(event.cells)
            elif isinstance(event, ScanFinished):
                finished = True
                self._scan_seconds = self._monotonic() - self._scan_started
            elif isinstance(event, Connected):
                self.connection = event.connection
                self._refresh_header()
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
            screen.refresh_results(dict(self._results))

    # --- header and status ----------------------------------------------------------------

    @property
    def danger(self) -> bool:
        if self.connection is None:
            return False
        return self.settings.is_dangerous(self.connection.identity.alias, self.connection.profile)

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
        if self._scanning:
            elapsed = self._monotonic() - self._scan_started
            if self.connection is None:
                return f"connecting… {elapsed:.0f}s"
            total = self._total_cells or "?"
            return f"scanning {done}/{total} cells · {self._resources_found:,} found · {_plural(errors, 'error')} · {elapsed:.1f}s"
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
            self.progress_text(), table.row_count, table.total_count, len(marked), marked_cost
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
        {"focus_filter", "toggle_mark", "mark_all", "escape", "rescan", "coverage", "export", "sort", "toggle_costs"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MAIN_SCREEN_ACTIONS and len(self.screen_stack) > 1:
            return False
        return True

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

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

    def action_toggle_costs(self) -> None:
        panel = self.query_one(CostPanel)
        panel.display = not panel.display
        if panel.display:
            self._refresh_costs()
        elif self.focused is not None and panel in self.focused.ancestors_with_self:
            self.table.focus()

    def action_sort(self, column: str) -> None:
        self.table.sort_by(column)

    def action_coverage(self) -> None:
        connection = self.connection
        regions = list(connection.regions) if connection else []
        kinds = list(connection.kinds) if connection else []
        if not kinds:
            kinds = sorted({r.kind for r in self.table.resources} | {kind for _, kind in self._results})
        self.push_screen(CoverageScreen(dict(self._results), regions, kinds))

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
                identity = connection.identity if connection else _unknown_identity()
                inventory = Inventory(
                    identity=identity,
                    regions=list(connection.regions) if connection else [],
                    resources=rows,
                    errors=[],
                    accounts=[identity],
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
        yield SystemCommand("Cost panels", "Show or hide the cost side panels (c)", self.action_toggle_costs)
        yield SystemCommand("Coverage grid", "Region x kind: how each cell ended (g)", self.action_coverage)
        yield SystemCommand("Export", "Write the filtered view to JSON or CSV (e)", self.action_export)
        yield SystemCommand("Mark all shown rows", "Mark every row the filter shows (ctrl+a)", self.action_mark_all)
        yield SystemCommand("Clear marks", "Unmark every row (escape)", self.table.clear_marks)
        yield SystemCommand("Keys and filter help", "Show the key map and filter grammar (?)", self.action_help)
        for key, column in SORT_KEYS.items():
            yield SystemCommand(f"Sort by {column}", f"Sort the table by {column}; again reverses ({key})",
                                partial(self.action_sort, column))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


_DENIED_HINT = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}


def _cell(region: str, kind: str, account_id: str) -> Any:
    from tracker_tui.model import Cell

    return Cell(region, kind, account_id)


def _unknown_identity() -> Any:
    from tracker_tui.model import Identity

    return Identity(account_id="unknown")


# --- launching ---------------------------------------------------------------------------------


def launch(args: argparse.Namespace) -> int:
    """Open the TUI for the parsed command line (called by ``cli.run_tui``).

    Credentials and regions of a real account are checked before the screen opens, so a
    bad profile is one line and exit 2, not a broken screen.
    """
    from tracker_tui.aws.kinds import UnknownKindError, resolve_kinds
    from tracker_tui.aws.regions import RegionsError
    from tracker_tui.aws.scan import ScanOptions
    from tracker_tui.aws.session import AwsSession, CredentialsError, SessionOptions
    from tracker_tui.aws.source import LiveSource
    from tracker_tui.cli import UsageError
    from tracker_tui.config import load_settings
    from tracker_tui.store import InventoryError, read_inventory

    settings = load_settings()
    if getattr(args, "command", None) == "open":
        try:
            inventory = read_inventory(args.file)
        except InventoryError as exc:
            raise UsageError(str(exc)) from None
        label = f"{Path(args.file).name}, scanned {inventory.scanned_at}"
        return TrackerApp(None, inventory=inventory, inventory_label=label, settings=settings).run() or 0
    try:
        kinds = resolve_kinds(args.kind)
    except UnknownKindError as exc:
        raise UsageError(str(exc)) from None
    options = ScanOptions(concurrency=args.concurrency or settings.concurrency)
    regions = args.region or list(settings.regions)
    if args.demo:
        from tracker_tui.demo import start_demo

        demos: list[Any] = []

        def open_demo() -> AwsSession:
            demo = start_demo(latency_ms=args.demo_latency)
            demos.append(demo)
            return demo.session

        source = LiveSource(open_demo, kinds, regions, options, label="demo account (moto)",
                            on_close=lambda: [d.stop() for d in demos])
        # moto has no Price List API: the demo always prices from the catalogue.
    else:
        try:
            session = AwsSession(SessionOptions(profile=args.profile, endpoint_url=args.endpoint_url))
            source = LiveSource(lambda: session, kinds, regions, options,
                                live_prices=bool(args.live_prices or settings.live_prices))
            source.connect()
        except (CredentialsError, RegionsError) as exc:
            raise UsageError(str(exc)) from None
    app = TrackerApp(source, settings=settings)
    try:
        return app.run() or 0
    finally:
        source.close()
