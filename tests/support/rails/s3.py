"""The safety-rail cases of tracker_tui/aws/actions/s3.py (see base.py for the shape): deleting
an empty bucket (the box "empty it first" is off by default; tests/test_safety_rails.py
checks an unwritable audit log blocks the emptying too); and ``m``, merging the lifecycle rules
into a versioned bucket's configuration, which holds one rule of its own already (so the read
the verification makes answers before the call too, and the merge has something to keep).

A bucket row's state is ``available`` whatever its rules, and test_safety_rails compares a
modify's ``after`` with the re-read row's state for a kind it names no detail for: the modify
case's probe says ``available`` once both rules are in beside the bucket's own (unchanged), and
what is missing until then.  tests/test_actions_s3_lifecycle.py checks the details the row gets.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.rails.base import GONE, Case, StateRefusal, Tags, calls, tag_list, where

#: The rule the modify case's bucket has before ``m``: a prefix filter, a transition, an expiration.
OWN_RULE: dict[str, Any] = {
    "ID": "archive-logs",
    "Filter": {"Prefix": "logs/"},
    "Status": "Enabled",
    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
    "Expiration": {"Days": 365},
}
ABORT_RULE = "tracker-tui-abort-incomplete-uploads"
NONCURRENT_RULE = "tracker-tui-expire-noncurrent-versions"


def _create(name: str, tags: Tags) -> Any:
    s3 = boto3.client("s3", region_name=where())
    location = {} if where() == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": where()}}
    s3.create_bucket(Bucket=name, **location)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})
    return s3


def make_bucket(tags: Tags) -> str:
    _create("rails-bucket", tags)
    return "rails-bucket"


def bucket_state(ident: str) -> str:
    try:
        boto3.client("s3", region_name=where()).head_bucket(Bucket=ident)
    except ClientError:
        return GONE
    return "exists"


def make_lifecycle_bucket(tags: Tags) -> str:
    """A versioned bucket with one lifecycle rule of its own (neither of the ones ``m`` adds)."""
    s3 = _create("rails-lifecycle-bucket", tags)
    s3.put_bucket_versioning(Bucket="rails-lifecycle-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket="rails-lifecycle-bucket", LifecycleConfiguration={"Rules": [OWN_RULE]})
    return "rails-lifecycle-bucket"


def lifecycle_state(ident: str) -> str:
    """What modify changes: ``available`` (see the module's docstring) once the bucket's own rule
    is there unchanged beside both rules ``m`` adds (7 days; the default 30 noncurrent days);
    until then, what is missing."""
    try:
        rules = boto3.client("s3", region_name=where()).get_bucket_lifecycle_configuration(Bucket=ident)["Rules"]
    except ClientError as exc:
        return GONE if exc.response["Error"]["Code"] == "NoSuchBucket" else "no lifecycle configuration"
    by_id = {rule.get("ID"): rule for rule in rules}
    abort = (by_id.get(ABORT_RULE) or {}).get("AbortIncompleteMultipartUpload")
    noncurrent = (by_id.get(NONCURRENT_RULE) or {}).get("NoncurrentVersionExpiration")
    missing = [
        name
        for name, present in (
            (str(OWN_RULE["ID"]), by_id.get(OWN_RULE["ID"]) == OWN_RULE),
            (ABORT_RULE, abort == {"DaysAfterInitiation": 7}),
            (NONCURRENT_RULE, noncurrent == {"NoncurrentDays": 30}),
        )
        if not present
    ]
    return f"missing {', '.join(missing)}" if missing else "available"


BEFORE_MODIFY = f"missing {ABORT_RULE}, {NONCURRENT_RULE}"

CASES: dict[str, Case] = {
    "bucket-delete": Case("s3:bucket", "delete", make_bucket, bucket_state, "exists", GONE, calls("DeleteBucket")),
    "bucket-modify": Case(
        "s3:bucket",
        "modify",
        make_lifecycle_bucket,
        lifecycle_state,
        BEFORE_MODIFY,
        "available",
        calls("PutBucketLifecycleConfiguration"),
    ),
}
SERVICES: dict[str, str] = {"bucket-delete": "s3", "bucket-modify": "s3"}
DONE_MESSAGES: dict[str, str] = {
    "bucket-delete": "deleted",
    "bucket-modify": (
        f"added {ABORT_RULE} (aborts uploads after 7 days), {NONCURRENT_RULE} (expires noncurrent versions "
        "after 30 days); kept the 1 rule it had"
    ),
}
VERIFIED_BY: dict[str, tuple[str, str]] = {
    "bucket-delete": ("s3", "HeadBucket"),
    "bucket-modify": ("s3", "GetBucketLifecycleConfiguration"),
}
VERIFY_TIMEOUTS: dict[str, str] = {
    "bucket-delete": "it was not deleted within 0.3 s (state: still listed)",
    # The stale read is the configuration as it was: the bucket's own rule alone.
    "bucket-modify": (
        "it was not holding the new rules beside every rule it had within 0.3 s "
        f"(state: rule {ABORT_RULE} missing; rule {NONCURRENT_RULE} missing)"
    ),
}
STATE_REFUSALS: list[StateRefusal] = [
    # The bucket's own rule has taken the ID of the rule m would add: never overwritten.
    (
        "bucket-modify",
        "Rules.0.ID",
        ABORT_RULE,
        f"a rule with ID {ABORT_RULE} is there already and does something else (a filter narrows it to part "
        "of the bucket, no AbortIncompleteMultipartUpload); tracker-tui never overwrites a rule: rename or "
        "remove it first",
        False,
    ),
]
