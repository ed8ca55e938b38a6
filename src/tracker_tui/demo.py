"""The embedded demo account: a moto server on a loopback port, seeded with an estate.

``tracker-tui --demo`` starts a ``ThreadedMotoServer`` on an ephemeral 127.0.0.1 port,
seeds it through the real AWS APIs (boto3 over HTTP), and hands back an ``AwsSession``
pointed at it with dummy credentials.  Scan threads then talk real HTTP to it, so the
whole stack is exercised.  A per-request delay (varied by region unless fixed) makes the
streaming visible.  Actions really change the mocked account.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import boto3
import botocore.session

from tracker_tui.aws.session import AwsSession, SessionOptions
from tracker_tui.demo_estate import DEMO_AMIS_PATH, DEMO_REGIONS, seed_bill, seed_estate
from tracker_tui.demo_estate.core import SEED_CONFIG

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


@dataclass
class DemoAccount:
    """A running demo: the server process, its endpoint, and a session pointed at it."""

    endpoint_url: str
    session: AwsSession
    seconds_to_seed: float
    resources_seeded: int
    _process: subprocess.Popen[str] | None = field(repr=False, default=None)

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


def _quiet_werkzeug() -> None:
    # The server logs every request to stderr, which would scribble over the TUI.
    log = logging.getLogger("werkzeug")
    log.setLevel(logging.ERROR)
    log.addHandler(logging.NullHandler())
    log.propagate = False


def demo_boto_session() -> boto3.Session:
    """A boto3 Session with dummy credentials that ignores the user's AWS profile and files."""
    core = botocore.session.Session()
    core.set_config_variable("profile", None)
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    return boto3.Session(
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
        region_name="us-east-1",
        botocore_session=core,
    )


def latency_for(fixed_ms: float | None) -> Callable[[str, str], float]:
    """A (service, region) -> seconds function: fixed, or varied by region."""

    def delay(service: str, region: str) -> float:
        if fixed_ms is not None:
            return fixed_ms / 1000.0
        return REGION_LATENCY_MS.get(region, DEFAULT_LATENCY_MS) / 1000.0

    return delay


def start_demo(latency_ms: float | None = None, *, seed: bool = True, timeout: float = 120.0) -> DemoAccount:
    """Start the moto server in a child process, seed the estate, return a session on it.

    The server runs in its own process so its CPU work (moto is pure Python) runs on
    another core than the UI and the scan threads.  Seeding goes through the public APIs
    from this process, so the two share the work.

    Args:
        latency_ms: a fixed delay per API call; None varies it by region; 0 disables it.
        seed: set up the estate (tests may want an empty account).
        timeout: how long to wait for the server to come up.

    Raises:
        DemoError: moto is not installed or the server did not start.
    """
    try:
        import moto.server  # noqa: F401 - only checking that the demo extra is installed
    except ImportError as exc:
        raise DemoError(f"the demo needs moto's server: pip install 'tracker-tui[demo]' ({exc})") from None
    env = dict(os.environ)
    env.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    env["MOTO_AMIS_PATH"] = str(DEMO_AMIS_PATH)
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker_tui.demo", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    ready = _read_line(process, timeout)
    if not ready.startswith("READY "):
        process.kill()
        error = (process.stderr.read() if process.stderr else "").strip().splitlines()
        raise DemoError(f"the demo server did not start: {error[-1] if error else ready or 'no output'}")
    endpoint = ready.split()[1]
    boto = demo_boto_session()
    t0 = time.monotonic()
    count = 0
    if seed:
        count = seed_estate(boto, endpoint)
        seed_bill(endpoint)
        process.stdin.write("fake-log-storage\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        _read_line(process, timeout)
    seeded = time.monotonic() - t0
    delay = None if latency_ms == 0 else latency_for(latency_ms)
    # The scan reuses the seeding Session: its service models are already loaded.
    session = AwsSession(
        SessionOptions(endpoint_url=endpoint, home_region="us-east-1"),
        boto_session=boto,
        request_delay=delay,
    )
    return DemoAccount(endpoint, session, seeded, count, process)


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else ""


#: One cheap read per service the demo uses: the first request of each loads its model.
_WARM_CALLS = (
    ("sts", "get_caller_identity"),
    ("iam", "list_users"),
    ("ec2", "describe_vpcs"),
    ("s3", "list_buckets"),
    ("cloudwatch", "list_metrics"),
    ("rds", "describe_db_instances"),
    ("lambda", "list_functions"),
    ("elbv2", "describe_load_balancers"),
    ("elb", "describe_load_balancers"),
    ("logs", "describe_log_groups"),
    ("autoscaling", "describe_auto_scaling_groups"),
    ("elasticache", "describe_cache_clusters"),
)


def _warm(endpoint: str) -> None:
    try:
        boto = demo_boto_session()
        for service, operation in _WARM_CALLS:
            getattr(boto.client(service, endpoint_url=endpoint, config=SEED_CONFIG), operation)()
        from moto.ec2.models import ec2_backends

        for region in boto.get_available_regions("ec2"):
            ec2_backends["123456789012"][region]
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass


def serve() -> None:
    """The child process: a moto server on a free loopback port until stdin closes."""
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ.setdefault("MOTO_AMIS_PATH", str(DEMO_AMIS_PATH))
    _quiet_werkzeug()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"READY http://{host}:{port}", flush=True)
    # moto loads each service's model and builds each region's EC2 state (default VPC,
    # subnets, ...) on first touch, which would land on the seeding's and the scan's first
    # requests.  Do it now, while the parent is still starting up.
    threading.Thread(target=_warm, args=(f"http://{host}:{port}",), name="warm", daemon=True).start()
    for line in sys.stdin:
        if line.strip() == "fake-log-storage":
            _fake_log_storage()
            print("OK", flush=True)
    server.stop()


def _fake_log_storage() -> None:
    """Give log groups believable stored sizes.

    moto counts only the bytes of events actually put, and putting gigabytes would take
    minutes, so the demo sets the stored size on moto's in-process model directly.  Only
    the demo does this; scans read it back through DescribeLogGroups like any account.
    """
    try:
        from moto.logs.models import logs_backends
    except ImportError:  # pragma: no cover
        return
    sizes = [0, 3 * 2**20, 750 * 2**20, 12 * 2**30, 95 * 2**30, 210 * 2**30]
    for region in DEMO_REGIONS:
        backend = logs_backends["123456789012"][region]
        for index, group in enumerate(sorted(backend.groups.values(), key=lambda g: g.name)):
            group.create_log_stream("main")
            group.streams["main"].stored_bytes = sizes[index % len(sizes)]


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
