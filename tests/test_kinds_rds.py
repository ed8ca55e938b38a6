"""RDS DB instances (aws/kinds/rds.py): listing against moto (fields, tags, the stopped state,
paging), and their prices worked by hand from the shipped catalogue (Single-AZ and Multi-AZ,
stopped, regions, engines, and what it cannot price)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.prices import CAT, basis, cost, res
from tests.support.stubs import Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources, rds
from tracker_tui.aws.kinds.rds import estimate_db_instance, list_db_instances, major_version
from tracker_tui.filtering import parse_filter
from tracker_tui.findings import counted, savings_total, with_findings
from tracker_tui.model import Resource, iso_utc
from tracker_tui.pricing.catalogue import load_catalogue

ACCOUNT = "123456789012"


def assert_owned(resource: Resource, kind: str, region: str, arn: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT
    assert resource.arn == arn


def _db(rds: Any, ident: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "DBInstanceIdentifier": ident,
        "Engine": "postgres",
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "MasterUsername": "admin",
        "MasterUserPassword": "not-a-secret-1",
    }
    params.update(extra)
    return rds.create_db_instance(**params)["DBInstance"]


# --- against moto ---------------------------------------------------------------------------------


def test_db_instances_fields_tags_and_stopped_state() -> None:
    with mock_aws():
        rds = boto3.client("rds", region_name="eu-west-1")
        _db(
            rds,
            "orders",
            DBInstanceClass="db.m5.large",
            AllocatedStorage=100,
            MultiAZ=True,
            DeletionProtection=True,
            Tags=[{"Key": "Name", "Value": "orders-db"}, {"Key": "env", "Value": "prod"}],
        )
        _db(rds, "reports", Engine="mysql")
        rds.stop_db_instance(DBInstanceIdentifier="reports")
        created = {
            d["DBInstanceIdentifier"]: d["InstanceCreateTime"] for d in rds.describe_db_instances()["DBInstances"]
        }

        resources, _ = helpers.scan(["rds:db-instance"], ["us-east-1", "eu-west-1"])

    found = {r.id: r for r in resources}
    assert set(found) == {"orders", "reports"}
    orders, reports = found["orders"], found["reports"]
    assert_owned(orders, "rds:db-instance", "eu-west-1", f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders")
    assert_owned(reports, "rds:db-instance", "eu-west-1", f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:reports")
    assert orders.state == "available"
    assert reports.state == "stopped"
    assert orders.details["engine"] == "postgres"
    assert reports.details["engine"] == "mysql"
    assert orders.details["instance_class"] == "db.m5.large"
    assert orders.details["multi_az"] is True
    assert reports.details["multi_az"] is False
    assert orders.details["allocated_storage_gib"] == 100
    assert orders.details["deletion_protection"] is True
    assert reports.details["deletion_protection"] is False
    assert orders.tags == {"Name": "orders-db", "env": "prod"}
    assert orders.name == "orders-db"
    assert reports.name == "reports"  # no Name tag: the identifier stands in
    assert orders.created == iso_utc(created["orders"])


def test_db_instances_paginate_past_the_first_page() -> None:
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        names = [f"db-{i}" for i in range(5)]
        for name in names:
            _db(rds, name)
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["rds:db-instance"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    pages = named(calls, "rds.DescribeDBInstances")
    # Real RDS wants MaxRecords >= 20 (not in the botocore model); moto accepts 2.
    assert len(pages) == 3  # 2 + 2 + 1
    assert all(params["MaxRecords"] == 2 for params in pages)


# --- prices ---------------------------------------------------------------------------------------


def db(region: str = "us-east-1", state: str = "available", **details: Any) -> Resource:
    base = {"engine": "postgres", "instance_class": "db.m5.large", "multi_az": False, "allocated_storage_gib": 200,
            "storage_type": "gp3"}
    base.update(details)
    return res("rds:db-instance", region, state, **base)


def test_rds_running_single_az() -> None:
    assert estimate(db()) == (
        152.94,
        f"db.m5.large postgres Single-AZ us-east-1 ({CAT}), $0.1780/h x 730 h = $129.94 + "
        "storage gp3 200 GiB x $0.115/GB-mo = $23.00; total $152.94",
    )


def test_rds_multi_az_is_the_multi_az_price_and_double_storage() -> None:
    r = db(engine="mysql", instance_class="db.r5.large", multi_az=True, allocated_storage_gib=500, iops=12000)
    assert estimate(r) == (
        465.4,
        f"db.r5.large mysql Multi-AZ us-east-1 ({CAT}), $0.4800/h x 730 h = $350.40 + "
        "storage gp3 500 GiB x $0.115/GB-mo x 2 (Multi-AZ) = $115.00; total $465.40",
    )


def test_rds_stopped_pays_storage_only() -> None:
    assert estimate(db(state="stopped")) == (
        23.0,
        "stopped: no instance charge (RDS starts it again after 7 days); storage gp3 200 GiB x $0.115/GB-mo = $23.00",
    )


def test_rds_region_priced_and_engines() -> None:
    # eu-west-1's own prices: 0.197/h x 730 = 143.81; gp3 0.127 x 200 = 25.40
    assert cost(db("eu-west-1")) == 169.21
    mariadb = db(engine="mariadb", instance_class="db.t3.micro", allocated_storage_gib=20, storage_type="gp2")
    assert cost(mariadb) == 14.71  # 0.017 x 730 + 20 x 0.115
    io1 = db(storage_type="io1", allocated_storage_gib=100, iops=1000)  # 129.94 + 12.5 + 100
    assert cost(io1) == 242.44
    aurora = estimate(db(engine="aurora-postgresql", instance_class="db.r6g.large"))
    assert aurora[0] == 189.8 and "billed on the Aurora cluster" in aurora[1]
    assert cost(db(instance_class="db.x2g.16xlarge")) == 7638.36  # 10.432 x 730 = 7,615.36 + 23.00


def test_rds_unknown_class_engine_storage_or_iops_price() -> None:
    assert estimate(db(instance_class="db.z9.huge")) == (
        None,
        "no catalogue price for db.z9.huge postgres Single-AZ in us-east-1; `tracker-tui prices update` fetches it",
    )
    assert cost(db(engine="sqlserver-se")) is None
    assert cost(db(storage_type="mystery")) is None
    assert "usage-dependent" in basis(db(engine="aurora-mysql", instance_class="db.serverless"))
    assert cost(db("cn-north-1")) is None
    # No catalogue price for provisioned IOPS outside us-east-1: unknown rather than a lower bound.
    io1 = estimate(db("eu-west-1", storage_type="io1", allocated_storage_gib=100, iops=1000))
    assert io1[0] is None and "io1 provisioned IOPS in eu-west-1" in io1[1]
    # gp3 within its included IOPS needs no IOPS price anywhere.
    assert cost(db("eu-west-1", iops=3000)) == 169.21


# --- findings -------------------------------------------------------------------------------------


def test_a_previous_generation_class_saves_the_difference_to_its_current_twin() -> None:
    """``rds-previous-generation``: db.m4.large postgres $0.182/h against db.m5.large's $0.178/h, same storage."""
    rows = with_findings(price_resources([
        db(instance_class="db.m4.large"),             # $132.86 + $23.00 storage = $155.86; on m5: $152.94
        db(instance_class="db.m5.large"),             # current generation already
        db(instance_class="db.r4.large"),             # db.r5.large costs the same: no saving, no finding
        db(state="stopped", instance_class="db.m4.large"),  # no instance hours billed while stopped
        db(region="xx-nowhere-1", instance_class="db.t2.medium"),  # not priced: nothing to compare
    ]))  # fmt: skip
    found = [[f for f in r.findings if f.id == "rds-previous-generation"] for r in rows]
    (finding,) = found[0]
    assert (finding.monthly_saving, finding.confidence, finding.action) == (2.92, "medium", "modify")
    assert finding.evidence.startswith(
        "db.m4.large costs $155.86/mo; db.m5.large (current generation, same size, same engine and storage) "
        "costs $152.94/mo in us-east-1 (catalogue)"
    )
    assert found[1:] == [[], [], [], []]


