"""Memory between runs: saved scans, pruning, corrupt cache files, the diff, and the app's
second start (the last scan at once, marked stale, then the changes)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.estate import ACCOUNT_ID, NOW, sample_identity, sample_resources, sample_source, wait_scan
from tests.support.helpers import wait_until
from tracker_tui.history import ScanHistory, age_text, combined_view, diff, gone_since, scans_to_save
from tracker_tui.model import CellResult, CellStatus, Identity, Resource, ScanCell
from tracker_tui.store import Inventory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.changes import ChangesScreen


def _inventory(resources: list[Resource], scanned_at: str) -> Inventory:
    return Inventory(identity=sample_identity(), regions=["us-east-1"], resources=resources, scanned_at=scanned_at)


def test_saves_newest_first_and_prunes(tmp_path: Path) -> None:
    history = ScanHistory(base=tmp_path, keep=3)
    rows = sample_resources(priced=True)
    for day in range(1, 6):
        history.save(_inventory(rows[:day], f"2026-11-0{day}T10:00:00Z"))
    files = history.files(sample_identity().account_id)
    assert [p.stem for p in files] == ["20261105100000", "20261104100000", "20261103100000"]
    last = history.last(sample_identity().account_id)
    assert last is not None and len(last.resources) == 5


def test_a_crash_mid_write_leaves_the_previous_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = ScanHistory(base=tmp_path)
    rows = sample_resources(priced=True)
    first = history.save(_inventory(rows[:4], "2026-11-01T10:00:00Z"))
    same_name = _inventory(rows, "2026-11-01T10:00:00Z")

    def boom(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        history.save(same_name)
    monkeypatch.undo()
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temp file left behind
    last = history.last(sample_identity().account_id)
    assert last is not None and len(last.resources) == 4


def test_a_corrupt_cache_file_is_moved_aside_and_reported(tmp_path: Path) -> None:
    history = ScanHistory(base=tmp_path)
    rows = sample_resources(priced=True)
    history.save(_inventory(rows[:2], "2026-11-01T10:00:00Z"))
    newest = history.save(_inventory(rows[:3], "2026-11-02T10:00:00Z"))
    newest.write_text("{ not json", encoding="utf-8")
    last = history.last(sample_identity().account_id)
    assert last is not None and len(last.resources) == 2  # the older, readable one
    assert newest.with_name(newest.name + ".corrupt").exists()
    assert len(history.problems) == 1 and "moved aside" in history.problems[0]


def test_diff_counts_and_cost_delta() -> None:
    rows = sample_resources(priced=True)
    older = rows[:40]
    stopped = dataclasses.replace(rows[0], state="stopped", monthly_cost=0.0)
    newer = [stopped] + rows[1:30] + rows[40:45]
    d = diff(older, newer)
    assert {r.key for r in d.new} == {r.key for r in rows[40:45]}
    assert {r.key for r in d.gone} == {r.key for r in rows[30:40]}
    assert [c.after.key for c in d.changed] == [rows[0].key]
    assert d.changed[0].fields == ("state", "monthly_cost")
    expected = (
        sum(r.monthly_cost or 0 for r in rows[40:45])
        - sum(r.monthly_cost or 0 for r in rows[30:40])
        - (rows[0].monthly_cost or 0)
    )
    assert round(d.cost_delta, 6) == round(expected, 6)


def test_age_text() -> None:
    assert age_text("2026-11-29T09:00:00Z", NOW) == "3 h ago"
    assert age_text("nonsense", NOW) == "at an unknown time"


def test_second_start_shows_the_last_scan_then_the_changes(tmp_path: Path) -> None:
    rows = sample_resources(priced=True)
    history = ScanHistory(base=tmp_path)
    history.save(_inventory(rows[:50], "2026-11-29T09:00:00Z"))
    # This run finds rows 5..59: five gone, ten new.
    source = sample_source(resources=rows[5:])
    source.page_delay = 0.05  # slow enough to see the stale rows first

    async def run() -> None:
        app = TrackerApp(source, history=history, now=lambda: NOW, monotonic=lambda: 0.0)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: app.scan.stale)
            assert app.scan.stale
            assert "showing last scan from 3 h ago" in app.scan.progress
            assert app.table.total_count >= 50
            await wait_scan(app, pilot, timeout=30)
            assert app.scan.changes is not None
            assert (len(app.scan.changes.new), len(app.scan.changes.gone)) == (10, 5)
            assert {r.key for r in app.table.resources} == {r.key for r in rows[5:]}
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, ChangesScreen)
            # And this scan was saved for next time.
            assert len(history.files(sample_identity().account_id)) == 2

    asyncio.run(run())


# --- the stale view and the fresh scan, without a terminal ----------------------------------------


def _ended(account: str, region: str, kind: str, status: CellStatus = CellStatus.DONE) -> CellResult:
    code = "AccessDenied" if status is CellStatus.DENIED else None
    return CellResult(ScanCell(region, kind, account), status, 0, code, "no" if code else None)


def test_gone_since_drops_only_rows_of_cells_that_finished_cleanly() -> None:
    rows = sample_resources()
    volumes = [r for r in rows if r.kind == "ec2:volume"]
    lost_eu = next(v for v in volumes if v.region == "eu-west-1")
    kept, lost_us = [v for v in volumes if v.region == "us-east-1"][:2]
    results = [
        _ended(ACCOUNT_ID, "eu-west-1", "ec2:volume", CellStatus.DENIED),  # its rows cannot be known gone
        _ended(ACCOUNT_ID, lost_us.region, "ec2:volume"),
        _ended(ACCOUNT_ID, kept.region, "ec2:volume"),
    ]
    gone = gone_since([kept, lost_eu, lost_us], {kept.key}, results, global_kinds=set())
    assert gone == [lost_us.key]


def test_gone_since_finds_account_wide_kinds_in_their_global_cell() -> None:
    bucket = next(r for r in sample_resources() if r.kind == "s3:bucket" and r.region != "global")
    clean_global = [_ended(ACCOUNT_ID, "global", "s3:bucket")]
    assert gone_since([bucket], set(), clean_global, global_kinds={"s3:bucket"}) == [bucket.key]
    # Looked up in the bucket's own region instead, no cell vouches for it: it stays.
    assert gone_since([bucket], set(), clean_global, global_kinds=set()) == []
    # Another account's clean cell says nothing about this account's rows.
    other = [_ended("999999999999", "global", "s3:bucket")]
    assert gone_since([bucket], set(), other, global_kinds={"s3:bucket"}) == []


def test_scans_to_save_gives_each_account_its_rows_and_errors() -> None:
    rows = sample_resources()
    other = Identity("222222222222", alias="acme-data")
    theirs = [dataclasses.replace(r, account_id=other.account_id) for r in rows[:3]]
    results = [
        _ended(ACCOUNT_ID, "eu-west-1", "rds:db-instance", CellStatus.DENIED),
        _ended(other.account_id, "us-east-1", "ec2:volume"),
    ]
    ours, their = scans_to_save(
        [sample_identity(), other], ["us-east-1", "eu-west-1"], [*rows, *theirs], results, "2026-11-29T12:00:00Z"
    )
    assert ours.identity == sample_identity() and ours.accounts == [sample_identity()]
    assert {r.key for r in ours.resources} == {r.key for r in rows}
    assert [(e.region, e.kind, e.code, e.account_id) for e in ours.errors] == [
        ("eu-west-1", "rds:db-instance", "AccessDenied", ACCOUNT_ID)
    ]
    assert {r.key for r in their.resources} == {r.key for r in theirs} and their.errors == []
    assert ours.scanned_at == their.scanned_at == "2026-11-29T12:00:00Z"
    assert ours.regions == ["us-east-1", "eu-west-1"]


def test_combined_view_of_several_accounts_is_as_old_as_the_oldest() -> None:
    rows = sample_resources()
    one = _inventory(rows[:2], "2026-11-29T09:00:00Z")
    two = Inventory(Identity("222222222222"), ["eu-west-1"], rows[2:5], scanned_at="2026-11-28T09:00:00Z")
    assert combined_view([one]) is one
    view = combined_view([one, two])
    assert view.identity == one.identity
    assert view.resources == rows[:5]
    assert view.regions == ["eu-west-1", "us-east-1"]
    assert view.scanned_at == "2026-11-28T09:00:00Z"
