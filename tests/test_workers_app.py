"""The TUI over an Organization of 20 member accounts scanned in worker processes.

``tracker-tui --org-role ROLE`` with several accounts scans them in worker processes; the app
cannot tell: rows from every account stream into one table, the coverage grid merges them,
marks survive a rescan, and each account's scan is saved for next time, as in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace

import boto3
import pytest

from tests.support.helpers import ROLE, scan_done, wait_until
from tests.support.org_server import KINDS, MEMBERS, REGIONS, org_server
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.session import AwsSession, SessionOptions
from tracker_tui.aws.source import MultiSource
from tracker_tui.history import ScanHistory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.coverage import CoverageScreen


@pytest.fixture(scope="module")
def server() -> Iterator[SimpleNamespace]:
    with org_server() as running:
        yield running


def test_the_tui_scans_twenty_member_accounts_in_workers_as_in_one_process(
    server: SimpleNamespace, tmp_path: object
) -> None:
    def open_base() -> AwsSession:
        return AwsSession(
            SessionOptions(endpoint_url=server.endpoint, home_region="us-east-1"),
            boto_session=boto3.Session(region_name="us-east-1"),
        )

    source = MultiSource.for_org_role(open_base, ROLE, resolve_kinds(list(KINDS)), requested_regions=REGIONS, workers=2)
    history = ScanHistory(keep=2)
    everyone = {server.management, *server.members}

    async def run() -> None:
        app = TrackerApp(source, history=history, monotonic=lambda: 0.0)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_until(pilot, scan_done(app), timeout=120)
            assert app.scan.error == "" and "scan complete" in app.scan.progress, app.scan.progress
            assert source.last_pool is not None and len(source.last_pool.cpu_seconds) == 2
            assert app.scan.connection is not None and len(app.scan.connection.accounts) == MEMBERS + 1
            assert f"{MEMBERS + 1} accounts" in str(app.query_one("#header").render())
            assert {r.account_id for r in app.table.resources} == everyone
            assert app.table.show_account
            assert "scan complete" in app.scan.progress and "0 errors" in app.scan.progress
            # The coverage grid merges the accounts: one log-group cell counts every account's.
            await pilot.press("g")
            await pilot.pause()
            assert isinstance(app.screen, CoverageScreen)
            logs = app.screen.results[("us-east-1", "logs:log-group")]
            expected = sum(1 + i % 3 for i in range(MEMBERS + 1))
            assert logs.count == expected
            await pilot.press("escape")
            # A mark survives a rescan in workers (rows found again stay marked).
            await pilot.press("space")
            marked = {r.key for r in app.table.marked}
            assert len(marked) == 1
            await pilot.press("r")
            await wait_until(pilot, scan_done(app), timeout=120)
            assert {r.key for r in app.table.marked} == marked
            assert {r.account_id for r in app.table.resources} == everyone

    asyncio.run(run())
    # Each account's scan was saved, as one process saves it.
    assert all(history.last(account) is not None for account in everyone)
