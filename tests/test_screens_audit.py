"""``:audit`` -- the audit screen (ui/screens/audit.py): the audit log's tail, newest at the bottom."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from tests.support.estate import make_app, wait_scan
from tests.support.helpers import shown_text, type_command
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp


def run(check: Callable[[TrackerApp, Pilot[Any]], Awaitable[None]]) -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await check(app, pilot)

    asyncio.run(go())


def test_the_audit_view_shows_the_log_tail() -> None:
    AuditLog().record(phase="before", action="stop", account="123456789012", region="us-east-1",
                      kind="ec2:instance", id="i-0abc")  # fmt: skip

    async def check(app: TrackerApp, pilot: Pilot[Any]) -> None:
        await type_command(pilot, "audit")
        await pilot.press("enter")
        await pilot.pause()
        text = shown_text(app.screen.query_one("#audit-lines"))
        assert "Z  before  stop  123456789012  us-east-1  ec2:instance  i-0abc" in text

    run(check)
