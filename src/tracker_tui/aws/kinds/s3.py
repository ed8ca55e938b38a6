"""S3 buckets, each shown in its own region.

ListBuckets is account-wide, so S3 is one cell.  For each bucket the lister asks its
region (GetBucketLocation), tags, and the size CloudWatch reports (BucketSizeBytes is a
daily metric; absent for new or empty buckets, then the size is unknown, not zero).

The hygiene findings (``s3-no-lifecycle``, ``s3-incomplete-uploads``,
``s3-noncurrent-versions``) read what else the lister asks per bucket: its lifecycle rules
and versioning (one call each), its incomplete multipart uploads when no rule aborts them
(a few pages at most) and, for a bucket whose versioning is suspended, one page of its
versions.  A read that fails leaves its fields ``"unknown"`` and no finding is judged on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, Related, Rule, error_code, tag_dict, ts
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

#: What a hygiene field holds when its read failed (nothing is judged on it), and when the
#: bucket has no such rule.
UNKNOWN = "unknown"
NONE = "none"
#: ``s3-incomplete-uploads`` counts the uploads started more than this many days ago (the
#: DaysAfterInitiation AWS suggests for AbortIncompleteMultipartUpload).
STALE_UPLOAD_DAYS = 7
#: ListMultipartUploads is read at most this many pages, and no further once this many
#: uploads are in: the count is then a lower bound ("at least N").
UPLOAD_PAGES = 10
UPLOADS_READ = 1000

_Found = tuple[dict[str, Any], str, str, dict[str, str], dict[str, Any]]


def list_buckets(ctx: CellContext) -> Iterator[list[Resource]]:
    s3 = ctx.client("s3", ctx.session.home_region)
    wanted = set(ctx.regions)
    for page in ctx.pages(s3, "list_buckets"):
        # Per bucket: its region (unless ListBuckets said) and tags, side by side; then the
        # sizes of all of a region's buckets in one GetMetricData call per region.
        found = [b for b in ctx.fan_out(lambda b: _bucket(ctx, b), page.get("Buckets", [])) if b is not None]
        found = [b for b in found if not wanted or b[1] in wanted or b[1] == "unknown"]
        by_region: dict[str, list[str]] = {}
        for _, region, name, _, _ in found:
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
            _resource(ctx, bucket, region, tags, sizes.get(name, (None, None)), hygiene)
            for bucket, region, name, tags, hygiene in found
        ]


def _bucket(ctx: CellContext, bucket: dict[str, Any]) -> _Found | None:
    """(bucket, region, name, tags, hygiene), or None when it was deleted since ListBuckets.

    A region, tags or hygiene read that fails (a refusal, a timeout) leaves the bucket listed
    with what is known, noted on its row (``CellContext.unreadable``): one bucket never takes
    the others with it."""
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
        return bucket, region, name, {}, {}  # outside the scan: dropped by the caller
    regional = ctx.client("s3", region) if region != "unknown" else s3
    tags: dict[str, str] = {}
    try:
        tags = tag_dict(regional.get_bucket_tagging(Bucket=name).get("TagSet"))
    except ITEM_ERRORS as exc:
        if error_code(exc) not in ("NoSuchTagSet", "NoSuchTagSetError"):
            ctx.unreadable("tags", exc, name)
    return bucket, region, name, tags, _hygiene(ctx, regional, name)


def _hygiene(ctx: CellContext, s3: Any, name: str) -> dict[str, Any]:
    """A bucket's lifecycle rules and versioning, and what they leave behind, as plain details.

    The uploads are read only when no enabled rule aborts them, and a suspended bucket's
    versions only when no enabled rule expires noncurrent ones: otherwise there is nothing
    the findings would say."""
    found = _lifecycle(ctx, s3, name)
    found["versioning"] = _versioning(ctx, s3, name)
    if found["abort_incomplete_days"] == NONE:
        found.update(_stale_uploads(ctx, s3, name))
    if found["versioning"] == "Suspended" and found["noncurrent_expiration_days"] == NONE:
        found["noncurrent_versions"] = _noncurrent_versions(ctx, s3, name)
    return found


def _rule_days(rules: list[dict[str, Any]], action: str, days: str) -> int | str:
    """The fewest days after which an enabled rule's ``action`` acts; ``"none"`` when no
    enabled rule carries it (``"set"``: carried, with no days said)."""
    carried = [rule[action] for rule in rules if rule.get("Status") == "Enabled" and isinstance(rule.get(action), dict)]
    said = [int(a[days]) for a in carried if a.get(days) is not None]
    if said:
        return min(said)
    return "set" if carried else NONE


def _lifecycle(ctx: CellContext, s3: Any, name: str) -> dict[str, Any]:
    """GetBucketLifecycleConfiguration: how many rules (NoSuchLifecycleConfiguration: none),
    how many enabled, and after how many days the enabled ones abort incomplete uploads and
    expire noncurrent versions."""
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=name).get("Rules") or []
    except ITEM_ERRORS as exc:
        if error_code(exc) != "NoSuchLifecycleConfiguration":
            ctx.unreadable("lifecycle", exc, name)
            return dict.fromkeys(
                ("lifecycle_rules", "lifecycle_rules_enabled", "abort_incomplete_days", "noncurrent_expiration_days"),
                UNKNOWN,
            )
        rules = []
    return {
        "lifecycle_rules": len(rules),
        "lifecycle_rules_enabled": sum(1 for rule in rules if rule.get("Status") == "Enabled"),
        "abort_incomplete_days": _rule_days(rules, "AbortIncompleteMultipartUpload", "DaysAfterInitiation"),
        "noncurrent_expiration_days": _rule_days(rules, "NoncurrentVersionExpiration", "NoncurrentDays"),
    }


def _versioning(ctx: CellContext, s3: Any, name: str) -> str:
    """``Enabled``, ``Suspended`` or ``Disabled`` (never enabled: GetBucketVersioning says no status)."""
    try:
        return str(s3.get_bucket_versioning(Bucket=name).get("Status") or "Disabled")
    except ITEM_ERRORS as exc:
        ctx.unreadable("versioning", exc, name)
        return UNKNOWN


def _stale_uploads(ctx: CellContext, s3: Any, name: str) -> dict[str, Any]:
    """How many incomplete multipart uploads began over ``STALE_UPLOAD_DAYS`` ago, read at most
    ``UPLOAD_PAGES`` pages or ``UPLOADS_READ`` uploads (``incomplete_uploads_capped``: more remain)."""
    cutoff = datetime.now(UTC) - timedelta(days=STALE_UPLOAD_DAYS)
    stale = read = pages = 0
    more = False
    try:
        for page in ctx.pages(s3, "list_multipart_uploads", Bucket=name):
            uploads = page.get("Uploads") or []
            pages, read = pages + 1, read + len(uploads)
            stale += sum(1 for u in uploads if isinstance(u.get("Initiated"), datetime) and u["Initiated"] < cutoff)
            more = bool(page.get("IsTruncated"))
            if pages >= UPLOAD_PAGES or read >= UPLOADS_READ:
                break
    except ITEM_ERRORS as exc:
        ctx.unreadable("multipart uploads", exc, name)
        return {"incomplete_uploads_over_7d": UNKNOWN}
    return {"incomplete_uploads_over_7d": stale, "incomplete_uploads_capped": more}


def _noncurrent_versions(ctx: CellContext, s3: Any, name: str) -> str:
    """Whether a suspended bucket still holds versions from when versioning was on, from one
    page of ListObjectVersions: ``yes``, ``no``, or ``unknown`` (a full page, all current)."""
    try:
        page = s3.list_object_versions(Bucket=name)
    except ITEM_ERRORS as exc:
        ctx.unreadable("versions", exc, name)
        return UNKNOWN
    entries = [*(page.get("Versions") or []), *(page.get("DeleteMarkers") or [])]
    if any(entry.get("IsLatest") is False for entry in entries):
        return "yes"
    return UNKNOWN if page.get("IsTruncated") else "no"


def _resource(
    ctx: CellContext,
    bucket: dict[str, Any],
    region: str,
    tags: dict[str, str],
    size: tuple[int | None, int | None],
    hygiene: dict[str, Any],
) -> Resource:
    size_bytes, objects = size
    details: dict[str, Any] = {
        "size_bytes": size_bytes,
        "object_count": objects,
        "size_source": "CloudWatch BucketSizeBytes (StandardStorage, daily)"
        if size_bytes is not None
        else "not reported by CloudWatch",
        **hygiene,
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


# --- findings: bucket hygiene -----------------------------------------------------------------
#
# None of them can say what acting would save from the scan's reads (how much is rarely read,
# noncurrent, or held by abandoned parts): their saving is None, never $0, and the evidence
# names what would measure it.  ``m`` realises ``s3-incomplete-uploads`` and
# ``s3-noncurrent-versions`` by merging a whole-bucket rule into the bucket's lifecycle
# configuration (aws/actions/s3.py); ``s3-no-lifecycle`` has no one fix (which class, after how
# long, what may expire is the owner's call), so no verb claims it.


def _count(r: Resource, field: str) -> int | None:
    """A hygiene count as read (None: not read, or unknown)."""
    value = r.details.get(field)
    return value if type(value) is int else None


def _standard_bytes(r: Resource) -> float | None:
    return number(r.details.get("size_bytes"))


def _lifecycle_text(r: Resource) -> str:
    rules, enabled = _count(r, "lifecycle_rules"), _count(r, "lifecycle_rules_enabled")
    if not rules:
        return "no lifecycle configuration"
    if not enabled:
        return f"{rules} lifecycle rule{'s' if rules != 1 else ''}, none enabled"
    return f"{enabled} enabled lifecycle rule{'s' if enabled != 1 else ''}"


def _stored_text(r: Resource) -> str:
    size = _standard_bytes(r) or 0.0
    cost = f" ({format_cost(r.monthly_cost)}/mo)" if r.monthly_cost is not None else ""
    return f"{gb_text(size / GIB)} GB in S3 Standard{cost}"


def _no_lifecycle(r: Resource) -> bool:
    size = _standard_bytes(r)
    return _count(r, "lifecycle_rules_enabled") == 0 and size is not None and size > 0


def _no_lifecycle_evidence(r: Resource, related: Related, saving: float | None) -> str:
    return (
        f"{_lifecycle_text(r)}; {_stored_text(r)} stays there until someone deletes it: no rule moves "
        "rarely read objects to a cheaper storage class or expires what is no longer needed; saving unknown: "
        "depends on how much of it is rarely read or no longer needed; S3 Storage Lens or the bucket's "
        "storage class analysis would measure it"
    )


def _unknown_saving(r: Resource, related: Related) -> float | None:
    return None


#: ``s3-no-lifecycle``: a bucket with bytes in Standard and no enabled lifecycle rule at all.
S3_NO_LIFECYCLE = Rule(
    id="s3-no-lifecycle",
    label="bucket without lifecycle",
    applies=_no_lifecycle,
    saving=_unknown_saving,
    evidence=_no_lifecycle_evidence,
    # Hot data needs no rule, and a transition has minimum durations and request fees: low.
    confidence="low",
)


def _incomplete_uploads(r: Resource) -> bool:
    stale = _count(r, "incomplete_uploads_over_7d")
    return r.details.get("abort_incomplete_days") == NONE and stale is not None and stale > 0


def _incomplete_uploads_evidence(r: Resource, related: Related, saving: float | None) -> str:
    stale = _count(r, "incomplete_uploads_over_7d") or 0
    many = f"at least {stale:,}" if r.details.get("incomplete_uploads_capped") else f"{stale:,}"
    return (
        f"{many} incomplete multipart upload{'s' if stale != 1 else ''} started over {STALE_UPLOAD_DAYS} days "
        f"ago, and no enabled lifecycle rule with AbortIncompleteMultipartUpload ({_lifecycle_text(r)}): "
        "S3 bills the parts they hold until they are aborted; saving unknown: ListMultipartUploads does not "
        "say how many bytes they hold; S3 Storage Lens (incomplete multipart upload bytes) would measure it"
    )


#: ``s3-incomplete-uploads``: uploads abandoned for over a week, and no rule aborts them.  A
#: bucket with no such upload is not flagged: the missing rule costs nothing there yet.
S3_INCOMPLETE_UPLOADS = Rule(
    id="s3-incomplete-uploads",
    label="incomplete multipart uploads",
    applies=_incomplete_uploads,
    saving=_unknown_saving,
    evidence=_incomplete_uploads_evidence,
    # A week-old upload is almost always abandoned; what its parts cost is not known.
    confidence="medium",
    # ``m``: an AbortIncompleteMultipartUpload rule (7 days), merged into the configuration.
    action="modify",
)


def _noncurrent_versions_kept(r: Resource) -> bool:
    if r.details.get("noncurrent_expiration_days") != NONE:
        return False
    versioning = r.details.get("versioning")
    return versioning == "Enabled" or (versioning == "Suspended" and r.details.get("noncurrent_versions") == "yes")


def _noncurrent_versions_evidence(r: Resource, related: Related, saving: float | None) -> str:
    if r.details.get("versioning") == "Suspended":
        state = "versioning Suspended with noncurrent versions still held"
    else:
        state = "versioning Enabled"
    return (
        f"{state}, and no enabled lifecycle rule with NoncurrentVersionExpiration ({_lifecycle_text(r)}): every "
        "overwritten or deleted object's old versions stay billed for good; saving unknown: depends on how many "
        "bytes are noncurrent; S3 Storage Lens (noncurrent version bytes) or the bucket's metrics would measure it"
    )


#: ``s3-noncurrent-versions``: old versions kept for good (versioning on, or suspended with
#: some left) and no rule expires them.
S3_NONCURRENT_VERSIONS = Rule(
    id="s3-noncurrent-versions",
    label="noncurrent versions kept",
    applies=_noncurrent_versions_kept,
    saving=_unknown_saving,
    evidence=_noncurrent_versions_evidence,
    # Old versions may be kept on purpose (recovery, retention), and they may be few.
    confidence="medium",
    # ``m``: a NoncurrentVersionExpiration rule (``noncurrent_days``), merged into the configuration.
    action="modify",
)


SPEC = KindSpec(
    id=KIND,
    console=_console_page,
    aliases=("bucket", "buckets"),
    label="s3",
    title="S3 buckets",
    service="s3",
    scope="account",
    lister=list_buckets,
    # Sizes come from CloudWatch (BucketSizeBytes), so the scan reads metrics too; the
    # hygiene findings read lifecycle rules, versioning, uploads and (suspended) versions.
    iam_actions=(
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketTagging",
        "cloudwatch:GetMetricData",
        "s3:GetLifecycleConfiguration",
        "s3:GetBucketVersioning",
        "s3:ListBucketMultipartUploads",
        "s3:ListBucketVersions",
    ),
    estimator=estimate_bucket,
    rules=(S3_NO_LIFECYCLE, S3_INCOMPLETE_UPLOADS, S3_NONCURRENT_VERSIONS),
    verbs={"delete": "delete", "modify": "modify"},
    billed_as="Amazon Simple Storage Service",
    not_found_codes=frozenset({"NoSuchBucket"}),
)
