"""Several accounts in one scan: one session per profile, or one per Organization member.

``--profile a --profile b`` builds one ``AwsSession`` per profile; ``--org-role ROLE``
lists the Organization's active accounts (or takes them from a file, ``--accounts-from``)
and assumes ``ROLE`` in each, optionally only one ``--shard I/N``'s share of them.  Either
way every account gets its own Session (credentials are per Session), but all of them share
one botocore data loader, so each service's JSON model is read and parsed once per process,
not once per account (see ``shared_core_session``).

A role that cannot be assumed is an ``AccountFailure`` for that account, never an
exception: the other accounts are still scanned.
"""

from __future__ import annotations

import json
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.credentials
import botocore.exceptions
import botocore.session

from tracker_tui.aws.kinds.base import error_code
from tracker_tui.aws.session import AwsSession, CredentialsError, SessionOptions, describe_credentials_error

#: How many AssumeRole calls run at once (an Organization may have hundreds of accounts).
ASSUME_WORKERS = 16
#: Lifetime asked for the role's credentials; they are refreshed (re-assumed) before expiry.
ROLE_SECONDS = 3600
#: What ``--org-role`` needs of the caller (``tracker-tui permissions``' org statement): the
#: Organization's accounts, and the role in each.  The role itself needs the scan's.
IAM_ACTIONS = ("organizations:ListAccounts", "sts:AssumeRole")


class AccountsError(CredentialsError):
    """The list of accounts itself cannot be had (not in an Organization, no permission).

    A ``CredentialsError``, so callers that already turn those into one line and exit 2
    need nothing more.
    """


class AccountsFileError(ValueError):
    """An ``--accounts-from`` file that cannot be used; the message is one sentence naming
    the file (and the line, when one is at fault)."""


_SHARD = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", re.ASCII)


@dataclass
class ShardTally:
    """What a shard's last selection kept: ``picked`` of ``total`` accounts (None: none yet)."""

    picked: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class Shard:
    """``--shard I/N``: the I-th of N shares of an Organization's accounts (1-based).

    An account belongs to shard ``zlib.crc32(account_id) % N + 1``: its share depends on its
    own id and nothing else, so hosts that each list the Organization (or read their own
    copy of the account list) a little apart in time never skip or double an account: one
    created or closed meanwhile changes only its own place, never the others'.  CRC-32 is
    the same on every host, Python version and run (``hash()`` is salted per process), and
    spreads 12-digit ids about evenly.  Changing N reshuffles the shares, so every host of
    one split must be given the same N.

    Raises:
        ValueError: from the constructor, when not ``1 <= index <= count``.
    """

    index: int
    count: int
    #: What ``select`` last kept, so a command can say ``shard 2/5: 7 of 31 accounts``
    #: without listing the Organization a second time.  Not part of the shard's identity.
    tally: ShardTally = field(default_factory=ShardTally, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index}/{self.count} does not exist: I/N needs 1 <= I <= N, such as 2/5")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/5"`` -> ``Shard(2, 5)``.

        Raises:
            ValueError: one sentence saying what a shard looks like.
        """
        match = _SHARD.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a shard: give I/N (the I-th of N shares, 1 <= I <= N), such as 2/5")
        return cls(int(match[1]), int(match[2]))

    def picks(self, account_id: str) -> bool:
        """Whether ``account_id`` is in this share (the same answer on every host)."""
        return zlib.crc32(account_id.encode("utf-8")) % self.count == self.index - 1

    def select(self, accounts: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The (id, name) pairs of this share, in their order; counted in ``tally``."""
        every = list(accounts)
        picked = [a for a in every if self.picks(a[0])]
        self.tally.picked, self.tally.total = len(picked), len(every)
        return picked

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class AccountTarget:
    """One account to scan: its id, its name (Organizations name or profile) and session.

    ``account_id`` is empty for a profile target until the source has asked STS who it is.
    """

    account_id: str
    name: str
    session: AwsSession


@dataclass(frozen=True)
class AccountFailure:
    """An account that cannot be scanned, and why (``code`` is the AWS error code)."""

    account_id: str
    name: str
    code: str
    message: str

    def line(self) -> str:
        """One line for the header / stderr: ``111122223333 (payments): AccessDenied: ...``."""
        who = self.account_id or "?"
        if self.name and self.name != self.account_id:
            who = f"{who} ({self.name})"
        return f"{who}: {self.code}: {self.message}"


