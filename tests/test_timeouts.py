"""An endpoint that never answers: two attempts, then the cell ends as a timeout.

Everything here is loopback: a TCP server that accepts and stays silent (the black hole),
small HTTP servers that answer 503 or Throttling, and moto in-process for the cells that
complete.  Timeouts are cut to fractions of a second so the suite stays fast; the real
defaults are held to their bound by ``test_one_call_gives_up_within_60_s_with_the_default_config``
and measured by ``benchmarks/blackhole.py``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from moto import mock_aws
from textual.widget import Widget
from textual.widgets import DataTable

import tracker_tui.aws.session as session_module
from tests.support.estate import NOW, sample_identity
from tests.support.helpers import RawBody, hook_every_session, run_cli
from tracker_tui.aws.kinds import CellContext, resolve_kinds
from tracker_tui.aws.scan import (
    TIMEOUT_CODE,
    Collector,
    ScanEngine,
    classify_error,
    error_entries,
    status_for_code,
)
from tracker_tui.aws.session import (
    DEFAULT_CONFIG,
    MAX_CALL_SECONDS,
    TIMEOUT_MAX_ATTEMPTS,
    AwsSession,
    SessionOptions,
    worst_case_call_seconds,
)
from tracker_tui.model import CellResult, CellStatus, Identity, ScanErrorEntry
from tracker_tui.replay import ReplaySource
from tracker_tui.store import Inventory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.coverage import CoverageScreen

ACCOUNT = "123456789012"
IDENTITY = Identity(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/test")
#: Short enough for a fast suite, long enough that a loaded machine still connects in time.
SHORT = 0.4
SHORT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 5}, connect_timeout=SHORT, read_timeout=SHORT
)


# --- loopback servers ---------------------------------------------------------------------------


class BlackHole:
    """127.0.0.1 on a free port: accepts every connection, reads the request, never answers."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        # accept() and recv() poll, so stop() needs no help from a blocked system call.
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connections = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, name="black-hole", daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.connections += 1
            thread = threading.Thread(target=self._swallow, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _swallow(self, conn: socket.socket) -> None:
        """Read until the client gives up; count the request once its headers are in."""
        conn.settimeout(0.05)
        seen = b""
        counted = False
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return  # the client timed out and closed
                seen += chunk
                if not counted and b"\r\n\r\n" in seen:
                    counted = True
                    with self._lock:
                        self.requests += 1

    def stop(self) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(5)
        self._listener.close()


class Answering:
    """127.0.0.1 on a free port: answers every request with one fixed JSON error, counting them."""

    def __init__(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"__type": code, "message": message}).encode()
        counter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with counter._lock:
                    counter.requests += 1
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("x-amzn-RequestId", "loopback")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="answering", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    server = BlackHole()
    yield server
    server.stop()


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard-mode backoff waits 0 s so 5-attempt tests stay fast (the retries still happen)."""
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0)


def _boto() -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def _session(endpoint: str | None = None) -> AwsSession:
    return AwsSession(
        SessionOptions(endpoint_url=endpoint, home_region="us-east-1"), boto_session=_boto(), config=SHORT_CONFIG
    )


def _scan(session: AwsSession, kinds: list[str], regions: tuple[str, ...] = ("us-east-1",)) -> Collector:
    collector = Collector()
    ScanEngine(session, IDENTITY, list(regions), resolve_kinds(kinds)).run(collector)
    return collector


def _plain(widget: Widget) -> str:
    """The text a Static shows."""
    shown = widget.render()
    return str(getattr(shown, "plain", shown))


def _by_kind(collector: Collector) -> dict[str, CellResult]:
    return {r.cell.kind: r for r in collector.results}


# --- the bound on one call ----------------------------------------------------------------------


def test_one_call_gives_up_within_60_s_with_the_default_config() -> None:
    assert MAX_CALL_SECONDS == worst_case_call_seconds(DEFAULT_CONFIG)
    assert MAX_CALL_SECONDS <= 60
    assert TIMEOUT_MAX_ATTEMPTS == 2
    # Throttling and 5xx keep standard mode's five attempts.
    assert DEFAULT_CONFIG.retries == {"mode": "standard", "total_max_attempts": 5}
    # The bound moves with the timeouts: a longer read timeout would fail the test above.
    assert worst_case_call_seconds(DEFAULT_CONFIG.merge(Config(read_timeout=40))) > 60
    with pytest.raises(ValueError, match="legacy"):
        worst_case_call_seconds(Config(retries={"mode": "legacy"}))  # not capped: no bound to promise


# --- an endpoint that never answers -------------------------------------------------------------


def test_a_silent_endpoint_that_never_answered_gets_one_attempt(black_hole: BlackHole) -> None:
    """A second attempt at an endpoint that has never answered would only wait out another
    timeout (issue 21: one hung service held the whole scan)."""
    collector = _scan(_session(black_hole.url), ["logs:log-group"])

    assert black_hole.requests == 1
    [result] = collector.results
    assert (result.status, result.code) == (CellStatus.TIMED_OUT, "Timeout")
    assert "(read timeout) after 1 attempt" in (result.message or "")


def test_a_silent_endpoint_that_answered_before_gets_two_attempts_and_its_cell_ends_as_a_timeout(
    black_hole: BlackHole,
) -> None:
    session = _session(black_hole.url)
    session.breaker.answered("logs", "us-east-1")  # it was alive: this timeout may be a blip
    started = time.monotonic()
    collector = _scan(session, ["logs:log-group"])
    elapsed = time.monotonic() - started

    assert black_hole.connections == 2
    assert black_hole.requests == 2
    [result] = collector.results
    assert result.status is CellStatus.TIMED_OUT
    assert result.status.is_error
    assert result.code == TIMEOUT_CODE == "Timeout"
    message = result.message or ""
    assert "\n" not in message
    assert f"no answer from {black_hole.url}" in message
    assert "(read timeout) after 2 attempts" in message
    # Two read timeouts and a short backoff; five attempts would be 2 s or more.
    assert 2 * SHORT <= elapsed < 5 * SHORT
    assert [(e.region, e.kind, e.code) for e in error_entries(collector.results)] == [
        ("us-east-1", "logs:log-group", "Timeout")
    ]


def test_the_other_cells_complete_next_to_a_silent_endpoint(
    black_hole: BlackHole, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RDS goes to the black hole through botocore's per-service endpoint setting; every other
    # service stays with moto in-process, which also keeps anything else off the network.
    monkeypatch.setenv("AWS_ENDPOINT_URL_RDS", black_hole.url)
    with mock_aws():
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/app/web")
        collector = _scan(_session(), ["rds:db-instance", "logs:log-group"])

    results = _by_kind(collector)
    assert results["rds:db-instance"].status is CellStatus.TIMED_OUT
    assert black_hole.url in (results["rds:db-instance"].message or "")
    assert black_hole.requests == 1  # it never answered: no second attempt
    assert results["logs:log-group"].status is CellStatus.DONE
    assert [r.id for r in collector.resources] == ["/app/web"]
    assert [(e.kind, e.code) for e in error_entries(collector.results)] == [("rds:db-instance", "Timeout")]


def test_the_request_delay_hook_still_runs_on_every_capped_attempt(black_hole: BlackHole) -> None:
    delay = 0.2
    session = AwsSession(
        SessionOptions(endpoint_url=black_hole.url, home_region="us-east-1"),
        boto_session=_boto(),
        config=SHORT_CONFIG,
        request_delay=lambda service, region: delay,
    )
    session.breaker.answered("logs", "us-east-1")  # alive before: its timeouts get their retry
    started = time.monotonic()
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        session.client("logs").describe_log_groups()
    assert black_hole.requests == 2
    assert time.monotonic() - started >= 2 * (delay + SHORT)
    assert session.client("logs") is session.client("logs", "us-east-1")  # one cached client


def _raise_on_send(session: AwsSession, error: Exception, attempts: list[int]) -> None:
    """Every request the session's clients send fails with ``error`` before leaving the machine."""

    def handler(**_: Any) -> None:
        attempts.append(1)
        raise error

    session.boto.events.register("before-send", handler)


