"""The bill beside the estimate (``aws.bill``, ``tracker-tui bill``, the ``b`` view).

Never real AWS: moto in-process (``mock_aws``) with results registered through moto's own
``/moto-api/static/ce/cost-and-usage-results``, botocore's Stubber, or a fake bill source.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
import requests
from botocore.stub import Stubber
from moto import mock_aws

from tests.support.estate import (
    ACCOUNT_ID,
    NOW,
    REGIONS,
    SAMPLE_BILL,
    SAMPLE_PERIOD,
    FakeBills,
    make_app,
    open_app,
    sample_bill,
    sample_errors,
    sample_identity,
    sample_resources,
    sample_source,
    wait_bill,
    wait_scan,
    write_inventory,
)
from tests.support.fake_kind import TOPICS
from tests.support.helpers import hook_every_session, moto_session, palette_titles, run_cli, shown_text
from tracker_tui.aws.bill import (
    CE_REGION,
    NOTICE,
    PERMISSION,
    SCHEMA,
    Bill,
    BillCache,
    BillError,
    CostExplorerBills,
    Period,
    compare,
    comparison_json,
    comparison_lines,
    describe_error,
    fetch_services,
    kinds_by_service,
)
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.costs import CostSummary
from tracker_tui.demo_estate import DEMO_BILL, demo_bill_results
from tracker_tui.history import ScanHistory
from tracker_tui.model import Resource
from tracker_tui.store import Inventory
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.bill import BillScreen
from tracker_tui.ui.screens.main import MainScreen

MOTO_API = "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results"


def row(kind: str, ident: str, cost: float | None, region: str = "us-east-1") -> Resource:
    return Resource(kind=kind, id=ident, region=region, account_id=ACCOUNT_ID, monthly_cost=cost,
                    cost_basis="test" if cost is not None else "unknown: test")


def summary_of(*rows: Resource) -> CostSummary:
    summary = CostSummary()
    summary.add(rows)
    return summary


def bill_of(services: dict[str, float], **kw: Any) -> Bill:
    return Bill(ACCOUNT_ID, SAMPLE_PERIOD, services, NOW, **kw)


# --- the comparison ----------------------------------------------------------------------------------


def test_ec2_other_is_shared_by_volumes_and_nat_gateways() -> None:
    assert kinds_by_service()["EC2 - Other"] == ("ec2:volume", "ec2:snapshot", "ec2:nat-gateway")
    ours = summary_of(row("ec2:volume", "vol-1", 80.0), row("ec2:volume", "vol-2", 20.0),
                      row("ec2:nat-gateway", "nat-1", 32.85))
    comparison = compare(bill_of({"EC2 - Other": 150.0}), ours)
    [line] = comparison.services
    assert line.service == "EC2 - Other"
    assert line.kinds == ("ec2:volume", "ec2:snapshot", "ec2:nat-gateway")
    assert line.ours == pytest.approx(132.85)
    assert line.difference == pytest.approx(17.15)
    assert comparison.not_covered == ()


def test_unknown_costs_are_counted_never_taken_as_zero_cost_rows() -> None:
    ours = summary_of(
        *(row("lambda:function", f"fn-{i}", None) for i in range(5)),
        row("s3:bucket", "priced", 10.0), row("s3:bucket", "unsized", None),
    )
    comparison = compare(bill_of({"AWS Lambda": 6.18, "Amazon Simple Storage Service": 27.45}), ours)
    lines = {line.service: line for line in comparison.services}
    assert (lines["AWS Lambda"].ours, lines["AWS Lambda"].ours_unknown_rows) == (0.0, 5)
    assert (lines["Amazon Simple Storage Service"].ours, lines["Amazon Simple Storage Service"].ours_unknown_rows) == (
        10.0, 1)
    assert comparison.totals.ours_unknown_rows == 6


def test_services_no_kind_covers_are_listed_biggest_first_and_zero_lines_dropped() -> None:
    comparison = compare(
        bill_of({"Amazon CloudFront": 412.0, "AWS Support (Business)": 100.0, "AWS Config": 0.001,
                 "Amazon Elastic Compute Cloud - Compute": 50.0}),
        summary_of(row("ec2:instance", "i-1", 40.0)),
    )
    assert [(item.service, item.billed) for item in comparison.not_covered] == [
        ("Amazon CloudFront", 412.0), ("AWS Support (Business)", 100.0)]
    assert [line.service for line in comparison.services] == ["Amazon Elastic Compute Cloud - Compute"]


def test_free_kinds_are_ignored_and_kinds_on_no_bill_still_show() -> None:
    ours = summary_of(row("iam:user", "alice", 0.0), row("autoscaling:group", "asg", 0.0),
                      row("elasticache:cluster", "c-1", 24.82))
    comparison = compare(bill_of({}), ours)
    assert "" not in kinds_by_service()
    assert [(line.service, line.billed, line.ours) for line in comparison.services] == [
        ("Amazon ElastiCache", 0.0, pytest.approx(24.82))]
    assert all("iam:user" not in line.kinds for line in comparison.services)


def test_totals_add_up() -> None:
    ours = summary_of(*sample_resources(priced=True))
    comparison = compare(sample_bill(), ours)
    t = comparison.totals
    assert t.billed == pytest.approx(sum(SAMPLE_BILL.values()))
    assert t.covered + t.not_covered == pytest.approx(t.billed)
    assert t.not_covered == pytest.approx(512.0)
    assert t.ours == pytest.approx(sum(v for k, v in ours.by_kind.items() if REGISTRY[k].billed_as))
    assert t.difference == pytest.approx(t.covered - t.ours)
    # Every kind that is billed somewhere has its line in the sample estate.
    assert {line.service for line in comparison.services} == set(kinds_by_service())
    assert [line.billed for line in comparison.services] == sorted((line.billed for line in comparison.services),
                                                                  reverse=True)


def test_a_kind_registered_later_covers_its_service() -> None:
    bill = bill_of({"Amazon Simple Notification Service": 3.0})
    assert [item.service for item in compare(bill, summary_of()).not_covered] == ["Amazon Simple Notification Service"]
    with REGISTRY.registered(TOPICS):
        comparison = compare(bill, summary_of(row(TOPICS.id, "t-1", 1.0)))
    assert [(line.service, line.kinds) for line in comparison.services] == [
        ("Amazon Simple Notification Service", (TOPICS.id,))]


def test_the_json_shape_and_the_table() -> None:
    comparison = compare(sample_bill(), summary_of(*sample_resources(priced=True)))
    doc = comparison_json(comparison, account_alias="acme-staging", ours_from={"source": "saved scan"})
    assert doc["schema"] == SCHEMA
    assert doc["account"] == {"id": ACCOUNT_ID, "alias": "acme-staging"}
    assert doc["period"] == {"start": "2026-10-01", "end": "2026-11-01"}
    assert doc["cached"] is False and doc["fetched_at"] == "2026-11-29T12:00:00Z"
    assert set(doc["services"][0]) == {"service", "billed", "ours", "ours_unknown_rows", "kinds", "difference"}
    assert doc["not_covered"] == [{"service": "Amazon CloudFront", "billed": 412.0},
                                  {"service": "AWS Support (Business)", "billed": 100.0}]
    assert set(doc["totals"]) == {"billed", "covered", "not_covered", "ours", "ours_unknown_rows", "difference"}
    json.dumps(doc)  # plain JSON all the way down
    lines = comparison_lines(comparison)
    assert lines[0].split()[:3] == ["service", "billed", "Oct"]
    assert any(line.startswith("Amazon CloudFront") and "not covered" in line for line in lines)
    assert any(line.startswith("billed total") and "$3,125.02" in line for line in lines)


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [(date(2026, 11, 29), date(2026, 10, 1), date(2026, 11, 1)),
     (date(2026, 1, 1), date(2025, 12, 1), date(2026, 1, 1)),
     (date(2026, 3, 31), date(2026, 2, 1), date(2026, 3, 1))],
)
def test_last_full_month(today: date, start: date, end: date) -> None:
    assert Period.last_full_month(today) == Period(start, end)


# --- the request, on moto ------------------------------------------------------------------------------


def register_results(*services: dict[str, float]) -> None:
    """Queue GetCostAndUsage answers in moto (in-process), one per request body."""
    results: list[Any] = []
    for amounts in services:
        groups = [{"Keys": [name], "Metrics": {"UnblendedCost": {"Amount": str(value), "Unit": "USD"}}}
                  for name, value in amounts.items()]
        results.append({"ResultsByTime": [{"TimePeriod": {"Start": "x", "End": "y"}, "Total": {}, "Groups": groups,
                                           "Estimated": False}]})
    body: dict[str, Any] = {"results": results}
    reply = requests.post(MOTO_API, json=body, timeout=10)
    assert reply.status_code == 201


class Clock:
    def __init__(self, when: datetime) -> None:
        self.when = when

    def __call__(self) -> datetime:
        return self.when


def counted(session: Any) -> list[dict[str, Any]]:
    """Every GetCostAndUsage the session's ce client makes (before-call fires under moto too)."""
    calls: list[dict[str, Any]] = []
    session.client("ce", CE_REGION).meta.events.register(
        "before-call.ce.GetCostAndUsage", lambda params, **_: calls.append(params)
    )
    return calls


