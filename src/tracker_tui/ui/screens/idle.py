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
from tracker_tui.aws.kinds.ec2_instance import IDLE_CPU_AVERAGE, IDLE_CPU_MAX
from tracker_tui.aws.kinds.ec2_nat_gateway import IDLE_NAT_BYTES_OUT
from tracker_tui.aws.kinds.knobs import Thresholds
from tracker_tui.aws.kinds.metric import IDLE_DAYS
from tracker_tui.aws.kinds.rds import IDLE_DB_CONNECTIONS
from tracker_tui.ui.text import safe


def thresholds_text(limits: Thresholds) -> str:
    """What makes a row idle, as config.toml sets it."""
    return (
        f"Idle over {limits[IDLE_DAYS]:g} days of daily datapoints: an instance whose highest daily CPU maximum "
        f"is under {limits[IDLE_CPU_MAX]:g}% and whose average is under {limits[IDLE_CPU_AVERAGE]:g}%; a NAT "
        f"gateway that sent at most {limits[IDLE_NAT_BYTES_OUT]:,.0f} bytes out; a database with at most "
        f"{limits[IDLE_DB_CONNECTIONS]:g} connections. No datapoints is \"no data\", never idle."
    )


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
    IdleCheckScreen VerticalScroll { height: auto; max-height: 1fr; }
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
                yield Static(thresholds_text(self.limits), id="idle-limits", classes="idle-text")
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
