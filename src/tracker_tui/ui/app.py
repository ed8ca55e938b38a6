"""The Textual application: a shell over headless runs.

Scans, actions and idle checks run in threads behind ``tracker_tui.runs`` (``ScanRun``,
``ActionRun``, ``IdleRun``); the app keeps one timer that, while any of them runs, takes
what each reported and applies it to the table, the cost panels and the status line.  The
main view (``ui/screens/main.py``) owns the widgets and the main keys and forwards the verbs
that need the scan to ``ui/verbs.py``.  What stays here: the runs and the rows' costs, the
timer, the header and status line, the app's own keys (help, palette, quit) and its toasts.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.timer import Timer

from tracker_tui.aws.bill import BillSource, CostExplorerBills
from tracker_tui.aws.kinds import Thresholds
from tracker_tui.aws.scan import merge_accounts
from tracker_tui.aws.source import ScanSource
from tracker_tui.config import Settings
from tracker_tui.costs import CostSummary
from tracker_tui.history import ScanHistory
from tracker_tui.model import Resource, plural
from tracker_tui.rowstore import Key
from tracker_tui.runs import ActionRun, IdleRun, Notice, ScanDelta, ScanRun, collect_once_settled
from tracker_tui.store import Inventory
from tracker_tui.ui.commands import AppCommands
from tracker_tui.ui.keymap import check_keymap, clash_told
from tracker_tui.ui.keys import APP_KEYS, bindings
from tracker_tui.ui.refresh import TICK, AutoRefresh
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.help import HelpScreen
from tracker_tui.ui.screens.main import MainScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen
from tracker_tui.ui.verbs import read_only_reason
from tracker_tui.ui.widgets.resource_table import ResourceTable
from tracker_tui.untrusted import visible

#: How often the UI takes what the runs reported (seconds).  Also bounds how stale the
#: progress line can be.
DRAIN_INTERVAL = 0.1
#: When more is queued than one tick takes, the next batch follows after this pause.
BACKLOG_DELAY = 0.02
#: The cost panels are recomputed at most this often while a scan streams (seconds):
#: top spenders and waste walk every row, which at 100k rows is tens of milliseconds.
COST_REFRESH_INTERVAL = 1.0
#: Most resources taken into the table per tick (~20 ms of work), so a burst of pages
#: never freezes the screen; the rest waits for the next tick, which comes sooner.
DRAIN_MAX_ROWS = 3000
#: The mode whose base screen is the main view.
MAIN_MODE = "main"


class TrackerApp(App[int]):
    """tracker-tui.

    Args:
        source: where scans come from (None when showing a saved inventory only).
        inventory: a saved inventory to show (``tracker-tui open``).
        settings: the user's config (thresholds, keys, protected tags ...).
        now: the wall clock for ages and file names (tests freeze it).
        monotonic: the clock for elapsed times (tests freeze it).
        bills: where the bill view gets last month's bill (default: Cost Explorer through the
            source's session of the account, cached; tests inject a fake).
    """

    CSS_PATH = "app.tcss"
    TITLE = "tracker-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = bindings(APP_KEYS)
    COMMANDS = App.COMMANDS | {AppCommands}
    # The main view is a mode's base screen, not get_default_screen()'s: Textual mounts a
    # mode's screen before App.on_mount (the default screen only after), so on_mount can
    # fill the table and start the scan before anyone (a test's pilot) sees the app.
    DEFAULT_MODE = MAIN_MODE

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
        bills: BillSource | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.inventory = inventory
        self.inventory_label = inventory_label
        self.read_only_reason = read_only_reason(read_only, self.settings)
        thresholds = Thresholds.from_settings(self.settings)
        self.scan = ScanRun(source, history=history, thresholds=thresholds, now=now, monotonic=monotonic)
        self.costs = CostSummary()
        self.bills: BillSource = bills or CostExplorerBills(self.scan.session_for, now=self.scan.now)
        self.actions: list[ActionRun] = []
        self._progress: ActionProgressScreen | None = None
        #: The idle checks' run, while one runs.
        self.idle: IdleRun | None = None
        self._timer: Timer | None = None
        self._backlog_pending, self._costs_refreshed = False, 0.0
        #: ``--refresh`` / ``refresh``: background rescans (None: off).
        self.rescans = AutoRefresh(self, self.settings.refresh, monotonic) if self.settings.refresh else None
        #: The user's ``[keymap]`` as applied (the help and the palette show these keys).
        self.keymap_check = check_keymap(self.settings.keymap)
        self.keymap_in_force: dict[str, str] = self.keymap_check.applied
        if self.keymap_in_force:
            self.set_keymap(self.keymap_in_force)
        self._clashes_told: set[frozenset[str]] = set()
        self.add_mode(MAIN_MODE, partial(MainScreen, self.scan.now))
        if self.settings.theme:
            self.theme = self.settings.theme

    # --- what the screens see (ui.host.Host, ui.host.RescanGate) --------------------------

    @property
    def main(self) -> MainScreen:
        """The main view (the base screen, under whatever else is open)."""
        screen = self.default_screen
        assert isinstance(screen, MainScreen)
        return screen

    @property
    def table(self) -> ResourceTable:
        return self.main.table

    @property
    def scanning(self) -> bool:
        """A scan is streaming rows in."""
        return self.scan.scanning

    @property
    def actions_running(self) -> bool:
        """An action run is in progress (its rows are being changed)."""
        return bool(self.actions)

    def busy(self) -> str:
        if self.screen is not self.main:
            return "a dialog or view is open"
        if self.actions_running:
            return "an action is running"
        if self.idle is not None:
            return "the idle checks are running"
        return ""

    # --- starting runs ----------------------------------------------------------------------

    def on_mount(self) -> None:
        for warning in (*self.settings.warnings, *self.keymap_check.problems):
            self.notify(warning, severity="warning", timeout=10)
        if self.inventory is not None:
            self._add(self.scan.show(self.inventory, self.inventory_label))
        self.refresh_header()
        self.refresh_status()
        self.refresh_costs()
        if self.scan.source is not None:
            self.start_scan()
            if self.rescans is not None:
                self.set_interval(TICK, self.rescans.tick)

    def start_scan(self) -> None:
        """Cancel any scan (and idle checks) in flight and start a fresh one."""
        if self.scan.source is None:
            return
        if self.idle is not None:
            self.idle.cancel()
        self.scan.start()
        self.table.clear(keep_marks=True)  # marked rows found again are marked again
        self.costs.clear()
        if self.scan.generation > 1:  # a rescan: the last scan's rows were just dropped
            collect_once_settled()
        self._tick_on()
        self.refresh_status()

    def watch_actions(self, run: ActionRun, progress: ActionProgressScreen) -> None:
        self._progress = progress
        self.push_screen(progress)
        self.actions.append(run)
        run.start()
        self._tick_on()

    def watch_idle(self, run: IdleRun) -> None:
        self.idle = run
        run.start()
        self._tick_on()
        self.refresh_status()

    # --- the one timer: take what the runs reported, apply it -------------------------------

    def _tick_on(self) -> None:
        if self._timer is None:
            self._timer = self.set_interval(DRAIN_INTERVAL, self._tick)

    def _backlog(self) -> None:
        self._backlog_pending = False
        self._tick()

    def _tick(self) -> None:
        if not self.is_running:
            return  # shutting down: the widgets are going
        if self.scan.scanning:
            self._apply_scan(self.scan.take(DRAIN_MAX_ROWS))
        for run in list(self.actions):
            self._apply_actions(run)
        if self.idle is not None:
            self._apply_idle(self.idle)
        if not (self.scan.scanning or self.actions or self.idle) and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _apply_scan(self, delta: ScanDelta) -> None:
        if delta.connected is not None:
            self.refresh_header()
        self._add(delta.rows)
        if delta.rows:
            # The rows live as long as the table: move them out of the collector's way, so
            # full collections (100+ ms at 100k rows) stop freezing the screen.
            gc.freeze()
        self._remove(delta.removed)
        self._tell(delta.notices)
        if delta.more and not self._backlog_pending:
            # A backlog: come back soon, but through the event loop (a timer, not
            # call_later), so the screen repaints and keys are handled between batches.
            self._backlog_pending = True
            self.set_timer(BACKLOG_DELAY, self._backlog)
        if delta.finished:
            if self.rescans is not None:
                self.rescans.scan_finished()
            if lost := self.table.forget_kept_marks():
                self.notify(
                    f"{plural(lost, 'marked row')} not found again by the rescan: unmarked.", severity="warning"
                )
        self.refresh_status()
        if delta.finished or (delta.rows and time.monotonic() - self._costs_refreshed >= COST_REFRESH_INTERVAL):
            self.refresh_costs()
        if isinstance(self.screen, CoverageScreen):
            self.screen.refresh_results(merge_accounts(self.scan.results))

    def _apply_actions(self, run: ActionRun) -> None:
        delta = run.take()
        if self._progress is not None and self._progress.is_attached:
            for update in delta.updates:
                self._progress.apply(update)
        self._remove(delta.removed)
        for resource in delta.rows:
            self.table.replace_resource(resource)
        self.costs.add(delta.rows)
        if delta.finished:
            self.actions.remove(run)
        if delta.error:
            self.notify(f"The action run stopped: {delta.error}", severity="error", timeout=15)
        if delta.removed or delta.rows:
            self.refresh_costs()
            self.refresh_status()

    def _apply_idle(self, run: IdleRun) -> None:
        delta = run.take()
        if delta.progressed:
            self.refresh_status()  # the last region's progress shows, even when the end came with it
        if not delta.finished:
            return
        self.idle = None
        if delta.report is not None and run.generation != self.scan.generation:
            dropped = "A rescan started: the idle checks' results were dropped (press i again)."
            self.notify(dropped, severity="warning")
        elif delta.report is not None:
            # Only the rows still there: one deleted by an action meanwhile must not come back.
            present = {r.key for r in self.table.resources}
            judged = [r for r in delta.report.resources if r.key in present]
            self._add(judged)
            if judged:
                self.refresh_costs()
        self._tell(delta.notices)
        self.refresh_status()

    def _add(self, rows: list[Resource]) -> None:
        if rows:
            self.table.add_resources(rows)
            self.costs.add(rows)

    def _remove(self, keys: list[Key]) -> None:
        if keys:
            self.table.remove_keys(keys)
            self.costs.remove(keys)

    def _tell(self, notices: list[Notice]) -> None:
        for n in notices:
            self.notify(n.text, title=n.title, severity=n.severity, timeout=n.timeout)

    def refresh_header(self) -> None:
        self.main.show_header()

    def refresh_status(self) -> None:
        text = self.scan.progress
        if self.idle is not None:  # first: at 80 columns the line's end is cut
            text = f"{self.idle.status} · {text}"
        if self.rescans is not None and self.rescans.status():  # first too: when is short, the rest long
            text = f"{self.rescans.status()} · {text}"
        self.main.show_status(text)

    def refresh_costs(self) -> None:
        self._costs_refreshed = time.monotonic()  # the real clock even when tests freeze the shown one
        self.main.cost_panel.update_from(self.costs)

    # --- toasts and the app's own keys (ui.keys.APP_KEYS) ---------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast of the app (``Widget.notify`` comes here too) shows its text literally.

        Notifications quote names, ids, paths and AWS error messages, so they are never
        markup (whatever a caller passes) and their control characters are made visible.
        Thread-safe, as Textual's is.
        """
        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False)

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """A keymap key that a widget's own binding also uses: said once, the widget's wins."""
        told = clash_told(self._clashes_told, clashed_bindings, node)
        if told:
            self.notify(told, severity="warning")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self.exit(0)

    def on_unmount(self) -> None:
        self.scan.close()
