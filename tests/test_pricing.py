"""The price catalogue, the per-kind estimators, waste, and optional live prices.

Expected numbers are worked by hand from the catalogue (us-east-1 price x region factor,
rounded to 5 decimals; x 730 h; rounded to cents half up) so a change to a price or a
rule shows up here as a plain number.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tracker_tui.aws.kinds import REGISTRY, estimate, price_resources
from tracker_tui.aws.kinds.ec2_elastic_ip import IDLE_ELASTIC_IP
from tracker_tui.aws.kinds.ec2_instance import STOPPED_INSTANCE_STORAGE
from tracker_tui.aws.kinds.ec2_volume import UNATTACHED_VOLUME as UNATTACHED_VOLUME_RULE
from tracker_tui.aws.kinds.elb import IDLE_LOAD_BALANCER
from tracker_tui.aws.kinds.logs import NO_RETENTION as NO_RETENTION_RULE
from tracker_tui.costs import find_waste
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import cents
from tracker_tui.pricing.catalogue import (
    FACTOR_SERVICES,
    Catalogue,
    CatalogueError,
    load_catalogue,
    read_catalogue_data,
)
from tracker_tui.pricing.live import CACHE_SCHEMA, LivePrices, default_cache_path, ec2_filters

GIB = 2**30

IDLE_EIP = IDLE_ELASTIC_IP.label
NO_RETENTION = NO_RETENTION_RULE.label
NO_TARGETS = IDLE_LOAD_BALANCER.label
STOPPED_INSTANCE = STOPPED_INSTANCE_STORAGE.label
UNATTACHED_VOLUME = UNATTACHED_VOLUME_RULE.label


def waste(resource: Resource, related: dict[str, Resource] | None = None) -> tuple[str, float | None] | None:
    """(the rule's label, the saving) of the one rule ``resource`` falls under, its related rows beside it."""
    hits = [(rule.label, saving) for r, rule, saving in find_waste([resource, *(related or {}).values()])
            if r.key == resource.key]
    assert len(hits) <= 1
    return hits[0] if hits else None


def res(kind: str, region: str = "us-east-1", state: str = "", **details: Any) -> Resource:
    return Resource(kind=kind, id=f"{kind}-1", region=region, account_id="123456789012", state=state, details=details)


def cost(resource: Resource) -> float | None:
    return estimate(resource)[0]


def basis(resource: Resource) -> str:
    return estimate(resource)[1]


# --- the catalogue -----------------------------------------------------------------------


def test_catalogue_ships_in_the_package_and_loads() -> None:
    assert resources.files("tracker_tui.pricing").joinpath("catalogue.json").is_file()
    cat = load_catalogue()
    assert cat.hours_per_month == 730
    assert cat.base_region == "us-east-1"
    assert cat.source and "aws.amazon.com" in cat.source.lower() or "AWS" in cat.source
    assert cat.as_of == "2025-06-01"


def test_every_section_and_the_region_table_have_a_source_and_date() -> None:
    data = read_catalogue_data()
    assert data["source"] and data["as_of"]
    for name, section in data["sections"].items():
        assert isinstance(section.get("source"), str) and section["source"].strip(), name
    assert data["regions"]["source"].strip()
    assert data["regions"]["as_of"].strip()


def test_every_region_has_every_service_factor_and_the_base_is_one() -> None:
    cat = load_catalogue()
    assert len(cat.regions) >= 25
    for region in cat.regions:
        for service in FACTOR_SERVICES:
            factor = cat.factor(service, region)
            assert factor is not None and 0.9 <= factor <= 2.5, (region, service, factor)
    assert all(cat.factor(s, "us-east-1") == 1.0 for s in FACTOR_SERVICES)


def test_the_required_ec2_families_are_priced_in_common_sizes() -> None:
    cat = load_catalogue()
    families = ["t2", "t3", "t3a", "t4g", "m5", "m6i", "m7i", "m6g", "m7g", "c5", "c6i", "c7g", "r5", "r6i", "r6g"]
    for family in families:
        for size in ("large", "xlarge", "2xlarge"):
            assert cat.ec2_hourly(f"{family}.{size}", "us-east-1"), f"{family}.{size}"
    assert cat.ec2_hourly("t3.micro", "us-east-1") == 0.0104
    assert cat.ec2_hourly("m5.large", "us-east-1") == 0.096
    assert cat.ec2_hourly("x1e.32xlarge", "us-east-1") is None


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["sections"]["ebs"].pop("source"), "section 'ebs' has no source"),
        (lambda d: d.pop("as_of"), "missing 'as_of'"),
        (lambda d: d["regions"].pop("source"), "region table has no source"),
        (lambda d: d["regions"]["factors"]["eu-west-1"].pop("nat_gateway"), "eu-west-1 has no positive 'nat_gateway'"),
        (lambda d: d["sections"]["ec2"]["families"]["m5"].update(large=0), "is not positive"),
    ],
)
def test_an_incomplete_catalogue_is_refused(mutate: Any, message: str) -> None:
    data = copy.deepcopy(read_catalogue_data())
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        Catalogue(data)


