"""The IAM permissions tracker-tui needs, known before anything fails (``tracker-tui permissions``).

Each part of the tool declares the IAM actions it calls, next to the code that calls them:
every kind its lister's (``KindSpec.iam_actions``), every CloudWatch rule its reads
(``MetricRule.iam_actions``), the bill (``aws.bill.PERMISSION``), the price refresh
(``pricing.live.IAM_ACTIONS``), ``--org-role`` (``aws.accounts.IAM_ACTIONS``), and each action
handler its own (``ActionSpec.iam_actions``, gathered by ``aws.actions.permissions``: a
read-only module never imports the handlers).  What connecting and ``--check`` itself need is
declared here.  From those ``Part``s this module builds:

* ``policy``: a least-privilege policy document, one statement (with a ``Sid``) per use, so
  the read-only statements can be granted alone;
* ``check``: which parts IAM's policy simulator says the caller would be denied, before any
  scan (``SimulatePrincipalPolicy`` on the caller's user or role).

IAM action names are ``<prefix>:<Operation>`` for most API calls; ``iam_actions`` maps the API
operations whose IAM names differ, and tests/test_permissions.py holds every declaration to
what botocore really sends.  No Textual here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from tracker_tui.aws import accounts, bill
from tracker_tui.aws.kinds import REGISTRY, KindSpec
from tracker_tui.aws.kinds.base import code_of, error_code, message_of
from tracker_tui.aws.session import AwsSession, describe_credentials_error
from tracker_tui.pricing import live

POLICY_VERSION = "2012-10-17"

# --- API operations -> IAM actions -------------------------------------------------------------

#: botocore's service name -> IAM's service prefix, where they differ.
SERVICE_PREFIXES: Mapping[str, str] = {
    "elb": "elasticloadbalancing",
    "elbv2": "elasticloadbalancing",
    "efs": "elasticfilesystem",
    "opensearch": "es",
}

#: (botocore service, operation) -> the IAM actions AWS checks for it, where they are not
#: ``<prefix>:<Operation>``.
OPERATION_ACTIONS: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    # A batch of keys with version ids: AWS wants both (the versions, and the objects).
    ("s3", "DeleteObjects"): ("s3:DeleteObject", "s3:DeleteObjectVersion"),
}

#: The date some APIs put in their wire operation names (Lambda's ``ListFunctions20150331``,
#: as CloudTrail shows it); IAM's action has none.
_DATED = re.compile(r"20\d{6}(v\d+)?$")


def iam_actions(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions AWS authorises one API call as.

    Args:
        service: botocore's service name (``elbv2``), as ``client.meta.service_model`` has it.
        operation: the operation's name (``DescribeLoadBalancers``).

    >>> iam_actions("elbv2", "DescribeLoadBalancers")
    ('elasticloadbalancing:DescribeLoadBalancers',)
    >>> iam_actions("s3", "ListBuckets")
    ('s3:ListAllMyBuckets',)
    """
    operation = _DATED.sub("", operation)
    mapped = OPERATION_ACTIONS.get((service, operation))
    if mapped is not None:
        return mapped
    return (f"{SERVICE_PREFIXES.get(service, service)}:{operation}",)


# --- what each use needs ------------------------------------------------------------------------

#: Connecting: who the caller is (``AwsSession.identity``, also asked again before actions),
#: the account alias for the header (best effort), and the enabled regions
#: (``regions.enabled_regions``).
CONNECT_ACTIONS = ("sts:GetCallerIdentity", "iam:ListAccountAliases", "ec2:DescribeRegions")

#: ``permissions --check`` itself: the simulator, and the role's own ARN (with its path: an
#: assumed-role ARN has none) when the caller is a role.
CHECK_ACTIONS = ("iam:SimulatePrincipalPolicy", "iam:GetRole")


@dataclass(frozen=True)
class Statement:
    """One statement of the policy: what ``--only`` calls it, and its ``Sid``."""

    key: str
    sid: str


