"""The main view: account header, filter bar, the resource table beside the cost panels,
the status line and the footer.

``MainScreen`` owns these widgets and the main view's keys (``ui.keys.MAIN_KEYS``), so the
keys exist only while it is the screen on top.  What only touches the view (the filter,
marks, sorting, the cost panels, export, details) is done here; what needs the scan, the
source or the history (rescan, stop, delete, coverage, changes, the bill, the pickers) goes to
``ui/verbs.py``, which asks of the app only what ``ui.host.Host`` offers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import cast

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from tracker_tui.aws.console import console_url
from tracker_tui.filtering import FilterError, parse_filter
from tracker_tui.findings import savings_of
from tracker_tui.model import Identity, Resource, format_cost_sum
from tracker_tui.store import Inventory, atomic_write_text, dumps_csv, dumps_json
from tracker_tui.ui.clipboard import ids_message, ids_text, in_table_order, row_message, row_text
from tracker_tui.ui.commands import MainScreenCommands
from tracker_tui.ui.host import Host
from tracker_tui.ui.jump import Jump
from tracker_tui.ui.keys import MAIN_KEYS, bindings
from tracker_tui.ui.screens.audit import AuditScreen
from tracker_tui.ui.screens.command_bar import CommandBarScreen
from tracker_tui.ui.screens.console_link import ConsoleLinkScreen
from tracker_tui.ui.screens.details import DetailsScreen
from tracker_tui.ui.screens.export import ExportScreen
from tracker_tui.ui.screens.help import HelpScreen
from tracker_tui.ui.text import safe
from tracker_tui.ui.verbs import Verbs, selection
from tracker_tui.ui.widgets.bars import AccountHeader, StatusLine
from tracker_tui.ui.widgets.cost_panel import CostPanel
from tracker_tui.ui.widgets.filter_input import FilterInput
from tracker_tui.ui.widgets.resource_table import ResourceTable

#: The cost panels show by default from this terminal width (they take 40 columns).
COST_PANEL_MIN_WIDTH = 120


class MainScreen(Screen[None]):
    """The main view.

    Args:
        now: the wall clock for ages and file names (tests freeze it).
    """

    BINDINGS = bindings(MAIN_KEYS)
    COMMANDS = {MainScreenCommands}

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__()
        self._now = now
        self._filter_error = ""

    @property
    def tracker(self) -> Host:
        """The app, as this view sees it (posting's screens cast the same way)."""
        return cast(Host, self.app)

    @property
    def verbs(self) -> Verbs:
        """What needs the scan, the source or the history."""
        return Verbs(self, self.tracker)

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AccountHeader(id="header")
        with Horizontal(id="filter-bar"):
            yield Static("/", id="filter-prompt")
            yield FilterInput(
                self._filter_changed,
                placeholder="filter: text kind: region: state: tag:k=v cost>N finding: !term",
                id="filter",
            )
            yield Static("", id="filter-error")
        with Horizontal(id="main"):
            yield ResourceTable(now=self._now, id="table")
            yield CostPanel(id="costs")
        yield StatusLine(id="status")
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p is in the help; room for the keys at 80 columns

    def on_mount(self) -> None:
        self.query_one("#filter", Input).cursor_blink = False  # no idle repaints over slow links
        self.table.focus()
        self.cost_panel.display = self.app.size.width >= COST_PANEL_MIN_WIDTH

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    @property
    def cost_panel(self) -> CostPanel:
        return self.query_one(CostPanel)

    def selection(self) -> list[Resource]:
        """What an action applies to: the marked rows, or else the cursor row."""
        return selection(self.tracker)

    def show_header(self) -> None:
        """Who and where: red when the account or profile is one the config calls dangerous."""
        scan = self.tracker.scan
        connection = scan.connection
        names = [ident.alias for ident in scan.identities()] + ([connection.profile] if connection else [])
        danger = connection is not None and self.tracker.settings.is_dangerous(*names)
        note = "connecting…" if connection is None and scan.source is not None else ""
        self.query_one(AccountHeader).show(connection, danger=danger, source_note=note)

    def show_status(self, progress: str) -> None:
        """The status line: ``progress`` (the app's), then what the table shows and marks."""
        table = self.table
        marked = table.marked
        marked_cost = format_cost_sum(r.monthly_cost for r in marked) if marked else ""
        try:
            line = self.query_one(StatusLine)
        except NoMatches:
            # The app is quitting and the screen's widgets are going, while a timer (the
            # background rescan's) still ticks: nothing left to paint.
            return
        line.show(progress, table.row_count, table.total_count, len(marked), marked_cost, table.hidden_sort)

    # --- keys --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_active:
            # Under a dialog the view still paints its footer: it must not offer keys that
            # go to the dialog (nor the palette commands, while the palette is open).
            return False
        if action == "focus_filter" and self.focused is not None and self.focused.id == "filter":
            return False  # "/" is part of the filter text then (/aws/lambda/...)
        return True

    def action_focus_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        # Focus at once, not on the next refresh (Widget.focus): keys typed right after
        # "/" must land in the filter, not on the table, where letters are bindings
        # (s stops, e exports, ...).
        self.set_focus(filter_input)

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()

    def action_mark_all(self) -> None:
        self.table.action_mark_all()

    def action_escape(self) -> None:
        if self.focused is not None and self.focused.id == "filter":
            self.table.focus()
        elif self.table.marked_count:
            self.table.clear_marks()

    def action_clear_marks(self) -> None:
        self.table.clear_marks()

    def action_console(self) -> None:
        resource = self.table.cursor_resource
        if resource is None:
            self.notify("No row under the cursor.", severity="warning")
            return
        url = console_url(resource)
        if url is None:
            self.notify(f"No console page is known for {resource.kind} in {resource.region}.", severity="warning")
            return
        self.app.push_screen(ConsoleLinkScreen(resource, url))

    def action_command_bar(self) -> None:
        self.app.push_screen(CommandBarScreen(), self._jump)

    def _jump(self, jump: Jump | None) -> None:
        """Where ``:`` leads: the filter set to a kind, or a view opened."""
        if jump is None:
            return
        if jump.kind:
            self.query_one("#filter", Input).value = jump.filter_text
            self.table.focus()
        elif jump.view == "cost":
            if not self.cost_panel.display:
                self.action_toggle_costs()
        elif jump.view == "grid":
            self.verbs.show_coverage()
        elif jump.view == "changes":
            self.verbs.show_changes()
        elif jump.view == "offhours":
            self.verbs.request_schedule()
        elif jump.view == "audit":
            self.app.push_screen(AuditScreen())
        elif jump.view == "help":
            self.app.push_screen(HelpScreen())
        elif jump.view == "quit":
            self.app.exit(0)

    def action_toggle_costs(self) -> None:
        panel = self.cost_panel
        panel.display = not panel.display
        if panel.display:
            self.tracker.refresh_costs()
        elif self.focused is not None and panel in self.focused.ancestors_with_self:
            self.table.focus()

    def action_sort(self, column: str) -> None:
        self.table.sort_by(column)
        self.tracker.refresh_status()

    # The rest needs the scan, the source or the history: the verbs'.

    def action_rescan(self) -> None:
        self.verbs.rescan()

    def action_stop(self) -> None:
        self.verbs.request_action("stop")

    def action_delete(self) -> None:
        self.verbs.request_action("delete")

    def action_start(self) -> None:
        self.verbs.request_action("start")

    def action_modify(self) -> None:
        self.verbs.request_action("modify")

    def action_schedule(self) -> None:
        self.verbs.request_schedule()

    def action_check_idle(self) -> None:
        self.verbs.request_idle()

    def action_coverage(self) -> None:
        self.verbs.show_coverage()

    def action_changes(self) -> None:
        self.verbs.show_changes()

    def action_bill(self) -> None:
        self.verbs.show_bill()

    def action_pick_profile(self) -> None:
        self.verbs.pick_profile()

    def action_pick_regions(self) -> None:
        self.verbs.pick_regions()

    # --- clipboard (OSC 52: through SSH and tmux) ----------------------------------------

    def action_copy(self) -> None:
        resource = self.table.cursor_resource
        if resource is None:
            self.notify("No row under the cursor.", severity="warning")
            return
        self.app.copy_to_clipboard(row_text(resource))
        self.notify(row_message(resource))

    def action_copy_marked(self) -> None:
        table = self.table
        marked = table.marked
        if not marked:
            self.notify("Nothing marked: space marks a row; y copies the cursor row's ARN.", severity="warning")
            return
        self.app.copy_to_clipboard(ids_text(in_table_order(marked, table.visible_resources)))
        self.notify(ids_message(len(marked)))

    # --- export ------------------------------------------------------------------------

    def action_export(self) -> None:
        rows = self.table.visible_resources
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        connection = self.tracker.scan.connection
        account = connection.identity.account_id if connection else "inventory"
        default = Path.cwd() / f"tracker-{account}-{stamp}.json"
        self.app.push_screen(ExportScreen(default, len(rows)), partial(self._export_to, list(rows)))

    def _export_to(self, rows: list[Resource], path: Path | None) -> None:
        if path is None:
            return
        try:
            if path.suffix.lower() == ".csv":
                text = dumps_csv(rows)
            else:
                connection = self.tracker.scan.connection
                identity = connection.identity if connection else Identity(account_id="unknown")
                inventory = Inventory(
                    identity=identity,
                    regions=list(connection.regions) if connection else [],
                    resources=rows,
                    errors=[],
                    accounts=self.tracker.scan.identities() or [identity],
                    savings=savings_of(rows).to_dict(),
                )
                text = dumps_json(inventory)
            atomic_write_text(path, text)
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror or exc}", severity="error", timeout=10)
            return
        self.notify(f"Wrote {len(rows):,} rows to {path}", title="Exported")

    # --- events from the widgets -------------------------------------------------------

    def _filter_changed(self, value: str) -> None:
        """The filter's text changed: called while the key is handled (``FilterInput``), so
        the table changes in the same paint as the text."""
        try:
            parsed = parse_filter(value)
        except FilterError as exc:
            self._show_filter_error(str(exc))
            return
        self._show_filter_error("")
        self.table.set_filter(parsed)
        self.tracker.refresh_status()

    def _show_filter_error(self, message: str) -> None:
        # Only touch the widget when the text changes: an update re-lays-out the screen.
        if message != self._filter_error:
            self._filter_error = message
            self.query_one("#filter-error", Static).update(safe(message))  # it quotes what was typed

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.table.focus()

    def on_resource_table_marks_changed(self, event: ResourceTable.MarksChanged) -> None:
        self.tracker.refresh_status()

    def on_cost_panel_waste_selected(self, event: CostPanel.WasteSelected) -> None:
        """Show the rows behind a waste line: its filter goes into the filter bar."""
        self.query_one("#filter", Input).value = event.line.filter_text
        self.table.focus()

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        self.app.push_screen(DetailsScreen(event.resource, now=self._now()))
