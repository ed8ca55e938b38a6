"""A failing item never takes its cell with it (issue 21, part 2).

Every lister that makes per-item calls (a bucket's tags, region and size; a table's
description; a balancer's tags and targets; a key's description ...) is scanned against the
demo estate seeded in moto, once as it is and once with one per-item operation answering a
read timeout (botocore's ``ReadTimeoutError``, raised from a ``before-call`` hook as the HTTP
layer would after its retries).  Every row of the first scan is still listed, the rows whose
read failed say so in ``details["unreadable"]``, and the cell ends ``partial`` with an
``errors`` entry: never failed, never empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws

from tests.support.helpers import error_response, moto_session, scan
from tracker_tui.aws.scan import PARTIAL_CODE, error_entries
from tracker_tui.demo_estate import seed_account, seed_region
from tracker_tui.demo_estate.core import seed_global
from tracker_tui.model import CellStatus, Resource

REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture(scope="module")
def estate() -> Iterator[None]:
    """The demo's estate, every kind, in two regions (in-process moto)."""
    with mock_aws():
        boto = boto3.Session(region_name="us-east-1")
        seed_global(boto, None)  # IAM first: the regions' Lambda functions need its roles
        seed_account(boto, None)
        for region in REGIONS:
            seed_region(boto, None, region)
        yield


def failing(service: str, operation: str, when: Any = None) -> tuple[Any, list[dict[str, Any]]]:
    """A session whose ``service.operation`` calls time out (where ``when(params)`` says)."""
    session = moto_session()
    hits: list[dict[str, Any]] = []

    def hook(model: Any, params: dict[str, Any], **_: Any) -> None:
        if (model.service_model.service_name, model.name) != (service, operation):
            return
        if when is not None and not when(params):
            return
        hits.append(params)
        raise botocore.exceptions.ReadTimeoutError(endpoint_url=f"https://{service}.example.invalid")

    session.boto.events.register("before-call", hook)
    return session, hits


