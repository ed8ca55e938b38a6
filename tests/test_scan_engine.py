"""The scan engine: cells, per-cell errors, retries, cancellation, and the shared session."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from moto import mock_aws

from tests.support.helpers import moto_session
from tracker_tui.aws import regions as regions_module
from tracker_tui.aws.kinds import REGISTRY, CellContext, resolve_kinds
from tracker_tui.aws.regions import service_offered
from tracker_tui.aws.scan import Collector, ScanEngine, ScanOptions, classify_error, error_entries
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import (
    GLOBAL_REGION,
    CellStatus,
    Identity,
    Resource,
    ResourcesFound,
    ScanEvent,
)

ACCOUNT = "123456789012"
IDENTITY = Identity(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/test")


class _Raw:
    """The minimum of a urllib3 response that ``AWSResponse.content`` reads."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _json_error_response(status: int, code: str, message: str) -> AWSResponse:
    body = json.dumps({"__type": code, "message": message}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "test-request"}
    return AWSResponse("https://logs.example.invalid/", status, headers, _Raw(body))


def _denied_in(region: str, calls: list[str]) -> Callable[..., tuple[AWSResponse, dict[str, Any]] | None]:
    """A before-call handler that short-circuits the call with AccessDenied in ``region`` only."""

    def handler(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        calls.append(context["client_region"])
        if context["client_region"] != region:
            return None  # let the call go through to moto
        http = AWSResponse("https://rds.example.invalid/", 403, {}, _Raw(b""))
        parsed = {
            "Error": {"Code": "AccessDenied", "Message": "not authorized to rds:DescribeDBInstances"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        return http, parsed

    return handler


def _create_db(region: str, name: str) -> None:
    boto3.client("rds", region_name=region).create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1",
    )


def _statuses(collector: Collector) -> dict[tuple[str, str], CellStatus]:
    return {(r.cell.region, r.cell.kind): r.status for r in collector.results}


# --- cells ------------------------------------------------------------------------------------


def test_regional_kinds_get_one_cell_per_region_and_global_kinds_exactly_one() -> None:
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
    engine = ScanEngine(moto_session(), IDENTITY, regions, resolve_kinds(None))

    cells = engine.cells()

    single = {"iam:user", "iam:role", "s3:bucket", "route53:hosted-zone"}
    assert len(cells) == 24 * len(regions) + len(single)
    assert len(set(cells)) == len(cells)
    assert {c.account_id for c in cells} == {ACCOUNT}
    for kind in REGISTRY:
        kind_cells = [c for c in cells if c.kind == kind]
        if kind in single:
            assert [c.region for c in kind_cells] == [GLOBAL_REGION], kind
        else:
            assert sorted(c.region for c in kind_cells) == sorted(regions), kind


# --- one denied cell --------------------------------------------------------------------------


@mock_aws
def test_access_denied_in_one_cell_leaves_every_other_cell_complete() -> None:
    _create_db("us-east-1", "orders")
    _create_db("eu-west-1", "ledger")
    boto3.client("logs", region_name="eu-west-1").create_log_group(logGroupName="/app/eu")
    session = moto_session()
    calls: list[str] = []
    session.boto.events.register("before-call.rds.DescribeDBInstances", _denied_in("eu-west-1", calls))
    engine = ScanEngine(
        session, IDENTITY, ["us-east-1", "eu-west-1"], resolve_kinds(["rds:db-instance", "logs:log-group", "iam:user"])
    )
    collector = Collector()

    finished = engine.run(collector)

    assert sorted(calls) == ["eu-west-1", "us-east-1"]  # the hook saw both regions' calls
    statuses = _statuses(collector)
    assert statuses == {
        ("us-east-1", "rds:db-instance"): CellStatus.DONE,
        ("eu-west-1", "rds:db-instance"): CellStatus.DENIED,
        ("us-east-1", "logs:log-group"): CellStatus.EMPTY,
        ("eu-west-1", "logs:log-group"): CellStatus.DONE,
        (GLOBAL_REGION, "iam:user"): CellStatus.EMPTY,
    }
    denied = next(r for r in finished.results if r.status is CellStatus.DENIED)
    assert denied.code == "AccessDenied"
    assert "rds:DescribeDBInstances" in (denied.message or "")
    assert not finished.cancelled
    found = {(r.kind, r.region, r.id) for r in collector.resources}
    assert found == {("rds:db-instance", "us-east-1", "orders"), ("logs:log-group", "eu-west-1", "/app/eu")}
    entries = error_entries(collector.results)
    assert [(e.region, e.kind, e.code, e.account_id) for e in entries] == [
        ("eu-west-1", "rds:db-instance", "AccessDenied", ACCOUNT)
    ]


# --- throttling -------------------------------------------------------------------------------


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard-mode backoff waits 0 s so retry tests stay fast (the retry itself still happens)."""
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0)


def _throttle(session: AwsSession, region: str, attempts: list[int], *, times: int | None) -> None:
    """Answer DescribeLogGroups in ``region`` with HTTP 400 Throttling ``times`` times (None: always)."""
    client = session.client("logs", region)
    event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.DescribeLogGroups"

    def handler(**_: Any) -> AWSResponse | None:
        attempts.append(1)
        if times is None or len(attempts) <= times:
            return _json_error_response(400, "ThrottlingException", "Rate exceeded")
        return None  # moto answers

    client.meta.events.register(event, handler)


@mock_aws
@pytest.mark.usefixtures("no_retry_sleep")
def test_a_throttled_call_is_retried_and_the_cell_completes() -> None:
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/app/web")
    session = moto_session(config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    attempts: list[int] = []
    _throttle(session, "us-east-1", attempts, times=1)
    engine = ScanEngine(session, IDENTITY, ["us-east-1"], resolve_kinds(["logs:log-group"]))
    collector = Collector()

    engine.run(collector)

    assert len(attempts) == 2
    [result] = collector.results
    assert result.status is CellStatus.DONE
    assert result.count == 1
    assert [r.id for r in collector.resources] == ["/app/web"]


@mock_aws
@pytest.mark.usefixtures("no_retry_sleep")
def test_a_cell_throttled_on_every_attempt_ends_throttled() -> None:
    boto3.client("logs", region_name="eu-west-1").create_log_group(logGroupName="/app/eu")
    session = moto_session(config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    attempts: list[int] = []
    _throttle(session, "us-east-1", attempts, times=None)
    engine = ScanEngine(session, IDENTITY, ["us-east-1", "eu-west-1"], resolve_kinds(["logs:log-group"]))
    collector = Collector()

    engine.run(collector)

    assert len(attempts) == 3  # total_max_attempts, then it gives up
    by_region = {r.cell.region: r for r in collector.results}
    assert by_region["us-east-1"].status is CellStatus.THROTTLED
    assert by_region["us-east-1"].code == "ThrottlingException"
    assert "Rate exceeded" in (by_region["us-east-1"].message or "")
    assert by_region["eu-west-1"].status is CellStatus.DONE
    assert [(e.region, e.code) for e in error_entries(collector.results)] == [("us-east-1", "ThrottlingException")]


# --- cancellation -----------------------------------------------------------------------------


@mock_aws
def test_cancelling_from_the_sink_stops_the_remaining_cells() -> None:
    regions = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
    for region in regions:
        boto3.client("logs", region_name=region).create_log_group(logGroupName=f"/app/{region}")
    # One cell at a time, so "after the first batch" is well defined.
    engine = ScanEngine(
        moto_session(), IDENTITY, regions, resolve_kinds(["logs:log-group"]), ScanOptions(concurrency=1)
    )
    cancel = threading.Event()
    collector = Collector()

    def sink(event: ScanEvent) -> None:
        collector(event)
        if isinstance(event, ResourcesFound):
            cancel.set()

    finished = engine.run(sink, cancel)

    assert finished.cancelled is True
    statuses = [r.status for r in finished.results]
    assert len(statuses) == len(regions)  # every cell still reports how it ended
    assert statuses.count(CellStatus.DONE) == 1
    assert statuses.count(CellStatus.CANCELLED) == len(regions) - 1
    assert [r.region for r in collector.resources] == ["us-east-1"]


# --- classify_error ---------------------------------------------------------------------------


def _client_error(code: str, message: str = "msg") -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, "DescribeThings")


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (_client_error("AccessDenied"), CellStatus.DENIED, "AccessDenied"),
        (_client_error("UnauthorizedOperation"), CellStatus.DENIED, "UnauthorizedOperation"),
        (_client_error("AccessDeniedException"), CellStatus.DENIED, "AccessDeniedException"),
        (_client_error("ThrottlingException"), CellStatus.THROTTLED, "ThrottlingException"),
        (_client_error("RequestLimitExceeded"), CellStatus.THROTTLED, "RequestLimitExceeded"),
        (_client_error("InternalError"), CellStatus.FAILED, "InternalError"),
        (
            botocore.exceptions.EndpointConnectionError(endpoint_url="https://rds.ap-east-1.amazonaws.com/"),
            CellStatus.FAILED,
            "EndpointUnreachable",
        ),
        (ValueError("unexpected shape"), CellStatus.FAILED, "ValueError"),
    ],
)
def test_classify_error(exc: BaseException, status: CellStatus, code: str) -> None:
    got_status, got_code, message = classify_error(exc)
    assert (got_status, got_code) == (status, code)
    assert message  # never empty: it goes into the inventory's errors list


def test_classify_error_messages_say_what_happened() -> None:
    assert classify_error(_client_error("AccessDenied", "no rds for you"))[2] == "no rds for you"
    assert "ap-east-1" in classify_error(
        botocore.exceptions.EndpointConnectionError(endpoint_url="https://rds.ap-east-1.amazonaws.com/")
    )[2]
    assert classify_error(ValueError("unexpected shape"))[2] == "internal error: unexpected shape"


# --- a broken lister --------------------------------------------------------------------------


@mock_aws
def test_a_lister_that_raises_fails_only_its_own_cells() -> None:
    _create_db("us-east-1", "orders")
    _create_db("eu-west-1", "ledger")

    def broken(ctx: Any) -> Iterator[list[Resource]]:
        raise RuntimeError(f"bug in the lister for {ctx.region}")
        yield []  # pragma: no cover - makes this a generator like real listers

    broken_logs = dataclasses.replace(REGISTRY["logs:log-group"], lister=broken)
    engine = ScanEngine(
        moto_session(), IDENTITY, ["us-east-1", "eu-west-1"], [REGISTRY["rds:db-instance"], broken_logs]
    )
    collector = Collector()

    finished = engine.run(collector)

    assert not finished.cancelled
    statuses = _statuses(collector)
    assert statuses[("us-east-1", "logs:log-group")] is CellStatus.FAILED
    assert statuses[("eu-west-1", "logs:log-group")] is CellStatus.FAILED
    assert statuses[("us-east-1", "rds:db-instance")] is CellStatus.DONE
    assert statuses[("eu-west-1", "rds:db-instance")] is CellStatus.DONE
    assert sorted(r.id for r in collector.resources) == ["ledger", "orders"]
    failed = [r for r in collector.results if r.status is CellStatus.FAILED]
    assert {r.code for r in failed} == {"RuntimeError"}
    assert any("bug in the lister for eu-west-1" in (r.message or "") for r in failed)


# --- the session's client cache ---------------------------------------------------------------


def test_client_cache_hands_every_thread_the_same_client() -> None:
    session = moto_session()
    threads_n = 16
    barrier = threading.Barrier(threads_n)
    got: list[tuple[Any, Any, Any]] = [None] * threads_n  # type: ignore[list-item]

    def worker(i: int) -> None:
        barrier.wait()  # all 16 ask at the same moment
        got[i] = (session.client("ec2", "eu-west-1"), session.client("s3", "us-east-1"), session.client("s3"))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    ec2s, s3s, s3_home = zip(*got, strict=True)
    assert len({id(c) for c in ec2s}) == 1
    assert len({id(c) for c in s3s}) == 1
    assert s3_home[0] is s3s[0]  # the home region (us-east-1) is the same key
    assert ec2s[0].meta.region_name == "eu-west-1"
    assert session.clients_created == 2
    assert session.client("ec2", "eu-west-1") is ec2s[0]
    assert session.clients_created == 2


# --- services a region does not offer ----------------------------------------------------------


def test_service_offered_follows_botocores_endpoint_data() -> None:
    # sagemaker-geospatial exists only in us-west-2 in this botocore's data.
    assert service_offered("sagemaker-geospatial", "us-west-2")
    assert not service_offered("sagemaker-geospatial", "us-east-1")
    assert service_offered("ec2", "eu-west-1")
    # A region newer than the data, or a service with no regions in it, is not skipped on a guess.
    assert service_offered("sagemaker-geospatial", "xx-future-1")
    assert service_offered("route53", "us-east-1")


def test_which_regions_offer_a_service_is_worked_out_once_for_every_cell_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every cell asks as it starts; a dozen cells asking at once, each parsing endpoint data
    # and the service's model, cost the first rows seconds of GIL (benchmarks/demo_first_rows.py).
    monkeypatch.setattr(regions_module, "_ENDPOINT_REGIONS", {})
    asked: list[tuple[str, str]] = []
    real = boto3.Session(region_name="us-east-1")

    class Counting:
        def get_available_regions(self, service_name: str, partition_name: str) -> list[str]:
            asked.append((service_name, partition_name))
            time.sleep(0.05)  # the others arrive while the first is still working it out
            return real.get_available_regions(service_name, partition_name)

    session = Counting()
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda region: service_offered("sagemaker-geospatial", region, session),
                                ["us-east-1", "us-west-2"] * 6))  # fmt: skip
    assert answers == [False, True] * 6
    assert sorted(asked) == [("ec2", "aws"), ("sagemaker-geospatial", "aws")]


def test_a_kind_whose_service_a_region_lacks_is_not_offered_there_and_never_called() -> None:
    called: list[str] = []

    def lister(ctx: CellContext) -> Iterator[list[Resource]]:
        called.append(ctx.region)
        yield [Resource(kind="geo:job", id=f"job-{ctx.region}", account_id=ACCOUNT, region=ctx.region)]

    spec = dataclasses.replace(REGISTRY["lambda:function"], id="geo:job", service="sagemaker-geospatial", lister=lister)
    with mock_aws():
        session = moto_session()
        collector = Collector()
        ScanEngine(session, IDENTITY, ["us-east-1", "us-west-2"], [spec], pricer=None).run(collector)

    assert called == ["us-west-2"]
    results = {r.cell.region: r for r in collector.results}
    assert results["us-west-2"].status is CellStatus.DONE
    skipped = results["us-east-1"]
    assert (skipped.status, skipped.code, skipped.count) == (CellStatus.NOT_OFFERED, None, 0)
    assert skipped.message == "sagemaker-geospatial is not offered in us-east-1 (botocore's endpoint data)"
    # Not an error: it is in no errors list and no failure count.
    assert not skipped.status.is_error
    assert error_entries(collector.results) == []
    # No client was made for the cell that did not run.
    assert ("sagemaker-geospatial", "us-east-1") not in session._clients  # noqa: SLF001


# --- clients ---------------------------------------------------------------------------------------


def test_clients_of_one_service_share_their_class_and_still_work() -> None:
    with mock_aws():
        session = moto_session()
        east, west = session.client("ec2", "us-east-1"), session.client("ec2", "eu-west-1")
        assert type(east) is type(west)
        assert east.meta.region_name == "us-east-1" and west.meta.region_name == "eu-west-1"
        east.create_volume(Size=1, AvailabilityZone="us-east-1a")
        assert len(east.describe_volumes()["Volumes"]) == 1
        assert west.describe_volumes()["Volumes"] == []
        # Another service, another class; another session (another account), the same class:
        # what shapes it (the creating-client-class handlers) is the same (tests/test_boto_shared.py).
        assert type(session.client("rds", "us-east-1")) is not type(east)
        other = moto_session().client("ec2", "us-east-1")
        assert type(other) is type(east)
        assert other.describe_volumes()["Volumes"] == east.describe_volumes()["Volumes"]


def test_preload_makes_the_home_regions_clients_in_the_background_once_each() -> None:
    with mock_aws():
        session = moto_session()
        session.preload(["sts", "ec2", "ec2", "no-such-service", "rds"]).join(10)
        # Made in order, each once; an unknown service ends it quietly (the cell says what is wrong).
        assert sorted(session._clients) == [("ec2", "us-east-1"), ("sts", "us-east-1")]  # noqa: SLF001
        assert session.clients_created == 2