def test_a_row_with_two_class_findings_counts_the_larger_once() -> None:
    """db.m4.large has a current twin (db.m5) and a Graviton twin (db.m6g): both are findings, a
    total counts the row once, at the larger saving."""
    (row,) = with_findings(price_resources([db(instance_class="db.m4.large")]))  # $155.86
    savings = {f.id: f.monthly_saving for f in row.findings}
    assert savings == {"rds-previous-generation": 2.92, "rds-graviton-migration": 16.79}  # db.m6g.large: $139.07
    assert [(r.id, f.id) for r, f in counted([row])] == [(row.id, "rds-graviton-migration")]
    assert savings_total([row]) == 16.79


def test_a_graviton_twin_that_costs_less_saves_the_difference_to_the_cheapest() -> None:
    """``rds-graviton-migration``: db.m5.large postgres $0.178/h; db.m6g.large $0.159/h, db.m7g.large $0.168/h."""
    rows = with_findings(price_resources([
        db(),                                                     # $152.94; on m6g $139.07, on m7g $145.64
        db(instance_class="db.t3.medium"),                        # $75.56; on t4g $70.45
        db(engine="mysql", instance_class="db.r5.large", multi_az=True, allocated_storage_gib=500),  # Multi-AZ
        db(instance_class="db.m6g.large"),                        # Graviton already
        db(state="stopped"),                                      # no instance hours billed while stopped
        db(engine="sqlserver-se"),                                # not priced: nothing to compare
        db(region="xx-nowhere-1"),                                # not priced: nothing to compare
    ]))  # fmt: skip
    found = [[f for f in r.findings if f.id == "rds-graviton-migration"] for r in rows]
    (m5,), (t3,), (r5,) = found[:3]
    assert (m5.monthly_saving, m5.confidence, m5.action) == (13.87, "medium", "modify")
    assert m5.evidence == (
        "db.m5.large costs $152.94/mo; db.m6g.large (Graviton, arm64; same size, engine and storage) costs "
        "$139.07/mo in us-east-1 (catalogue); db.m7g.large costs $145.64/mo; the engine version must support "
        "Graviton classes (the console lists the classes a version takes), and changing the class restarts the "
        "database (a Multi-AZ one fails over)"
    )
    assert t3.monthly_saving == 5.11 and "db.t4g.medium (Graviton" in t3.evidence
    assert r5.monthly_saving == 36.5  # Multi-AZ $0.48/h against $0.43/h, x 730; the same storage on both
    assert found[3:] == [[], [], [], []]
    assert [i for i, r in enumerate(rows) if parse_filter("finding:rds-graviton-migration").matches(r)] == [0, 1, 2]


