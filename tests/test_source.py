"""What the TUI scans: ``build_source`` for each kind of request, the errors it raises, and
the ``ScanSource`` protocol (sessions to act with, the pickers' changes) on every source."""

from __future__ import annotations

import io
import os
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tests.support.estate import ACCOUNT_ID, sample_source
from tests.support.helpers import moto_session, record_calls
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import DEFAULT_CONCURRENCY, ScanOptions
from tracker_tui.aws.source import (
    LiveSource,
    MultiSource,
    NoSession,
    ScanSource,
    SourceError,
    SourceRequest,
    build_source,
)
from tracker_tui.cli import main
from tracker_tui.config import Settings
from tracker_tui.demo import DEMO_MAX_CONCURRENCY

KINDS = tuple(resolve_kinds(["logs:log-group"]))


@pytest.fixture
def two_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = x\nregion = us-east-1\n"
        "[profile audit]\naws_access_key_id = AKIAAUDIT\naws_secret_access_key = y\nregion = us-east-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


# --- build_source ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (SourceRequest(KINDS, demo=True, profiles=("ops",)), "--demo cannot be combined with --profile or --org-role"),
        (SourceRequest(KINDS, demo=True, org_role="Admin"), "--demo cannot be combined with --profile or --org-role"),
        (SourceRequest(KINDS, org_role="Admin", profiles=("ops", "audit")), "--org-role takes one --profile"),
        (SourceRequest(KINDS, profiles=("nope",)), "unknown AWS profile 'nope'"),
        (SourceRequest(KINDS, profiles=("ops", "nope")), "'nope'"),
    ],
)
def test_requests_that_cannot_be_scanned_raise_source_error(
    two_profiles: None, request_: SourceRequest, message: str
) -> None:
    with pytest.raises(SourceError, match=message):
        build_source(request_)


def test_each_request_gets_its_source_without_calling_aws(two_profiles: None) -> None:
    one = build_source(SourceRequest(KINDS, regions=("eu-west-1",), concurrency=3, live_prices=True))
    assert isinstance(one, LiveSource)
    assert list(one.requested_regions) == ["eu-west-1"] and one.options.concurrency == 3 and one.live_prices
    assert one.profile_refusal == "" and one.session is None  # nothing opened yet
    several = build_source(SourceRequest(KINDS, profiles=("ops", "audit")))
    assert isinstance(several, MultiSource) and several.profile == "ops,audit"
    org = build_source(SourceRequest(KINDS, profiles=("ops",), org_role="Admin", concurrency=0))
    assert isinstance(org, MultiSource) and org.profile == "ops" and org.options.concurrency == 1
    assert org.connections == {}  # the Organization is listed on connect, in the app's worker


def test_the_demo_source_knows_its_regions_refuses_a_profile_and_closes_twice() -> None:
    # Its server process starts at once (it loads while the UI does); closing stops it.
    demo = build_source(SourceRequest(KINDS, demo=True, demo_latency=0, concurrency=DEFAULT_CONCURRENCY))
    assert isinstance(demo, LiveSource) and demo.label == "demo account (moto)"
    # Its server shares this machine's CPU: it scans fewer cells at once than a real account.
    assert demo.options.concurrency == DEMO_MAX_CONCURRENCY < DEFAULT_CONCURRENCY
    assert "us-east-1" in demo.enabled_regions and demo.requested_regions == []
    assert "demo" in demo.profile_refusal
    with pytest.raises(SourceError, match="demo"):
        demo.switch_profile("ops")
    demo.close()
    demo.close()  # twice is fine


def test_an_endpoint_covers_botocores_own_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # restored after the test
    build_source(SourceRequest(KINDS, endpoint_url="http://127.0.0.1:4566"))
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"


def test_the_cli_turns_a_source_error_into_one_line_and_exit_2() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--demo", "--profile", "ops", "scan"], stdout=out, stderr=err) == 2
    assert out.getvalue() == ""
    assert err.getvalue() == "tracker-tui: error: --demo cannot be combined with --profile or --org-role\n"


