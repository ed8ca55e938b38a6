"""``m`` on a bucket (aws/actions/s3.py ``add_lifecycle_rules``) against moto: the whole-bucket rules
the hygiene findings ask for (abort unfinished uploads after 7 days; expire noncurrent versions after
``noncurrent_days``) merged into the bucket's lifecycle configuration, every rule it had passed back
exactly as read, verified by reading back and repriced; refused, with nothing written, when the
configuration cannot be read, when nothing is missing, when an ID is taken, past AWS's 1,000 rules,
for a protected tag or a bucket another account answers for.

moto ignores ExpectedBucketOwner and never refuses a read: the refusals AWS would give come from
botocore ``before-call`` hooks (``error_response``)."""

from __future__ import annotations

import asyncio
import copy
import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support import helpers
from tests.support.actions import act, on_call, statuses
from tests.support.helpers import actions_done, error_response, filter_rows, scan_done, wait_until
from tests.support.rails.base import ACCOUNT, scanned
from tracker_tui.aws.actions import ActionOptions, Status, needs_typed_name, plan
from tracker_tui.aws.actions.s3 import (
    ABORT_RULE_ID,
    MAX_LIFECYCLE_RULES,
    NONCURRENT_RULE_ID,
)
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.source import LiveSource
from tracker_tui.config import DEFAULT_NONCURRENT_DAYS, Settings, load_settings
from tracker_tui.model import Finding, Resource
from tracker_tui.store import AuditLog
from tracker_tui.ui.app import TrackerApp
from tracker_tui.ui.screens.confirm import ConfirmActionScreen
from tracker_tui.ui.screens.progress import ActionProgressScreen

REGION = "us-east-1"
BUCKET = "acme-data"
INCOMPLETE = "s3-incomplete-uploads"
NONCURRENT = "s3-noncurrent-versions"

ABORT = {
    "ID": ABORT_RULE_ID,
    "Filter": {"Prefix": ""},
    "Status": "Enabled",
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
}


def _expire(days: int = DEFAULT_NONCURRENT_DAYS) -> dict[str, Any]:
    return {
        "ID": NONCURRENT_RULE_ID,
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "NoncurrentVersionExpiration": {"NoncurrentDays": days},
    }


#: Rules a bucket may have before ``m``: a prefix filter with a transition and an expiration, the
#: legacy top-level Prefix form, a disabled rule with a tag-and-prefix filter.
OWN_RULES: list[dict[str, Any]] = [
    {
        "ID": "archive-logs",
        "Filter": {"Prefix": "logs/"},
        "Status": "Enabled",
        "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
        "Expiration": {"Days": 365},
    },
    {"ID": "legacy-tmp", "Prefix": "tmp/", "Status": "Enabled", "Expiration": {"Days": 3}},
    {
        "ID": "tagged-scratch",
        "Filter": {"And": {"Prefix": "scratch/", "Tags": [{"Key": "kind", "Value": "scratch"}]}},
        "Status": "Disabled",
        "Expiration": {"Days": 1},
    },
]


