"""Several accounts end to end: `scan --org-role` through the CLI, and the TUI's Account
column, per-account coverage and actions that stay inside the row's own account."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import boto3
from textual.widgets import Input

from tests.support.helpers import MANAGEMENT, ROLE, actions_done, moto_session, scan_done, wait_until
from tests.support.helpers import assumed_session as _assumed
from tracker_tui import cli
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import MultiSource
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.coverage import CoverageScreen


def test_scan_org_role_writes_every_account(org: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["scan", "--org-role", ROLE, "--kind", "logs:log-group", "--region", "us-east-1", "--format", "json"],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    data = json.loads(out.getvalue())
    found = {(r["account_id"], r["name"]) for r in data["resources"]}
    expected = {(MANAGEMENT, "/app/management")} | {(acct, f"/app/{name}") for acct, name in org.members}
    assert found == expected
    assert {a["id"] for a in data["accounts"]} == {MANAGEMENT, *org.ids}


def test_tui_shows_every_account_and_acts_only_in_the_rows_account(org: Any) -> None:
    target_id, target_name = org.members[1]
    volume = _assumed(target_id).client("ec2").create_volume(Size=5, AvailabilityZone="us-east-1a")["VolumeId"]
    source = MultiSource.for_org_role(
        moto_session, ROLE, resolve_kinds(["logs:log-group", "ec2:volume"]), requested_regions=["us-east-1"]
    )

    async def run() -> None:
        app = TrackerApp(source, monotonic=lambda: 0.0)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_until(pilot, scan_done(app))
            assert app.scan.connection is not None and len(app.scan.connection.accounts) == 4
            assert "4 accounts" in str(app.query_one("#header").render())
            assert app.table.show_account
            assert {r.account_id for r in app.table.resources} == {MANAGEMENT, *org.ids}
            # Coverage merges the accounts: the log-group cell counts all four.
            await pilot.press("g")
            await pilot.pause()
            assert isinstance(app.screen, CoverageScreen)
            assert app.screen.results[("us-east-1", "logs:log-group")].count == 4
            await pilot.press("escape")
            # Mixed accounts are refused; one account's row asks for that account.
            await pilot.press("ctrl+a", "ctrl+d")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmActionScreen)
            assert any("one account at a time" in n.message for n in app._notifications)
            await pilot.press("ctrl+a")  # clear
            await pilot.press("slash")
            app.query_one("#filter", Input).value = volume
            await pilot.press("enter")
            await pilot.pause()
            assert app.table.row_count == 1
            await pilot.press("ctrl+d")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ConfirmActionScreen)
            assert screen.identity.account_id == target_id
            assert screen.word == (screen.identity.alias or target_id)
            await pilot.press(*screen.word, "enter")
            await wait_until(pilot, actions_done(app))
        remaining = _assumed(target_id).client("ec2").describe_volumes()["Volumes"]
        assert volume not in {v["VolumeId"] for v in remaining}

    asyncio.run(run())
    # Nothing was deleted in the management account.
    assert boto3.client("logs", region_name="us-east-1").describe_log_groups()["logGroups"]




def test_coverage_merge_names_the_account_of_an_error() -> None:
    from tracker_tui.aws.scan import merge_accounts
    from tracker_tui.model import CellResult, CellStatus, ScanCell

    results = {
        ("111111111111", "eu-west-1", "rds:db-instance"): CellResult(
            ScanCell("eu-west-1", "rds:db-instance", "111111111111"), CellStatus.DONE, 2
        ),
        ("222222222222", "eu-west-1", "rds:db-instance"): CellResult(
            ScanCell("eu-west-1", "rds:db-instance", "222222222222"), CellStatus.DENIED, 0, "AccessDenied", "no"
        ),
    }
    merged = merge_accounts(results)[("eu-west-1", "rds:db-instance")]
    assert merged.status is CellStatus.DENIED and merged.count == 2
    assert merged.message == "222222222222: no"
