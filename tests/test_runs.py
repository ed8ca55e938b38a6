"""The headless runs (``tracker_tui.runs``): a scan, an action run and the idle checks taken
in pieces, as the app's timer and ``tracker-tui scan`` take them, without a terminal."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.support.estate import NOW, sample_identity, sample_resources, sample_source
from tracker_tui.aws.actions import ActionUpdate, PlannedAction, Status
from tracker_tui.aws.idle import IdleReport, plan_checks
from tracker_tui.aws.kinds import Thresholds
from tracker_tui.aws.source import Connection
from tracker_tui.history import ScanHistory
from tracker_tui.model import ScanFinished
from tracker_tui.runs import ActionRun, IdleRun, ScanDelta, ScanRun, rows_of
from tracker_tui.store import Inventory


def _drain(run: ScanRun, max_rows: int = 10_000) -> list[ScanDelta]:
    """Every delta of the scan in flight, in order, until it ends."""
    deltas = []
    assert run.join(30)
    while run.scanning:
        deltas.append(run.take(max_rows))
    return deltas


def test_a_scan_is_taken_in_pieces_of_at_most_max_rows() -> None:
    rows = sample_resources()
    run = ScanRun(sample_source(resources=rows), now=lambda: NOW)
    run.start()
    deltas = _drain(run, max_rows=7)
    # A take stops once it holds max_rows (pages are 5 rows: it may hold up to 11).
    assert all(len(d.rows) < 7 + 5 for d in deltas)
    assert all(d.more for d in deltas[:-1]) and not deltas[-1].more
    assert deltas[0].connected is not None and deltas[0].connected.identity == sample_identity()
    assert deltas[-1].finished and deltas[-1].complete
    assert {r.key for r in rows_of(deltas)} == {r.key for r in rows}
    assert run.resources_found == len(rows)
    assert len(run.results) == run.total_cells > 0
    assert run.progress.startswith(f"scan complete: {run.total_cells} cells · {len(rows)} found")


def test_a_restart_drops_the_cancelled_scans_leftovers() -> None:
    source = sample_source()
    run = ScanRun(source, now=lambda: NOW)
    run.start()
    assert run.join(30)  # the first scan queued everything ...
    run.start()  # ... and a second one started before anything was taken
    assert run.generation == 2
    deltas = _drain(run)
    assert sum(1 for d in deltas if d.connected) == 1  # one Connected: the first scan's was dropped
    assert len(rows_of(deltas)) == len(source.resources)
    assert source.scans == 2


def test_a_source_that_cannot_connect_ends_the_scan_with_one_notice() -> None:
    class Refusing:
        def connect(self) -> Connection:
            raise RuntimeError("The security token included in the request is expired")

    run = ScanRun(Refusing(), now=lambda: NOW)  # type: ignore[arg-type]
    run.start()
    (delta,) = _drain(run)
    assert delta.finished and not delta.complete and not delta.rows
    (notice,) = delta.notices
    assert notice.severity == "error" and "expired" in notice.text
    assert run.progress == "error: The security token included in the request is expired"


def test_the_last_scan_shows_first_then_goes_where_the_new_one_did_not_find_it(tmp_path: Path) -> None:
    rows = sample_resources(priced=True)
    history = ScanHistory(base=tmp_path)
    history.save(
        Inventory(identity=sample_identity(), regions=["us-east-1"], resources=rows[:50], errors=[],
                  scanned_at="2026-11-29T09:00:00Z")
    )  # fmt: skip
    run = ScanRun(sample_source(resources=rows[5:]), history=history, now=lambda: NOW)
    run.start()
    deltas = _drain(run)
    first = deltas[0]
    assert first.connected is not None and {r.key for r in first.rows} >= {r.key for r in rows[:5]}
    last = deltas[-1]
    assert sorted(last.removed) == sorted(r.key for r in rows[:5])  # the five not found again
    assert {r.key for r in rows_of(deltas)} == {r.key for r in rows[5:]}
    assert run.changes is not None and (len(run.changes.new), len(run.changes.gone)) == (10, 5)
    assert any(n.title == "Changes" and n.text.startswith("10 new, 5 gone") for n in last.notices)
    assert len(history.files(sample_identity().account_id)) == 2  # and this scan was saved


def test_the_scan_passes_its_thresholds_to_the_source() -> None:
    seen: list[Thresholds] = []
    source = sample_source()
    scan = source.scan

    def spy(sink: Any, cancel: threading.Event, thresholds: Thresholds | None = None) -> ScanFinished:
        assert thresholds is not None
        seen.append(thresholds)
        return scan(sink, cancel, thresholds=thresholds)

    source.scan = spy  # type: ignore[method-assign]
    limits = Thresholds(snapshot_max_age_days=30)
    run = ScanRun(source, thresholds=limits, now=lambda: NOW)
    run.start()
    _drain(run)
    assert seen == [limits]


def test_an_action_run_reports_changed_and_deleted_rows_and_then_ends() -> None:
    rows = sample_resources()
    stopped, deleted = rows[0], rows[1]
    release = threading.Event()

    class Runner:
        def run(self, planned: list[PlannedAction], on_update: Any) -> None:
            on_update(ActionUpdate(stopped, "stop", Status.DONE, result=stopped))
            release.wait(10)
            on_update(ActionUpdate(deleted, "delete", Status.DONE, deleted=True))

    run = ActionRun(Runner(), [PlannedAction(stopped, "stop"), PlannedAction(deleted, "delete")])  # type: ignore[arg-type]
    run.start()
    assert run.running
    first = run.take()
    while not first.updates:
        first = run.take()
    assert first.rows == [stopped] and not first.removed and not first.finished and run.running
    release.set()
    assert run.join(10)
    second = run.take()
    assert second.removed == [deleted.key] and second.finished and not run.running


def test_an_action_run_that_raises_still_ends() -> None:
    class Broken:
        def run(self, planned: list[PlannedAction], on_update: Any) -> None:
            raise RuntimeError("boom")

    run = ActionRun(Broken(), [])  # type: ignore[arg-type]
    run.start()
    run.join(10)
    delta = run.take()
    assert delta.finished and not run.running
    assert delta.error == "RuntimeError: boom"


def test_the_idle_run_reports_its_end_once() -> None:
    run = IdleRun(plan_checks([]), lambda account: None, Thresholds(), generation=3)
    run.start()
    assert run.join(10)
    delta = run.take()
    assert isinstance(delta.report, IdleReport) and delta.finished and not run.running
    assert not run.take().finished  # taken once


def test_an_idle_run_that_fails_says_why() -> None:
    rows = [r for r in sample_resources() if r.kind == "ec2:instance" and r.state == "running"]
    plan = plan_checks(rows)
    assert plan.targets

    def no_session(account: str) -> Any:
        raise KeyError("no session for " + account)

    run = IdleRun(plan, no_session, Thresholds(), generation=1)
    run.start()
    assert run.join(10)
    delta = run.take()
    assert delta.finished and (delta.failure or (delta.report is not None and delta.report.failures))



def test_quitting_lets_an_action_run_in_flight_finish(tmp_path: Path) -> None:
    """The process ends only once the run has finished: never between a call and its audit line."""
    done = tmp_path / "done"
    code = f"""
import time
from tracker_tui.runs import ActionRun

class Runner:
    def run(self, planned, on_update):
        time.sleep(0.5)  # a call in flight when the operator quits
        open({str(done)!r}, "w").write("audited after")

ActionRun(Runner(), []).start()
"""  # the script ends (the app quits) at once
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
    assert done.read_text() == "audited after"


def test_collect_once_settled_frees_cycles_and_freezes_what_lives() -> None:
    """As a rescan starts, the app collects the cycles the frozen rows left, then freezes again."""
    import gc
    import weakref

    from tracker_tui.runs import collect_once_settled

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    gone = weakref.ref(a)
    gc.freeze()  # as the app does after a drain: the cycle is frozen with the rest
    del a, b
    assert gone() is not None  # a frozen cycle waits...
    collect_once_settled()
    assert gone() is None  # ...until the next scan starts
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
