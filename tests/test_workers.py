"""Several accounts in worker processes (``aws.workers``): the same events, the same inventory.

Worker processes cannot see ``mock_aws`` (it patches this process only), so these tests run
an Organization of 20 member accounts on the demo's moto server (``support.org_server``).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.exceptions
import pytest

from tests.support import fake_workers
from tests.support.fake_workers import live_worker_pids
from tests.support.helpers import ROLE
from tests.support.org_server import KINDS, MEMBERS, REGIONS, org_server
from tracker_tui import cli
from tracker_tui.aws import source as source_module
from tracker_tui.aws import workers as workers_module
from tracker_tui.aws.accounts import org_role_sessions
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import Collector, ScanOptions
from tracker_tui.aws.session import AwsSession, SessionOptions
from tracker_tui.aws.source import MultiSource
from tracker_tui.aws.workers import ACCOUNT_CELL_KIND, AccountJob, Credentials, WorkerPlan, job_for, scan_in_workers
from tracker_tui.demo import Latency
from tracker_tui.model import CellFinished, CellStatus, Identity, ResourcesFound, ScanFinished, ScanStarted


@pytest.fixture(scope="module")
def server() -> Iterator[SimpleNamespace]:
    with org_server() as running:
        yield running


def _base(server: SimpleNamespace, delay_ms: float = 0) -> AwsSession:
    return AwsSession(
        SessionOptions(endpoint_url=server.endpoint, home_region="us-east-1"),
        boto_session=boto3.Session(region_name="us-east-1"),
        request_delay=Latency(delay_ms) if delay_ms else None,
    )


def _source(
    server: SimpleNamespace, workers: int, *, delay_ms: float = 0, accounts: int | None = None, **kwargs: Any
) -> MultiSource:
    ids = [server.management, *server.members][:accounts]
    base = _base(server, delay_ms)
    return MultiSource(
        lambda: org_role_sessions(base, ROLE, account_ids=ids),
        resolve_kinds(list(KINDS)),
        REGIONS,
        ScanOptions(),
        workers=workers,
        **kwargs,
    )


def _rows(collector: Collector) -> list[str]:
    """Every row as JSON; a role's ``last_used`` aside (each scan's AssumeRole uses the role)."""
    rows = []
    for r in collector.resources:
        row = dataclasses.asdict(r)
        if r.kind == "iam:role":
            row["details"].pop("last_used", None)
        rows.append(json.dumps(row, sort_keys=True, default=str))
    return sorted(rows)


def _cells(results: Any) -> list[tuple[str, str, str, str, int]]:
    return sorted((r.cell.account_id, r.cell.region, r.cell.kind, r.status.value, r.count) for r in results)


class Events:
    """A sink that keeps every event in order (thread-safe: called from the scan's threads)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.lock = threading.Lock()
        self.on_event: Any = None

    def __call__(self, event: Any) -> None:
        with self.lock:
            self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)


def test_workers_scan_exactly_what_one_process_scans(server: SimpleNamespace) -> None:
    threads, processes = Collector(), Collector()
    in_process = _source(server, workers=0)
    in_process.scan(threads, threading.Event())
    pooled = _source(server, workers=2)
    finished = pooled.scan(processes, threading.Event())

    assert pooled.last_pool is not None and len(pooled.last_pool.cpu_seconds) == 2  # it did use two workers
    assert in_process.last_pool is None
    assert len({r.account_id for r in processes.resources}) == MEMBERS + 1
    assert _rows(processes) == _rows(threads)
    assert _cells(processes.results) == _cells(threads.results) == _cells(finished.results)
    assert processes.total_cells == threads.total_cells == len(finished.results)
    assert pooled.last_pool.requests > 0


def test_events_come_in_the_engines_order_and_every_account_streams_at_once(server: SimpleNamespace) -> None:
    events = Events()
    source = _source(server, workers=2, delay_ms=150, accounts=6)
    source.scan(events, threading.Event())
    kinds = [type(e) for e in events.events]
    assert kinds[0] is ScanStarted and kinds.count(ScanStarted) == 1
    assert kinds[-1] is ScanFinished and kinds.count(ScanFinished) == 1
    started: ScanStarted = events.events[0]
    finished_cells = [e.result.cell for e in events.events if isinstance(e, CellFinished)]
    assert sorted(map(repr, finished_cells)) == sorted(map(repr, started.cells))
    # Every account's rows came in, and the six accounts were scanned side by side (two
    # workers, three accounts each at once), not one after another: at some moment at least
    # three (more than two workers with one account each would give) were between their
    # engine's start and end, by the workers' clock.  (Event order is no measure of that: on a
    # loaded machine a starved worker sends whole accounts in one 50 ms batch.)
    assert {e.cell.account_id for e in events.events if isinstance(e, ResourcesFound)} == set(source.connections)
    assert source.last_pool is not None
    windows = source.last_pool.account_windows
    assert set(windows) == set(source.connections) and all(a < b for a, b in windows.values())
    in_flight = max(sum(1 for a, b in windows.values() if a <= t < b) for t, _ in windows.values())
    assert in_flight >= 3


