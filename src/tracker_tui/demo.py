"""The embedded demo account: a moto server on a loopback port, seeded with an estate.

``tracker-tui --demo`` starts a ``ThreadedMotoServer`` on an ephemeral 127.0.0.1 port in a
child process and hands back an ``AwsSession`` pointed at it with dummy credentials, as
soon as the server answers.  The child seeds the estate itself, in-process (moto's
``mock_aws``, the same backends the server answers from, through the public APIs), home
region first; until a part of the estate is made, the server holds the requests for it
(``SeedGates``), so a scan never sees half a region: it sees latency.  Scan threads talk
real HTTP to it, so the whole stack is exercised.  A per-request delay (varied by region
unless fixed) makes the streaming visible.  Actions really change the mocked account.
"""

from __future__ import annotations

import atexit
import html
import importlib.util
import io
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: starting the server process must not wait for boto3
    import boto3

    from tracker_tui.aws.session import AwsSession

#: The demo account's enabled regions: the 17 every commercial account has on by default
#: (opt-in regions off), which hold its 4 regions of estate.  Known without a DescribeRegions,
#: which moto answers only once its EC2 is loaded (a second and more of imports).
DEMO_ENABLED_REGIONS = (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)  # fmt: skip

#: The demo scans at most this many cells at once.  Its server answers on one GIL on this
#: machine, so more only adds contention: ``scan --demo --demo-latency 0`` took 12.5 s with
#: 32 against 11.2 s with 16 (a real account's endpoints are not on this machine: 32 there).
DEMO_MAX_CONCURRENCY = 16

#: Round-trip times by region, in ms, as seen from a bastion in us-east-1.
REGION_LATENCY_MS = {
    "us-east-1": 25,
    "us-east-2": 35,
    "us-west-1": 70,
    "us-west-2": 75,
    "ca-central-1": 40,
    "eu-west-1": 80,
    "eu-west-2": 85,
    "eu-central-1": 95,
    "ap-southeast-2": 200,
    "ap-northeast-1": 160,
    "sa-east-1": 130,
}
DEFAULT_LATENCY_MS = 110


class DemoError(RuntimeError):
    """The demo account could not be started."""


def _quiet_werkzeug() -> None:
    # The server logs every request to stderr, which would scribble over the TUI.
    log = logging.getLogger("werkzeug")
    log.setLevel(logging.ERROR)
    log.addHandler(logging.NullHandler())
    log.propagate = False


def demo_boto_session() -> boto3.Session:
    """A boto3 Session with dummy credentials that ignores the user's AWS profile and files."""
    import botocore.session

    from tracker_tui.aws.session import new_boto_session

    core = botocore.session.Session()
    core.set_config_variable("profile", None)
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    return new_boto_session(
        core,
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
        region_name="us-east-1",
    )


@dataclass(frozen=True)
class Latency:
    """A (service, region) -> seconds function: fixed, or varied by region.  A value, not a
    closure, so it travels to the scan's worker processes with the rest of a job."""

    fixed_ms: float | None = None

    def __call__(self, service: str, region: str) -> float:
        if self.fixed_ms is not None:
            return self.fixed_ms / 1000.0
        return REGION_LATENCY_MS.get(region, DEFAULT_LATENCY_MS) / 1000.0


def latency_for(fixed_ms: float | None) -> Callable[[str, str], float]:
    """A (service, region) -> seconds function: fixed, or varied by region."""
    return Latency(fixed_ms)


@dataclass(frozen=True)
class SeedReport:
    """What the demo server's seeding made, as its child process reported it."""

    resources: int
    seconds: float
    #: Empty when it all went well; else the error (the regions not seeded answer with it).
    error: str = ""


