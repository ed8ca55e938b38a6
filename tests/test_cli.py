"""The command line: exit codes, one-line errors, headless scans, the demo, import layering."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tests.support.helpers import RawBody, hook_every_session, run_cli
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.cli import main
from tracker_tui.store import SCHEMA, read_inventory

REPO = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"  # moto's account


def assert_one_clean_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("tracker-tui: error: ")
    return err.strip()


def _error_reply(status: int, code: str, message: str) -> tuple[AWSResponse, dict[str, Any]]:
    http = AWSResponse("https://example.invalid/", status, {}, RawBody())
    return http, {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}


@pytest.fixture
def small_estate() -> Iterator[set[tuple[str, str, str]]]:
    """moto in-process with a few resources in two regions (and IAM)."""
    with mock_aws():
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/app/web")
        volume = boto3.client("ec2", region_name="eu-west-1").create_volume(AvailabilityZone="eu-west-1a", Size=10)
        boto3.client("s3", region_name="us-east-1").create_bucket(
            Bucket="acme-eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        boto3.client("iam").create_user(UserName="alice")
        for region, name in (("us-east-1", "orders"), ("eu-west-1", "ledger")):
            boto3.client("rds", region_name=region).create_db_instance(
                DBInstanceIdentifier=name,
                Engine="postgres",
                DBInstanceClass="db.t3.micro",
                AllocatedStorage=20,
                MasterUsername="admin",
                MasterUserPassword="not-a-real-password-1",
            )
        yield {
            ("logs:log-group", "us-east-1", "/app/web"),
            ("ec2:volume", "eu-west-1", volume["VolumeId"]),
            ("s3:bucket", "eu-west-1", "acme-eu-bucket"),
            ("iam:user", "global", "alice"),
            ("rds:db-instance", "us-east-1", "orders"),
            ("rds:db-instance", "eu-west-1", "ledger"),
        }


TWO_REGIONS = ("--region", "us-east-1", "--region", "eu-west-1")


# --- usage and credential errors: exit 2, one line ---------------------------------------------


def test_no_credentials_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Belt and braces: even if something did send a request, it goes nowhere.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")

    code, out, err = run_cli("scan", "--format", "json")

    assert code == 2
    assert out == ""
    line = assert_one_clean_line(err)
    assert "no AWS credentials" in line
    assert "--profile" in line
    assert "--demo" in line


def test_unknown_profile() -> None:
    code, out, err = run_cli("--profile", "no-such-profile", "scan")
    assert code == 2
    assert out == ""
    line = assert_one_clean_line(err)
    assert "unknown AWS profile 'no-such-profile'" in line


def test_profile_after_the_subcommand_is_honoured_too() -> None:
    code, _, err = run_cli("scan", "--profile", "also-missing")
    assert code == 2
    assert "'also-missing'" in assert_one_clean_line(err)


def test_unknown_kind() -> None:
    code, out, err = run_cli("scan", "--kind", "ec2:instance", "--kind", "ec2:spaceship")
    assert code == 2
    assert out == ""
    line = assert_one_clean_line(err)
    assert "unknown kind 'ec2:spaceship'" in line
    assert "ec2:instance" in line  # lists the valid ones


@mock_aws
def test_unknown_region() -> None:
    code, out, err = run_cli("scan", "--region", "us-east-1", "--region", "mars-north-1")
    assert code == 2
    assert out == ""
    assert "unknown region 'mars-north-1'" in assert_one_clean_line(err)


@mock_aws
def test_expired_credentials_say_how_to_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def expired(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        calls.append("GetCallerIdentity")
        return _error_reply(403, "ExpiredToken", "The security token included in the request is expired")

    hook_every_session(monkeypatch, "before-call.sts.GetCallerIdentity", expired)

    code, out, err = run_cli("scan", "--format", "json")

    assert calls == ["GetCallerIdentity"]
    assert code == 2
    assert out == ""
    line = assert_one_clean_line(err)
    assert "ExpiredToken" in line
    assert "refresh" in line
    assert "aws sso login" in line


@mock_aws
def test_describe_regions_denied_says_to_name_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return _error_reply(403, "UnauthorizedOperation", "You are not authorized to perform this operation.")

    hook_every_session(monkeypatch, "before-call.ec2.DescribeRegions", denied)

    code, out, err = run_cli("scan", "--kind", "iam:user")

    assert code == 2
    line = assert_one_clean_line(err)
    assert "UnauthorizedOperation" in line
    assert "--region" in line
    assert "identity" not in line


# --- a real scan -------------------------------------------------------------------------------


def _found(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["kind"], r["region"], r["id"]) for r in data["resources"]}


def test_scan_json_to_stdout(small_estate: set[tuple[str, str, str]]) -> None:
    code, out, err = run_cli("scan", "--format", "json", *TWO_REGIONS)

    assert code == 0, err
    assert err == ""
    data = json.loads(out)
    assert data["schema"] == SCHEMA
    assert data["account"]["id"] == ACCOUNT
    assert data["regions"] == ["us-east-1", "eu-west-1"]
    assert data["errors"] == []
    assert _found(data) == small_estate
    assert {r["account_id"] for r in data["resources"]} == {ACCOUNT}
    db = next(r for r in data["resources"] if r["id"] == "ledger")
    assert db["details"]["engine"] == "postgres"
    assert db["state"] == "available"


def test_scan_output_file_is_a_readable_inventory(small_estate: set[tuple[str, str, str]], tmp_path: Path) -> None:
    target = tmp_path / "out" / "inventory.json"

    code, out, err = run_cli("scan", "--format", "json", "--output", str(target), *TWO_REGIONS)

    assert code == 0, err
    assert out == ""
    inventory = read_inventory(target)
    assert {(r.kind, r.region, r.id) for r in inventory.resources} == small_estate
    assert inventory.identity.account_id == ACCOUNT


def test_scan_kind_filter(small_estate: set[tuple[str, str, str]]) -> None:
    code, out, _ = run_cli("scan", "--format", "json", "--kind", "rds:db-instance", *TWO_REGIONS)
    assert code == 0
    assert _found(json.loads(out)) == {k for k in small_estate if k[0] == "rds:db-instance"}


def test_scan_csv(small_estate: set[tuple[str, str, str]]) -> None:
    code, out, err = run_cli("scan", "--format", "csv", *TWO_REGIONS)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("kind,id,account_id,arn,name,region,state,created,tags,monthly_cost")
    assert len(lines) == 1 + len(small_estate)
    assert any(line.startswith("s3:bucket,acme-eu-bucket,") for line in lines)


def test_fail_over_gates_on_the_savings_found_and_still_writes_the_output(
    small_estate: set[tuple[str, str, str]], tmp_path: Path
) -> None:
    # Its savings: the unattached 10 GiB gp2 volume in eu-west-1 ($1.10/mo; gp2-to-gp3 inside it), the
    # two db.t3.micro databases' Graviton twins ($1.46 in us-east-1, $2.19 in eu-west-1) and a log
    # group without retention that stores nothing ($0.00).
    out = tmp_path / "inv.json"
    code, _, err = run_cli("scan", "--format", "json", "-o", str(out), "--fail-over", "1", *TWO_REGIONS)
    assert code == 4
    assert err == "tracker-tui: savings found: $4.75/mo, over --fail-over $1.00\n"
    saved = json.loads(out.read_text())["resources"]
    assert sorted(f["id"] for r in saved for f in r["findings"]) == [
        "gp2-to-gp3", "no-retention", "rds-graviton-migration", "rds-graviton-migration", "unattached-volume",
    ]  # fmt: skip
    code, _, err = run_cli("scan", "--format", "json", "-o", str(out), "--fail-over", "4.75", *TWO_REGIONS)
    assert (code, err) == (0, "")  # not over
    code, _, err = run_cli("scan", "--fail-over", "lots", *TWO_REGIONS)
    assert code == 2 and "not an amount in USD: 'lots'" in err


def test_scan_table(small_estate: set[tuple[str, str, str]]) -> None:
    code, out, err = run_cli("scan", "--format", "table", *TWO_REGIONS)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["KIND", "REGION", "STATE", "ID", "NAME", "COST/MO"]
    assert any("acme-eu-bucket" in line and "eu-west-1" in line for line in lines)
    assert f"6 resources in 2 regions, account {ACCOUNT}" in out


def test_access_denied_in_one_cell_exits_3_and_still_writes_the_inventory(
    small_estate: set[tuple[str, str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied_in_eu(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if context["client_region"] == "eu-west-1":
            return _error_reply(403, "AccessDenied", "not authorized to rds:DescribeDBInstances")
        return None

    hook_every_session(monkeypatch, "before-call.rds.DescribeDBInstances", denied_in_eu)
    target = tmp_path / "partial.json"

    code, out, err = run_cli("scan", "--format", "json", "--output", str(target), *TWO_REGIONS)

    assert code == 3
    assert out == ""
    assert "Traceback" not in err
    assert "partial scan: 1 of" in err
    assert "eu-west-1 rds:db-instance: AccessDenied" in err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [(e["region"], e["kind"], e["code"]) for e in data["errors"]] == [
        ("eu-west-1", "rds:db-instance", "AccessDenied")
    ]
    assert "rds:DescribeDBInstances" in data["errors"][0]["message"]
    assert _found(data) == small_estate - {("rds:db-instance", "eu-west-1", "ledger")}


def test_unwritable_output_is_one_line_not_a_traceback(
    small_estate: set[tuple[str, str, str]], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "inventory.json"  # its parent is a file: nothing can be written there

    code, out, err = run_cli("scan", "--format", "json", "--kind", "iam:user", "--output", str(target), *TWO_REGIONS)

    assert code == 2
    assert out == ""
    assert str(target) in assert_one_clean_line(err)


# --- the demo, end to end in a subprocess -------------------------------------------------------


def test_demo_scan_end_to_end() -> None:
    """One slow test (~10 s): the real CLI, the moto server child, HTTP, every kind."""
    base = [sys.executable, "-m", "tracker_tui.cli", "scan", "--demo", "--demo-latency", "0"]
    # Both formats at once: each run has its own demo server, and wall time stays that of one.
    json_run = subprocess.Popen(
        [*base, "--format", "json", "--check-idle"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    table_run = subprocess.Popen(
        [*base, "--format", "table"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    json_out, json_err = json_run.communicate(timeout=180)
    table_out, table_err = table_run.communicate(timeout=180)

    assert json_run.returncode == 0, json_err
    data = json.loads(json_out)
    assert data["schema"] == SCHEMA
    assert data["account"]["alias"] == "acme-staging"
    assert data["errors"] == []
    resources = data["resources"]
    assert len(resources) >= 200
    kinds = Counter(r["kind"] for r in resources)
    assert set(kinds) == set(REGISTRY)
    regions_with_resources = {r["region"] for r in resources} - {"global"}
    assert len(regions_with_resources) >= 4
    assert {r["region"] for r in resources if r["kind"].startswith("iam:")} == {"global"}
    # Waste the cost panels must find.
    assert any(r["kind"] == "ec2:elastic-ip" and not r["details"].get("associated") for r in resources)
    assert any(r["kind"] == "ec2:volume" and r["state"] == "available" for r in resources)
    assert any(r["kind"] == "ec2:instance" and r["state"] == "stopped" for r in resources)
    # Bracketed names, as real accounts have them: exact in the JSON, literal in the table.
    names = {r["name"] for r in resources}
    assert {"[DEPRECATED] prod-legacy-api", "prod-web [old]"} <= names
    assert any(r["kind"] == "logs:log-group" and r["details"].get("retention_days") is None for r in resources)
    # Protected resources the actions must refuse.
    protected = {(r["kind"], r["id"]) for r in resources if "do-not-delete" in r["tags"]}
    assert ("s3:bucket", "acme-prod-backups") in protected
    assert any(kind == "ec2:instance" for kind, _ in protected)

    assert table_run.returncode == 0, table_err
    table_lines = table_out.splitlines()
    assert table_lines[0].split() == ["KIND", "REGION", "STATE", "ID", "NAME", "COST/MO"]
    assert any("acme-prod-backups" in line for line in table_lines)
    assert any("[DEPRECATED] prod-legacy-api" in line for line in table_lines)
    assert any("prod-web [old]" in line for line in table_lines)
    assert (
        f"{len(resources)} resources in {len(data['regions'])} regions, account {ACCOUNT} (acme-staging)" in table_out
    )
    # The table ends with the run-rate and the waste, as the JSON's rows add them up (the table's
    # run has no checks: its Lambda functions are not priced from their usage).
    scanned = [r for r in resources if r["kind"] != "lambda:function"]
    total = sum(r["monthly_cost"] or 0 for r in scanned)
    unpriced = sum(1 for r in scanned if r["monthly_cost"] is None) + len(resources) - len(scanned)
    assert f"estimated monthly total: ${total:,.2f} ({unpriced} unknown:" in table_out
    savings_line = next(line for line in table_lines if line.startswith("savings: $"))
    for finding_id in ("unattached-volume", "idle-elastic-ip", "no-retention", "idle-load-balancer", "gp2-to-gp3"):
        assert finding_id in savings_line
    # Every finding id applies somewhere in the demo (the idle ones with --check-idle).
    found = Counter(f["id"] for r in resources for f in r["findings"])
    assert set(found) == set(REGISTRY.finding_labels())
    # --check-idle finds exactly what the demo seeded, and never a row without data.
    metric_ids = set(REGISTRY.metric_rules())
    checked = {(f["id"], r["name"] or r["id"]) for r in resources for f in r["findings"] if f["id"] in metric_ids}
    windows = {("idle-instance", f"{env}-reports-win") for env in ("prod", "prod-eu", "staging", "dev")}
    assert checked == windows | {
        ("idle-nat-gateway", "dev-nat-a"), ("idle-database", "dev-ledger"), ("ebs-no-io", "dev-worker-data"),
        ("idle-vpc-endpoint", "staging-ssm"), ("idle-load-balancer-traffic", "dev-web-alb"),
        ("idle-dynamodb-table", "staging-orders"), ("idle-redshift", "prod-legacy-mart"),
        ("idle-elasticache", "staging-sessions"), ("idle-sagemaker-endpoint", "churn-predictor-v2"),
        ("idle-opensearch", "prod-catalog-v1"), ("rightsize-instance", "prod-worker"),
        ("rightsize-instance", "staging-worker"), ("rightsize-database", "prod-bi"),
    }  # fmt: skip
    no_data = {r["name"] for r in resources if str(r["details"].get("idle_check", "")).startswith("no data")}
    bastions = {f"{env}-bastion" for env in ("prod", "prod-eu", "staging", "dev")}
    # The bastions, the stopped instances' root volumes (unnamed) and every fourth function report nothing.
    idle_functions = {"dev-fn-03", "prod-eu-fn-03", "prod-eu-fn-07", "prod-fn-03", "prod-fn-07", "prod-fn-11",
                      "staging-fn-03", "staging-fn-07"}  # fmt: skip
    assert no_data == bastions | idle_functions | {"", "dev-ssm", "staging-web-alb", "dev-sessions", "staging-search"}
    assert "idle checks: 208 checked, 17 flagged, 163 clear, 28 no data" in json_err
    # The functions that ran are priced from their requests and GB-seconds where Lambda is in the catalogue.
    functions = [r for r in resources if r["kind"] == "lambda:function" and r["name"] not in idle_functions]
    assert all(("/GB-s" in r["cost_basis"]) == (r["monthly_cost"] is not None) for r in functions)
    assert {r["region"] for r in functions if r["monthly_cost"] is not None} == {"us-east-1", "us-west-2"}
    # Rightsizing names a smaller type and the CPU it would run at.
    [worker] = [f for r in resources for f in r["findings"] if f["id"] == "rightsize-instance" and "prod" in r["name"]]
    assert "c6i.large (2 vCPUs) fits: projected CPU p50" in worker["evidence"]
    assert "c6i.xlarge $124.10/mo -> c6i.large $62.05/mo" in worker["evidence"] and worker["monthly_saving"] == 62.05
    # The JSON's findings, each billed thing counted once, are the table's total (which has
    # no idle checks: those are left out here).
    from tracker_tui.findings import savings_of
    from tracker_tui.model import Resource

    metric = set(REGISTRY.metric_rules())
    rows = [Resource.from_dict({**r, "findings": [f for f in r["findings"] if f["id"] not in metric]})
            for r in resources]  # fmt: skip
    saved = savings_of(rows)
    assert savings_line.startswith(
        f"savings: ${saved.monthly:,.2f}/mo (each resource counted once; "
        f"${saved.in_place_monthly:,.2f} of it fixable in place, nothing lost)"
    )
    # The JSON says the same of its own rows (with the idle checks): how much a stop or m reaches.
    everything = savings_of([Resource.from_dict(r) for r in resources])
    assert data["savings"] == everything.to_dict()
    assert 0 < everything.in_place_monthly < everything.monthly


# --- import layering ------------------------------------------------------------------------------


def _lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--no-cache", *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_import_contracts_hold_with_the_repo_config() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Data layers never import Textual (they must run headless) KEPT" in result.stdout
    assert "The model imports neither boto3 nor Textual KEPT" in result.stdout


def test_expired_sso_session_says_how_to_log_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile dev-sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 111111111111\nsso_role_name = ReadOnly\nregion = us-east-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))  # no SSO token cache
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    out, err = io.StringIO(), io.StringIO()
    code = main(["scan", "--profile", "dev-sso"], stdout=out, stderr=err)
    assert code == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err.getvalue()
    assert "aws sso login --profile dev-sso" in lines[0]


def test_endpoint_url_covers_role_profiles_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --endpoint-url, botocore's own AssumeRole (role_arn + source_profile) goes to the
    emulator as well, so several profiles, one of them a role, scan into one inventory."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        config = tmp_path / "config"
        config.write_text(
            "[profile ops]\naws_access_key_id = AKIAOPS000000000000\naws_secret_access_key = x\nregion = us-east-1\n"
            "[profile audit]\nrole_arn = arn:aws:iam::222222222222:role/Auditor\nsource_profile = ops\n"
            "region = us-east-1\n"
        )
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # restored (and the CLI's value undone) after
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            monkeypatch.delenv(var, raising=False)
        ops = boto3.Session(profile_name="ops")
        ops.client("logs", endpoint_url=endpoint).create_log_group(logGroupName="/ops/app")
        creds = ops.client("sts", endpoint_url=endpoint).assume_role(
            RoleArn="arn:aws:iam::222222222222:role/Auditor", RoleSessionName="seed"
        )["Credentials"]
        boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name="us-east-1",
        ).client("logs", endpoint_url=endpoint).create_log_group(logGroupName="/audit/app")
        out, err = io.StringIO(), io.StringIO()
        argv = ["scan", "--endpoint-url", endpoint, "--profile", "ops", "--profile", "audit",
                "--region", "us-east-1", "--kind", "logs:log-group", "--format", "json"]
        code = main(argv, stdout=out, stderr=err)
        assert code == 0, err.getvalue()
        data = json.loads(out.getvalue())
        rows = {(r["account_id"], r["name"]) for r in data["resources"]}
        assert rows == {("123456789012", "/ops/app"), ("222222222222", "/audit/app")}
        assert [a["alias"] for a in data["accounts"]] == ["", ""]  # profile names are not aliases
    finally:
        server.stop()


def test_audit_prints_the_last_entries() -> None:
    from tracker_tui.store import AuditLog

    out = io.StringIO()
    assert main(["audit"], stdout=out, stderr=io.StringIO()) == 0
    assert "no audit entries yet" in out.getvalue()
    log = AuditLog()
    for phase, result in (("before", None), ("after", "ok")):
        log.record(phase=phase, action="release", account="123456789012", region="us-east-1",
                   kind="ec2:elastic-ip", id="eipalloc-1", result=result, request_id="req-1" if result else None)
    out = io.StringIO()
    assert main(["audit", "-n", "5"], stdout=out, stderr=io.StringIO()) == 0
    lines = out.getvalue().splitlines()
    assert "before" in lines[0] and "eipalloc-1" in lines[0]
    assert "after" in lines[1] and "ok" in lines[1] and "req-1" in lines[1]
    assert lines[-1].startswith("(2 entries from ")


def test_config_path_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker_tui.config import config_path

    out = io.StringIO()
    assert main(["config", "--path"], stdout=out, stderr=io.StringIO()) == 0
    assert out.getvalue().strip() == str(config_path())
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('danger_terms = ["prod", "live"]\nconcurrency = "lots"\n')
    out, err = io.StringIO(), io.StringIO()
    assert main(["config"], stdout=out, stderr=err) == 0
    assert 'danger_terms = ["prod", "live"]' in out.getvalue()
    assert "concurrency = 32" in out.getvalue()  # the bad value is ignored ...
    assert "'concurrency'" in err.getvalue()  # ... and reported with its key
    config_path().write_text("this is [ not toml")
    err = io.StringIO()
    assert main(["config"], stdout=io.StringIO(), stderr=err) == 0
    assert "moved aside" in err.getvalue()
    assert not config_path().exists()
    assert list(config_path().parent.glob("config.toml.corrupt-*"))


def test_a_scan_that_stops_on_an_error_is_one_line_not_a_traceback() -> None:
    """The headless scan takes the app's ScanRun: a source that raises mid-scan ends it with
    the run's one-line reason (exit 2 through main), never a thread's traceback."""
    import io as _io

    from tracker_tui import cli
    from tracker_tui.aws.kinds import Thresholds
    from tracker_tui.aws.source import Connection
    from tracker_tui.model import Identity

    class Expiring:
        def scan(self, sink: Any, cancel: Any, thresholds: Any = None) -> Any:
            raise RuntimeError("ExpiredToken: The security token included in the request is expired")

    connection = Connection(Identity(account_id="123456789012"), ("us-east-1",))
    with pytest.raises(cli.UsageError, match=r"^scan stopped: ExpiredToken: The security token"):
        cli._collect(Expiring(), _io.StringIO(), Thresholds(), connection)  # type: ignore[arg-type]
