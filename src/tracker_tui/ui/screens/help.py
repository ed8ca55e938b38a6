"""``?``: the key map and the filter grammar on one page."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

KEYS = [
    ("/", "filter the table; escape leaves the filter"),
    ("space", "mark / unmark the row under the cursor"),
    ("ctrl+a", "mark every row the filter shows; again clears the marks"),
    ("escape", "in the table: clear the marks"),
    ("enter", "details of the row: every attribute, tags, cost basis, ARN"),
    ("s", "stop the marked rows (or the cursor row): EC2 instances, RDS databases"),
    ("ctrl+d", "delete / terminate / release the marked rows (or the cursor row); always confirmed"),
    ("r", "rescan (cancels a scan in flight)"),
    ("c", "show / hide the cost panels (total, by kind, by region, top 10, waste)"),
    ("tab", "move focus to the waste list; enter on a waste line filters the table to it"),
    ("g", "coverage grid: region x kind, how each cell ended"),
    ("e", "export the filtered view to JSON or CSV"),
    ("p", "switch AWS profile and rescan"),
    ("l", "limit the scan to some regions and rescan"),
    ("d", "changes since the last scan of this account: new, gone, changed, cost delta"),
    ("K N I R S C A T", "sort by kind, name, id, region, state, cost, age, tags (again: reverse)"),
    ("↑ ↓ pgup pgdn home end", "move the cursor"),
    ("?", "this help"),
    ("ctrl+p", "command palette (every command by name)"),
    ("q", "quit"),
]

FILTER = [
    ("web", "rows containing 'web' in any column (case-insensitive)"),
    ("kind:ec2", "kind contains ec2 (kind:ec2:volume for one kind)"),
    ("region:eu-", "region contains eu-"),
    ("state:stopped", "state contains stopped"),
    ("tag:env=prod", "tag env equals prod; tag:env = has the tag"),
    ("cost>100  cost<=5", "monthly cost above 100 / at most 5 (unpriced rows never match)"),
    ("!term", "negates any term: !state:running"),
    ('"two words"', "quotes keep spaces together"),
    ("kind:ec2 !state:running", "terms combine with AND"),
]


def _table(rows: list[tuple[str, str]], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, what in rows:
        table.add_row(Text(key), Text(what))
    return table


class HelpScreen(Screen[None]):
    """Keys and filter grammar."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="help.back"),
        Binding("question_mark", "app.pop_screen", "Back", show=False, id="help.back_q"),
        Binding("q", "app.pop_screen", "Back", show=False, id="help.back_quit"),
    ]

    DEFAULT_CSS = """
    HelpScreen VerticalScroll { padding: 0 1; }
    HelpScreen Static { margin-bottom: 1; }
    """

    def __init__(self, read_only_reason: str = "") -> None:
        super().__init__()
        self.read_only_reason = read_only_reason

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(_table(KEYS, "Keys"))
            yield Static(_table(FILTER, "Filter"))
        yield Footer()