def test_every_kind_prices_a_bare_row_with_a_basis_and_no_error() -> None:
    for kind in REGISTRY:
        cost, text = estimate(res(kind))
        assert text and not text.startswith(("could not estimate", "no estimator")), (kind, text)
        assert cost is None or cost >= 0


def test_cents_round_half_up() -> None:
    assert cents(0.0225 * 730) == 16.43  # 16.425
    assert cents(0.0125 * 730) == 9.13  # 9.125


# --- ec2:instance ------------------------------------------------------------------------


def test_instance_running_us_east_1() -> None:
    r = res("ec2:instance", state="running", instance_type="m5.large", platform="Linux/UNIX")
    assert estimate(r) == (70.08, "m5.large Linux on-demand us-east-1, $0.0960/h x 730 h = $70.08")


def test_instance_region_priced_eu_west_1() -> None:
    r = res("ec2:instance", "eu-west-1", "running", instance_type="m5.large", platform="Linux/UNIX")
    assert estimate(r) == (78.11, "m5.large Linux on-demand eu-west-1, $0.1070/h x 730 h = $78.11")
    # Burstable families have their own eu-west-1 factor: $0.0114/h, as published.
    micro = res("ec2:instance", "eu-west-1", "running", instance_type="t3.micro")
    assert cost(micro) == 8.32
    assert cost(res("ec2:instance", "us-east-1", "running", instance_type="t3.micro")) == 7.59


def test_instance_stopped_has_no_compute_cost() -> None:
    r = res("ec2:instance", state="stopped", instance_type="m5.large", volume_ids=["vol-1"])
    assert estimate(r) == (0.0, "stopped: no compute charge; its EBS volumes are billed on their own rows")
    assert cost(res("ec2:instance", state="stopping", instance_type="m5.large")) == 0.0


def test_instance_unknown_type_region_and_platform_are_unknown_not_zero() -> None:
    assert estimate(res("ec2:instance", state="running", instance_type="x1e.32xlarge")) == (
        None,
        "no catalogue price for x1e.32xlarge in us-east-1",
    )
    cn = estimate(res("ec2:instance", "cn-north-1", "running", instance_type="m5.large"))
    assert cn[0] is None and "cn-north-1" in cn[1]
    win = estimate(res("ec2:instance", state="running", instance_type="m5.large", platform="Windows"))
    assert win == (None, "m5.large Windows: no catalogue price (only Linux/UNIX is priced)")
    spot = estimate(res("ec2:instance", state="running", instance_type="m5.large", lifecycle="spot"))
    assert spot[0] is None and "spot" in spot[1]
    dedicated = estimate(res("ec2:instance", state="running", instance_type="m5.large", tenancy="dedicated"))
    assert dedicated[0] is None and "dedicated" in dedicated[1]


def test_instance_public_ip_is_noted_as_not_included() -> None:
    r = res("ec2:instance", state="running", instance_type="t3.micro", public_ip="3.3.3.3")
    assert estimate(r) == (
        7.59,
        "t3.micro Linux on-demand us-east-1, $0.0104/h x 730 h = $7.59; public IPv4 ($0.005/h) not included",
    )


# --- ec2:volume --------------------------------------------------------------------------


