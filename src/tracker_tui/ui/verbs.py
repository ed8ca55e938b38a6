"""The verbs the main view forwards: rescan, the actions, the idle checks, and the views and
pickers that need the scan (coverage, changes, the bill, profile, regions).

Each asks first (a dialog, with what will happen and what it costs), then starts a headless
run (``tracker_tui.runs``) through the app (``Host.watch_*``), which applies what the run
reports on its one timer.  Refusals are one toast that says why.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.screen import Screen

from tracker_tui.aws.actions import ActionOptions, ActionRunner, PlannedAction, Verb, describe_skipped, plan
from tracker_tui.aws.actions.offhours import creations
from tracker_tui.aws.bill import KindTotals
from tracker_tui.aws.idle import IdlePlan, plan_checks
from tracker_tui.aws.kinds import Thresholds
from tracker_tui.aws.scan import merge_accounts
from tracker_tui.aws.session import AwsSession, available_profiles
from tracker_tui.aws.source import NOT_A_REAL_ACCOUNT, NOT_CONNECTED_REGIONS, NoSession, SourceError
from tracker_tui.config import Settings
from tracker_tui.costs import CostSummary
from tracker_tui.model import Identity, Resource, plural
from tracker_tui.offhours import OffHours, local_zone
from tracker_tui.runs import ActionRun, IdleRun
from tracker_tui.store import AuditLog
from tracker_tui.ui.host import Host
from tracker_tui.ui.screens.bill import BillScreen
from tracker_tui.ui.screens.changes import ChangesScreen
from tracker_tui.ui.screens.confirm import ConfirmActionScreen, Confirmed
from tracker_tui.ui.screens.coverage import CoverageScreen
from tracker_tui.ui.screens.idle import IdleCheckScreen
from tracker_tui.ui.screens.pickers import ProfilePicker, RegionPicker
from tracker_tui.ui.screens.progress import ActionProgressScreen
from tracker_tui.ui.screens.schedule import SchedulePicker


def read_only_reason(flag: bool, settings: Settings) -> str:
    """Why actions are refused ("" when they are not): ``--read-only`` or the config's ``read_only``."""
    if flag:
        return "read-only mode (--read-only): actions are disabled"
    if settings.read_only:
        return "read-only mode (read_only = true in the config file): actions are disabled"
    return ""


def selection(host: Host) -> list[Resource]:
    """What an action applies to: the marked rows, or else the cursor row."""
    table = host.table
    marked = table.marked
    if marked:
        return marked
    cursor = table.cursor_resource
    return [cursor] if cursor is not None else []