@pytest.fixture
def moto_bills(tmp_path: Path) -> Iterator[tuple[CostExplorerBills, list[dict[str, Any]], Clock]]:
    with mock_aws():
        register_results(SAMPLE_BILL)
        session = moto_session()
        calls = counted(session)
        clock = Clock(NOW)
        yield CostExplorerBills(lambda _: session, BillCache(tmp_path), now=clock), calls, clock


def test_one_request_then_the_cache_answers(moto_bills: tuple[CostExplorerBills, list[dict[str, Any]], Clock]) -> None:
    bills, calls, clock = moto_bills
    assert bills.cached(ACCOUNT_ID) is None
    first = bills.fetch(ACCOUNT_ID)
    assert len(calls) == 1 and bills.requests == 1
    asked = json.loads(calls[0]["body"])
    assert asked["TimePeriod"] == {"Start": "2026-10-01", "End": "2026-11-01"}
    assert (asked["Granularity"], asked["Metrics"], asked["GroupBy"]) == (
        "MONTHLY", ["UnblendedCost"], [{"Type": "DIMENSION", "Key": "SERVICE"}])
    assert not first.cached and first.services == pytest.approx(SAMPLE_BILL)
    clock.when = NOW + timedelta(hours=3)
    second = bills.fetch(ACCOUNT_ID)
    assert len(calls) == 1 and bills.requests == 1  # no request: the cache answered
    assert second.cached and second.services == pytest.approx(SAMPLE_BILL)
    assert second.fetched_text(clock.when) == "fetched 3 h ago (cached: no request, no charge)"
    assert first.fetched_text(NOW) == "fetched just now (1 request, $0.01)"