@pytest.mark.usefixtures("no_retry_sleep")
def test_connect_timeouts_are_capped_too() -> None:
    session = _session("http://127.0.0.1:9")
    session.breaker.answered("logs", "us-east-1")  # alive before: its timeouts get their retry
    attempts: list[int] = []
    _raise_on_send(session, botocore.exceptions.ConnectTimeoutError(endpoint_url="http://127.0.0.1:9/"), attempts)

    [result] = _scan(session, ["logs:log-group"]).results

    assert len(attempts) == 2
    assert result.status is CellStatus.TIMED_OUT
    assert result.code == "Timeout"
    assert "no answer from http://127.0.0.1:9/ (connect timeout) after 2 attempts" in (result.message or "")


@pytest.mark.usefixtures("no_retry_sleep")
def test_refused_connections_keep_their_retries_and_stay_unreachable() -> None:
    session = _session("http://127.0.0.1:9")
    attempts: list[int] = []
    _raise_on_send(session, botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"), attempts)

    [result] = _scan(session, ["logs:log-group"]).results

    assert len(attempts) == 5
    assert (result.status, result.code) == (CellStatus.FAILED, "EndpointUnreachable")


# --- throttling and 5xx keep their five attempts --------------------------------------------------


@pytest.mark.usefixtures("no_retry_sleep")
@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (503, "ServiceUnavailableException", CellStatus.FAILED),
        (400, "ThrottlingException", CellStatus.THROTTLED),
    ],
)
def test_throttling_and_5xx_get_all_five_attempts(status: int, code: str, expected: CellStatus) -> None:
    server = Answering(status, code, "try again later")
    try:
        [result] = _scan(_session(server.url), ["logs:log-group"]).results
    finally:
        server.stop()

    assert server.requests == 5
    assert (result.status, result.code) == (expected, code)