class Verbs:
    """The main view's verbs, asked of ``screen`` (dialogs, toasts) and done through ``host``."""

    def __init__(self, screen: Screen[Any], host: Host) -> None:
        self.screen = screen
        self.host = host

    def _notify(self, message: str, **kwargs: Any) -> None:
        self.screen.app.notify(message, **kwargs)

    # --- scans ------------------------------------------------------------------------------

    def rescan(self) -> None:
        if self.host.scan.source is None:
            self._notify("This is a saved inventory: nothing to rescan.", severity="warning")
            return
        self.host.start_scan()

    def identity_of(self, account_id: str) -> Identity:
        scan = self.host.scan
        for identity in scan.identities():
            if identity.account_id == account_id:
                return identity
        assert scan.connection is not None
        return scan.connection.identity

    # --- actions ------------------------------------------------------------------------------

    def _acting_rows(self) -> list[Resource] | None:
        """The rows an action would take, or None after saying why none can be acted on."""
        host = self.host
        source, connection = host.scan.source, host.scan.connection
        if host.read_only_reason:
            self._notify(host.read_only_reason, title="Read-only", severity="warning")
            return None
        if source is None or connection is None:
            why = "a saved inventory has no account to act on" if source is None else "still connecting"
            self._notify(f"Nothing can be changed: {why}.", severity="warning")
            return None
        rows = selection(host)
        if not rows:
            self._notify("No row under the cursor and nothing marked.", severity="warning")
            return None
        return rows

    def request_schedule(self) -> None:
        """``z``: pick a schedule for the marked rows (or the cursor row), then confirm as any action."""
        rows = self._acting_rows()
        if rows is None:
            return
        planned = plan(rows, "schedule", self._options())
        if not any(p.action for p in planned):
            self._notify(f"Nothing to schedule: {describe_skipped(planned)}", severity="warning", timeout=8)
            return
        zone = self.host.settings.offhours_timezone or local_zone()
        picker = SchedulePicker(sum(1 for p in planned if p.action), zone)
        self.screen.app.push_screen(picker, partial(self._schedule_picked, rows))

    def _schedule_picked(self, rows: list[Resource], schedule: OffHours | None) -> None:
        if schedule is None:
            self._notify("Cancelled: nothing was scheduled.")
            return
        self.request_action("schedule", rows=rows, schedule=schedule)

    def request_action(
        self, verb: Verb, *, rows: list[Resource] | None = None, schedule: OffHours | None = None
    ) -> None:
        """Plan ``verb`` for the marked rows (or the cursor row) and ask for confirmation."""
        host = self.host
        source, connection = host.scan.source, host.scan.connection
        rows = rows if rows is not None else self._acting_rows()
        if rows is None or source is None or connection is None:
            return
        accounts = sorted({r.account_id for r in rows})
        if len(accounts) > 1:
            self._notify(
                f"The rows belong to {len(accounts)} accounts ({', '.join(accounts)}); "
                "act on one account at a time (filter with account:ID).",
                severity="error",
                timeout=10,
            )
            return
        identity = self.identity_of(accounts[0] if accounts else "")
        try:
            session = source.session_for(identity.account_id)
        except NoSession as exc:
            self._notify(f"Nothing can be changed: {exc}.", severity="error")
            return
        planned = plan(rows, verb, self._options(schedule=schedule))
        if not any(p.action for p in planned):
            self._notify(f"Nothing to {verb}: {describe_skipped(planned)}", severity="warning", timeout=8)
            return
        danger = host.settings.is_dangerous(identity.alias, connection.profile)
        creates = creations(planned, schedule, identity.account_id) if schedule is not None else []
        shown = {r.key for r in host.table.visible_resources}
        hidden = sum(1 for r in rows if r.key not in shown)
        dialog = ConfirmActionScreen(planned, identity, danger=danger, creates=creates, hidden=hidden)
        self.screen.app.push_screen(dialog, partial(self._confirmed, planned, session, identity, schedule))

    def _options(self, confirmed: Confirmed | None = None, schedule: OffHours | None = None) -> ActionOptions:
        settings = self.host.settings
        options = ActionOptions(
            protected_tags=tuple(settings.protected_tags),
            log_retention_days=settings.log_retention_days,
            noncurrent_days=settings.noncurrent_days,
            schedule=schedule,
        )
        return confirmed.apply(options) if confirmed is not None else options

    def _confirmed(
        self,
        planned: list[PlannedAction],
        session: AwsSession,
        identity: Identity,
        schedule: OffHours | None,
        confirmed: Confirmed | None,
    ) -> None:
        if confirmed is None:
            self._notify("Cancelled: nothing was changed.")
            return
        runner = ActionRunner(session, identity.account_id, self._options(confirmed, schedule), audit=AuditLog())
        # The marks were for this action: kept, a later key on another view (a jump to
        # :schedules, then ctrl+d) would act on rows the screen no longer shows.
        self.host.table.clear_marks()
        acting = sum(1 for p in planned if p.action)
        progress = ActionProgressScreen(planned, f"{plural(acting, 'action')} in account {identity.account_id}")
        self.host.watch_actions(ActionRun(runner, planned), progress)

    # --- the idle checks (i) ----------------------------------------------------------------

    def request_idle(self) -> None:
        """Plan the checks for the rows in view and ask (with their cost) before any request."""
        host = self.host
        if host.scan.source is None:
            self._notify("A saved inventory has no AWS session to read CloudWatch with.", severity="warning")
            return
        if host.idle is not None:
            self._notify("The idle checks are already running.", severity="warning")
            return
        if host.scan.scanning:
            self._notify("Wait for the scan to finish: the rows in view are still arriving.", severity="warning")
            return
        rows = host.table.visible_resources
        thresholds = host.scan.thresholds  # the app's, from its settings: the scan's own
        checks = plan_checks(rows)
        if not checks.targets:
            self._notify(
                "Nothing here to check: the idle checks read running EC2 instances, available NAT gateways "
                "and available RDS databases (filter to them, or clear the filter).",
                severity="warning",
                timeout=8,
            )
            return
        dialog = IdleCheckScreen(checks, thresholds, shown=len(rows))
        self.screen.app.push_screen(dialog, partial(self._idle_confirmed, checks, thresholds))

    def _idle_confirmed(self, checks: IdlePlan, thresholds: Thresholds, run: bool | None) -> None:
        scan = self.host.scan
        if not run:
            self._notify("Cancelled: no metrics were read.")
            return
        if scan.source is None:
            return
        self.host.watch_idle(IdleRun(checks, scan.source.session_for, thresholds, scan.generation))

    # --- views that need the scan -------------------------------------------------------------

    def show_coverage(self) -> None:
        scan = self.host.scan
        connection = scan.connection
        regions = list(connection.regions) if connection else []
        kinds = list(connection.kinds) if connection else []
        if not kinds:
            kinds = sorted({r.kind for r in self.host.table.resources} | {kind for _, _, kind in scan.results})
        self.screen.app.push_screen(CoverageScreen(merge_accounts(scan.results), regions, kinds))

    def show_changes(self) -> None:
        scan = self.host.scan
        if scan.changes is None:
            self._notify("No earlier scan of this account to compare with (yet).")
            return
        self.screen.app.push_screen(ChangesScreen(scan.changes, scan.changes_since))

    def show_bill(self) -> None:
        """The bill beside the estimate for the view's (first) account; asks before any request."""
        host = self.host
        connection = host.scan.connection
        if connection is None:
            self._notify("Still connecting: the bill needs the account.", severity="warning")
            return
        identity = connection.identity
        accounts = host.scan.identities()
        notes = []
        if len(accounts) > 1:
            notes.append(f"1 of {len(accounts)} accounts")
        if host.scan.scanning:
            notes.append("scan in flight: ours is partial")
        screen = BillScreen(
            host.bills, identity, partial(self.kind_totals, identity.account_id, len(accounts) > 1),
            no_session=host.bills.unavailable(identity.account_id), note=", ".join(notes), now=host.scan.now,
        )  # fmt: skip
        self.screen.app.push_screen(screen)

    def kind_totals(self, account_id: str, several: bool) -> KindTotals:
        """Our run-rate by kind for one account: the cost panels' own, or that account's rows."""
        if not several:
            return self.host.costs
        summary = CostSummary()
        summary.add(r for r in self.host.table.resources if r.account_id == account_id)
        return summary

    # --- profile and region pickers ---------------------------------------------------------

    def pick_profile(self) -> None:
        scan = self.host.scan
        why = scan.source.profile_refusal if scan.source is not None else NOT_A_REAL_ACCOUNT
        if why:
            self._notify(why, severity="warning")
            return
        current = scan.connection.profile if scan.connection else None
        self.screen.app.push_screen(ProfilePicker(available_profiles(), current), self._switch_profile)

    def _switch_profile(self, profile: str | None) -> None:
        scan = self.host.scan
        old = scan.source
        if profile is None or old is None:
            return
        try:
            source = old.switch_profile(profile)
        except SourceError as exc:
            self._notify(str(exc), title="Profile", severity="error", timeout=10)
            return
        scan.switch_source(source)
        self.host.refresh_header()
        self._notify(f"Switched to profile {profile}: rescanning.")
        self.host.start_scan()

    def pick_regions(self) -> None:
        scan = self.host.scan
        source = scan.source
        if source is None or scan.connection is None or source.region_refusal:
            why = source.region_refusal if source is not None else ""
            self._notify(why or NOT_CONNECTED_REGIONS, severity="warning")
            return
        choices = sorted(set(scan.all_regions) | set(scan.connection.regions))
        self.screen.app.push_screen(RegionPicker(choices, list(source.requested_regions)), self._limit_regions)

    def _limit_regions(self, regions: list[str] | None) -> None:
        source = self.host.scan.source
        if regions is None or source is None:
            return
        try:
            source.limit_regions(regions)
        except SourceError as exc:
            self._notify(str(exc), severity="warning")
            return
        self._notify(f"Scanning {', '.join(regions) if regions else 'every enabled region'}.")
        self.host.start_scan()
