"""Live results of an action run: each row requested -> in progress -> done / refused / failed.

The result column (why a row was refused, the AWS error of a failure) is what the operator
needs most, so it wins the width: at narrow terminals region, kind and action give way
before it does, and the line under the table always shows the highlighted row's whole
result, however long.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tracker_tui.aws.actions import ActionUpdate, PlannedAction, Status
from tracker_tui.ui.text import safe

STATUS_STYLE = {
    Status.REQUESTED: "dim",
    Status.IN_PROGRESS: "bold",
    Status.DONE: "bold green",
    Status.REFUSED: "bold yellow",
    Status.FAILED: "bold red",
    Status.SKIPPED: "dim",
}


@dataclass(frozen=True)
class _Column:
    key: str
    label: str
    #: Preferred width; the name column may shrink to ``least``.
    width: int
    least: int = 0


STATUS = _Column("status", "status", 11)
ACTION = _Column("action", "action", 9)
KIND = _Column("kind", "kind", 19)
NAME = _Column("name", "name / id", 24, least=16)
REGION = _Column("region", "region", 14)
#: Columns that give way to the result, in the order they go.
GIVE_WAY = (REGION, KIND, ACTION)
#: The result column gets at least this much before the others are dropped.
RESULT_MIN = 40
#: DataTable's cell padding (one column each side).
CELL_PADDING = 2


def layout_columns(width: int) -> tuple[list[_Column], int, int]:
    """Which columns fit ``width`` beside the result, the name width, and the result width.

    Columns give way (region, then kind, then action) and the name shrinks before the
    result drops under ``RESULT_MIN``; the result takes whatever is left.
    """
    shown = [STATUS, ACTION, KIND, NAME, REGION]

    def rest(columns: list[_Column], name_width: int) -> int:
        used = sum((name_width if c is NAME else c.width) + CELL_PADDING for c in columns)
        return width - used - CELL_PADDING - 1  # the result's own padding and the scrollbar's edge

    name_width = NAME.width
    for column in GIVE_WAY:
        if rest(shown, name_width) >= RESULT_MIN:
            break
        shown.remove(column)
    if rest(shown, name_width) < RESULT_MIN:
        name_width = max(NAME.least, name_width - (RESULT_MIN - rest(shown, name_width)))
    return shown, name_width, max(10, rest(shown, name_width))


def result_text(update: ActionUpdate | None, planned: PlannedAction) -> str:
    """What a row's result cell says: the message, with the AWS error code in front."""
    if update is None:
        return planned.skip_reason or ""
    message = update.message
    if update.code and update.code not in message:
        message = f"{update.code}: {message}" if message else update.code
    return message


class ActionProgressScreen(Screen[None]):
    """One line per row of the run; ``escape`` goes back (the run carries on)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="progress.back")]

    DEFAULT_CSS = """
    ActionProgressScreen #progress-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    ActionProgressScreen DataTable { height: 1fr; }
    ActionProgressScreen #progress-detail { height: auto; max-height: 4; padding: 0 1; background: $panel; }
    ActionProgressScreen #progress-summary { height: auto; padding: 0 1; background: $boost; }
    """

    def __init__(self, planned: list[PlannedAction], title: str) -> None:
        super().__init__()
        self.planned = planned
        self.title_text = title
        self.latest: dict[tuple[str, str, str, str], ActionUpdate] = {}
        self._by_key = {p.resource.key: p for p in planned}
        self._layout: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        yield Static(safe(self.title_text), id="progress-title")
        yield DataTable(id="progress-table", cursor_type="row", zebra_stripes=False)
        yield Static("", id="progress-detail")
        yield Static("", id="progress-summary")
        yield Footer()

    def on_mount(self) -> None:
        self._build(self.size.width)
        self._summarise()

    def on_resize(self, event: events.Resize) -> None:
        self._build(event.size.width)

    def _status(self, p: PlannedAction) -> Status:
        update = self.latest.get(p.resource.key)
        return update.status if update else (Status.REQUESTED if p.action else Status.SKIPPED)

    def _build(self, width: int) -> None:
        """(Re)build the table's columns for ``width`` and refill the rows from the latest updates."""
        columns, name_width, result_width = layout_columns(width)
        if self._layout == (width, result_width):
            return
        self._layout = (width, result_width)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for column in columns:
            table.add_column(column.label, key=column.key, width=name_width if column is NAME else column.width)
        table.add_column("result", key="message", width=result_width)
        for p in self.planned:
            r = p.resource
            status = self._status(p)
            values = {
                "status": Text(status.value, style=STATUS_STYLE[status]),
                "action": safe(p.action or "-"),
                "kind": safe(r.kind),
                "name": safe(r.name or r.id),
                "region": safe(r.region),
            }
            cells = [values[c.key] for c in columns]
            table.add_row(*cells, safe(result_text(self.latest.get(r.key), p)), key="|".join(r.key))
        if self.planned:
            table.move_cursor(row=min(max(cursor, 0), len(self.planned) - 1), animate=False)
        self._show_detail()

    def apply(self, update: ActionUpdate) -> None:
        """Show one progress report (called on the UI thread)."""
        self.latest[update.resource.key] = update
        planned = self._by_key.get(update.resource.key)
        if planned is None:
            return  # a row not in this run
        if self._layout is None:
            return  # the table is not built yet: mounting builds it from ``latest``
        table = self.query_one(DataTable)
        row = "|".join(update.resource.key)
        table.update_cell(row, "status", Text(update.status.value, style=STATUS_STYLE[update.status]))
        table.update_cell(row, "message", safe(result_text(update, planned)))
        self._summarise()
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """The highlighted row's whole result, which the table may have cut short."""
        table = self.query_one(DataTable)
        if not self.planned or not 0 <= table.cursor_row < len(self.planned):
            return
        p = self.planned[table.cursor_row]
        r = p.resource
        status = self._status(p)
        line = Text.assemble(safe(r.name or r.id, "bold"), " (", safe(r.kind), ", ", safe(r.region), ") ")
        line.append(status.value, style=STATUS_STYLE[status])
        message = result_text(self.latest.get(r.key), p)
        if message:
            line.append(": ")
            line.append_text(safe(message))
        self.query_one("#progress-detail", Static).update(line)

    def _summarise(self) -> None:
        counts: dict[Status, int] = {}
        for p in self.planned:
            status = self._status(p)
            counts[status] = counts.get(status, 0) + 1
        parts = [f"{counts[s]} {s.value}" for s in Status if counts.get(s)]
        running = counts.get(Status.REQUESTED, 0) + counts.get(Status.IN_PROGRESS, 0)
        tail = "running… (escape: back to the table; the run carries on)" if running else "finished: escape to go back"
        self.query_one("#progress-summary", Static).update(Text(f"{', '.join(parts)}   {tail}"))
