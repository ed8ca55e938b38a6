"""``z``, first step: which off-hours schedule, in which time zone.

A preset (office hours, nights off, weekends off) or custom days and times, and an IANA zone
(the config's ``offhours_timezone``, else the machine's).  The line under the choices shows the
schedule as it will be written (the tag value) and the hours a month it runs, or what is wrong
with what was typed; Next is enabled only for a schedule that can be.  The confirm dialog comes
next and lists what will be created in the account.  It fits 80x24: every control is one line.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from tracker_tui.offhours import HOURS_PER_MONTH, PRESETS, OffHours, ScheduleError, custom, preset, zone_names
from tracker_tui.ui.text import safe

CUSTOM = "custom"


def _preset_label(name: str, words: str) -> str:
    return f"{name.replace('-', ' '):<13} {words}"


class SchedulePicker(ModalScreen[OffHours | None]):
    """Returns the chosen ``OffHours``, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="schedule.cancel"),
        # Before the radio set and the inputs take it: enter picks the highlighted schedule and goes on.
        Binding("enter", "next", "Next", show=False, priority=True, id="schedule.next"),
    ]

    DEFAULT_CSS = """
    SchedulePicker { align: center middle; }
    SchedulePicker #schedule-dialog {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    SchedulePicker #schedule-title { text-style: bold; }
    SchedulePicker RadioSet { width: 100%; }
    SchedulePicker .schedule-line { height: 1; margin-top: 1; }
    SchedulePicker .schedule-line Label { padding-right: 1; }
    SchedulePicker #schedule-days { width: 16; }
    SchedulePicker #schedule-start, SchedulePicker #schedule-stop { width: 9; }
    SchedulePicker #schedule-zone { width: 1fr; }
    SchedulePicker Input { background: $boost; }
    SchedulePicker #schedule-hint { color: $text-muted; }
    SchedulePicker #schedule-preview { height: auto; margin-top: 1; }
    SchedulePicker #schedule-preview.-error { color: $error; }
    SchedulePicker #schedule-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    SchedulePicker Button { margin-left: 1; }
    """

    def __init__(self, rows: int, zone: str) -> None:
        super().__init__()
        self.rows = rows
        self.zone = zone
        self.chosen: OffHours | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="schedule-dialog"):
            yield Static(
                f"Off-hours for {self.rows} row{'s' if self.rows != 1 else ''}: "
                "EventBridge Scheduler stops and starts them",
                id="schedule-title",
            )
            yield Static("↑↓ a schedule · tab the fields · enter next · escape cancel", id="schedule-hint")
            with RadioSet(id="schedule-presets", compact=True):
                for index, (name, _, _, _, words) in enumerate(PRESETS):
                    yield RadioButton(_preset_label(name, words), value=index == 0, name=name, compact=True)
                yield RadioButton(_preset_label(CUSTOM, "the days and times below"), name=CUSTOM, compact=True)
            with Horizontal(classes="schedule-line"):
                yield Label("days")
                yield Input("MON-FRI", id="schedule-days", compact=True)
                yield Label(" start")
                yield Input("08:00", id="schedule-start", compact=True)
                yield Label(" stop")
                yield Input("19:00", id="schedule-stop", compact=True)
            with Horizontal(classes="schedule-line"):
                yield Label("time zone")
                yield Input(
                    self.zone,
                    id="schedule-zone",
                    compact=True,
                    suggester=SuggestFromList(zone_names(), case_sensitive=False),
                )
            yield Static("", id="schedule-preview")
            with Horizontal(id="schedule-buttons"):
                yield Button("Cancel", id="schedule-cancel", compact=True)
                yield Button("Next", id="schedule-next", variant="warning", compact=True)

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()
        self._update()

    def _picked(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return str(pressed.name) if pressed is not None and pressed.name else PRESETS[0][0]

    def _value(self, ident: str) -> str:
        return self.query_one(f"#schedule-{ident}", Input).value

    def _build(self) -> OffHours:
        zone = self._value("zone").strip()
        name = self._picked()
        if name == CUSTOM:
            return custom(self._value("days"), self._value("start"), self._value("stop"), zone)
        return preset(name, zone)

    def _update(self) -> None:
        preview = self.query_one("#schedule-preview", Static)
        try:
            chosen = self._build()
        except ScheduleError as exc:
            self.chosen = None
            preview.update(safe(str(exc)))
        else:
            self.chosen = chosen
            hours = chosen.monthly_hours()
            stop, start = chosen.crons()
            preview.update(
                Text.assemble(
                    safe(chosen.text, "bold"),
                    f"\nruns {hours:g} of {HOURS_PER_MONTH:g} h/month ({hours / HOURS_PER_MONTH:.0%}); ",
                    safe(f"stop {stop}, start {start}"),
                )
            )
        preview.set_class(self.chosen is None, "-error")
        self.query_one("#schedule-next", Button).disabled = self.chosen is None
        custom_on = self._picked() == CUSTOM
        for ident in ("days", "start", "stop"):
            self.query_one(f"#schedule-{ident}", Input).disabled = not custom_on

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._update()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._update()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "schedule-next":
            self._next()
        else:
            self.dismiss(None)

    def _next(self) -> None:
        self._update()
        if self.chosen is not None:
            self.dismiss(self.chosen)

    def action_next(self) -> None:
        """enter: on a button, press it; on the schedules, take the highlighted one and go on (to
        the days for a custom one); in a field, go on."""
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
        elif isinstance(focused, RadioSet):
            focused.action_toggle_button()
            self.call_after_refresh(self._picked_with_enter)
        else:
            self._next()

    def _picked_with_enter(self) -> None:
        if self._picked() == CUSTOM:
            self.query_one("#schedule-days", Input).focus()
        else:
            self._next()

    def action_cancel(self) -> None:
        self.dismiss(None)
