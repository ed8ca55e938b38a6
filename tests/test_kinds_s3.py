"""S3 buckets (aws/kinds/s3.py) against moto: their own regions, tags, size from CloudWatch,
calls per region and bucket, paging; and their price worked by hand from the shipped catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import error_response, named, record_calls
from tests.support.prices import CAT, cost, res
from tests.support.stubs import Stubs, collect
from tracker_tui.aws.kinds import estimate, price_resources
from tracker_tui.aws.kinds.s3 import UPLOAD_PAGES, list_buckets
from tracker_tui.filtering import parse_filter
from tracker_tui.findings import with_findings
from tracker_tui.model import GLOBAL_REGION, Finding, Resource, iso_utc

ACCOUNT = "123456789012"
GIB = 2**30


def assert_owned(resource: Resource, kind: str, region: str) -> None:
    assert resource.kind == kind
    assert resource.region == region
    assert resource.account_id == ACCOUNT


# --- S3 --------------------------------------------------------------------------------


def _put_bucket_size(region: str, bucket: str, size: float) -> None:
    boto3.client("cloudwatch", region_name=region).put_metric_data(
        Namespace="AWS/S3",
        MetricData=[
            {
                "MetricName": "BucketSizeBytes",
                "Dimensions": [
                    {"Name": "BucketName", "Value": bucket},
                    {"Name": "StorageType", "Value": "StandardStorage"},
                ],
                "Value": size,
                "Unit": "Bytes",
                "Timestamp": datetime.now(UTC) - timedelta(hours=2),
            }
        ],
    )


def test_buckets_in_their_own_regions_with_tags_and_size() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="acme-east")
        s3.create_bucket(Bucket="acme-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.create_bucket(Bucket="acme-sydney", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"})
        s3.put_bucket_tagging(Bucket="acme-east", Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
        _put_bucket_size("us-east-1", "acme-east", 123_456_789)
        _put_bucket_size("eu-west-1", "acme-west", 42)
        created = {b["Name"]: b["CreationDate"] for b in s3.list_buckets()["Buckets"]}

        resources, collector = helpers.scan(["s3:bucket"], ["us-east-1", "eu-west-1"])

    buckets = {r.id: r for r in resources}
    # ap-southeast-2 is not scanned: its bucket is dropped.
    assert set(buckets) == {"acme-east", "acme-west"}
    east, west = buckets["acme-east"], buckets["acme-west"]
    assert_owned(east, "s3:bucket", "us-east-1")
    assert_owned(west, "s3:bucket", "eu-west-1")
    assert east.arn == "arn:aws:s3:::acme-east"
    assert west.arn == "arn:aws:s3:::acme-west"
    assert east.tags == {"env": "prod"}
    assert west.tags == {}
    assert east.details["size_bytes"] == 123_456_789
    assert west.details["size_bytes"] == 42
    assert east.created == iso_utc(created["acme-east"])
    # Account-wide kind: one cell, not one per region.
    assert len(collector.results) == 1
    assert collector.results[0].count == 2


def test_bucket_size_unknown_when_cloudwatch_has_no_metric() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="fresh-bucket")
        # A metric for another bucket must not leak into this one.
        _put_bucket_size("us-east-1", "other-bucket", 999)

        resources, _ = helpers.scan(["s3:bucket"])

    assert [r.id for r in resources] == ["fresh-bucket"]
    assert resources[0].details["size_bytes"] is None
    assert resources[0].details["size_source"] == "not reported by CloudWatch"


def test_buckets_fetch_each_region_once_and_tags_per_bucket() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        names = [f"bucket-{i}" for i in range(3)]
        for name in names:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["s3:bucket"], ["us-east-1", "eu-west-1"], session=session)

    assert sorted(r.id for r in resources) == names
    assert {r.region for r in resources} == {"eu-west-1"}
    assert len(named(calls, "s3.ListBuckets")) == 1
    assert sorted(p["Bucket"] for p in named(calls, "s3.GetBucketTagging")) == names
    # Sizes: one GetMetricData for the region's three buckets (two queries each).
    (metrics,) = named(calls, "cloudwatch.GetMetricData")
    assert len(metrics["MetricDataQueries"]) == 6


@pytest.mark.xfail(
    strict=True,
    reason="moto 5.2 truncates ListBuckets at MaxBuckets and returns no ContinuationToken",
)
def test_buckets_paginate_past_the_first_page() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        names = [f"paged-{i}" for i in range(5)]
        for name in names:
            s3.create_bucket(Bucket=name)
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["s3:bucket"], session=session, page_size=2)

    assert len(named(calls, "s3.ListBuckets")) == 3
    assert sorted(r.id for r in resources) == names


# --- prices ---------------------------------------------------------------------------------------


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


# --- hygiene: lifecycle rules, versioning, incomplete uploads, noncurrent versions ----------------


def _hygiene(resource: Resource) -> dict[str, Any]:
    keep = ("size_bytes", "object_count", "size_source", "unreadable")
    return {k: v for k, v in resource.details.items() if k not in keep}


def _finding_ids(resources: list[Resource]) -> dict[str, set[str]]:
    return {r.id: {f.id for f in r.findings} for r in with_findings(price_resources(resources))}


def _rule(rule_id: str, status: str = "Enabled", **actions: Any) -> dict[str, Any]:
    return {"ID": rule_id, "Status": status, "Filter": {"Prefix": ""}, **actions}


def test_each_bucket_says_its_lifecycle_versioning_and_what_they_leave_behind() -> None:
    """Lifecycle rules and versioning are read for every bucket; its uploads only when no enabled
    rule aborts them, and its versions only when versioning is suspended and nothing expires them."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for name in ("tidy", "bare", "switched-off", "suspended-old", "suspended-clean"):
            s3.create_bucket(Bucket=name)
            _put_bucket_size("us-east-1", name, 5 * GIB)
        s3.put_bucket_lifecycle_configuration(Bucket="tidy", LifecycleConfiguration={"Rules": [
            _rule("abort", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 3}),
            _rule("abort-late", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 10}),
            _rule("old-versions", NoncurrentVersionExpiration={"NoncurrentDays": 30}),
        ]})  # fmt: skip
        s3.put_bucket_versioning(Bucket="tidy", VersioningConfiguration={"Status": "Enabled"})
        # Rules that are all disabled do nothing: no rule aborts, none expires.
        s3.put_bucket_lifecycle_configuration(Bucket="switched-off", LifecycleConfiguration={"Rules": [
            _rule("abort", "Disabled", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7}),
        ]})  # fmt: skip
        for key in ("a.bin", "b.bin", "c.bin"):  # moto dates every upload 2010-11-10
            s3.create_multipart_upload(Bucket="bare", Key=key)
        s3.put_bucket_versioning(Bucket="suspended-old", VersioningConfiguration={"Status": "Enabled"})
        for body in (b"1", b"2"):
            s3.put_object(Bucket="suspended-old", Key="k", Body=body)
        for name in ("suspended-old", "suspended-clean"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
        s3.put_object(Bucket="suspended-clean", Key="k", Body=b"1")
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, collector = helpers.scan(["s3:bucket"], session=session)

    buckets = {r.id: r for r in resources}
    assert [r.status.value for r in collector.results] == ["done"]
    assert _hygiene(buckets["tidy"]) == {
        "lifecycle_rules": 3, "lifecycle_rules_enabled": 3, "abort_incomplete_days": 3,
        "noncurrent_expiration_days": 30, "versioning": "Enabled",
    }  # fmt: skip
    none = {"abort_incomplete_days": "none", "noncurrent_expiration_days": "none"}
    assert _hygiene(buckets["bare"]) == {
        "lifecycle_rules": 0, "lifecycle_rules_enabled": 0, **none, "versioning": "Disabled",
        "incomplete_uploads_over_7d": 3, "incomplete_uploads_capped": False,
    }  # fmt: skip
    assert _hygiene(buckets["switched-off"]) == {
        "lifecycle_rules": 1, "lifecycle_rules_enabled": 0, **none, "versioning": "Disabled",
        "incomplete_uploads_over_7d": 0, "incomplete_uploads_capped": False,
    }  # fmt: skip
    assert buckets["suspended-old"].details["versioning"] == "Suspended"
    assert buckets["suspended-old"].details["noncurrent_versions"] == "yes"
    assert buckets["suspended-clean"].details["noncurrent_versions"] == "no"
    # One lifecycle and one versioning read per bucket; the rest only where they could matter.
    assert sorted(p["Bucket"] for p in named(calls, "s3.GetBucketLifecycleConfiguration")) == sorted(buckets)
    assert sorted(p["Bucket"] for p in named(calls, "s3.GetBucketVersioning")) == sorted(buckets)
    assert sorted(p["Bucket"] for p in named(calls, "s3.ListMultipartUploads")) == sorted(set(buckets) - {"tidy"})
    assert sorted(p["Bucket"] for p in named(calls, "s3.ListObjectVersions")) == ["suspended-clean", "suspended-old"]
    assert _finding_ids(resources) == {
        "tidy": set(),
        "bare": {"s3-no-lifecycle", "s3-incomplete-uploads"},
        "switched-off": {"s3-no-lifecycle"},
        "suspended-old": {"s3-no-lifecycle", "s3-noncurrent-versions"},
        "suspended-clean": {"s3-no-lifecycle"},
    }


def _bucket_row(name: str, size: int | None = 850 * GIB, **hygiene: Any) -> Resource:
    details: dict[str, Any] = {
        "size_bytes": size, "lifecycle_rules": 0, "lifecycle_rules_enabled": 0,
        "abort_incomplete_days": "none", "noncurrent_expiration_days": "none", "versioning": "Disabled",
        "incomplete_uploads_over_7d": 0, "incomplete_uploads_capped": False, **hygiene,
    }  # fmt: skip
    return Resource(kind="s3:bucket", id=name, region="us-east-1", account_id=ACCOUNT, state="available",
                    details=details)  # fmt: skip


def _findings_of(rows: list[Resource], finding_id: str) -> dict[str, Finding]:
    return {r.id: f for r in with_findings(price_resources(rows)) for f in r.findings if f.id == finding_id}


def _shown(rows: list[Resource], finding_id: str) -> list[str]:
    """The rows the finding's filter shows."""
    shown = parse_filter(f"finding:{finding_id}")
    return sorted(r.id for r in with_findings(price_resources(rows)) if shown.matches(r))


def test_s3_no_lifecycle_is_a_bucket_with_stored_bytes_and_no_enabled_rule() -> None:
    rows = [
        _bucket_row("bare"),
        _bucket_row("disabled-only", lifecycle_rules=2),
        _bucket_row("ruled", lifecycle_rules=1, lifecycle_rules_enabled=1),
        _bucket_row("empty", size=0),
        _bucket_row("size-unknown", size=None),  # CloudWatch has no size yet: nothing to say
        _bucket_row("denied", lifecycle_rules="unknown", lifecycle_rules_enabled="unknown"),
        Resource(kind="s3:bucket", id="never-read", region="us-east-1", details={"size_bytes": GIB}),
    ]
    found = _findings_of(rows, "s3-no-lifecycle")
    assert sorted(found) == ["bare", "disabled-only"] == _shown(rows, "s3-no-lifecycle")
    bare = found["bare"]
    assert (bare.monthly_saving, bare.confidence, bare.action) == (None, "low", None)  # unknown, never $0
    assert bare.evidence == (
        "no lifecycle configuration; 850 GB in S3 Standard ($19.55/mo) stays there until someone deletes it: no "
        "rule moves rarely read objects to a cheaper storage class or expires what is no longer needed; saving "
        "unknown: depends on how much of it is rarely read or no longer needed; S3 Storage Lens or the bucket's "
        "storage class analysis would measure it"
    )
    assert found["disabled-only"].evidence.startswith("2 lifecycle rules, none enabled; 850 GB in S3 Standard")


def test_s3_incomplete_uploads_are_week_old_uploads_no_rule_aborts() -> None:
    rows = [
        _bucket_row("stale", incomplete_uploads_over_7d=1),
        _bucket_row(
            "capped",
            lifecycle_rules=1,
            lifecycle_rules_enabled=1,
            incomplete_uploads_over_7d=1000,
            incomplete_uploads_capped=True,
        ),  # fmt: skip
        _bucket_row("none-pending"),  # no rule, but nothing to abort: costs nothing yet
        _bucket_row("aborted", abort_incomplete_days=7, incomplete_uploads_over_7d=4),
        _bucket_row("uploads-denied", incomplete_uploads_over_7d="unknown"),
        _bucket_row("lifecycle-denied", abort_incomplete_days="unknown", incomplete_uploads_over_7d=5),
    ]
    found = _findings_of(rows, "s3-incomplete-uploads")
    assert sorted(found) == ["capped", "stale"] == _shown(rows, "s3-incomplete-uploads")
    stale = found["stale"]
    assert (stale.monthly_saving, stale.confidence, stale.action) == (None, "medium", "modify")
    assert stale.evidence == (
        "1 incomplete multipart upload started over 7 days ago, and no enabled lifecycle rule with "
        "AbortIncompleteMultipartUpload (no lifecycle configuration): S3 bills the parts they hold until they are "
        "aborted; saving unknown: ListMultipartUploads does not say how many bytes they hold; S3 Storage Lens "
        "(incomplete multipart upload bytes) would measure it"
    )
    assert found["capped"].evidence.startswith(
        "at least 1,000 incomplete multipart uploads started over 7 days ago, and no enabled lifecycle rule with "
        "AbortIncompleteMultipartUpload (1 enabled lifecycle rule): "
    )


def test_s3_noncurrent_versions_are_kept_when_versioning_is_on_and_nothing_expires_them() -> None:
    rows = [
        _bucket_row("versioned", versioning="Enabled"),
        _bucket_row("suspended-old", versioning="Suspended", noncurrent_versions="yes"),
        _bucket_row("suspended-clean", versioning="Suspended", noncurrent_versions="no"),
        _bucket_row("suspended-unknown", versioning="Suspended", noncurrent_versions="unknown"),
        _bucket_row("expiring", versioning="Enabled", noncurrent_expiration_days=30),
        _bucket_row("unversioned"),
        _bucket_row("versioning-denied", versioning="unknown"),
        _bucket_row("lifecycle-denied", versioning="Enabled", noncurrent_expiration_days="unknown"),
    ]
    found = _findings_of(rows, "s3-noncurrent-versions")
    assert sorted(found) == ["suspended-old", "versioned"] == _shown(rows, "s3-noncurrent-versions")
    versioned = found["versioned"]
    assert (versioned.monthly_saving, versioned.confidence, versioned.action) == (None, "medium", "modify")
    assert versioned.evidence == (
        "versioning Enabled, and no enabled lifecycle rule with NoncurrentVersionExpiration (no lifecycle "
        "configuration): every overwritten or deleted object's old versions stay billed for good; saving unknown: "
        "depends on how many bytes are noncurrent; S3 Storage Lens (noncurrent version bytes) or the bucket's "
        "metrics would measure it"
    )
    assert found["suspended-old"].evidence.startswith("versioning Suspended with noncurrent versions still held, ")


def _deny(session: Any, operation: str) -> None:
    def answer(model: Any, **_: Any) -> Any:
        if (model.service_model.service_name, model.name) == ("s3", operation):
            return error_response("AccessDenied", "not authorized", 403)
        return None

    session.boto.events.register("before-call", answer)


@pytest.mark.parametrize(
    ("operation", "note", "unknown"),
    [
        ("GetBucketLifecycleConfiguration", "lifecycle unreadable (AccessDenied)",
         {"lifecycle_rules", "lifecycle_rules_enabled", "abort_incomplete_days", "noncurrent_expiration_days"}),
        ("GetBucketVersioning", "versioning unreadable (AccessDenied)", {"versioning"}),
        ("ListMultipartUploads", "multipart uploads unreadable (AccessDenied)", {"incomplete_uploads_over_7d"}),
        ("ListObjectVersions", "versions unreadable (AccessDenied)", {"noncurrent_versions"}),
    ],
)  # fmt: skip
def test_a_denied_hygiene_read_is_unknown_noted_and_never_a_finding(
    operation: str, note: str, unknown: set[str]
) -> None:
    """Every hygiene finding would fire on this bucket if its reads were allowed."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="messy")
        _put_bucket_size("us-east-1", "messy", 5 * GIB)
        s3.put_bucket_versioning(Bucket="messy", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="messy", Key="k", Body=b"1")
        s3.put_object(Bucket="messy", Key="k", Body=b"2")
        s3.put_bucket_versioning(Bucket="messy", VersioningConfiguration={"Status": "Suspended"})
        s3.create_multipart_upload(Bucket="messy", Key="big.bin")
        session = helpers.moto_session()
        _deny(session, operation)

        resources, collector = helpers.scan(["s3:bucket"], session=session)

    (bucket,) = resources
    assert bucket.details["unreadable"] == [note]
    assert {k for k, v in bucket.details.items() if v == "unknown"} == unknown
    assert [r.status.value for r in collector.results] == ["partial"]  # the row is listed all the same
    judged = {
        "GetBucketLifecycleConfiguration": set(),  # no rule is judged without the rules
        "GetBucketVersioning": {"s3-no-lifecycle", "s3-incomplete-uploads"},
        "ListMultipartUploads": {"s3-no-lifecycle", "s3-noncurrent-versions"},
        "ListObjectVersions": {"s3-no-lifecycle", "s3-incomplete-uploads"},
    }
    assert _finding_ids(resources) == {"messy": judged[operation]}


# --- ListMultipartUploads pages (moto returns them all at once: stubbed) --------------------------


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


def _uploads_page(index: int, ages: list[int], *, more: bool) -> dict[str, Any]:
    """Page ``index`` of ListMultipartUploads: one upload per age (days since it began)."""
    now = datetime.now(UTC)
    page: dict[str, Any] = {
        "Bucket": "big",
        "IsTruncated": more,
        "Uploads": [
            {"UploadId": f"up-{index}-{i}", "Key": f"k{index}-{i}", "Initiated": now - timedelta(days=age)}
            for i, age in enumerate(ages)
        ],
    }
    if more:
        page |= {"NextKeyMarker": f"k{index}", "NextUploadIdMarker": f"up-{index}"}
    return page


def _uploads_params(index: int) -> dict[str, Any]:
    params: dict[str, Any] = {"Bucket": "big", "MaxUploads": 2}
    if index:
        params |= {"KeyMarker": f"k{index - 1}", "UploadIdMarker": f"up-{index - 1}"}
    return params


def _stub_bucket(stubs: Stubs, pages: list[dict[str, Any]]) -> None:
    s3 = stubs("s3")
    s3.add_response("list_buckets", {"Buckets": [{"Name": "big", "BucketRegion": "us-east-1"}]}, {"MaxBuckets": 2})
    s3.add_response("get_bucket_tagging", {"TagSet": []}, {"Bucket": "big"})
    s3.add_client_error(
        "get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", http_status_code=404,
        expected_params={"Bucket": "big"},
    )  # fmt: skip
    s3.add_response("get_bucket_versioning", {}, {"Bucket": "big"})
    for index, page in enumerate(pages):
        s3.add_response("list_multipart_uploads", page, _uploads_params(index))
    stubs("cloudwatch").add_response("get_metric_data", {"MetricDataResults": [], "Messages": []})


def test_incomplete_uploads_are_counted_across_every_page(stubs: Stubs) -> None:
    # Three pages of two; one upload on the last page began two days ago (not stale yet).
    pages = [_uploads_page(0, [30, 30], more=True), _uploads_page(1, [9, 8], more=True)]
    _stub_bucket(stubs, [*pages, _uploads_page(2, [40, 2], more=False)])

    found = collect(list_buckets(stubs.context(GLOBAL_REGION, ["us-east-1"], page_size=2)))

    stubs.assert_no_pending_responses()
    big = found["big"]
    assert (big.details["incomplete_uploads_over_7d"], big.details["incomplete_uploads_capped"]) == (5, False)


def test_incomplete_uploads_stop_after_ten_pages_and_say_at_least(stubs: Stubs) -> None:
    _stub_bucket(stubs, [_uploads_page(i, [30, 30], more=True) for i in range(UPLOAD_PAGES)])  # an 11th page exists

    found = collect(list_buckets(stubs.context(GLOBAL_REGION, ["us-east-1"], page_size=2)))

    stubs.assert_no_pending_responses()  # exactly ten pages asked for
    big = found["big"]
    assert (big.details["incomplete_uploads_over_7d"], big.details["incomplete_uploads_capped"]) == (20, True)
    (finding,) = [f for f in with_findings([big])[0].findings if f.id == "s3-incomplete-uploads"]
    assert finding.evidence.startswith("at least 20 incomplete multipart uploads started over 7 days ago")