def test_volume_gp3_with_extra_iops_and_throughput() -> None:
    r = res("ec2:volume", state="in-use", volume_type="gp3", size_gib=500, iops=6000, throughput_mibps=250)
    assert estimate(r) == (
        60.0,
        "gp3 us-east-1: 500 GiB x $0.08/GB-mo + 3,000 IOPS above 3,000 x $0.005 + 125 MiB/s above 125 x $0.04 = $60.00",
    )
    baseline = res("ec2:volume", state="in-use", volume_type="gp3", size_gib=50, iops=3000, throughput_mibps=125)
    assert estimate(baseline) == (4.0, "gp3 us-east-1: 50 GiB x $0.08/GB-mo = $4.00")


def test_volume_region_priced_eu_west_1() -> None:
    r = res("ec2:volume", "eu-west-1", "in-use", volume_type="gp3", size_gib=500, iops=6000, throughput_mibps=250)
    assert cost(r) == 66.0  # 500 x 0.088 + 3000 x 0.0055 + 125 x 0.044
    assert cost(res("ec2:volume", "eu-west-1", "in-use", volume_type="gp2", size_gib=100)) == 11.0


@pytest.mark.parametrize(
    "details, expected",
    [
        ({"volume_type": "gp2", "size_gib": 100}, 10.0),
        ({"volume_type": "io1", "size_gib": 200, "iops": 4000}, 285.0),  # 25 + 4000 x 0.065
        ({"volume_type": "io2", "size_gib": 100, "iops": 40000}, 2456.5),  # 12.5 + 32000 x .065 + 8000 x .0455
        ({"volume_type": "io2", "size_gib": 100, "iops": 70000}, 3740.5),  # 12.5 + 2080 + 32000 x .0455 + 6000 x .032
        ({"volume_type": "st1", "size_gib": 1000}, 45.0),
        ({"volume_type": "sc1", "size_gib": 500}, 7.5),
        ({"volume_type": "standard", "size_gib": 8}, 0.4),
    ],
)
def test_volume_types(details: dict[str, Any], expected: float) -> None:
    assert cost(res("ec2:volume", state="in-use", **details)) == expected


def test_volume_standard_notes_usage_and_unknowns() -> None:
    assert "I/O requests" in basis(res("ec2:volume", state="in-use", volume_type="standard", size_gib=8))
    assert estimate(res("ec2:volume", state="in-use", volume_type="gp9", size_gib=8)) == (
        None,
        "no catalogue price for volume type gp9 in us-east-1",
    )
    assert estimate(res("ec2:volume", state="in-use", volume_type="gp3")) == (None, "gp3 volume size unknown")
    assert cost(res("ec2:volume", "cn-north-1", "in-use", volume_type="gp3", size_gib=8)) is None


# --- ec2:elastic-ip, ec2:nat-gateway, elb:load-balancer ----------------------------------


def test_elastic_ip_costs_the_same_idle_or_associated() -> None:
    idle = res("ec2:elastic-ip", state="idle", associated=False)
    assert estimate(idle) == (3.65, "public IPv4 us-east-1, $0.0050/h x 730 h = $3.65 (idle: pure waste)")
    associated = res("ec2:elastic-ip", "eu-west-1", "associated", associated=True)
    assert estimate(associated) == (3.65, "public IPv4 eu-west-1, $0.0050/h x 730 h = $3.65 (associated)")
    assert cost(res("ec2:elastic-ip", "us-gov-west-1", "idle")) is None


def test_nat_gateway_hourly_plus_usage_note() -> None:
    assert estimate(res("ec2:nat-gateway", state="available")) == (
        32.85,
        "NAT gateway us-east-1, $0.0450/h x 730 h = $32.85 + data processing $0.045/GB, usage-dependent; "
        "its public IPv4 is billed on its Elastic IP row",
    )
    eu = estimate(res("ec2:nat-gateway", "eu-west-1", "available"))
    assert eu[0] == 35.04 and "$0.0480/h" in eu[1] and "$0.048/GB, usage-dependent" in eu[1]
    assert cost(res("ec2:nat-gateway", "ap-southeast-2", "available")) == 43.07  # 0.059 x 730
    assert cost(res("ec2:nat-gateway", state="failed")) == 0.0
    assert cost(res("ec2:nat-gateway", "xx-nowhere-1", "available")) is None


