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
* **Rows** travel as the model's frozen dataclasses (pickled by the worker's outbox thread).

Processes come from the ``forkserver`` start method where there is one (Linux, macOS): a
small server process imports this module once, then forks a worker for each account pool in
milliseconds, and never from a process with threads running (the TUI's), which ``fork``
alone would do.  Elsewhere ``spawn``.

Each worker has a pipe of its own to the parent, and nothing else shared: no queue, lock or
event that all of them use.  A process killed while it held a lock shared with others (a
``multiprocessing.Queue``'s write lock, an ``Event``'s condition) would never release it,
and every other worker, and the parent waiting on them, would hang.  The parent hands out the
accounts itself, one per free account slot of a worker (``WorkerPlan.accounts_at_once``), so a
fast worker takes more; the worker answers each with the account's events and its end.

A worker that dies (killed, out of memory) costs only the accounts it held: its pipe ends,
and each of them becomes one FAILED account cell, as an account that cannot be scanned
in-process does; the accounts no worker took yet go to the others.  Cancelling sends every
worker a stop; their engines stop between pages, and a worker that has not ended
``CANCEL_GRACE_SECONDS`` later is terminated.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
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
#: How long the parent waits for workers to end after a cancel before terminating them.
CANCEL_GRACE_SECONDS = 10.0
#: How long the parent waits for a worker whose pipe ended to exit (for its exit code), and
#: how long a worker may be seen dead with its pipe still open before its accounts fail.
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


#: What the parent sends a worker in place of a job to cancel its scan.
_STOP = "stop"


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
    """Collects a worker's messages and sends them as one list every ``interval`` seconds.

    ``flush`` may also be called by the account threads (an account's end goes at once: the
    parent answers it with the next account); one lock keeps two sends from interleaving.
    """

    def __init__(self, link: Connection, interval: float) -> None:
        self._link = link
        self._interval = interval
        self._items: list[Any] = []
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
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
        with self._send_lock:
            with self._lock:
                items, self._items = self._items, []
            if items:
                with contextlib.suppress(OSError):  # the parent is gone: the listener stops the scan
                    self._link.send(items)

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


def worker_main(index: int, link: Connection, plan: WorkerPlan, endpoint_env: str | None) -> None:
    """A worker process: scan the accounts the parent sends over ``link``, ``plan.accounts_at_once``
    at a time, until each account thread has had its end mark (None).

    ``link`` is this worker's own pipe: jobs, end marks and ``_STOP`` come in, batches of
    events go out.  The parent gone (the pipe's end) stops the scan as a ``_STOP`` does.
    """
    # ctrl+c reaches the whole process group; the parent cancels through ``_STOP``.
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
    slots = max(1, plan.accounts_at_once)
    cancel = threading.Event()
    inbox: queue.SimpleQueue[AccountJob | None] = queue.SimpleQueue()

    def listen() -> None:
        try:
            while True:
                message = link.recv()
                if isinstance(message, str):  # _STOP
                    break
                inbox.put(message)
        except (EOFError, OSError):
            pass  # the parent is gone
        cancel.set()
        for _ in range(slots):
            inbox.put(None)  # wakes every account thread still waiting for a job

    threading.Thread(target=listen, name="listen", daemon=True).start()
    outbox = _Outbox(link, BATCH_SECONDS)
    sent: list[int] = []  # requests per account scanned (list.append is atomic)

    def take() -> None:
        while True:
            job = inbox.get()
            if job is None or cancel.is_set():
                return
            _scan_account(index, job, plan, outbox, cancel, sent)
            outbox.flush()  # the account's end now: the parent answers it with this slot's next

    threads = [threading.Thread(target=take, name=f"account-{i}") for i in range(slots)]
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
    slots = max(1, plan.accounts_at_once)
    with _stderr_with_a_descriptor():  # starting a process starts multiprocessing's resource tracker
        pipes = [ctx.Pipe() for _ in range(workers)]
        processes = [
            ctx.Process(  # type: ignore[attr-defined]
                target=worker_main,
                args=(i, worker_end, plan, os.environ.get(ENDPOINT_ENV)),
                name=f"tracker-tui-scan-{i}",
                daemon=True,
            )
            for i, (_, worker_end) in enumerate(pipes)
        ]
        for process in processes:
            process.start()
    links: dict[int, Connection] = {}
    for i, (own_end, worker_end) in enumerate(pipes):
        worker_end.close()  # the worker holds the only other end: its death ends the pipe here
        links[i] = own_end
    pending = deque(jobs)
    assigned: dict[str, int] = {}  # account -> the worker it was sent to
    done: set[str] = set()
    ended: set[int] = set()
    dead_since: dict[int, float] = {}
    cancel_deadline: float | None = None

    def fail(account_id: str, code: str, message: str) -> None:
        result = account_result(account_id, CellStatus.FAILED, code, message)
        report.results.append(result)
        done.add(account_id)
        sink(CellFinished(result))

    def give(i: int) -> None:
        """The next account (or, when none is left, the end mark) for a free slot of worker ``i``."""
        if cancel_deadline is not None or i not in links:
            return
        job = pending.popleft() if pending else None
        try:
            links[i].send(job)
        except OSError:  # gone: its pipe's end says so on the next read
            if job is not None:
                pending.appendleft(job)
            return
        if job is not None:
            assigned[job.identity.account_id] = i

    def lost(i: int) -> None:
        """Worker ``i``'s pipe ended before it said it was done: the accounts it held fail."""
        with contextlib.suppress(OSError):
            links.pop(i).close()
        ended.add(i)
        processes[i].join(DEAD_WORKER_GRACE_SECONDS)
        code = processes[i].exitcode
        ending = f"ended (exit code {code})" if code is not None else "stopped answering"
        for account_id, worker in assigned.items():
            if worker == i and account_id not in done:
                fail(account_id, "WorkerExited", f"the worker process scanning it {ending}")
        # Its free slots are gone with it: what no one took yet goes to the live workers'
        # slots as they free up, and is failed below if every worker is gone.

    def receive(i: int) -> None:
        try:
            batch = links[i].recv()
        except (EOFError, OSError):
            lost(i)
            return
        for item in batch:
            if isinstance(item, _Begun):
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
                give(item.worker)
            elif isinstance(item, _WorkerEnded):
                ended.add(item.worker)
                report.peak_rss_mb.append(item.peak_rss_mb)
                report.cpu_seconds.append(item.cpu_seconds)
                report.requests += item.requests
                with contextlib.suppress(OSError):
                    links.pop(item.worker).close()
            else:
                sink(item)

    for _ in range(slots):
        for i in range(workers):
            give(i)
    checked = time.monotonic()
    try:
        while len(ended) < workers:
            if cancel.is_set() and cancel_deadline is None:
                cancel_deadline = time.monotonic() + CANCEL_GRACE_SECONDS
                for link in links.values():
                    with contextlib.suppress(OSError):
                        link.send(_STOP)
            if cancel_deadline is not None and time.monotonic() > cancel_deadline:
                break
            by_link = {id(link): i for i, link in links.items()}
            for ready in multiprocessing.connection.wait(list(links.values()), timeout=0.1):
                receive(by_link[id(ready)])
            if time.monotonic() - checked > DEAD_WORKER_GRACE_SECONDS / 4:
                # A worker's pipe ends when it dies; this is for one that died while its pipe
                # stayed open somewhere (never seen): after the grace, it counts as lost.
                checked = time.monotonic()
                for i, process in enumerate(processes):
                    if i in links and not process.is_alive():
                        if checked - dead_since.setdefault(i, checked) >= DEAD_WORKER_GRACE_SECONDS:
                            lost(i)
    finally:
        for link in links.values():
            with contextlib.suppress(OSError):
                link.send(_STOP)
        for process in processes:
            process.join(timeout=0 if cancel_deadline is not None else 5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        for link in links.values():
            link.close()
    if not cancel.is_set():
        for job in jobs:
            account_id = job.identity.account_id
            if account_id not in done:
                fail(account_id, "WorkerExited", "not scanned: every worker process ended before it")
    return report
