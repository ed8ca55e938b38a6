"""RDS DB instances (aws/kinds/rds.py): listing against moto (fields, tags, the stopped state,
paging), and their prices worked by hand from the shipped catalogue (Single-AZ and Multi-AZ,
stopped, regions, engines, and what it cannot price)."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tests.support.prices import CAT, basis, cost, res
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.findings import with_findings
from tracker_tui.model import Resource, iso_utc

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
    assert (finding.monthly_saving, finding.confidence, finding.action) == (2.92, "medium", None)
    assert finding.evidence.startswith(
        "db.m4.large costs $155.86/mo; db.m5.large (current generation, same size, same engine and storage) "
        "costs $152.94/mo in us-east-1 (catalogue)"
    )
    assert found[1:] == [[], [], [], []]