def test_the_request_asks_for_last_month_by_service() -> None:
    client = boto3.client("ce", region_name=CE_REGION)
    with Stubber(client) as stub:
        stub.add_response("get_cost_and_usage", {"ResultsByTime": []}, {
            "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"}, "Granularity": "MONTHLY",
            "Metrics": ["UnblendedCost"], "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}]})
        assert fetch_services(client, SAMPLE_PERIOD) == ({}, False, 1)
        stub.assert_no_pending_responses()


def test_the_cache_lasts_24_hours(moto_bills: tuple[CostExplorerBills, list[dict[str, Any]], Clock]) -> None:
    bills, calls, clock = moto_bills
    bills.fetch(ACCOUNT_ID)
    clock.when = NOW + timedelta(hours=23, minutes=59)
    assert bills.fetch(ACCOUNT_ID).cached and len(calls) == 1
    clock.when = NOW + timedelta(hours=24)
    assert bills.cached(ACCOUNT_ID) is None
    again = bills.fetch(ACCOUNT_ID)
    assert not again.cached and len(calls) == 2
    assert bills.fetch(ACCOUNT_ID, refresh=True).cached is False and len(calls) == 3  # refresh always asks


def test_a_new_month_is_a_new_bill(moto_bills: tuple[CostExplorerBills, list[dict[str, Any]], Clock]) -> None:
    bills, calls, clock = moto_bills
    bills.fetch(ACCOUNT_ID)
    clock.when = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 12.5 h later, but November is over
    assert bills.cached(ACCOUNT_ID) is None
    assert bills.period() == Period(date(2026, 11, 1), date(2026, 12, 1))


def test_a_corrupt_cache_is_moved_aside_and_reported(
    moto_bills: tuple[CostExplorerBills, list[dict[str, Any]], Clock],
) -> None:
    bills, calls, _ = moto_bills
    path = bills.cache.path(ACCOUNT_ID)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert bills.cached(ACCOUNT_ID) is None
    assert not path.exists()
    [aside] = path.parent.glob(f"{path.name}.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "{not json"
    [problem] = bills.problems
    assert "was corrupt" in problem and aside.name in problem
    assert not bills.fetch(ACCOUNT_ID).cached and len(calls) == 1
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == "tracker-tui/bill-cache/v1"


def test_the_cache_lives_in_the_user_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert BillCache().path(ACCOUNT_ID) == tmp_path / "tracker-tui" / "bills" / f"{ACCOUNT_ID}.json"


def test_pages_are_followed_with_next_page_token() -> None:
    client = boto3.client("ce", region_name=CE_REGION)
    asked = {"TimePeriod": SAMPLE_PERIOD.as_dict(), "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"],
             "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}]}

    def page(groups: dict[str, str], token: str | None = None, estimated: bool = False) -> dict[str, Any]:
        reply: dict[str, Any] = {"ResultsByTime": [{
            "TimePeriod": SAMPLE_PERIOD.as_dict(), "Estimated": estimated,
            "Groups": [{"Keys": [k], "Metrics": {"UnblendedCost": {"Amount": v, "Unit": "USD"}}}
                       for k, v in groups.items()]}]}
        if token:
            reply["NextPageToken"] = token
        return reply

    with Stubber(client) as stub:
        stub.add_response("get_cost_and_usage", page({"EC2 - Other": "10.5", "AWS Lambda": "1"}, "page-2"), asked)
        stub.add_response("get_cost_and_usage", page({"Amazon CloudFront": "412"}, "page-3", estimated=True),
                          {**asked, "NextPageToken": "page-2"})
        stub.add_response("get_cost_and_usage", page({"EC2 - Other": "0.25"}), {**asked, "NextPageToken": "page-3"})
        seen: list[int] = []
        services, estimated, requests_made = fetch_services(client, SAMPLE_PERIOD, lambda: seen.append(1))
        stub.assert_no_pending_responses()
    assert services == {"EC2 - Other": 10.75, "AWS Lambda": 1.0, "Amazon CloudFront": 412.0}
    assert estimated is True and requests_made == 3 and len(seen) == 3


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("AccessDeniedException", "User: arn:aws:iam::123456789012:user/x is not authorized to perform: "
         "ce:GetCostAndUsage", "Cost Explorer denied the request"),
        ("AccessDeniedException", "User not enabled for cost explorer access", "not enabled for this account"),
        ("DataUnavailableException", "Data is not available.", "no data for the month yet"),
    ],
)
def test_errors_are_one_line_naming_the_permission(code: str, message: str, expected: str) -> None:
    client = boto3.client("ce", region_name=CE_REGION)
    with Stubber(client) as stub:
        stub.add_client_error("get_cost_and_usage", service_error_code=code, service_message=message,
                              http_status_code=400)
        with pytest.raises(BillError) as caught:
            fetch_services(client, SAMPLE_PERIOD)
    text = str(caught.value)
    assert expected in text and PERMISSION in text and "\n" not in text
    assert caught.value.code == code


def test_no_network_is_one_line_too() -> None:
    error = botocore.exceptions.EndpointConnectionError(endpoint_url="https://ce.us-east-1.amazonaws.com/")
    text = describe_error(error)
    assert text.startswith("cannot reach Cost Explorer") and PERMISSION in text


# --- tracker-tui bill --------------------------------------------------------------------------------------


@pytest.fixture
def moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """moto in-process: two volumes and a log group in us-east-1, the demo's bill registered;
    yields the GetCostAndUsage calls the CLI makes."""
    calls: list[dict[str, Any]] = []
    hook_every_session(monkeypatch, "before-call.ce.GetCostAndUsage", lambda params, **_: calls.append(params))
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=50, VolumeType="gp2")
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/app/web")
        reply = requests.post(MOTO_API, json=demo_bill_results(), timeout=10)
        assert reply.status_code == 201
        yield calls