@pytest.mark.parametrize(
    "subtype, region, expected, label",
    [
        ("application", "us-east-1", 16.43, "ALB"),
        ("network", "us-east-1", 16.43, "NLB"),
        ("gateway", "us-east-1", 9.13, "GWLB"),
        ("classic", "us-east-1", 18.25, "Classic LB"),
        ("application", "eu-west-1", 18.40, "ALB"),  # 0.0252 x 730 = 18.396
    ],
)
def test_load_balancers_by_subtype(subtype: str, region: str, expected: float, label: str) -> None:
    value, text = estimate(res("elb:load-balancer", region, "active", subtype=subtype, target_count=1))
    assert value == expected
    assert text.startswith(f"{label} {region}, $") and "usage-dependent" in text


def test_load_balancer_unknown_subtype() -> None:
    assert estimate(res("elb:load-balancer", state="active", subtype="mystery")) == (
        None,
        "no catalogue price for load balancer type mystery",
    )


# --- rds:db-instance ---------------------------------------------------------------------


def db(region: str = "us-east-1", state: str = "available", **details: Any) -> Resource:
    base = {"engine": "postgres", "instance_class": "db.m5.large", "multi_az": False, "allocated_storage_gib": 200,
            "storage_type": "gp3"}
    base.update(details)
    return res("rds:db-instance", region, state, **base)


def test_rds_running_single_az() -> None:
    assert estimate(db()) == (
        152.94,
        "db.m5.large postgres Single-AZ us-east-1, $0.1780/h x 730 h = $129.94 + "
        "storage gp3 200 GiB x $0.115/GB-mo = $23.00; total $152.94",
    )


def test_rds_multi_az_doubles_instance_and_storage() -> None:
    r = db(engine="mysql", instance_class="db.r5.large", multi_az=True, allocated_storage_gib=500, iops=12000)
    assert estimate(r) == (
        465.4,
        "db.r5.large mysql Multi-AZ us-east-1, 2 x $0.2400/h x 730 h = $350.40 + "
        "storage gp3 500 GiB x $0.115/GB-mo x 2 (Multi-AZ) = $115.00; total $465.40",
    )


def test_rds_stopped_pays_storage_only() -> None:
    assert estimate(db(state="stopped")) == (
        23.0,
        "stopped: no instance charge (RDS starts it again after 7 days); storage gp3 200 GiB x $0.115/GB-mo = $23.00",
    )


def test_rds_region_priced_and_engines() -> None:
    # eu-west-1: 0.178 x 1.11 = 0.19758/h -> 144.2334; storage 0.115 x 1.11 = 0.12765 x 200 = 25.53
    assert cost(db("eu-west-1")) == 169.76
    mariadb = db(engine="mariadb", instance_class="db.t3.micro", allocated_storage_gib=20, storage_type="gp2")
    assert cost(mariadb) == 14.71
    io1 = db(storage_type="io1", allocated_storage_gib=100, iops=1000)  # 129.94 + 12.5 + 100
    assert cost(io1) == 242.44
    aurora = estimate(db(engine="aurora-postgresql", instance_class="db.r6g.large"))
    assert aurora[0] == 189.8 and "billed on the Aurora cluster" in aurora[1]


def test_rds_unknown_class_engine_or_storage() -> None:
    assert estimate(db(instance_class="db.x2g.16xlarge")) == (
        None,
        "no catalogue price for db.x2g.16xlarge postgres in us-east-1",
    )
    assert cost(db(engine="sqlserver-se")) is None
    assert cost(db(storage_type="mystery")) is None
    assert "usage-dependent" in basis(db(engine="aurora-mysql", instance_class="db.serverless"))
    assert cost(db("cn-north-1")) is None


# --- elasticache:cluster -----------------------------------------------------------------


