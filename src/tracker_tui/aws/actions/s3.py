"""S3 actions: delete a bucket, only when empty unless the user chose to empty it first; and
``m``, merge the lifecycle rules the hygiene findings ask for into the bucket's configuration.

Emptying deletes every object version and delete marker and aborts unfinished uploads;
Object Lock retention and MFA delete are respected (AWS refuses those versions, and the
row fails with the first error).

PutBucketLifecycleConfiguration replaces the whole configuration, so ``m`` reads it, adds its
rules beside the ones there (passed back exactly as read) and writes the lot; a configuration
it cannot read is never written over.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from tracker_tui.aws.kinds.s3 import S3_INCOMPLETE_UPLOADS, S3_NONCURRENT_VERSIONS, STALE_UPLOAD_DAYS, list_buckets
from tracker_tui.config import NONCURRENT_DAYS_RANGE
from tracker_tui.model import Resource, format_cost, plural

#: A bucket with objects in it is deleted only when the user ticks this (off by default):
#: emptying removes every version, which nothing brings back.
EMPTY_FIRST = Choice("empty_buckets", "Empty non-empty buckets first (every object version), then delete", False)


def _bucket_exists(step: Step, s3: Any, bucket: str) -> bool:
    def head() -> bool:
        s3.head_bucket(Bucket=bucket)
        return True

    return bool(step.find(head))


def _tags(s3: Any, bucket: str, **owner: str) -> dict[str, str]:
    """The bucket's tags ({} when it has none: NoSuchTagSet); any other error raises."""
    try:
        return tag_dict(s3.get_bucket_tagging(Bucket=bucket, **owner).get("TagSet"))
    except ClientError as exc:
        if error_code(exc) in ("NoSuchTagSet", "NoSuchTagSetError"):
            return {}
        raise


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
    step.check_tags(step.read_or_refuse(lambda: _tags(s3, bucket), "tags"))
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


# --- m: lifecycle rules merged into the bucket's configuration -------------------------------------

#: The rules ``m`` adds, by ID; an ID already taken by another rule is refused, never overwritten.
ABORT_RULE_ID = "tracker-tui-abort-incomplete-uploads"
NONCURRENT_RULE_ID = "tracker-tui-expire-noncurrent-versions"
#: After how many days the abort rule has S3 abort an unfinished upload (and delete its parts):
#: the week ``s3-incomplete-uploads`` counts from.
ABORT_AFTER_DAYS = STALE_UPLOAD_DAYS
#: The most rules AWS takes in one lifecycle configuration.
MAX_LIFECYCLE_RULES = 1000
#: A filter that selects every object.  ``{}`` reads the same way, but an empty Filter element
#: is not what AWS documents: a Filter holds exactly one of its members, and an empty prefix
#: is the form it takes everywhere.
WHOLE_BUCKET: dict[str, Any] = {"Prefix": ""}

_ABORT = "AbortIncompleteMultipartUpload"
_NONCURRENT = "NoncurrentVersionExpiration"
#: Versioning states under which a bucket can hold noncurrent versions.
_VERSIONED = ("Enabled", "Suspended")


def _whole_bucket(rule: Mapping[str, Any]) -> bool:
    """The rule selects every object: no filter or an empty one (``{}``, an empty prefix), and no
    legacy top-level prefix; a tag, a size or an ``And`` narrows it."""
    narrowing = rule.get("Filter")
    return narrowing in (None, {}, WHOLE_BUCKET) and not rule.get("Prefix")


def _does(rule: Mapping[str, Any], action: str) -> bool:
    """The rule is enabled, covers the whole bucket and carries ``action``."""
    return rule.get("Status") == "Enabled" and _whole_bucket(rule) and isinstance(rule.get(action), dict)


def _abort_rule() -> dict[str, Any]:
    return {
        "ID": ABORT_RULE_ID,
        "Filter": dict(WHOLE_BUCKET),
        "Status": "Enabled",
        _ABORT: {"DaysAfterInitiation": ABORT_AFTER_DAYS},
    }


def _noncurrent_rule(days: int) -> dict[str, Any]:
    return {
        "ID": NONCURRENT_RULE_ID,
        "Filter": dict(WHOLE_BUCKET),
        "Status": "Enabled",
        _NONCURRENT: {"NoncurrentDays": days},
    }


def _rule_name(rule: Mapping[str, Any]) -> str:
    return str(rule.get("ID") or "(no ID)")


def _what_it_does(rule: Mapping[str, Any], action: str) -> str:
    """Why a rule holding one of our IDs is not the rule we would add."""
    why = []
    if rule.get("Status") != "Enabled":
        why.append(f"status {rule.get('Status') or 'unknown'}")
    if not _whole_bucket(rule):
        why.append("a filter narrows it to part of the bucket")
    if not isinstance(rule.get(action), dict):
        why.append(f"no {action}")
    return ", ".join(why) or "not as tracker-tui writes it"


