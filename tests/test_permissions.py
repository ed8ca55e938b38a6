"""``tracker-tui permissions``: the policy it prints, what each part really calls, and ``--check``.

* The mapping from API operations to IAM actions, where their names differ.
* The document: valid JSON, the same bytes every time, a ``Sid`` per statement, nothing
  mutating in the read-only statements.
* What each action handler calls, recorded on the safety rails' own cases (every handler,
  against moto), is what its ``ActionSpec.iam_actions`` declares, both ways; the bill, the
  price refresh and ``--org-role`` the same, each through its command.
* ``--check`` against IAM's policy simulator (moto has none: a ``before-call`` hook answers
  ``SimulatePrincipalPolicy``; the caller is a real moto user or assumed role): all allowed,
  some denied (one line each, exit 3), the simulator refused (one line, exit 2).

tests/test_permissions_scan.py records the scan itself against the demo's estate.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tests.support.helpers import hook_every_session, moto_session, record_calls, run_cli
from tests.support.rails import CASES
from tests.support.rails.base import FAST, HARMLESS, scanned
from tracker_tui.aws.actions import ACTION_SPECS, ActionRunner, Status, Verb, plan
from tracker_tui.aws.actions.permissions import verb_parts
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.aws.permissions import (
    CHECK_ACTIONS,
    CONNECT_ACTIONS,
    MANAGED_POLICY_LIMIT,
    READ_STATEMENTS,
    Part,
    SimulatorError,
    compact_size,
    dumps,
    iam_actions,
    policy,
    principal_arn,
    read_parts,
)
from tracker_tui.store import AuditLog

ACCOUNT = "123456789012"


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("tracker-tui: error: ")
    return line


def every_part() -> list[Part]:
    return read_parts() + verb_parts()


def statement_actions(parts: list[Part], *keys: str) -> set[str]:
    return {action for part in parts if part.statement in keys for action in part.actions}


def actions_of(calls: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """The IAM actions of every recorded "service.Operation"."""
    return {action for name, _ in calls for action in iam_actions(*name.split(".", 1))}


def record_every_session(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every call of every session the command opens, as ("service.Operation", params)."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((f"{model.service_model.service_name}.{model.name}", params))

    hook_every_session(monkeypatch, "before-parameter-build", record)
    return calls


# --- API operations -> IAM actions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation", "actions"),
    [
        ("ec2", "DescribeVolumes", ("ec2:DescribeVolumes",)),
        ("elbv2", "DescribeTargetHealth", ("elasticloadbalancing:DescribeTargetHealth",)),
        ("elb", "DescribeLoadBalancers", ("elasticloadbalancing:DescribeLoadBalancers",)),
        ("opensearch", "ListDomainNames", ("es:ListDomainNames",)),
        ("efs", "DescribeFileSystems", ("elasticfilesystem:DescribeFileSystems",)),
        ("s3", "ListBuckets", ("s3:ListAllMyBuckets",)),
        ("s3", "HeadBucket", ("s3:ListBucket",)),
        ("s3", "ListObjectVersions", ("s3:ListBucketVersions",)),
        ("s3", "DeleteObjects", ("s3:DeleteObject", "s3:DeleteObjectVersion")),
        ("s3", "GetBucketTagging", ("s3:GetBucketTagging",)),
        ("s3", "GetBucketLifecycleConfiguration", ("s3:GetLifecycleConfiguration",)),
        ("s3", "ListMultipartUploads", ("s3:ListBucketMultipartUploads",)),
        ("efs", "DescribeLifecycleConfiguration", ("elasticfilesystem:DescribeLifecycleConfiguration",)),
        # The wire (and CloudTrail) name of Lambda's ListFunctions carries its API version.
        ("lambda", "ListFunctions20150331", ("lambda:ListFunctions",)),
        ("lambda", "ListFunctions", ("lambda:ListFunctions",)),
    ],
)
def test_operations_map_to_the_iam_actions_aws_checks(service: str, operation: str, actions: tuple[str, ...]) -> None:
    assert iam_actions(service, operation) == actions


def test_every_declaration_is_an_iam_action_name() -> None:
    shape = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
    declared = {a for part in every_part() for a in part.asked}
    assert declared and {a for a in declared if not shape.match(a)} == set()
    assert all(spec.iam_actions for spec in REGISTRY.values()), "a kind declares no IAM action"
    assert all(spec.iam_actions for spec in ACTION_SPECS.values()), "an action handler declares no IAM action"


# --- the document -------------------------------------------------------------------------------

#: What a read-only statement may never hold: the verbs of AWS's mutating API calls.
MUTATING = (
    "Create", "Delete", "Put", "Modify", "Stop", "Start", "Terminate", "Release", "Update", "Tag", "Untag",
    "Reboot", "Deregister", "Pause", "Resume", "Attach", "Detach", "Associate", "Disassociate", "Abort",
    "Add", "Remove", "Set", "Enable", "Disable", "Restore", "Run", "Cancel", "Reset", "Revoke", "Authorize",
    "Register", "Allocate", "Copy", "Import", "Invoke", "Send", "Publish", "Replace", "Purge", "Rotate",
)  # fmt: skip
#: What a read is called (IAM's policy simulator reads the caller's policies).
READS = ("Describe", "List", "Get", "SimulatePrincipalPolicy")


def test_the_read_only_statements_hold_no_mutating_action() -> None:
    parts = read_parts()
    for key in ("connect", "scan", "idle", "bill", "prices", "check"):
        names = {action.split(":", 1)[1] for action in statement_actions(parts, key)}
        assert names, key
        assert {n for n in names if n.startswith(MUTATING)} == set(), key
        assert {n for n in names if not n.startswith(READS)} == set(), key
    # --org-role assumes a role in each member account; it changes nothing there either.
    assert statement_actions(parts, "org") == {"organizations:ListAccounts", "sts:AssumeRole"}


def test_every_action_verb_has_its_own_statement_with_its_mutating_call() -> None:
    verbs = {spec.action for spec in ACTION_SPECS.values()}
    parts = verb_parts()
    assert {part.statement for part in parts} == verbs
    for spec in ACTION_SPECS.values():
        names = [a.split(":", 1)[1] for a in spec.iam_actions]
        assert any(n.startswith(MUTATING) for n in names), (spec.kind, spec.action)


def test_the_document_is_valid_stable_json_with_a_sid_per_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_every_session(monkeypatch)

    code, out, err = run_cli("permissions")

    # The whole document outgrew one managed policy (issue 25's scheduling added the rest): the
    # command says so, and how to split it in two that each fit.
    assert code == 0 and compact_size(json.loads(out)) > MANAGED_POLICY_LIMIT
    split = re.fullmatch(r"tracker-tui: .* attach it as two, `tracker-tui (permissions --read-only)` and "
                         r"`tracker-tui (permissions --only [a-z,]+)`\n", err)  # fmt: skip
    assert split is not None, err
    halves = [run_cli(*command.split()) for command in split.groups()]
    assert [(c, e) for c, _, e in halves] == [(0, ""), (0, "")]
    assert all(compact_size(json.loads(o)) <= MANAGED_POLICY_LIMIT for _, o, _ in halves)
    both = [s for _, o, _ in halves for s in json.loads(o)["Statement"]]
    assert both == json.loads(out)["Statement"]  # together: every statement, once
    assert calls == []  # printing the policy asks AWS nothing
    assert out == dumps(policy(every_part()))
    assert run_cli("permissions")[1] == out  # the same bytes every time
    document = json.loads(out)
    assert list(document) == ["Version", "Statement"] and document["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in document["Statement"]]
    verbs = sorted({spec.action for spec in ACTION_SPECS.values()})
    assert sids == [s.sid for s in READ_STATEMENTS] + [f"TrackerTuiAction{v.title()}" for v in verbs]
    assert all(re.fullmatch(r"[A-Za-z0-9]+", sid) for sid in sids)  # IAM's Sid alphabet
    for statement in document["Statement"]:
        assert list(statement) == ["Sid", "Effect", "Action", "Resource"]
        assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
        assert statement["Action"] == sorted(set(statement["Action"]))
    scan = next(s for s in document["Statement"] if s["Sid"] == "TrackerTuiScan")
    assert set(scan["Action"]) == {a for spec in REGISTRY.values() for a in spec.iam_actions}
    assert "iam:ListUsers" not in scan["Action"]  # a fallback: the first choice is granted instead


def test_read_only_leaves_out_every_action_verb() -> None:
    code, out, _ = run_cli("permissions", "--read-only")

    assert code == 0
    assert [s["Sid"] for s in json.loads(out)["Statement"]] == [s.sid for s in READ_STATEMENTS]


def test_only_and_kind_narrow_the_document() -> None:
    code, out, _ = run_cli("permissions", "--only", "scan,delete", "--kind", "s3:bucket", "--kind", "ec2:volume")

    assert code == 0
    statements = {s["Sid"]: s["Action"] for s in json.loads(out)["Statement"]}
    assert statements == {
        "TrackerTuiScan": sorted(["ec2:DescribeVolumes", *REGISTRY["s3:bucket"].iam_actions]),
        "TrackerTuiActionDelete": sorted(
            {*ACTION_SPECS[("ec2:volume", "delete")].iam_actions, *ACTION_SPECS[("s3:bucket", "delete")].iam_actions}
        ),
    }


def test_an_unknown_statement_is_one_line_and_exit_2() -> None:
    code, out, err = run_cli("permissions", "--only", "scna")

    assert (code, out) == (2, "")
    assert "unknown statement 'scna' (known: connect, scan, idle, bill, prices, org, check, delete" in one_line_error(
        err
    )


# --- what the action handlers call ----------------------------------------------------------------

#: Declared actions no recorded call names, by (kind, action), and why.  Nothing else may be
#: declared and never called.
NOT_EXERCISED: dict[tuple[str, str], dict[str, str]] = {
    ("rds:db-instance", "delete"): {
        # AWS authorises the final snapshot DeleteDBInstance takes as this; no call names it.
        "rds:CreateDBSnapshot": "authorised inside DeleteDBInstance",
        # ... and copying the instance's tags onto it (CopyTagsToSnapshot) as this.
        "rds:AddTagsToResource": "authorised inside DeleteDBInstance",
    },
    ("ec2:volume", "delete"): {
        # The snapshot taken first is tagged through CreateSnapshot's TagSpecifications, which
        # AWS authorises as this too; no call names it.
        "ec2:CreateTags": "authorised inside CreateSnapshot (TagSpecifications)",
    },
    # z's first schedule in a fresh account makes the role (so reads no policy of it) and the
    # pair (so updates none); tests/test_actions_offhours.py records a second run that does both.
    **{
        (kind, "schedule"): {
            # CreateSchedule hands the schedule the role: AWS authorises that as this.
            "iam:PassRole": "authorised inside CreateSchedule (its Target.RoleArn)",
            "iam:GetRolePolicy": "read when the role exists",
            "scheduler:UpdateSchedule": "called when the pair exists",
        }
        for kind in ("ec2:instance", "rds:db-instance", "redshift:cluster", "sagemaker:notebook-instance")
    },
}

#: Every action's box ticked, so the recording sees every optional path (emptying a bucket, an
#: AMI's snapshots, the RDS final snapshot, the DynamoDB backup), and a box added later too.
EVERY_OPTION = FAST.choosing({choice: True for spec in ACTION_SPECS.values() for choice in spec.choices})


def _case_action(name: str) -> tuple[str, str]:
    case = CASES[name]
    return case.kind, REGISTRY[case.kind].verbs[case.verb]


def test_the_recorded_cases_cover_every_handler() -> None:
    assert {_case_action(name) for name in CASES} == set(ACTION_SPECS)


def _fill_bucket(bucket: str) -> None:
    """An object and an unfinished upload, so the delete empties the bucket first."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_object(Bucket=bucket, Key="data/part-0.bin", Body=b"x")
    s3.create_multipart_upload(Bucket=bucket, Key="data/upload.bin")