def test_elasticache_node_type_times_nodes() -> None:
    r = res("elasticache:cluster", state="available", engine="memcached", node_type="cache.m5.large", num_nodes=3)
    assert estimate(r) == (341.64, "cache.m5.large memcached us-east-1, 3 x $0.1560/h x 730 h = $341.64")
    one = res("elasticache:cluster", state="available", engine="redis", node_type="cache.t3.medium", num_nodes=1)
    assert estimate(one) == (49.64, "cache.t3.medium redis us-east-1, $0.0680/h x 730 h = $49.64")


def test_elasticache_region_priced_valkey_and_unknown() -> None:
    eu = res("elasticache:cluster", "eu-west-1", "available", engine="redis", node_type="cache.t3.medium", num_nodes=1)
    assert cost(eu) == 55.35  # 0.068 x 1.115 = 0.07582 x 730 = 55.3486
    valkey = res("elasticache:cluster", state="available", engine="valkey", node_type="cache.t3.medium", num_nodes=1)
    assert cost(valkey) == 39.71  # 0.068 x 0.8 = 0.0544 x 730
    unknown = res("elasticache:cluster", state="available", engine="redis", node_type="cache.x9.huge", num_nodes=2)
    assert estimate(unknown) == (None, "no catalogue price for cache.x9.huge redis in us-east-1")


# --- s3:bucket, logs:log-group -----------------------------------------------------------


def test_s3_from_bucket_size() -> None:
    r = res("s3:bucket", "us-east-1", "available", size_bytes=850 * GIB)
    assert estimate(r) == (
        19.55,
        "S3 Standard us-east-1, 850 GB x $0.023/GB-mo = $19.55 "
        "(Standard storage at the first-tier rate; requests and transfer usage-dependent)",
    )
    assert cost(res("s3:bucket", "eu-west-1", size_bytes=4200 * GIB)) == 96.6
    assert cost(res("s3:bucket", "ap-southeast-2", size_bytes=1300 * GIB)) == 32.5  # $0.025
    assert cost(res("s3:bucket", "us-east-1", size_bytes=3 * 2**20)) == 0.0


def test_s3_unknown_size_or_region_is_unknown() -> None:
    assert estimate(res("s3:bucket", size_bytes=None)) == (None, "size unknown (CloudWatch has no BucketSizeBytes yet)")
    assert cost(res("s3:bucket", "unknown", size_bytes=GIB)) is None


def test_log_group_storage() -> None:
    r = res("logs:log-group", state="active", stored_bytes=10 * GIB)
    assert estimate(r) == (
        0.3,
        "log storage us-east-1, 10 GB x $0.03/GB-mo = $0.30 + ingestion ($0.50/GB in us-east-1), usage-dependent",
    )
    assert cost(res("logs:log-group", "ap-southeast-2", "active", stored_bytes=100 * GIB)) == 3.3
    assert cost(res("logs:log-group", state="active", stored_bytes=0)) == 0.0


# --- lambda, iam, autoscaling ------------------------------------------------------------


def test_usage_dependent_and_free_kinds() -> None:
    assert estimate(res("lambda:function", memory_mb=128)) == (None, "usage-dependent (requests and GB-seconds)")
    assert estimate(res("iam:user", "global")) == (0.0, "IAM is free")
    assert estimate(res("iam:role", "global")) == (0.0, "IAM is free")
    asg = estimate(res("autoscaling:group", instance_count=2))
    assert asg[0] == 0.0 and "own rows (2 instances)" in asg[1] and "twice" in asg[1]


def test_unknown_kind_and_odd_details_never_raise() -> None:
    assert estimate(res("sqs:queue")) == (None, "no estimator for kind sqs:queue")
    odd = estimate(res("ec2:instance", state="running", instance_type=123))
    assert odd[0] is None and odd[1].startswith("could not estimate")
    assert estimate(res("ec2:volume", state="in-use", volume_type="gp3", size_gib="lots")) == (
        None,
        "gp3 volume size unknown",
    )


def test_price_resources_returns_priced_copies() -> None:
    originals = [
        res("ec2:instance", state="running", instance_type="m5.large"),
        res("lambda:function"),
    ]
    priced = price_resources(originals)
    assert [p.monthly_cost for p in priced] == [70.08, None]
    assert all(p.cost_basis for p in priced)
    assert originals[0].monthly_cost is None and originals[0].cost_basis is None
    assert priced[0].id == originals[0].id and priced[0].details == originals[0].details