def test_cli_bill_json(moto_account: list[dict[str, Any]]) -> None:
    code, out, err = run_cli("bill", "--format", "json", "--region", "us-east-1")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == SCHEMA
    assert doc["account"]["id"] == ACCOUNT_ID
    period = Period.last_full_month(datetime.now(UTC).date())
    assert doc["period"] == {"start": period.start.isoformat(), "end": period.end.isoformat()}
    assert doc["cached"] is False and doc["fetched_at"].endswith("Z")
    assert doc["ours_from"]["source"] == "new scan"
    services = {line["service"]: line for line in doc["services"]}
    other = services["EC2 - Other"]
    assert other["billed"] == 3912.75 and other["kinds"] == ["ec2:volume", "ec2:snapshot", "ec2:nat-gateway"]
    assert other["ours"] > 0 and other["difference"] == round(other["billed"] - other["ours"], 2)
    assert doc["not_covered"] == [{"service": "AWS Support (Business)", "billed": 1011.85},
                                  {"service": "Amazon CloudFront", "billed": 412.37}]
    assert doc["totals"]["billed"] == round(sum(amount for _, amount in DEMO_BILL), 2)
    assert NOTICE in err and "scanning now (read-only)" in err
    assert len(moto_account) == 1

    # The second run: the cache answers (no request), the bill says so.
    code, out, err = run_cli("bill", "--format", "json", "--region", "us-east-1")
    assert code == 0, err
    assert json.loads(out)["cached"] is True
    assert "cached: no request, no charge" in err
    assert len(moto_account) == 1
    # --refresh asks again.
    code, out, err = run_cli("bill", "--format", "table", "--region", "us-east-1", "--refresh")
    assert code == 0, err
    assert len(moto_account) == 2
    assert "Amazon CloudFront" in out and "not covered" in out and "billed total" in out


