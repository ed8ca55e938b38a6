"""The scan engine: every (region, kind) cell is its own task on one thread pool.

Results stream out through a sink callback (called from worker threads; it must be
thread-safe and must not block for long - Textual's ``post_message`` qualifies) as one
``ResourcesFound`` per API page, then one ``CellFinished`` per cell, then ``ScanFinished``.
One failing cell never stops the others; cancellation stops every cell between pages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import botocore.exceptions

from tracker_tui.aws.kinds import CellContext, KindSpec, ScanCancelled, Thresholds, price_resources
from tracker_tui.aws.kinds.base import error_code
from tracker_tui.aws.regions import service_offered
from tracker_tui.aws.session import (
    TIMEOUT_CODE,
    TIMEOUT_ERRORS,
    UNREACHABLE_CODE,
    AwsSession,
    RegionUnreachable,
    gave_up,
)
from tracker_tui.findings import local_findings
from tracker_tui.model import (
    GLOBAL_REGION,
    CellFinished,
    CellResult,
    CellStatus,
    Identity,
    Resource,
    ResourcesFound,
    ScanCell,
    ScanErrorEntry,
    ScanEvent,
    ScanFinished,
    ScanStarted,
)

DEFAULT_CONCURRENCY = 32

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "OptInRequired",
        "AuthFailure",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SubscriptionRequiredException",
        "Forbidden",
        "403",
    }
)
THROTTLED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "PriorRequestNotComplete",
        "BandwidthLimitExceeded",
    }
)

#: The code of a cell that listed every row but could not read some of their details.
PARTIAL_CODE = "Partial"
#: Codes classify_error gives that are not AWS error codes but still mean "denied".
_LOCAL_DENIED_CODES = frozenset({"NoCredentials"})

Sink = Callable[[ScanEvent], None]
#: Where a cell's result sits when several accounts are scanned: (account id, region, kind).
CellKey = tuple[str, str, str]


def status_for_code(code: str) -> CellStatus:
    """The status of a failed cell from its error code alone.

    ``classify_error`` uses it for AWS error codes, and everything that rebuilds cells from a
    saved ``errors`` list (``tracker-tui open``, replays, failed accounts) calls it, so a cell
    reads the same in the coverage grid live and reopened.
    """
    if code in DENIED_CODES or code in _LOCAL_DENIED_CODES:
        return CellStatus.DENIED
    if code in THROTTLED_CODES:
        return CellStatus.THROTTLED
    if code == TIMEOUT_CODE:
        return CellStatus.TIMED_OUT
    if code == PARTIAL_CODE:
        return CellStatus.PARTIAL
    if code == UNREACHABLE_CODE:
        return CellStatus.UNREACHABLE
    return CellStatus.FAILED


def classify_error(exc: BaseException) -> tuple[CellStatus, str, str]:
    """Map an exception raised inside a cell to (status, code, one-line message)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc) or "ClientError"
        message = exc.response.get("Error", {}).get("Message", "") or str(exc)
        status = status_for_code(code)
        if status is CellStatus.THROTTLED:
            message = f"{message} (still throttled after retries)"
        return status, code, message
    if isinstance(exc, RegionUnreachable):
        return CellStatus.UNREACHABLE, UNREACHABLE_CODE, str(exc)
    # Checked before EndpointConnectionError: ConnectTimeoutError is a ConnectionError too,
    # but it means "no answer", not "refused" or "no such host".
    if isinstance(exc, TIMEOUT_ERRORS):
        return CellStatus.TIMED_OUT, TIMEOUT_CODE, _timeout_message(exc)
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return CellStatus.FAILED, "EndpointUnreachable", str(exc)
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return CellStatus.DENIED, "NoCredentials", str(exc)
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return CellStatus.FAILED, type(exc).__name__, str(exc)
    return CellStatus.FAILED, type(exc).__name__, f"internal error: {exc}"


def _timeout_message(exc: BaseException) -> str:
    """One line: which endpoint did not answer, and after how many attempts and seconds."""
    kwargs = getattr(exc, "kwargs", None) or {}
    endpoint = kwargs.get("endpoint_url") or "the endpoint"
    what = "connect" if isinstance(exc, botocore.exceptions.ConnectTimeoutError) else "read"
    facts = gave_up(exc)
    if facts is None:
        return f"no answer from {endpoint} ({what} timeout)"
    after = f"{facts.attempts} attempt{'s' if facts.attempts != 1 else ''}"
    if facts.seconds is not None:
        after += f", {facts.seconds:.1f} s"
    return f"no answer from {endpoint} ({what} timeout) after {after}"


