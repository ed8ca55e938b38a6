"""The confirm dialog for stop / start / terminate / delete / release / modify.

Nothing changes without it.  It names what will happen to what (a table, or a summary by
action, kind and region when there are many), the account, the regions, the estimated
monthly saving, and the rows that will be skipped and why.  Cancel has the focus and
``escape`` cancels.  A single stop (start, gp2 -> gp3 modify) confirms with ``y``; every
delete, terminate or release and every action on more than one row needs the account alias
(or the 12-digit id when there is no alias) typed, then ``enter``.

It fits any terminal down to 80x24: the header (production banner, action, account,
regions, saving) and the footer (the prompt, the input, Cancel and Confirm) always stay
on screen; only the body between them (rows, notes, skipped rows, options) scrolls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Static

from tracker_tui.aws.actions import (
    ActionOptions,
    Choice,
    PlannedAction,
    choices_for,
    needs_typed_name,
    skipped_by_reason,
)
from tracker_tui.model import Identity, format_cost, format_cost_sum
from tracker_tui.ui.text import safe, visible

#: Up to this many rows are listed one by one; more are summarised.
DETAIL_LIMIT = 12

#: The body never shrinks below this many lines, even on a very short terminal.
MIN_BODY_LINES = 3


@dataclass(frozen=True)
class Confirmed:
    """What the user agreed to (returned by the dialog): each box's value, by the ``Choice``
    an action declared it with (so the answer reaches the handler that reads that choice)."""

    choices: Mapping[Choice, bool] = field(default_factory=dict)

    def apply(self, options: ActionOptions) -> ActionOptions:
        """``options`` with the boxes the user ticked or unticked."""
        return options.choosing(self.choices)


def confirm_word(identity: Identity) -> str:
    """What must be typed: the alias, or the account id when there is none."""
    return identity.alias or identity.account_id


def typed_word_matches(typed: str, word: str) -> bool:
    """The typed text is exactly ``word`` (surrounding spaces aside; case counts; never empty)."""
    return bool(word) and typed.strip() == word


def _title(planned: list[PlannedAction]) -> str:
    counts = Counter(p.action for p in planned if p.action)
    parts = [f"{action} {n}" for action, n in counts.most_common()]
    return ", ".join(parts).capitalize() if parts else "Nothing to do"


def _saving_text(acting: list[PlannedAction]) -> str:
    return format_cost_sum(p.saving for p in acting)


def _row_name(p: PlannedAction) -> Text:
    r = p.resource
    if r.name and r.name != r.id:
        return Text.assemble(safe(r.name), " (", safe(r.id), ")")
    return safe(r.id)


def _detail_table(acting: list[PlannedAction]) -> Table:
    table = Table(show_edge=False, expand=True, pad_edge=False)
    table.add_column("action", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("name / id", overflow="fold", ratio=1)
    table.add_column("region", no_wrap=True)
    table.add_column("saving/mo", justify="right", no_wrap=True)
    for p in acting:
        name = _row_name(p)
        if p.note:
            name.append("\n")
            name.append_text(safe(p.note))
        table.add_row(
            safe(p.action), safe(p.resource.kind), name, safe(p.resource.region), Text(format_cost(p.saving))
        )
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
        table.add_row(
            safe(action),
            safe(kind),
            safe(region),
            Text(str(len(items))),
            Text(format_cost_sum(p.saving for p in items)),
        )
    return table


def _summary_notes(acting: list[PlannedAction]) -> Text | None:
    """What the summary table cannot show per row: each distinct note once, with its count.

    A note naming its own row (an RDS final snapshot) is grouped with its siblings by
    writing the id as ``<id>``.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for p in acting:
        if p.note:
            counts[(p.resource.kind, p.note.replace(p.resource.id, "<id>"))] += 1
    if not counts:
        return None
    text = Text("notes:\n", style="bold")
    for (kind, note), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        text.append_text(Text.assemble(f"  {count} ", safe(kind), ": ", safe(note), "\n"))
    return text


def _creates_text(creates: Sequence[str]) -> Text:
    text = Text("creates in the account:\n", style="bold")
    for line in creates:
        text.append_text(Text.assemble("  • ", safe(line), "\n"))
    return text


def _skipped_text(planned: list[PlannedAction], total: int) -> Text:
    text = Text(f"{total} skipped", style="bold")
    text.append(" (ctrl+l lists every row):\n", style="dim")
    for reason, kinds in skipped_by_reason(planned):
        text.append_text(safe(f"  {reason}: ", style="bold"))
        text.append_text(safe(", ".join(f"{count} {kind}" for kind, count in kinds)))
        text.append("\n")
    return text