def _without_tag_lists(parsed: dict[str, Any], **_: Any) -> None:
    """Drop ``TagList`` from an RDS answer's items: AWS may leave it out (moto never does), and
    the handlers then read the tags with ListTagsForResource, a path the recording must see."""
    for items in parsed.values():
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                item.pop("TagList", None)


def _recorded(name: str, audit: Path) -> set[str]:
    """What carrying out the safety rails' case ``name`` calls (every option on), as IAM actions."""
    case = CASES[name]
    with mock_aws():
        ident = case.make(dict(HARMLESS))
        if case.kind == "s3:bucket":
            _fill_bucket(ident)
        row = scanned(moto_session(), case.kind)[ident]
        # A session of its own: clients take the session's hooks when they are made.
        session = moto_session()
        calls = record_calls(session)
        session.boto.events.register("after-call.rds", _without_tag_lists)
        options = dataclasses.replace(EVERY_OPTION, **case.options)
        runner = ActionRunner(session, ACCOUNT, options, audit=AuditLog(audit))
        (final,) = runner.run(plan([row], case.verb, runner.options), lambda _: None)
    assert final.status is Status.DONE, f"{name}: {final.message}"
    return actions_of(calls) - set(CONNECT_ACTIONS)  # the runner's identity check is connect's


@pytest.mark.parametrize(("kind", "action"), sorted(ACTION_SPECS))
def test_a_handler_calls_exactly_the_actions_its_verb_declares(tmp_path: Path, kind: str, action: str) -> None:
    """Every case of the handler (an ALB, an NLB and a Classic ELB; a DB and a cluster snapshot)."""
    spec = ACTION_SPECS[(kind, action)]
    names = [name for name in CASES if _case_action(name) == (kind, action)]
    called = set().union(*(_recorded(name, tmp_path / f"{name}.jsonl") for name in names))

    fallbacks = {a for alternatives in spec.iam_fallbacks.values() for a in alternatives}
    declared = set(spec.iam_actions)
    assert called - declared - fallbacks == set(), f"{kind} {action} calls actions it does not declare"
    exempt = set(NOT_EXERCISED.get((kind, action), {}))
    assert declared - called - exempt == set(), f"{kind} {action} declares actions it never called"
    assert exempt <= declared  # the exemptions name real declarations


