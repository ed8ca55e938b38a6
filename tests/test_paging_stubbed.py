"""Pagination past the first page, through the real listers, with botocore's Stubber.

moto ignores the page size of these list APIs (or truncates without a token), so the moto
tests can only check that the page-size parameter is sent.  Here every page is stubbed
with the continuation token botocore's paginator config names for the operation
(``paginators-1.json``), each request after the first must carry the token the previous
response returned, and the lister must yield exactly the union of all pages with every
stubbed response consumed.  A lister that stopped after page one fails both checks.

No request leaves the process: the credentials are dummies, Stubber answers every call
before it is sent, and a ``before-send`` hook on the session fails the test if one ever
gets that far (an unstubbed client, say).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from tests.support.stubs import ACCOUNT, CREATED, CREATED_ISO, HOME, Stubs, collect
from tracker_tui.aws.kinds.awslambda import list_functions
from tracker_tui.aws.kinds.ec2_nat_gateway import list_nat_gateways
from tracker_tui.aws.kinds.ec2_volume import list_volumes
from tracker_tui.aws.kinds.iam import list_users
from tracker_tui.aws.kinds.s3 import list_buckets
from tracker_tui.model import GLOBAL_REGION

OWNER = {"DisplayName": "acme-ops", "ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    made = Stubs()
    yield made
    made.deactivate()


# --- S3 ListBuckets: ContinuationToken in, ContinuationToken out -------------------------


def bucket(name: str, region: str | None = None) -> dict[str, Any]:
    """A ListBuckets entry (BucketRegion absent: the lister must ask GetBucketLocation)."""
    entry: dict[str, Any] = {"Name": name, "CreationDate": CREATED}
    if region is not None:
        entry["BucketRegion"] = region
    return entry


def metric_queries(names: Sequence[str]) -> list[dict[str, Any]]:
    """The GetMetricData queries the S3 lister sends for one region's buckets."""
    return [
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


def metric_result(query_id: str, value: float) -> dict[str, Any]:
    return {
        "Id": query_id,
        "Label": query_id,
        "Timestamps": [datetime(2024, 3, 4, tzinfo=UTC)],
        "Values": [value],
        "StatusCode": "Complete",
    }


def expect_metrics(
    stubber: Stubber,
    names: Sequence[str],
    results: list[dict[str, Any]],
    *,
    token_in: str | None = None,
    token_out: str | None = None,
) -> None:
    params: dict[str, Any] = {
        "MetricDataQueries": metric_queries(names),
        "StartTime": ANY,
        "EndTime": ANY,
        "ScanBy": "TimestampDescending",
    }
    if token_in is not None:
        params["NextToken"] = token_in
    reply: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if token_out is not None:
        reply["NextToken"] = token_out
    stubber.add_response("get_metric_data", reply, params)


def tidy(stubber: Stubber, name: str) -> None:
    """A bucket's hygiene reads, after its tags: a rule aborts its uploads (so they are not
    listed) and versioning was never enabled (so its versions are not either)."""
    abort = {"DaysAfterInitiation": 7}
    rule = {"ID": "abort", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": abort}
    stubber.add_response("get_bucket_lifecycle_configuration", {"Rules": [rule]}, {"Bucket": name})
    stubber.add_response("get_bucket_versioning", {}, {"Bucket": name})


def test_s3_list_buckets_follows_continuation_token(stubs: Stubs) -> None:
    s3_home, s3_eu = stubs("s3", HOME), stubs("s3", "eu-west-1")
    cw_home, cw_eu = stubs("cloudwatch", HOME), stubs("cloudwatch", "eu-west-1")

    # Page 1: one bucket whose region ListBuckets reports, one that needs GetBucketLocation.
    s3_home.add_response(
        "list_buckets",
        {
            "Buckets": [bucket("acme-web-assets", HOME), bucket("acme-eu-logs")],
            "Owner": OWNER,
            "ContinuationToken": "page-2-token",
        },
        {"MaxBuckets": 2},
    )
    s3_home.add_response(
        "get_bucket_tagging", {"TagSet": [{"Key": "team", "Value": "web"}]}, {"Bucket": "acme-web-assets"}
    )
    tidy(s3_home, "acme-web-assets")
    s3_home.add_response("get_bucket_location", {"LocationConstraint": "EU"}, {"Bucket": "acme-eu-logs"})
    s3_eu.add_client_error(
        "get_bucket_tagging",
        service_error_code="NoSuchTagSet",
        service_message="The TagSet does not exist",
        http_status_code=404,
        expected_params={"Bucket": "acme-eu-logs"},
    )
    tidy(s3_eu, "acme-eu-logs")
    expect_metrics(cw_home, ["acme-web-assets"], [metric_result("size0", 5_000_000.0), metric_result("objects0", 42.0)])
    # GetMetricData pages too (NextToken): the object count only comes on its second page.
    expect_metrics(cw_eu, ["acme-eu-logs"], [metric_result("size0", 7_000.0)], token_out="metrics-page-2")
    expect_metrics(cw_eu, ["acme-eu-logs"], [metric_result("objects0", 3.0)], token_in="metrics-page-2")

    # Page 2: a bucket in eu-west-1, and one in us-east-1 (GetBucketLocation answers null).
    s3_home.add_response(
        "list_buckets",
        {
            "Buckets": [bucket("acme-eu-backups", "eu-west-1"), bucket("acme-billing")],
            "Owner": OWNER,
            "ContinuationToken": "page-3-token",
        },
        {"MaxBuckets": 2, "ContinuationToken": "page-2-token"},
    )
    s3_eu.add_response(
        "get_bucket_tagging", {"TagSet": [{"Key": "backup", "Value": "daily"}]}, {"Bucket": "acme-eu-backups"}
    )
    tidy(s3_eu, "acme-eu-backups")
    s3_home.add_response("get_bucket_location", {}, {"Bucket": "acme-billing"})
    s3_home.add_response("get_bucket_tagging", {"TagSet": []}, {"Bucket": "acme-billing"})
    tidy(s3_home, "acme-billing")
    expect_metrics(cw_eu, ["acme-eu-backups"], [metric_result("size0", 1_000.0), metric_result("objects0", 1.0)])
    expect_metrics(cw_home, ["acme-billing"], [])  # new bucket: CloudWatch reports nothing yet

    # Page 3 (last, no token): one bucket outside the scanned regions (dropped, no calls), one kept.
    s3_home.add_response(
        "list_buckets",
        {"Buckets": [bucket("acme-sydney", "ap-southeast-2"), bucket("acme-archive", HOME)], "Owner": OWNER},
        {"MaxBuckets": 2, "ContinuationToken": "page-3-token"},
    )
    s3_home.add_response(
        "get_bucket_tagging", {"TagSet": [{"Key": "tier", "Value": "cold"}]}, {"Bucket": "acme-archive"}
    )
    tidy(s3_home, "acme-archive")
    expect_metrics(cw_home, ["acme-archive"], [metric_result("size0", 9e9), metric_result("objects0", 12.0)])

    ctx = stubs.context(GLOBAL_REGION, [HOME, "eu-west-1"], page_size=2)
    found = collect(list_buckets(ctx))

    stubs.assert_no_pending_responses()
    assert {
        name: (r.region, dict(r.tags), r.details["size_bytes"], r.details["object_count"], r.created, r.arn)
        for name, r in found.items()
    } == {
        "acme-web-assets": (HOME, {"team": "web"}, 5_000_000, 42, CREATED_ISO, "arn:aws:s3:::acme-web-assets"),
        "acme-eu-logs": ("eu-west-1", {}, 7_000, 3, CREATED_ISO, "arn:aws:s3:::acme-eu-logs"),
        "acme-eu-backups": ("eu-west-1", {"backup": "daily"}, 1_000, 1, CREATED_ISO, "arn:aws:s3:::acme-eu-backups"),
        "acme-billing": (HOME, {}, None, None, CREATED_ISO, "arn:aws:s3:::acme-billing"),
        "acme-archive": (HOME, {"tier": "cold"}, 9_000_000_000, 12, CREATED_ISO, "arn:aws:s3:::acme-archive"),
    }
    assert all(r.kind == "s3:bucket" and r.account_id == ACCOUNT for r in found.values())


# --- EC2 DescribeVolumes: NextToken ------------------------------------------------------


def volume(volume_id: str, size: int, state: str, volume_type: str, instance_id: str | None = None) -> dict[str, Any]:
    attachments = (
        [
            {
                "AttachTime": CREATED,
                "Device": "/dev/xvda",
                "InstanceId": instance_id,
                "State": "attached",
                "VolumeId": volume_id,
                "DeleteOnTermination": True,
            }
        ]
        if instance_id
        else []
    )
    return {
        "VolumeId": volume_id,
        "Size": size,
        "SnapshotId": "",
        "AvailabilityZone": "eu-west-1a",
        "State": state,
        "CreateTime": CREATED,
        "Attachments": attachments,
        "Encrypted": True,
        "VolumeType": volume_type,
        "Iops": 3000,
        "Throughput": 125,
        "MultiAttachEnabled": False,
        "Tags": [{"Key": "Name", "Value": f"data-{volume_id[-4:]}"}],
    }


def test_ec2_describe_volumes_follows_next_token(stubs: Stubs) -> None:
    ec2 = stubs("ec2", "eu-west-1")
    ec2.add_response(
        "describe_volumes",
        {
            "Volumes": [
                volume("vol-0a1b2c3d4e5f60001", 8, "in-use", "gp3", "i-0123456789abcdef0"),
                volume("vol-0a1b2c3d4e5f60002", 100, "available", "gp3"),
            ],
            "NextToken": "volumes-page-2",
        },
        {"MaxResults": 5},
    )
    ec2.add_response(
        "describe_volumes",
        {"Volumes": [volume("vol-0a1b2c3d4e5f60003", 500, "available", "st1")]},
        {"MaxResults": 5, "NextToken": "volumes-page-2"},
    )

    found = collect(list_volumes(stubs.context("eu-west-1", ["eu-west-1"], page_size=5)))

    ec2.assert_no_pending_responses()
    assert {
        vid: (r.state, r.details["size_gib"], r.details["volume_type"], r.details["attached"], r.region)
        for vid, r in found.items()
    } == {
        "vol-0a1b2c3d4e5f60001": ("in-use", 8, "gp3", True, "eu-west-1"),
        "vol-0a1b2c3d4e5f60002": ("available", 100, "gp3", False, "eu-west-1"),
        "vol-0a1b2c3d4e5f60003": ("available", 500, "st1", False, "eu-west-1"),
    }
    assert found["vol-0a1b2c3d4e5f60003"].arn == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:volume/vol-0a1b2c3d4e5f60003"
    assert found["vol-0a1b2c3d4e5f60003"].name == "data-0003"


# --- Lambda ListFunctions: Marker in, NextMarker out --------------------------------------


def function(name: str, runtime: str | None, memory: int, region: str = "ap-south-1") -> dict[str, Any]:
    fn: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}",
        "Role": f"arn:aws:iam::{ACCOUNT}:role/{name}-role",
        "CodeSize": 1024 * memory,
        "Description": "",
        "Timeout": 30,
        "MemorySize": memory,
        "LastModified": "2024-03-01T09:30:00.000+0000",
        "CodeSha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": "5e4ee4a4-0c5c-4bf5-9f2b-1d0f4e7e6a11",
        "PackageType": "Zip" if runtime else "Image",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
    }
    if runtime:
        fn["Runtime"] = runtime
        fn["Handler"] = "app.handler"
    return fn