def _read_lifecycle(s3: Any, bucket: str, owner: str) -> tuple[list[dict[str, Any]], str | None]:
    """The bucket's rules as GetBucketLifecycleConfiguration gives them ([] when it has none), and
    its TransitionDefaultMinimumObjectSize when the answer says one.  Other errors raise."""
    try:
        reply = s3.get_bucket_lifecycle_configuration(Bucket=bucket, ExpectedBucketOwner=owner)
    except ClientError as exc:
        if error_code(exc) == "NoSuchLifecycleConfiguration":
            return [], None
        raise
    size = reply.get("TransitionDefaultMinimumObjectSize")
    return list(reply.get("Rules") or []), (str(size) if size else None)


def _owned_bucket_exists(step: Step, s3: Any, bucket: str) -> bool:
    """HeadBucket as the scanned account's bucket (ExpectedBucketOwner): False when it is gone;
    refused when S3 answers 403, which is what it says when another account owns the name now."""

    def head() -> bool:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=step.account)
        return True

    try:
        return bool(step.find(head))
    except ClientError as exc:
        if error_code(exc) in ("403", "AccessDenied", "Forbidden"):
            step.refuse(
                f"it does not answer as a bucket of account {step.account} ({code_of(exc)}: {message_of(exc)}): "
                "another account may own it now (ExpectedBucketOwner), or reading it is denied",
                code_of(exc),
            )
        raise


def _differences(
    kept: list[dict[str, Any]],
    added: list[dict[str, Any]],
    size: str | None,
    now: list[dict[str, Any]],
    size_now: str | None,
) -> list[str]:
    """What the configuration read back lacks: a rule it had, changed or gone; a rule added,
    missing or not as written; the default minimum object size, changed."""
    out = [f"rule {_rule_name(rule)} changed or gone" for rule in kept if rule not in now]
    for rule in added:
        (action,) = [key for key in (_ABORT, _NONCURRENT) if key in rule]
        found = [r for r in now if r.get("ID") == rule["ID"]]
        if not found:
            out.append(f"rule {rule['ID']} missing")
        elif not any(_does(r, action) and r[action] == rule[action] for r in found):
            out.append(f"rule {rule['ID']} not as written ({_what_it_does(found[0], action)})")
    if size is not None and size_now != size:
        out.append(f"TransitionDefaultMinimumObjectSize {size_now or 'not said'} (was {size})")
    return out


def _added_text(rule: Mapping[str, Any]) -> str:
    if _ABORT in rule:
        return f"{rule['ID']} (aborts uploads after {rule[_ABORT]['DaysAfterInitiation']} days)"
    return f"{rule['ID']} (expires noncurrent versions after {rule[_NONCURRENT]['NoncurrentDays']} days)"


def add_lifecycle_rules(step: Step) -> Verify:
    """Merge the missing whole-bucket rules (abort unfinished uploads; expire noncurrent versions
    of a versioned bucket) into the bucket's lifecycle configuration: read, add, write it all back."""
    bucket = step.resource.id
    owner = step.account
    days = step.options.noncurrent_days
    low, high = NONCURRENT_DAYS_RANGE
    if type(days) is not int or not low <= days <= high:
        # The config file's check keeps a bad value out; this holds for options built elsewhere.
        step.refuse(f"noncurrent_days {days!r} is not a whole number of days from {low} to {high}")
    if step.region in ("", "unknown"):
        step.refuse("the bucket's region is unknown; rescan before changing its lifecycle rules")
    s3 = step.client("s3")
    step.reread(lambda: _owned_bucket_exists(step, s3, bucket) or None, "the bucket")
    step.check_tags(step.read_or_refuse(lambda: _tags(s3, bucket, ExpectedBucketOwner=owner), "tags"))
    versioning = step.read_or_refuse(
        lambda: str(s3.get_bucket_versioning(Bucket=bucket, ExpectedBucketOwner=owner).get("Status") or "Disabled"),
        "versioning",
    )
    try:
        rules, size = _read_lifecycle(s3, bucket, owner)
    except ClientError as exc:
        step.refuse(
            f"cannot read its lifecycle configuration ({code_of(exc)}: {message_of(exc)}): "
            "tracker-tui never writes one it cannot merge with",
            code_of(exc),
        )

    wanted = [_abort_rule()]
    if versioning in _VERSIONED:
        wanted.append(_noncurrent_rule(days))
    adding = [rule for rule in wanted if not any(_does(have, _action_of(rule)) for have in rules)]
    if not adding:
        step.refuse(_nothing_missing(rules, versioning))
    for rule in adding:
        taken = next((have for have in rules if have.get("ID") == rule["ID"]), None)
        if taken is not None:
            step.refuse(
                f"a rule with ID {rule['ID']} is there already and does something else "
                f"({_what_it_does(taken, _action_of(rule))}); tracker-tui never overwrites a rule: "
                "rename or remove it first"
            )
    if len(rules) + len(adding) > MAX_LIFECYCLE_RULES:
        step.refuse(
            f"it has {plural(len(rules), 'lifecycle rule')}: adding {len(adding)} would pass the "
            f"{MAX_LIFECYCLE_RULES:,} AWS takes in one configuration"
        )
    extra = {"TransitionDefaultMinimumObjectSize": size} if size is not None else {}
    request_id = step.call(
        s3,
        "put_bucket_lifecycle_configuration",
        Bucket=bucket,
        ExpectedBucketOwner=owner,
        # The rules it had go back exactly as read (GET's LifecycleRule is PUT's shape): the
        # write replaces the whole configuration, so anything left out would be dropped.
        LifecycleConfiguration={"Rules": [*rules, *adding]},
        **extra,
    )

    def verify() -> ActionUpdate:
        seen = {"state": "not read back yet"}

        def merged() -> bool:
            # A new configuration takes a while to show everywhere: wait for it, bounded.
            now, size_now = _read_lifecycle(s3, bucket, owner)
            differences = _differences(rules, adding, size, now, size_now)
            seen["state"] = "; ".join(differences)
            return not differences

        step.poll(merged, "holding the new rules beside every rule it had", lambda: seen["state"])
        # Narrowed by name (ListBuckets' Prefix); the lister's other paged read, the uploads,
        # runs only when no rule aborts them, and one now does.
        fresh = step.reread_resource(list_buckets, Prefix=bucket)
        message = f"added {', '.join(_added_text(rule) for rule in adding)}"
        message += f"; kept the {plural(len(rules), 'rule')} it had" if rules else ""
        return step.done(message, result=fresh, deleted=fresh is None, request_id=request_id)

    return verify


