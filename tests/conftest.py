"""Test-wide safety: dummy credentials, no AWS config files, no instance metadata.

Nothing in the suite may reach real AWS: every test runs against moto (in-process with
``mock_aws`` or the demo's loopback server) with these throwaway credentials.
"""

from __future__ import annotations

import os

_SAFE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
# Applied at import so module-level code (and moto's settings) see them too.
os.environ.update(_SAFE_ENV)
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
    os.environ.pop(_var, None)

# Imported only now, so nothing below can see the real environment first.
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from tests.support.helpers import assumed_session  # noqa: E402
from tracker_tui.store import AuditLog  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config, cache and data dirs (platformdirs) point into a temp dir per test."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    for var, value in _SAFE_ENV.items():
        monkeypatch.setenv(var, value)
    # ``--endpoint-url`` sets AWS_ENDPOINT_URL for the process (botocore's own calls read
    # it): recorded as unset now, so whatever a test's CLI run sets is gone after it.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "")
    monkeypatch.delenv("AWS_ENDPOINT_URL")


@pytest.fixture(autouse=True)
def _workers_only_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan in worker processes must target a moto server on loopback.

    ``mock_aws`` patches this process only: a worker process forked for a test that forgot
    ``workers = 0`` would send its requests to the real AWS endpoints.  Every job the parent
    hands a worker is checked here first; such a test fails instead.
    """
    from urllib.parse import urlparse

    import tracker_tui.aws.source as source_module

    real = source_module.job_for

    def checked(*args: Any, **kwargs: Any) -> Any:
        job = real(*args, **kwargs)
        host = urlparse(job.endpoint_url or "").hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(
                f"a worker process would scan {job.endpoint_url or 'real AWS'}: in-process moto (mock_aws) "
                "cannot be reached from workers; scan with workers=0 or a moto server on loopback"
            )
        return job

    monkeypatch.setattr(source_module, "job_for", checked)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    """An audit log of the test's own (every action test reads back what was written)."""
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
def org() -> Any:
    """An Organization with 3 member accounts, each (and the management one) holding one log group.

    moto here is in this process (``mock_aws``), which the scan's worker processes cannot
    reach: the config says ``workers = 0``, so several accounts are scanned in-process, on
    threads.  ``tests/test_workers.py`` scans a moto server in worker processes.
    """
    from tracker_tui.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("workers = 0\n", encoding="utf-8")
    with mock_aws():
        client = boto3.client("organizations", region_name="us-east-1")
        client.create_organization(FeatureSet="ALL")
        members = []
        for name in ("payments-prod", "data-staging", "sandbox"):
            status = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
            members.append((status["AccountId"], name))
        for account_id, name in members:
            assumed_session(account_id).client("logs").create_log_group(logGroupName=f"/app/{name}")
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/app/management")
        yield SimpleNamespace(members=members, ids=[a for a, _ in members])


def _share_botocore_models() -> None:
    """Every botocore session of the suite reads service models through one loader.

    The code under test does so for the sessions it makes (``aws.session.new_boto_session``);
    the tests' own ``boto3.client(...)`` calls that seed moto make a session each, which would
    parse ``endpoints.json`` and the service's model again: 0.2-0.5 s of CPU per test.
    """
    import botocore.session

    from tracker_tui.aws.session import shared_loader

    def register(self: botocore.session.Session) -> None:
        self._components.lazy_register_component("data_loader", shared_loader)

    global UNSHARED_MODELS
    UNSHARED_MODELS = botocore.session.Session._register_data_loader
    botocore.session.Session._register_data_loader = register


#: botocore's own ``_register_data_loader`` (a loader per session), for the tests of sharing.
UNSHARED_MODELS: Any = None
_share_botocore_models()