def test_cancel_stops_every_worker_between_accounts_and_pages(server: SimpleNamespace) -> None:
    events = Events()
    cancel = threading.Event()

    def on_event(event: Any) -> None:
        if isinstance(event, ResourcesFound):
            cancel.set()

    events.on_event = on_event
    # Two workers, one account each at a time: twelve accounts take six rounds.
    source = _source(server, workers=2, delay_ms=100, accounts=12, account_parallelism=2)
    finished = source.scan(events, cancel)
    assert finished.cancelled
    assert events.events[-1] is finished
    started: ScanStarted = events.events[0]
    ran = {r.cell.account_id for r in finished.results}
    assert 1 <= len(ran) <= 4  # the accounts in hand when it was cancelled, not the other eight
    assert len(finished.results) < len(started.cells) / 2


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_a_dead_worker_fails_only_the_accounts_it_held(server: SimpleNamespace) -> None:
    events = Events()
    killed: list[int] = []

    def on_event(event: Any) -> None:
        if isinstance(event, ResourcesFound) and not killed:
            pids = live_worker_pids()
            if pids:
                killed.append(pids[0])
                os.kill(pids[0], signal.SIGKILL)

    events.on_event = on_event
    source = _source(server, workers=2, delay_ms=30, accounts=8)
    finished = source.scan(events, threading.Event())
    assert killed
    assert not finished.cancelled
    lost = [r for r in finished.results if r.cell.kind == ACCOUNT_CELL_KIND]
    assert lost and all(r.status is CellStatus.FAILED and r.code == "WorkerExited" for r in lost)
    message = lost[0].message or ""
    assert "ended (exit code -9)" in message or "every worker process ended" in message
    # The other worker's accounts were scanned whole.
    lost_ids = {r.cell.account_id for r in lost}
    scanned = {r.account_id for e in events.events if isinstance(e, ResourcesFound) for r in e.resources}
    assert scanned - lost_ids
    assert len(lost_ids) < 8