def test_cli_bill_uses_the_last_saved_scan(moto_account: list[dict[str, Any]]) -> None:
    ScanHistory().save(Inventory(
        identity=sample_identity(), regions=list(REGIONS), resources=sample_resources(priced=True),
        errors=sample_errors(), scanned_at="2026-11-29T11:00:00Z", accounts=[sample_identity()],
    ))
    code, out, err = run_cli("bill", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["ours_from"] == {"source": "saved scan", "scanned_at": "2026-11-29T11:00:00Z", "errors": 1}
    ours = summary_of(*sample_resources(priced=True))
    lines = {line["service"]: line for line in doc["services"]}
    assert lines["EC2 - Other"]["ours"] == round(ours.by_kind["ec2:volume"] + ours.by_kind["ec2:nat-gateway"], 2)
    assert lines["AWS Lambda"]["ours_unknown_rows"] == 5
    assert "the last saved scan" in err


def _raise_in_moto(monkeypatch: pytest.MonkeyPatch, code: str, message: str) -> None:
    from moto.ce.models import CostExplorerBackend
    from moto.core.exceptions import JsonRESTError

    def refuse(self: Any, body: str) -> Any:
        raise JsonRESTError(code, message)

    monkeypatch.setattr(CostExplorerBackend, "get_cost_and_usage", refuse)


def error_line(err: str) -> str:
    assert "Traceback" not in err
    last = err.splitlines()[-1]
    assert last.startswith("tracker-tui: error: ")
    return last


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
         "ce:GetCostAndUsage on resource: arn:aws:ce:us-east-1:123456789012:/GetCostAndUsage",
         "Cost Explorer denied the request"),
        ("DataUnavailableException", "Data is not available. Please try to adjust the time period.",
         "no data for the month yet"),
    ],
)
def test_cli_bill_denied_or_not_enabled_exits_2_with_one_line(
    moto_account: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, code: str, message: str, expected: str,
) -> None:
    _raise_in_moto(monkeypatch, code, message)
    status, out, err = run_cli("bill", "--format", "json")
    assert status == 2 and out == ""
    line = error_line(err)
    assert expected in line and PERMISSION in line
    assert "scanning" not in err  # the bill is asked first: no scan for nothing


