"""The Textual application: the coordination behind the main view.

``MainScreen`` (ui/screens/main.py) owns the main view's widgets and keys.  The app keeps
what outlives a screen: the scan (``ScanSource.scan`` runs in a worker thread and hands
events to a deque; a timer that runs only while a scan is in flight drains it into the
table in batches), the actions (plan, confirm, run, apply the results), the memory
between runs, and the keys of every screen (help, palette, quit).
"""

from __future__ import annotations

import gc
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.timer import Timer

from tracker_tui.aws.actions import (
    ActionOptions,
    ActionRunner,
    ActionUpdate,
    PlannedAction,
    Verb,
    describe_skipped,
    plan,
)
from tracker_tui.aws.bill import BillSource, CostExplorerBills, KindTotals
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.scan import merge_accounts, saved_results
from tracker_tui.aws.session import AwsSession, available_profiles
from tracker_tui.aws.source import (
    NOT_A_REAL_ACCOUNT,
    NOT_CONNECTED_REGIONS,
    Connection,
    NoSession,
    ScanSource,
    SourceError,
)
from tracker_tui.config import Settings
from tracker_tui.costs import CostSummary
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
)
from tracker_tui.store import AuditLog, Inventory
from tracker_tui.ui.commands import AppCommands
from tracker_tui.ui.idle_checks import IdleChecks
from tracker_tui.ui.keymap import check_keymap
from tracker_tui.ui.keys import APP_KEYS, bindings, key_display
from tracker_tui.ui.messages import Connected, ConnectFailed, FindingsSettled
from tracker_tui.ui.refresh import AutoRefresh
from tracker_tui.ui.screens.bill import BillScreen
from tracker_tui.ui.screens.changes import ChangesScreen
from tracker_tui.ui.screens.confirm import ConfirmActionScreen, Confirmed
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.help import HelpScreen
from tracker_tui.ui.screens.main import MainScreen
from tracker_tui.ui.screens.pickers import ProfilePicker, RegionPicker
from tracker_tui.ui.screens.progress import ActionProgressScreen
from tracker_tui.ui.widgets.resource_table import ResourceTable
from tracker_tui.untrusted import visible

