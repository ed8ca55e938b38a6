"""S3 actions: delete a bucket, only when empty unless the user chose to empty it first.

Emptying deletes every object version and delete marker and aborts unfinished uploads;
Object Lock retention and MFA delete are respected (AWS refuses those versions, and the
row fails with the first error).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Choice,
    Failed,
    Step,
    Verify,
    code_of,
    failed,
    message_of,
    request_id_of,
)
from tracker_tui.aws.kinds.base import error_code, tag_dict
from tracker_tui.aws.kinds.s3 import KIND as BUCKET
from tracker_tui.model import Resource

#: A bucket with objects in it is deleted only when the user ticks this (off by default):
#: emptying removes every version, which nothing brings back.
EMPTY_FIRST = Choice("empty_buckets", "Empty non-empty buckets first (every object version), then delete", False)


def _bucket_exists(step: Step, s3: Any, bucket: str) -> bool:
    def head() -> bool:
        s3.head_bucket(Bucket=bucket)
        return True

    return bool(step.find(head))


def _count_versions(s3: Any, bucket: str) -> tuple[int, bool]:
    """Objects, versions and delete markers on the first page: (count, more pages follow)."""
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=1000)
    count = len(page.get("Versions") or []) + len(page.get("DeleteMarkers") or [])
    return count, bool(page.get("IsTruncated"))


def _empty_bucket(step: Step, s3: Any, bucket: str) -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        keys = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])
        ]
        if not keys:
            continue
        try:
            reply = step.runner.audited_call(
                step, s3, "delete_objects", Bucket=bucket, Delete={"Objects": keys, "Quiet": True}
            )
        except ClientError as exc:
            raise failed(exc, "emptying it failed: ") from None
        errors = reply.get("Errors") or []
        if errors:
            first = errors[0]
            raise Failed(
                f"emptying it failed: {len(errors)} versions not deleted, e.g. {first.get('Key')} "
                f"({first.get('Code')}: {first.get('Message')})",
                str(first.get("Code") or "DeleteObjectsError"),
                request_id_of(reply),
            )
    try:
        uploads = [
            u
            for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket)
            for u in page.get("Uploads") or []
        ]
    except ClientError:
        uploads = []  # not listable: DeleteBucket will say so if they matter
    for upload in uploads:
        step.call(
            s3,
            "abort_multipart_upload",
            failure="aborting an unfinished upload failed: ",
            Bucket=bucket,
            Key=upload["Key"],
            UploadId=upload["UploadId"],
        )


def delete_bucket(step: Step) -> Verify:
    bucket = step.resource.id
    if step.region in ("", "unknown"):
        step.refuse("the bucket's region is unknown; rescan before deleting it")
    s3 = step.client("s3")
    step.reread(lambda: _bucket_exists(step, s3, bucket) or None, "the bucket")

    def tags() -> dict[str, str]:
        try:
            return tag_dict(s3.get_bucket_tagging(Bucket=bucket).get("TagSet"))
        except ClientError as exc:
            if error_code(exc) in ("NoSuchTagSet", "NoSuchTagSetError"):
                return {}
            raise

    step.check_tags(step.read_or_refuse(tags, "tags"))
    try:
        count, more = _count_versions(s3, bucket)
    except ClientError as exc:
        step.refuse(f"cannot list its objects ({code_of(exc)}: {message_of(exc)})", code_of(exc))
    if count and not step.choice(EMPTY_FIRST):
        many = f"at least {count}" if more else str(count)
        step.refuse(f"bucket is not empty ({many} objects/versions); choose 'empty it first' to delete it")
    if count:
        _empty_bucket(step, s3, bucket)
    request_id = step.call(s3, "delete_bucket", Bucket=bucket)

    def verify() -> ActionUpdate:
        step.poll_gone(lambda: _bucket_exists(step, s3, bucket), "deleted")
        return step.done(
            "emptied (all versions) and deleted" if count else "deleted", deleted=True, request_id=request_id
        )

    return verify


def _note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    if options.choice(EMPTY_FIRST):
        return "empties it first: every object and every version is deleted"
    objects = resource.details.get("object_count")
    if isinstance(objects, int) and objects > 0:
        return f"holds {objects:,} objects (CloudWatch, daily): refused unless you choose to empty it first"
    return "deleted only if it is empty"


ACTIONS = (
    ActionSpec(
        BUCKET,
        "delete",
        delete_bucket,
        iam_actions=(
            "s3:ListBucket",
            "s3:GetBucketTagging",
            "s3:ListBucketVersions",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:ListBucketMultipartUploads",
            "s3:AbortMultipartUpload",
            "s3:DeleteBucket",
        ),
        note=_note,
        choices=(EMPTY_FIRST,),
    ),
)