class PendingDemo:
    """A demo server process started, not yet answering (``ready`` waits for it).

    Started as early as possible (before the UI is imported), so the server's own start-up
    runs on the other core while this process loads the UI.
    """

    def __init__(self, latency_ms: float | None = None, *, seed: bool = True) -> None:
        # Only checking that the demo extra is installed (importing moto here would cost the
        # head start the server process is for).
        if importlib.util.find_spec("moto") is None or importlib.util.find_spec("werkzeug") is None:
            raise DemoError("the demo needs moto's server: pip install 'tracker-tui[demo]'")
        self.latency_ms = latency_ms
        args = [sys.executable, "-m", "tracker_tui.demo", "--serve"] + (["--seed"] if seed else [])
        self.process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.used = False

    def stop(self) -> None:
        """Stop a server that was never used."""
        self.process.kill()
        self.process.wait(timeout=5)

    def ready(self, timeout: float = 120.0) -> DemoAccount:
        """The running demo, once its server answers (the estate may still be seeding).

        Raises:
            DemoError: the server did not start.
        """
        from botocore.config import Config

        from tracker_tui.aws.session import DEFAULT_CONFIG, AwsSession, SessionOptions

        self.used = True
        process = self.process
        ready = _read_line(process, timeout)
        if not ready.startswith("READY "):
            process.kill()
            error = (process.stderr.read() if process.stderr else "").strip().splitlines()
            raise DemoError(f"the demo server did not start: {error[-1] if error else ready or 'no output'}")
        endpoint = ready.split()[1]
        delay = None if self.latency_ms == 0 else latency_for(self.latency_ms)
        session = AwsSession(
            SessionOptions(endpoint_url=endpoint, home_region="us-east-1"),
            boto_session=demo_boto_session(),
            # The server holds a request until its part of the estate is seeded (up to
            # GATE_TIMEOUT_S, longer on a loaded machine than the 20 s a real endpoint gets):
            # a held request is not a black hole, and must not end its cell or its region.
            config=DEFAULT_CONFIG.merge(Config(read_timeout=GATE_TIMEOUT_S + 10)),
            request_delay=delay,
        )
        demo = DemoAccount(endpoint, session, process)
        threading.Thread(target=demo._read_reports, name="demo-reports", daemon=True).start()
        return demo


@dataclass
class DemoAccount:
    """A running demo: the server process, its endpoint, and a session pointed at it."""

    endpoint_url: str
    session: AwsSession
    _process: subprocess.Popen[str] | None = field(repr=False, default=None)
    _report: SeedReport | None = field(repr=False, default=None)
    _reported: threading.Event = field(repr=False, default_factory=threading.Event)
    #: Each part of the estate as it opened: name -> seconds from the server process's start.
    stages: dict[str, float] = field(default_factory=dict)

    def seeded(self, timeout: float | None = None) -> SeedReport | None:
        """What the seeding made, once it is done (None: not within ``timeout``)."""
        self._reported.wait(timeout)
        return self._report

    def _read_reports(self) -> None:
        process = self._process
        if process is None or process.stdout is None:
            return
        for line in process.stdout:
            word, _, rest = line.strip().partition(" ")
            if word == "STAGE":
                name, _, seconds = rest.partition(" ")
                self.stages[name] = float(seconds)
            elif word == "SEEDED":
                count, seconds, *error = rest.split(" ", 2)
                self._report = SeedReport(int(count), float(seconds), error[0] if error else "")
                self._reported.set()
        self._reported.set()  # the process ended

    def stop(self) -> None:
        """Stop the server process (closing its stdin tells it to exit)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - shutting down a demo must never raise
            process.kill()
            process.wait(timeout=5)


_PRESTARTED: list[PendingDemo] = []


def prestart(latency_ms: float | None) -> None:
    """Start the demo's server process now, for ``take_prestarted`` to pick up later.

    Called first thing by ``tracker-tui --demo``: the server loads moto while this process
    loads the UI.  A process never picked up is stopped at exit.
    """
    try:
        pending = PendingDemo(latency_ms)
    except DemoError:
        return  # said when the demo is opened
    _PRESTARTED.append(pending)
    atexit.register(lambda: None if pending.used else pending.stop())


def take_prestarted(latency_ms: float | None) -> PendingDemo | None:
    """The process ``prestart`` started with the same latency, if any (once)."""
    for pending in _PRESTARTED:
        if pending.latency_ms == latency_ms:
            _PRESTARTED.remove(pending)
            return pending
    return None


def start_demo(latency_ms: float | None = None, *, seed: bool = True, timeout: float = 120.0) -> DemoAccount:
    """Start the demo server process and return a session on it once it answers.

    Args:
        latency_ms: a fixed delay per API call; None varies it by region; 0 disables it.
        seed: set up the estate (tests may want an empty account).
        timeout: how long to wait for the server to come up.

    Raises:
        DemoError: moto is not installed or the server did not start.
    """
    return PendingDemo(latency_ms, seed=seed).ready(timeout)


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else ""


# --- the child process ------------------------------------------------------------------------

#: ``Credential=AKID/20261202/us-east-1/ec2/aws4_request``: the region and service a request is for.
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")

#: Requests wait at most this long for their part of the estate (then they are answered).
GATE_TIMEOUT_S = 120.0


#: Requests that read nothing the seeding makes: never held (the scan needs them to start).
UNGATED = frozenset({("sts", ""), ("ec2", "DescribeRegions"), ("ec2", "DescribeAvailabilityZones")})


class SeedGates:
    """Which parts of the estate the server may answer for yet.

    Every region of the estate is closed until it is seeded; some of the home region's
    services open earlier (``open(home, services)``), once everything that writes to them
    there is done.  Regions outside the estate are empty and always open.  A region whose
    seeding failed answers every request with the failure, so the scan shows it as a
    failed cell, not as an empty one.
    """

    def __init__(self, regions: Sequence[str], home: str) -> None:
        self.home = home
        self._closed = set(regions)
        self._open_services: set[tuple[str, str]] = set()
        self._changed = threading.Condition()
        self.failed: dict[str, str] = {}

    def is_open(self, region: str, service: str) -> bool:
        return region not in self._closed or (region, service) in self._open_services

    def wait(self, region: str, service: str, timeout: float = GATE_TIMEOUT_S) -> str | None:
        """Wait until the part is seeded; the seeding's error for it, if it failed."""
        with self._changed:
            self._changed.wait_for(lambda: self.is_open(region, service), timeout)
        return self.failed.get(region)

    def open(self, region: str, services: Iterable[str] | None = None) -> None:
        """Open ``services`` in ``region`` (every one when None); ``service.Operation`` opens
        one operation only."""
        with self._changed:
            if services is None:
                self._closed.discard(region)
            else:
                self._open_services.update((region, service) for service in services)
            self._changed.notify_all()

    def fail(self, message: str) -> None:
        """The seeding stopped: every part not open yet answers with ``message``."""
        with self._changed:
            for region in self._closed:
                self.failed[region] = message
            self._closed.clear()
            self._changed.notify_all()