class ConfirmActionScreen(ModalScreen[Confirmed | None]):
    """Returns ``Confirmed`` when the user confirmed, else None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "yes", "Confirm (one row, one-key action)", show=False, id="confirm.yes"),
        Binding("ctrl+l", "list_rows", "Every row", show=False, id="confirm.list"),
        Binding("up", "scroll_body(-1)", "Scroll", show=False, id="confirm.up"),
        Binding("down", "scroll_body(1)", "Scroll", show=False, id="confirm.down"),
        Binding("pageup", "scroll_body(-10)", "Scroll", show=False, id="confirm.pageup"),
        Binding("pagedown", "scroll_body(10)", "Scroll", show=False, id="confirm.pagedown"),
    ]

    DEFAULT_CSS = """
    ConfirmActionScreen { align: center middle; }
    ConfirmActionScreen #confirm-dialog {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    ConfirmActionScreen.-danger #confirm-dialog { border: thick $error; }
    ConfirmActionScreen #confirm-title { text-style: bold; }
    ConfirmActionScreen #confirm-danger { background: $error; color: $text; text-style: bold; display: none; }
    ConfirmActionScreen.-danger #confirm-danger { display: block; }
    ConfirmActionScreen #confirm-body { height: auto; border-top: hkey $panel-lighten-2; }
    ConfirmActionScreen #confirm-body > Static { height: auto; }
    ConfirmActionScreen #confirm-prompt { border-top: hkey $panel-lighten-2; }
    ConfirmActionScreen #confirm-error { color: $error; height: auto; }
    ConfirmActionScreen #confirm-error.-empty { display: none; }
    ConfirmActionScreen Input { margin: 0; }
    ConfirmActionScreen #confirm-buttons { height: auto; align-horizontal: right; }
    ConfirmActionScreen Button { margin-left: 1; min-width: 10; }
    """

    def __init__(
        self,
        planned: list[PlannedAction],
        identity: Identity,
        *,
        danger: bool = False,
        creates: Sequence[str] = (),
        hidden: int = 0,
    ) -> None:
        super().__init__()
        #: What the run creates in the account besides acting on the rows (``z``: a role, a
        #: schedule group, the schedules), listed before the rows.
        self.creates = list(creates)
        #: How many of the rows the current filter does not show (marked, then filtered away).
        self.hidden = hidden
        self.planned = planned
        self.identity = identity
        self.danger = danger
        self.acting = [p for p in planned if p.action]
        self.skipped = [p for p in planned if not p.action]
        self.typed = needs_typed_name(planned)
        self.word = confirm_word(identity)
        self.choices = choices_for(planned)

    def compose(self) -> ComposeResult:
        ident = self.identity
        account = f"{ident.account_id} ({ident.alias})" if ident.alias else ident.account_id
        regions = sorted({p.resource.region for p in self.acting})
        facts = f"regions: {', '.join(regions) or '-'}   estimated saving/mo: {_saving_text(self.acting)}"
        if self.skipped:
            facts += f"   {len(self.skipped)} skipped"
        if self.hidden:
            facts += f"\n⚠ {self.hidden} of these rows are marked but hidden by the filter"
        with Vertical(id="confirm-dialog"):
            yield Static("⚠ PRODUCTION ACCOUNT: double-check every row", id="confirm-danger")
            yield Static(safe(f"{_title(self.planned)} in account {account}"), id="confirm-title")
            yield Static(safe(facts), id="confirm-facts")
            with VerticalScroll(id="confirm-body"):
                if self.acting and self.creates:
                    yield Static(_creates_text(self.creates), id="confirm-creates")
                if self.acting:
                    if len(self.acting) <= DETAIL_LIMIT:
                        yield Static(_detail_table(self.acting), id="confirm-rows")
                    else:
                        yield Static(_summary_table(self.acting), id="confirm-rows")
                        notes = _summary_notes(self.acting)
                        if notes is not None:
                            yield Static(notes, id="confirm-notes")
                if self.skipped:
                    yield Static(_skipped_text(self.planned, len(self.skipped)), id="confirm-skipped")
                for choice in self.choices:
                    yield Checkbox(Text(choice.label), choice.default, id=f"choice-{choice.key}", name=choice.key)
            if self.acting and self.typed:
                yield Static(
                    Text.assemble("Type ", safe(self.word, "bold"), " and press enter to confirm; escape cancels."),
                    id="confirm-prompt",
                )
                yield Input(placeholder=visible(self.word), id="confirm-input", select_on_focus=False)
            elif self.acting:
                prompt = Text.assemble("Press ", ("y", "bold"), " to confirm; escape cancels.")
                yield Static(prompt, id="confirm-prompt")
            yield Static("", id="confirm-error", classes="-empty")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="confirm-cancel", variant="primary")
                if self.acting:
                    yield Button("Confirm", id="confirm-ok", variant="error", disabled=self.typed)

    def on_mount(self) -> None:
        self.set_class(self.danger, "-danger")
        self.query_one("#confirm-cancel", Button).focus()

    # --- fitting the terminal ---------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        # The fixed parts' heights are known only after a layout at this size (a long
        # region list or title wraps), so the body is fitted right after it.
        self.call_after_refresh(self._fit_body)

    def _fit_body(self) -> None:
        """Give the scrolling body what the header and footer leave of the screen."""
        dialog = self.query_one("#confirm-dialog", Vertical)
        body = self.query_one("#confirm-body", VerticalScroll)
        fixed = sum(child.outer_size.height for child in dialog.children if child is not body and child.display)
        chrome = dialog.outer_size.height - dialog.content_size.height
        room = self.size.height - chrome - fixed
        # The body's own top border counts in its height.
        lines = max(MIN_BODY_LINES, room)
        if body.styles.max_height is None or body.styles.max_height.value != lines:
            body.styles.max_height = lines

    def action_scroll_body(self, lines: int) -> None:
        self.query_one("#confirm-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    # --- answers ------------------------------------------------------------------------------

    def _result(self) -> Confirmed:
        boxes = {choice.key: choice for choice in self.choices}
        return Confirmed({boxes[box.name]: box.value for box in self.query(Checkbox) if box.name in boxes})

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_yes(self) -> None:
        if self.acting and not self.typed:
            self.dismiss(self._result())

    def action_list_rows(self) -> None:
        self.app.push_screen(PlannedRowsScreen(self.planned))

    def _show_error(self, message: str) -> None:
        error = self.query_one("#confirm-error", Static)
        error.update(safe(message))  # it quotes what was typed, and the alias
        error.set_class(not message, "-empty")
        self.call_after_refresh(self._fit_body)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm-cancel":
            self.dismiss(None)
        elif event.button.id == "confirm-ok":
            if not self.typed:
                self.action_yes()
            else:
                self._submit(self.query_one("#confirm-input", Input).value)

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

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.id == "confirm-input":
            self.query_one("#confirm-ok", Button).disabled = not typed_word_matches(event.value, self.word)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    def _submit(self, typed: str) -> None:
        if typed_word_matches(typed, self.word):
            self.dismiss(self._result())
        elif not typed.strip():
            self._show_error(f"type {self.word} first: nothing was done")
        else:
            self._show_error(f"'{typed.strip()}' is not '{self.word}': nothing was done")


class PlannedRowsScreen(ModalScreen[None]):
    """Every row of a confirm dialog: what will be done to it, or why nothing will.

    The note or reason is the point of this list, so it takes the width the other columns
    leave and wraps; the resource column carries name, kind and region on two lines.
    """

    BINDINGS = [
        Binding("escape", "dismiss_screen", "Back", id="planned.back"),
        Binding("ctrl+l", "dismiss_screen", "Back", show=False, id="planned.back2"),
    ]

    DEFAULT_CSS = """
    PlannedRowsScreen { align: center middle; }
    PlannedRowsScreen #planned-dialog {
        width: 100%; height: 100%; border: thick $warning; background: $surface;
    }
    PlannedRowsScreen #planned-title { height: auto; padding: 0 1; text-style: bold; }
    PlannedRowsScreen DataTable { height: 1fr; }
    """

    #: Widths of the fixed columns, and the width from which the saving column shows.
    ACTION_WIDTH = 9
    RESOURCE_WIDTH = 34
    SAVING_WIDTH = 10
    SAVING_FROM = 100

    def __init__(self, planned: list[PlannedAction]) -> None:
        super().__init__()
        # The skipped rows first: the dialog only summarised them.
        self.planned = [p for p in planned if not p.action] + [p for p in planned if p.action]
        self._built_for = 0

    def compose(self) -> ComposeResult:
        skipped = sum(1 for p in self.planned if not p.action)
        with Vertical(id="planned-dialog"):
            yield Static(
                Text(
                    f"{len(self.planned)} rows: {skipped} skipped (first), {len(self.planned) - skipped} to act on"
                    "   escape: back to the dialog"
                ),
                id="planned-title",
            )
            yield DataTable(id="planned-table", cursor_type="row", zebra_stripes=True)
            yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        self._build(event.size.width)

    def _build(self, width: int) -> None:
        if width == self._built_for:
            return
        self._built_for = width
        table = self.query_one(DataTable)
        table.clear(columns=True)
        with_saving = width >= self.SAVING_FROM
        # Border (2), the cell padding of each column (2 each), the scrollbar (1).
        fixed = self.ACTION_WIDTH + self.RESOURCE_WIDTH + (self.SAVING_WIDTH if with_saving else 0)
        columns = 4 if with_saving else 3
        note_width = max(16, width - 2 - fixed - 2 * columns - 1)
        table.add_column("action", key="action", width=self.ACTION_WIDTH)
        table.add_column("resource", key="resource", width=self.RESOURCE_WIDTH)
        if with_saving:
            table.add_column("saving/mo", key="saving", width=self.SAVING_WIDTH)
        table.add_column("note / why skipped", key="note", width=note_width)
        for p in self.planned:
            r = p.resource
            resource = _row_name(p)
            resource.overflow = "ellipsis"
            resource.no_wrap = True
            resource.append_text(Text.assemble("\n", safe(r.kind), " · ", safe(r.region), style="dim"))
            cells: list[object] = [safe(p.action) if p.action else Text("skip", style="dim"), resource]
            if with_saving:
                cells.append(Text(format_cost(p.saving) if p.action else ""))
            cells.append(safe(p.note if p.action else (p.skip_reason or "")))
            table.add_row(*cells, height=None)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)
