"""Hostile text: what anyone allowed to tag, name or word an error can put in front of the operator.

``CORPUS`` is the strings (markup, terminal escapes, spreadsheet formulas, layout breakers,
very long and wide text, bracketed everyday names).  ``seed`` puts them in a moto account
as names, tag keys, tag values and (through a ``before-call`` answer, as AWS would send it)
an error message; ``hostile_scan`` scans that account with the real listers, so the rows the
screen tests use are what tracker-tui would make of such an account.

EC2 and S3 answer in XML, which cannot carry C0 control characters (a parser rejects them or
folds CR into LF), so they get the corpus less those; DynamoDB, Secrets Manager and
CloudWatch Logs answer in JSON and carry all of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws
from rich.cells import cell_len

from tests.support.helpers import error_response, moto_session
from tracker_tui.aws.kinds import resolve_kinds
from tracker_tui.aws.scan import Collector, ScanEngine, ScanOptions, error_entries
from tracker_tui.model import Identity, Resource, ScanErrorEntry
from tracker_tui.untrusted import unsafe_characters, visible

REGION = "us-east-1"
ACCOUNT = "123456789012"

#: (what it tries, the string).  At least 30, across every family.
CORPUS: list[tuple[str, str]] = [
    # Textual / Rich markup: crash, restyle, act, link.
    ("unmatched close", "[/x] closes nothing"),
    ("bold", "[b]bold[/b] name"),
    ("click action", "[@click=app.quit]click to quit[/]"),
    ("foreign link", "[link=https://evil.example/]click me[/link]"),
    ("colour", "[red on white]alarm[/]"),
    ("escaped bracket", "\\[not markup] really"),
    ("bare open", "half [open"),
    ("double", "[[double]] brackets"),
    # Everyday names that markup silently ate.
    ("deprecated", "[DEPRECATED] legacy-api"),
    ("old", "web [old]"),
    ("env in brackets", "[prod] payments-db"),
    # Terminal escapes.
    ("osc 52 clipboard", "clip\x1b]52;c;cm0gLXJmIH4K\x07board"),
    ("clear screen", "wipe\x1b[2J\x1b[Hscreen"),
    ("osc 8 link", "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"),
    ("bell", "ding\x07dong"),
    ("c1 csi", "c1\x9b31mred"),
    ("c1 next line", "nel\x85line"),
    ("delete", "del\x7fete"),
    ("nul", "nul\x00byte"),
    ("backspace", "back\x08\x08\x08over"),
    # Layout breakers.
    ("carriage return", "carriage\rreturn"),
    ("line feed", "line\nfeed"),
    ("tab", "tab\tstop"),
    ("bidi override", "invoice\u202egnp.exe"),
    ("bidi isolate", "iso\u2066late\u2069d"),
    ("zero width space", "zero\u200bwidth"),
    ("line separator", "line\u2028separator"),
    ("wide", "中文名前テスト"),
    ("emoji", "deploy 🚀 ok ✅"),
    ("combining", "cafe\u0301 re\u0301sume\u0301"),
    ("very long", "long-" + "x" * 300 + "-end"),
    # Spreadsheet formulas.
    ("hyperlink formula", '=HYPERLINK("https://evil.example/","open")'),
    ("dde", "+cmd|' /C calc'!A0"),
    ("minus", "-2+3+cmd|' /C calc'!A0"),
    ("at", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("tab formula", "\t=1+1"),
    ("cr formula", "\r=1+1"),
    # Markdown and HTML.
    ("html", "<img src=x onerror=alert(1)>"),
    ("markdown image", "![pixel](https://evil.example/p.png)"),
    ("pipe", "a|b|c"),
]

#: The strings alone.
STRINGS = [text for _, text in CORPUS]


def xml_safe(text: str) -> bool:
    """True when an XML answer (EC2, S3) can carry ``text`` unchanged."""
    return not any(ord(char) < 0x20 for char in text)


#: The error message AWS is made to answer one cell with: markup that does not parse, a clipboard
#: write, a line break.
ERROR_MESSAGE = "User [/arn] is not authorized\x1b]52;c;aGk=\x07 to rds:DescribeDBInstances\n[@click=app.quit]x[/]"
#: Kinds the hostile account is scanned for.
KINDS = (
    "ec2:instance",
    "ec2:volume",
    "s3:bucket",
    "logs:log-group",
    "dynamodb:table",
    "secretsmanager:secret",
    "rds:db-instance",
)


def seed() -> None:
    """Make the hostile account (inside ``mock_aws``)."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    logs = boto3.client("logs", region_name=REGION)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    for index, text in enumerate(STRINGS):
        secrets.create_secret(Name=text, SecretString="x", Tags=[{"Key": text, "Value": text}])
        logs.create_log_group(logGroupName=text, tags={text: text, "owner": text})
        dynamodb.create_table(
            TableName=f"table-{index:02d}",
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=[{"Key": "Name", "Value": text}, {"Key": text, "Value": text}],
        )
    for index, text in enumerate(t for t in STRINGS if xml_safe(t)):
        reservation = ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": text}, {"Key": text, "Value": text}]}
            ],
        )
        if index % 3 == 0:  # some stopped, so start has rows too
            ec2.stop_instances(InstanceIds=[reservation["Instances"][0]["InstanceId"]])
        volume = ec2.create_volume(Size=10, AvailabilityZone=f"{REGION}a", VolumeType="gp2")
        ec2.create_tags(Resources=[volume["VolumeId"]], Tags=[{"Key": "Name", "Value": text}])
        bucket = f"hostile-{index:02d}"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "Name", "Value": text}]})


def deny_with_hostile_message(session: Any) -> None:
    """Answer RDS's DescribeDBInstances with AccessDenied and ``ERROR_MESSAGE``, as AWS would
    word it: the engine, not the test, turns it into the cell's error."""

    def answer(**_: Any) -> tuple[Any, dict[str, Any]]:
        return error_response("AccessDenied", ERROR_MESSAGE, 403)

    session.boto.events.register("before-call.rds.DescribeDBInstances", answer)


@dataclass(frozen=True)
class HostileScan:
    """What a scan of the hostile account found."""

    identity: Identity
    resources: list[Resource]
    errors: list[ScanErrorEntry]


@contextmanager
def hostile_account() -> Iterator[Any]:
    """A mocked account seeded with the corpus, and a session on it that answers one cell with
    the hostile error message."""
    with mock_aws():
        seed()
        session = moto_session()
        deny_with_hostile_message(session)
        yield session


def hostile_scan() -> HostileScan:
    """Seed the hostile account and scan it with the real engine and listers."""
    with hostile_account() as session:
        identity = Identity(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/[ops]\x1b[2Jscanner", alias="")
        engine = ScanEngine(session, identity, [REGION], resolve_kinds(list(KINDS)), ScanOptions())
        collector = Collector()
        engine.run(collector)
        return HostileScan(identity, list(collector.resources), error_entries(collector.results))


def probe(text: str, cells: int = 12) -> str:
    """What of ``text`` must show literally on screen: the start of its visible form (a column
    may cut the rest), without trailing spaces."""
    shown = visible(text)
    out = ""
    width = 0
    for char in shown:
        width += cell_len(char)
        if width > cells:
            break
        out += char
    return out.rstrip()


__all__ = [
    "ACCOUNT",
    "CORPUS",
    "ERROR_MESSAGE",
    "KINDS",
    "REGION",
    "STRINGS",
    "HostileScan",
    "hostile_account",
    "hostile_scan",
    "probe",
    "seed",
    "unsafe_characters",
    "xml_safe",
]