# --- the headless scan ----------------------------------------------------------------------------


def _reply(parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    return AWSResponse("https://loopback.invalid/", 200, {}, RawBody()), {
        **parsed,
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }


def test_cli_scan_against_a_silent_endpoint_exits_3_and_writes_the_timeout(
    black_hole: BlackHole, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "DEFAULT_CONFIG", SHORT_CONFIG)
    # The CLI exports --endpoint-url as AWS_ENDPOINT_URL; setting it here first makes
    # monkeypatch remove it again after the test, so later tests do not inherit the black hole.
    monkeypatch.setenv("AWS_ENDPOINT_URL", black_hole.url)
    # Who am I, the alias and RDS answer before anything is sent; CloudWatch Logs goes to the black hole.
    answers = {
        "before-call.sts.GetCallerIdentity": {"Account": ACCOUNT, "Arn": IDENTITY.arn},
        "before-call.iam.ListAccountAliases": {"AccountAliases": []},
        "before-call.rds.DescribeDBInstances": {"DBInstances": []},
    }
    for event, parsed in answers.items():
        hook_every_session(monkeypatch, event, lambda parsed=parsed, **_: _reply(parsed))
    target = tmp_path / "partial.json"

    code, out, err = run_cli(
        "scan", "--endpoint-url", black_hole.url, "--region", "us-east-1",
        "--kind", "logs:log-group", "--kind", "rds:db-instance", "--format", "json", "--output", str(target),
    )  # fmt: skip

    assert code == 3, err
    assert out == ""
    assert "Traceback" not in err
    assert "us-east-1 logs:log-group: Timeout" in err
    assert black_hole.requests == 1  # never answered: one attempt
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [(e["region"], e["kind"], e["code"]) for e in data["errors"]] == [("us-east-1", "logs:log-group", "Timeout")]
    assert f"no answer from {black_hole.url}" in data["errors"][0]["message"]
    assert data["resources"] == []


def test_a_silent_sts_at_start_is_one_line_about_the_endpoint_not_the_credentials(
    black_hole: BlackHole, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "DEFAULT_CONFIG", SHORT_CONFIG)
    monkeypatch.setenv("AWS_ENDPOINT_URL", black_hole.url)

    code, out, err = run_cli("scan", "--endpoint-url", black_hole.url, "--region", "us-east-1", "--format", "json")

    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1
    assert f"no answer from {black_hole.url}" in err
    assert "credentials" not in err
    assert black_hole.requests == 1  # GetCallerIdentity: an endpoint that never answered gets one attempt


# --- one mapping from saved codes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("Timeout", CellStatus.TIMED_OUT),
        ("AccessDenied", CellStatus.DENIED),
        ("NoCredentials", CellStatus.DENIED),
        ("ThrottlingException", CellStatus.THROTTLED),
        ("EndpointUnreachable", CellStatus.FAILED),
        ("InternalError", CellStatus.FAILED),
    ],
)
def test_status_for_code_reads_a_saved_code_as_the_live_scan_classified_it(code: str, status: CellStatus) -> None:
    assert status_for_code(code) is status


