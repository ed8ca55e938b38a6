"""``i``: the CloudWatch idle checks over the rows in view, after saying what they cost.

AWS bills GetMetricData by the metric, so this dialog comes first: how many rows of which
rule, in how many regions, how many metrics and requests, the estimated cost, and the
thresholds that make a row idle.  ``enter`` (or ``y``) runs them; ``escape`` changes nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tracker_tui.aws.idle import IdlePlan
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import IDLE_DAYS
from tracker_tui.ui.text import safe


def thresholds_text(limits: Thresholds, plan: IdlePlan) -> list[str]:
    """What each check the plan runs calls a finding, as config.toml sets it: one line each."""
    lines = [f"Over the last {limits[IDLE_DAYS]:g} whole days (config.toml sets every bound):"]
    seen: set[str] = set()
    for target in plan.targets:
        for rule in target.rules:
            if rule.id in seen:
                continue
            seen.add(rule.id)
            bounds = "; ".join(_bound(knob, limits) for knob in rule.knobs)
            lines.append(f"{rule.id}: {rule.label}" + (f" ({bounds})" if bounds else ""))
    lines.append('No datapoints is "no data", never idle.')
    return lines


def _bound(knob: Knob, limits: Thresholds) -> str:
    """``the highest daily CPU maximum is under this (%) = 5`` without the rule's name."""
    _, _, what = knob.doc.partition(": ")
    return f"{(what or knob.doc).replace(' this', ' ' + format(limits[knob], ',g'), 1)}"


class IdleCheckScreen(ModalScreen[bool]):
    """True to run the checks, False when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="idle.cancel"),
        Binding("y", "run", "Run", id="idle.run"),
    ]

    DEFAULT_CSS = """
    IdleCheckScreen { align: center middle; }
    IdleCheckScreen > Vertical {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    IdleCheckScreen #idle-title { text-style: bold; }
    /* The buttons stay in view at 80x24: the text scrolls instead. */
    IdleCheckScreen VerticalScroll { height: auto; max-height: 65vh; }
    IdleCheckScreen .idle-text { margin-top: 1; }
    IdleCheckScreen #idle-skipped { color: $text-muted; }
    IdleCheckScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    IdleCheckScreen Button { margin-left: 1; }
    """

    def __init__(self, plan: IdlePlan, limits: Thresholds, *, shown: int) -> None:
        super().__init__()
        self.plan = plan
        self.limits = limits
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("CloudWatch idle checks: AWS bills them", id="idle-title")
            with VerticalScroll():
                yield Static(safe(f"Check {self.plan.describe()}."), id="idle-plan", classes="idle-text")
                skipped = self.plan.skipped
                if skipped:
                    yield Static(
                        f"{skipped:,} of the {self.shown:,} rows in view are not checked (stopped, or a kind "
                        "without metric checks).",
                        id="idle-skipped",
                    )
                first, *rest = thresholds_text(self.limits, self.plan)
                yield Static(safe(first), id="idle-limits", classes="idle-text")
                for line in rest:
                    yield Static(safe(line))
            with Horizontal():
                yield Button("Cancel", id="idle-cancel")
                yield Button("Run the checks", id="idle-run", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#idle-run", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "idle-run")

    def action_run(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