def test_lambda_list_functions_follows_next_marker(stubs: Stubs) -> None:
    lam = stubs("lambda", "ap-south-1")
    lam.add_response(
        "list_functions",
        {
            "Functions": [function("orders-api", "python3.12", 256), function("thumbnailer", None, 2048)],
            "NextMarker": "functions-page-2",
        },
        {"MaxItems": 2},
    )
    lam.add_response(
        "list_functions",
        {"Functions": [function("nightly-report", "nodejs20.x", 128)]},
        {"MaxItems": 2, "Marker": "functions-page-2"},
    )

    found = collect(list_functions(stubs.context("ap-south-1", ["ap-south-1"], page_size=2)))

    lam.assert_no_pending_responses()
    assert {name: (r.details["runtime"], r.details["memory_mb"], r.region, r.arn) for name, r in found.items()} == {
        "orders-api": ("python3.12", 256, "ap-south-1", f"arn:aws:lambda:ap-south-1:{ACCOUNT}:function:orders-api"),
        "thumbnailer": ("Image", 2048, "ap-south-1", f"arn:aws:lambda:ap-south-1:{ACCOUNT}:function:thumbnailer"),
        "nightly-report": (
            "nodejs20.x",
            128,
            "ap-south-1",
            f"arn:aws:lambda:ap-south-1:{ACCOUNT}:function:nightly-report",
        ),
    }