def test_a_worker_killed_halfway_through_a_message_fails_only_the_account_it_held(
    server: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Worker 0 takes an account and dies with half a batch in its pipe; worker 1 is real.
    monkeypatch.setattr(workers_module, "worker_main", fake_workers.dies_mid_message)
    events = Events()
    source = _source(server, workers=2, accounts=4, account_parallelism=2)
    finished = source.scan(events, threading.Event())
    lost = [r for r in finished.results if r.cell.kind == ACCOUNT_CELL_KIND]
    assert [(r.status, r.code) for r in lost] == [(CellStatus.FAILED, "WorkerExited")]
    assert "ended (exit code -9)" in (lost[0].message or "")
    scanned = {r.account_id for e in events.events if isinstance(e, ResourcesFound) for r in e.resources}
    assert scanned == set(source.connections) - {lost[0].cell.account_id}  # the other three, whole
    assert events.events[-1] is finished and not finished.cancelled


def test_cancel_ends_the_scan_even_with_a_worker_that_never_answers(
    server: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers_module, "worker_main", fake_workers.never_answers)
    monkeypatch.setattr(workers_module, "CANCEL_GRACE_SECONDS", 5.0)  # time for worker 1 to stop, niced, under load
    cancel = threading.Event()
    events = Events()

    def on_event(event: Any) -> None:
        if isinstance(event, ResourcesFound):
            cancel.set()  # worker 1 is scanning; worker 0 holds its account and is silent

    events.on_event = on_event
    source = _source(server, workers=2, delay_ms=50, accounts=4, account_parallelism=2)
    finished = source.scan(events, cancel)
    assert finished.cancelled
    assert source.last_pool is not None and len(source.last_pool.cpu_seconds) == 1  # worker 1 ended itself
    assert live_worker_pids() == []  # the silent one was terminated, not left behind


def test_a_worker_whose_parent_is_gone_stops_and_exits(server: SimpleNamespace) -> None:
    # The TUI killed outright: its end of each worker's pipe closes, and no worker may go on
    # scanning (or wait for a next account) with no one to report to.
    source = _source(server, workers=2, delay_ms=100, accounts=2)
    source.connect()
    account = server.members[0]
    job = job_for(source.session_for(account), source.connections[account].identity, REGIONS)
    ctx = workers_module._context()
    own_end, worker_end = ctx.Pipe()
    plan = WorkerPlan(kinds=KINDS, options=ScanOptions(), accounts_at_once=2)
    process = ctx.Process(target=workers_module.worker_main, args=(0, worker_end, plan, server.endpoint), daemon=True)  # type: ignore[attr-defined]
    process.start()
    try:
        worker_end.close()
        own_end.send(job)
        assert isinstance(own_end.recv()[0], workers_module._Begun)  # scanning
        own_end.close()
        process.join(60)
        assert process.exitcode == 0
    finally:
        process.kill()  # never left behind, whatever failed


def test_one_account_is_scanned_in_this_process(server: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("one account must not start worker processes")

    monkeypatch.setattr(source_module, "scan_in_workers", refuse)
    collector = Collector()
    source = _source(server, workers=4, accounts=1)
    finished = source.scan(collector, threading.Event())
    assert not finished.cancelled and collector.resources
    assert {r.account_id for r in collector.resources} == {server.management}


def test_credentials_that_cannot_be_had_any_more_fail_that_account_only(
    server: SimpleNamespace,
) -> None:
    source = _source(server, workers=2, accounts=3)
    source.connect()
    broken = list(source.connections)[1]

    def expired() -> Any:
        raise botocore.exceptions.NoCredentialsError()

    source.session_for(broken).boto.get_credentials = expired
    collector = Collector()
    finished = source.scan(collector, threading.Event())
    failed = [r for r in finished.results if r.cell.kind == ACCOUNT_CELL_KIND]
    assert [(r.cell.account_id, r.status) for r in failed] == [(broken, CellStatus.DENIED)]
    assert "no AWS credentials found" in (failed[0].message or "")
    assert {r.account_id for r in collector.resources} == set(source.connections) - {broken}


def test_a_job_keeps_its_keys_out_of_reprs_and_travels_whole() -> None:
    job = AccountJob(
        identity=Identity("111122223333", "arn:aws:iam::111122223333:root"),
        regions=("us-east-1",),
        credentials=Credentials("AKIAEXAMPLE", "s3cr3t-key", "t0ken"),
        home_region="us-east-1",
        request_delay=Latency(5),
    )
    assert "s3cr3t-key" not in repr(job) and "t0ken" not in repr(job)
    assert pickle.loads(pickle.dumps(job)) == job  # the pipe to a worker pickles it


def test_no_jobs_start_no_workers() -> None:
    plan = WorkerPlan(kinds=KINDS, options=ScanOptions())
    report = scan_in_workers([], plan, 4, Events(), threading.Event())
    assert report.results == [] and report.peak_rss_mb == []


def test_cli_org_role_in_workers_writes_what_one_process_writes(
    server: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --endpoint-url sets AWS_ENDPOINT_URL for botocore's own calls: gone again after the test.
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    outputs = []
    for workers in ("0", "2"):
        out, err = io.StringIO(), io.StringIO()
        argv = ["scan", "--endpoint-url", server.endpoint, "--org-role", ROLE, "--workers", workers,
                "--region", "us-east-1", "--region", "eu-west-1", "--format", "json"]  # fmt: skip
        for kind in KINDS:
            argv += ["--kind", kind]
        code = cli.main(argv, stdout=out, stderr=err)
        assert code == 0, err.getvalue()
        data = json.loads(out.getvalue())
        data.pop("scanned_at", None)
        for row in data["resources"]:
            if row["kind"] == "iam:role":
                row["details"].pop("last_used", None)  # each scan's AssumeRole uses the role
        outputs.append(data)
    assert len(outputs[1]["accounts"]) == MEMBERS + 1
    assert outputs[0] == outputs[1]


def test_config_workers_is_read_and_checked(tmp_path: Path) -> None:
    from tracker_tui.config import config_path, load_settings

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("workers = 3\n", encoding="utf-8")
    assert load_settings().workers == 3
    path.write_text("workers = -1\n", encoding="utf-8")
    settings = load_settings()
    assert settings.workers is None
    assert any("'workers' must be a whole number from 0" in w for w in settings.warnings)