# --- the ScanSource protocol -----------------------------------------------------------------------


@mock_aws
def test_a_live_source_acts_only_on_its_own_connected_account() -> None:
    session = moto_session()
    source: ScanSource = LiveSource(lambda: session, KINDS, ["us-east-1"])
    with pytest.raises(NoSession) as before:
        source.session_for(ACCOUNT_ID)
    assert str(before.value) == "still connecting"
    account = source.connect().identity.account_id
    assert source.session_for(account) is session
    with pytest.raises(KeyError, match="account 999999999999 is not connected"):
        source.session_for("999999999999")


@mock_aws
def test_a_live_source_limits_regions_and_switches_profile(two_profiles: None) -> None:
    boto3.client("logs", region_name="eu-west-1").create_log_group(logGroupName="/app/eu")
    session = moto_session()
    source = LiveSource(lambda: session, KINDS, ["us-east-1", "eu-west-1"], live_prices=True)
    assert source.connect().regions == ("us-east-1", "eu-west-1")
    source.limit_regions(["eu-west-1"])
    assert source.connect().regions == ("eu-west-1",)  # connected again, same session
    other = source.switch_profile("audit")
    assert isinstance(other, LiveSource) and other is not source
    assert (list(other.kinds), list(other.requested_regions), other.live_prices) == (list(KINDS), ["eu-west-1"], True)
    assert other.connect().profile == "audit"
    with pytest.raises(SourceError, match="'nope'"):
        source.switch_profile("nope")


def test_several_accounts_keep_their_profiles_but_take_fewer_regions(two_profiles: None) -> None:
    source = build_source(SourceRequest(KINDS, profiles=("ops", "audit")))
    assert "Several accounts are open" in source.profile_refusal and source.region_refusal == ""
    with pytest.raises(SourceError, match="Several accounts"):
        source.switch_profile("ops")
    source.limit_regions(["eu-west-1"])
    assert list(source.requested_regions) == ["eu-west-1"]
    with pytest.raises(NoSession, match="not part of this scan"):
        source.session_for(ACCOUNT_ID)


def test_a_replay_says_it_has_no_account_behind_it() -> None:
    source: ScanSource = sample_source()
    with pytest.raises(NoSession) as caught:
        source.session_for(ACCOUNT_ID)
    assert str(caught.value) == "a replayed inventory has no account to act on"
    assert source.profile_refusal and source.region_refusal
    with pytest.raises(SourceError):
        source.switch_profile("ops")
    with pytest.raises(SourceError):
        source.limit_regions(["us-east-1"])


@mock_aws
def test_known_enabled_regions_spare_the_describe_regions_call_and_a_region_list_wins() -> None:
    session = moto_session()
    calls = record_calls(session)
    source = LiveSource(lambda: session, KINDS, enabled_regions=("us-east-1", "eu-west-1"))
    assert source.connect().regions == ("us-east-1", "eu-west-1")
    assert "ec2.DescribeRegions" not in [name for name, _ in calls]
    source.limit_regions(["eu-west-1"])
    assert source.connect().regions == ("eu-west-1",)


@mock_aws
def test_connect_starts_loading_the_price_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    # Loaded by the first priced page instead, it shared the GIL with every starting cell
    # and held the first rows back by a second (benchmarks/demo_first_rows.py).
    started: list[str] = []
    monkeypatch.setattr("tracker_tui.aws.source.preload_catalogue", lambda: started.append("catalogue"))
    session = moto_session()
    LiveSource(lambda: session, KINDS, enabled_regions=("us-east-1",)).connect()
    assert started == ["catalogue"]


def test_the_default_concurrency_is_the_engines() -> None:
    assert Settings().concurrency == DEFAULT_CONCURRENCY == ScanOptions().concurrency
