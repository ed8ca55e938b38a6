"""One boto3 Session per credential set, with a locked, shared client cache.

boto3 Sessions are not thread-safe and cost ~200 ms plus a model cache each to build;
clients are thread-safe once made.  So every scan thread asks this object for a client
and gets the one cached for (service, region), created under a lock.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import boto3
import botocore.exceptions
from botocore.config import Config

from tracker_tui.model import Identity


class CredentialsError(Exception):
    """Credentials are missing, expired or unusable.  The message is one line for the user."""


#: Standard retry mode retries throttling with backoff; the timeouts keep one dead region
#: from hanging a scan.
DEFAULT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 5},
    connect_timeout=5,
    read_timeout=20,
    max_pool_connections=32,
    user_agent_extra="tracker-tui",
)


@dataclass(frozen=True)
class SessionOptions:
    """How to build the session: all optional, default is boto3's credential chain."""

    profile: str | None = None
    endpoint_url: str | None = None
    #: Region used for global services (STS, IAM, ...) and DescribeRegions.
    home_region: str | None = None


class AwsSession:
    """A boto3 Session plus a thread-safe cache of clients keyed by (service, region).

    Args:
        options: profile, endpoint and home region.
        boto_session: an existing boto3 Session to wrap (tests and the demo inject one).
        config: botocore Config applied to every client.
        request_delay: (service, region) -> seconds to sleep before every request; the
            demo and the benchmarks use it to simulate network latency.
    """

    def __init__(
        self,
        options: SessionOptions | None = None,
        *,
        boto_session: boto3.Session | None = None,
        config: Config | None = None,
        request_delay: Callable[[str, str], float] | None = None,
    ) -> None:
        self.options = options or SessionOptions()
        try:
            self.boto = boto_session or boto3.Session(profile_name=self.options.profile)
        except botocore.exceptions.ProfileNotFound:
            raise CredentialsError(
                f"unknown AWS profile '{self.options.profile}' (not in ~/.aws/config or ~/.aws/credentials)"
            ) from None
        self.endpoint_url = self.options.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        cfg = config or DEFAULT_CONFIG
        if self.endpoint_url:
            # Emulators (moto, LocalStack) serve S3 on one host: virtual-host style cannot work.
            cfg = cfg.merge(Config(s3={"addressing_style": "path"}))
        self.config = cfg
        self.home_region = (
            self.options.home_region or self.boto.region_name or "us-east-1"
        )
        self.request_delay = request_delay
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.clients_created = 0

    @property
    def profile(self) -> str | None:
        return self.options.profile or self.boto.profile_name

    def client(self, service: str, region: str | None = None) -> Any:
        """The cached client for ``service`` in ``region`` (home region when None)."""
        key = (service, region or self.home_region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                kwargs: dict[str, Any] = {"region_name": key[1], "config": self.config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                client = self.boto.client(service, **kwargs)
                if self.request_delay is not None:
                    seconds = self.request_delay(service, key[1])
                    if seconds > 0:
                        client.meta.events.register("before-send", functools.partial(_sleep_before_send, seconds))
                self._clients[key] = client
                self.clients_created += 1
        return client

    def identity(self) -> Identity:
        """The caller's account, ARN and (best effort) account alias.

        Raises:
            CredentialsError: with a one-line explanation when credentials are missing,
                expired or rejected.
        """
        try:
            who = self.client("sts").get_caller_identity()
        except Exception as exc:  # noqa: BLE001 - translated to one line for the user
            raise CredentialsError(describe_credentials_error(exc, self.profile)) from None
        alias = ""
        try:
            aliases = self.client("iam").list_account_aliases().get("AccountAliases", [])
            alias = aliases[0] if aliases else ""
        except botocore.exceptions.ClientError:
            alias = ""  # not allowed to read it: the account id stands in
        except botocore.exceptions.BotoCoreError:
            alias = ""
        return Identity(account_id=who["Account"], arn=who.get("Arn", ""), alias=alias)


def available_profiles() -> list[str]:
    """Profile names in the shared config and credentials files (sorted)."""
    try:
        return sorted(boto3.Session().available_profiles)
    except botocore.exceptions.BotoCoreError:
        return []


def _sleep_before_send(seconds: float, **_: Any) -> None:
    time.sleep(seconds)
    # Returning None lets botocore send the request as usual.


EXPIRED_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
}


def describe_credentials_error(exc: BaseException, profile: str | None) -> str:
    """Turn a credential failure into one actionable line."""
    hint_profile = f" --profile {profile}" if profile else ""
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return (
            "no AWS credentials found: pass --profile NAME, set AWS_PROFILE or AWS_ACCESS_KEY_ID, "
            "or try it without an account: tracker-tui --demo"
        )
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return f"unknown AWS profile '{profile}'"
    sso_errors = tuple(
        getattr(botocore.exceptions, name)
        for name in ("SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError")
        if hasattr(botocore.exceptions, name)
    )
    if sso_errors and isinstance(exc, sso_errors):
        return f"the SSO session has expired or is missing: run `aws sso login{hint_profile}` and try again"
    if isinstance(exc, botocore.exceptions.ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "")
        if code in EXPIRED_CODES:
            return (
                f"AWS rejected the credentials ({code}: {message}); refresh them "
                f"(for SSO: `aws sso login{hint_profile}`) and try again"
            )
        return f"cannot confirm the AWS identity ({code}: {message})"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"cannot reach AWS: {exc}"
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"AWS credentials are not usable: {exc}"
    return f"cannot confirm the AWS identity: {exc}"