@pytest.mark.parametrize(
    "exc",
    [
        botocore.exceptions.ReadTimeoutError(endpoint_url="https://rds.ap-east-1.amazonaws.com/"),
        botocore.exceptions.ConnectTimeoutError(endpoint_url="https://rds.ap-east-1.amazonaws.com/"),
    ],
)
def test_classify_error_reports_timeouts_with_their_endpoint(exc: BaseException) -> None:
    status, code, message = classify_error(exc)
    assert (status, code) == (CellStatus.TIMED_OUT, "Timeout")
    assert message.startswith("no answer from https://rds.ap-east-1.amazonaws.com/ (")
    assert status_for_code(code) is status  # round trip through a saved inventory


def test_a_replayed_timeout_is_a_timeout() -> None:
    entry = ScanErrorEntry("us-east-1", "rds:db-instance", "Timeout", "no answer", ACCOUNT)
    source = ReplaySource(IDENTITY, ["us-east-1"], ["rds:db-instance"], [], errors=[entry])
    finished = source.scan(Collector(), threading.Event())
    assert [(r.status, r.code) for r in finished.results] == [(CellStatus.TIMED_OUT, "Timeout")]


def test_a_saved_timeout_shows_as_a_timeout_when_the_inventory_is_opened() -> None:
    identity = sample_identity()
    message = "no answer from https://rds.us-east-1.amazonaws.com/ (read timeout) after 2 attempts, 40.1 s"
    inventory = Inventory(
        identity=identity,
        regions=["us-east-1"],
        resources=[],
        errors=[ScanErrorEntry("us-east-1", "rds:db-instance", "Timeout", message, identity.account_id)],
        scanned_at="2026-11-28T22:15:00Z",
        accounts=[identity],
    )
    app = TrackerApp(None, inventory=inventory, inventory_label="saved.json", now=lambda: NOW, monotonic=lambda: 0.0)

    async def main_() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("g")
            screen = app.screen
            assert isinstance(screen, CoverageScreen)
            assert "1 timeout" in _plain(screen.query_one("#coverage-title"))
            assert "TIME timed out" in _plain(screen.query_one("#coverage-legend"))
            grid = screen.query_one(DataTable)
            assert grid.get_cell("us-east-1", "rds:db-instance").plain == "TIME"
            await pilot.press("down", "right")
            cell = _plain(screen.query_one("#coverage-cell"))
            assert "us-east-1 / rds:db-instance: timeout" in cell
            assert "Timeout: no answer from https://rds.us-east-1.amazonaws.com/" in cell

    asyncio.run(main_())


# --- fan-out stops at the first failure -----------------------------------------------------------


def test_fan_out_does_not_start_the_rest_after_a_failure() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def detail(item: int) -> int:
        with lock:
            started.append(item)
        if item == 0:
            raise botocore.exceptions.ReadTimeoutError(endpoint_url="http://127.0.0.1:9/")
        time.sleep(0.2)
        return item

    ctx = CellContext(session=_session("http://127.0.0.1:9"), region="us-east-1", account_id=ACCOUNT, fan_out_workers=2)
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        ctx.fan_out(detail, list(range(20)))
    # Two in flight when item 0 failed, at most one more picked up before the queue was dropped.
    assert len(started) <= 4
