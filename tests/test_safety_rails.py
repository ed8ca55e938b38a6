"""The safety rails, each guarded by a test that fails when the rail is removed.

1. A protected tag (key compared without case) refuses every handler of every kind that has
   an action, and nothing is called: each case has an untagged twin that the same run does
   carry out, so the refusal is the tag's doing.
2. The TUI acts with the config file's ``protected_tags``, not the built-in defaults.
3. A call whose "before" audit line cannot be written is not made, for every service (not
   only EC2, where the dry-run line refuses first).

Each rail runs on every action's cases (tests/support/rails/, one module per action module),
and a test fails when an action has none.  Everything runs in-process against moto
(``mock_aws``); nothing reaches AWS.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.widgets import Input

from tests.support import helpers
from tests.support.helpers import actions_done, scan_done, wait_until
from tests.support.rails import (  # every handler's cases, by action module
    CASES,
    DONE_MESSAGES,
    FAMILIES,
    SERVICES,
    STATE_REFUSALS,
    VERIFIED_BY,
    VERIFY_TIMEOUTS,
    run_case,
)
from tests.support.rails.base import ACCOUNT, FAST, GONE, HARMLESS, REGION, WHERE, scanned, where
from tests.support.rails.ec2 import eip_state, instance_state, make_eip, make_instance, make_volume, volume_state
from tests.support.rails.logs import log_group_state, make_log_group
from tests.support.rails.s3 import bucket_state, make_bucket
from tracker_tui import config
from tracker_tui.aws.actions import ACTION_SPECS, ActionRunner, ActionUpdate, Status, action_for, plan
from tracker_tui.aws.actions.s3 import EMPTY_FIRST
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource
from tracker_tui.history import ScanHistory
from tracker_tui.offhours import SCHEDULE_TAG
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

# --- running one action -----------------------------------------------------------------------


def _phases(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


# --- 0. every action has its cases -------------------------------------------------------------


def test_every_action_spec_has_a_rail_case_beside_its_handlers_module() -> None:
    """An action without a case would pass every rail below untested, with nothing to say so."""
    cases = {
        (module, case.kind, action_for(case.kind, case.verb))
        for module, family in FAMILIES.items()
        for case in family.CASES.values()
    }
    missing = [
        f"{kind} {action} ({spec.handler.__module__}): add a Case to "
        f"tests/support/rails/{spec.handler.__module__.rsplit('.', 1)[-1]}.py"
        for (kind, action), spec in ACTION_SPECS.items()
        if (spec.handler.__module__.rsplit(".", 1)[-1], kind, action) not in cases
    ]
    assert missing == []


def test_every_case_is_an_action_and_has_what_every_rail_needs() -> None:
    for name, case in CASES.items():
        assert (case.kind, action_for(case.kind, case.verb)) in ACTION_SPECS, name
        assert name in DONE_MESSAGES and name in VERIFIED_BY, name


def test_every_box_left_alone_keeps_what_cannot_be_brought_back() -> None:
    """Untouched, a delete keeps a final snapshot and a backup, snapshots a volume first, empties
    no bucket and keeps an image's snapshots; the rails above run with these defaults (their
    DONE_MESSAGES say so)."""
    defaults = {choice.key: choice.default for spec in ACTION_SPECS.values() for choice in spec.choices}
    assert defaults == {
        "rds_final_snapshot": True,
        "dynamodb_backup": True,
        "empty_buckets": False,
        "delete_image_snapshots": False,
        "snapshot-first": True,
        "scheduler_delete_role": False,
    }


# --- 1. protected tags, in every handler ------------------------------------------------------

PROTECTIONS = [
    # (the tag on the resource, the configured protected_tags): keys differ in case both ways.
    pytest.param("Do-Not-Delete", ("do-not-delete",), id="Do-Not-Delete-vs-do-not-delete"),
    pytest.param("keep-me", ("Keep-Me",), id="keep-me-vs-Keep-Me"),
]


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(("tag", "protected"), PROTECTIONS)
def test_a_protected_tag_in_any_case_refuses_and_nothing_is_called(
    audit: AuditLog, name: str, tag: str, protected: tuple[str, ...]
) -> None:
    case = CASES[name]
    with mock_aws():
        outcome = run_case(case, {**HARMLESS, tag: "yes"}, audit, protected_tags=protected)

    assert (outcome.final.status, outcome.final.message) == (Status.REFUSED, f"tag {tag} is set")
    assert outcome.statuses == [Status.REQUESTED, Status.IN_PROGRESS, Status.REFUSED]
    assert outcome.final.request_id == "" and not outcome.final.deleted
    assert outcome.state == case.before  # unchanged in moto
    # The tag is checked before the EC2 dry run too: not a single line, so no call was made.
    assert audit.tail(100) == []


@pytest.mark.parametrize("name", list(CASES))
def test_the_untagged_twin_is_carried_out(audit: AuditLog, name: str) -> None:
    """The same resource, run and options without the protected tag: done, so the tag is what refuses."""
    case = CASES[name]
    with mock_aws():
        outcome = run_case(case, dict(HARMLESS), audit, protected_tags=("do-not-delete", "Keep-Me"))

    assert outcome.final.status is Status.DONE, outcome.final.message
    assert outcome.state == case.after
    assert _phases(audit) == list(case.calls)


@pytest.fixture
def far_region() -> Iterator[str]:
    """The cases' resources in eu-west-1, while the session's home region stays us-east-1."""
    WHERE.append("eu-west-1")
    try:
        yield "eu-west-1"
    finally:
        WHERE.pop()


@pytest.mark.parametrize("name", list(CASES))
def test_every_handler_acts_in_the_rows_own_region(audit: AuditLog, far_region: str, name: str) -> None:
    """A handler that asked for its client in the home region would find nothing to act on there."""
    case = CASES[name]
    with mock_aws():
        outcome = run_case(case, dict(HARMLESS), audit)

    assert outcome.final.status is Status.DONE, outcome.final.message
    assert outcome.state == case.after
    lines = audit.tail(100)
    assert lines and {line["region"] for line in lines} == {far_region}


# --- 3. no call without its audit line, for every service -------------------------------------


def _unwritable_log(tmp_path: Path) -> AuditLog:
    """A log whose directory is a regular file: every write fails, even as root."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the audit log's directory should be")
    return AuditLog(blocker / "audit.jsonl")


