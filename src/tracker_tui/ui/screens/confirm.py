"""The confirm dialog for stop / terminate / delete / release.

Nothing changes without it.  It names what will happen to what (a table, or a summary by
action, kind and region when there are many), the account, the regions, the estimated
monthly saving, and the rows that will be skipped and why.  Cancel has the focus and
``escape`` cancels.  A single stop confirms with ``y``; every delete, terminate or release
and every action on more than one row needs the account alias (or the 12-digit id when
there is no alias) typed, then ``enter``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from tracker_tui.aws.actions import PlannedAction
from tracker_tui.model import Identity
from tracker_tui.store import format_cost

#: Up to this many rows are listed one by one; more are summarised.
DETAIL_LIMIT = 12

VERB_PAST = {"stop": "stopped", "terminate": "terminated", "delete": "deleted", "release": "released"}


@dataclass(frozen=True)
class Confirmed:
    """What the user agreed to (returned by the dialog)."""

    empty_buckets: bool = False
    rds_final_snapshot: bool = True


def needs_typed_name(planned: list[PlannedAction]) -> bool:
    """Typing the account name is required unless this is a single stop."""
    acting = [p for p in planned if p.action]
    return not (len(acting) == 1 and acting[0].action == "stop")


def confirm_word(identity: Identity) -> str:
    """What must be typed: the alias, or the account id when there is none."""
    return identity.alias or identity.account_id


def _title(planned: list[PlannedAction]) -> str:
    counts = Counter(p.action for p in planned if p.action)
    parts = [f"{action} {n}" for action, n in counts.most_common()]
    return ", ".join(parts).capitalize() if parts else "Nothing to do"


def _detail_table(acting: list[PlannedAction]) -> Table:
    table = Table(show_edge=False, expand=True, pad_edge=False)
    table.add_column("action", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("name / id", overflow="fold")
    table.add_column("region", no_wrap=True)
    table.add_column("saving/mo", justify="right", no_wrap=True)
    for p in acting:
        r = p.resource
        name = r.name if r.name and r.name != r.id else r.id
        if r.name and r.name != r.id:
            name = f"{r.name} ({r.id})"
        if p.note:
            name += f"\n{p.note}"
        table.add_row(p.action or "", r.kind, name, r.region, "?" if p.saving is None else format_cost(p.saving))
    return table


def _summary_table(acting: list[PlannedAction]) -> Table:
    table = Table(show_edge=False, expand=True, pad_edge=False)
    table.add_column("action", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("region", no_wrap=True)
    table.add_column("rows", justify="right")
    table.add_column("saving/mo", justify="right", no_wrap=True)
    groups: dict[tuple[str, str, str], list[PlannedAction]] = {}
    for p in acting:
        groups.setdefault((p.action or "", p.resource.kind, p.resource.region), []).append(p)
    for (action, kind, region), items in sorted(groups.items()):
        known = [p.saving for p in items if p.saving is not None]
        saving = format_cost(sum(known)) + ("" if len(known) == len(items) else " +?")
        table.add_row(action, kind, region, str(len(items)), saving)
    return table


class ConfirmActionScreen(ModalScreen[Confirmed | None]):
    """Returns ``Confirmed`` when the user confirmed, else None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "yes", "Confirm (single stop)", show=False, id="confirm.yes"),
    ]

    DEFAULT_CSS = """
    ConfirmActionScreen { align: center middle; }
    ConfirmActionScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    ConfirmActionScreen.-danger > Vertical { border: thick $error; }
    ConfirmActionScreen #confirm-title { text-style: bold; }
    ConfirmActionScreen #confirm-danger { background: $error; color: $text; text-style: bold; display: none; }
    ConfirmActionScreen.-danger #confirm-danger { display: block; }
    ConfirmActionScreen #confirm-body { height: auto; max-height: 16; }
    ConfirmActionScreen #confirm-error { color: $error; height: auto; }
    ConfirmActionScreen Input { margin: 0; }
    ConfirmActionScreen Horizontal { height: auto; align-horizontal: right; }
    ConfirmActionScreen Button { margin-left: 1; min-width: 10; }
    """

    def __init__(self, planned: list[PlannedAction], identity: Identity, *, danger: bool = False) -> None:
        super().__init__()
        self.planned = planned
        self.identity = identity
        self.danger = danger
        self.acting = [p for p in planned if p.action]
        self.skipped = [p for p in planned if not p.action]
        self.typed = needs_typed_name(planned)
        self.word = confirm_word(identity)

    def compose(self) -> ComposeResult:
        ident = self.identity
        account = f"{ident.account_id} ({ident.alias})" if ident.alias else ident.account_id
        regions = sorted({p.resource.region for p in self.acting})
        known = [p.saving for p in self.acting if p.saving is not None]
        unknown = len(self.acting) - len(known)
        saving = format_cost(sum(known)) + (f" (+ {unknown} unknown)" if unknown else "")
        with Vertical():
            yield Static("⚠ PRODUCTION ACCOUNT: double-check every row", id="confirm-danger")
            yield Static(f"{_title(self.planned)} in account {account}", id="confirm-title")
            yield Static(
                f"regions: {', '.join(regions) or '-'}   estimated saving: {saving}/mo", id="confirm-facts"
            )
            with VerticalScroll(id="confirm-body"):
                if self.acting:
                    table = (
                        _detail_table(self.acting)
                        if len(self.acting) <= DETAIL_LIMIT
                        else _summary_table(self.acting)
                    )
                    yield Static(table, id="confirm-rows")
                if self.skipped:
                    lines = Text(f"{len(self.skipped)} skipped:\n", style="bold")
                    for p in self.skipped[:DETAIL_LIMIT]:
                        lines.append(f"  {p.resource.kind} {p.resource.name or p.resource.id}: {p.skip_reason}\n")
                    if len(self.skipped) > DETAIL_LIMIT:
                        lines.append(f"  … and {len(self.skipped) - DETAIL_LIMIT} more\n")
                    yield Static(lines, id="confirm-skipped")
            if any(p.resource.kind == "s3:bucket" for p in self.acting):
                yield Checkbox("Empty non-empty buckets first (every object version), then delete", id="empty-buckets")
            if any(p.resource.kind == "rds:db-instance" and p.action == "delete" for p in self.acting):
                yield Checkbox("Keep a final snapshot of each deleted database (named above)", True, id="final-snapshot")
            if self.acting and self.typed:
                yield Static(f"Type [b]{self.word}[/b] and press enter to confirm.", id="confirm-prompt")
                yield Input(placeholder=self.word, id="confirm-input", select_on_focus=False)
            elif self.acting:
                yield Static("Press [b]y[/b] to confirm, escape to cancel.", id="confirm-prompt")
            yield Static("", id="confirm-error")
            with Horizontal():
                yield Button("Cancel", id="confirm-cancel", variant="primary")

    def on_mount(self) -> None:
        self.set_class(self.danger, "-danger")
        self.query_one("#confirm-cancel", Button).focus()

    def _result(self) -> Confirmed:
        empty = self.query("#empty-buckets")
        snapshot = self.query("#final-snapshot")
        return Confirmed(
            empty_buckets=bool(empty and empty.first(Checkbox).value),
            rds_final_snapshot=bool(snapshot.first(Checkbox).value) if snapshot else True,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_yes(self) -> None:
        if self.acting and not self.typed:
            self.dismiss(self._result())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm-cancel":
            self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        # Cancel keeps the focus, but typing the name goes straight into the box.  A
        # printable key that reaches the screen did not go into the box (the box stops
        # the keys it takes), so it is added here, in order, and the box gets the focus
        # at once for the rest.
        if self.typed and self.acting and event.is_printable and event.character:
            box = self.query_one("#confirm-input", Input)
            box.insert_text_at_cursor(event.character)
            self.set_focus(box)
            event.stop()
            event.prevent_default()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip() == self.word:
            self.dismiss(self._result())
        else:
            self.query_one("#confirm-error", Static).update(
                f"'{event.value.strip()}' is not '{self.word}': nothing was done"
            )
