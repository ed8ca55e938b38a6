"""``--refresh SECONDS``: background rescans on a frozen clock -- due an interval after each
scan, held while a dialog, an action or the idle checks are open, marks kept, said on the
status line; and the option's and the config key's errors."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from typing import Any, cast

import pytest

from tests.support.estate import NOW, make_app, sample_source, wait_scan
from tests.support.helpers import shown_text, wait_until
from tracker_tui.aws.idle import plan_checks
from tracker_tui.aws.kinds import Thresholds
from tracker_tui.cli import main
from tracker_tui.config import Settings, config_path, load_settings
from tracker_tui.replay import ReplaySource
from tracker_tui.runs import ActionRun, IdleDelta, IdleRun
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.host import Host, RescanGate
from tracker_tui.ui.screens.help import HelpScreen


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _run(check: Any, refresh: int = 30) -> None:
    clock = Clock()

    async def go() -> None:
        settings = dataclasses.replace(Settings(), refresh=refresh)
        app = TrackerApp(sample_source(), now=lambda: NOW, monotonic=clock, settings=settings)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await check(app, pilot, clock)

    asyncio.run(go())


def _status(app: TrackerApp) -> str:
    return shown_text(app.query_one("#status"))


def _scans(app: TrackerApp) -> int:
    assert isinstance(app.scan.source, ReplaySource)
    return app.scan.source.scans


def test_a_rescan_comes_an_interval_after_the_last_and_keeps_the_marks() -> None:
    async def check(app: TrackerApp, pilot: Any, clock: Clock) -> None:
        assert app.rescans is not None
        await pilot.press("space", "down", "space")
        clock.now += 29
        app.rescans.tick()
        assert _scans(app) == 1
        assert "refresh in 1s" in _status(app)
        clock.now += 1
        app.rescans.tick()
        await wait_scan(app, pilot)
        assert _scans(app) == 2 and app.rescans.refreshes == 1
        assert app.table.marked_count == 2  # the rows came back: still marked
        assert "refresh in 30s" in _status(app)

    _run(check)


def test_a_dialog_holds_the_rescan_until_it_closes() -> None:
    async def check(app: TrackerApp, pilot: Any, clock: Clock) -> None:
        assert app.rescans is not None
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        clock.now += 120
        app.rescans.tick()
        assert _scans(app) == 1
        assert app.rescans.status() == "refresh waits: a dialog or view is open"
        await pilot.press("escape")
        await pilot.pause()
        app.rescans.tick()
        await wait_scan(app, pilot)
        assert _scans(app) == 2

    _run(check)


def test_an_action_or_the_idle_checks_hold_it_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs that never end: an action run not started, idle checks whose thread never starts.
    monkeypatch.setattr(IdleRun, "start", lambda self: setattr(self, "running", True))

    async def check(app: TrackerApp, pilot: Any, clock: Clock) -> None:
        assert app.rescans is not None
        clock.now += 60
        action = ActionRun(cast(Any, None), [])
        app.actions.append(action)
        app.rescans.tick()
        assert app.rescans.status() == "refresh waits: an action is running"
        app.actions.remove(action)
        app.watch_idle(IdleRun(plan_checks([]), lambda account: None, Thresholds(), app.scan.generation))
        app.rescans.tick()
        assert app.rescans.status() == "refresh waits: the idle checks are running"
        assert "refresh waits: the idle checks are running" in _status(app)
        assert _scans(app) == 1
        monkeypatch.setattr(IdleRun, "take", lambda self: IdleDelta(failure="stopped by the test"))
        await wait_until(pilot, lambda: app.idle is None)
        app.rescans.tick()
        await wait_scan(app, pilot)
        assert _scans(app) == 2

    _run(check)


def test_no_refresh_unless_asked() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            assert app.rescans is None
            assert "refresh" not in _status(app)

    asyncio.run(go())


@pytest.mark.parametrize("value", ["5", "-1", "soon"])
def test_the_option_refuses_what_would_hammer_aws_or_is_not_a_number(value: str) -> None:
    err = io.StringIO()
    assert main(["--refresh", value], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().startswith("tracker-tui: error: argument --refresh: ")
    assert "Traceback" not in err.getvalue()


def test_the_config_key() -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text("refresh = 60\n")
    assert load_settings().refresh == 60
    config_path().write_text("refresh = 3\n")
    settings = load_settings()
    assert settings.refresh == 0 and any("'refresh' must be 0 (off)" in w for w in settings.warnings)


def test_the_app_is_what_the_screens_and_the_rescans_see() -> None:
    """The protocols are the app's real surface: mypy checks these assignments structurally."""
    app = make_app()
    host: Host = app
    gate: RescanGate = app
    assert host is gate and not gate.scanning and host.idle is None


def test_a_tick_while_the_screen_is_taken_down_paints_nothing_and_raises_nothing() -> None:
    """Quitting unmounts the widgets while the background rescan's timer may tick once more (seen
    in a full run: NoMatches from the status line, as a traceback at exit)."""

    async def check(app: TrackerApp, pilot: Any, clock: Clock) -> None:
        from tracker_tui.ui.widgets.bars import StatusLine

        await app.main.query_one(StatusLine).remove()
        app.refresh_status()  # no StatusLine left: nothing to paint, and no exception

    _run(check)
