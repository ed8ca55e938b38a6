"""The safety-rail case of tracker_tui/aws/actions/s3.py (see base.py for the shape): deleting
an empty bucket (the box "empty it first" is off by default; tests/test_safety_rails.py
checks an unwritable audit log blocks the emptying too)."""

from __future__ import annotations

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, tag_list, where


def make_bucket(tags: Tags) -> str:
    s3 = boto3.client("s3", region_name=where())
    location = {} if where() == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": where()}}
    s3.create_bucket(Bucket="rails-bucket", **location)
    if tags:
        s3.put_bucket_tagging(Bucket="rails-bucket", Tagging={"TagSet": tag_list(tags)})
    return "rails-bucket"


def bucket_state(ident: str) -> str:
    try:
        boto3.client("s3", region_name=where()).head_bucket(Bucket=ident)
    except ClientError:
        return GONE
    return "exists"


CASES: dict[str, Case] = {
    "bucket-delete": Case("s3:bucket", "delete", make_bucket, bucket_state, "exists", GONE, calls("DeleteBucket")),
}
SERVICES: dict[str, str] = {"bucket-delete": "s3"}
DONE_MESSAGES: dict[str, str] = {"bucket-delete": "deleted"}
VERIFIED_BY: dict[str, tuple[str, str]] = {"bucket-delete": ("s3", "HeadBucket")}
VERIFY_TIMEOUTS: dict[str, str] = {"bucket-delete": "it was not deleted within 0.3 s (state: still listed)"}
STATE_REFUSALS: list[StateRefusal] = []
