"""Several accounts scanned in worker processes, streamed back as the same events.

One Python process runs Python on one core at a time: with many accounts every scan thread
parses responses, prices rows and judges findings under the same lock as the screen's own
loop, while the machine's other cores idle.  So ``MultiSource`` hands its accounts to a pool
of worker processes (``scan_in_workers``); each worker runs today's ``ScanEngine`` (its
thread pool) for the accounts it takes, and sends what the engine emits back over a pipe,
batched by time (``BATCH_SECONDS``), so the parent's loop wakes a few dozen times a second
whatever the rate of pages.  The parent replays every event into the same sink as an
in-process scan: ``ScanRun``, the coverage grid, marks, history and ``tracker-tui scan``
cannot tell the difference.

What crosses the pipe, and why it is safe:

* **Credentials** travel in memory only (a pipe, never a file): the parent resolves each
  account's credentials (its profile's chain, or the assumed role's temporary keys) and
  sends the frozen keys with the job; the worker builds a Session over them.  A worker sees
  only the jobs it takes.
* **Kinds** travel as ids, looked up in the worker's own registry (functions are not sent).
* **Rows** travel as the model's frozen dataclasses (pickled by the ``multiprocessing``
  queue's feeder thread).

Processes come from the ``forkserver`` start method where there is one (Linux, macOS): a
small server process imports this module once, then forks a worker for each account pool in
milliseconds, and never from a process with threads running (the TUI's), which ``fork``
alone would do.  Elsewhere ``spawn``.

A worker that dies (killed, out of memory) costs only the accounts it held: each becomes
one FAILED account cell, as an account that cannot be scanned in-process does.  Cancelling
sets an event every worker watches; their engines stop between pages, and a worker that has
not ended ``CANCEL_GRACE_SECONDS`` later is terminated.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.context
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker_tui.aws.kinds import REGISTRY, price_resources
from tracker_tui.aws.scan import ScanEngine, ScanOptions, Sink
from tracker_tui.aws.session import AwsSession, SessionOptions
from tracker_tui.model import (
    GLOBAL_REGION,
    CellFinished,
    CellResult,
    CellStatus,
    Identity,
    ScanCell,
    ScanEvent,
    ScanFinished,
    ScanStarted,
)

#: How often a worker sends what its engines emitted (one pipe message per batch).
BATCH_SECONDS = 0.05
#: How much lower a worker's CPU priority is than the app's (``os.nice``).
WORKER_NICENESS = 10
#: How often a worker looks whether the parent cancelled.
STOP_POLL_SECONDS = 0.1
#: How long the parent waits for workers to end after a cancel before terminating them.
CANCEL_GRACE_SECONDS = 10.0
#: How long a dead worker's last messages may take to arrive before its accounts fail.
DEAD_WORKER_GRACE_SECONDS = 2.0
#: The kind of the one cell that stands for a whole account that could not be scanned
#: (role not assumable, identity rejected, its worker gone).  It is not one of the resource
#: kinds, so the coverage grid leaves it out, but it is a CellResult like any other: progress
#: counts it, ``error_entries`` puts it in the inventory's ``errors`` and the exit code becomes 3.
ACCOUNT_CELL_KIND = "account"
#: The environment variable botocore (and ``AwsSession``) read for an emulator endpoint.
ENDPOINT_ENV = "AWS_ENDPOINT_URL"


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Credentials:
    """Frozen keys, held in memory only.  ``repr`` never shows them (logs, tracebacks)."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AccountJob:
    """One account for a worker: who it is, where to scan, and how to sign its requests."""

    identity: Identity
    regions: tuple[str, ...]
    credentials: Credentials
    home_region: str
    endpoint_url: str | None = None
    #: botocore's Config for every client (timeouts, retries), as the parent's session has it.
    config: Any = None
    #: ``AwsSession.request_delay`` (the demo's and the benchmarks' simulated latency); must
    #: pickle (``demo.Latency`` does).
    request_delay: Callable[[str, str], float] | None = None