# --- waste -------------------------------------------------------------------------------


def test_waste_idle_eip_unattached_volume_no_targets_no_retention() -> None:
    assert waste(res("ec2:elastic-ip", state="idle", associated=False)) == (IDLE_EIP, 3.65)
    assert waste(res("ec2:elastic-ip", state="associated", associated=True)) is None
    assert waste(res("ec2:volume", state="available", volume_type="gp2", size_gib=100)) == (UNATTACHED_VOLUME, 10.0)
    assert waste(res("ec2:volume", state="in-use", volume_type="gp2", size_gib=100)) is None
    assert waste(res("elb:load-balancer", state="active", subtype="network", target_count=0)) == (NO_TARGETS, 16.43)
    assert waste(res("elb:load-balancer", state="active", subtype="network", target_count=2)) is None
    assert waste(res("logs:log-group", stored_bytes=10 * GIB)) == (NO_RETENTION, 0.3)
    assert waste(res("logs:log-group", stored_bytes=10 * GIB, retention_days=30)) is None
    assert waste(res("lambda:function")) is None


def test_waste_uses_an_already_priced_cost() -> None:
    priced = price_resources([res("ec2:volume", state="available", volume_type="weird", size_gib=100)])[0]
    assert waste(priced) == (UNATTACHED_VOLUME, None)


def test_waste_stopped_instance_saving_is_its_volumes() -> None:
    inst = res("ec2:instance", state="stopped", instance_type="m5.large", volume_ids=["vol-a", "vol-b"])
    # Its volumes are looked up in its own account and region.
    vol_a = Resource("ec2:volume", "vol-a", "us-east-1", account_id="123456789012", state="in-use",
                     details={"volume_type": "gp3", "size_gib": 50})
    vol_b = Resource("ec2:volume", "vol-b", "us-east-1", account_id="123456789012", state="in-use",
                     details={"volume_type": "gp2", "size_gib": 100})
    assert waste(inst, {"vol-a": vol_a, "vol-b": vol_b}) == (STOPPED_INSTANCE, 14.0)
    assert waste(inst, {"vol-a": vol_a}) == (STOPPED_INSTANCE, None)  # one volume not seen yet
    assert waste(inst) == (STOPPED_INSTANCE, None)  # no lookup given
    assert waste(res("ec2:instance", state="stopped", instance_type="m5.large")) is None  # nothing to pay for
    assert waste(res("ec2:instance", state="running", instance_type="m5.large", volume_ids=["vol-a"])) is None


def test_find_waste_looks_volumes_up_among_the_resources() -> None:
    inst = Resource(
        "ec2:instance", "i-1", "us-east-1", account_id="1", state="stopped",
        details={"instance_type": "m5.large", "volume_ids": ["vol-a"]},
    )
    vol = Resource("ec2:volume", "vol-a", "us-east-1", account_id="1", state="in-use",
                   details={"volume_type": "gp3", "size_gib": 50})
    other_region = Resource("ec2:volume", "vol-a", "eu-west-1", account_id="1", state="in-use",
                            details={"volume_type": "gp3", "size_gib": 5000})
    eip = Resource("ec2:elastic-ip", "eipalloc-1", "us-east-1", account_id="1", state="idle")
    found = find_waste(price_resources([inst, vol, other_region, eip]))
    assert [(r.id, rule.label, saving) for r, rule, saving in found] == [
        ("i-1", STOPPED_INSTANCE, 4.0),
        ("eipalloc-1", IDLE_EIP, 3.65),
    ]


# --- live prices (Price List API, botocore Stubber) ---------------------------------------


def price_doc(usd: str, instance_type: str = "x2idn.16xlarge") -> str:
    return json.dumps(
        {
            "product": {"sku": "SKU1", "attributes": {"instanceType": instance_type, "operatingSystem": "Linux"}},
            "terms": {
                "OnDemand": {
                    "SKU1.JRTCKXETXF": {
                        "priceDimensions": {
                            "SKU1.JRTCKXETXF.6YS6EN2CT7": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}
                        }
                    }
                }
            },
        }
    )