def _operation(environ: dict[str, Any]) -> str:
    """The API operation of a request: X-Amz-Target's (JSON protocols), or the query's Action."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return target.rpartition(".")[2]
    if "x-www-form-urlencoded" not in environ.get("CONTENT_TYPE", ""):
        return ""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)  # put back for the app
    return urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]


def gated(app: Callable[..., Any], gates: SeedGates) -> Callable[..., Any]:
    """A WSGI middleware holding each signed request until its part of the estate is seeded."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if scope is not None:
            region, service = scope.group(1), scope.group(2)
            if not gates.is_open(region, service) and (service, "") not in UNGATED:
                operation = _operation(environ)
                if (service, operation) not in UNGATED and not gates.is_open(region, f"{service}.{operation}"):
                    gates.wait(region, service)
            failure = gates.failed.get(region)
            if failure:
                return _seeding_failed(environ, start_response, failure)
        return app(environ, start_response)

    return middleware


def _seeding_failed(environ: dict[str, Any], start_response: Callable[..., Any], message: str) -> list[bytes]:
    text = f"the demo could not seed this region: {message}"
    if "json" in environ.get("CONTENT_TYPE", ""):
        body = json.dumps({"__type": "DemoSeedingFailed", "message": text}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        escaped = html.escape(text)
        body = (
            "<Response><Errors><Error><Code>DemoSeedingFailed</Code>"
            f"<Message>{escaped}</Message></Error></Errors><RequestID>demo</RequestID></Response>"
        ).encode()
        content_type = "text/xml"
    start_response("400 Bad Request", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _seed(gates: SeedGates, endpoint: str) -> None:
    """Seed the estate in this (the server's) process, opening each part as it is made.

    The home region's EC2 side first (the first rows), then the rest of it with the
    account-wide kinds and the bill, then the other regions in the order a scan reaches them.
    """
    from tracker_tui.demo_estate import (
        ENVIRONMENTS,
        FIRST_STAGE_SERVICES,
        seed_account,
        seed_alias,
        seed_bill,
        seed_first_stage,
        seed_global,
        seed_region,
        seed_second_stage,
    )

    t0 = time.monotonic()
    boto = demo_boto_session()
    count = 0
    try:
        # What the app needs before its scan starts, first: the alias (the identity); then
        # IAM's users and roles, the first rows a scan can show (no EC2 needed: the demo's
        # regions are known without DescribeRegions).
        seed_alias(boto, None)
        gates.open(gates.home, ("iam.ListAccountAliases",))
        count += seed_global(boto, None, alias=False)
        gates.open(gates.home, ("iam",))  # nothing else writes to IAM: the users and roles rows
        _stage(f"{gates.home}:iam")
        seeder, made = seed_first_stage(boto, None, gates.home)
        count += made
        _age_archives(gates.home, rds=False)
        gates.open(gates.home, FIRST_STAGE_SERVICES)
        _stage(f"{gates.home}:first")
        count += seed_second_stage(seeder) + seed_account(boto, None)
        _fake_log_storage(gates.home)
        _age_archives(gates.home)  # the RDS one: made in the second stage
        seed_bill(endpoint)
        gates.open(gates.home)
        _stage(gates.home)
        for region in sorted(r for r in ENVIRONMENTS if r != gates.home):
            count += seed_region(boto, None, region)
            _fake_log_storage(region)
            _age_archives(region)
            gates.open(region)
            _stage(region)
    except Exception as exc:  # noqa: BLE001 - reported to the parent and answered to the scan
        message = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300]
        gates.fail(message)
        print(f"SEEDED {count} {time.monotonic() - t0:.3f} {message}", flush=True)
        return
    print(f"SEEDED {count} {time.monotonic() - t0:.3f}", flush=True)


#: When this process started (the child's clock; stages are reported against it).
_STARTED = time.monotonic()


def _stage(name: str) -> None:
    """Tell the parent a part of the estate is open: ``STAGE <name> <seconds since start>``."""
    print(f"STAGE {name} {time.monotonic() - _STARTED:.3f}", flush=True)


class _GatedMotoServer:
    """moto's ThreadedMotoServer with the seeding gates in front of its WSGI app."""

    def __init__(self, gates: SeedGates) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        app = gated(DomainDispatcherApplication(create_backend_app), gates)
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-server", daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()


def serve(seed: bool = False) -> None:
    """The child process: a moto server on a free loopback port until stdin closes.

    ``python -m tracker_tui.demo --serve`` serves an empty account (the benchmarks seed
    their own); ``--serve --seed`` the demo's estate.

    The seeding runs here, in-process under ``mock_aws`` (whose backends are the ones the
    server answers from): no HTTP, and none of this process's CPU is the UI's.
    """
    from tracker_tui.demo_estate.core import DEMO_AMIS_PATH

    # Only the demo's own AMIs: moto's 1,300 default ones would cost seconds to load.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ["MOTO_AMIS_PATH"] = str(DEMO_AMIS_PATH)
    _quiet_werkzeug()
    from moto import mock_aws

    from tracker_tui.demo_estate import DEMO_REGIONS

    gates = SeedGates(DEMO_REGIONS if seed else (), "us-east-1")
    with mock_aws():
        server = _GatedMotoServer(gates)
        server.start()
        print(f"READY {server.endpoint}", flush=True)
        _stage("ready")
        if seed:
            threading.Thread(target=_seed, args=(gates, server.endpoint), name="seed", daemon=True).start()
        for _ in sys.stdin:
            pass
        server.stop()


def _fake_log_storage(region: str) -> None:
    """Give the region's log groups believable stored sizes.

    moto counts only the bytes of events actually put, and putting gigabytes would take
    minutes, so the demo sets the stored size on moto's in-process model directly.  Only
    the demo does this; scans read it back through DescribeLogGroups like any account.
    """
    try:
        from moto.logs.models import logs_backends
    except ImportError:  # pragma: no cover
        return
    sizes = [0, 3 * 2**20, 750 * 2**20, 12 * 2**30, 95 * 2**30, 210 * 2**30]
    backend = logs_backends["123456789012"][region]
    for index, group in enumerate(sorted(backend.groups.values(), key=lambda g: g.name)):
        group.create_log_stream("main")
        group.streams["main"].stored_bytes = sizes[index % len(sizes)]


#: When the demo's archived backups were taken (moto stamps every snapshot "now").
ARCHIVE_TAKEN = datetime(2024, 12, 31, 23, 0, tzinfo=UTC)


def _age_archives(region: str, *, rds: bool = True) -> None:
    """Date the region's year-end archive snapshots (EBS) and the long-deleted CRM database's
    final snapshot (RDS) back to when they were taken, so ``old-snapshot`` has real ones to
    find.  As with ``_fake_log_storage``, only the demo sets this on moto's in-process model;
    scans read it back through DescribeSnapshots / DescribeDBSnapshots like any account's.
    ``rds=False`` before the home region's first rows: importing moto's RDS would delay them."""
    try:
        from moto.ec2.models import ec2_backends
    except ImportError:  # pragma: no cover
        return
    for snapshot in ec2_backends["123456789012"][region].snapshots.values():
        if str(snapshot.description).startswith("year-end 2024 archive"):
            snapshot.start_time = ARCHIVE_TAKEN
    if not rds:
        return
    from moto.rds.models import rds_backends

    for db_snapshot in rds_backends["123456789012"][region].database_snapshots.values():
        if db_snapshot.db_snapshot_identifier == "prod-legacy-crm-final":
            db_snapshot.created = ARCHIVE_TAKEN


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(seed="--seed" in sys.argv[2:])
