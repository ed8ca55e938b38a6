"""Drive the demo and write the main views to screenshots/ as SVG.

    python scripts/screenshots.py            # all views at 120x36 and 80x24

Uses the real ``--demo`` account (moto) with no added latency, and Textual's headless
pilot; nothing touches AWS.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from textual.widgets import Input

from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import ScanOptions
from tracker_tui.aws.source import LiveSource
from tracker_tui.demo import start_demo
from tracker_tui.ui.app import TrackerApp

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def wait_for_scan(app: TrackerApp, pilot: object) -> None:
    for _ in range(600):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if not app.scanning and app.scan.connection is not None:
            return
    raise RuntimeError("the demo scan did not finish")


async def shoot(size: tuple[int, int]) -> list[Path]:
    # A fresh config and cache each time: no user settings, no cached bill or prices.
    scratch = tempfile.mkdtemp(prefix="tracker-tui-shots-")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        os.environ[var] = scratch
    demo = start_demo(latency_ms=0)
    written: list[Path] = []
    try:
        source = LiveSource(lambda: demo.session, resolve_kinds(None), (), ScanOptions(), label="demo account (moto)")
        app = TrackerApp(source)
        suffix = f"{size[0]}x{size[1]}"

        def save(name: str) -> None:
            path = OUT / f"{name}-{suffix}.svg"
            app.save_screenshot(str(path))
            written.append(path)

        async with app.run_test(size=size) as pilot:
            await wait_for_scan(app, pilot)
            app.table.sort_by("kind")
            await pilot.pause()
            save("main")
            await pilot.press("slash", *"kind:ec2 !state:running", "enter")
            await pilot.pause()
            save("filtered")
            await pilot.press("space", "down", "space", "down", "space")
            await pilot.pause()
            save("marked")
            await pilot.press("enter")
            await pilot.pause()
            save("details")
            await pilot.press("escape", "g")
            await pilot.pause()
            save("coverage")
            await pilot.press("escape", "question_mark")
            await pilot.pause()
            save("help")
            # The action dialogs: every row of the home region, then a real run on the demo.
            await pilot.press("escape", "slash")
            app.query_one("#filter", Input).value = "region:us-east-1"
            await pilot.press("enter", "ctrl+a", "ctrl+d")
            await pilot.pause()
            await pilot.pause()
            save("confirm-bulk")
            await pilot.press("escape", "escape")
            app.query_one("#filter", Input).value = "kind:ec2:instance state:running"
            await pilot.press("slash", "enter")
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            await pilot.pause()
            save("confirm-stop")
            await pilot.press("escape")
            # Every volume of the home region: the attached ones are refused, with the reason.
            app.query_one("#filter", Input).value = "kind:ec2:volume region:us-east-1"
            await pilot.press("slash", "enter")
            await pilot.pause()
            await pilot.press("ctrl+a", "ctrl+d")
            await pilot.pause()
            assert app.scan.connection is not None
            await pilot.press(*(app.scan.connection.identity.alias or app.scan.connection.identity.account_id), "enter")
            for _ in range(600):
                await pilot.pause(0.05)
                if not app.actions_running:
                    break
            await pilot.pause()
            save("results")
            # The bill beside the estimate: the notice first (a request costs $0.01), then the bill.
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("b")
            await pilot.pause()
            save("bill-notice")
            await pilot.press("enter")
            for _ in range(200):
                await pilot.pause(0.05)
                if getattr(app.screen, "state", "fetching") != "fetching":
                    break
            await pilot.pause()
            save("bill")
            # The idle checks: what they will cost first, then the rows they found idle.
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("slash", "ctrl+u", "enter", "escape", "i")  # escape: no marks left over
            await pilot.pause()
            save("idle-notice")
            await pilot.press("enter")
            for _ in range(400):
                await pilot.pause(0.05)
                if app.idle is None:
                    break
            app.clear_notifications()
            await pilot.press("slash", *"finding:idle-instance", "enter")
            await pilot.pause()
            save("idle-found")
            # The in-place fix: m on a previous-generation instance, confirmed like a stop.
            await pilot.press("slash", "ctrl+u", *"finding:previous-generation region:us-west-2", "enter", "m")
            await pilot.pause()
            save("confirm-modify")
            # k9s habits: the : bar with what a prefix matches, and a row's console link.
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("colon", *"ec2:")
            await pilot.pause()
            save("command-bar")
            await pilot.press("escape", "o")
            await pilot.pause()
            save("console-link")
            # Off-hours: z on dev's machines running 24/7, the schedule, what it creates, then :schedules.
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("slash", "ctrl+u", *"finding:no-off-hours region:ap-southeast-2", "enter", "ctrl+a", "z")
            await pilot.pause()
            save("offhours-picker")
            await pilot.click("#schedule-next")
            await pilot.pause()
            await pilot.pause()
            save("confirm-offhours")
            await pilot.press(*(app.scan.connection.identity.alias or app.scan.connection.identity.account_id), "enter")
            for _ in range(600):
                await pilot.pause(0.05)
                if not app.actions_running:
                    break
            await pilot.pause()
            save("offhours-results")
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("colon", *"schedules", "enter")
            await pilot.pause()
            save("schedules")
    finally:
        demo.stop()
    return written


def main() -> int:
    OUT.mkdir(exist_ok=True)
    sizes = [(120, 36), (80, 24)]
    for size in sizes:
        for path in asyncio.run(shoot(size)):
            print(path.relative_to(OUT.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