def _action_of(rule: Mapping[str, Any]) -> str:
    return _ABORT if _ABORT in rule else _NONCURRENT


def _nothing_missing(rules: list[dict[str, Any]], versioning: str) -> str:
    abort = next(_rule_name(r) for r in rules if _does(r, _ABORT))
    if versioning not in _VERSIONED:
        return (
            f"it has the rule it needs already: {abort} aborts incomplete uploads for the whole bucket, and "
            f"versioning is {versioning}, so there are no noncurrent versions to expire"
        )
    noncurrent = next(_rule_name(r) for r in rules if _does(r, _NONCURRENT))
    return (
        f"it has both rules already: {abort} aborts incomplete uploads and {noncurrent} expires noncurrent "
        "versions, each for the whole bucket"
    )


def _lifecycle_saving(resource: Resource) -> float | None:
    """What the row's lifecycle findings say the rules save: today always None (unknown: the scan
    cannot measure what unfinished uploads and noncurrent versions hold), so the dialog and the
    cost panel agree; the sum should both ever be measured; None without either finding."""
    ids = (S3_INCOMPLETE_UPLOADS.id, S3_NONCURRENT_VERSIONS.id)
    savings = [f.monthly_saving for f in resource.findings if f.id in ids]
    if not savings or any(saving is None for saving in savings):
        return None
    return round(sum(saving for saving in savings if saving is not None), 2)


def _lifecycle_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    """Which rules, that the rules it has are kept, what AWS then deletes, how to undo, the saving."""
    details = resource.details
    days = options.noncurrent_days
    abort = f"{ABORT_RULE_ID}: AWS then deletes the parts of uploads not completed within {ABORT_AFTER_DAYS} days"
    noncurrent = (
        f"{NONCURRENT_RULE_ID}: AWS then deletes noncurrent versions {days} days after they become noncurrent: "
        "that data is gone for good"
    )
    versioning = details.get("versioning")
    if versioning in _VERSIONED:
        adds = f"{abort}; {noncurrent}"
    elif versioning == "Disabled":
        adds = f"{abort} (versioning is off: no noncurrent versions to expire)"
    else:
        adds = f"{abort}; if versioning is on, {noncurrent}"
    count = details.get("lifecycle_rules")
    if type(count) is int:
        kept = f"keeps the {plural(count, 'rule')} it has, as they are" if count else "it has no rules now"
    else:
        kept = "its lifecycle configuration is read again first (the scan could not), and refused if it cannot be"
    saving = _lifecycle_saving(resource)
    saves = (
        f"saves {format_cost(saving)}/mo"
        if saving is not None
        else "saving unknown: the scan cannot measure the bytes unfinished uploads and noncurrent versions hold "
        "(S3 Storage Lens would)"
    )
    return (
        f"adds, unless an enabled whole-bucket rule does it already, {adds}; {kept}; no downtime; "
        f"undo: remove the rule by its ID from the bucket's lifecycle configuration (what AWS deleted stays "
        f"deleted); {saves}"
    )


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
    # Not single_key: the noncurrent rule has AWS delete object versions for good, so even one
    # row confirms with the account's name typed (the abort rule alone takes the same spec).
    ActionSpec(
        BUCKET,
        "modify",
        add_lifecycle_rules,
        iam_actions=(
            "s3:ListBucket",
            "s3:GetBucketTagging",
            "s3:GetBucketVersioning",
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
            # The row re-read through the scan's lister: ListBuckets, the bucket's region where
            # ListBuckets does not say it, then its size.
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            "cloudwatch:GetMetricData",
        ),
        note=_lifecycle_note,
        saving=_lifecycle_saving,
    ),
)