@dataclass
class ScanOptions:
    """Tuning knobs of a scan."""

    concurrency: int = DEFAULT_CONCURRENCY
    page_size: int | None = None
    fan_out_workers: int = 16
    #: The finding thresholds rows are judged under as they stream in (the user's config).
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass
class ScanEngine:
    """Scans ``kinds`` over ``regions`` of one account.

    Args:
        session: the shared session (one per credential set).
        identity: who the scan runs as (its account id goes on every resource).
        regions: regions to cover; global kinds are scanned once regardless.
        kinds: the kind specs to scan.
    """

    session: AwsSession
    identity: Identity
    regions: Sequence[str]
    kinds: Sequence[KindSpec]
    options: ScanOptions = field(default_factory=ScanOptions)
    #: Sets monthly_cost and cost_basis on each batch before it leaves the engine, so the
    #: TUI, JSON and CSV all carry the same estimates.  None leaves resources unpriced.
    pricer: Callable[[Sequence[Resource]], list[Resource]] | None = price_resources

    def cells(self) -> list[ScanCell]:
        """Every (region, kind) task of this scan; account-wide and global kinds once."""
        # Order is the order the pool starts them.  Global and account-wide kinds first:
        # they fan out per item (tags, bucket regions), so theirs are the longest chains.
        # Then the home region, where most accounts keep most things (first rows soonest),
        # then the other regions, one region's kinds together.
        account = self.identity.account_id
        home = self.session.home_region
        regions = sorted(self.regions, key=lambda region: region != home)
        regional = [spec for spec in self.kinds if spec.scope == "regional"]
        out = [ScanCell(GLOBAL_REGION, spec.id, account) for spec in self.kinds if spec.scope != "regional"]
        out += [ScanCell(region, spec.id, account) for region in regions for spec in regional]
        return out

    def run(self, sink: Sink, cancel: threading.Event | None = None) -> ScanFinished:
        """Run every cell, streaming events into ``sink``; returns the final summary."""
        cancel = cancel or threading.Event()
        started = time.monotonic()
        # A region unreachable in an earlier scan (a rescan, the same session) is tried again.
        self.session.breaker.reset()
        cells = self.cells()
        specs = {spec.id: spec for spec in self.kinds}
        sink(ScanStarted(self.identity, tuple(self.regions), tuple(cells)))
        results: list[CellResult] = []
        lock = threading.Lock()

        def task(cell: ScanCell) -> None:
            result = self._run_cell(cell, specs[cell.kind], sink, cancel)
            with lock:
                results.append(result)
            sink(CellFinished(result))

        workers = max(1, min(self.options.concurrency, len(cells) or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scan") as pool:
            for future in [pool.submit(task, cell) for cell in cells]:
                future.result()
        finished = ScanFinished(
            cancelled=cancel.is_set(), seconds=time.monotonic() - started, results=tuple(results)
        )
        sink(finished)
        return finished

    def _run_cell(self, cell: ScanCell, spec: KindSpec, sink: Sink, cancel: threading.Event) -> CellResult:
        t0 = time.monotonic()
        if cancel.is_set():
            return CellResult(cell, CellStatus.CANCELLED)
        if spec.scope == "regional" and not service_offered(spec.service, cell.region, self.session.boto):
            # No client, no call: the service does not exist there.
            message = f"{spec.service} is not offered in {cell.region} (botocore's endpoint data)"
            return CellResult(cell, CellStatus.NOT_OFFERED, message=message)
        unreachable = self.session.breaker.why_open(cell.region) if cell.region != GLOBAL_REGION else ""
        if unreachable:
            # Not asked: it would only wait out the same timeouts (the other regions go on).
            message = f"not scanned: {cell.region} is unreachable ({unreachable})"
            return CellResult(cell, CellStatus.UNREACHABLE, 0, UNREACHABLE_CODE, message)
        ctx = CellContext(
            session=self.session,
            region=cell.region,
            account_id=self.identity.account_id,
            regions=tuple(self.regions),
            cancel=cancel,
            page_size=self.options.page_size,
            fan_out_workers=self.options.fan_out_workers,
        )
        count = 0
        try:
            for batch in spec.lister(ctx):
                if batch:
                    batch = ctx.take_notes(batch)  # what of each row could not be read
                    count += len(batch)
                    if self.pricer is not None:
                        batch = local_findings(self.pricer(batch), self.options.thresholds)
                    sink(ResourcesFound(cell, tuple(batch)))
        except ScanCancelled:
            return CellResult(cell, CellStatus.CANCELLED, count, seconds=time.monotonic() - t0)
        except Exception as exc:  # noqa: BLE001 - one failing cell never stops the others
            status, code, message = classify_error(exc)
            return CellResult(cell, status, count, code, message, time.monotonic() - t0)
        seconds = time.monotonic() - t0
        if ctx.problems:
            # Every row is listed; some of their details are not (the rows say which).
            return CellResult(cell, CellStatus.PARTIAL, count, PARTIAL_CODE, partial_message(ctx.problems), seconds)
        status = CellStatus.DONE if count else CellStatus.EMPTY
        return CellResult(cell, status, count, seconds=seconds)


def partial_message(problems: Mapping[str, int]) -> str:
    """``tags unreadable (Timeout) for 3 items; region unreadable (AccessDenied) for 1 item``."""
    ordered = sorted(problems.items(), key=lambda kv: -kv[1])
    parts = [f"{note} for {n} item{'s' if n != 1 else ''}" for note, n in ordered]
    return "; ".join(parts) + ": listed with what could be read"


def error_entries(results: Sequence[CellResult]) -> list[ScanErrorEntry]:
    """The inventory ``errors`` list for the failed cells, in a stable order."""
    entries = [
        ScanErrorEntry(r.cell.region, r.cell.kind, r.code or r.status.value, r.message or "", r.cell.account_id)
        for r in results
        if r.status.is_error
    ]
    return sorted(entries, key=lambda e: (e.account_id, e.region, e.kind))


def saved_results(entries: Iterable[ScanErrorEntry]) -> dict[CellKey, CellResult]:
    """How the failed cells of a saved inventory ended (``error_entries`` the other way), so
    a reopened inventory shows its errors in the coverage grid as the live scan did."""
    return {
        (e.account_id, e.region, e.kind): CellResult(
            ScanCell(e.region, e.kind, e.account_id), status_for_code(e.code), code=e.code, message=e.message
        )
        for e in entries
    }


def merge_accounts(results: Mapping[CellKey, CellResult]) -> dict[tuple[str, str], CellResult]:
    """One coverage cell per (region, kind) across accounts: counts add up, and an error in
    any account shows, its message naming the account when there are several."""
    several = len({account for account, _, _ in results}) > 1
    merged: dict[tuple[str, str], CellResult] = {}
    for (account, region, kind), result in sorted(results.items()):
        if several and result.message:
            result = replace(result, message=f"{account}: {result.message}")
        key = (region, kind)
        seen = merged.get(key)
        if seen is None:
            merged[key] = result
            continue
        worst = result if result.status.is_error and not seen.status.is_error else seen
        status = worst.status
        if not status.is_error and CellStatus.DONE in (seen.status, result.status):
            status = CellStatus.DONE
        messages = [m for m in (seen.message, result.message) if m]
        merged[key] = CellResult(
            worst.cell,
            status,
            seen.count + result.count,
            worst.code,
            "\n".join(messages) or None,
            max(seen.seconds, result.seconds),
        )
    return merged


@dataclass
class Collector:
    """A thread-safe sink that keeps everything (for the headless command and tests)."""

    resources: list[Resource] = field(default_factory=list)
    results: list[CellResult] = field(default_factory=list)
    events: int = 0
    #: How many cells the scan announced (ScanStarted), for progress.
    total_cells: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, event: ScanEvent) -> None:
        with self._lock:
            self.events += 1
            if isinstance(event, ScanStarted):
                self.total_cells = len(event.cells)
            elif isinstance(event, ResourcesFound):
                self.resources.extend(event.resources)
            elif isinstance(event, CellFinished):
                self.results.append(event.result)
