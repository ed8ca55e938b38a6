"""Many accounts: --org-role (Organizations + AssumeRole) and --profile a --profile b.

moto maps the credentials AssumeRole hands out to the role's account, and an IAM access key
to the account that created it, so each member account below is a separate moto account.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.session
import pytest
from moto import mock_aws

from tests.support.helpers import MANAGEMENT, ROLE, moto_session
from tests.support.helpers import assumed_session as _assumed
from tracker_tui.aws.accounts import (
    AccountsError,
    org_role_sessions,
    profile_sessions,
)
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import Collector, ScanOptions, error_entries
from tracker_tui.aws.session import CredentialsError
from tracker_tui.aws.source import Connection, MultiSource
from tracker_tui.aws.workers import ACCOUNT_CELL_KIND
from tracker_tui.model import CellFinished, CellStatus, ScanFinished, ScanStarted


def _deny_assume_role(session: Any, role_arn: str) -> list[str]:
    """Make STS refuse AssumeRole for ``role_arn`` (moto allows every AssumeRole)."""
    denied: list[str] = []

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["tracker_role_arn"] = params.get("RoleArn")

    def refuse(context: dict[str, Any], **_: Any) -> Any:
        if context.get("tracker_role_arn") == role_arn:
            denied.append(role_arn)
            error = {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform sts:AssumeRole"}}
            return SimpleNamespace(status_code=403, headers={}), {**error, "ResponseMetadata": {"HTTPStatusCode": 403}}
        return None

    events = session.client("sts").meta.events
    events.register("before-parameter-build.sts.AssumeRole", remember)
    events.register("before-call.sts.AssumeRole", refuse)
    return denied


def _scan(source: MultiSource) -> tuple[Collector, list[Any]]:
    events: list[Any] = []
    collector = Collector()

    def sink(event: Any) -> None:
        events.append(event)
        collector(event)

    source.scan(sink, threading.Event())
    return collector, events


def _multi(targets_and_failures: Any, kinds: tuple[str, ...] = ("logs:log-group",)) -> MultiSource:
    return MultiSource(lambda: targets_and_failures, resolve_kinds(list(kinds)), ("us-east-1",), ScanOptions())


@pytest.mark.parametrize("members", [2, 3])
def test_org_role_scans_each_account_into_one_stream(org: Any, members: int) -> None:
    base = moto_session()
    wanted = [MANAGEMENT, *org.ids[:members]]
    targets, failures = org_role_sessions(base, ROLE, account_ids=wanted)

    assert failures == []
    assert [t.account_id for t in targets] == wanted  # the caller's own account first
    assert targets[0].session is base  # the management account is not assumed into
    names = dict(org.members)
    assert [t.name for t in targets[1:]] == [names[a] for a in org.ids[:members]]

    source = _multi((targets, failures))
    connection = source.connect()
    assert connection.identity.account_id == MANAGEMENT
    assert [i.account_id for i in connection.accounts] == wanted
    assert list(source.connections) == wanted
    assert connection.failures == ()

    collector, events = _scan(source)
    groups = {r.name: r.account_id for r in collector.resources}
    expected = {"/app/management": MANAGEMENT} | {f"/app/{names[a]}": a for a in org.ids[:members]}
    assert groups == expected  # every row carries the account it was found in
    started = [e for e in events if isinstance(e, ScanStarted)]
    finished = [e for e in events if isinstance(e, ScanFinished)]
    assert len(started) == 1 and len(finished) == 1 and events[-1] is finished[0]
    assert {c.account_id for c in started[0].cells} == set(wanted)
    assert len([e for e in events if isinstance(e, CellFinished)]) == len(started[0].cells)
    assert len(finished[0].results) == len(started[0].cells)
    assert error_entries(finished[0].results) == []


def test_member_accounts_use_the_organization_name_when_there_is_no_alias(org: Any) -> None:
    targets, failures = org_role_sessions(moto_session(), ROLE, account_ids=org.ids[:1])
    source = _multi((targets, failures))
    connection = source.connect()
    assert connection.accounts[0].alias == "payments-prod"  # danger terms ("prod") see it


def test_a_denied_assume_role_is_one_accounts_failure_not_a_crash(org: Any) -> None:
    base = moto_session()
    refused = org.ids[1]
    denied = _deny_assume_role(base, f"arn:aws:iam::{refused}:role/{ROLE}")

    targets, failures = org_role_sessions(base, ROLE)

    assert denied, "the hook must have refused the call"
    assert sorted(t.account_id for t in targets) == sorted([MANAGEMENT, org.ids[0], org.ids[2]])
    assert len(failures) == 1
    failure = failures[0]
    assert (failure.account_id, failure.name, failure.code) == (refused, "data-staging", "AccessDenied")
    assert "sts:AssumeRole" in failure.message

    source = _multi((targets, failures))
    connection = source.connect()
    assert len(connection.accounts) == 3
    assert connection.failures == (failure.line(),)
    assert refused in connection.failures[0] and "AccessDenied" in connection.failures[0]

    collector, events = _scan(source)
    assert {r.account_id for r in collector.resources} == {MANAGEMENT, org.ids[0], org.ids[2]}
    finished = events[-1]
    assert isinstance(finished, ScanFinished)
    account_cells = [r for r in finished.results if r.cell.kind == ACCOUNT_CELL_KIND]
    assert len(account_cells) == 1
    assert account_cells[0].cell.account_id == refused and account_cells[0].status is CellStatus.DENIED
    # ... so the inventory's errors (and the partial-scan exit code) carry it.
    errors = error_entries(finished.results)
    assert [(e.account_id, e.kind, e.code) for e in errors] == [(refused, ACCOUNT_CELL_KIND, "AccessDenied")]
    started = next(e for e in events if isinstance(e, ScanStarted))
    assert len([e for e in events if isinstance(e, CellFinished)]) == len(started.cells)


def test_when_every_account_fails_connect_says_so_in_one_line(org: Any) -> None:
    base = moto_session()
    _deny_assume_role(base, f"arn:aws:iam::{org.ids[0]}:role/{ROLE}")
    targets, failures = org_role_sessions(base, ROLE, account_ids=org.ids[:1])
    assert targets == [] and len(failures) == 1
    with pytest.raises(CredentialsError, match=f"no account could be scanned: {org.ids[0]}"):
        _multi((targets, failures)).connect()


def test_actions_route_to_the_rows_own_account(org: Any) -> None:
    a, b = org.ids[0], org.ids[1]
    source = _multi(org_role_sessions(moto_session(), ROLE, account_ids=[a, b]))
    source.connect()

    assert source.session_for(b).identity().account_id == b
    assert source.session_for(a).identity().account_id == a
    assert source.connections[b].identity.account_id == b
    # Acting through b's session really changes b, not a.
    source.session_for(b).client("logs", "us-east-1").delete_log_group(logGroupName="/app/data-staging")
    assert _assumed(b).client("logs").describe_log_groups()["logGroups"] == []
    assert [g["logGroupName"] for g in _assumed(a).client("logs").describe_log_groups()["logGroups"]] == [
        "/app/payments-prod"
    ]
    with pytest.raises(KeyError, match=org.ids[2]):
        source.session_for(org.ids[2])


def test_derived_sessions_share_the_base_sessions_service_models(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import conftest

    # The suite shares one loader among every botocore session (tests/conftest.py): undo
    # that here, so what is shared is only what the code shares.
    monkeypatch.setattr(botocore.session.Session, "_register_data_loader", conftest.UNSHARED_MODELS)
    base = moto_session()
    targets, _ = org_role_sessions(base, ROLE)
    loader = base.boto._session.get_component("data_loader")
    for target in targets:
        assert target.session.boto._session.get_component("data_loader") is loader
    assert len(loader.search_paths) == len(set(loader.search_paths))  # boto3 adds its dir once

    unshared, _ = org_role_sessions(base, ROLE, share_models=False)
    assert all(
        t.session.boto._session.get_component("data_loader") is not loader for t in unshared if t.session is not base
    )


def test_org_role_outside_an_organization_is_one_clear_error() -> None:
    with mock_aws(), pytest.raises(AccountsError, match="cannot list the Organization's accounts"):
        org_role_sessions(moto_session(), ROLE)


def test_rescan_keeps_the_cell_total_right(org: Any) -> None:
    source = _multi(org_role_sessions(moto_session(), ROLE, account_ids=org.ids[:2]), ("logs:log-group", "iam:role"))
    for _ in range(2):
        collector, events = _scan(source)
        started = next(e for e in events if isinstance(e, ScanStarted))
        # 2 accounts x (1 region x logs + 1 global iam cell)
        assert len(started.cells) == 4 == len(collector.results)


# --- --profile a --profile b -------------------------------------------------------------


def _write_profiles(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, profiles: dict[str, tuple[str, str]]) -> None:
    text = "".join(
        f"[profile {name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\nregion = us-east-1\n\n"
        for name, (key, secret) in profiles.items()
    )
    config = tmp_path / "config"
    config.write_text(text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


def test_profile_sessions_scan_each_profiles_account(org: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # An IAM access key belongs to the account that made it: one key in the management
    # account, one in a member account.
    def key_in(session: boto3.Session) -> tuple[str, str]:
        iam = session.client("iam")
        iam.create_user(UserName="scanner")
        key = iam.create_access_key(UserName="scanner")["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    member = org.ids[2]
    _write_profiles(
        tmp_path,
        monkeypatch,
        {"mgmt": key_in(boto3.Session(region_name="us-east-1")), "sandbox": key_in(_assumed(member))},
    )

    sessions = profile_sessions(["mgmt", "sandbox", "mgmt"])
    assert [s.profile for s in sessions] == ["mgmt", "sandbox"]
    assert [s.identity().account_id for s in sessions] == [MANAGEMENT, member]
    loader = sessions[0].boto._session.get_component("data_loader")
    assert sessions[1].boto._session.get_component("data_loader") is loader

    source = MultiSource.for_profiles(sessions, resolve_kinds(["logs:log-group"]), requested_regions=("us-east-1",))
    connection = source.connect()
    assert isinstance(connection, Connection)
    assert connection.profile == "mgmt,sandbox"
    assert [(i.account_id) for i in connection.accounts] == [MANAGEMENT, member]
    assert source.connections[member].profile == "sandbox"
    collector, _ = _scan(source)
    assert {(r.name, r.account_id) for r in collector.resources} == {
        ("/app/management", MANAGEMENT),
        ("/app/sandbox", member),
    }
    assert source.session_for(member).identity().account_id == member


def test_two_profiles_on_one_account_are_scanned_once(org: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_profiles(tmp_path, monkeypatch, {"one": ("testing", "testing"), "two": ("testing2", "testing")})
    source = MultiSource.for_profiles(
        profile_sessions(["one", "two"]), resolve_kinds(["logs:log-group"]), requested_regions=("us-east-1",)
    )
    connection = source.connect()
    assert [i.account_id for i in connection.accounts] == [MANAGEMENT]
    assert [t.session.profile for t in source.duplicates] == ["two"]
    collector, _ = _scan(source)
    assert [r.name for r in collector.resources] == ["/app/management"]  # no duplicate rows


def test_unknown_profile_is_a_credentials_error_naming_it(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_profiles(tmp_path, monkeypatch, {"known": ("testing", "testing")})
    with pytest.raises(CredentialsError, match="unknown AWS profile 'typo'"):
        profile_sessions(["known", "typo"])
