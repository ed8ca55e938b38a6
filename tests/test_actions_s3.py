"""The bucket handler of aws/actions/s3.py against moto: delete an empty bucket in its own region,
refuse a non-empty one unless "empty it first" was ticked, empty every version and unfinished
upload first, and fail the row naming what AWS refused."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.actions import act, on_call
from tests.support.helpers import error_response
from tests.support.rails.base import scanned
from tracker_tui.aws.actions import Status
from tracker_tui.aws.actions.s3 import EMPTY_FIRST
from tracker_tui.store import AuditLog

# --- helpers -----------------------------------------------------------------------------


# --- S3 buckets ----------------------------------------------------------------------------


def _versioned_bucket(region: str, name: str) -> Any:
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key="a.txt", Body=b"1")
    s3.put_object(Bucket=name, Key="a.txt", Body=b"2")
    s3.delete_object(Bucket=name, Key="a.txt")  # two versions and a delete marker; no current object
    return s3


def test_delete_empty_bucket_in_its_own_region(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="empty-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        row = scanned(session, "s3:bucket", "eu-west-1")["empty-bucket"]
        assert row.region == "eu-west-1"

        (done,), _ = act(session, audit, [row], "delete")

        assert s3.list_buckets()["Buckets"] == []
    assert (done.status, done.deleted) == (Status.DONE, True)
    assert {line["region"] for line in audit.tail(10)} == {"eu-west-1"}


def test_non_empty_versioned_bucket_refused_without_empty_it_first(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "versioned-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["versioned-bucket"]

        (refused,), _ = act(session, audit, [row], "delete")

        versions = s3.list_object_versions(Bucket="versioned-bucket")
        assert len(versions["Versions"]) == 2 and len(versions["DeleteMarkers"]) == 1
    assert refused.status is Status.REFUSED
    assert refused.message == "bucket is not empty (3 objects/versions); choose 'empty it first' to delete it"
    assert audit.tail(10) == []


def test_empty_it_first_deletes_every_version_then_the_bucket(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "versioned-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["versioned-bucket"]

        (done,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert s3.list_buckets()["Buckets"] == []
    assert (done.status, done.deleted) == (Status.DONE, True)
    assert "emptied" in done.message
    calls = [(line["operation"], line["phase"]) for line in audit.tail(20)]
    assert calls == [
        ("DeleteObjects", "before"),
        ("DeleteObjects", "after"),
        ("DeleteBucket", "before"),
        ("DeleteBucket", "after"),
    ]
    assert audit.tail(20)[0]["params"] == {"Bucket": "versioned-bucket", "object_versions": 3}


def test_protected_bucket_refused_even_when_empty_it_first_was_chosen(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("us-east-2", "backups-bucket")
        s3.put_bucket_tagging(Bucket="backups-bucket", Tagging={"TagSet": [{"Key": "do-not-delete", "Value": "1"}]})
        row = scanned(session, "s3:bucket", "us-east-2")["backups-bucket"]

        (refused,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert len(s3.list_object_versions(Bucket="backups-bucket")["Versions"]) == 2
    assert refused.message == "tag do-not-delete is set"


def test_versions_aws_refuses_to_delete_fail_the_row_naming_the_first(audit: AuditLog) -> None:
    """Object Lock or MFA delete: DeleteObjects answers per-key errors; the bucket stays."""
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "locked-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["locked-bucket"]

        def locked(parsed: dict[str, Any], **_: Any) -> None:
            parsed["Errors"] = [
                {"Key": "a.txt", "VersionId": "v1", "Code": "AccessDenied", "Message": "Object is WORM protected"},
                {"Key": "a.txt", "VersionId": "v2", "Code": "AccessDenied", "Message": "Object is WORM protected"},
            ]

        session.client("s3", "eu-west-1").meta.events.register("after-call.s3.DeleteObjects", locked)

        (failed,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert "locked-bucket" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert (failed.status, failed.code) == (Status.FAILED, "AccessDenied")
    assert failed.message == (
        "emptying it failed: 2 versions not deleted, e.g. a.txt (AccessDenied: Object is WORM protected)"
    )
    assert failed.request_id
    assert [line["operation"] for line in audit.tail(20)] == ["DeleteObjects", "DeleteObjects"]  # no DeleteBucket


def test_a_deleteobjects_error_fails_the_row_as_emptying(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _versioned_bucket("eu-west-1", "denied-bucket")
        row = scanned(session, "s3:bucket", "eu-west-1")["denied-bucket"]
        on_call(
            session, "s3", "eu-west-1", "DeleteObjects",
            lambda **_: error_response("AccessDenied", "no s3:DeleteObjectVersion", 403),
        )  # fmt: skip

        (failed,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

    assert (failed.status, failed.code, failed.request_id) == (Status.FAILED, "AccessDenied", "req-AccessDenied")
    assert failed.message == "emptying it failed: no s3:DeleteObjectVersion"


def test_emptying_aborts_unfinished_uploads_before_deleting(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "uploads-bucket")
        upload = s3.create_multipart_upload(Bucket="uploads-bucket", Key="big.bin")["UploadId"]
        row = scanned(session, "s3:bucket", "eu-west-1")["uploads-bucket"]

        (done,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert "uploads-bucket" not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert done.status is Status.DONE
    aborts = [line for line in audit.tail(20) if line["operation"] == "AbortMultipartUpload"]
    assert [(line["phase"], line.get("result")) for line in aborts] == [("before", None), ("after", "ok")]
    assert aborts[0]["params"] == {"Bucket": "uploads-bucket", "Key": "big.bin", "UploadId": upload}


def test_an_abort_that_fails_fails_the_row_and_keeps_the_bucket(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _versioned_bucket("eu-west-1", "stuck-bucket")
        s3.create_multipart_upload(Bucket="stuck-bucket", Key="big.bin")
        row = scanned(session, "s3:bucket", "eu-west-1")["stuck-bucket"]
        on_call(
            session, "s3", "eu-west-1", "AbortMultipartUpload",
            lambda **_: error_response("AccessDenied", "no s3:AbortMultipartUpload", 403),
        )  # fmt: skip

        (failed,), _ = act(session, audit, [row], "delete", choices={EMPTY_FIRST: True})

        assert "stuck-bucket" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert (failed.status, failed.code) == (Status.FAILED, "AccessDenied")
    assert failed.message == "aborting an unfinished upload failed: no s3:AbortMultipartUpload"
