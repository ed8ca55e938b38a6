"""IAM users and roles against moto: global region, tags, one cell however many regions.

The scan reads users and roles with their tags from GetAccountAuthorizationDetails; where
that call is denied it falls back to ListUsers / ListRoles plus per-item tag calls, and both
paths are tested here.
"""

from __future__ import annotations

import boto3
from moto import mock_aws

from tests.support import helpers
from tests.support.helpers import named, record_calls
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import GLOBAL_REGION, iso_utc

ACCOUNT = "123456789012"


def deny_authorization_details(session: AwsSession) -> None:
    """Answer GetAccountAuthorizationDetails with AccessDenied (a policy without that action)."""

    def refuse(**_: object) -> object:
        error = {"Code": "AccessDenied", "Message": "not authorized to perform iam:GetAccountAuthorizationDetails"}
        return type("R", (), {"status_code": 403, "headers": {}})(), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    session.boto.events.register("before-call.iam.GetAccountAuthorizationDetails", refuse)
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
TRUST = '{"Version": "2012-10-17", "Statement": []}'


def test_users_are_global_with_tags_arn_and_created() -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        alice = iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "ops"}])["User"]
        iam.create_user(UserName="bob", Path="/contractors/")

        resources, collector = helpers.scan(["iam:user"], REGIONS)

    users = {r.id: r for r in resources}
    assert set(users) == {"alice", "bob"}
    for user in users.values():
        assert user.kind == "iam:user"
        assert user.region == GLOBAL_REGION
        assert user.account_id == ACCOUNT
        assert user.state == "active"
    assert users["alice"].arn == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert users["bob"].arn == f"arn:aws:iam::{ACCOUNT}:user/contractors/bob"
    assert users["alice"].tags == {"team": "ops"}
    assert users["bob"].tags == {}
    assert users["bob"].details["path"] == "/contractors/"
    assert users["alice"].created == iso_utc(alice["CreateDate"])
    # Global: one cell, not one per scanned region.
    assert [(r.cell.region, r.cell.kind) for r in collector.results] == [(GLOBAL_REGION, "iam:user")]


def test_roles_are_global_with_tags_and_service_linked_flag() -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        app = iam.create_role(
            RoleName="app",
            AssumeRolePolicyDocument=TRUST,
            Description="the app",
            Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "web"}],
        )["Role"]
        iam.create_role(RoleName="AWSServiceRoleForX", Path="/aws-service-role/x/", AssumeRolePolicyDocument=TRUST)

        resources, collector = helpers.scan(["iam:role"], REGIONS)

    roles = {r.id: r for r in resources}
    assert set(roles) == {"app", "AWSServiceRoleForX"}
    app_role = roles["app"]
    assert (app_role.kind, app_role.region, app_role.account_id) == ("iam:role", GLOBAL_REGION, ACCOUNT)
    assert app_role.arn == f"arn:aws:iam::{ACCOUNT}:role/app"
    assert app_role.tags == {"env": "prod", "owner": "web"}
    assert app_role.created == iso_utc(app["CreateDate"])
    assert app_role.details["service_linked"] is False
    assert app_role.details["attached_policies"] == 0
    assert roles["AWSServiceRoleForX"].details["service_linked"] is True
    assert roles["AWSServiceRoleForX"].tags == {}
    assert [(r.cell.region, r.cell.kind) for r in collector.results] == [(GLOBAL_REGION, "iam:role")]


def test_iam_is_scanned_once_across_regions_in_a_few_calls() -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="solo", Tags=[{"Key": "k", "Value": "v"}])
        iam.create_role(RoleName="solo-role", AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "r", "Value": "s"}])
        session = helpers.moto_session()
        calls = record_calls(session)

        resources, _ = helpers.scan(["iam:user", "iam:role"], REGIONS, session=session)

    assert sorted((r.kind, r.id, tuple(r.tags.items())) for r in resources) == [
        ("iam:role", "solo-role", (("r", "s"),)),
        ("iam:user", "solo", (("k", "v"),)),
    ]
    # One call per kind, tags included: no per-item tag calls.
    assert sorted(p["Filter"][0] for p in named(calls, "iam.GetAccountAuthorizationDetails")) == ["Role", "User"]
    assert not named(calls, "iam.ListUserTags") and not named(calls, "iam.ListRoleTags")


def test_denied_authorization_details_fall_back_to_list_calls_and_per_item_tags() -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="solo", Tags=[{"Key": "k", "Value": "v"}])
        iam.create_role(RoleName="solo-role", AssumeRolePolicyDocument=TRUST, Description="the role")
        session = helpers.moto_session()
        deny_authorization_details(session)
        calls = record_calls(session)

        resources, collector = helpers.scan(["iam:user", "iam:role"], REGIONS, session=session)

    assert all(r.status.value == "done" for r in collector.results)
    by_id = {r.id: r for r in resources}
    assert by_id["solo"].tags == {"k": "v"}
    assert by_id["solo-role"].details["description"] == "the role"
    assert len(named(calls, "iam.ListUsers")) == 1
    assert len(named(calls, "iam.ListRoles")) == 1
    assert named(calls, "iam.ListUserTags") == [{"UserName": "solo"}]
    assert named(calls, "iam.ListRoleTags") == [{"RoleName": "solo-role"}]


def test_roles_paginate_past_the_first_page() -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        names = [f"role-{i}" for i in range(5)]
        for name in names:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "n", "Value": name}])
        session = helpers.moto_session()
        deny_authorization_details(session)  # moto does not page GetAccountAuthorizationDetails
        calls = record_calls(session)

        resources, collector = helpers.scan(["iam:role"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    assert all(r.tags == {"n": r.id} for r in resources)
    list_calls = named(calls, "iam.ListRoles")
    assert len(list_calls) == 3  # 2 + 2 + 1
    assert all(params.get("MaxItems") == 2 for params in list_calls)
    assert collector.results[0].count == 5


def test_users_ask_for_pages_and_return_everything() -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        names = [f"user-{i}" for i in range(5)]
        for name in names:
            iam.create_user(UserName=name)
        session = helpers.moto_session()
        deny_authorization_details(session)
        calls = record_calls(session)

        resources, _ = helpers.scan(["iam:user"], session=session, page_size=2)

    assert sorted(r.id for r in resources) == names
    # We ask for pages of 2, but moto 5.2 ignores MaxItems on ListUsers and answers everything
    # in one page, so more than one request cannot be proven here (ListRoles, which moto pages,
    # proves the paging path above).
    list_calls = named(calls, "iam.ListUsers")
    assert list_calls
    assert all(params.get("MaxItems") == 2 for params in list_calls)