#: The statements that change nothing, in the document's order.  Every action verb adds one
#: of its own after them (``statement``).
READ_STATEMENTS: tuple[Statement, ...] = (
    Statement("connect", "TrackerTuiConnect"),  # every command: who, the alias, the regions
    Statement("scan", "TrackerTuiScan"),  # every kind's lister
    Statement("idle", "TrackerTuiIdleChecks"),  # --check-idle, i
    Statement("bill", "TrackerTuiBill"),  # bill, b
    Statement("prices", "TrackerTuiPriceRefresh"),  # prices update, --live-prices
    Statement("org", "TrackerTuiOrganization"),  # --org-role
    Statement("check", "TrackerTuiPermissionsCheck"),  # permissions --check
)
_READ_BY_KEY = {statement.key: statement for statement in READ_STATEMENTS}


def statement(key: str) -> Statement:
    """The statement ``key`` names: a read-only one, else the statement of the action verb ``key``."""
    found = _READ_BY_KEY.get(key)
    if found is not None:
        return found
    # A Sid holds letters and digits only.
    words = "".join(word.title() for word in re.split(r"[^A-Za-z0-9]+", key))
    return Statement(key, f"TrackerTuiAction{words}")


def statement_order(key: str) -> tuple[int, str]:
    """Where the statement ``key`` goes: the read-only ones in their order, then the verbs by name."""
    keys = [s.key for s in READ_STATEMENTS]
    return (keys.index(key), "") if key in keys else (len(keys), key)


@dataclass(frozen=True)
class Part:
    """One thing tracker-tui does and the IAM actions it needs.

    Args:
        statement: the key of the statement its actions go in (``scan``, ``delete``).
        label: how ``--check`` names it (``kind ec2:volume``, ``action delete``).
        subject: what within the label (the kind an action verb acts on), or "".
        actions: what it needs.
        fallbacks: actions it calls only when one of ``actions`` is denied, by that action;
            not in the policy, but ``--check`` counts the part as allowed when they are.
    """

    statement: str
    label: str
    subject: str
    actions: tuple[str, ...]
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def asked(self) -> tuple[str, ...]:
        """Every action ``--check`` asks the simulator about for it (its fallbacks too)."""
        more = [a for alternatives in self.fallbacks.values() for a in alternatives]
        return tuple(dict.fromkeys([*self.actions, *more]))

    def denied(self, allowed: Callable[[str], bool]) -> tuple[str, ...]:
        """The actions it needs that ``allowed`` refuses; one whose fallbacks are all allowed
        is not counted (the code takes the other way)."""
        out = []
        for action in self.actions:
            if allowed(action):
                continue
            alternatives = self.fallbacks.get(action)
            if alternatives and all(allowed(a) for a in alternatives):
                continue
            out.append(action)
        return tuple(out)


def kind_part(spec: KindSpec) -> Part:
    """What scanning one kind needs."""
    return Part("scan", f"kind {spec.id}", "", tuple(spec.iam_actions), dict(spec.iam_fallbacks))


def idle_part(kinds: Iterable[KindSpec]) -> Part | None:
    """What the idle checks of ``kinds`` need (None when none of them has a metric rule)."""
    rules = [rule for spec in kinds for rule in spec.metric_rules]
    if not rules:
        return None
    actions = tuple(dict.fromkeys(a for rule in rules for a in rule.iam_actions))
    return Part("idle", "idle checks", "", actions)


def read_parts(kinds: Sequence[KindSpec] | None = None) -> list[Part]:
    """Every read-only part, for ``kinds`` (default: every registered kind)."""
    chosen = list(REGISTRY.values()) if kinds is None else list(kinds)
    parts = [Part("connect", "connect", "", CONNECT_ACTIONS)]
    parts += [kind_part(spec) for spec in chosen]
    idle = idle_part(chosen)
    if idle is not None:
        parts.append(idle)
    parts += [
        Part("bill", "bill", "", (bill.PERMISSION,)),
        Part("prices", "price refresh", "", tuple(live.IAM_ACTIONS)),
        Part("org", "--org-role", "", tuple(accounts.IAM_ACTIONS)),
        Part("check", "permissions --check", "", CHECK_ACTIONS),
    ]
    return parts