#: How often the UI takes what the scan threads found (seconds).  Also bounds how stale
#: the progress line can be.
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
        settings: the user's config.
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
        self._now = now or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self.bills: BillSource = bills or CostExplorerBills(self._session_for, now=self._now)
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
        self.costs = CostSummary()
        self._costs_refreshed = 0.0
        self._backlog_timer_pending = False
        #: The CloudWatch idle checks (``i``).
        self.idle = IdleChecks(self)
        #: ``--refresh`` / ``refresh``: background rescans (None: off).
        self.rescans = AutoRefresh(self, self.settings.refresh, monotonic) if self.settings.refresh else None
        #: The user's ``[keymap]`` as applied (the help and the palette show these keys).
        keymap = check_keymap(self.settings.keymap)
        self.keymap_in_force: dict[str, str] = keymap.applied
        self._keymap_problems = keymap.problems
        self._clashes_told: set[frozenset[str]] = set()
        if keymap.applied:
            self.set_keymap(keymap.applied)
        # Throttling uses the real clock even when tests freeze the displayed one.
        self._monotonic_real = time.monotonic
        self.add_mode(MAIN_MODE, partial(MainScreen, self._now))
        if self.settings.theme:
            self.theme = self.settings.theme

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
        return self._scanning

    @property
    def actions_running(self) -> bool:
        """An action run is in progress (its rows are being changed)."""
        return self._actions_running > 0

    @property
    def generation(self) -> int:
        """Which scan the rows are from (each rescan counts one up)."""
        return self._generation

    def on_mount(self) -> None:
        for warning in (*self.settings.warnings, *self._keymap_problems):
            self.notify(warning, severity="warning", timeout=10)
        if self.inventory is not None:
            inv = self.inventory
            kinds = tuple(sorted({r.kind for r in inv.resources} | {e.kind for e in inv.errors}))
            self.connection = Connection(inv.identity, tuple(inv.regions), "", self.inventory_label, kinds)
            self.table.add_resources(inv.resources)
            self.costs.add(inv.resources)
            self._results.update(saved_results(inv.errors))
            self._resources_found = len(inv.resources)
        self._refresh_header()
        self.refresh_status()
        self.refresh_costs()
        if self.source is not None:
            self.start_scan()
            if self.rescans is not None:
                self.rescans.start()

    # --- scanning -------------------------------------------------------------------------

    def start_scan(self) -> None:
        """Cancel any scan in flight and start a fresh one."""
        if self.source is None:
            return
        if self._cancel is not None:
            self._cancel.set()
        self.idle.cancel()
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
        self.table.clear(keep_marks=True)  # marked rows found again are marked again
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
        self.refresh_status()

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
        rows: list[Resource] = []

        def sink(event: ScanEvent) -> None:
            if isinstance(event, ResourcesFound):
                rows.extend(event.resources)
            elif isinstance(event, ScanFinished) and not event.cancelled:
                # Findings that read other rows (a stopped instance's volumes), now that every
                # row is in: worked out here, off the screen's loop (60+ ms at 100,000 rows).
                settled = related_findings(rows, event.results)
                if settled:
                    put((generation, FindingsSettled(tuple(settled))))
            put((generation, event))

        try:
            self.source.scan(sink, cancel)
        except Exception as exc:  # noqa: BLE001
            put((generation, ConnectFailed(f"scan stopped: {exc}")))

    def _drain_backlog(self) -> None:
        self._backlog_timer_pending = False
        self._drain()

    def _drain(self) -> None:
        """Take what the scan threads queued (up to DRAIN_MAX_ROWS resources) in one go."""
        batch: list[Resource] = []
        found = 0
        finished = complete = False
        while self._inbox and len(batch) < DRAIN_MAX_ROWS:
            generation, event = self._inbox.popleft()
            if generation != self._generation:
                continue  # a cancelled scan's leftovers
            if isinstance(event, (ResourcesFound, FindingsSettled)):
                batch.extend(event.resources)
                for resource in event.resources:
                    self._fresh[resource.key] = resource
                if isinstance(event, ResourcesFound):  # settled rows replace rows already counted
                    found += len(event.resources)
            elif isinstance(event, CellFinished):
                result = event.result
                self._results[(result.cell.account_id, result.cell.region, result.cell.kind)] = result
            elif isinstance(event, ScanStarted):
                self._total_cells = len(event.cells)
            elif isinstance(event, ScanFinished):
                finished = True
                self._scan_seconds = self._monotonic() - self._scan_started
                complete = not event.cancelled  # once this drain's rows are in the table
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
            self._resources_found += found
            self.table.add_resources(batch)
            self.costs.add(batch)
            # The rows live as long as the table: move them out of the collector's way, so
            # full collections (100+ ms at 100k rows) stop freezing the screen.
            gc.freeze()
        if complete:
            self._scan_complete()
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
            if self.rescans is not None:
                self.rescans.scan_finished()
            lost = self.table.forget_kept_marks()
            if lost:
                self.notify(
                    f"{_plural(lost, 'marked row')} not found again by the rescan: unmarked.", severity="warning"
                )
        self.refresh_status()
        if finished or (batch and self._monotonic_real() - self._costs_refreshed >= COST_REFRESH_INTERVAL):
            self.refresh_costs()
        screen = self.screen
        if isinstance(screen, CoverageScreen):
            screen.refresh_results(merge_accounts(self._results))

    # --- memory between runs -----------------------------------------------------------------

    def _show_last_scan(self) -> None:
        """Show the account's previous scan at once, marked stale, while the new one streams."""
        if self.history is None or self.connection is None or self._fresh:
            return
        lasts = [self.history.last(ident.account_id) for ident in self.identities()]
        for problem in self.history.problems:
            self.notify(problem, severity="warning", timeout=10)
        self.history.problems.clear()
        found = [inv for inv in lasts if inv is not None]
        if not found:
            return
        stale = combined_view(found)  # several accounts: one view of their last scans
        self._stale = stale
        self.table.add_resources(stale.resources)
        self.costs.add(stale.resources)
        self.refresh_costs()

    def _scan_complete(self) -> None:
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
            gone = gone_since(stale.resources, self._fresh, self._results.values(), global_kinds=global_kinds)
            self.table.remove_keys(gone)
            self.costs.remove(gone)
            self.changes = d = diff(stale.resources, fresh)
            self._changes_since = f"{age_text(stale.scanned_at, self._now())}, {stale.scanned_at}"
            self.notify(
                f"{len(d.new)} new, {len(d.gone)} gone, {len(d.changed)} changed since the last scan "
                f"({age_text(stale.scanned_at, self._now())}); press d",
                title="Changes",
                timeout=10,
            )
            self._stale = None
        if self.history is not None:
            scanned_at = iso_utc(self._now()) or ""
            saves = scans_to_save(self.identities(), connection.regions, fresh, self._results.values(), scanned_at)
            for inventory in saves:
                try:
                    self.history.save(inventory)
                except OSError as exc:
                    self.notify(f"Could not save this scan for next time: {exc}", severity="warning")
                    break

    def show_changes(self) -> None:
        if self.changes is None:
            self.notify("No earlier scan of this account to compare with (yet).")
            return
        self.push_screen(ChangesScreen(self.changes, self._changes_since))

    # --- profile and region pickers ---------------------------------------------------------

    def pick_profile(self) -> None:
        why = self.source.profile_refusal if self.source is not None else NOT_A_REAL_ACCOUNT
        if why:
            self.notify(why, severity="warning")
            return
        current = self.connection.profile if self.connection else None
        self.push_screen(ProfilePicker(available_profiles(), current), self._switch_profile)

    def _switch_profile(self, profile: str | None) -> None:
        old = self.source
        if profile is None or old is None:
            return
        try:
            self.source = old.switch_profile(profile)
        except SourceError as exc:
            self.notify(str(exc), title="Profile", severity="error", timeout=10)
            return
        old.close()
        self.connection = None
        self._all_regions = []
        self._refresh_header()
        self.notify(f"Switched to profile {profile}: rescanning.")
        self.start_scan()

    def pick_regions(self) -> None:
        source = self.source
        if source is None or self.connection is None or source.region_refusal:
            why = source.region_refusal if source is not None else ""
            self.notify(why or NOT_CONNECTED_REGIONS, severity="warning")
            return
        choices = sorted(set(self._all_regions) | set(self.connection.regions))
        self.push_screen(RegionPicker(choices, list(source.requested_regions)), self._limit_regions)

    def _limit_regions(self, regions: list[str] | None) -> None:
        source = self.source
        if regions is None or source is None:
            return
        try:
            source.limit_regions(regions)
        except SourceError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(f"Scanning {', '.join(regions) if regions else 'every enabled region'}.")
        self.start_scan()

    # --- header and status ----------------------------------------------------------------

    @property
    def danger(self) -> bool:
        if self.connection is None:
            return False
        names = [ident.alias for ident in self.identities()] + [self.connection.profile]
        return self.settings.is_dangerous(*names)

    def identities(self) -> list[Identity]:
        """Every account this view covers (one, unless several profiles or an Organization)."""
        if self.connection is None:
            return []
        return list(self.connection.accounts) or [self.connection.identity]

    def _refresh_header(self) -> None:
        note = ""
        if self.connection is None and self.source is not None:
            note = "connecting…"
        self.main.show_header(self.connection, danger=self.danger, note=note)

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

    def refresh_status(self) -> None:
        text = self.progress_text()
        if self.idle.running:  # first: at 80 columns the line's end is cut
            text = f"{self.idle.status()} · {text}"
        if self.rescans is not None and self.rescans.status():  # first too: when is short, the rest long
            text = f"{self.rescans.status()} · {text}"
        self.main.show_status(text)

    def refresh_costs(self) -> None:
        self._costs_refreshed = self._monotonic_real()
        self.main.cost_panel.update_from(self.costs)

    # --- stop / delete ---------------------------------------------------------------------

    def rescan(self) -> None:
        if self.source is None:
            self.notify("This is a saved inventory: nothing to rescan.", severity="warning")
            return
        self.start_scan()

    def request_action(self, verb: Verb) -> None:
        """Plan ``verb`` for the marked rows (or the cursor row) and ask for confirmation."""
        if self.read_only_reason:
            self.notify(self.read_only_reason, title="Read-only", severity="warning")
            return
        if self.source is None or self.connection is None:
            why = "a saved inventory has no account to act on" if self.source is None else "still connecting"
            self.notify(f"Nothing can be changed: {why}.", severity="warning")
            return
        rows = self.main.selection()
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
        try:
            session = self.source.session_for(identity.account_id)
        except NoSession as exc:
            self.notify(f"Nothing can be changed: {exc}.", severity="error")
            return
        planned = plan(rows, verb, self._action_options())
        if not any(p.action for p in planned):
            self.notify(f"Nothing to {verb}: {describe_skipped(planned)}", severity="warning", timeout=8)
            return
        danger = self.settings.is_dangerous(identity.alias, self.connection.profile)
        screen = ConfirmActionScreen(planned, identity, danger=danger)
        self.push_screen(screen, partial(self._confirmed, planned, session, identity))

    def _action_options(self, confirmed: Confirmed | None = None) -> ActionOptions:
        options = ActionOptions(protected_tags=tuple(self.settings.protected_tags))
        return confirmed.apply(options) if confirmed is not None else options

    def _identity_of(self, account_id: str) -> Identity:
        for identity in self.identities():
            if identity.account_id == account_id:
                return identity
        assert self.connection is not None
        return self.connection.identity

    def _confirmed(
        self, planned: list[PlannedAction], session: AwsSession, identity: Identity, confirmed: Confirmed | None
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
            self.refresh_costs()
            self.refresh_status()
        if self._actions_running <= 0 and self._action_timer is not None:
            self._action_timer.stop()
            self._action_timer = None

    # --- the other screens ------------------------------------------------------------------

    def show_coverage(self) -> None:
        connection = self.connection
        regions = list(connection.regions) if connection else []
        kinds = list(connection.kinds) if connection else []
        if not kinds:
            kinds = sorted({r.kind for r in self.table.resources} | {kind for _, _, kind in self._results})
        self.push_screen(CoverageScreen(merge_accounts(self._results), regions, kinds))

    def _session_for(self, account_id: str) -> AwsSession:
        """The session the bill asks Cost Explorer with (the source may have been switched since)."""
        if self.source is None:
            raise NoSession("a saved inventory (tracker-tui open) has no AWS session to ask Cost Explorer with")
        return self.source.session_for(account_id)

    def show_bill(self) -> None:
        """The bill beside the estimate for the view's (first) account; asks before any request."""
        connection = self.connection
        if connection is None:
            self.notify("Still connecting: the bill needs the account.", severity="warning")
            return
        identity = connection.identity
        accounts = self.identities()
        notes = []
        if len(accounts) > 1:
            notes.append(f"1 of {len(accounts)} accounts")
        if self._scanning:
            notes.append("scan in flight: ours is partial")
        screen = BillScreen(
            self.bills, identity, partial(self._kind_totals, identity.account_id, len(accounts) > 1),
            no_session=self.bills.unavailable(identity.account_id), note=", ".join(notes), now=self._now,
        )
        self.push_screen(screen)

    def _kind_totals(self, account_id: str, several: bool) -> KindTotals:
        """Our run-rate by kind for one account: the cost panels' own, or that account's rows."""
        if not several:
            return self.costs
        summary = CostSummary()
        summary.add(r for r in self.table.resources if r.account_id == account_id)
        return summary

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """A keymap key that a widget's own binding also uses: said once, the widget's wins."""
        ids = frozenset(str(b.id) for b in clashed_bindings)
        if ids in self._clashes_told:
            return
        self._clashes_told.add(ids)
        keys = ", ".join(sorted({key_display(b.key) for b in clashed_bindings}))
        self.notify(f"keymap: {keys} is taken on {type(node).__name__}; ignored there", severity="warning")

    # --- notifications ----------------------------------------------------------------------

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

    # --- the app's own keys (ui.keys.APP_KEYS) ------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self.exit(0)

    def on_unmount(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        if self.source is not None:
            self.source.close()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
