"""S3 buckets, each shown in its own region.

ListBuckets is account-wide, so S3 is one cell.  For each bucket the lister asks its
region (GetBucketLocation), tags, and the size CloudWatch reports (BucketSizeBytes is a
daily metric; absent for new or empty buckets, then the size is unknown, not zero).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, error_code, tag_dict, ts
from tracker_tui.aws.kinds.console import q
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import (
    GIB,
    Estimate,
    PriceBook,
    PriceQuery,
    cents,
    fetched,
    gb_text,
    number,
    price_source,
    unit,
    unknown_region,
)
from tracker_tui.pricing.catalogue import Catalogue

KIND = "s3:bucket"


def bucket_region(location: str | None) -> str:
    """GetBucketLocation's LocationConstraint to a region name (None is us-east-1, EU is eu-west-1)."""
    if not location:
        return "us-east-1"
    if location == "EU":
        return "eu-west-1"
    return location


#: GetMetricData takes up to 500 queries a call: two per bucket.
_BUCKETS_PER_METRICS_CALL = 250


def list_buckets(ctx: CellContext) -> Iterator[list[Resource]]:
    s3 = ctx.client("s3", ctx.session.home_region)
    wanted = set(ctx.regions)
    for page in ctx.pages(s3, "list_buckets"):
        # Per bucket: its region (unless ListBuckets said) and tags, side by side; then the
        # sizes of all of a region's buckets in one GetMetricData call per region.
        found = [b for b in ctx.fan_out(lambda b: _bucket(ctx, b), page.get("Buckets", [])) if b is not None]
        found = [b for b in found if not wanted or b[1] in wanted or b[1] == "unknown"]
        by_region: dict[str, list[str]] = {}
        for _, region, name, _ in found:
            if region != "unknown":
                by_region.setdefault(region, []).append(name)
        jobs = [
            (region, names[i : i + _BUCKETS_PER_METRICS_CALL])
            for region, names in by_region.items()
            for i in range(0, len(names), _BUCKETS_PER_METRICS_CALL)
        ]
        sizes: dict[str, tuple[int | None, int | None]] = {}
        for part in ctx.fan_out(lambda job: _bucket_sizes(ctx, job[0], job[1]), jobs):
            sizes.update(part)
        yield [
            _resource(ctx, bucket, region, tags, sizes.get(name, (None, None))) for bucket, region, name, tags in found
        ]


def _bucket(ctx: CellContext, bucket: dict[str, Any]) -> tuple[dict[str, Any], str, str, dict[str, str]] | None:
    """(bucket, region, name, tags), or None when it was deleted since ListBuckets.

    A region or tags that cannot be read (a refusal, a timeout) leave the bucket listed with
    what is known, noted on its row (``CellContext.unreadable``): one bucket never takes the
    others with it."""
    name = bucket["Name"]
    s3 = ctx.client("s3", ctx.session.home_region)
    region = bucket.get("BucketRegion")
    if not region:
        try:
            region = bucket_region(s3.get_bucket_location(Bucket=name).get("LocationConstraint"))
        except ITEM_ERRORS as exc:  # a refusal, a timeout: the bucket is still listed
            if error_code(exc) in ("NoSuchBucket",):
                return None  # deleted between ListBuckets and now
            region = "unknown"
            ctx.unreadable("region", exc, name)
    if ctx.regions and region not in ctx.regions and region != "unknown":
        return bucket, region, name, {}  # outside the scan: dropped by the caller
    regional = ctx.client("s3", region) if region != "unknown" else s3
    tags: dict[str, str] = {}
    try:
        tags = tag_dict(regional.get_bucket_tagging(Bucket=name).get("TagSet"))
    except ITEM_ERRORS as exc:
        if error_code(exc) not in ("NoSuchTagSet", "NoSuchTagSetError"):
            ctx.unreadable("tags", exc, name)
    return bucket, region, name, tags