# --- RDS Extended Support -------------------------------------------------------------------------


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


#: The day the findings below are judged on (rules read the clock; the estimator takes ``now``).
TODAY = _at("2026-12-06T12:00:00")


class _Today(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> _Today:
        return cls.fromtimestamp(TODAY.timestamp(), tz)


@pytest.fixture
def on_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rds, "datetime", _Today)


def priced_on(r: Resource, day: datetime = TODAY) -> tuple[float | None, str]:
    return estimate_db_instance(r, load_catalogue(), None, now=day)


def test_major_versions_as_the_calendars_name_them() -> None:
    assert major_version("postgres", "12.22") == "12"
    assert major_version("aurora-postgresql", "13.12") == "13"
    assert major_version("mysql", "8.0.39") == "8.0"
    assert major_version("aurora-mysql", "5.7.mysql_aurora.2.11.2") == "2"
    assert major_version("aurora", "5.6.mysql_aurora.1.22.5") == "1"  # Aurora MySQL's old engine name
    assert major_version("aurora-mysql", "8.0.mysql_aurora.3.05.2") == "3"
    assert major_version("postgres", "") == ""


def test_extended_support_is_priced_into_the_row_per_vcpu_hour() -> None:
    """PostgreSQL 12 (standard support ended 2025-02-28) on db.m5.large (2 vCPUs), year 2: 2 x $0.100 x 730."""
    assert priced_on(db(engine_version="12.22")) == (
        298.94,
        f"db.m5.large postgres Single-AZ us-east-1 ({CAT}), $0.1780/h x 730 h = $129.94 + storage gp3 200 GiB x "
        "$0.115/GB-mo = $23.00 + RDS Extended Support (postgres 12, year 2 since standard support ended "
        "2025-02-28) 2 vCPU x $0.100/vCPU-h x 730 h = $146.00; total $298.94",
    )
    # Multi-AZ: the standby's vCPUs bill too; MySQL 5.7 (ended 2024-02-29) is in year 3 at $0.200.
    multi = db(engine="mysql", engine_version="5.7.44", instance_class="db.r5.large", multi_az=True,
               allocated_storage_gib=500)  # fmt: skip
    cost_, basis_ = priced_on(multi)
    assert cost_ == 1049.4  # $465.40 + 2 vCPU x 2 x $0.200 x 730 = $584.00
    assert "(mysql 5.7, year 3 since standard support ended 2024-02-29) 2 vCPU x 2 (Multi-AZ standby) x " in basis_
    # Aurora MySQL 2 has no year-3 rate: its years 1-2 rate all along.  Its storage is the cluster's.
    aurora = db(engine="aurora-mysql", engine_version="5.7.mysql_aurora.2.11.2", instance_class="db.r5.large")
    assert priced_on(aurora) == (
        357.7,
        f"db.r5.large aurora-mysql Single-AZ us-east-1 ({CAT}), $0.2900/h x 730 h = $211.70 + RDS Extended Support "
        "(aurora-mysql 2, MySQL 5.7-compatible, year 3 since standard support ended 2024-10-31) 2 vCPU x "
        "$0.100/vCPU-h x 730 h = $146.00; total $357.70; storage and I/O billed on the Aurora cluster, "
        "usage-dependent",
    )


