"""Thresholds are declarations of the rules that read them, and their values are passed down
explicitly: no module keeps a setting, and an app or a scan judges by the config it was given."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import pkgutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

import tracker_tui
from tests.support.helpers import moto_session, scan_done, wait_until
from tracker_tui.aws import idle
from tracker_tui.aws.accounts import AccountTarget
from tracker_tui.aws.kinds import KNOBS, REGISTRY, KindSpec, Thresholds, resolve_kinds
from tracker_tui.aws.kinds import base as kinds_base
from tracker_tui.aws.scan import Collector, ScanOptions
from tracker_tui.aws.session import AwsSession
from tracker_tui.aws.source import LiveSource, MultiSource
from tracker_tui.config import Settings, load_settings
from tracker_tui.model import Finding
from tracker_tui.ui.app import TrackerApp


def test_every_knob_is_declared_by_a_rule_and_settable_in_the_config() -> None:
    rules = [rule.knobs for spec in REGISTRY.values() for rule in spec.rules]
    metric_rules = [rule.knobs for spec in REGISTRY.values() for rule in spec.metric_rules]
    declared = {knob.name for knobs in (*rules, *metric_rules) for knob in knobs}
    assert declared | {"idle_days"} == set(KNOBS)  # the window is every idle rule's
    defaults = Settings()
    for name, knob in KNOBS.items():
        assert getattr(defaults, name) == knob.default, name  # config.toml sets each, same default


@pytest.mark.parametrize("name", sorted(KNOBS))
def test_the_config_file_takes_exactly_the_values_a_knob_declares(tmp_path: Path, name: str) -> None:
    """config.py sits below the kinds and cannot read the declarations: this holds its checks to them."""
    knob = KNOBS[name]
    path = tmp_path / "config.toml"

    def load(value: float) -> tuple[object, tuple[str, ...]]:
        path.write_text(f"{name} = {int(value) if knob.whole else float(value)!r}\n")
        settings = load_settings(path)
        return getattr(settings, name), settings.warnings

    for edge in (knob.minimum, knob.maximum):
        assert load(edge) == (edge, ()), edge
        assert Thresholds(**{name: edge})[knob] == edge
    for outside in (knob.minimum - 1, knob.maximum + 1):
        value, warnings = load(outside)
        assert value == knob.default and len(warnings) == 1 and f"'{name}'" in warnings[0], outside
        with pytest.raises(ValueError, match=f"{name} must be from"):
            Thresholds(**{name: outside})
    if knob.whole:
        path.write_text(f"{name} = {knob.minimum + 0.5!r}\n")
        assert getattr(load_settings(path), name) == knob.default
        with pytest.raises(ValueError, match=f"{name} must be a whole number"):
            Thresholds(**{name: knob.minimum + 0.5})
    with pytest.raises(ValueError, match=f"{name} must be a"):
        Thresholds(**{name: True})  # a bool is no number of anything


def test_thresholds_read_the_declared_default_unless_given() -> None:
    knob = kinds_base.SNAPSHOT_MAX_AGE
    assert Thresholds()[knob] == 365
    assert Thresholds(snapshot_max_age_days=30)[knob] == 30
    assert Thresholds(snapshot_max_age_days=365) == Thresholds()  # a default given is no change
    assert Thresholds.from_settings(dataclasses.replace(Settings(), snapshot_max_age_days=30))[knob] == 30
    with pytest.raises(TypeError, match="no such threshold: snapshot_age"):
        Thresholds(snapshot_age=3)


def _settings_kept_in_modules() -> list[str]:
    """Module-level objects anywhere in tracker_tui that hold settings: an instance of one of
    our mutable dataclasses (what ``FINDING_SETTINGS`` was), or any ``Settings`` or
    ``Thresholds`` (immutable, but one kept in a module is still a value every run shares)."""
    found = []
    for info in pkgutil.walk_packages(tracker_tui.__path__, "tracker_tui."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            kind = type(value)
            params = getattr(kind, "__dataclass_params__", None)
            mutable = params is not None and not params.frozen
            if kind.__module__.startswith("tracker_tui.") and (mutable or isinstance(value, (Settings, Thresholds))):
                found.append(f"{info.name}.{name}")
    return found


def test_no_module_keeps_settings() -> None:
    assert _settings_kept_in_modules() == []


def test_the_check_for_kept_settings_sees_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kinds_base, "LIMITS", ScanOptions(), raising=False)  # mutable
    monkeypatch.setattr(idle, "LIMITS", Thresholds(idle_days=7), raising=False)  # immutable, still global
    assert _settings_kept_in_modules() == ["tracker_tui.aws.idle.LIMITS", "tracker_tui.aws.kinds.base.LIMITS"]


def _forty_days_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are judged as if 40 days had passed since moto created them."""
    age_days = kinds_base.age_days
    later = datetime.now(UTC) + timedelta(days=40, hours=1)  # the hour: moto creates them after this line
    monkeypatch.setattr(kinds_base, "age_days", lambda resource, now=None: age_days(resource, now or later))


def _one_account(session: AwsSession, kinds: list[KindSpec]) -> MultiSource:
    return MultiSource(lambda: ([AccountTarget("", "test", session)], []), kinds, ("us-east-1",), ScanOptions())


@pytest.mark.parametrize("source_type", ["live", "multi"])
def test_a_scan_judges_by_the_thresholds_it_is_given(monkeypatch: pytest.MonkeyPatch, source_type: str) -> None:
    _forty_days_later(monkeypatch)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10)["VolumeId"]
        snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
        session = moto_session()
        kinds = resolve_kinds(["ec2:snapshot"])
        source = (
            LiveSource(lambda: session, kinds, ["us-east-1"]) if source_type == "live" else _one_account(session, kinds)
        )

        def old_snapshot(thresholds: Thresholds | None) -> Finding | None:
            collector = Collector()
            source.scan(collector, threading.Event(), thresholds=thresholds)
            (row,) = [r for r in collector.resources if r.id == snapshot]
            return next((f for f in row.findings if f.id == "old-snapshot"), None)

        month = old_snapshot(Thresholds(snapshot_max_age_days=30))
        assert month is not None and "40 days ago, over the 30-day limit" in month.evidence
        assert old_snapshot(None) is None  # the declared default, 365 days
        assert old_snapshot(Thresholds()) is None
        assert old_snapshot(Thresholds(snapshot_max_age_days=40)) is None  # over the limit, not at it
        assert source.options.thresholds == Thresholds()  # the source keeps no run's thresholds


@pytest.mark.parametrize(("max_age", "found"), [(30, True), (365, False)])
def test_the_app_judges_by_the_settings_it_was_given(
    monkeypatch: pytest.MonkeyPatch, max_age: int, found: bool
) -> None:
    _forty_days_later(monkeypatch)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10)["VolumeId"]
        snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
        session = moto_session()
        source = LiveSource(lambda: session, resolve_kinds(["ec2:snapshot"]), ["us-east-1"])
        settings = dataclasses.replace(Settings(), snapshot_max_age_days=max_age)

        async def go() -> None:
            app = TrackerApp(source, settings=settings, now=lambda: datetime.now(UTC))
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app), what="the scan to finish")
                (row,) = [r for r in app.table.resources if r.id == snapshot]
                assert ("old-snapshot" in {f.id for f in row.findings}) is found
                if found:
                    assert "over the 30-day limit" in row.findings[0].evidence

        asyncio.run(go())