# --- the policy document ------------------------------------------------------------------------


def policy(parts: Iterable[Part]) -> dict[str, Any]:
    """The least-privilege policy document for ``parts``: one statement per statement key,
    in a fixed order, each action once and sorted, so the same build prints the same bytes."""
    by_statement: dict[str, set[str]] = {}
    for part in parts:
        by_statement.setdefault(part.statement, set()).update(part.actions)
    statements = []
    for key in sorted(by_statement, key=statement_order):
        actions = sorted(by_statement[key])
        if actions:
            statements.append({"Sid": statement(key).sid, "Effect": "Allow", "Action": actions, "Resource": "*"})
    return {"Version": POLICY_VERSION, "Statement": statements}


def dumps(document: Mapping[str, Any]) -> str:
    """The document as ``tracker-tui permissions`` prints it (indented JSON, a final newline)."""
    return json.dumps(document, indent=2) + "\n"


#: Characters (whitespace aside) a customer managed policy may hold.
MANAGED_POLICY_LIMIT = 6144


def compact_size(document: Mapping[str, Any]) -> int:
    """How IAM counts the document against its size quotas: without whitespace."""
    return len(json.dumps(document, separators=(",", ":")))


# --- asking IAM's policy simulator ---------------------------------------------------------------


class SimulatorError(Exception):
    """The simulator cannot answer (denied, unreachable, a caller it cannot simulate): one line."""


#: Actions asked per SimulatePrincipalPolicy request: AWS documents no limit, and each answer
#: holds one evaluation (with its statements) per action, so requests are kept small.
SIMULATE_BATCH = 50

_ASSUMED_ROLE = re.compile(r"^arn:(?P<partition>[^:]+):sts::(?P<account>\d+):assumed-role/(?P<role>[^/]+)/.+$")
_IAM_PRINCIPAL = re.compile(r"^arn:[^:]+:iam::\d+:(user|role)/.+$")


def principal_arn(caller_arn: str) -> tuple[str, str]:
    """The ARN the simulator takes for the caller, and the role name when it is a role session.

    An assumed role's STS ARN (``arn:aws:sts::1:assumed-role/Name/session``) becomes the role's
    ARN (``arn:aws:iam::1:role/Name``, without the path the STS ARN leaves out); a user's ARN is
    taken as it is.

    Raises:
        SimulatorError: the root user or a federated user (the simulator takes neither).
    """
    found = _ASSUMED_ROLE.match(caller_arn)
    if found:
        arn = f"arn:{found['partition']}:iam::{found['account']}:role/{found['role']}"
        return arn, found["role"]
    if _IAM_PRINCIPAL.match(caller_arn):
        return caller_arn, ""
    if caller_arn.endswith(":root"):
        raise SimulatorError(
            f"{caller_arn} is the account's root user: IAM allows it everything (an SCP aside) and "
            "the simulator cannot check it; use a user or role"
        )
    raise SimulatorError(
        f"IAM's policy simulator takes a user or a role, not {caller_arn or 'an unknown caller'} "
        "(a federated user's permissions are its session policy's)"
    )


def _role_arn(session: AwsSession, fallback: str, role: str) -> str:
    """The role's own ARN, with its path (SSO roles live under ``/aws-reserved/...``), or
    ``fallback`` when GetRole is not allowed: most roles have no path."""
    try:
        return str(session.client("iam").get_role(RoleName=role)["Role"]["Arn"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, KeyError):
        return fallback


def _simulator_error(exc: BaseException, principal: str) -> SimulatorError:
    if isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc)
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
            return SimulatorError(
                f"IAM's policy simulator refused to answer ({code}: {message_of(exc)}); --check needs "
                f"iam:SimulatePrincipalPolicy on {principal}. `tracker-tui permissions` prints the policy"
            )
        if code == "NoSuchEntity":
            return SimulatorError(
                f"IAM does not know {principal} ({message_of(exc)}); a role with a path needs iam:GetRole "
                "for --check to find it"
            )
        return SimulatorError(f"IAM's policy simulator failed ({code_of(exc)}: {message_of(exc)})")
    if isinstance(exc, botocore.exceptions.BotoCoreError):  # no network, a timeout, no credentials
        return SimulatorError(f"cannot ask IAM's policy simulator: {describe_credentials_error(exc, None)}")
    return SimulatorError(f"IAM's policy simulator answered what tracker-tui cannot read ({code_of(exc)}: {exc})")