def test_cli_bill_without_network_exits_2(moto_account: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(**_: Any) -> None:
        raise botocore.exceptions.EndpointConnectionError(endpoint_url="https://ce.us-east-1.amazonaws.com/")

    hook_every_session(monkeypatch, "before-call.ce.GetCostAndUsage", unreachable)
    status, _, err = run_cli("bill")
    assert status == 2
    line = error_line(err)
    assert "cannot reach Cost Explorer" in line and PERMISSION in line


def test_cli_bill_takes_one_account() -> None:
    status, _, err = run_cli("bill", "--profile", "a", "--profile", "b")
    assert status == 2 and "one account at a time" in error_line(err)


def test_cli_bill_on_the_demo_end_to_end() -> None:
    """The real CLI, the demo's moto server child and its seeded bill (~10 s)."""
    argv = [sys.executable, "-m", "tracker_tui.cli", "bill", "--demo", "--demo-latency", "0", "--format", "json",
            "--region", "us-east-1"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["account"] == {"id": ACCOUNT_ID, "alias": "acme-staging"}
    billed = {line["service"]: line["billed"] for line in doc["services"]}
    billed |= {item["service"]: item["billed"] for item in doc["not_covered"]}
    assert billed == dict(DEMO_BILL)
    assert {item["service"] for item in doc["not_covered"]} == {"Amazon CloudFront", "AWS Support (Business)"}


def test_the_demo_bill_covers_every_billed_kind() -> None:
    services = dict(DEMO_BILL)
    assert set(kinds_by_service()) <= set(services)
    assert set(services) - set(kinds_by_service()) == {"Amazon CloudFront", "AWS Support (Business)"}
    [result] = demo_bill_results(date(2026, 1, 15))["results"]
    assert result["ResultsByTime"][0]["TimePeriod"] == {"Start": "2025-12-01", "End": "2026-01-01"}


# --- the view ---------------------------------------------------------------------------------------------


def bill_screen(app: TrackerApp) -> BillScreen:
    assert isinstance(app.screen, BillScreen), app.screen
    return app.screen


def status_of(app: TrackerApp) -> str:
    return shown_text(bill_screen(app).query_one("#bill-status"))


def test_b_asks_first_enter_fetches_in_a_worker_escape_leaves() -> None:
    threads: list[threading.Thread] = []

    class Recording(FakeBills):
        def fetch(self, account_id: str, *, refresh: bool = False) -> Bill:
            threads.append(threading.current_thread())
            return super().fetch(account_id, refresh=refresh)

    bills = Recording()

    async def main_() -> None:
        app = make_app(sample_source(resources=sample_resources(priced=True)), bills=bills)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("b")
            await pilot.pause()
            assert bill_screen(app).state == "notice"
            assert status_of(app) == f"{NOTICE}; press enter to fetch, escape to leave"
            assert bills.fetches == []  # nothing asked yet
            await pilot.press("enter")
            await wait_bill(app, pilot)
            screen = bill_screen(app)
            assert screen.state == "results" and bills.fetches == [False]
            assert threads and threads[0] is not threading.main_thread()
            assert screen.comparison is not None
            assert [item.service for item in screen.comparison.not_covered] == [
                "Amazon CloudFront", "AWS Support (Business)"]
            assert screen.comparison.totals.ours == pytest.approx(app.costs.total)
            assert status_of(app).startswith("fetched just now (1 request, $0.01)")
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)

    asyncio.run(main_())


def test_a_cached_bill_shows_at_once_and_r_asks_before_fetching_again() -> None:
    bills = FakeBills(cache=sample_bill(cached=True, hours_ago=3))

    async def main_() -> None:
        app = make_app(sample_source(resources=sample_resources(priced=True)), bills=bills)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("b")
            await pilot.pause()
            assert bill_screen(app).state == "results" and bills.fetches == []
            assert status_of(app).startswith("fetched 3 h ago (cached: no request, no charge)")
            await pilot.press("enter")  # enter does not fetch once the bill shows
            await pilot.pause()
            assert bills.fetches == []
            await pilot.press("r")
            await pilot.pause()
            assert status_of(app).startswith(f"fetch again: {NOTICE}")
            await pilot.press("enter")
            await wait_bill(app, pilot)
            assert bills.fetches == [True] and bill_screen(app).state == "results"

    asyncio.run(main_())


def test_a_refused_request_shows_its_one_line() -> None:
    bills = FakeBills(error=BillError(f"Cost Explorer denied the request (AccessDeniedException: no): the bill "
                                      f"needs {PERMISSION}"))

    async def main_() -> None:
        app = make_app(bills=bills)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("b", "enter")
            await wait_bill(app, pilot)
            assert bill_screen(app).state == "error"
            assert status_of(app).startswith("Cost Explorer denied the request")
            assert PERMISSION in status_of(app)

    asyncio.run(main_())


def test_a_saved_inventory_has_no_session_and_says_so(tmp_path: Path) -> None:
    app = open_app(write_inventory(tmp_path / "acme.json"))

    async def main_() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("b")
            await pilot.pause()
            screen = bill_screen(app)
            assert screen.state == "no-session"
            assert "saved inventory" in status_of(app) and "no AWS session" in status_of(app)
            await pilot.press("enter")  # nothing to fetch with
            await pilot.pause()
            assert screen.state == "no-session"

    asyncio.run(main_())


def test_the_palette_opens_the_bill() -> None:
    async def main_() -> None:
        app = make_app(bills=FakeBills())
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_scan(app, pilot)
            found = await palette_titles(app, pilot, "Bill beside")
            assert found and found[0] == "Bill beside the estimate"
            await pilot.press("enter")
            await pilot.pause()
            assert bill_screen(app).state == "notice"

    asyncio.run(main_())


def test_with_several_accounts_ours_is_the_billed_accounts_rows_only() -> None:
    async def main_() -> None:
        app = make_app(sample_source(resources=sample_resources(priced=True)), bills=FakeBills())
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_scan(app, pilot)
            mine = app.main.verbs.kind_totals(ACCOUNT_ID, True)
            assert dict(mine.by_kind) == pytest.approx(dict(app.costs.by_kind))
            assert dict(mine.unpriced_by_kind) == dict(app.costs.unpriced_by_kind)
            other = app.main.verbs.kind_totals("210987654321", True)
            assert not other.by_kind and not other.unpriced_by_kind
            assert app.main.verbs.kind_totals(ACCOUNT_ID, False) is app.costs

    asyncio.run(main_())