@pytest.mark.parametrize("name", list(CASES))
def test_an_unwritable_audit_log_blocks_the_call(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    audit = _unwritable_log(tmp_path)
    with mock_aws():
        outcome = run_case(case, {}, audit)

    assert (outcome.final.status, outcome.final.code) == (Status.REFUSED, "AuditLogUnwritable")
    assert outcome.final.message.startswith("cannot write the audit log (")
    assert outcome.final.message.endswith("); nothing was called")
    assert outcome.state == case.before
    assert not audit.path.exists()


@pytest.mark.parametrize("name", list(CASES))
def test_a_before_line_that_cannot_be_written_blocks_the_call(
    audit: AuditLog, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Only the real call's "before" line fails: EC2's DryRun lines are written, the real call is not made."""
    case = CASES[name]
    record = AuditLog.record

    def no_before(self: AuditLog, **fields: Any) -> None:
        if fields.get("phase") == "before" and not (fields.get("params") or {}).get("DryRun"):
            raise OSError(28, "No space left on device")
        record(self, **fields)

    monkeypatch.setattr(AuditLog, "record", no_before)
    with mock_aws():
        outcome = run_case(case, {}, audit)

    if name == "nat-delete":
        # moto carries DeleteNatGateway out on the DryRun itself (real AWS answers
        # DryRunOperation): the change is on record, before and after, and reported as done.
        assert outcome.final.status is Status.DONE
        assert _phases(audit) == [("before", "DeleteNatGateway"), ("after", "DeleteNatGateway")]
        return
    assert (outcome.final.status, outcome.final.code) == (Status.REFUSED, "AuditLogUnwritable")
    assert (
        outcome.final.message == "cannot write the audit log ([Errno 28] No space left on device); nothing was called"
    )
    assert outcome.state == case.before
    assert _phases(audit) == (list(case.calls[:2]) if case.ec2 else [])


@pytest.mark.parametrize("name", [name for name in CASES if CASES[name].ec2])
def test_a_dry_run_whose_before_line_cannot_be_written_is_not_sent(
    audit: AuditLog, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """An endpoint may ignore DryRun and act (moto does for DeleteNatGateway): no line, no DryRun either."""
    case = CASES[name]
    sent: list[tuple[str, dict[str, Any]]] = []

    def no_lines(self: AuditLog, **fields: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AuditLog, "record", no_lines)
    with mock_aws():
        session = helpers.moto_session()
        session.boto.events.register(
            "before-call.ec2", lambda model, params, **_: sent.append((model.name, dict(params)))
        )
        outcome = run_case(case, {}, audit, session=session)

    assert (outcome.final.status, outcome.final.code) == (Status.REFUSED, "AuditLogUnwritable")
    assert outcome.state == case.before
    assert sent, "the scan's own calls are seen"
    assert not [name for name, params in sent if params.get("DryRun")]


def test_an_unwritable_audit_log_blocks_emptying_a_bucket(tmp_path: Path) -> None:
    audit = _unwritable_log(tmp_path)
    with mock_aws():
        session = helpers.moto_session()
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="full-bucket")
        s3.put_object(Bucket="full-bucket", Key="a.txt", Body=b"1")
        row = scanned(session, "s3:bucket")["full-bucket"]
        runner = ActionRunner(session, ACCOUNT, FAST.choosing({EMPTY_FIRST: True}), audit=audit)

        (final,) = runner.run(plan([row], "delete", runner.options), lambda _: None)

        assert [o["Key"] for o in s3.list_objects_v2(Bucket="full-bucket")["Contents"]] == ["a.txt"]
    assert (final.status, final.code) == (Status.REFUSED, "AuditLogUnwritable")


# --- 2. the TUI acts with the config file's protected tags ------------------------------------

TUI_KINDS = ["ec2:instance", "ec2:volume", "ec2:elastic-ip", "s3:bucket", "logs:log-group"]
KEEP = {"keep-me": "yes"}  # lower case; the config file says "Keep-Me"


def _tui_estate() -> dict[str, str]:
    """One resource of each kind tagged keep-me, and one untagged volume, by a name."""
    return {
        "instance": make_instance(KEEP),
        "volume": make_volume(KEEP),
        "eip": make_eip(KEEP),
        "bucket": make_bucket(KEEP),
        "log-group": make_log_group(KEEP),
        "untagged": make_volume({}),
    }


TUI_STATE = {
    "instance": instance_state,
    "volume": volume_state,
    "eip": eip_state,
    "bucket": bucket_state,
    "log-group": log_group_state,
    "untagged": volume_state,
}



def test_the_tui_refuses_with_the_config_files_protected_tags() -> None:
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('protected_tags = ["Keep-Me"]\n', encoding="utf-8")
    settings = config.load_settings()
    assert settings.protected_tags == ("Keep-Me",) and settings.warnings == ()

    with mock_aws():
        estate = _tui_estate()
        states = {name: TUI_STATE[name](ident) for name, ident in estate.items()}
        session = helpers.moto_session()
        source = LiveSource(lambda: session, resolve_kinds(TUI_KINDS), [REGION])
        latest: dict[str, ActionUpdate] = {}

        async def go() -> None:
            # As ui/app.py launch() builds it.
            app = TrackerApp(source, settings=settings, history=ScanHistory(keep=settings.keep_scans))
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await pilot.press("slash")
                # The instance's root volume is attached: leave it out.
                app.query_one("#filter", Input).value = "!state:in-use"
                await pilot.press("enter")
                await pilot.pause()
                assert {r.id for r in app.table.resources} >= set(estate.values())
                assert app.table.row_count == len(estate)
                await pilot.press("ctrl+a", "ctrl+d")
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, ConfirmActionScreen)
                assert screen.word == ACCOUNT
                await pilot.press(*ACCOUNT, "enter")
                await pilot.pause()
                progress = app.screen
                assert isinstance(progress, ActionProgressScreen)
                await wait_until(pilot, actions_done(app))
                latest.update({u.resource.id: u for u in progress.latest.values()})

        asyncio.run(go())
        after = {name: TUI_STATE[name](ident) for name, ident in estate.items()}

    assert set(latest) == set(estate.values())
    for name, ident in estate.items():
        update = latest[ident]
        if name == "untagged":
            assert update.status is Status.DONE, update.message
            assert after[name] == GONE
        else:
            assert (name, update.status, update.message) == (name, Status.REFUSED, "tag keep-me is set")
            assert after[name] == states[name]  # unchanged
    lines = AuditLog().tail(100)
    assert AuditLog().path == config.data_dir() / "audit.jsonl"
    tagged = {ident for name, ident in estate.items() if name != "untagged"}
    assert not [line for line in lines if line["id"] in tagged]
    # The untagged volume is snapshotted first (the box's default), then deleted.
    assert [(line["phase"], line["operation"], line["id"]) for line in lines] == [
        (phase, operation, estate["untagged"])
        for operation in ("CreateSnapshot", "DeleteVolume")
        for phase in ("before", "dry-run", "before", "after")  # the DryRun call first
    ]


# --- 4. a call AWS refuses is reported as AWS said it ----------------------------------------------

def _answer_with_error(code: str, message: str) -> Callable[..., Any]:
    """A before-call hook answering the real call (not its DryRun) with an AWS error, unsent."""

    def hook(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body")
        if isinstance(body, dict) and str(body.get("DryRun", "")).lower() == "true":
            return None
        return SimpleNamespace(status_code=400, headers={}), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"RequestId": f"req-{code}", "HTTPStatusCode": 400},
        }

    return hook


# NAT is left out: moto carries its DryRun call out, so the real call is never made there.
@pytest.mark.parametrize("name", list(SERVICES))
def test_a_call_aws_refuses_is_failed_with_its_code_message_and_request_id(audit: AuditLog, name: str) -> None:
    case = CASES[name]
    operation = case.calls[-1][1]
    with mock_aws():
        session = helpers.moto_session()
        client = session.client(SERVICES[name], where())
        event = f"before-call.{client.meta.service_model.service_id.hyphenize()}.{operation}"
        client.meta.events.register(event, _answer_with_error("UnsupportedOperation", "Not today."))
        outcome = run_case(case, {}, audit, session=session)

    final = outcome.final
    assert (final.status, final.code, final.message, final.request_id) == (
        Status.FAILED,
        "UnsupportedOperation",
        "Not today.",
        "req-UnsupportedOperation",
    )
    assert not final.deleted and final.result is None
    assert outcome.state == case.before
    after = [line for line in audit.tail(100) if line["phase"] == "after" and line["operation"] == operation]
    assert [(line["result"], line["code"], line["message"], line["request_id"]) for line in after] == [
        ("error", "UnsupportedOperation", "Not today.", "req-UnsupportedOperation")
    ]


# --- 5. what a finished action reports, and that it is verified, not assumed ------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_a_done_action_reports_what_it_did_its_request_and_the_row(audit: AuditLog, name: str) -> None:
    case = CASES[name]
    with mock_aws():
        outcome = run_case(case, {}, audit)

    final = outcome.final
    assert final.status is Status.DONE
    assert final.message.startswith(DONE_MESSAGES[name]), final.message
    after = [line for line in audit.tail(100) if line["phase"] == "after"]
    assert final.request_id and final.request_id == after[-1]["request_id"]
    if case.verb in ("stop", "start", "modify", "schedule"):
        # A stop (start, modify) comes back re-read and repriced: the row changes in the table.
        assert not final.deleted
        assert final.result is not None
        # A volume's modify shows in its type, an instance's in its type, a table's in its billing
        # mode; a log group's (a retention) in its state.
        modified_detail = {
            "ec2:volume": "volume_type",
            "ec2:instance": "instance_type",
            "dynamodb:table": "billing_mode",
        }.get(case.kind)
        modified = case.verb == "modify" and modified_detail is not None
        changed = final.result.details.get(modified_detail or "") if modified else final.result.state
        if case.verb == "schedule":
            # A schedule shows in the row's tag (and its cost on the schedule's hours).
            changed = final.result.tags.get(SCHEDULE_TAG)
        assert changed == case.after
        assert final.result.cost_basis is not None
    else:
        assert final.deleted and final.result is None


class _Stale:
    """Makes the resource look unchanged after the action: every read of ``operation`` once
    the mutating call answered gets the answer it had before (what a call that did nothing,
    or an endpoint that lags, would show)."""

    def __init__(self, session: AwsSession, service: str, operation: str, mutating: str) -> None:
        self.before: dict[str, Any] | None = None
        self.acted = False
        client = session.client(service, where())
        prefix = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"after-call.{prefix}.{operation}", self._remember)
        client.meta.events.register(f"before-call.{prefix}.{operation}", self._replay)
        client.meta.events.register(f"after-call.{prefix}.{mutating}", self._acted)

    def _remember(self, http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
        if not self.acted and http_response.status_code < 300:
            self.before = copy.deepcopy(parsed)

    def _acted(self, http_response: Any, **_: Any) -> None:
        if http_response.status_code < 300:
            self.acted = True

    def _replay(self, **_: Any) -> Any:
        if self.acted and self.before is not None:
            return SimpleNamespace(status_code=200, headers={}), copy.deepcopy(self.before)
        return None


@pytest.mark.parametrize("name", list(CASES))
def test_an_action_that_does_not_take_is_failed_by_its_verification(audit: AuditLog, name: str) -> None:
    case = CASES[name]
    service, operation = VERIFIED_BY[name]
    with mock_aws():
        session = helpers.moto_session()
        _Stale(session, service, operation, case.calls[-1][1])
        outcome = run_case(case, {}, audit, session=session, verify_timeout=0.3, poll_interval=0.01)

    final = outcome.final
    assert (final.status, final.code) == (Status.FAILED, "VerifyTimeout"), final.message
    assert final.message.startswith(f"asked AWS to {final.action} it, but ")
    assert final.message.endswith("; rescan to check")
    assert "0.3 s" in final.message
    if name in VERIFY_TIMEOUTS:
        # What it waited for and the last state seen, as the results screen shows them.
        assert final.message == f"asked AWS to {final.action} it, but {VERIFY_TIMEOUTS[name]}; rescan to check"
    assert not final.deleted and final.result is None


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = value


@pytest.mark.parametrize(("name", "path", "value", "message", "deleted"), STATE_REFUSALS)
def test_a_resource_in_the_wrong_state_when_re_read_is_refused_with_nothing_called(
    audit: AuditLog, name: str, path: str, value: Any, message: str, deleted: bool
) -> None:
    case = CASES[name]
    service, operation = VERIFIED_BY[name]
    with mock_aws():
        session = helpers.moto_session()
        client = session.client(service, where())
        prefix = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(
            f"after-call.{prefix}.{operation}", lambda parsed, **_: _set(parsed, path, value) if parsed else None
        )
        outcome = run_case(case, {}, audit, session=session)

    final = outcome.final
    assert (final.status, final.message, final.deleted) == (Status.REFUSED, message, deleted)
    assert outcome.state == case.before
    assert audit.tail(100) == []