def deny(session: Any, service: str, operation: str) -> None:
    """Answer ``service.operation`` with AccessDenied (to reach a lister's per-item fallback)."""

    def answer(model: Any, **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if (model.service_model.service_name, model.name) != (service, operation):
            return None
        return error_response("AccessDenied", "no", 403)

    session.boto.events.register("before-call", answer)


CASES = [
    # (kind, service, operation, what the note names, what else the session needs)
    ("s3:bucket", "s3", "GetBucketTagging", "tags", None),
    ("s3:bucket", "cloudwatch", "GetMetricData", "size", None),
    ("s3:bucket", "s3", "GetBucketLifecycleConfiguration", "lifecycle", None),
    ("s3:bucket", "s3", "GetBucketVersioning", "versioning", None),
    ("s3:bucket", "s3", "ListMultipartUploads", "multipart uploads", None),
    ("s3:bucket", "s3", "ListObjectVersions", "versions", None),
    ("efs:file-system", "efs", "DescribeLifecycleConfiguration", "lifecycle", None),
    ("dynamodb:table", "dynamodb", "ListTagsOfResource", "tags", None),
    ("dynamodb:table", "dynamodb", "DescribeTable", "description", None),
    ("elasticache:cluster", "elasticache", "ListTagsForResource", "tags", None),
    ("elb:load-balancer", "elbv2", "DescribeTags", "tags", None),
    ("elb:load-balancer", "elbv2", "DescribeTargetHealth", "targets", None),
    ("elb:load-balancer", "elb", "DescribeTags", "tags", None),
    ("kms:key", "kms", "ListResourceTags", "tags", None),
    ("kms:key", "kms", "DescribeKey", "description", None),
    ("opensearch:domain", "opensearch", "ListTags", "tags", None),
    ("route53:hosted-zone", "route53", "ListTagsForResources", "tags", None),
    ("sagemaker:notebook-instance", "sagemaker", "ListTags", "tags", None),
    ("sagemaker:notebook-instance", "sagemaker", "DescribeNotebookInstance", "description", None),
    ("sagemaker:endpoint", "sagemaker", "DescribeEndpoint", "description", None),
    ("eks:cluster", "eks", "ListNodegroups", "node groups", None),
    ("iam:user", "iam", "ListUserTags", "tags", ("iam", "GetAccountAuthorizationDetails")),
    ("iam:role", "iam", "ListRoleTags", "tags", ("iam", "GetAccountAuthorizationDetails")),
]


def _ids(resources: list[Resource]) -> set[tuple[str, str]]:
    return {(r.region, r.id) for r in resources}


@pytest.mark.parametrize(
    ("kind", "service", "operation", "what", "denied"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_a_timed_out_item_read_keeps_every_row_and_ends_the_cell_partial(
    estate: None, kind: str, service: str, operation: str, what: str, denied: tuple[str, str] | None
) -> None:
    clean, _ = scan([kind], REGIONS)
    assert clean, f"the demo estate has no {kind}"

    session, hits = failing(service, operation)
    if denied is not None:
        deny(session, *denied)
    resources, collector = scan([kind], REGIONS, session=session)

    assert hits, f"{service}.{operation} was never called: the test would prove nothing"
    assert _ids(resources) == _ids(clean), "a failed item read lost rows"
    note = f"{what} unreadable (Timeout)"
    noted = [r for r in resources if "unreadable" in r.details]
    assert noted, "no row says what could not be read"
    for r in noted:
        assert r.details["unreadable"] == [note]
    assert all("unreadable" not in r.details for r in clean)
    partial = [r for r in collector.results if r.status is CellStatus.PARTIAL]
    assert partial, [(r.cell, r.status) for r in collector.results]
    assert all(r.status in (CellStatus.PARTIAL, CellStatus.DONE, CellStatus.EMPTY) for r in collector.results)
    for result in partial:
        assert result.code == PARTIAL_CODE
        assert note in (result.message or "")
        in_cell = [r for r in resources if result.cell.region in ("global", r.region)]
        assert result.count == len(in_cell)
    assert {(e.kind, e.code) for e in error_entries(collector.results)} == {(kind, PARTIAL_CODE)}


def test_one_regions_bucket_tags_timing_out_keeps_every_bucket_of_every_region(estate: None) -> None:
    """The issue's case: S3 is one cell for the account, so a timeout on one region's buckets
    used to fail it whole, and every bucket of every region vanished."""
    clean, _ = scan(["s3:bucket"], REGIONS)
    in_eu = {r.id for r in clean if r.region == "eu-west-1"}
    assert in_eu and any(r.region == "us-east-1" for r in clean)

    def bucket_of(request: dict[str, Any]) -> str:
        return next((b for b in in_eu if f"/{b}" in request.get("url", "") or f"//{b}." in request.get("url", "")), "")

    session, hits = failing("s3", "GetBucketTagging", when=bucket_of)
    resources, collector = scan(["s3:bucket"], REGIONS, session=session)

    assert {bucket_of(request) for request in hits} == in_eu
    assert _ids(resources) == _ids(clean)
    by_id = {r.id: r for r in resources}
    for r in clean:
        if r.id in in_eu:
            assert by_id[r.id].details["unreadable"] == ["tags unreadable (Timeout)"]
            assert by_id[r.id].tags == {}
        else:
            assert "unreadable" not in by_id[r.id].details
            assert by_id[r.id].tags == r.tags  # the other region's buckets keep their tags
    [result] = collector.results
    assert result.status is CellStatus.PARTIAL
    assert f"tags unreadable (Timeout) for {len(in_eu)} items" in (result.message or "")


def test_an_unreadable_target_count_is_never_taken_for_zero(estate: None) -> None:
    """No target count is no data: the balancer is not called idle and gets no finding."""
    from tracker_tui.aws.kinds import price_resources
    from tracker_tui.findings import local_findings

    clean, _ = scan(["elb:load-balancer"], REGIONS)
    session, _ = failing("elbv2", "DescribeTargetHealth")
    resources, _ = scan(["elb:load-balancer"], REGIONS, session=session)
    noted = [r for r in local_findings(price_resources(resources)) if "unreadable" in r.details]
    assert noted
    for r in noted:
        assert "target_count" not in r.details
        assert r.state != "idle"
        assert not any(f.id == "idle-load-balancer" for f in r.findings)
    assert any(r.details.get("target_count") for r in clean)


def test_an_undescribed_table_is_listed_with_no_guessed_mode_size_or_protection(estate: None) -> None:
    from tracker_tui.aws.kinds import price_resources

    session, _ = failing("dynamodb", "DescribeTable")
    resources, _ = scan(["dynamodb:table"], REGIONS, session=session)
    for r in price_resources(resources):
        assert r.state == "unknown"
        assert r.monthly_cost is None  # unknown, never a guess from an assumed mode
        assert "deletion_protection" not in r.details and "billing_mode" not in r.details
