"""Prices from AWS itself: the Price List API (botocore Stubber: moto has none), cached, winning
over the shipped catalogue, and falling back to it with one line when AWS refuses or is away."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from tests.support.prices import offer
from tracker_tui.aws.kinds import estimate
from tracker_tui.aws.kinds.ec2_instance import WINDOWS, price_query
from tracker_tui.aws.kinds.rds import price_query as rds_query
from tracker_tui.aws.kinds.s3 import price_query as s3_query
from tracker_tui.model import Resource
from tracker_tui.price_update import needed_queries, update_prices
from tracker_tui.pricing.live import CACHE_SCHEMA, DEFAULT_TTL_SECONDS, LivePrices, default_cache_path, parse_price

NOW = 1_796_000_000.0  # 2026-11-30 (UTC)


class Session:
    """What LivePrices needs of a session: the pricing client, stubbed."""

    def __init__(self) -> None:
        self.pricing = boto3.client("pricing", region_name="us-east-1")
        self.stub = Stubber(self.pricing)
        self.stub.activate()
        self.asked: list[str] = []

    def client(self, service: str, region: str | None = None) -> Any:
        assert (service, region) == ("pricing", "us-east-1")
        return self.pricing

    def answer(self, *price_list: str, filters: Any = ANY, token: str | None = None, next_token: Any = None) -> None:
        params: dict[str, Any] = {"ServiceCode": ANY, "Filters": filters, "FormatVersion": "aws_v1"}
        if next_token is not None:
            params["NextToken"] = next_token
        reply: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": list(price_list)}
        if token:
            reply["NextToken"] = token
        self.stub.add_response("get_products", reply, params)

    def refuse(self, code: str = "AccessDeniedException", message: str = "not authorized: pricing:GetProducts") -> None:
        self.stub.add_client_error(
            "get_products", service_error_code=code, service_message=message, http_status_code=400
        )


def windows(itype: str = "m5.large", region: str = "us-east-1", **extra: Any) -> Resource:
    details = {"instance_type": itype, "platform": "Windows", "usage_operation": "RunInstances:0002", **extra}
    return Resource("ec2:instance", f"i-{itype}", region, account_id="123456789012", state="running", details=details)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "prices.json"


def test_a_fetched_price_wins_over_the_catalogue_and_says_where_it_came_from(cache: Path) -> None:
    session = Session()
    filters = [
        {"Type": "TERM_MATCH", "Field": f, "Value": v}
        for f, v in [
            ("instanceType", "m5.large"),
            ("regionCode", "us-east-1"),
            ("operatingSystem", "Windows"),
            ("preInstalledSw", "NA"),
            ("licenseModel", "No License required"),
            ("tenancy", "Shared"),
            ("capacitystatus", "Used"),
        ]
    ]
    session.answer(offer("0.1920000000"), filters=filters)
    live = LivePrices(session, cache, clock=lambda: NOW)

    cost, basis = estimate(windows(), book=live)

    session.stub.assert_no_pending_responses()
    assert cost == 140.16  # 0.192 x 730: the API's price, not the catalogue's 0.188
    assert basis == (
        "m5.large Windows on-demand us-east-1 (AWS Price List API, 2026-11-30), $0.1920/h x 730 h = $140.16"
    )
    saved = json.loads(cache.read_text())
    assert saved["schema"] == CACHE_SCHEMA
    (entry,) = saved["entries"].values()
    assert entry == {"usd": 0.192, "fetched": "2026-11-30T00:53:20Z", "label": "m5.large Windows us-east-1"}


def test_a_cached_price_is_used_without_a_call_and_without_fetching(cache: Path) -> None:
    first = Session()
    first.answer(offer("0.1920000000"))
    LivePrices(first, cache, clock=lambda: NOW).price(price_query("m5.large", "us-east-1", WINDOWS))
    # Later, with fetching off (live_prices unset): the cache still answers, and nothing is asked.
    quiet = Session()
    cached = LivePrices(quiet, cache, fetch=False, clock=lambda: NOW + 3600)
    assert estimate(windows(), book=cached)[0] == 140.16
    assert cached.calls == 0
    quiet.stub.assert_no_pending_responses()


def test_an_old_price_is_asked_again_after_the_ttl(cache: Path) -> None:
    session = Session()
    session.answer(offer("0.1920000000"))
    session.answer(offer("0.2000000000"))
    query = price_query("m5.large", "us-east-1", WINDOWS)
    LivePrices(session, cache, clock=lambda: NOW).price(query)
    within = LivePrices(session, cache, clock=lambda: NOW + DEFAULT_TTL_SECONDS - 1)
    found = within.price(query)
    assert found is not None and found.usd == 0.192 and within.calls == 0
    after = LivePrices(session, cache, clock=lambda: NOW + DEFAULT_TTL_SECONDS + 1)
    found = after.price(query)
    assert found is not None and found.usd == 0.2 and after.calls == 1
    session.stub.assert_no_pending_responses()


def test_no_such_product_is_remembered_and_the_catalogue_stands(cache: Path) -> None:
    session = Session()
    session.answer()  # an empty PriceList: not sold there
    live = LivePrices(session, cache, clock=lambda: NOW)
    assert estimate(windows(), book=live)[0] == 137.24  # the catalogue's 0.188
    assert estimate(windows(), book=live)[0] == 137.24
    assert live.calls == 1


def test_access_denied_is_one_line_and_stops_asking(cache: Path) -> None:
    session = Session()
    session.refuse()
    live = LivePrices(session, cache, clock=lambda: NOW)
    rows = [windows("m5.large"), windows("m5.xlarge"), windows("c5.large")]

    costs = [estimate(r, book=live)[0] for r in rows]

    assert costs == [137.24, 274.48, 129.21]  # the catalogue's, for every row
    assert live.calls == 1  # the first refusal ends the asking
    assert live.problems == [
        "the AWS Price List API cannot be used (AccessDeniedException: not authorized: pricing:GetProducts); "
        "the shipped catalogue's prices stand"
    ]


def test_no_network_is_one_line_and_the_catalogue_stands(cache: Path) -> None:
    from botocore.exceptions import EndpointConnectionError

    class Away:
        def client(self, service: str, region: str | None = None) -> Any:
            class Client:
                def get_products(self, **_: Any) -> Any:
                    raise EndpointConnectionError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com/")

            return Client()

    live = LivePrices(Away(), cache, clock=lambda: NOW)
    assert estimate(windows(), book=live)[0] == 137.24
    assert estimate(windows("c5.large"), book=live)[0] == 129.21
    assert live.calls == 1
    (problem,) = live.problems
    assert problem.startswith("the AWS Price List API cannot be used (EndpointConnectionError: Could not connect")


def test_every_page_of_an_answer_is_read(cache: Path) -> None:
    session = Session()
    session.answer(offer("0.3000000000"), token="page-2")
    session.answer(offer("0.2500000000"), next_token="page-2")
    found = LivePrices(session, cache, clock=lambda: NOW).price(price_query("m5.large", "us-east-1", WINDOWS))
    assert found is not None and found.usd == 0.25  # the lowest of both pages
    session.stub.assert_no_pending_responses()


def test_a_tiered_price_counts_from_its_first_tier() -> None:
    tiers = [("0", "51200", "0.0230000000"), ("51200", "512000", "0.0220000000"), ("512000", "Inf", "0.0210000000")]
    assert parse_price([offer("", unit="GB-Mo", tiers=tiers)], "GB-Mo") == 0.023
    assert parse_price([offer("0.1", unit="Hrs")], "GB-Mo") is None  # another unit is another price


def test_rds_and_s3_queries_name_what_aws_sells() -> None:
    multi = dict(rds_query("postgres", "db.m5.large", "eu-west-1", True).filters)
    assert multi == {
        "instanceType": "db.m5.large",
        "regionCode": "eu-west-1",
        "databaseEngine": "PostgreSQL",
        "deploymentOption": "Multi-AZ",
    }
    sql = dict(rds_query("sqlserver-se", "db.m5.xlarge", "us-east-1", False).filters)
    assert (sql["databaseEngine"], sql["databaseEdition"], sql["licenseModel"]) == (
        "SQL Server",
        "Standard",
        "License included",
    )
    assert dict(s3_query("mx-central-1").filters)["storageClass"] == "General Purpose"


@pytest.mark.parametrize("garbage", ["{not json", '{"entries": []}', "[1, 2]"])
def test_a_corrupt_cache_is_moved_aside_and_said(cache: Path, garbage: str) -> None:
    cache.write_text(garbage)
    live = LivePrices(None, cache, fetch=False, clock=lambda: NOW)
    assert live.price(price_query("m5.large", "us-east-1", WINDOWS)) is None
    (problem,) = live.problems
    assert "was corrupt" in problem and "moved aside" in problem
    assert not cache.exists() and list(cache.parent.glob("prices.json.corrupt-*"))


def test_an_older_versions_cache_is_not_an_error(cache: Path) -> None:
    cache.write_text(json.dumps({"schema": "tracker-tui/price-cache/v1", "entries": {}}))
    live = LivePrices(None, cache, fetch=False)
    assert live.price(price_query("m5.large", "us-east-1", WINDOWS)) is None
    assert live.problems == [] and cache.exists()


def test_an_unwritable_cache_still_answers(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    session = Session()
    session.answer(offer("0.1920000000"))
    live = LivePrices(session, blocker / "prices.json", clock=lambda: NOW)
    found = live.price(price_query("m5.large", "us-east-1", WINDOWS))
    assert found is not None and found.usd == 0.192
    assert any("not written" in p for p in live.problems)


def test_the_default_cache_is_in_the_user_cache_dir() -> None:
    import os

    path = default_cache_path()
    assert path.name == "prices.json" and str(path).startswith(os.environ["XDG_CACHE_HOME"])


# --- prices update ------------------------------------------------------------------------------


def estate() -> list[Resource]:
    rhel = {"instance_type": "m5.large", "platform": "Red Hat Enterprise Linux", "usage_operation": "RunInstances:0010"}
    return [
        windows("m5.large"),
        windows("m5.large"),  # the same price: asked once
        Resource("ec2:instance", "i-rhel", "us-east-1", state="running", details=rhel),
        Resource("ec2:volume", "vol-1", "us-east-1", state="in-use", details={"volume_type": "gp3", "size_gib": 8}),
        Resource("lambda:function", "fn", "us-east-1"),
    ]


def test_the_prices_a_scan_needs_are_the_ones_its_estimators_ask_for() -> None:
    labels = [q.label for q in needed_queries(estate())]
    assert labels == ["m5.large Red Hat Enterprise Linux us-east-1", "m5.large Windows us-east-1"]


def test_update_fetches_each_needed_price_once_and_reports_the_rows_it_changes(cache: Path) -> None:
    session = Session()
    # Sorted by key: the RHEL query, then the Windows one.
    session.answer(offer("0.1248000000"))
    session.answer(offer("0.1880000000"))

    done = update_prices(session, estate(), cache_path=cache, workers=1)

    session.stub.assert_no_pending_responses()
    assert (done.report.asked, done.report.fetched, done.report.failed) == (2, 2, 0)
    # The RHEL instance gets a price; the Windows ones keep the catalogue's (the same).
    assert [(c.resource.id, c.before, c.after) for c in done.changes] == [("i-rhel", None, 91.1)]
    assert done.newly_priced == 1 and done.problems == []
    rhel = estate()[2]
    cost, basis = estimate(rhel, book=LivePrices(None, cache, fetch=False))
    assert cost == 91.1 and "(AWS Price List API, " in basis


def test_update_when_aws_refuses_keeps_the_catalogue_and_says_so(cache: Path) -> None:
    session = Session()
    session.refuse()
    done = update_prices(session, estate(), cache_path=cache, workers=1)
    assert (done.report.fetched, done.report.failed) == (0, 2)
    assert done.changes == []
    assert done.problems[0].startswith("the AWS Price List API cannot be used (AccessDeniedException")
