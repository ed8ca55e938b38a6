"""S3 buckets, each shown in its own region.

ListBuckets is account-wide, so S3 is one cell.  For each bucket the lister asks its
region (GetBucketLocation), tags, and the size CloudWatch reports (BucketSizeBytes is a
daily metric; absent for new or empty buckets, then the size is unknown, not zero).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import botocore.exceptions

from tracker_tui.aws.kinds.base import CellContext, KindSpec, error_code, tag_dict, ts
from tracker_tui.model import Resource


def bucket_region(location: str | None) -> str:
    """GetBucketLocation's LocationConstraint to a region name (None is us-east-1, EU is eu-west-1)."""
    if not location:
        return "us-east-1"
    if location == "EU":
        return "eu-west-1"
    return location


def list_buckets(ctx: CellContext) -> Iterator[list[Resource]]:
    s3 = ctx.client("s3", ctx.session.home_region)
    wanted = set(ctx.regions)
    for page in ctx.pages(s3, "list_buckets"):
        buckets = page.get("Buckets", [])
        resources = [r for r in ctx.fan_out(lambda b: _bucket(ctx, b), buckets) if r is not None]
        yield [r for r in resources if not wanted or r.region in wanted]


def _bucket(ctx: CellContext, bucket: dict[str, Any]) -> Resource | None:
    name = bucket["Name"]
    s3 = ctx.client("s3", ctx.session.home_region)
    notes: list[str] = []
    region = bucket.get("BucketRegion")
    if not region:
        try:
            region = bucket_region(s3.get_bucket_location(Bucket=name).get("LocationConstraint"))
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in ("NoSuchBucket",):
                return None  # deleted between ListBuckets and now
            region = "unknown"
            notes.append(f"region unknown ({error_code(exc)})")
    regional = ctx.client("s3", region) if region != "unknown" else s3
    tags: dict[str, str] = {}
    try:
        tags = tag_dict(regional.get_bucket_tagging(Bucket=name).get("TagSet"))
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) not in ("NoSuchTagSet", "NoSuchTagSetError"):
            notes.append(f"tags unreadable ({error_code(exc)})")
    size_bytes, objects = (None, None)
    if region != "unknown":
        size_bytes, objects = _bucket_size(ctx, name, region)
    details = {
        "size_bytes": size_bytes,
        "object_count": objects,
        "size_source": "CloudWatch BucketSizeBytes (StandardStorage, daily)"
        if size_bytes is not None
        else "not reported by CloudWatch",
    }
    if notes:
        details["notes"] = notes
    return Resource(
        kind="s3:bucket",
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


def _bucket_size(ctx: CellContext, name: str, region: str) -> tuple[int | None, int | None]:
    """Latest daily BucketSizeBytes (Standard) and NumberOfObjects, in one GetMetricData call."""
    cloudwatch = ctx.client("cloudwatch", region)
    end = datetime.now(timezone.utc)
    queries = [
        {
            "Id": query_id,
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
        for query_id, metric, storage in (
            ("size", "BucketSizeBytes", "StandardStorage"),
            ("objects", "NumberOfObjects", "AllStorageTypes"),
        )
    ]
    try:
        reply = cloudwatch.get_metric_data(
            MetricDataQueries=queries, StartTime=end - timedelta(days=3), EndTime=end, ScanBy="TimestampDescending"
        )
    except botocore.exceptions.ClientError:
        return None, None
    latest: dict[str, int | None] = {"size": None, "objects": None}
    for result in reply.get("MetricDataResults", []):
        values = result.get("Values") or []
        if values:
            latest[result["Id"]] = int(values[0])
    return latest["size"], latest["objects"]


KINDS = [KindSpec("s3:bucket", "s3", "account", list_buckets, "S3 buckets", ("delete",))]