def _resource(
    ctx: CellContext,
    bucket: dict[str, Any],
    region: str,
    tags: dict[str, str],
    size: tuple[int | None, int | None],
) -> Resource:
    size_bytes, objects = size
    details: dict[str, Any] = {
        "size_bytes": size_bytes,
        "object_count": objects,
        "size_source": "CloudWatch BucketSizeBytes (StandardStorage, daily)"
        if size_bytes is not None
        else "not reported by CloudWatch",
    }
    name = bucket["Name"]
    return Resource(
        kind=KIND,
        id=name,
        account_id=ctx.account_id,
        arn=f"arn:{ctx.partition}:s3:::{name}",
        name=name,
        region=region,
        state="available",
        created=ts(bucket.get("CreationDate")),
        tags=tags,
        details=details,
    )


def _bucket_sizes(ctx: CellContext, region: str, names: list[str]) -> dict[str, tuple[int | None, int | None]]:
    """Latest daily BucketSizeBytes (Standard) and NumberOfObjects of ``names``, one call."""
    cloudwatch = ctx.client("cloudwatch", region)
    end = datetime.now(UTC)
    queries = [
        {
            "Id": f"{metric_id}{index}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/S3",
                    "MetricName": metric,
                    "Dimensions": [
                        {"Name": "BucketName", "Value": name},
                        {"Name": "StorageType", "Value": storage},
                    ],
                },
                "Period": 86400,
                "Stat": "Average",
            },
        }
        for index, name in enumerate(names)
        for metric_id, metric, storage in (
            ("size", "BucketSizeBytes", "StandardStorage"),
            ("objects", "NumberOfObjects", "AllStorageTypes"),
        )
    ]
    latest: dict[str, int] = {}
    try:
        kwargs: dict[str, Any] = {
            "MetricDataQueries": queries,
            "StartTime": end - timedelta(days=3),
            "EndTime": end,
            "ScanBy": "TimestampDescending",
        }
        while True:
            reply = cloudwatch.get_metric_data(**kwargs)
            for result in reply.get("MetricDataResults", []):
                values = result.get("Values") or []
                if values and result["Id"] not in latest:
                    latest[result["Id"]] = int(values[0])
            token = reply.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    except ITEM_ERRORS as exc:
        ctx.unreadable("size", exc, *names)  # sizes unknown, never a guess
        return {}
    return {
        name: (latest.get(f"size{index}"), latest.get(f"objects{index}")) for index, name in enumerate(names)
    }


def price_query(region: str) -> PriceQuery:
    """The GetProducts filters for S3 Standard storage in a region (the first tier is read)."""
    return PriceQuery(
        "AmazonS3",
        (("regionCode", region), ("storageClass", "General Purpose"), ("volumeType", "Standard")),
        "GB-Mo",
        f"S3 Standard {region}",
    )


def estimate_bucket(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    size = number(r.details.get("size_bytes"))
    if size is None:
        return None, "size unknown (CloudWatch has no BucketSizeBytes yet)"
    found = fetched(book, price_query(r.region))
    price = found.usd if found is not None else cat.s3_standard_gb_month(r.region)
    if price is None:
        return None, f"no catalogue price for S3 Standard in {r.region}; `tracker-tui prices update` fetches it"
    gb = size / GIB
    monthly = cents(gb * price)
    basis = (
        f"S3 Standard {r.region} ({price_source(found, cat)}), {gb_text(gb)} GB x ${unit(price)}/GB-mo "
        f"= {format_cost(monthly)}"
    )
    note = cat.note("s3")
    return monthly, basis + (f" ({note})" if note else "")


def _console_page(r: Resource, base: str) -> str:
    # The S3 console is global (s3.console.aws.amazon.com), whatever the bucket's region.
    scheme, host = base.split("://", 1)
    domain = host.split(".", 1)[1] if host.split(".", 1)[0] == r.region else host
    s3_host = f"s3.{domain}" if domain == "console.aws.amazon.com" else domain
    return f"{scheme}://{s3_host}/s3/buckets/{q(r.id)}?region={r.region}"


SPEC = KindSpec(
    id=KIND,
    console=_console_page,
    aliases=("bucket", "buckets"),
    label="s3",
    title="S3 buckets",
    service="s3",
    scope="account",
    lister=list_buckets,
    # Sizes come from CloudWatch (BucketSizeBytes), so the scan reads metrics too.
    iam_actions=("s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketTagging", "cloudwatch:GetMetricData"),
    estimator=estimate_bucket,
    rules=(),
    verbs={"delete": "delete"},
    billed_as="Amazon Simple Storage Service",
    not_found_codes=frozenset({"NoSuchBucket"}),
)