@pytest.mark.parametrize("verb", ["delete", "modify"])
def test_a_log_group_whose_tags_cannot_be_read_the_new_way_uses_the_declared_fallback(
    tmp_path: Path, verb: Verb
) -> None:
    case = CASES[f"log-group-{verb}"]
    spec = ACTION_SPECS[(case.kind, verb)]
    with mock_aws():
        ident = case.make(dict(HARMLESS))
        row = scanned(moto_session(), "logs:log-group")[ident]
        session = moto_session()
        calls = record_calls(session)

        def denied(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
            if (model.service_model.service_name, model.name) != ("logs", "ListTagsForResource"):
                return None
            return AWSResponse("https://logs.example.invalid/", 400, {}, None), {
                "Error": {"Code": "AccessDeniedException", "Message": "not authorized"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }

        session.boto.events.register("before-call", denied)
        runner = ActionRunner(session, ACCOUNT, FAST, audit=AuditLog(tmp_path / "audit.jsonl"))
        (final,) = runner.run(plan([row], verb, runner.options), lambda _: None)

    assert final.status is Status.DONE, final.message
    assert actions_of(calls) - set(CONNECT_ACTIONS) == set(spec.iam_actions) | set(
        spec.iam_fallbacks["logs:ListTagsForResource"]
    )


# --- the bill, the price refresh, --org-role: each through its command ---------------------------


def test_the_bill_calls_connect_bill_and_its_scan_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_every_session(monkeypatch)
    with mock_aws():
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/app/bill")
        code, _, err = run_cli("bill", "--kind", "logs:log-group", "--region", "us-east-1", "--format", "json")

    assert code == 0, err
    parts = read_parts([REGISTRY["logs:log-group"]])
    called = actions_of(calls)
    assert called - statement_actions(parts, "connect", "bill", "scan") == set()
    assert statement_actions(parts, "bill") == {"ce:GetCostAndUsage"} <= called


class PriceList:
    """Answers GetProducts (moto has no Price List API) with one m5.large price."""

    def __call__(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        terms = {"OnDemand": {"a": {"priceDimensions": {"b": {"unit": "Hrs", "pricePerUnit": {"USD": "0.1010"}}}}}}
        return AWSResponse("https://api.pricing.us-east-1.amazonaws.com/", 200, {}, None), {
            "FormatVersion": "aws_v1",
            "PriceList": [json.dumps({"terms": terms})],
        }


def test_the_price_refresh_calls_connect_prices_and_its_scan_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_every_session(monkeypatch)
    hook_every_session(monkeypatch, "before-call.pricing.GetProducts", PriceList())
    with mock_aws():
        boto3.client("ec2", region_name="us-east-1").run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large"
        )
        code, out, err = run_cli("prices", "update", "--kind", "ec2:instance", "--region", "us-east-1")

    assert code == 0, err
    assert "1 fetched" in out
    parts = read_parts([REGISTRY["ec2:instance"]])
    called = actions_of(calls)
    assert called - statement_actions(parts, "connect", "prices", "scan") == set()
    assert statement_actions(parts, "prices") == {"pricing:GetProducts"} <= called


def test_org_role_calls_connect_org_and_the_scan_only(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_every_session(monkeypatch)
    code, out, err = run_cli(
        "scan", "--org-role", "OrganizationAccountAccessRole", "--kind", "logs:log-group", "--region", "us-east-1",
        "--format", "json",
    )  # fmt: skip

    assert code == 0, err
    assert {r["account_id"] for r in json.loads(out)["resources"]} == {ACCOUNT, *org.ids}
    parts = read_parts([REGISTRY["logs:log-group"]])
    called = actions_of(calls)
    assert called - statement_actions(parts, "connect", "org", "scan") == set()
    assert statement_actions(parts, "org") <= called


# --- --check: IAM's policy simulator ---------------------------------------------------------------


class Simulator:
    """Answers SimulatePrincipalPolicy on every session the CLI opens: every action allowed but
    ``denied``; ``error`` answers every request with that error code instead, and ``raises``
    is raised as the HTTP layer would (no network)."""

    def __init__(self) -> None:
        self.denied: set[str] = set()
        self.error: tuple[str, str] | None = None
        self.raises: Exception | None = None
        self.sources: list[str] = []
        self.asked: list[str] = []

    def __call__(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # IAM speaks the query protocol: the request body is the form, ActionNames.member.N.
        body = params["body"]
        if self.raises is not None:
            raise self.raises
        if self.error is not None:
            code, message = self.error
            return AWSResponse("https://iam.amazonaws.com/", 403, {}, None), {
                "Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }
        self.sources.append(body["PolicySourceArn"])
        members = [k for k in body if k.startswith("ActionNames.member.")]
        names = [body[k] for k in sorted(members, key=lambda k: int(k.rsplit(".", 1)[1]))]
        self.asked += names
        results = [
            {
                "EvalActionName": n,
                "EvalResourceName": "*",
                "EvalDecision": "implicitDeny" if n in self.denied else "allowed",
            }
            for n in names
        ]
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), {
            "EvaluationResults": results,
            "IsTruncated": False,
        }


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """moto in-process, its IAM's simulator answered by a hook."""
    answer = Simulator()
    hook_every_session(monkeypatch, "before-call.iam.SimulatePrincipalPolicy", answer)
    with mock_aws():
        yield answer


def as_user(monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    """The CLI's credentials become a new IAM user's; its ARN."""
    iam = boto3.client("iam", region_name="us-east-1")
    arn = str(iam.create_user(UserName=name)["User"]["Arn"])
    key = iam.create_access_key(UserName=name)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
    return arn


def as_role(monkeypatch: pytest.MonkeyPatch, name: str, path: str) -> str:
    """The CLI's credentials become a session of a new role with ``path`` (as SSO's are); the role's ARN."""
    iam = boto3.client("iam", region_name="us-east-1")
    arn = str(iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument="{}")["Role"]["Arn"])
    creds = boto3.client("sts", region_name="us-east-1").assume_role(RoleArn=arn, RoleSessionName="alice@example.com")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["Credentials"]["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["Credentials"]["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["Credentials"]["SessionToken"])
    return arn


def test_check_all_allowed_is_one_line_and_exit_0(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    arn = as_user(monkeypatch, "ci-bot")

    code, out, err = run_cli("permissions", "--check")

    assert (code, err) == (0, "")
    every = sorted({a for part in every_part() for a in part.asked})
    assert out == f"all {len(every)} IAM actions tracker-tui uses are allowed for {arn}\n"
    assert simulator.sources and set(simulator.sources) == {arn}
    assert sorted(simulator.asked) == every  # fallbacks too: they decide whether a kind is readable


def test_check_names_each_denied_kind_check_and_verb_once_and_exits_3(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = as_role(monkeypatch, "AWSReservedSSO_ReadOnly_0a1b2c", "/aws-reserved/sso.amazonaws.com/")
    calls = record_every_session(monkeypatch)
    simulator.denied = {
        "ec2:DescribeVolumes",
        "cloudwatch:GetMetricData",
        "ce:GetCostAndUsage",
        "ec2:DeleteVolume",
        "s3:DeleteBucket",
        # IAM users: both ways refused; IAM roles: the per-item fallback is allowed, so they are still listed.
        "iam:GetAccountAuthorizationDetails",
        "iam:ListUsers",
    }

    code, out, err = run_cli("permissions", "--check")

    assert (code, err) == (3, "")
    assert out.splitlines() == [
        "kind ec2:volume: denied ec2:DescribeVolumes",
        "kind s3:bucket: denied cloudwatch:GetMetricData",
        "kind iam:user: denied iam:GetAccountAuthorizationDetails",
        "idle checks: denied cloudwatch:GetMetricData",
        "bill: denied ce:GetCostAndUsage",
        # A verb's handlers re-read what they act on: a denied read is theirs too.
        "action delete: denied ec2:DescribeVolumes, ec2:DeleteVolume (ec2:volume); s3:DeleteBucket (s3:bucket)",
        "action modify: denied ec2:DescribeVolumes (ec2:volume); cloudwatch:GetMetricData (s3:bucket)",
        # iam:ListUsers is not counted: it is only the way round a denied GetAccountAuthorizationDetails.
        f"6 of the {len(set(simulator.asked))} IAM actions tracker-tui uses would be denied for {role}; "
        "`tracker-tui permissions` prints the policy that grants them",
    ]
    # The assumed role's STS ARN has no path: the role's own ARN (GetRole) is what is simulated.
    assert role.startswith(f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/")
    assert set(simulator.sources) == {role}
    # Before any scan: nothing but connecting and the check itself is called.
    assert actions_of(calls) <= {*CONNECT_ACTIONS, *CHECK_ACTIONS}
    assert set(CHECK_ACTIONS) <= actions_of(calls)


def test_check_only_asks_about_the_statements_named(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch, "auditor")
    simulator.denied = {"ec2:DeleteVolume"}

    code, out, _ = run_cli("permissions", "--check", "--read-only")

    assert code == 0 and out.startswith("all ")
    assert "ec2:DeleteVolume" not in simulator.asked


def test_a_refused_simulator_is_one_line_and_exit_2(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    arn = as_user(monkeypatch, "no-simulator")
    # Whatever AWS says is shown as text: an escape sequence in it reaches no terminal.
    simulator.error = ("AccessDenied", f"User: {arn} is not authorized \x1b[31mto perform it")

    code, out, err = run_cli("permissions", "--check")

    assert (code, out) == (2, "")
    line = one_line_error(err)
    assert "IAM's policy simulator refused to answer (AccessDenied: User: " in line
    assert f"--check needs iam:SimulatePrincipalPolicy on {arn}" in line
    assert "\x1b" not in line and "\u241b[31m" in line


def test_an_unreachable_simulator_is_one_line_and_exit_2(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch, "offline")
    simulator.raises = botocore.exceptions.EndpointConnectionError(endpoint_url="https://iam.amazonaws.com/")

    code, out, err = run_cli("permissions", "--check")

    assert (code, out) == (2, "")
    assert one_line_error(err) == (
        "tracker-tui: error: cannot ask IAM's policy simulator: cannot reach AWS: "
        'Could not connect to the endpoint URL: "https://iam.amazonaws.com/"'
    )


def test_the_demo_has_no_simulator() -> None:
    code, out, err = run_cli("--demo", "permissions", "--check")

    assert (code, out) == (2, "")
    assert "the demo account has no IAM policy simulator" in one_line_error(err)


@pytest.mark.parametrize(
    ("caller", "principal"),
    [
        (f"arn:aws:iam::{ACCOUNT}:user/ops/alice", (f"arn:aws:iam::{ACCOUNT}:user/ops/alice", "")),
        (
            f"arn:aws-us-gov:sts::{ACCOUNT}:assumed-role/Deployer/session-1",
            (f"arn:aws-us-gov:iam::{ACCOUNT}:role/Deployer", "Deployer"),
        ),
    ],
)
def test_the_caller_becomes_the_principal_the_simulator_takes(caller: str, principal: tuple[str, str]) -> None:
    assert principal_arn(caller) == principal


@pytest.mark.parametrize(
    ("caller", "says"),
    [
        (f"arn:aws:iam::{ACCOUNT}:root", "root user"),
        (f"arn:aws:sts::{ACCOUNT}:federated-user/bob", "takes a user or a role"),
    ],
)
def test_a_caller_the_simulator_cannot_take_is_said_so(caller: str, says: str) -> None:
    with pytest.raises(SimulatorError, match=says):
        principal_arn(caller)