def _bucket(*, versioning: str | None = None, rules: list[dict[str, Any]] | None = None, upload: bool = True) -> Any:
    """``BUCKET`` in us-east-1: versioned if asked, with ``rules``, and an unfinished upload (moto
    dates it 2010, so the scan finds ``s3-incomplete-uploads`` where no rule aborts it)."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    if versioning:
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": versioning})
    if rules:
        s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": rules})
    if upload:
        s3.create_multipart_upload(Bucket=BUCKET, Key="big/upload.bin")
    return s3


def _rules(s3: Any) -> list[dict[str, Any]]:
    return list(s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"])


def _ids(row: Resource) -> set[str]:
    return {f.id for f in row.findings}


def _writes(audit: AuditLog) -> list[tuple[str, str]]:
    return [(line["phase"], line["operation"]) for line in audit.tail(100)]


def _refused_with_nothing_written(audit: AuditLog, refused: Any, message: str) -> None:
    assert (refused.status, refused.message) == (Status.REFUSED, message)
    assert refused.request_id == "" and not refused.deleted
    assert audit.tail(100) == []


# --- what is added ------------------------------------------------------------------------------


def test_a_versioned_bucket_with_no_configuration_gets_both_rules_verified_and_repriced(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled")
        row = scanned(session, "s3:bucket")[BUCKET]
        assert _ids(row) >= {INCOMPLETE, NONCURRENT}
        assert row.details["lifecycle_rules"] == 0

        finals, seen = act(session, audit, [row], "modify")

        after = _rules(s3)
    assert statuses(seen, BUCKET) == [Status.REQUESTED, Status.IN_PROGRESS, Status.DONE]
    (done,) = finals
    assert (done.status, done.action, done.deleted) == (Status.DONE, "modify", False)
    assert done.message == (
        f"added {ABORT_RULE_ID} (aborts uploads after 7 days), "
        f"{NONCURRENT_RULE_ID} (expires noncurrent versions after 30 days)"
    )
    assert after == [ABORT, _expire()]
    lines = audit.tail(10)
    assert [(line["phase"], line["operation"]) for line in lines] == [
        ("before", "PutBucketLifecycleConfiguration"),
        ("after", "PutBucketLifecycleConfiguration"),
    ]
    # Nothing was read, so nothing is passed back (no TransitionDefaultMinimumObjectSize either).
    assert lines[0]["params"] == {
        "Bucket": BUCKET,
        "ExpectedBucketOwner": ACCOUNT,
        "LifecycleConfiguration": {"Rules": [ABORT, _expire()]},
    }
    assert done.request_id and done.request_id == lines[-1]["request_id"]
    # The row as re-read: both rules counted, both findings gone.
    fresh = done.result
    assert fresh is not None and fresh.id == BUCKET and fresh.cost_basis
    assert (
        fresh.details["lifecycle_rules"],
        fresh.details["abort_incomplete_days"],
        fresh.details["noncurrent_expiration_days"],
    ) == (2, 7, 30)
    assert not _ids(fresh) & {INCOMPLETE, NONCURRENT}


@pytest.mark.parametrize("versioning", [None, "Suspended"])
def test_the_noncurrent_rule_is_added_only_where_versions_can_be_noncurrent(
    audit: AuditLog, versioning: str | None
) -> None:
    """Never versioned: the abort rule only.  Suspended: versions made while it was on may remain."""
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning=versioning)
        row = scanned(session, "s3:bucket")[BUCKET]

        (done,), _ = act(session, audit, [row], "modify")

        after = _rules(s3)
    assert done.status is Status.DONE, done.message
    if versioning is None:
        assert after == [ABORT]
        assert done.message == f"added {ABORT_RULE_ID} (aborts uploads after 7 days)"
    else:
        assert after == [ABORT, _expire()]


def test_the_rules_it_had_are_passed_back_exactly_as_read_and_kept(audit: AuditLog) -> None:
    """A prefix filter with transitions, the legacy top-level Prefix, a disabled tag-and-prefix rule."""
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", rules=copy.deepcopy(OWN_RULES))
        before = _rules(s3)
        assert [r["ID"] for r in before] == [r["ID"] for r in OWN_RULES]
        row = scanned(session, "s3:bucket")[BUCKET]
        assert row.details["lifecycle_rules"] == 3

        (done,), _ = act(session, audit, [row], "modify")

        after = _rules(s3)
    assert done.status is Status.DONE, done.message
    assert done.message.endswith("; kept the 3 rules it had")
    assert after == [*before, ABORT, _expire()]
    (put,) = [line for line in audit.tail(10) if line["phase"] == "before"]
    assert put["params"]["LifecycleConfiguration"] == {"Rules": [*before, ABORT, _expire()]}
    # What the read said goes back with the rules (moto always says 128K).
    assert put["params"]["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert done.result is not None and done.result.details["lifecycle_rules"] == 5


def test_the_default_minimum_object_size_the_read_said_is_written_back(audit: AuditLog) -> None:
    """moto keeps no TransitionDefaultMinimumObjectSize: every read is made to say the other value."""
    with mock_aws():
        session = helpers.moto_session()
        _bucket(versioning="Enabled", rules=copy.deepcopy(OWN_RULES[:1]))
        row = scanned(session, "s3:bucket")[BUCKET]
        session = helpers.moto_session()  # a fresh one: its clients take the recording hook
        calls = helpers.record_calls(session)

        def varies(parsed: dict[str, Any], **_: Any) -> None:
            if "Rules" in parsed:
                parsed["TransitionDefaultMinimumObjectSize"] = "varies_by_storage_class"

        session.client("s3", REGION).meta.events.register("after-call.s3.GetBucketLifecycleConfiguration", varies)

        (done,), _ = act(session, audit, [row], "modify")

    assert done.status is Status.DONE, done.message
    (put,) = helpers.named(calls, "s3.PutBucketLifecycleConfiguration")
    assert put["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"


@pytest.mark.parametrize(
    "whole_bucket",
    [{"Filter": {"Prefix": ""}}, {"Filter": {}}, {"Prefix": ""}],
    ids=["empty-prefix", "empty-filter", "legacy-empty-prefix"],
)
def test_a_whole_bucket_abort_rule_there_already_leaves_only_the_noncurrent_one(
    audit: AuditLog, whole_bucket: dict[str, Any]
) -> None:
    own = {"ID": "abort-after-3", "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", rules=[{**own, **whole_bucket}])
        before = _rules(s3)
        row = scanned(session, "s3:bucket")[BUCKET]

        (done,), _ = act(session, audit, [row], "modify")

        after = _rules(s3)
    assert done.status is Status.DONE, done.message
    assert after == [*before, _expire()]
    assert done.message == (
        f"added {NONCURRENT_RULE_ID} (expires noncurrent versions after 30 days); kept the 1 rule it had"
    )


@pytest.mark.parametrize(
    "partial",
    [
        {"Filter": {"Prefix": "big/"}, "Status": "Enabled"},
        {"Prefix": "big/", "Status": "Enabled"},
        {"Filter": {"Prefix": ""}, "Status": "Disabled"},
    ],
    ids=["prefix-filter", "legacy-prefix", "disabled"],
)
def test_an_abort_rule_on_part_of_the_bucket_or_disabled_does_not_count(
    audit: AuditLog, partial: dict[str, Any]
) -> None:
    own = {"ID": "abort-big", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}, **partial}
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(rules=[own])
        before = _rules(s3)
        row = scanned(session, "s3:bucket")[BUCKET]

        (done,), _ = act(session, audit, [row], "modify")

        after = _rules(s3)
    assert done.status is Status.DONE, done.message
    assert after == [*before, ABORT]


def test_the_config_files_noncurrent_days_is_the_rules(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", upload=False)
        row = scanned(session, "s3:bucket")[BUCKET]

        (done,), _ = act(session, audit, [row], "modify", noncurrent_days=90)

        after = _rules(s3)
    assert done.status is Status.DONE, done.message
    assert after == [ABORT, _expire(90)]
    assert done.message.endswith(f"{NONCURRENT_RULE_ID} (expires noncurrent versions after 90 days)")


# --- refusals: nothing written --------------------------------------------------------------------


def test_a_bucket_with_both_rules_is_refused(audit: AuditLog) -> None:
    own = [
        {**ABORT, "ID": "abort-uploads"},
        {**_expire(60), "ID": "old-versions", "Filter": {}},
    ]
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", rules=own)
        before = _rules(s3)
        row = scanned(session, "s3:bucket")[BUCKET]

        (refused,), _ = act(session, audit, [row], "modify")

        assert _rules(s3) == before
    _refused_with_nothing_written(
        audit,
        refused,
        "it has both rules already: abort-uploads aborts incomplete uploads and old-versions expires noncurrent "
        "versions, each for the whole bucket",
    )


def test_an_unversioned_bucket_with_a_whole_bucket_abort_rule_is_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(rules=[{**ABORT, "ID": "abort-uploads"}])
        row = scanned(session, "s3:bucket")[BUCKET]

        (refused,), _ = act(session, audit, [row], "modify")

        assert [r["ID"] for r in _rules(s3)] == ["abort-uploads"]
    _refused_with_nothing_written(
        audit,
        refused,
        "it has the rule it needs already: abort-uploads aborts incomplete uploads for the whole bucket, and "
        "versioning is Disabled, so there are no noncurrent versions to expire",
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [("AccessDenied", "Access Denied"), ("InternalError", "We encountered an internal error.")],
)
def test_a_configuration_that_cannot_be_read_is_refused_and_never_written(
    audit: AuditLog, code: str, message: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", rules=copy.deepcopy(OWN_RULES))
        row = scanned(session, "s3:bucket")[BUCKET]
        session = helpers.moto_session()  # a fresh one: its clients take the recording hook
        calls = helpers.record_calls(session)
        on_call(session, "s3", REGION, "GetBucketLifecycleConfiguration", lambda **_: error_response(code, message))

        (refused,), _ = act(session, audit, [row], "modify")

        assert len(_rules(s3)) == len(OWN_RULES)
    _refused_with_nothing_written(
        audit,
        refused,
        f"cannot read its lifecycle configuration ({code}: {message}): tracker-tui never writes one it cannot "
        "merge with",
    )
    assert refused.code == code
    assert helpers.named(calls, "s3.PutBucketLifecycleConfiguration") == []


@pytest.mark.parametrize(
    ("taken", "why"),
    [
        ({**ABORT, "Status": "Disabled"}, "status Disabled"),
        (
            {"ID": ABORT_RULE_ID, "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 9}},
            "a filter narrows it to part of the bucket, no AbortIncompleteMultipartUpload",
        ),
    ],
    ids=["disabled", "something-else"],
)
def test_an_id_taken_by_a_rule_that_does_something_else_is_refused_not_overwritten(
    audit: AuditLog, taken: dict[str, Any], why: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", rules=[taken])
        before = _rules(s3)
        row = scanned(session, "s3:bucket")[BUCKET]

        (refused,), _ = act(session, audit, [row], "modify")

        assert _rules(s3) == before
    _refused_with_nothing_written(
        audit,
        refused,
        f"a rule with ID {ABORT_RULE_ID} is there already and does something else ({why}); tracker-tui never "
        "overwrites a rule: rename or remove it first",
    )


def test_the_noncurrent_rules_id_taken_is_refused_too(audit: AuditLog) -> None:
    taken = {**_expire(), "Filter": {"Prefix": "old/"}}
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", rules=[{**ABORT, "ID": "abort-uploads"}, taken])
        before = _rules(s3)
        row = scanned(session, "s3:bucket")[BUCKET]

        (refused,), _ = act(session, audit, [row], "modify")

        assert _rules(s3) == before
    _refused_with_nothing_written(
        audit,
        refused,
        f"a rule with ID {NONCURRENT_RULE_ID} is there already and does something else (a filter narrows it to "
        "part of the bucket); tracker-tui never overwrites a rule: rename or remove it first",
    )


def _many_rules(count: int) -> list[dict[str, Any]]:
    return [
        {"ID": f"expire-{i}", "Filter": {"Prefix": f"p{i}/"}, "Status": "Enabled", "Expiration": {"Days": 30}}
        for i in range(count)
    ]


@pytest.mark.parametrize("versioning", [None, "Enabled"])
def test_aws_takes_at_most_1000_rules_in_a_configuration(audit: AuditLog, versioning: str | None) -> None:
    """999 rules: one more is the 1,000th (done); two more would be 1,001 (refused)."""
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning=versioning, rules=_many_rules(MAX_LIFECYCLE_RULES - 1), upload=False)
        row = scanned(session, "s3:bucket")[BUCKET]

        (final,), _ = act(session, audit, [row], "modify")

        after = _rules(s3)
    if versioning is None:
        assert final.status is Status.DONE, final.message
        assert len(after) == MAX_LIFECYCLE_RULES and after[-1] == ABORT
    else:
        _refused_with_nothing_written(
            audit,
            final,
            "it has 999 lifecycle rules: adding 2 would pass the 1,000 AWS takes in one configuration",
        )
        assert len(after) == MAX_LIFECYCLE_RULES - 1


def test_a_protected_bucket_is_refused(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled")
        s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "Do-Not-Delete", "Value": "yes"}]})
        row = scanned(session, "s3:bucket")[BUCKET]

        (refused,), _ = act(session, audit, [row], "modify")

        assert s3.list_buckets()["Buckets"] and _no_configuration(s3)
    _refused_with_nothing_written(audit, refused, "tag Do-Not-Delete is set")


def _no_configuration(s3: Any) -> bool:
    try:
        s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)
    except s3.exceptions.ClientError as exc:
        return bool(exc.response["Error"]["Code"] == "NoSuchLifecycleConfiguration")
    return False


@pytest.mark.parametrize(
    ("operation", "what"),
    [("GetBucketTagging", "tags"), ("GetBucketVersioning", "versioning")],
)
def test_tags_or_versioning_that_cannot_be_read_refuse_without_checking(
    audit: AuditLog, operation: str, what: str
) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled")
        row = scanned(session, "s3:bucket")[BUCKET]
        on_call(session, "s3", REGION, operation, lambda **_: error_response("AccessDenied", "Access Denied", 403))

        (refused,), _ = act(session, audit, [row], "modify")

        assert _no_configuration(s3)
    _refused_with_nothing_written(
        audit, refused, f"cannot read its {what} (AccessDenied: Access Denied); refusing without checking"
    )


def test_a_bucket_that_answers_403_as_the_accounts_is_refused(audit: AuditLog) -> None:
    """S3 answers HeadBucket 403 when ExpectedBucketOwner is not the owner: the name may have been
    deleted and taken by another account since the scan."""
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled")
        row = scanned(session, "s3:bucket")[BUCKET]
        asked: list[dict[str, Any]] = []

        def not_yours(params: dict[str, Any], **_: Any) -> Any:
            asked.append(params)
            return error_response("403", "Forbidden", 403)

        on_call(session, "s3", REGION, "HeadBucket", not_yours)

        (refused,), _ = act(session, audit, [row], "modify")

        assert _no_configuration(s3)
    _refused_with_nothing_written(
        audit,
        refused,
        f"it does not answer as a bucket of account {ACCOUNT} (403: Forbidden): another account may own it now "
        "(ExpectedBucketOwner), or reading it is denied",
    )
    assert [p["headers"].get("x-amz-expected-bucket-owner") for p in asked] == [ACCOUNT]


def test_every_call_names_the_account_as_the_buckets_owner(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _bucket(versioning="Enabled")
        row = scanned(session, "s3:bucket")[BUCKET]
        session = helpers.moto_session()  # a fresh one: its clients take the recording hook
        calls = helpers.record_calls(session)

        (done,), _ = act(session, audit, [row], "modify")

    assert done.status is Status.DONE, done.message
    s3_calls = [(name, params) for name, params in calls if name.startswith("s3.")]
    # The handler's calls, then the row re-read through the scan's lister (from its ListBuckets).
    cut = [name for name, _ in s3_calls].index("s3.ListBuckets")
    handler, lister = s3_calls[:cut], s3_calls[cut:]
    assert [name for name, _ in handler] == [
        "s3.HeadBucket",
        "s3.GetBucketTagging",
        "s3.GetBucketVersioning",
        "s3.GetBucketLifecycleConfiguration",
        "s3.PutBucketLifecycleConfiguration",
        "s3.GetBucketLifecycleConfiguration",  # verifying
    ]
    assert [params.get("ExpectedBucketOwner") for _, params in handler] == [ACCOUNT] * len(handler)
    # Narrowed to the bucket by name: the lister reads no other bucket.
    assert lister[0][1] == {"Prefix": BUCKET}
    assert {params.get("Bucket") for _, params in lister[1:]} == {BUCKET}


def test_a_bucket_deleted_since_the_scan_is_refused_as_gone(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(upload=False)
        row = scanned(session, "s3:bucket")[BUCKET]
        s3.delete_bucket(Bucket=BUCKET)

        (refused,), _ = act(session, audit, [row], "modify")

    assert (refused.status, refused.message, refused.deleted) == (
        Status.REFUSED,
        "the bucket no longer exists (deleted since the scan)",
        True,
    )
    assert audit.tail(10) == []


def test_a_bucket_whose_region_is_unknown_is_refused(audit: AuditLog) -> None:
    row = Resource(kind="s3:bucket", id=BUCKET, account_id=ACCOUNT, region="unknown")
    with mock_aws():
        session = helpers.moto_session()
        _bucket(upload=False)

        (refused,), _ = act(session, audit, [row], "modify")

    assert (refused.status, refused.message) == (
        Status.REFUSED,
        "the bucket's region is unknown; rescan before changing its lifecycle rules",
    )
    assert audit.tail(10) == []


@pytest.mark.parametrize("days", [0, 36501, -30, True])
def test_a_noncurrent_days_outside_the_range_is_refused_without_a_call(audit: AuditLog, days: int) -> None:
    """The config file keeps a bad value out; options built by other code are held to it too."""
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled")
        row = scanned(session, "s3:bucket")[BUCKET]

        (refused,), _ = act(session, audit, [row], "modify", noncurrent_days=days)

        assert _no_configuration(s3)
    _refused_with_nothing_written(
        audit, refused, f"noncurrent_days {days!r} is not a whole number of days from 1 to 36500"
    )


@pytest.mark.parametrize("days", [1, 36500])
def test_noncurrent_days_at_the_ends_of_the_range_are_taken(audit: AuditLog, days: int) -> None:
    with mock_aws():
        session = helpers.moto_session()
        s3 = _bucket(versioning="Enabled", upload=False)
        row = scanned(session, "s3:bucket")[BUCKET]

        (done,), _ = act(session, audit, [row], "modify", noncurrent_days=days)

        assert _rules(s3) == [ABORT, _expire(days)]
    assert done.status is Status.DONE, done.message


# --- verification ----------------------------------------------------------------------------------


def test_a_rule_it_had_that_does_not_read_back_unchanged_fails_the_row(audit: AuditLog) -> None:
    """What a write that dropped or changed a rule would look like: the read-back is made to lack it."""
    with mock_aws():
        session = helpers.moto_session()
        _bucket(versioning="Enabled", rules=copy.deepcopy(OWN_RULES[:2]))
        row = scanned(session, "s3:bucket")[BUCKET]
        written = {"yes": False}

        def acted(http_response: Any, **_: Any) -> None:
            written["yes"] = written["yes"] or http_response.status_code < 300

        def change(parsed: dict[str, Any], **_: Any) -> None:
            if written["yes"]:
                parsed["Rules"] = [r for r in parsed.get("Rules", []) if r.get("ID") != "legacy-tmp"]
                parsed["Rules"][0]["Expiration"] = {"Days": 30}

        client = session.client("s3", REGION)
        client.meta.events.register("after-call.s3.PutBucketLifecycleConfiguration", acted)
        client.meta.events.register("after-call.s3.GetBucketLifecycleConfiguration", change)

        (failed,), _ = act(session, audit, [row], "modify", verify_timeout=0.2, poll_interval=0.01)

    assert (failed.status, failed.code) == (Status.FAILED, "VerifyTimeout")
    assert failed.message == (
        "asked AWS to modify it, but it was not holding the new rules beside every rule it had within 0.2 s "
        "(state: rule archive-logs changed or gone; rule legacy-tmp changed or gone); rescan to check"
    )
    assert failed.result is None


def test_a_new_rule_that_reads_back_otherwise_fails_the_row(audit: AuditLog) -> None:
    with mock_aws():
        session = helpers.moto_session()
        _bucket(versioning="Enabled")
        row = scanned(session, "s3:bucket")[BUCKET]

        def disabled(parsed: dict[str, Any], **_: Any) -> None:
            for rule in parsed.get("Rules", []):
                if rule.get("ID") == NONCURRENT_RULE_ID:
                    rule["Status"] = "Disabled"

        session.client("s3", REGION).meta.events.register("after-call.s3.GetBucketLifecycleConfiguration", disabled)

        (failed,), _ = act(session, audit, [row], "modify", verify_timeout=0.2, poll_interval=0.01)

    assert (failed.status, failed.code) == (Status.FAILED, "VerifyTimeout")
    assert f"(state: rule {NONCURRENT_RULE_ID} not as written (status Disabled)); " in failed.message


def test_a_changed_default_minimum_object_size_fails_the_row(audit: AuditLog) -> None:
    """The read said one size and the write passed it back; a read-back saying another is not the merge."""
    with mock_aws():
        session = helpers.moto_session()
        _bucket(versioning="Enabled", rules=copy.deepcopy(OWN_RULES[:1]))
        row = scanned(session, "s3:bucket")[BUCKET]
        written = {"yes": False}

        def acted(http_response: Any, **_: Any) -> None:
            written["yes"] = written["yes"] or http_response.status_code < 300

        def size(parsed: dict[str, Any], **_: Any) -> None:
            if not written["yes"] and "Rules" in parsed:
                parsed["TransitionDefaultMinimumObjectSize"] = "varies_by_storage_class"

        client = session.client("s3", REGION)
        client.meta.events.register("after-call.s3.PutBucketLifecycleConfiguration", acted)
        client.meta.events.register("after-call.s3.GetBucketLifecycleConfiguration", size)

        (failed,), _ = act(session, audit, [row], "modify", verify_timeout=0.2, poll_interval=0.01)

    assert failed.status is Status.FAILED
    assert (
        "(state: TransitionDefaultMinimumObjectSize all_storage_classes_128K (was varies_by_storage_class)); "
        in failed.message
    )


# --- what the dialog says --------------------------------------------------------------------------


def _row(versioning: str | None, rules: int | str = 0, findings: tuple[Finding, ...] = ()) -> Resource:
    details: dict[str, Any] = {"versioning": versioning, "lifecycle_rules": rules}
    return Resource(kind="s3:bucket", id=BUCKET, account_id=ACCOUNT, region=REGION, details=details, findings=findings)


UNDO_AND_SAVING = (
    "no downtime; undo: remove the rule by its ID from the bucket's lifecycle configuration (what AWS deleted "
    "stays deleted); saving unknown: the scan cannot measure the bytes unfinished uploads and noncurrent "
    "versions hold (S3 Storage Lens would)"
)
ABORT_TEXT = f"{ABORT_RULE_ID}: AWS then deletes the parts of uploads not completed within 7 days"


def test_the_dialog_says_what_is_added_kept_deleted_for_good_and_how_to_undo() -> None:
    (planned,) = plan([_row("Enabled", rules=2)], "modify", ActionOptions(noncurrent_days=45))

    assert (planned.action, planned.saving) == ("modify", None)
    assert planned.note == (
        f"adds, unless an enabled whole-bucket rule does it already, {ABORT_TEXT}; {NONCURRENT_RULE_ID}: AWS "
        "then deletes noncurrent versions 45 days after they become noncurrent: that data is gone for good; "
        f"keeps the 2 rules it has, as they are; {UNDO_AND_SAVING}"
    )
    # Versions are deleted for good: even one row is confirmed with the account's name typed.
    assert needs_typed_name([planned])


@pytest.mark.parametrize(
    ("versioning", "rules", "middle"),
    [
        ("Disabled", 0, f"{ABORT_TEXT} (versioning is off: no noncurrent versions to expire); it has no rules now"),
        (
            "unknown",
            1,
            f"{ABORT_TEXT}; if versioning is on, {NONCURRENT_RULE_ID}: AWS then deletes noncurrent versions 30 "
            "days after they become noncurrent: that data is gone for good; keeps the 1 rule it has, as they are",
        ),
        (
            "Suspended",
            "unknown",
            f"{ABORT_TEXT}; {NONCURRENT_RULE_ID}: AWS then deletes noncurrent versions 30 days after they become "
            "noncurrent: that data is gone for good; its lifecycle configuration is read again first (the scan "
            "could not), and refused if it cannot be",
        ),
    ],
)
def test_the_dialog_says_what_it_knows_of_the_buckets_versioning_and_rules(
    versioning: str, rules: int | str, middle: str
) -> None:
    (planned,) = plan([_row(versioning, rules)], "modify")

    assert planned.note == f"adds, unless an enabled whole-bucket rule does it already, {middle}; {UNDO_AND_SAVING}"
    assert needs_typed_name([planned])  # the abort rule alone takes the same spec: typed too


def test_the_saving_is_the_findings_which_the_scan_cannot_measure() -> None:
    unknown = (Finding(INCOMPLETE, None, "..."), Finding(NONCURRENT, None, "..."))
    (planned,) = plan([_row("Enabled", findings=unknown)], "modify")
    assert planned.saving is None

    # Should the findings ever be measured, the dialog says what they say (both: two billed things).
    measured = (Finding(INCOMPLETE, 1.25, "..."), Finding(NONCURRENT, 3.5, "..."), Finding("other", 100.0, "..."))
    (planned,) = plan([_row("Enabled", findings=measured)], "modify")
    assert planned.saving == 4.75
    assert planned.note.endswith("saves $4.75/mo")
    (planned,) = plan([_row("Enabled", findings=(measured[0], unknown[1]))], "modify")
    assert planned.saving is None


def test_the_scans_findings_name_the_fix_and_their_saving_is_the_dialogs() -> None:
    with mock_aws():
        session = helpers.moto_session()
        _bucket(versioning="Enabled")
        row = scanned(session, "s3:bucket")[BUCKET]

    findings = {f.id: f for f in row.findings}
    assert {findings[INCOMPLETE].action, findings[NONCURRENT].action} == {"modify"}
    assert "s3-no-lifecycle" not in findings or findings["s3-no-lifecycle"].action is None
    (planned,) = plan([row], "modify")
    assert planned.saving is None is findings[INCOMPLETE].monthly_saving is findings[NONCURRENT].monthly_saving


# --- the config file --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "36501", "-1", "true", '"30"', "30.0", "[30]"])
def test_a_noncurrent_days_out_of_range_is_reported_once_and_the_default_used(tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"noncurrent_days = {value}\n")

    settings = load_settings(path)

    assert settings.noncurrent_days == DEFAULT_NONCURRENT_DAYS == 30
    (warning,) = settings.warnings
    assert warning == (
        f"config {path}: 'noncurrent_days' must be a whole number of days from 1 to 36500, "
        f"not {tomllib.loads(f'v = {value}')['v']!r}; using 30"
    )


@pytest.mark.parametrize("days", [1, 30, 90, 36500])
def test_a_noncurrent_days_in_range_is_taken(tmp_path: Path, days: int) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"noncurrent_days = {days}\n")

    settings = load_settings(path)

    assert (settings.noncurrent_days, settings.warnings) == (days, ())


# --- in the app ---------------------------------------------------------------------------------------


def run_app(check: Callable[[TrackerApp, Pilot[Any], Any], Awaitable[None]], **kw: Any) -> None:
    with mock_aws():
        s3 = _bucket(versioning="Enabled")

        async def go() -> None:
            session = helpers.moto_session()
            source = LiveSource(lambda: session, resolve_kinds(["s3:bucket"]), [REGION])
            app = TrackerApp(source, monotonic=lambda: 0.0, **kw)
            async with app.run_test(size=(120, 36)) as pilot:
                await wait_until(pilot, scan_done(app))
                await filter_rows(pilot, BUCKET)
                await check(app, pilot, s3)

        asyncio.run(go())


def test_m_on_a_bucket_needs_the_account_typed_and_adds_the_configs_rules() -> None:
    async def check(app: TrackerApp, pilot: Pilot[Any], s3: Any) -> None:
        row = app.table.cursor_resource
        assert row is not None and row.id == BUCKET and {INCOMPLETE, NONCURRENT} <= _ids(row)
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        assert screen.typed and screen.word == ACCOUNT  # one row, yet typed: versions are deleted
        (planned,) = screen.acting
        assert "deletes noncurrent versions 45 days after they become noncurrent" in planned.note
        await pilot.press("y")  # not enough: y goes into the box
        await pilot.pause()
        assert isinstance(app.screen, ConfirmActionScreen) and _no_configuration(s3)
        app.screen.query_one("#confirm-input", Input).value = ""
        await pilot.press(*ACCOUNT, "enter")
        await pilot.pause()
        progress = app.screen
        assert isinstance(progress, ActionProgressScreen)
        await wait_until(pilot, actions_done(app))
        (update,) = progress.latest.values()
        assert update.status is Status.DONE, update.message
        await pilot.press("escape")
        await pilot.pause()

        assert _rules(s3) == [ABORT, _expire(45)]
        after = next(r for r in app.table.resources if r.id == BUCKET)
        assert not _ids(after) & {INCOMPLETE, NONCURRENT}

    run_app(check, settings=Settings(noncurrent_days=45))
