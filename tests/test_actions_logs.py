"""The log group handlers of aws/actions/logs.py against moto: deleted, its tags read first, deletion
protection (a protected tag) refused; ``m`` sets the config's retention on a group with none
(PutRetentionPolicy), verified and repriced, and refuses a group that has one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support import helpers
from tests.support.actions import act, statuses
from tests.support.helpers import actions_done, filter_rows, scan_done, wait_until
from tests.support.rails.base import ACCOUNT, scanned
from tracker_tui.aws.actions import ActionOptions, Status, needs_typed_name, plan
from tracker_tui.aws.kinds import price_resources, resolve_kinds
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource
from tracker_tui.config import DEFAULT_LOG_RETENTION_DAYS, LOG_RETENTION_DAYS, Settings, load_settings
from tracker_tui.findings import local_findings
from tracker_tui.model import Resource
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

# --- helpers -----------------------------------------------------------------------------

NO_RETENTION = "no-retention"
#: What moto's groups are made to store (moto answers storedBytes 0): 10 GiB, priced.
STORED = 10 * 1024**3


def _storing(session: AwsSession, stored: int = STORED) -> None:
    """Every DescribeLogGroups answer says each group stores ``stored`` bytes (moto says 0)."""

    def fill(parsed: dict[str, Any], **_: Any) -> None:
        for group in parsed.get("logGroups", []):
            group["storedBytes"] = stored

    session.client("logs", "us-east-1").meta.events.register("after-call.cloudwatch-logs.DescribeLogGroups", fill)


def _retention(logs: Any, name: str) -> int | None:
    (group,) = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    return group.get("retentionInDays")


def _finding(row: Resource) -> Any:
    return next((f for f in row.findings if f.id == NO_RETENTION), None)


# --- log groups ----------------------------------------------------------------------------


def test_delete_log_group(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/app/old")
        logs.create_log_group(logGroupName="/app/old-but-kept")
        row = scanned(session, "logs:log-group")["/app/old"]

        (done,), _ = act(session, audit, [row], "delete")

        names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert names == ["/app/old-but-kept"]
    assert (done.status, done.deleted) == (Status.DONE, True)


def test_log_group_tags_are_read_before_deleting(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/audit/trail", tags={"protected": "true"})
        row = scanned(session, "logs:log-group")["/audit/trail"]
        assert row.tags == {}  # the scan does not list log group tags

        (refused,), _ = act(session, audit, [row], "delete")

        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/audit/trail"]
    assert refused.message == "tag protected is set"


def test_log_group_deletion_protection_refuses(audit: AuditLog) -> None:
    # moto 5.2 has no PutLogGroupDeletionProtection: the flag is added to DescribeLogGroups' answer.
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/audit/trail")
        row = scanned(session, "logs:log-group")["/audit/trail"]

        def protected(parsed: dict[str, Any], **_: Any) -> None:
            for group in parsed.get("logGroups", []):
                group["deletionProtectionEnabled"] = True

        logs.meta.events.register("after-call.cloudwatch-logs.DescribeLogGroups", protected)

        (refused,), _ = act(session, audit, [row], "delete")

        logs.meta.events.unregister("after-call.cloudwatch-logs.DescribeLogGroups", protected)
        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/audit/trail"]
    assert refused.message == (
        "deletion protection is on (deletionProtectionEnabled); tracker-tui never switches it off"
    )


# --- m: a retention where there is none ------------------------------------------------------


@pytest.mark.parametrize("days", [DEFAULT_LOG_RETENTION_DAYS, 30])
def test_modify_sets_the_configs_retention_verifies_it_and_reprices_the_row(audit: AuditLog, days: int) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _storing(session)
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/app/chatty")
        logs.create_log_group(logGroupName="/app/chatty-too")
        row = scanned(session, "logs:log-group")["/app/chatty"]
        finding = _finding(row)
        assert row.state == NO_RETENTION and finding is not None
        assert row.monthly_cost and finding.monthly_saving == row.monthly_cost

        finals, seen = act(session, audit, [row], "modify", log_retention_days=days)

        after = _retention(logs, "/app/chatty")
        untouched = _retention(logs, "/app/chatty-too")
    assert statuses(seen, "/app/chatty") == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert (done.status, done.action, done.deleted) == (Status.DONE, "modify", False)
    assert done.message == f"retention set to {days} days"
    assert (after, untouched) == (days, None)  # only the row acted on
    # The row as re-read: its retention, repriced, the finding gone (it stores as much until AWS deletes).
    fresh = done.result
    assert fresh is not None and fresh.id == row.id
    assert (fresh.state, fresh.details["retention_days"], fresh.details["retention"]) == (
        f"retain-{days}d",
        days,
        f"{days} days",
    )
    assert fresh.cost_basis and fresh.monthly_cost == row.monthly_cost
    assert _finding(fresh) is None
    lines = audit.tail(10)
    assert [(line["phase"], line["operation"]) for line in lines] == [
        ("before", "PutRetentionPolicy"),
        ("after", "PutRetentionPolicy"),
    ]
    assert lines[0]["params"] == {"logGroupName": "/app/chatty", "retentionInDays": days}
    assert done.request_id and done.request_id == lines[-1]["request_id"]


def test_a_group_given_a_retention_since_the_scan_is_refused_and_keeps_it(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/app/chatty")
        row = scanned(session, "logs:log-group")["/app/chatty"]
        assert row.state == NO_RETENTION
        logs.put_retention_policy(logGroupName="/app/chatty", retentionInDays=7)

        (refused,), _ = act(session, audit, [row], "modify")

        assert _retention(logs, "/app/chatty") == 7
    assert (refused.status, refused.message) == (
        Status.REFUSED,
        "it has a retention already (7 days, retentionInDays); tracker-tui sets one only where there is none",
    )
    assert audit.tail(10) == []


def test_a_protected_log_group_is_refused_before_its_retention_is_read(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/audit/trail", tags={"Do-Not-Delete": "yes"})
        row = scanned(session, "logs:log-group")["/audit/trail"]
        assert row.tags == {}  # the scan does not list log group tags: the handler reads them

        (refused,), _ = act(session, audit, [row], "modify")

        assert _retention(logs, "/audit/trail") is None
    assert (refused.status, refused.message) == (Status.REFUSED, "tag Do-Not-Delete is set")
    assert audit.tail(10) == []


def test_a_retention_aws_does_not_accept_is_refused_without_a_call(audit: AuditLog) -> None:
    """The config file keeps a bad value out; options built by other code are held to it too."""
    with mock_aws():
        session = helpers.moto_session()
        logs = session.client("logs", "us-east-1")
        logs.create_log_group(logGroupName="/app/chatty")
        row = scanned(session, "logs:log-group")["/app/chatty"]

        (refused,), _ = act(session, audit, [row], "modify", log_retention_days=42)

        assert _retention(logs, "/app/chatty") is None
    assert (refused.status, refused.message) == (
        Status.REFUSED,
        "log_retention_days 42 is not a retention CloudWatch Logs accepts",
    )
    assert audit.tail(10) == []


# --- what the dialog says ---------------------------------------------------------------------


def _group(stored: int | None, retention: int | None = None) -> Resource:
    details: dict[str, Any] = {"stored_bytes": stored, "retention_days": retention}
    row = Resource(kind="logs:log-group", id="/app/chatty", account_id=ACCOUNT, region="us-east-1", details=details)
    return local_findings(price_resources([row]))[0]


def test_the_dialog_says_events_are_deleted_for_good_and_what_the_finding_saves() -> None:
    row = _group(STORED)
    finding = _finding(row)
    assert finding is not None and finding.monthly_saving

    (planned,) = plan([row], "modify", ActionOptions(log_retention_days=30))

    assert (planned.action, planned.saving) == ("modify", finding.monthly_saving)
    assert planned.note == (
        "retention 30 days: AWS then deletes events older than 30 days, now and from then on; "
        f"this cannot be undone; saves up to ${finding.monthly_saving:,.2f}/mo (what it stores today)"
    )
    # Events are deleted: even one row is confirmed with the account's name typed.
    assert needs_typed_name([planned])


def test_the_dialog_says_a_group_with_a_retention_will_be_refused() -> None:
    (planned,) = plan([_group(STORED, retention=14)], "modify")

    assert (planned.action, planned.saving) == ("modify", 0.0)
    assert planned.note == (
        "it has a retention already (14 days): only a group with none is changed (it will be refused)"
    )


def test_the_dialog_says_when_the_saving_is_unknown() -> None:
    (planned,) = plan([_group(None)], "modify")

    assert planned.saving is None
    assert planned.note.endswith("this cannot be undone; saves an unknown amount (its stored bytes are unknown)")
    assert planned.note.startswith(f"retention {DEFAULT_LOG_RETENTION_DAYS} days: ")


# --- the config file ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["42", "0", "true", '"90"', "90.0", "3654"])
def test_a_retention_aws_does_not_take_is_reported_once_and_the_default_used(tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"log_retention_days = {value}\n")

    settings = load_settings(path)

    assert settings.log_retention_days == DEFAULT_LOG_RETENTION_DAYS == 90
    (warning,) = settings.warnings
    assert warning.startswith(f"config {path}: 'log_retention_days' must be a number of days CloudWatch Logs accepts")
    assert "(1, 3, 5, 7, 14, 30, 60, 90, " in warning and warning.endswith("; using 90")


@pytest.mark.parametrize("days", LOG_RETENTION_DAYS)
def test_every_retention_aws_takes_is_taken(tmp_path: Path, days: int) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"log_retention_days = {days}\n")

    settings = load_settings(path)

    assert (settings.log_retention_days, settings.warnings) == (days, ())


# --- in the app ---------------------------------------------------------------------------------


def run_app(check: Callable[[TrackerApp, Pilot[Any], Any], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName="/app/chatty")

        async def go() -> None:
            session = helpers.moto_session()
            _storing(session)
            source = LiveSource(lambda: session, resolve_kinds(["logs:log-group"]), ["us-east-1"])
            app = TrackerApp(source, monotonic=lambda: 0.0, **kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await filter_rows(pilot, "/app/chatty")
                await check(app, pilot, logs)

        asyncio.run(go())


def test_m_on_a_log_group_needs_the_account_typed_and_sets_the_configs_retention() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], logs: Any) -> None:
        row = app.table.cursor_resource
        assert row is not None and row.id == "/app/chatty" and _finding(row) is not None
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert screen.typed and screen.word == ACCOUNT  # one row, yet typed: events are deleted
        (planned,) = screen.acting
        assert planned.note.startswith("retention 30 days: AWS then deletes events older than 30 days")
        await pilot.press("y")  # not enough: y goes into the box
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActionScreen) and _retention(logs, "/app/chatty") is None
        app.screen.query_one("#confirm-input", Input).value = ""
        await pilot.press(*ACCOUNT, "enter")
        await pilot.pause()
        progress = app.screen
        assert isinstance(progress, ActionProgressScreen)
        await wait_until(pilot, actions_done(app))
        (update,) = progress.latest.values()
        assert update.status is Status.DONE, update.message
        await pilot.press("escape")
        await pilot.pause()

        assert _retention(logs, "/app/chatty") == 30
        after = next(r for r in app.table.resources if r.id == "/app/chatty")
        assert after.state == "retain-30d" and _finding(after) is None
        assert not [line for line in app.costs.waste_lines() if line.finding_id == NO_RETENTION]

    run_app(check, settings=Settings(log_retention_days=30))


def test_m_on_a_log_group_in_read_only_mode_says_so_and_changes_nothing() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], logs: Any) -> None:
        await pilot.press("m")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert _retention(logs, "/app/chatty") is None
        assert AuditLog().tail(10) == []

    run_app(check, read_only=True)