def simulate(session: AwsSession, principal: str, actions: Sequence[str]) -> dict[str, str]:
    """The simulator's decision (``allowed``, ``implicitDeny``, ``explicitDeny``) per action,
    for ``principal`` on every resource (``*``).

    Raises:
        SimulatorError: the simulator was refused or could not be reached.
    """
    decisions: dict[str, str] = {}
    try:
        paginator = session.client("iam").get_paginator("simulate_principal_policy")
        for first in range(0, len(actions), SIMULATE_BATCH):
            batch = list(actions[first : first + SIMULATE_BATCH])
            for page in paginator.paginate(PolicySourceArn=principal, ActionNames=batch):
                for result in page.get("EvaluationResults", []):
                    decisions[str(result.get("EvalActionName", ""))] = str(result.get("EvalDecision", ""))
    except Exception as exc:  # noqa: BLE001 - every failure is one line for the user
        raise _simulator_error(exc, principal) from None
    return decisions


@dataclass(frozen=True)
class CheckReport:
    """What the simulator said about every part, for one caller."""

    principal: str
    parts: tuple[Part, ...]
    #: The simulator's decision per action asked (an action it did not answer counts as denied).
    decisions: Mapping[str, str]

    def allowed(self, action: str) -> bool:
        return self.decisions.get(action) == "allowed"

    @property
    def asked(self) -> tuple[str, ...]:
        return tuple(sorted({a for part in self.parts for a in part.asked}))

    def denied(self) -> list[tuple[Part, tuple[str, ...]]]:
        """Each part the caller would be denied, with the actions it lacks."""
        return [(part, missing) for part in self.parts if (missing := part.denied(self.allowed))]

    def lines(self) -> list[str]:
        """One line per denied kind, check or action verb (a verb's kinds on its one line),
        in the policy's statement order."""
        grouped: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        order: dict[str, tuple[int, str]] = {}
        for part, missing in self.denied():
            grouped.setdefault(part.label, []).append((part.subject, missing))
            order.setdefault(part.label, statement_order(part.statement))
        out = []
        for label in sorted(grouped, key=lambda lbl: order[lbl]):
            pieces = [
                f"{', '.join(missing)} ({subject})" if subject else ", ".join(missing)
                for subject, missing in grouped[label]
            ]
            out.append(f"{label}: denied {'; '.join(pieces)}")
        return out

    def summary(self) -> str:
        """The closing line: all allowed, or how much is not."""
        denied = sorted({a for _, missing in self.denied() for a in missing})
        if not denied:
            return f"all {len(self.asked)} IAM actions tracker-tui uses are allowed for {self.principal}"
        return (
            f"{len(denied)} of the {len(self.asked)} IAM actions tracker-tui uses would be denied for "
            f"{self.principal}; `tracker-tui permissions` prints the policy that grants them"
        )


def check(session: AwsSession, parts: Sequence[Part]) -> CheckReport:
    """Ask IAM's policy simulator which of ``parts`` the session's caller would be denied.

    Raises:
        CredentialsError: the caller's identity cannot be had (one line).
        SimulatorError: the caller cannot be simulated, or the simulator cannot answer.
    """
    caller = session.identity().arn
    principal, role = principal_arn(caller)
    if role:
        principal = _role_arn(session, principal, role)
    asked = sorted({a for part in parts for a in part.asked})
    decisions = simulate(session, principal, asked)
    return CheckReport(principal, tuple(parts), decisions)