# --- EC2 DescribeNatGateways: NextToken (MaxResults at least 5) ---------------------------


NAT_FILTER = [{"Name": "state", "Values": ["pending", "available", "deleting", "failed"]}]


def nat_gateway(nat_id: str, state: str, public_ip: str, allocation_id: str) -> dict[str, Any]:
    return {
        "CreateTime": CREATED,
        "NatGatewayAddresses": [
            {
                "AllocationId": allocation_id,
                "NetworkInterfaceId": f"eni-{nat_id[-8:]}",
                "PrivateIp": "10.0.1.10",
                "PublicIp": public_ip,
                "IsPrimary": True,
                "Status": "succeeded",
            }
        ],
        "NatGatewayId": nat_id,
        "State": state,
        "SubnetId": "subnet-0abc1234def567890",
        "VpcId": "vpc-0abc1234def567890",
        "Tags": [{"Key": "Name", "Value": f"nat-{nat_id[-4:]}"}],
        "ConnectivityType": "public",
    }


def test_ec2_describe_nat_gateways_follows_next_token(stubs: Stubs) -> None:
    ec2 = stubs("ec2", "us-west-2")
    ec2.add_response(
        "describe_nat_gateways",
        {
            "NatGateways": [
                nat_gateway("nat-0aaaaaaaaaaaa0001", "available", "203.0.113.10", "eipalloc-0aaaaaaaaaaaa0001"),
                nat_gateway("nat-0aaaaaaaaaaaa0002", "pending", "203.0.113.11", "eipalloc-0aaaaaaaaaaaa0002"),
            ],
            "NextToken": "nat-page-2",
        },
        {"Filter": NAT_FILTER, "MaxResults": 5},
    )
    ec2.add_response(
        "describe_nat_gateways",
        {
            "NatGateways": [
                nat_gateway("nat-0aaaaaaaaaaaa0003", "failed", "203.0.113.12", "eipalloc-0aaaaaaaaaaaa0003")
            ],
            "NextToken": "nat-page-3",
        },
        {"Filter": NAT_FILTER, "MaxResults": 5, "NextToken": "nat-page-2"},
    )
    # An empty last page still ends the listing cleanly.
    ec2.add_response(
        "describe_nat_gateways", {"NatGateways": []}, {"Filter": NAT_FILTER, "MaxResults": 5, "NextToken": "nat-page-3"}
    )

    # page_size 2 is below the API's minimum: the request must carry 5.
    found = collect(list_nat_gateways(stubs.context("us-west-2", ["us-west-2"], page_size=2)))

    ec2.assert_no_pending_responses()
    assert {nid: (r.state, r.details["public_ips"], r.region) for nid, r in found.items()} == {
        "nat-0aaaaaaaaaaaa0001": ("available", ["203.0.113.10"], "us-west-2"),
        "nat-0aaaaaaaaaaaa0002": ("pending", ["203.0.113.11"], "us-west-2"),
        "nat-0aaaaaaaaaaaa0003": ("failed", ["203.0.113.12"], "us-west-2"),
    }


