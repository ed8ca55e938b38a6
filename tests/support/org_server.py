"""An Organization of 20 member accounts on the demo's moto server, for scans in worker processes.

Worker processes cannot see ``mock_aws`` (it patches the test's process only), so these
accounts live in a moto server (``python -m tracker_tui.demo --serve``, a child process on
loopback): ``CreateAccount`` for each member, then a few log groups, a volume (and the
role moto makes) in each, through ``AssumeRole`` into ``OrganizationAccountAccessRole``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace

import boto3

from tests.support.helpers import ROLE
from tracker_tui.demo import PendingDemo

MEMBERS = 20
KINDS = ("logs:log-group", "ec2:volume", "iam:role")
REGIONS = ("us-east-1", "eu-west-1")


@contextlib.contextmanager
def org_server() -> Iterator[SimpleNamespace]:
    """The demo's moto server (empty), an Organization of 20 members, a few resources in each."""
    demo = PendingDemo(0, seed=False).ready()
    endpoint = demo.endpoint_url
    try:
        base = boto3.Session(region_name="us-east-1")
        org = base.client("organizations", endpoint_url=endpoint)
        org.create_organization(FeatureSet="ALL")
        management = base.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
        members = []
        for i in range(MEMBERS):
            status = org.create_account(AccountName=f"team-{i:02d}", Email=f"team-{i:02d}@example.com")
            members.append(status["CreateAccountStatus"]["AccountId"])
        sts = base.client("sts", endpoint_url=endpoint)
        for i, account in enumerate([management, *members]):
            if account == management:
                session = base
            else:
                creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed")[
                    "Credentials"
                ]
                session = boto3.Session(
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                    region_name="us-east-1",
                )
            for region in REGIONS:
                logs = session.client("logs", endpoint_url=endpoint, region_name=region)
                for n in range(1 + i % 3):
                    logs.create_log_group(logGroupName=f"/team-{i:02d}/{region}/{n}")
            ec2 = session.client("ec2", endpoint_url=endpoint, region_name="us-east-1")
            ec2.create_volume(AvailabilityZone="us-east-1a", Size=10 + i, VolumeType="gp3")
        yield SimpleNamespace(endpoint=endpoint, management=management, members=members)
    finally:
        demo.stop()
