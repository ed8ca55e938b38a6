"""The cost side panels: run-rate total, by kind, by region, top spenders, and waste.

Every figure is the sum of the rows' own ``monthly_cost``; unpriced rows are counted and
shown as such, never as $0.  Selecting a waste line asks the app to filter the table to it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tracker_tui.costs import CostSummary
from tracker_tui.findings import SavingsLine
from tracker_tui.model import UNKNOWN_COST, format_cost
from tracker_tui.ui.text import safe

BAR_WIDTH = 8


def _bar(value: float, biggest: float) -> str:
    if biggest <= 0 or value <= 0:
        return ""
    cells = value / biggest * BAR_WIDTH
    full = int(cells)
    return "█" * full + ("▌" if cells - full >= 0.5 else "")


def _shape(text: Text, width: int) -> object:
    """What decides how tall ``text`` is at ``width`` columns: its number of lines when none of
    them is long enough to wrap, else the length of each line (the same lengths wrap the same)."""
    lengths = tuple(cell_len(line) for line in text.plain.split("\n"))
    return len(lengths) if 0 < max(lengths) < width else lengths


def _breakdown(title: str, values: dict[str, float], limit: int = 14) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column(justify="right", no_wrap=True)
    table.add_column(width=BAR_WIDTH, no_wrap=True)
    table.add_row(Text(title, style="bold underline"))
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    biggest = ordered[0][1] if ordered else 0.0
    for name, value in ordered[:limit]:
        table.add_row(safe(name), Text(format_cost(value)), Text(_bar(value, biggest), style="bold"))
    if len(ordered) > limit:
        rest = sum(v for _, v in ordered[limit:])
        table.add_row(Text(f"{len(ordered) - limit} more"), Text(format_cost(rest)))
    if not ordered:
        table.add_row(Text("nothing priced yet", style="dim"))
    return table


class CostPanel(VerticalScroll, can_focus=False):
    """Right-hand column of cost figures; ``update_from(summary)`` refreshes it."""

    class WasteSelected(Message):
        """The user picked a waste line: show those rows."""

        def __init__(self, line: SavingsLine) -> None:
            super().__init__()
            self.line = line

    DEFAULT_CSS = """
    CostPanel {
        width: 40;
        height: 1fr;
        border-left: vkey $panel;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    CostPanel > Static { margin-bottom: 1; }
    CostPanel #cost-total { text-style: bold; }
    CostPanel OptionList { height: auto; max-height: 12; border: none; padding: 0; scrollbar-gutter: stable; }
    CostPanel OptionList:focus { border: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="cost-total")
        yield Static(Text("Savings (enter: show rows)", style="bold"), id="waste-title")
        yield OptionList(id="waste-list")
        yield Static("", id="cost-kinds")
        yield Static("", id="cost-regions")
        yield Static("", id="cost-top")
        self._waste: list[SavingsLine] = []
        self._shapes: dict[str, object] = {}

    def update_from(self, summary: CostSummary) -> None:
        if not self.display:
            return  # hidden: nothing to paint; shown again, the app calls this first
        waste = summary.waste_lines()
        found = summary.savings()  # each billed thing once, not the lines' sum
        total = Text()
        total.append("Monthly run-rate ", style="bold")
        total.append(format_cost(summary.total), style="bold")
        total.append(f"\n{summary.priced:,} priced, {summary.unpriced:,} {UNKNOWN_COST}")
        # A column of the panel, less one for a scrollbar that may come: figures that grow a
        # digit keep their height, so they need no layout (one a second, 50-100 ms each).
        width = self.scrollable_content_region.width - 1
        self._show("#cost-total", total, _shape(total, width))
        title = Text()
        title.append(f"Savings {format_cost(found.monthly)}/mo", style="bold underline")
        title.append(" (enter: rows)", style="dim")
        if found.monthly:
            # What a stop or m reaches without losing data (a snapshot kept, a type changed).
            title.append(f"\n{format_cost(found.in_place_monthly)} of it fixable in place")
        self._show("#waste-title", title, _shape(title, width))
        if waste != self._waste:
            self._waste = waste
            options = self.query_one("#waste-list", OptionList)
            highlighted = options.highlighted
            options.clear_options()
            if waste:
                options.add_options(
                    [
                        Option(
                            Text.assemble(
                                safe(line.label), f" ({line.count})\n", ("  save ", "dim"), line.saving_text()
                            )
                        )
                        for line in waste
                    ]
                )
                options.highlighted = 0 if highlighted is None else min(highlighted, len(waste) - 1)
            else:
                options.add_option(Option(Text("no waste found", style="dim"), disabled=True))
        kinds = _breakdown("By kind", dict(summary.by_kind))
        self._show("#cost-kinds", kinds, kinds.row_count)
        regions = _breakdown("By region", dict(summary.by_region))
        self._show("#cost-regions", regions, regions.row_count)
        top = Table.grid(padding=(0, 1), expand=True)
        top.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        top.add_column(justify="right", no_wrap=True)
        top.add_row(Text("Top 10", style="bold underline"))
        for resource in summary.top(10):
            top.add_row(safe(resource.name or resource.id), Text(format_cost(resource.monthly_cost)))
        self._show("#cost-top", top, top.row_count)

    def _show(self, selector: str, renderable: Text | Table, shape: object) -> None:
        """Update one figure; the screen is laid out again only when its height may change.

        A layout pass measures every widget of the screen (the rich tables here by rendering
        them): 50-100 ms a time during a scan of many accounts, once a second, when only the
        figures changed.  A grid's rows never wrap (one line each) and a text's lines keep
        their wrapping while their lengths stay the same, so the same ``shape`` is the same
        height.
        """
        layout = self._shapes.get(selector) != shape
        self._shapes[selector] = shape
        self.query_one(selector, Static).update(renderable, layout=layout)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._waste):
            self.post_message(self.WasteSelected(self._waste[event.option_index]))
