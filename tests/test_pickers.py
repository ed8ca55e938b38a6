"""Profile and region pickers: switch profile or limit regions, then rescan."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.pilot import Pilot

from tests.support.helpers import moto_session, scan_done, wait_until
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.pickers import ProfilePicker, RegionPicker


async def _wait(app: TrackerApp, pilot: Pilot[Any]) -> None:
    await wait_until(pilot, scan_done(app), what="the scan to finish")


def test_switching_profile_rescans_under_the_new_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile staging]\naws_access_key_id = AKIASTAGING\naws_secret_access_key = x\nregion = us-east-1\n"
        "[profile audit]\naws_access_key_id = AKIAAUDIT\naws_secret_access_key = y\nregion = us-east-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    with mock_aws():
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/app/one")
        session = moto_session()
        source = LiveSource(lambda: session, resolve_kinds(["logs:log-group"]), ["us-east-1"])

        async def run() -> None:
            app = TrackerApp(source, monotonic=lambda: 0.0)
            async with app.run_test(size=(120, 36)) as pilot:
                await _wait(app, pilot)
                await pilot.press("p")
                await pilot.pause()
                picker = app.screen
                assert isinstance(picker, ProfilePicker)
                assert picker.profiles == ["audit", "staging"]
                await pilot.press("down", "enter")  # staging
                await pilot.pause()
                await _wait(app, pilot)
                assert app.scan.connection is not None and app.scan.connection.profile == "staging"
                assert "profile staging" in str(app.query_one("#header").render())
                assert app.scan.source is not source
                assert app.table.row_count == 1

        asyncio.run(run())


def test_limiting_regions_rescans_only_those() -> None:
    with mock_aws():
        for region in ("us-east-1", "eu-west-1"):
            boto3.client("logs", region_name=region).create_log_group(logGroupName=f"/app/{region}")
        session = moto_session()
        source = LiveSource(lambda: session, resolve_kinds(["logs:log-group"]), ["us-east-1", "eu-west-1"])

        async def run() -> None:
            app = TrackerApp(source, monotonic=lambda: 0.0)
            async with app.run_test(size=(120, 36)) as pilot:
                await _wait(app, pilot)
                assert app.table.row_count == 2
                await pilot.press("l")
                await pilot.pause()
                picker = app.screen
                assert isinstance(picker, RegionPicker)
                assert picker.regions == ["eu-west-1", "us-east-1"]
                # Untick us-east-1 (second entry), keep eu-west-1, apply.
                await pilot.press("down", "space", "enter")
                await pilot.pause()
                await _wait(app, pilot)
                assert app.scan.connection is not None and app.scan.connection.regions == ("eu-west-1",)
                assert [r.region for r in app.table.resources] == ["eu-west-1"]

        asyncio.run(run())