# --- IAM: GetAccountAuthorizationDetails, and the ListUsers fallback (IsTruncated + Marker)


def user(name: str, number: int, **extra: Any) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "UserId": f"AIDAEXAMPLE{number:010d}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "CreateDate": CREATED,
        **extra,
    }


def test_iam_users_follow_authorization_details_marker(stubs: Stubs) -> None:
    iam = stubs("iam")
    empty: dict[str, list[Any]] = {"GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    iam.add_response(
        "get_account_authorization_details",
        {
            "UserDetailList": [
                user(
                    "alice",
                    1,
                    GroupList=["admins"],
                    Tags=[{"Key": "team", "Value": "platform"}],
                    UserPolicyList=[],
                    AttachedManagedPolicies=[
                        {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
                    ],
                ),
                user("bob", 2, GroupList=[], Tags=[]),
            ],
            **empty,
            "IsTruncated": True,
            "Marker": "gaad-page-2",
        },
        {"Filter": ["User"], "MaxItems": 2},
    )
    iam.add_response(
        "get_account_authorization_details",
        {
            "UserDetailList": [user("carol", 3, GroupList=[], Tags=[{"Key": "team", "Value": "data"}])],
            **empty,
            "IsTruncated": False,
        },
        {"Filter": ["User"], "MaxItems": 2, "Marker": "gaad-page-2"},
    )

    found = collect(list_users(stubs.context(GLOBAL_REGION, [HOME], page_size=2)))

    iam.assert_no_pending_responses()
    assert {name: (dict(r.tags), r.details["user_id"], r.region, r.arn) for name, r in found.items()} == {
        "alice": ({"team": "platform"}, "AIDAEXAMPLE0000000001", GLOBAL_REGION, f"arn:aws:iam::{ACCOUNT}:user/alice"),
        "bob": ({}, "AIDAEXAMPLE0000000002", GLOBAL_REGION, f"arn:aws:iam::{ACCOUNT}:user/bob"),
        "carol": ({"team": "data"}, "AIDAEXAMPLE0000000003", GLOBAL_REGION, f"arn:aws:iam::{ACCOUNT}:user/carol"),
    }
    assert found["alice"].details["attached_policies"] == 1


def test_iam_list_users_fallback_follows_marker(stubs: Stubs) -> None:
    iam = stubs("iam")
    iam.add_client_error(
        "get_account_authorization_details",
        service_error_code="AccessDenied",
        service_message=f"User: arn:aws:iam::{ACCOUNT}:user/scanner is not authorized to perform: "
        "iam:GetAccountAuthorizationDetails",
        http_status_code=403,
        expected_params={"Filter": ["User"], "MaxItems": 2},
    )
    iam.add_response(
        "list_users",
        {
            "Users": [user("alice", 1, PasswordLastUsed=CREATED), user("bob", 2)],
            "IsTruncated": True,
            "Marker": "users-page-2",
        },
        {"MaxItems": 2},
    )
    iam.add_response(
        "list_user_tags", {"Tags": [{"Key": "team", "Value": "platform"}], "IsTruncated": False}, {"UserName": "alice"}
    )
    iam.add_response("list_user_tags", {"Tags": [], "IsTruncated": False}, {"UserName": "bob"})
    iam.add_response(
        "list_users", {"Users": [user("carol", 3)], "IsTruncated": False}, {"MaxItems": 2, "Marker": "users-page-2"}
    )
    iam.add_response(
        "list_user_tags", {"Tags": [{"Key": "team", "Value": "data"}], "IsTruncated": False}, {"UserName": "carol"}
    )

    found = collect(list_users(stubs.context(GLOBAL_REGION, [HOME], page_size=2)))

    iam.assert_no_pending_responses()
    assert {name: (dict(r.tags), r.details["user_id"], r.created) for name, r in found.items()} == {
        "alice": ({"team": "platform"}, "AIDAEXAMPLE0000000001", CREATED_ISO),
        "bob": ({}, "AIDAEXAMPLE0000000002", CREATED_ISO),
        "carol": ({"team": "data"}, "AIDAEXAMPLE0000000003", CREATED_ISO),
    }
    assert found["alice"].details["password_last_used"] == CREATED_ISO