def test_extended_support_starts_the_day_after_standard_support_and_changes_rate_in_year_three() -> None:
    pg12 = db(engine_version="12.22")
    assert priced_on(pg12, _at("2025-02-28T23:59:59"))[0] == 152.94  # still standard support
    assert priced_on(pg12, _at("2025-03-01T00:00:00"))[0] == 298.94  # year 1: $146.00
    assert priced_on(pg12, _at("2027-02-28T23:59:59"))[0] == 298.94  # year 2
    assert priced_on(pg12, _at("2027-03-01T00:00:00"))[0] == 444.94  # year 3: $0.200, $292.00
    past = priced_on(pg12, _at("2028-03-01T00:00:00"))
    assert past[0] is None and "past its three years: AWS upgrades the engine" in past[1]
    mysql8 = db(engine="mysql", engine_version="8.0.39")  # standard support to 2026-07-31
    assert priced_on(mysql8, _at("2026-07-31T23:00:00"))[0] == 147.83  # $124.83 + $23.00
    assert priced_on(mysql8, _at("2026-08-01T00:00:00"))[0] == 293.83


def test_no_extended_support_fee_in_standard_support_opted_out_or_stopped() -> None:
    assert priced_on(db(engine_version="16.4"))[0] == 152.94  # in standard support
    assert priced_on(db(engine_version="9.6.24"))[0] == 152.94  # not in the calendar: AWS upgraded those
    opted_out = db(engine_version="12.22", engine_lifecycle_support="open-source-rds-extended-support-disabled")
    assert priced_on(opted_out)[0] == 152.94  # AWS upgrades it instead of billing
    assert priced_on(db(state="stopped", engine_version="12.22")) == priced_on(db(state="stopped"))  # storage only
    assert priced_on(db(engine="mariadb", engine_version="10.4.34", instance_class="db.t3.micro"))[0] == 35.41