# --- shared service models ----------------------------------------------------------------


def shared_core_session(loader_from: boto3.Session | botocore.session.Session | None) -> botocore.session.Session:
    """A fresh botocore session that reuses ``loader_from``'s data loader.

    The loader caches every JSON file it has read (service models, paginators, endpoint
    rules, partitions), so sessions sharing it parse each model once.  Credentials, config
    and the client cache stay per session.
    """
    core = botocore.session.Session()
    if loader_from is not None:
        base = loader_from._session if isinstance(loader_from, boto3.Session) else loader_from
        core.register_component("data_loader", base.get_component("data_loader"))
    return core


def _boto_session(core: botocore.session.Session, **kwargs: Any) -> boto3.Session:
    boto = boto3.Session(botocore_session=core, **kwargs)
    # boto3 appends its own data dir to the loader's search path on every Session; with a
    # shared loader that would grow the list by one entry per account.
    paths = core.get_component("data_loader").search_paths
    paths[:] = list(dict.fromkeys(paths))
    return boto


# --- --profile a --profile b ---------------------------------------------------------------


def profile_sessions(
    profiles: Sequence[str],
    endpoint_url: str | None = None,
    *,
    request_delay: Callable[[str, str], float] | None = None,
) -> list[AwsSession]:
    """One ``AwsSession`` per named profile (duplicates dropped), sharing service models.

    Raises:
        CredentialsError: naming the first profile that is not in the AWS config files.
    """
    sessions: list[AwsSession] = []
    first: boto3.Session | None = None
    for profile in dict.fromkeys(profiles):
        core = shared_core_session(first)
        try:
            boto = _boto_session(core, profile_name=profile)
            # With a shared loader boto3 no longer reads the config while it starts, so
            # nothing has checked that the profile exists yet.
            core.get_scoped_config()
        except botocore.exceptions.ProfileNotFound:
            raise CredentialsError(
                f"unknown AWS profile '{profile}' (not in ~/.aws/config or ~/.aws/credentials)"
            ) from None
        first = first or boto
        sessions.append(
            AwsSession(
                SessionOptions(profile=profile, endpoint_url=endpoint_url),
                boto_session=boto,
                request_delay=request_delay,
            )
        )
    return sessions


def profile_targets(sessions: Sequence[AwsSession]) -> list[AccountTarget]:
    """Targets for profile sessions; the account id is learnt when the source connects."""
    return [AccountTarget("", s.profile or "", s) for s in sessions]


# --- --org-role ROLE -----------------------------------------------------------------------


