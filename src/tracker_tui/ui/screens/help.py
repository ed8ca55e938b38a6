"""``?``: the key map and the filter grammar on one page."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracker_tui.ui.keys import APP_KEYS, MAIN_KEYS, help_rows

#: The key table, from the key definitions themselves (the footer and the palette use the
#: same ones): the main view's keys, then the app's.
KEYS = help_rows([*MAIN_KEYS, *APP_KEYS])

#: The filter grammar (``filtering``), by example.
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
            keymap = getattr(self.app, "keymap_in_force", None)
            yield Static(_table(help_rows([*MAIN_KEYS, *APP_KEYS], keymap) if keymap else KEYS, "Keys"))
            yield Static(_table(FILTER, "Filter"))
        yield Footer()