class FakeSession:
    """The app's session shape: ``.client(service, region)``; hands out one stubbed client."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.asked: list[tuple[str, str | None]] = []

    def client(self, service: str, region: str | None = None) -> Any:
        self.asked.append((service, region))
        return self._client


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pricing() -> Any:
    client = boto3.session.Session().client("pricing", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expected_params(instance_type: str = "x2idn.16xlarge", region: str = "eu-west-1") -> dict[str, Any]:
    return {
        "ServiceCode": "AmazonEC2",
        "Filters": ec2_filters(instance_type, region),
        "FormatVersion": "aws_v1",
        "MaxResults": 10,
    }


def unknown_instance(region: str = "eu-west-1") -> Resource:
    return res("ec2:instance", region, "running", instance_type="x2idn.16xlarge")


def test_live_price_success_is_used_and_cached(pricing: Any, tmp_path: Path) -> None:
    client, stubber = pricing
    stubber.add_response("get_products", {"PriceList": [price_doc("7.3380000000")], "FormatVersion": "aws_v1"},
                         expected_params())
    session = FakeSession(client)
    clock = Clock()
    live = LivePrices(session, tmp_path / "prices.json", 3600, clock=clock)
    assert estimate(unknown_instance(), live=live) == (
        5356.74,
        "x2idn.16xlarge Linux on-demand (AWS Price List API) eu-west-1, $7.3380/h x 730 h = $5,356.74",
    )
    assert session.asked == [("pricing", "us-east-1")]
    cache = json.loads((tmp_path / "prices.json").read_text())
    assert cache["schema"] == CACHE_SCHEMA
    assert cache["entries"]["AmazonEC2/x2idn.16xlarge/eu-west-1/Linux"] == {
        "usd_per_hour": 7.338, "fetched_at": clock.now, "ttl_seconds": 3600.0,
    }
    # A second lookup in the same run, and a fresh LivePrices reading the file, make no call.
    assert live.ec2_hourly("x2idn.16xlarge", "eu-west-1") == 7.338
    again = LivePrices(session, tmp_path / "prices.json", 3600, clock=clock)
    assert again.ec2_hourly("x2idn.16xlarge", "eu-west-1") == 7.338
    assert live.calls == 1 and again.calls == 0


def test_live_price_not_used_for_catalogued_types(tmp_path: Path) -> None:
    class Boom:
        def ec2_hourly(self, instance_type: str, region: str) -> float | None:
            raise AssertionError("live asked for a catalogued type")

    assert cost(res("ec2:instance", state="running", instance_type="m5.large")) == 70.08
    assert estimate(res("ec2:instance", state="running", instance_type="m5.large"), live=Boom())[0] == 70.08


def test_live_price_error_falls_back_to_the_catalogue(pricing: Any, tmp_path: Path) -> None:
    client, stubber = pricing
    stubber.add_client_error("get_products", "AccessDeniedException", "not allowed to pricing:GetProducts",
                             expected_params=expected_params())
    live = LivePrices(FakeSession(client), tmp_path / "prices.json", 3600, clock=Clock())
    assert estimate(unknown_instance(), live=live) == (None, "no catalogue price for x2idn.16xlarge in eu-west-1")
    assert live.problems and "AccessDeniedException" in live.problems[0]
    # Not retried in this run (no stubbed response is queued: a call would fail loudly here).
    assert live.ec2_hourly("x2idn.16xlarge", "eu-west-1") is None
    assert live.calls == 1
    assert not (tmp_path / "prices.json").exists()  # errors are not cached


def test_live_price_any_error_even_unparseable_is_none(tmp_path: Path) -> None:
    class Broken:
        def client(self, service: str, region: str | None = None) -> Any:
            raise RuntimeError("no credentials")

    live = LivePrices(Broken(), tmp_path / "prices.json", 3600)
    assert live.ec2_hourly("x2idn.16xlarge", "eu-west-1") is None
    assert "no credentials" in live.problems[0]


def test_live_cache_hit_within_ttl_makes_no_call(pricing: Any, tmp_path: Path) -> None:
    client, _stubber = pricing  # nothing queued: any call would raise
    clock = Clock()
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"schema": CACHE_SCHEMA, "entries": {
        "AmazonEC2/x2idn.16xlarge/eu-west-1/Linux": {"usd_per_hour": 7.0, "fetched_at": clock.now - 3599,
                                                     "ttl_seconds": 3600},
    }}))
    live = LivePrices(FakeSession(client), path, 3600, clock=clock)
    assert cost(unknown_instance()) is None
    assert estimate(unknown_instance(), live=live)[0] == 5110.0
    assert live.calls == 0 and live.problems == []


def test_live_expired_ttl_refetches(pricing: Any, tmp_path: Path) -> None:
    client, stubber = pricing
    stubber.add_response("get_products", {"PriceList": [price_doc("8.0")], "FormatVersion": "aws_v1"},
                         expected_params())
    clock = Clock()
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"schema": CACHE_SCHEMA, "entries": {
        "AmazonEC2/x2idn.16xlarge/eu-west-1/Linux": {"usd_per_hour": 7.0, "fetched_at": clock.now - 3601,
                                                     "ttl_seconds": 3600},
    }}))
    live = LivePrices(FakeSession(client), path, 3600, clock=clock)
    assert live.ec2_hourly("x2idn.16xlarge", "eu-west-1") == 8.0
    assert live.calls == 1
    entry = json.loads(path.read_text())["entries"]["AmazonEC2/x2idn.16xlarge/eu-west-1/Linux"]
    assert entry["usd_per_hour"] == 8.0 and entry["fetched_at"] == clock.now


def test_live_no_such_product_is_cached_as_unknown(pricing: Any, tmp_path: Path) -> None:
    client, stubber = pricing
    stubber.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"},
                         expected_params("m99.huge", "us-east-1"))
    live = LivePrices(FakeSession(client), tmp_path / "prices.json", 3600, clock=Clock())
    r = res("ec2:instance", state="running", instance_type="m99.huge")
    assert estimate(r, live=live) == (None, "no catalogue price for m99.huge in us-east-1")
    assert live.ec2_hourly("m99.huge", "us-east-1") is None
    assert live.calls == 1


@pytest.mark.parametrize(
    "garbage", ["{not json", '{"schema": "something-else"}', '{"schema": "tracker-tui/price-cache/v1", "entries": [1]}']
)
def test_live_corrupt_cache_is_moved_aside(pricing: Any, tmp_path: Path, garbage: str) -> None:
    client, stubber = pricing
    stubber.add_response("get_products", {"PriceList": [price_doc("7.338")], "FormatVersion": "aws_v1"},
                         expected_params())
    path = tmp_path / "prices.json"
    path.write_text(garbage)
    live = LivePrices(FakeSession(client), path, 3600, clock=Clock())
    assert live.ec2_hourly("x2idn.16xlarge", "eu-west-1") == 7.338
    aside = list(tmp_path.glob("prices.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == garbage
    assert "moved aside" in live.problems[0]
    assert json.loads(path.read_text())["schema"] == CACHE_SCHEMA


def test_live_unwritable_cache_still_answers(pricing: Any, tmp_path: Path) -> None:
    client, stubber = pricing
    stubber.add_response("get_products", {"PriceList": [price_doc("7.338")], "FormatVersion": "aws_v1"},
                         expected_params())
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    live = LivePrices(FakeSession(client), blocker / "prices.json", 3600, clock=Clock())
    assert live.ec2_hourly("x2idn.16xlarge", "eu-west-1") == 7.338
    assert any("not written" in p for p in live.problems)


def test_default_cache_path_is_in_the_user_cache_dir(tmp_path: Path) -> None:
    path = default_cache_path()
    assert path.name == "prices.json" and path.parent.name == "tracker-tui"
    import os

    assert str(path).startswith(os.environ["XDG_CACHE_HOME"])


def test_pricing_never_imports_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import tracker_tui.pricing.basis, tracker_tui.pricing.live, tracker_tui.pricing.catalogue, "
        "tracker_tui.aws.kinds, tracker_tui.costs; "
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