def test_the_lister_keeps_whether_a_database_opted_out_of_extended_support() -> None:
    """moto leaves EngineLifecycleSupport out: a Stubber answers with it."""
    stubs = Stubs()
    try:
        stub = stubs("rds")
        stub.add_response("describe_db_instances", {"DBInstances": [
            {"DBInstanceIdentifier": "old-pg", "Engine": "postgres", "EngineVersion": "12.22",
             "DBInstanceClass": "db.m5.large", "DBInstanceStatus": "available",
             "EngineLifecycleSupport": "open-source-rds-extended-support-disabled"},
        ]})  # fmt: skip
        found = collect(list_db_instances(stubs.context("us-east-1", ["us-east-1"])))
        stubs.assert_no_pending_responses()
    finally:
        stubs.deactivate()
    details = found["old-pg"].details
    assert details["engine_lifecycle_support"] == "open-source-rds-extended-support-disabled"
    assert priced_on(dataclasses.replace(db(), details={**db().details, **details}))[0] == 152.94  # no fee


def test_extended_support_where_its_rate_is_not_known_leaves_the_total_unknown() -> None:
    """The catalogue has us-east-1's rates only: elsewhere the fee is unknown, never $0."""
    assert priced_on(db("eu-west-1", engine_version="12.22")) == (
        None,
        f"db.m5.large postgres Single-AZ eu-west-1 ({CAT}), $0.1970/h x 730 h = $143.81 + storage gp3 200 GiB x "
        "$0.127/GB-mo = $25.40 + RDS Extended Support (postgres 12, year 2 since standard support ended "
        "2025-02-28): 2 vCPU x a rate not in the catalogue for eu-west-1 (us-east-1's only are known); "
        "total unknown",
    )


@pytest.mark.usefixtures("on_today")
def test_extended_support_is_a_finding_that_saves_the_fee() -> None:
    rows = with_findings(price_resources([
        db(engine_version="12.22"),                   # year 2: $146.00
        db("eu-west-1", engine_version="12.22"),      # the fee unknown there
        db(engine="aurora-postgresql", engine_version="12.19", instance_class="db.serverless"),  # per ACU-hour
        db(engine_version="16.4"),                    # standard support
        db(state="stopped", engine_version="12.22"),  # no instance hours
        db(engine_version="12.22", engine_lifecycle_support="open-source-rds-extended-support-disabled"),
    ]))  # fmt: skip
    found = [[f for f in r.findings if f.id == "rds-extended-support"] for r in rows]
    (priced,), (unknown,), (serverless,) = found[:3]
    assert (priced.monthly_saving, priced.confidence, priced.action) == (146.0, "high", None)
    assert priced.evidence == (
        "RDS Extended Support (postgres 12, year 2 since standard support ended 2025-02-28) 2 vCPU x "
        "$0.100/vCPU-h x 730 h = $146.00, part of the row's $298.94/mo; upgrading to a major version in standard "
        "support ends the fee (a major upgrade needs testing and some downtime; a blue/green deployment keeps it "
        "short)"
    )
    assert unknown.monthly_saving is None and "the fee is unknown, not $0" in unknown.evidence
    assert serverless.monthly_saving is None and "per ACU-hour on Aurora Serverless v2" in serverless.evidence
    assert found[3:] == [[], [], []]
    assert [i for i, r in enumerate(rows) if parse_filter("finding:rds-extended-support").matches(r)] == [0, 1, 2]
    # The Extended Support fee and a Graviton class are both findings of the first row; one counts.
    assert [f.id for r, f in counted(rows[:1])] == ["rds-extended-support"]