def org_role_sessions(
    base: AwsSession,
    role_name: str,
    *,
    session_name: str = "tracker-tui",
    share_models: bool = True,
    account_ids: Sequence[str] | None = None,
    accounts: Sequence[tuple[str, str]] | None = None,
    shard: Shard | None = None,
    on_listed: Callable[[int], None] | None = None,
) -> tuple[list[AccountTarget], list[AccountFailure]]:
    """Every ACTIVE account of the Organization, with a session that has assumed ``role_name``.

    The account ``base`` itself runs in (usually the management account) uses ``base``
    directly.  Role credentials refresh themselves (a new AssumeRole) before they expire,
    so actions taken hours after the scan still work.

    Args:
        base: the caller's session; must be allowed ``sts:AssumeRole`` on the roles, and
            ``organizations:ListAccounts`` unless ``accounts`` is given.
        role_name: the role's name in every member account (e.g.
            ``OrganizationAccountAccessRole``); a path may be included (``path/name``).
        session_name: the RoleSessionName, visible in the members' CloudTrail.
        share_models: reuse ``base``'s botocore data loader (benchmarks turn it off to
            measure what it saves).
        account_ids: only these accounts (in the Organization's order); None: all.
        accounts: (id, name) of the accounts to scan, instead of asking Organizations
            (``--accounts-from``: a delegated host may not be allowed ListAccounts); the
            first of two with the same id stands.
        shard: only this share of the accounts, listed or given (``--shard I/N``).
        on_listed: told how many accounts there are, before their roles are assumed (the
            caller can start what several accounts need meanwhile).

    Returns:
        (targets in ListAccounts (or ``accounts``) order with ``base``'s own account first,
        failures).

    Raises:
        AccountsError: the Organization's accounts cannot be listed, the caller's identity
            cannot be confirmed, or ``shard`` picks none of the accounts.
    """
    try:
        who = base.client("sts").get_caller_identity()
    except Exception as exc:  # noqa: BLE001 - one line for the user
        raise AccountsError(describe_credentials_error(exc, base.profile)) from None
    own_account = who["Account"]
    partition = (who.get("Arn") or "arn:aws:").split(":")[1] or "aws"
    listed = _active_accounts(base) if accounts is None else _unique(accounts)
    if account_ids is not None:
        wanted = set(account_ids)
        listed = [a for a in listed if a[0] in wanted]
    if shard is not None:
        listed = shard.select(listed)
        if not listed:
            total = shard.tally.total
            which = f"the Organization's {total} accounts" if accounts is None else f"the {total} accounts given"
            raise AccountsError(
                f"shard {shard} picks none of {which} (an account's shard follows from its id alone): "
                "nothing to scan on this host"
            )
    listed.sort(key=lambda a: a[0] != own_account)  # stable: otherwise Organizations' order
    if on_listed is not None:
        on_listed(len(listed))

    role_path = role_name.strip("/")
    sts = base.client("sts")

    def open_one(account: tuple[str, str]) -> AccountTarget | AccountFailure:
        account_id, name = account
        if account_id == own_account:
            return AccountTarget(account_id, name, base)
        role_arn = f"arn:{partition}:iam::{account_id}:role/{role_path}"
        fetch = _assume_role_fetcher(sts, role_arn, session_name)
        try:
            first = fetch()
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc) or "ClientError"
            message = exc.response.get("Error", {}).get("Message", "") or str(exc)
            return AccountFailure(account_id, name, code, f"cannot assume {role_arn}: {message}")
        except botocore.exceptions.BotoCoreError as exc:
            return AccountFailure(account_id, name, type(exc).__name__, f"cannot assume {role_arn}: {exc}")
        credentials = botocore.credentials.RefreshableCredentials.create_from_metadata(
            metadata=first, refresh_using=fetch, method="assume-role"
        )
        core = shared_core_session(base.boto if share_models else None)
        core.get_component("credential_provider").insert_before("env", _FixedCredentials(credentials))
        boto = _boto_session(core, region_name=base.home_region)
        session = AwsSession(
            SessionOptions(endpoint_url=base.endpoint_url, home_region=base.home_region),
            boto_session=boto,
            config=base.config,
            request_delay=base.request_delay,
        )
        return AccountTarget(account_id, name, session)

    workers = max(1, min(ASSUME_WORKERS, len(listed)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="assume") as pool:
        opened = list(pool.map(open_one, listed))
    targets = [o for o in opened if isinstance(o, AccountTarget)]
    failures = [o for o in opened if isinstance(o, AccountFailure)]
    return targets, failures


def _active_accounts(base: AwsSession) -> list[tuple[str, str]]:
    """(id, name) of every ACTIVE account, all pages of ListAccounts."""
    out: list[tuple[str, str]] = []
    try:
        for page in base.client("organizations").get_paginator("list_accounts").paginate():
            for account in page.get("Accounts", []):
                # ``State`` replaces ``Status`` (deprecated 2025); honour whichever is there.
                state = account.get("State") or account.get("Status")
                if state == "ACTIVE":
                    out.append((account["Id"], account.get("Name", "")))
    except botocore.exceptions.ClientError as exc:
        code = error_code(exc) or "ClientError"
        message = exc.response.get("Error", {}).get("Message", "")
        raise AccountsError(f"cannot list the Organization's accounts for --org-role ({code}: {message})") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise AccountsError(f"cannot list the Organization's accounts for --org-role ({exc})") from None
    if not out:
        # AWS says AWSOrganizationsNotInUseException; emulators answer with an empty list.
        raise AccountsError(
            "cannot list the Organization's accounts for --org-role "
            "(none is active: is this account in an Organization?)"
        )
    return out


def _unique(accounts: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``accounts`` without repeats: the first (id, name) of each id stands, with a name a
    later one gave if it had none."""
    names: dict[str, str] = {}
    for account_id, name in accounts:
        if not names.get(account_id):
            names[account_id] = name
    return list(names.items())


# --- --accounts-from FILE --------------------------------------------------------------------

_ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
#: ``#`` at a line's start or after a blank begins a comment, as in a shell (``Team#3`` is a name).
_COMMENT = re.compile(r"(?:^|\s)#")
#: A text line without its comment: the id, then optionally blanks and/or a comma, and the name.
_TEXT_LINE = re.compile(r"(?P<id>[^\s,]+)\s*(?:,\s*)?(?P<name>.*)")


def read_accounts_file(path: str | Path) -> list[tuple[str, str]]:
    """The (id, name) pairs an ``--accounts-from`` file lists, in its order, repeats dropped.

    Two forms are read, so the list can be written by hand or saved where ListAccounts is
    allowed and used where it is not:

    - text, one account a line: ``123456789012``, ``123456789012 name`` or
      ``123456789012,name``; blank lines and ``#`` comments (a line's start, or after a
      blank) are skipped;
    - the JSON ``aws organizations list-accounts`` prints (``{"Accounts": [{"Id", "Name",
      "State" or "Status"}]}``, or the list alone): only ACTIVE accounts are kept (one with
      neither field is kept: it was written by hand).

    Raises:
        AccountsFileError: one sentence naming the file, and the line at fault: unreadable,
            an id that is not 12 digits, JSON of another shape, or no account at all.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AccountsFileError(f"cannot read the accounts file {path}: no such file") from None
    except UnicodeDecodeError:
        raise AccountsFileError(f"cannot read the accounts file {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise AccountsFileError(f"cannot read the accounts file {path}: {exc.strerror or exc}") from None
    if text.lstrip().startswith(("{", "[")):
        accounts = _json_accounts(path, text)
        if not accounts:
            raise AccountsFileError(f"the accounts file {path} lists no ACTIVE account")
    else:
        accounts = _text_accounts(path, text)
        if not accounts:
            raise AccountsFileError(f"the accounts file {path} lists no account (only blank lines and comments)")
    return _unique(accounts)


def _text_accounts(path: Path, text: str) -> list[tuple[str, str]]:
    accounts = []
    for number, line in enumerate(text.splitlines(), start=1):
        body = _COMMENT.split(line, maxsplit=1)[0].strip()
        if not body:
            continue
        match = _TEXT_LINE.fullmatch(body)
        account_id = match["id"] if match else body
        if match is None or not _ACCOUNT_ID.fullmatch(account_id):
            raise AccountsFileError(
                f"{path} line {number}: {account_id[:40]!r} is not a 12-digit account id "
                "(each line is an id, then optionally a blank or a comma and the account's name)"
            )
        accounts.append((account_id, match["name"].strip()))
    return accounts


def _json_accounts(path: Path, text: str) -> list[tuple[str, str]]:
    shape = 'the JSON of `aws organizations list-accounts` ({"Accounts": [{"Id": ..., "Name": ...}, ...]})'
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AccountsFileError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg}); expected {shape}") from None
    items = data.get("Accounts") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise AccountsFileError(f"{path}: no 'Accounts' list; expected {shape}")
    accounts = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise AccountsFileError(f"{path}: Accounts[{index}] is not an object; expected {shape}")
        account_id = item.get("Id")
        if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
            what = "has no 'Id'" if account_id is None else f"has the Id {str(account_id)[:40]!r}, not 12 digits"
            raise AccountsFileError(f"{path}: Accounts[{index}] {what}; expected {shape}")
        state = item.get("State") or item.get("Status")
        if state is None or state == "ACTIVE":
            accounts.append((account_id, str(item.get("Name") or "")))
    return accounts


def _assume_role_fetcher(sts: Any, role_arn: str, session_name: str) -> Callable[[], dict[str, str]]:
    """A function that assumes the role and returns botocore's credential metadata."""
    lock = threading.Lock()

    def fetch() -> dict[str, str]:
        with lock:  # botocore refreshes under its own lock too; this keeps fetches serial
            creds = sts.assume_role(
                RoleArn=role_arn, RoleSessionName=session_name[:64], DurationSeconds=ROLE_SECONDS
            )["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    return fetch


class _FixedCredentials(botocore.credentials.CredentialProvider):
    """A credential provider that hands out credentials we already hold."""

    METHOD = "assume-role"
    CANONICAL_NAME = "tracker-tui-assume-role"

    def __init__(self, credentials: botocore.credentials.Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> botocore.credentials.Credentials:
        return self._credentials
