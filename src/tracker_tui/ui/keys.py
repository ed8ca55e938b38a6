"""Every key of the main view and of the app, defined once.

A ``Key`` is a binding plus what the help and the command palette say about it.  The
bindings of ``MainScreen`` and ``TrackerApp`` (and so the footer), the ``?`` screen's key
table and the palette's commands (``ui.commands``) are all generated from ``MAIN_KEYS`` and
``APP_KEYS``.  Keys that a widget or Textual binds (the table's enter and arrows, tab,
ctrl+p) are listed as ``OtherKeys``, so the help shows them in their place.  The order is
the help's; the footer shows the ``show=True`` keys in that order, the main view's first.
tests/test_keys.py checks README's key table and the binding ids against these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding, BindingType

#: How the help (and README) spell a key that Textual names differently.
_DISPLAY = {
    "slash": "/",
    "question_mark": "?",
    "colon": ":",
    "up": "↑",
    "down": "↓",
    "pageup": "pgup",
    "pagedown": "pgdn",
}


def key_display(key: str) -> str:
    """A key as the help shows it: ``slash`` is ``/``, ``ctrl+d`` stays ``ctrl+d``."""
    return _DISPLAY.get(key, key)


@dataclass(frozen=True)
class Key:
    """One key binding, with what the footer, the help and the palette say about it.

    Args:
        key: the Textual key name (``slash``, ``ctrl+d``).
        action: the action it runs, on the screen (or app) that binds it.
        label: the footer's short label (every shown one fits at 80 columns).
        id: the binding id.  A user keymap refers to it: never rename one.
        description: the longer description: the help's line, and the palette's help.
        command: the palette command's title ("" keeps the key out of the palette).
        command_action: what the palette command runs, when not ``action``.
        command_help: the palette's help, for a description that reads wrong out of the
            help screen ("this help"); "" uses the description.
        show: whether the footer shows it.
        priority: handled before the focused widget's own bindings.
    """

    key: str
    action: str
    label: str
    id: str
    description: str
    command: str = ""
    command_action: str = ""
    command_help: str = ""
    show: bool = True
    priority: bool = False

    @property
    def display(self) -> str:
        return key_display(self.key)

    def shown(self, keymap: Mapping[str, str] | None = None) -> str:
        """The key as the help and palette show it once the user's keymap is applied."""
        remapped = (keymap or {}).get(self.id)
        return ", ".join(key_display(k) for k in remapped.split(",")) if remapped else self.display

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.label, show=self.show, priority=self.priority, id=self.id)


@dataclass(frozen=True)
class KeyGroup:
    """Keys that share one line of the help (the sort keys); each is its own binding."""

    keys: tuple[Key, ...]
    description: str


@dataclass(frozen=True)
class OtherKeys:
    """Keys bound elsewhere, listed in the help where they belong.

    Args:
        keys: Textual key names.
        description: the help's line.
        bound_by: who binds them (tests/test_keys.py checks they are live on the main view).
    """

    keys: tuple[str, ...]
    description: str
    bound_by: str


Entry = Key | KeyGroup | OtherKeys


@dataclass(frozen=True)
class Command:
    """One command palette entry made from a ``Key``."""

    title: str
    help: str
    action: str


def keys_of(entries: Iterable[Entry]) -> list[Key]:
    """Every ``Key`` (the sort keys out of their group), in order."""
    out: list[Key] = []
    for entry in entries:
        if isinstance(entry, Key):
            out.append(entry)
        elif isinstance(entry, KeyGroup):
            out.extend(entry.keys)
    return out


def bindings(entries: Iterable[Entry]) -> list[BindingType]:
    """The ``BINDINGS`` of whoever owns ``entries``."""
    return [key.binding() for key in keys_of(entries)]


