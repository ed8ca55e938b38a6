"""Unreachable places fail fast and alone (issue 21, part 1): ``aws.session.RegionBreaker``.

A region whose endpoints time out twice without ever having answered is unreachable: its
cells not yet started end at once as ``unreachable`` (no request sent), its calls in other
cells (one bucket's tags) fail at once, and the other regions go on.  Timeouts are made by a
``before-send`` hook raising botocore's own ``ReadTimeoutError`` for one region's URLs, as the
HTTP layer does when a socket read times out (moto answers everything else, in-process);
``benchmarks/blackhole.py`` measures the real thing through a loopback proxy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws

from tests.support.helpers import moto_session
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import UNREACHABLE_CODE, Collector, ScanEngine, ScanOptions, error_entries, status_for_code
from tracker_tui.aws.session import BREAKER_THRESHOLD, RegionBreaker, RegionUnreachable
from tracker_tui.model import CellStatus, Identity

IDENTITY = Identity(account_id="123456789012", arn="arn:aws:iam::123456789012:user/test")
DOWN = "eu-west-1"
UP = "us-east-1"
KINDS = ["logs:log-group", "rds:db-instance", "ec2:volume", "dynamodb:table", "lambda:function", "kms:key"]


# --- the breaker itself ---------------------------------------------------------------------------


def test_two_timeouts_of_endpoints_that_never_answered_open_the_region() -> None:
    breaker = RegionBreaker()
    assert BREAKER_THRESHOLD == 2
    breaker.timed_out("logs", DOWN)
    assert breaker.why_open(DOWN) == ""
    breaker.check("logs", DOWN)  # still closed: nothing raised
    breaker.timed_out("rds", DOWN)
    assert "2 requests to its endpoints timed out, none ever answered" in breaker.why_open(DOWN)
    with pytest.raises(RegionUnreachable, match=f"not sent: {DOWN} is unreachable"):
        breaker.check("ec2", DOWN)
    assert breaker.why_open(UP) == ""
    breaker.check("ec2", UP)


def test_an_endpoint_that_answered_is_alive_and_its_timeouts_never_open_the_region() -> None:
    breaker = RegionBreaker()
    breaker.answered("logs", DOWN)
    for _ in range(10):
        breaker.timed_out("logs", DOWN)
    assert breaker.why_open(DOWN) == ""
    assert breaker.has_answered("logs", DOWN) and not breaker.has_answered("rds", DOWN)


def test_a_saved_unreachable_cell_reads_back_as_unreachable() -> None:
    assert status_for_code(UNREACHABLE_CODE) is CellStatus.UNREACHABLE
    assert CellStatus.UNREACHABLE.is_error and not CellStatus.UNREACHABLE.listed_all


# --- a scan with one region cut off ---------------------------------------------------------------


@pytest.fixture
def account() -> Iterator[None]:
    """A log group, a volume and a bucket in each region (moto, in-process)."""
    with mock_aws():
        for region in (UP, DOWN):
            boto3.client("logs", region_name=region).create_log_group(logGroupName=f"/app/{region}")
            boto3.client("ec2", region_name=region).create_volume(Size=8, AvailabilityZone=f"{region}a")
            s3 = boto3.client("s3", region_name=region)
            where = {"LocationConstraint": region}
            kwargs: dict[str, Any] = {} if region == UP else {"CreateBucketConfiguration": where}
            s3.create_bucket(Bucket=f"bucket-{region}", **kwargs)
            s3.put_bucket_tagging(Bucket=f"bucket-{region}", Tagging={"TagSet": [{"Key": "env", "Value": region}]})
        yield


#: Appended to ``cut_off``'s list, it lets the region answer again.
HEALED = "healed"


def cut_off(session: Any, region: str) -> list[str]:
    """Every request to ``region`` times out (the request never leaves the machine) until
    ``HEALED`` is appended to the list returned, which holds the URLs tried."""
    tried: list[str] = []

    def black_hole(request: Any, **_: Any) -> None:
        if HEALED in tried:
            return
        if f".{region}." in request.url or f"/{region}/" in request.url:
            tried.append(request.url)
            raise botocore.exceptions.ReadTimeoutError(endpoint_url=request.url)

    session.boto.events.register("before-send", black_hole)
    return tried


def scan(session: Any, kinds: list[str], concurrency: int) -> Collector:
    collector = Collector()
    engine = ScanEngine(session, IDENTITY, [UP, DOWN], resolve_kinds(kinds), ScanOptions(concurrency=concurrency))
    engine.run(collector)
    return collector


@pytest.mark.usefixtures("account")
def test_the_cut_off_regions_cells_end_unreachable_after_two_timeouts_and_the_others_complete() -> None:
    session = moto_session()
    tried = cut_off(session, DOWN)
    # One cell at a time: which cell meets the breaker first is then fixed.
    collector = scan(session, KINDS, concurrency=1)

    down = [r for r in collector.results if r.cell.region == DOWN]
    up = [r for r in collector.results if r.cell.region == UP]
    assert len(tried) == BREAKER_THRESHOLD, tried  # one attempt each (never answered), then nothing
    assert [r.status for r in down[:BREAKER_THRESHOLD]] == [CellStatus.TIMED_OUT] * BREAKER_THRESHOLD
    for result in down[BREAKER_THRESHOLD:]:
        assert result.status is CellStatus.UNREACHABLE
        assert result.code == UNREACHABLE_CODE
        assert f"not scanned: {DOWN} is unreachable" in (result.message or "")
    assert all(r.status in (CellStatus.DONE, CellStatus.EMPTY) for r in up), [(r.cell.kind, r.status) for r in up]
    assert {r.region for r in collector.resources} == {UP}
    codes = {(e.region, e.code) for e in error_entries(collector.results)}
    assert codes == {(DOWN, "Timeout"), (DOWN, UNREACHABLE_CODE)}


@pytest.mark.usefixtures("account")
def test_a_rescan_on_the_same_session_tries_the_region_again() -> None:
    """The region came back (a network blip, a VPN reconnected): the next scan reads it."""
    session = moto_session()
    tried = cut_off(session, DOWN)
    first = scan(session, KINDS, concurrency=1)
    assert any(r.status is CellStatus.UNREACHABLE for r in first.results)

    tried.append(HEALED)  # the black hole is gone: moto answers the region again
    again = scan(session, KINDS, concurrency=1)
    assert all(r.status in (CellStatus.DONE, CellStatus.EMPTY) for r in again.results), [
        (r.cell.region, r.cell.kind, r.status) for r in again.results
    ]
    assert {r.region for r in again.resources} == {UP, DOWN}


@pytest.mark.usefixtures("account")
def test_many_cells_at_once_still_ask_the_cut_off_region_about_once_each() -> None:
    """With every cell in flight together, each of the region's cells tries once at most
    (none retries an endpoint that never answered), and the up region is exact."""
    clean = scan(moto_session(), KINDS, concurrency=32)
    session = moto_session()
    tried = cut_off(session, DOWN)
    collector = scan(session, KINDS, concurrency=32)

    down = [r for r in collector.results if r.cell.region == DOWN]
    assert len(tried) <= len(down)
    assert all(r.status in (CellStatus.TIMED_OUT, CellStatus.UNREACHABLE) for r in down)
    assert {(r.region, r.id) for r in collector.resources} == {
        (r.region, r.id) for r in clean.resources if r.region == UP
    }


@pytest.mark.usefixtures("account")
def test_every_bucket_is_listed_when_one_region_is_cut_off() -> None:
    """S3 is one cell for the account: the cut-off region's buckets are listed with what is
    known (their tags could not be read), the others in full."""
    session = moto_session()
    tried = cut_off(session, DOWN)
    collector = scan(session, ["logs:log-group", "ec2:volume", "s3:bucket"], concurrency=1)

    buckets = {r.id: r for r in collector.resources if r.kind == "s3:bucket"}
    assert set(buckets) == {f"bucket-{UP}", f"bucket-{DOWN}"}
    assert buckets[f"bucket-{UP}"].tags == {"env": UP}
    assert buckets[f"bucket-{DOWN}"].tags == {}
    notes = buckets[f"bucket-{DOWN}"].details["unreadable"]
    assert notes[0] in ("tags unreadable (Timeout)", "tags unreadable (Unreachable)")
    assert all(note.endswith(("(Timeout)", "(Unreachable)")) for note in notes)
    assert "unreadable" not in buckets[f"bucket-{UP}"].details
    [s3] = [r for r in collector.results if r.cell.kind == "s3:bucket"]
    assert s3.status is CellStatus.PARTIAL
    assert len(tried) <= BREAKER_THRESHOLD + 1