@dataclass(frozen=True)
class WorkerPlan:
    """What every worker does with its jobs: the kinds (ids), the engine's options, prices."""

    kinds: tuple[str, ...]
    options: ScanOptions
    live_prices: bool = False
    #: Accounts each worker scans at once (threads, each running one account's engine).
    accounts_at_once: int = 1


def job_for(session: AwsSession, identity: Identity, regions: Sequence[str]) -> AccountJob:
    """The job for an account the parent connected to through ``session``.

    Raises:
        botocore's credential errors: the chain cannot give credentials any more (the
        caller turns that into the account's failure).
    """
    credentials = session.boto.get_credentials()
    if credentials is None:
        raise ValueError("no credentials")
    frozen = credentials.get_frozen_credentials()  # refreshed first when about to expire
    return AccountJob(
        identity=identity,
        regions=tuple(regions),
        credentials=Credentials(frozen.access_key, frozen.secret_key, frozen.token),
        home_region=session.home_region,
        endpoint_url=session.endpoint_url,
        config=session.config,
        request_delay=session.request_delay,
    )


# --- messages from workers ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Begun:
    worker: int
    account_id: str
    #: ``time.monotonic()`` in the worker: the same clock as the parent's (the system's).
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class _Done:
    """An account's engine ended: its results, or why it could not run."""

    worker: int
    account_id: str
    results: tuple[CellResult, ...] = ()
    error: tuple[str, str] | None = None
    price_problems: tuple[str, ...] = ()
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class _WorkerEnded:
    """A worker took its last job; what it cost (for ``PoolReport`` and the benchmarks)."""

    worker: int
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0
    requests: int = 0


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (Linux's VmHWM; 0 where unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- the worker process ---------------------------------------------------------------------------


class _Outbox:
    """Collects a worker's messages and sends them as one list every ``interval`` seconds."""

    def __init__(self, out: Any, interval: float) -> None:
        self._out = out
        self._interval = interval
        self._items: list[Any] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def put(self, item: Any) -> None:
        with self._lock:
            self._items.append(item)

    def _run(self) -> None:
        while not self._closed.wait(self._interval):
            self.flush()

    def flush(self) -> None:
        with self._lock:
            items, self._items = self._items, []
        if items:
            self._out.put(items)

    def close(self) -> None:
        self._closed.set()
        self._thread.join()
        self.flush()


def _session_for(job: AccountJob) -> AwsSession:
    """A session signing with the job's keys, nothing read from disk or the environment."""
    from tracker_tui.aws.session import new_boto_session

    boto = new_boto_session(
        aws_access_key_id=job.credentials.access_key,
        aws_secret_access_key=job.credentials.secret_key,
        aws_session_token=job.credentials.token,
        region_name=job.home_region,
    )
    return AwsSession(
        SessionOptions(endpoint_url=job.endpoint_url, home_region=job.home_region),
        boto_session=boto,
        config=job.config,
        request_delay=job.request_delay,
    )


def _scan_account(
    index: int, job: AccountJob, plan: WorkerPlan, outbox: _Outbox, cancel: threading.Event, sent: list[int]
) -> None:
    from tracker_tui.pricing.live import LivePrices

    account = job.identity.account_id
    outbox.put(_Begun(index, account))
    try:
        session = _session_for(job)
        engine = ScanEngine(session, job.identity, job.regions, [REGISTRY[k] for k in plan.kinds], plan.options)
        book = LivePrices(session if plan.live_prices else None, fetch=plan.live_prices)
        engine.pricer = functools.partial(price_resources, book=book)

        def sink(event: ScanEvent) -> None:
            if not isinstance(event, (ScanStarted, ScanFinished)):
                outbox.put(event)

        try:
            finished = engine.run(sink, cancel)
        finally:
            sent.append(getattr(session, "requests_sent", 0))
        outbox.put(_Done(index, account, finished.results, price_problems=tuple(book.problems)))
    except Exception as exc:  # noqa: BLE001 - one account never stops the others
        outbox.put(_Done(index, account, error=(type(exc).__name__, f"internal error: {exc}")))


def worker_main(index: int, jobs: Any, out: Any, stop: Any, plan: WorkerPlan, endpoint_env: str | None) -> None:
    """A worker process: take jobs until the sentinel (None), ``plan.accounts_at_once`` at a time."""
    # ctrl+c reaches the whole process group; the parent cancels through ``stop``.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _quiet_stdio()
    # The operator's screen first: workers take the cores it leaves (a busy worker must never
    # make a keystroke wait), and a machine shared with other work barely notices the scan.
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)
    # The forkserver's environment is the one it started with: botocore must see the
    # parent's endpoint (or none), never a stale one.
    if endpoint_env:
        os.environ[ENDPOINT_ENV] = endpoint_env
    else:
        os.environ.pop(ENDPOINT_ENV, None)
    cancel = threading.Event()

    def watch() -> None:
        # Polled, never ``stop.wait()``: a process blocked in that wait counts as a sleeper
        # the parent's ``stop.set()`` waits to wake, so one that died there would hang it.
        while not stop.is_set():
            time.sleep(STOP_POLL_SECONDS)
        cancel.set()

    threading.Thread(target=watch, name="cancel", daemon=True).start()
    outbox = _Outbox(out, BATCH_SECONDS)
    sent: list[int] = []  # requests per account scanned (list.append is atomic)

    def take() -> None:
        while not cancel.is_set():
            job = jobs.get()
            if job is None:
                return
            _scan_account(index, job, plan, outbox, cancel, sent)

    threads = [threading.Thread(target=take, name=f"account-{i}") for i in range(max(1, plan.accounts_at_once))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outbox.put(_WorkerEnded(index, peak_rss_mb(), time.process_time(), sum(sent)))
    outbox.close()


# --- the parent -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _stderr_with_a_descriptor() -> Iterator[None]:
    """``sys.stderr`` as a real file while helper processes start.

    multiprocessing hands its resource tracker ``sys.stderr.fileno()``; under the TUI that is
    Textual's capture object, with no descriptor (``-1``), and the start fails ("bad value(s)
    in fds_to_keep").  The original stream stands in for those few milliseconds.
    """
    current = sys.stderr
    try:
        current.fileno()
        valid = current.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        valid = False
    if valid or sys.__stderr__ is None:
        yield
        return
    sys.stderr = sys.__stderr__
    try:
        yield
    finally:
        sys.stderr = current


def _quiet_stdio() -> None:
    """A worker writes nothing to the terminal: its descriptors 0-2 are the fork server's,
    i.e. the terminal the TUI draws on (Textual captures only Python's ``sys.stderr``).  A
    stray warning from a library would scribble over the screen; what a worker has to say
    travels as messages."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # The server imports the engine, every kind and botocore, and parses the services'
        # models, once; each worker is a fork that starts with all of it.
        ctx.set_forkserver_preload([__name__, "tracker_tui.aws.worker_preload"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def warm_up() -> None:
    """Start the fork server now (its imports overlap whatever the caller does next)."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _stderr_with_a_descriptor():
            forkserver.ensure_running()


@dataclass
class PoolReport:
    """What the workers sent back beside the events."""

    results: list[CellResult] = field(default_factory=list)
    price_problems: list[str] = field(default_factory=list)
    #: Peak resident memory of each worker (MB), read from the OS as it ended (0 if unknown).
    peak_rss_mb: list[float] = field(default_factory=list)
    #: CPU seconds each worker used, and HTTP requests its sessions sent.
    cpu_seconds: list[float] = field(default_factory=list)
    requests: int = 0
    #: When each account's engine began and ended in its worker (``time.monotonic()``).
    account_windows: dict[str, tuple[float, float]] = field(default_factory=dict)


def account_result(account_id: str, status: CellStatus, code: str, message: str) -> CellResult:
    """The one cell that says how a whole account ended when it could not be scanned."""
    return CellResult(ScanCell(GLOBAL_REGION, ACCOUNT_CELL_KIND, account_id), status, 0, code, message)


def scan_in_workers(
    jobs: Sequence[AccountJob], plan: WorkerPlan, workers: int, sink: Sink, cancel: threading.Event
) -> PoolReport:
    """Scan ``jobs`` in ``workers`` processes, every event into ``sink`` (in this thread).

    Returns each account's cell results (an account whose engine or worker failed: one
    FAILED account cell, already sent to ``sink``), and what the workers' price books said.
    """
    report = PoolReport()
    if not jobs:
        return report
    ctx = _context()
    workers = max(1, min(workers, len(jobs)))
    with _stderr_with_a_descriptor():  # the queues' locks start multiprocessing's resource tracker
        job_queue: Any = ctx.Queue()
        out: Any = ctx.Queue()
        stop: Any = ctx.Event()
        # Leftover jobs (a cancel) must not hold this process's exit on the feeder thread.
        job_queue.cancel_join_thread()
        for job in jobs:
            job_queue.put(job)
        for _ in range(workers * max(1, plan.accounts_at_once)):
            job_queue.put(None)  # one end mark for each account thread of each worker
        processes = [
            ctx.Process(  # type: ignore[attr-defined]
                target=worker_main,
                args=(i, job_queue, out, stop, plan, os.environ.get(ENDPOINT_ENV)),
                name=f"tracker-tui-scan-{i}",
                daemon=True,
            )
            for i in range(workers)
        ]
        for process in processes:
            process.start()
    holding: dict[str, int] = {}
    done: set[str] = set()
    ended: set[int] = set()
    dead_since: dict[int, float] = {}
    cancel_deadline: float | None = None

    def fail(account_id: str, code: str, message: str) -> None:
        result = account_result(account_id, CellStatus.FAILED, code, message)
        report.results.append(result)
        done.add(account_id)
        sink(CellFinished(result))

    def bury_the_dead() -> None:
        """A worker gone without saying so (killed): once its last messages had time to
        arrive, the accounts it held fail; the ones it never took go to the others."""
        now = time.monotonic()
        for i, process in enumerate(processes):
            if i in ended or process.is_alive():
                continue
            if now - dead_since.setdefault(i, now) < DEAD_WORKER_GRACE_SECONDS:
                continue
            ended.add(i)
            for account_id, worker in list(holding.items()):
                if worker == i and account_id not in done:
                    message = f"the worker process scanning it ended (exit code {process.exitcode})"
                    fail(account_id, "WorkerExited", message)

    checked = time.monotonic()
    try:
        while len(ended) < workers:
            if cancel.is_set() and cancel_deadline is None:
                stop.set()
                cancel_deadline = time.monotonic() + CANCEL_GRACE_SECONDS
            if cancel_deadline is not None and time.monotonic() > cancel_deadline:
                break
            if time.monotonic() - checked > DEAD_WORKER_GRACE_SECONDS / 4:
                # Also while the others keep the pipe busy: the dead one's accounts fail now,
                # not once everyone else is done.
                checked = time.monotonic()
                bury_the_dead()
            try:
                batch = out.get(timeout=0.1)
            except queue.Empty:
                bury_the_dead()
                continue
            for item in batch:
                if isinstance(item, _Begun):
                    holding[item.account_id] = item.worker
                    report.account_windows[item.account_id] = (item.at, item.at)
                elif isinstance(item, _Done):
                    began = report.account_windows.get(item.account_id, (item.at, item.at))[0]
                    report.account_windows[item.account_id] = (began, item.at)
                    report.price_problems.extend(p for p in item.price_problems if p not in report.price_problems)
                    if item.error is not None:
                        fail(item.account_id, *item.error)
                    else:
                        report.results.extend(item.results)
                        done.add(item.account_id)
                elif isinstance(item, _WorkerEnded):
                    ended.add(item.worker)
                    report.peak_rss_mb.append(item.peak_rss_mb)
                    report.cpu_seconds.append(item.cpu_seconds)
                    report.requests += item.requests
                else:
                    sink(item)
    finally:
        stop.set()
        for process in processes:
            process.join(timeout=0 if cancel_deadline is not None else 5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        out.close()
        job_queue.close()
    if not cancel.is_set():
        for job in jobs:
            account_id = job.identity.account_id
            if account_id not in done:
                fail(account_id, "WorkerExited", "not scanned: every worker process ended before it")
    return report