def help_rows(entries: Iterable[Entry], keymap: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(keys, description) lines of the help screen's key table (with ``keymap`` applied)."""
    rows: list[tuple[str, str]] = []
    for entry in entries:
        if isinstance(entry, Key):
            rows.append((entry.shown(keymap), entry.description))
        elif isinstance(entry, KeyGroup):
            rows.append((" ".join(key.shown(keymap) for key in entry.keys), entry.description))
        else:
            rows.append((" ".join(key_display(key) for key in entry.keys), entry.description))
    return rows


def commands(entries: Iterable[Entry], keymap: Mapping[str, str] | None = None) -> list[Command]:
    """The palette commands of ``entries``: each key that has a command title."""
    return [
        Command(
            key.command,
            key.command_help or f"{key.description[:1].upper()}{key.description[1:]} ({key.shown(keymap)})",
            key.command_action or key.action,
        )
        for key in keys_of(entries)
        if key.command
    ]


#: The sort keys: the column each one sorts by.
SORT_KEYS = {"K": "kind", "N": "name", "I": "id", "R": "region", "S": "state", "C": "cost", "A": "age", "T": "tags"}

#: The main view's keys (``MainScreen``), in the help's order.
MAIN_KEYS: Sequence[Entry] = (
    # Priority: the screen handles "/" before the table sees the keys typed after it, so
    # they already go to the filter (see MainScreen.action_focus_filter).
    Key("slash", "focus_filter", "Filter", "filter", "filter the table; escape leaves the filter",
        command="Filter", priority=True),
    Key("colon", "command_bar", "Jump", "command_bar",
        "jump to a kind (:vol :eks :ec2:instance, any unique prefix) or a view (:cost :grid :audit)",
        command="Jump to a kind or view", show=False),
    Key("space", "toggle_mark", "Mark", "mark", "mark / unmark the row under the cursor"),
    Key("ctrl+a", "mark_all", "Mark all", "mark_all", "mark every row the filter shows; again clears the marks",
        command="Mark all shown rows", show=False),
    Key("escape", "escape", "Clear marks", "escape", "in the table: clear the marks",
        command="Clear marks", command_action="clear_marks", command_help="Unmark every row (escape)", show=False),
    OtherKeys(("enter",), "details of the row: every attribute, tags, cost basis, ARN", "ResourceTable (select)"),
    Key("s", "stop", "Stop", "stop",
        "stop the marked rows (or the cursor row): EC2 instances, RDS databases, SageMaker notebooks; "
        "pause Redshift clusters", command="Stop / pause"),
    Key("u", "start", "Start", "start",
        "start (\"up\") marked stopped rows: EC2, RDS, SageMaker notebooks; resume Redshift",
        command="Start / resume", show=False),
    Key("m", "modify", "Fix", "modify",
        "fix the marked rows (or the cursor row) in place: an instance's or database's type, volumes to "
        "gp3, snapshots to the archive tier, tables to on-demand, a log group's retention, a bucket's "
        "lifecycle rules; confirmed like a stop (a retention or a lifecycle rule, which drop data, with "
        "the alias)",
        command="Fix in place (type, gp3, archive, on-demand, retention, lifecycle)", show=False),
    Key("z", "schedule", "Off-hours", "schedule",
        "schedule off-hours for the marked rows (or the cursor row): EventBridge Scheduler stops and starts "
        "EC2, RDS, SageMaker notebooks and Redshift on a preset or custom schedule in a time zone; "
        "says what it creates first, confirmed with the alias (:schedules lists and removes them)",
        command="Schedule off-hours (EventBridge Scheduler)", show=False),
    Key("i", "check_idle", "Idle", "check_idle",
        "CloudWatch idle checks over the rows in view; says what they will cost first",
        command="CloudWatch idle checks", show=False),
    Key("ctrl+d", "delete", "Delete", "delete",
        "delete / terminate / release the marked rows (or the cursor row); always confirmed",
        command="Delete / terminate / release"),
    # Short footer labels: all of them fit at 80 columns (the help has the long form).
    Key("r", "rescan", "Scan", "rescan", "rescan (cancels a scan in flight); rows found again stay marked",
        command="Rescan"),
    Key("c", "toggle_costs", "Cost", "costs",
        "show / hide the cost panels (total, by kind, by region, top 10, savings)",
        command="Cost panels"),
    OtherKeys(("tab",), "move focus to the Savings list; enter on a line filters the table to its rows",
              "Screen (app.focus_next)"),
    Key("g", "coverage", "Grid", "coverage", "coverage grid: region x kind, how each cell ended",
        command="Coverage grid"),
    Key("e", "export", "Export", "export", "export the filtered view to JSON or CSV", command="Export"),
    Key("p", "pick_profile", "Profile", "pick_profile", "switch AWS profile and rescan",
        command="Switch profile", show=False),
    Key("l", "pick_regions", "Regions", "pick_regions", "limit the scan to some regions and rescan",
        command="Limit regions", show=False),
    Key("d", "changes", "Changes", "changes",
        "changes since the last scan of this account: new, gone, changed, cost delta",
        command="Changes since the last scan", show=False),
    Key("b", "bill", "Bill", "bill",
        "last month's AWS bill per service beside our run-rate; asks first (one Cost Explorer request, $0.01)",
        command="Bill beside the estimate", show=False),
    Key("y", "copy", "Copy", "copy", "copy the cursor row's ARN (its id if it has none); OSC 52, so it works over SSH",
        command="Copy ARN", show=False),
    Key("Y", "copy_marked", "Copy ids", "copy_marked", "copy the marked rows' ids, one per line, in table order",
        command="Copy marked ids", show=False),
    Key("o", "console", "Console", "console", "the cursor row's AWS console link (a link the terminal opens; y copies)",
        command="AWS console link", show=False),
    KeyGroup(
        tuple(
            Key(key, f"sort('{column}')", f"Sort by {column}", f"sort_{column}",
                f"sort the table by {column}; again reverses", command=f"Sort by {column}", show=False)
            for key, column in SORT_KEYS.items()
        ),
        "sort by kind, name, id, region, state, cost, age, tags (again: reverse)",
    ),
    OtherKeys(("up", "down", "pageup", "pagedown", "home", "end"), "move the cursor", "ResourceTable"),
)

#: The app's own keys (``TrackerApp``), on every screen; the help lists them last.
APP_KEYS: Sequence[Entry] = (
    Key("question_mark", "help", "Help", "help", "this help",
        command="Keys and filter help", command_help="Show the key map and filter grammar (?)"),
    OtherKeys(("ctrl+p",), "command palette (every command by name)", "App (COMMAND_PALETTE_BINDING)"),
    # Not in the palette: Textual's own "Quit the application" is there already.
    Key("q", "quit", "Quit", "quit", "quit"),
)
