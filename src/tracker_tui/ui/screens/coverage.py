"""The coverage grid: region x kind, each cell's status, and the error of the cell under the cursor."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.model import GLOBAL_REGION, CellResult, CellStatus
from tracker_tui.ui.text import safe

#: What each status looks like: the text works without colour, the style adds it.
STATUS_LOOK = {
    CellStatus.DONE: ("{n}", "bold"),
    CellStatus.EMPTY: ("·", "dim"),
    CellStatus.DENIED: ("DENY", "bold red"),
    CellStatus.THROTTLED: ("THRT", "bold yellow"),
    CellStatus.FAILED: ("FAIL", "bold red"),
    CellStatus.TIMED_OUT: ("TIME", "bold cyan"),
    CellStatus.CANCELLED: ("x", "dim"),
    CellStatus.NOT_OFFERED: ("-", "dim"),
    CellStatus.PARTIAL: ("{n}!", "bold yellow"),
    CellStatus.UNREACHABLE: ("DOWN", "bold magenta"),
}

#: The legend, in the labels' own styles.  It is a line of its own (two at 80 columns) so that
#: all of it shows (beside the summary it was cut off after DENY).
LEGEND = (
    (CellStatus.DONE, "found"),
    (CellStatus.EMPTY, "empty"),
    (CellStatus.PARTIAL, "partial"),
    (CellStatus.DENIED, "denied"),
    (CellStatus.THROTTLED, "throttled"),
    (CellStatus.FAILED, "failed"),
    (CellStatus.TIMED_OUT, "timed out"),
    (CellStatus.UNREACHABLE, "unreachable"),
    (CellStatus.NOT_OFFERED, "not offered"),
)


def legend_text() -> Text:
    text = Text()
    for index, (status, meaning) in enumerate(LEGEND):
        label, style = STATUS_LOOK[status]
        if index:
            text.append(", ")
        text.append(label.format(n="n"), style=style)
        text.append(f" {meaning}")
    return text


def cell_text(result: CellResult | None) -> Text:
    if result is None:
        return Text("")
    label, style = STATUS_LOOK[result.status]
    return Text(label.format(n=result.count), style=style, justify="center")


class CoverageScreen(Screen[None]):
    """Which region x kind cells were scanned, and how each ended."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="coverage.back"),
        Binding("g", "app.pop_screen", "Back", show=False, id="coverage.back_g"),
        Binding("q", "app.pop_screen", "Back", show=False, id="coverage.back_q"),
    ]

    DEFAULT_CSS = """
    CoverageScreen #coverage-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    CoverageScreen #coverage-legend { height: auto; padding: 0 1; background: $panel; }
    CoverageScreen DataTable { height: 1fr; }
    CoverageScreen #coverage-cell { height: auto; min-height: 2; max-height: 6; padding: 0 1; background: $boost; }
    """

    def __init__(self, results: dict[tuple[str, str], CellResult], regions: list[str], kinds: list[str]) -> None:
        super().__init__()
        self.results = results
        self.kinds = [k for k in REGISTRY if k in kinds]
        rows = list(regions)
        if any(region == GLOBAL_REGION for region, _ in results) or GLOBAL_REGION not in rows:
            rows = [GLOBAL_REGION] + [r for r in rows if r != GLOBAL_REGION]
        self.regions = rows

    def compose(self) -> ComposeResult:
        yield Static(Text(self._summary()), id="coverage-title")
        yield Static(legend_text(), id="coverage-legend")
        table: DataTable[Text] = DataTable(id="coverage-grid", cursor_type="cell", zebra_stripes=False)
        yield table
        yield Static("", id="coverage-cell")
        yield Footer()

    def _summary(self) -> str:
        counts: dict[CellStatus, int] = {}
        for result in self.results.values():
            counts[result.status] = counts.get(result.status, 0) + 1
        parts = [f"{counts[s]} {s.value}" for s in CellStatus if counts.get(s)]
        return f"Coverage: {', '.join(parts) or 'no cells yet'}"

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("region", key="region")
        for kind in self.kinds:
            spec = REGISTRY.get(kind)
            table.add_column(safe(spec.label if spec is not None else kind), key=kind)
        for region in self.regions:
            cells = [cell_text(self.results.get((region, kind))) for kind in self.kinds]
            table.add_row(safe(region), *cells, key=region)
        table.focus()
        self._describe(0, 1 if self.kinds else 0)

    def refresh_results(self, results: dict[tuple[str, str], CellResult]) -> None:
        """Update the grid in place while a scan is running."""
        self.results = results
        table = self.query_one(DataTable)
        for region in self.regions:
            for kind in self.kinds:
                result = results.get((region, kind))
                try:
                    table.update_cell(region, kind, cell_text(result))
                except Exception:  # noqa: BLE001 - a row not in the grid yet
                    continue
        self.query_one("#coverage-title", Static).update(Text(self._summary()))

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._describe(event.coordinate.row, event.coordinate.column)

    def _describe(self, row: int, column: int) -> None:
        if not self.regions:
            return
        region = self.regions[min(row, len(self.regions) - 1)]
        if column == 0:
            text = safe(f"{region}: move right to a kind to see how its scan ended")
        else:
            kind = self.kinds[min(column - 1, len(self.kinds) - 1)]
            result = self.results.get((region, kind))
            if result is None:
                why = "global kinds are scanned once" if region != GLOBAL_REGION else "regional kind"
                text = safe(f"{region} / {kind}: not scanned ({why})")
            else:
                outcome = f"{result.status.value}, {result.count} resources, {result.seconds:.1f}s"
                text = safe(f"{region} / {kind}: {outcome}")
                # The error is AWS's text: shown literally, on a line of its own.
                if result.code:
                    text.append_text(Text.assemble("\n", safe(result.code), ": ", safe(result.message)))
                elif result.message:
                    text.append_text(Text.assemble("\n", safe(result.message)))
        self.query_one("#coverage-cell", Static).update(text)
