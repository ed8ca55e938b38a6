"""Stop, terminate, delete and release, with the safety rails of PRODUCT.md.

Every action runs validate -> preflight -> act -> verify:

1. the caller identity must still be the scanned account (checked once per run);
2. the resource is read again and its state re-checked (already stopped, attached
   volume, associated EIP, non-empty bucket, ...); protected resources are refused
   (protected tag keys; EC2 termination/stop protection; RDS deletion protection; we
   never switch a protection off);
3. EC2 calls go first with ``DryRun=True`` so a missing permission refuses before
   anything changes;
4. the call is made, written to the audit log before and after;
5. the result is verified (waiter or bounded polling).

One failure never stops the rest of a bulk run.  Nothing here imports Textual.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Literal, Mapping, Sequence

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from tracker_tui.aws.kinds import ec2 as ec2_kind
from tracker_tui.aws.kinds import rds as rds_kind
from tracker_tui.aws.kinds.base import CellContext, error_code, tag_dict
from tracker_tui.aws.session import AwsSession
from tracker_tui.model import Resource
from tracker_tui.pricing.estimate import cents, estimate, price_resources
from tracker_tui.store import AuditLog

#: What the user pressed: ``s`` is "stop", ``ctrl+d`` is "delete" (which means terminate
#: for an instance and release for an Elastic IP).
Verb = Literal["stop", "delete"]

#: The action each kind takes for each verb (absent: not applicable to that kind).
ACTIONS: dict[str, dict[str, str]] = {
    "ec2:instance": {"stop": "stop", "delete": "terminate"},
    "rds:db-instance": {"stop": "stop", "delete": "delete"},
    "ec2:volume": {"delete": "delete"},
    "ec2:nat-gateway": {"delete": "delete"},
    "s3:bucket": {"delete": "delete"},
    "elb:load-balancer": {"delete": "delete"},
    "logs:log-group": {"delete": "delete"},
    "ec2:elastic-ip": {"delete": "release"},
}


class Status(str, enum.Enum):
    """Where one row's action stands."""

    REQUESTED = "requested"
    IN_PROGRESS = "in progress"
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def is_final(self) -> bool:
        return self in (Status.DONE, Status.REFUSED, Status.FAILED, Status.SKIPPED)


@dataclass(frozen=True)
class PlannedAction:
    """One row of a confirm dialog: what will be done to a resource, or why nothing will."""

    resource: Resource
    #: "stop" | "terminate" | "delete" | "release", or None when nothing applies.
    action: str | None
    #: Why nothing applies (known without any API call), e.g. "iam:role has no delete action".
    skip_reason: str | None = None
    #: Estimated monthly saving if it is done (None: unknown).
    saving: float | None = None
    #: Extra the dialog must show, e.g. the RDS final snapshot's name.
    note: str = ""
    #: RDS delete: the final snapshot the run will take (None: no snapshot, or not RDS).
    final_snapshot: str | None = None


@dataclass
class ActionOptions:
    """Choices that shape a run; the confirm dialog sets the user-facing ones."""

    protected_tags: tuple[str, ...] = ("do-not-delete", "protected")
    #: RDS deletes keep a final snapshot unless the user turns this off.
    rds_final_snapshot: bool = True
    #: The user explicitly chose "empty it first (all versions)" for non-empty buckets.
    empty_buckets: bool = False
    #: Upper bound on waiting for an action to be verified (seconds).
    verify_timeout: float = 300.0
    poll_interval: float = 5.0


@dataclass(frozen=True)
class ActionUpdate:
    """A progress report for one row (sent for every status change)."""

    resource: Resource
    action: str | None
    status: Status
    #: The refusal reason, or the AWS error for a failure.
    message: str = ""
    #: The AWS error code of a failure (or of a refused DryRun).
    code: str = ""
    #: After a successful stop: the resource as re-read (new state, repriced).
    result: Resource | None = None
    #: True when the resource no longer exists (terminated, deleted, released, or found
    #: gone when re-read: then the status is REFUSED, since nothing was done to it).
    deleted: bool = False
    #: The AWS request id of the mutating call (empty when none was made).
    request_id: str = ""


UpdateSink = Callable[[ActionUpdate], None]


# --- planning (pure) ---------------------------------------------------------------------

#: Prefix of the final snapshot an RDS delete leaves behind.
FINAL_SNAPSHOT_PREFIX = "tracker-tui-final"


def final_snapshot_id(db_instance_id: str, when: datetime | None = None) -> str:
    """``tracker-tui-final-<db-id>-<YYYYmmddHHMMSS>`` (UTC), the name of an RDS delete's final snapshot."""
    when = when or datetime.now(timezone.utc)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return f"{FINAL_SNAPSHOT_PREFIX}-{db_instance_id}-{when:%Y%m%d%H%M%S}"


def _stop_saving(resource: Resource) -> float | None:
    """What stopping saves a month: the compute part of the row's cost.

    An EC2 instance's row holds compute only (its volumes are their own rows).  An RDS
    instance keeps paying for storage while stopped: the catalogue prices the stopped
    state, and the difference is the saving.
    """
    cost = resource.monthly_cost
    if cost is None:
        return None
    if resource.kind == "ec2:instance":
        return cost
    if resource.kind == "rds:db-instance":
        stopped_cost, _ = estimate(dataclasses.replace(resource, state="stopped"))
        if stopped_cost is None:
            return None
        return cents(max(0.0, cost - stopped_cost))
    return None


def _plan_note(resource: Resource, action: str, options: ActionOptions, snapshot: str | None) -> str:
    kind = resource.kind
    if kind == "rds:db-instance" and action == "delete":
        if snapshot:
            return f"final snapshot {snapshot}"
        return "no final snapshot: the data is gone for good"
    if kind == "rds:db-instance" and action == "stop":
        return "RDS starts a stopped DB instance again after 7 days"
    if kind == "ec2:instance":
        group = resource.details.get("autoscaling_group")
        if group:
            return f"managed by Auto Scaling group {group}: it may launch a replacement"
        if action == "terminate":
            return "its EBS volumes follow their DeleteOnTermination setting; Elastic IPs stay allocated"
    if kind == "ec2:nat-gateway":
        return "its Elastic IPs stay allocated (release them separately)"
    if kind == "s3:bucket":
        if options.empty_buckets:
            return "empties it first: every object and every version is deleted"
        objects = resource.details.get("object_count")
        if isinstance(objects, int) and objects > 0:
            return f"holds {objects:,} objects (CloudWatch, daily): refused unless you choose to empty it first"
        return "deleted only if it is empty"
    return ""


def skip_reason(kind: str, verb: str) -> str:
    """Why ``verb`` does nothing to a row of ``kind``, in plain words (the kind is shown beside it)."""
    if not ACTIONS.get(kind):
        return "read-only kind"
    return f"no {verb} action"


def skipped_by_reason(planned: Sequence[PlannedAction]) -> list[tuple[str, list[tuple[str, int]]]]:
    """The skipped rows grouped by reason, each reason once with its kinds and their counts.

    ``[("read-only kind", [("lambda:function", 12), ("iam:role", 3)]), ...]``: reasons by
    how many rows they cover, kinds likewise (ties by name), so a long selection reads in
    two lines instead of one line per row.
    """
    groups: dict[str, Counter[str]] = {}
    for item in planned:
        if item.action is None:
            groups.setdefault(item.skip_reason or "nothing applies", Counter())[item.resource.kind] += 1
    ordered = sorted(groups.items(), key=lambda entry: (-sum(entry[1].values()), entry[0]))
    return [(reason, sorted(kinds.items(), key=lambda kc: (-kc[1], kc[0]))) for reason, kinds in ordered]


def describe_skipped(planned: Sequence[PlannedAction]) -> str:
    """``read-only kind: 12 lambda:function, 3 iam:role; no stop action: 4 ec2:volume``."""
    return "; ".join(
        f"{reason}: {', '.join(f'{count} {kind}' for kind, count in kinds)}"
        for reason, kinds in skipped_by_reason(planned)
    )


def plan(
    resources: Sequence[Resource],
    verb: Verb,
    options: ActionOptions | None = None,
    *,
    now: datetime | None = None,
) -> list[PlannedAction]:
    """What ``verb`` would do to each resource, without calling AWS.

    Args:
        resources: the marked rows (or the cursor row), in order.
        verb: "stop" (``s``) or "delete" (``ctrl+d``).
        options: the run's options (final snapshot, empty buckets).
        now: the plan time, which names RDS final snapshots (default: now, UTC).
    """
    options = options or ActionOptions()
    now = now or datetime.now(timezone.utc)
    out = []
    for resource in resources:
        action = ACTIONS.get(resource.kind, {}).get(verb)
        if action is None:
            out.append(PlannedAction(resource, None, skip_reason=skip_reason(resource.kind, verb)))
            continue
        saving = _stop_saving(resource) if action == "stop" else resource.monthly_cost
        snapshot = None
        if resource.kind == "rds:db-instance" and action == "delete" and options.rds_final_snapshot:
            snapshot = final_snapshot_id(resource.id, now)
        out.append(
            PlannedAction(
                resource,
                action,
                saving=saving,
                note=_plan_note(resource, action, options, snapshot),
                final_snapshot=snapshot,
            )
        )
    return out


# --- running -----------------------------------------------------------------------------

#: How long a confirmed caller identity is trusted before it is asked again (seconds).
IDENTITY_RECHECK_SECONDS = 60.0

#: Error codes meaning "the resource does not exist (any more)".
NOT_FOUND_CODES = frozenset(
    {
        "InvalidInstanceID.NotFound",
        "InvalidVolume.NotFound",
        "InvalidAllocationID.NotFound",
        "InvalidAddress.NotFound",
        "InvalidNatGatewayID.NotFound",
        "NatGatewayNotFound",
        "NatGatewayNotFoundException",
        "NoSuchBucket",
        "404",
        "NotFound",
        "DBInstanceNotFound",
        "DBInstanceNotFoundFault",
        "LoadBalancerNotFound",
        "ResourceNotFoundException",
    }
)


class _Refused(Exception):
    """Nothing was changed: the row is refused with a human reason."""

    def __init__(self, message: str, code: str = "", *, deleted: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.deleted = deleted


class _Failed(Exception):
    """A call was made (or started) and did not do what was asked."""

    def __init__(self, message: str, code: str = "", request_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id


def _code(exc: BaseException) -> str:
    return error_code(exc) or type(exc).__name__


def _message(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Message", "")) or str(exc)


def _request_id(data: Mapping[str, Any] | None) -> str:
    meta = (data or {}).get("ResponseMetadata") or {}
    headers = meta.get("HTTPHeaders") or {}
    return str(meta.get("RequestId") or headers.get("x-amzn-requestid") or headers.get("x-amz-request-id") or "")


def _is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and error_code(exc) in NOT_FOUND_CODES


def _gone(what: str = "it") -> _Refused:
    return _Refused(f"{what} no longer exists (deleted since the scan)", deleted=True)


@dataclass
class _Row:
    """One planned action while it runs."""

    planned: PlannedAction
    account: str
    region: str
    verify: Callable[[], ActionUpdate] | None = None
    deadline: float = 0.0
    #: Anything the final message must add (e.g. that an endpoint ignored DryRun).
    note: str = ""

    @property
    def resource(self) -> Resource:
        return self.planned.resource

    @property
    def action(self) -> str:
        return str(self.planned.action)


@dataclass
class _OneResourceContext(CellContext):
    """A scan cell narrowed to one resource, so re-reading reuses the kind's own mapping."""

    only: dict[str, Any] = field(default_factory=dict)

    def pages(self, client: Any, operation: str, **kwargs: Any) -> Any:
        kwargs.update(self.only)
        return super().pages(client, operation, **kwargs)


@dataclass
class ActionRunner:
    """Runs planned actions against one account.

    Rows are worked through in order: each is validated, pre-flighted and acted on; then
    every action that was made is verified, so slow verifications (an instance stopping,
    a NAT gateway deleting) overlap instead of adding up.  Each row's bound is
    ``verify_timeout`` from the moment its call answered.

    Args:
        session: the account's session (the one its rows were scanned with).
        expected_account: the account id the rows belong to; the caller identity must match.
        options: protected tags, final snapshot, empty buckets, bounds.
        audit: where every mutating call is logged before and after (default: the user's
            ``AuditLog``).  A call whose "before" line cannot be written is not made.
    """

    session: AwsSession
    expected_account: str
    options: ActionOptions = field(default_factory=ActionOptions)
    audit: AuditLog | None = None
    _identity_checked_at: float | None = field(default=None, init=False, repr=False)
    _identity_refusal: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.audit is None:
            self.audit = AuditLog()

    # --- the run --------------------------------------------------------------------------

    def run(
        self, planned: Sequence[PlannedAction], on_update: UpdateSink, cancel: threading.Event | None = None
    ) -> list[ActionUpdate]:
        """Carry out every planned action (skipped rows are reported as SKIPPED).

        Returns the final update of each row, in order.  Never raises for AWS errors.
        """
        finals: list[ActionUpdate | None] = [None] * len(planned)
        rows: list[_Row | None] = [None] * len(planned)

        def report(index: int, update: ActionUpdate) -> None:
            if update.status.is_final:
                finals[index] = update
            try:
                on_update(update)
            except Exception:  # noqa: BLE001, S110 - a broken sink must not stop a half-done run
                pass

        for index, item in enumerate(planned):
            if item.action is None:
                report(index, ActionUpdate(item.resource, None, Status.SKIPPED, item.skip_reason or "nothing applies"))
            else:
                rows[index] = _Row(item, item.resource.account_id or self.expected_account, item.resource.region)
                report(index, ActionUpdate(item.resource, item.action, Status.REQUESTED))

        for index, row in enumerate(rows):
            if row is None:
                continue
            if cancel is not None and cancel.is_set():
                report(index, ActionUpdate(row.resource, row.action, Status.SKIPPED, "cancelled before it started"))
                continue
            report(index, ActionUpdate(row.resource, row.action, Status.IN_PROGRESS))
            final = self._act(row)
            if final is not None:
                report(index, final)

        for index, row in enumerate(rows):
            if row is None or row.verify is None or finals[index] is not None:
                continue
            report(index, self._verify(row))
        return [f for f in finals if f is not None]

    def _act(self, row: _Row) -> ActionUpdate | None:
        """Validate, pre-flight and act on one row: its final update, or None when it awaits verification."""
        resource, action = row.resource, row.action
        handler = getattr(self, f"_{_handler_name(resource.kind)}_{action}", None)
        try:
            if handler is None:
                raise _Refused(f"{resource.kind}: tracker-tui cannot {action} it")
            self._check_account(row)
            row.verify = handler(row)
            row.deadline = time.monotonic() + self.options.verify_timeout
            return None
        except _Refused as refusal:
            return ActionUpdate(
                resource, action, Status.REFUSED, refusal.message, refusal.code, deleted=refusal.deleted
            )
        except _Failed as failure:
            return ActionUpdate(
                resource, action, Status.FAILED, failure.message, failure.code, request_id=failure.request_id
            )
        except (ClientError, BotoCoreError) as exc:
            request_id = _request_id(getattr(exc, "response", None))
            return ActionUpdate(resource, action, Status.FAILED, _message(exc), _code(exc), request_id=request_id)
        except Exception as exc:  # noqa: BLE001 - one odd row never stops the rest
            return ActionUpdate(resource, action, Status.FAILED, f"{type(exc).__name__}: {exc}", type(exc).__name__)

    def _verify(self, row: _Row) -> ActionUpdate:
        assert row.verify is not None
        try:
            return row.verify()
        except _Failed as failure:
            return ActionUpdate(
                row.resource, row.action, Status.FAILED, failure.message, failure.code, request_id=failure.request_id
            )
        except (ClientError, BotoCoreError) as exc:
            return ActionUpdate(
                row.resource, row.action, Status.FAILED, f"could not verify: {_message(exc)}", _code(exc)
            )
        except Exception as exc:  # noqa: BLE001
            return ActionUpdate(
                row.resource,
                row.action,
                Status.FAILED,
                f"could not verify: {type(exc).__name__}: {exc}",
                type(exc).__name__,
            )

    # --- shared rails ---------------------------------------------------------------------

    def _check_account(self, row: _Row) -> None:
        """The row belongs to the expected account and the caller identity is still that account."""
        if row.resource.account_id and row.resource.account_id != self.expected_account:
            raise _Refused(
                f"the row belongs to account {row.resource.account_id}, but this run acts on {self.expected_account}"
            )
        if self._identity_refusal is not None:
            raise _Refused(self._identity_refusal)
        now = time.monotonic()
        if self._identity_checked_at is not None and now - self._identity_checked_at < IDENTITY_RECHECK_SECONDS:
            return
        try:
            account = str(self.session.client("sts").get_caller_identity()["Account"])
        except (ClientError, BotoCoreError) as exc:
            raise _Refused(f"cannot confirm the caller identity ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        if account != self.expected_account:
            self._identity_refusal = (
                f"identity changed: credentials now belong to account {account}, "
                f"rows were scanned in {self.expected_account}"
            )
            raise _Refused(self._identity_refusal)
        self._identity_checked_at = now

    def _check_tags(self, tags: Mapping[str, str]) -> None:
        """Refuse when any protected tag key is set (any value; keys compared without case)."""
        protected = {t.lower() for t in self.options.protected_tags}
        for key in tags:
            if key.lower() in protected:
                raise _Refused(f"tag {key} is set")

    def _audit(self, row: _Row, **fields: Any) -> None:
        entry = {
            "account": row.account,
            "region": row.region,
            "kind": row.resource.kind,
            "id": row.resource.id,
            "action": row.action,
        }
        entry.update(fields)
        assert self.audit is not None
        self.audit.record(**entry)

    def _call(self, row: _Row, client: Any, method: str, **params: Any) -> dict[str, Any]:
        """Make one mutating call, with an audit line on disk before it and one after it answers."""
        operation = client.meta.method_to_api_mapping.get(method, method)
        try:
            self._audit(
                row, phase="before", operation=operation, params=_audit_params(params), request_id=None, result=None
            )
        except OSError as exc:
            raise _Refused(f"cannot write the audit log ({exc}); nothing was called", "AuditLogUnwritable") from None
        try:
            response = getattr(client, method)(**params)
        except (ClientError, BotoCoreError) as exc:
            self._audit_after(
                row,
                phase="after",
                operation=operation,
                request_id=_request_id(getattr(exc, "response", None)) or None,
                result="error",
                code=_code(exc),
                message=_message(exc),
            )
            raise
        self._audit_after(
            row, phase="after", operation=operation, request_id=_request_id(response) or None, result="ok"
        )
        return response

    def _audit_after(self, row: _Row, **fields: Any) -> None:
        # The call has answered: a log that cannot be written now must not hide its outcome.
        try:
            self._audit(row, **fields)
        except OSError:
            pass

    def _ec2_call(self, row: _Row, client: Any, method: str, **params: Any) -> dict[str, Any]:
        """An EC2 mutating call, pre-flighted with ``DryRun=True`` so a missing permission refuses first."""
        carried_out = self._dry_run(row, client, method, **params)
        if carried_out is not None:
            # Calling again would act twice: what the endpoint did is verified like any call.
            row.note = "the endpoint ignored DryRun=True and carried the call out at once"
            return carried_out
        return self._call(row, client, method, **params)

    def _dry_run(self, row: _Row, client: Any, method: str, **params: Any) -> dict[str, Any] | None:
        """Pre-flight an EC2 call with ``DryRun=True``; refuse unless AWS answers DryRunOperation.

        Returns None after a proper dry run, or the response when the endpoint ignored
        ``DryRun`` and carried the call out (moto 5.2 does for DeleteNatGateway): then an
        "after" line records the change.
        """
        operation = client.meta.method_to_api_mapping.get(method, method)
        # A DryRun is a call too: an endpoint that ignores DryRun carries it out, so it gets
        # its own "before" line, and no call when that line cannot be written.
        self._audit_safely(
            row, phase="before", operation=operation, params={**params, "DryRun": True}, request_id=None, result=None
        )
        try:
            response = getattr(client, method)(DryRun=True, **params)
        except ClientError as exc:
            code = _code(exc)
            ok = code == "DryRunOperation"
            self._audit_safely(
                row,
                phase="dry-run",
                operation=operation,
                params=params,
                request_id=_request_id(exc.response) or None,
                result="ok" if ok else "denied",
                code=code,
                message=None if ok else _message(exc),
            )
            if ok:
                return None
            raise _Refused(f"DryRun denied: {code} {_message(exc)}", code) from None
        self._audit_after(
            row,
            phase="after",
            operation=operation,
            params={**params, "DryRun": True},
            request_id=_request_id(response) or None,
            result="ok",
            message="the endpoint ignored DryRun=True and carried the call out",
        )
        return response

    def _audit_safely(self, row: _Row, **fields: Any) -> None:
        try:
            self._audit(row, **fields)
        except OSError as exc:
            raise _Refused(f"cannot write the audit log ({exc}); nothing was called", "AuditLogUnwritable") from None

    def _deadline_passed(self, row: _Row) -> bool:
        return time.monotonic() >= row.deadline

    def _poll(self, row: _Row, check: Callable[[], bool], waiting_for: str, last_state: Callable[[], str]) -> None:
        """Call ``check`` until it is True (at least once), bounded by the row's deadline."""
        while True:
            if check():
                return
            if self._deadline_passed(row):
                raise _Failed(
                    f"asked AWS to {row.action} it, but it was not {waiting_for} within "
                    f"{self.options.verify_timeout:g} s (state: {last_state() or 'unknown'}); rescan to check",
                    "VerifyTimeout",
                )
            time.sleep(self.options.poll_interval)

    def _wait(self, row: _Row, client: Any, waiter_name: str, **params: Any) -> None:
        """A boto3 waiter bounded by the row's deadline and the run's poll interval."""
        remaining = max(0.0, row.deadline - time.monotonic())
        interval = max(self.options.poll_interval, 0.001)
        attempts = max(1, math.ceil(remaining / interval) + 1)
        try:
            client.get_waiter(waiter_name).wait(WaiterConfig={"Delay": interval, "MaxAttempts": attempts}, **params)
        except WaiterError as exc:
            reason = getattr(exc, "last_response", None) or {}
            code = str((reason.get("Error") or {}).get("Code") or "VerifyTimeout")
            raise _Failed(
                f"asked AWS to {row.action} it, but {waiter_name.replace('_', ' ')} was not confirmed within "
                f"{self.options.verify_timeout:g} s ({exc.kwargs.get('reason', exc)}); rescan to check",
                code,
            ) from None

    def _done(
        self,
        row: _Row,
        message: str = "",
        *,
        deleted: bool = False,
        result: Resource | None = None,
        request_id: str = "",
    ) -> ActionUpdate:
        if row.note:
            message = f"{message} ({row.note})" if message else row.note
        return ActionUpdate(
            row.resource, row.action, Status.DONE, message, result=result, deleted=deleted, request_id=request_id
        )

    def _reread(self, row: _Row, lister: Callable[[CellContext], Any], **only: Any) -> Resource | None:
        """The resource as its kind's lister maps it now (repriced), or None when it is gone."""
        ctx = _OneResourceContext(
            session=self.session, region=row.region, account_id=row.account, regions=(row.region,), only=only
        )
        try:
            for batch in lister(ctx):
                for found in batch:
                    if found.id == row.resource.id:
                        return price_resources([found])[0]
        except ClientError as exc:
            if _is_not_found(exc):
                return None
            raise
        return None

    # --- EC2 instances --------------------------------------------------------------------

    def _describe_instance(self, row: _Row, ec2: Any) -> dict[str, Any]:
        try:
            reservations = ec2.describe_instances(InstanceIds=[row.resource.id]).get("Reservations", [])
        except ClientError as exc:
            if _is_not_found(exc):
                raise _gone() from None
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        for reservation in reservations:
            for inst in reservation.get("Instances", []):
                if inst.get("InstanceId") == row.resource.id:
                    return inst
        raise _gone()

    def _instance_attribute(self, ec2: Any, instance_id: str, attribute: str, key: str, what: str) -> bool:
        try:
            reply = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=attribute)
        except ClientError as exc:
            raise _Refused(
                f"cannot read its {what} ({_code(exc)}: {_message(exc)}); refusing without checking", _code(exc)
            ) from None
        return bool((reply.get(key) or {}).get("Value"))

    def _ec2_instance_stop(self, row: _Row) -> Callable[[], ActionUpdate]:
        ec2 = self.session.client("ec2", row.region)
        inst = self._describe_instance(row, ec2)
        state = (inst.get("State") or {}).get("Name", "")
        if state in ("stopped", "stopping"):
            raise _Refused(f"already {state}")
        if state in ("shutting-down", "terminated"):
            raise _Refused(f"it is {state}", deleted=state == "terminated")
        if state != "running":
            raise _Refused(f"state is {state}; only a running instance can be stopped")
        self._check_tags(tag_dict(inst.get("Tags")))
        if self._instance_attribute(ec2, row.resource.id, "disableApiStop", "DisableApiStop", "stop protection"):
            raise _Refused("stop protection is on (DisableApiStop); tracker-tui never switches it off")
        response = self._ec2_call(row, ec2, "stop_instances", InstanceIds=[row.resource.id])
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            self._wait(row, ec2, "instance_stopped", InstanceIds=[row.resource.id])
            fresh = self._reread(row, ec2_kind.list_instances, InstanceIds=[row.resource.id])
            return self._done(row, "stopped", result=fresh, deleted=fresh is None, request_id=request_id)

        return verify

    def _ec2_instance_terminate(self, row: _Row) -> Callable[[], ActionUpdate]:
        ec2 = self.session.client("ec2", row.region)
        inst = self._describe_instance(row, ec2)
        state = (inst.get("State") or {}).get("Name", "")
        if state == "terminated":
            raise _Refused("already terminated", deleted=True)
        if state == "shutting-down":
            raise _Refused("already shutting down")
        self._check_tags(tag_dict(inst.get("Tags")))
        if self._instance_attribute(
            ec2, row.resource.id, "disableApiTermination", "DisableApiTermination", "termination protection"
        ):
            raise _Refused("termination protection is on (DisableApiTermination); tracker-tui never switches it off")
        response = self._ec2_call(row, ec2, "terminate_instances", InstanceIds=[row.resource.id])
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            self._wait(row, ec2, "instance_terminated", InstanceIds=[row.resource.id])
            return self._done(row, "terminated", deleted=True, request_id=request_id)

        return verify

    # --- EBS volumes ----------------------------------------------------------------------

    def _describe_volume(self, ec2: Any, volume_id: str) -> dict[str, Any] | None:
        try:
            volumes = ec2.describe_volumes(VolumeIds=[volume_id]).get("Volumes", [])
        except ClientError as exc:
            if _is_not_found(exc):
                return None
            raise
        return next((v for v in volumes if v.get("VolumeId") == volume_id), None)

    def _ec2_volume_delete(self, row: _Row) -> Callable[[], ActionUpdate]:
        ec2 = self.session.client("ec2", row.region)
        try:
            vol = self._describe_volume(ec2, row.resource.id)
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        if vol is None or vol.get("State") == "deleted":
            raise _gone()
        state = vol.get("State", "")
        attachments = vol.get("Attachments") or []
        if attachments or state == "in-use":
            where = ", ".join(str(a.get("InstanceId")) for a in attachments) or "an instance"
            raise _Refused(f"volume is attached to {where} (state {state})")
        if state == "deleting":
            raise _Refused("already being deleted")
        if state != "available":
            raise _Refused(f"state is {state}; only an available (unattached) volume can be deleted")
        self._check_tags(tag_dict(vol.get("Tags")))
        response = self._ec2_call(row, ec2, "delete_volume", VolumeId=row.resource.id)
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            seen = {"state": state}

            def gone() -> bool:
                current = self._describe_volume(ec2, row.resource.id)
                seen["state"] = "" if current is None else str(current.get("State", ""))
                return current is None or seen["state"] == "deleted"

            self._poll(row, gone, "deleted", lambda: seen["state"])
            return self._done(row, "deleted", deleted=True, request_id=request_id)

        return verify

    # --- Elastic IPs ----------------------------------------------------------------------

    def _address_key(self, row: _Row) -> dict[str, str]:
        ident = row.resource.id
        allocation = row.resource.details.get("allocation_id") or (ident if ident.startswith("eipalloc-") else None)
        return (
            {"AllocationId": allocation} if allocation else {"PublicIp": row.resource.details.get("public_ip") or ident}
        )

    def _describe_address(self, ec2: Any, key: dict[str, str]) -> dict[str, Any] | None:
        name, value = next(iter(key.items()))
        try:
            addresses = ec2.describe_addresses(**{f"{name}s": [value]}).get("Addresses", [])
        except ClientError as exc:
            if _is_not_found(exc):
                return None
            raise
        return next((a for a in addresses if a.get(name) == value), None)

    def _ec2_elastic_ip_release(self, row: _Row) -> Callable[[], ActionUpdate]:
        ec2 = self.session.client("ec2", row.region)
        key = self._address_key(row)
        try:
            addr = self._describe_address(ec2, key)
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        if addr is None:
            raise _gone()
        if addr.get("AssociationId") or addr.get("InstanceId") or addr.get("NetworkInterfaceId"):
            target = addr.get("InstanceId") or addr.get("NetworkInterfaceId") or addr.get("AssociationId")
            raise _Refused(f"Elastic IP is associated with {target}")
        self._check_tags(tag_dict(addr.get("Tags")))
        response = self._ec2_call(row, ec2, "release_address", **key)
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            self._poll(row, lambda: self._describe_address(ec2, key) is None, "released", lambda: "allocated")
            return self._done(row, "released", deleted=True, request_id=request_id)

        return verify

    # --- NAT gateways ---------------------------------------------------------------------

    def _describe_nat(self, ec2: Any, nat_id: str) -> dict[str, Any] | None:
        try:
            gateways = ec2.describe_nat_gateways(NatGatewayIds=[nat_id]).get("NatGateways", [])
        except ClientError as exc:
            if _is_not_found(exc):
                return None
            raise
        return next((g for g in gateways if g.get("NatGatewayId") == nat_id), None)

    def _ec2_nat_gateway_delete(self, row: _Row) -> Callable[[], ActionUpdate]:
        ec2 = self.session.client("ec2", row.region)
        try:
            nat = self._describe_nat(ec2, row.resource.id)
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        state = "" if nat is None else str(nat.get("State", ""))
        if nat is None or state == "deleted":
            raise _gone()
        if state == "deleting":
            raise _Refused("already being deleted")
        if state not in ("available", "failed"):
            raise _Refused(f"state is {state}; only an available or failed NAT gateway can be deleted")
        self._check_tags(tag_dict(nat.get("Tags")))
        response = self._ec2_call(row, ec2, "delete_nat_gateway", NatGatewayId=row.resource.id)
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            seen = {"state": "deleting"}

            def deleted() -> bool:
                current = self._describe_nat(ec2, row.resource.id)
                seen["state"] = "deleted" if current is None else str(current.get("State", ""))
                return seen["state"] == "deleted"

            self._poll(row, deleted, "deleted", lambda: seen["state"])
            return self._done(row, "deleted (its Elastic IPs stay allocated)", deleted=True, request_id=request_id)

        return verify

    # --- S3 buckets -----------------------------------------------------------------------

    def _s3_bucket_delete(self, row: _Row) -> Callable[[], ActionUpdate]:
        bucket = row.resource.id
        if row.region in ("", "unknown"):
            raise _Refused("the bucket's region is unknown; rescan before deleting it")
        s3 = self.session.client("s3", row.region)
        try:
            exists = self._bucket_exists(s3, bucket)
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        if not exists:
            raise _gone("the bucket")
        try:
            tags = tag_dict(s3.get_bucket_tagging(Bucket=bucket).get("TagSet"))
        except ClientError as exc:
            if error_code(exc) not in ("NoSuchTagSet", "NoSuchTagSetError"):
                raise _Refused(
                    f"cannot read its tags ({_code(exc)}: {_message(exc)}); refusing without checking", _code(exc)
                ) from None
            tags = {}
        self._check_tags(tags)
        try:
            count, more = self._count_versions(s3, bucket)
        except ClientError as exc:
            raise _Refused(f"cannot list its objects ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        if count and not self.options.empty_buckets:
            many = f"at least {count}" if more else str(count)
            raise _Refused(f"bucket is not empty ({many} objects/versions); choose 'empty it first' to delete it")
        if count:
            self._empty_bucket(row, s3, bucket)
        try:
            response = self._call(row, s3, "delete_bucket", Bucket=bucket)
        except ClientError as exc:
            raise _Failed(_message(exc), _code(exc), _request_id(exc.response)) from None
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            self._poll(row, lambda: not self._bucket_exists(s3, bucket), "deleted", lambda: "still listed")
            emptied = "emptied (all versions) and deleted" if count else "deleted"
            return self._done(row, emptied, deleted=True, request_id=request_id)

        return verify

    @staticmethod
    def _bucket_exists(s3: Any, bucket: str) -> bool:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            if _is_not_found(exc):
                return False
            raise
        return True

    @staticmethod
    def _count_versions(s3: Any, bucket: str) -> tuple[int, bool]:
        """Objects, versions and delete markers on the first page: (count, more pages follow)."""
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=1000)
        count = len(page.get("Versions") or []) + len(page.get("DeleteMarkers") or [])
        return count, bool(page.get("IsTruncated"))

    def _empty_bucket(self, row: _Row, s3: Any, bucket: str) -> None:
        """Delete every object version and delete marker, a page at a time; abort unfinished uploads.

        Object Lock retention and MFA delete are respected (never bypassed): AWS refuses those
        versions and the row fails with the first error.
        """
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            keys = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])
            ]
            if not keys:
                continue
            try:
                reply = self._call(row, s3, "delete_objects", Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            except ClientError as exc:
                raise _Failed(f"emptying it failed: {_message(exc)}", _code(exc), _request_id(exc.response)) from None
            errors = reply.get("Errors") or []
            if errors:
                first = errors[0]
                raise _Failed(
                    f"emptying it failed: {len(errors)} versions not deleted, e.g. {first.get('Key')} "
                    f"({first.get('Code')}: {first.get('Message')})",
                    str(first.get("Code") or "DeleteObjectsError"),
                    _request_id(reply),
                )
        try:
            uploads = [
                u
                for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket)
                for u in page.get("Uploads") or []
            ]
        except ClientError:
            uploads = []  # not listable: DeleteBucket will say so if they matter
        for upload in uploads:
            try:
                self._call(
                    row, s3, "abort_multipart_upload", Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
            except ClientError as exc:
                raise _Failed(f"aborting an unfinished upload failed: {_message(exc)}", _code(exc)) from None

    # --- RDS DB instances -----------------------------------------------------------------

    def _describe_db(self, rds: Any, ident: str) -> dict[str, Any] | None:
        try:
            found = rds.describe_db_instances(DBInstanceIdentifier=ident).get("DBInstances", [])
        except ClientError as exc:
            if _is_not_found(exc):
                return None
            raise
        return next((d for d in found if d.get("DBInstanceIdentifier") == ident), None)

    def _checked_db(self, row: _Row, rds: Any) -> dict[str, Any]:
        try:
            db = self._describe_db(rds, row.resource.id)
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        if db is None:
            raise _gone()
        tags = db.get("TagList")
        if tags is None:
            try:
                tags = rds.list_tags_for_resource(ResourceName=db["DBInstanceArn"]).get("TagList")
            except (ClientError, KeyError) as exc:
                raise _Refused(f"cannot read its tags ({_code(exc)}); refusing without checking", _code(exc)) from None
        self._check_tags(tag_dict(tags))
        cluster = db.get("DBClusterIdentifier")
        if cluster:
            raise _Refused(
                f"it belongs to the Aurora cluster {cluster}; act on the cluster instead (not supported here)"
            )
        return db

    def _rds_db_instance_stop(self, row: _Row) -> Callable[[], ActionUpdate]:
        rds = self.session.client("rds", row.region)
        db = self._checked_db(row, rds)
        status = str(db.get("DBInstanceStatus", ""))
        if status in ("stopped", "stopping"):
            raise _Refused(f"already {status}")
        if status != "available":
            raise _Refused(f"state is {status}; only an available DB instance can be stopped")
        try:
            response = self._call(row, rds, "stop_db_instance", DBInstanceIdentifier=row.resource.id)
        except ClientError as exc:
            raise _Failed(_message(exc), _code(exc), _request_id(exc.response)) from None
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            seen = {"state": "stopping"}

            def stopped() -> bool:
                current = self._describe_db(rds, row.resource.id)
                seen["state"] = "gone" if current is None else str(current.get("DBInstanceStatus", ""))
                return seen["state"] == "stopped"

            self._poll(row, stopped, "stopped", lambda: seen["state"])
            fresh = self._reread(row, rds_kind.list_db_instances, DBInstanceIdentifier=row.resource.id)
            return self._done(row, "stopped", result=fresh, deleted=fresh is None, request_id=request_id)

        return verify

    def _rds_db_instance_delete(self, row: _Row) -> Callable[[], ActionUpdate]:
        rds = self.session.client("rds", row.region)
        db = self._checked_db(row, rds)
        if db.get("DeletionProtection"):
            raise _Refused("deletion protection is on (DeletionProtection); tracker-tui never switches it off")
        status = str(db.get("DBInstanceStatus", ""))
        if status == "deleting":
            raise _Refused("already being deleted")
        # A final snapshot is kept unless the plan named none AND the options turned it off.
        snapshot = row.planned.final_snapshot
        if snapshot is None and self.options.rds_final_snapshot:
            snapshot = final_snapshot_id(row.resource.id)
        params: dict[str, Any] = {"DBInstanceIdentifier": row.resource.id}
        if snapshot:
            params["FinalDBSnapshotIdentifier"] = snapshot
        else:
            params["SkipFinalSnapshot"] = True
        try:
            response = self._call(row, rds, "delete_db_instance", **params)
        except ClientError as exc:
            raise _Failed(_message(exc), _code(exc), _request_id(exc.response)) from None
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            seen = {"state": "deleting"}

            def gone() -> bool:
                current = self._describe_db(rds, row.resource.id)
                seen["state"] = "deleted" if current is None else str(current.get("DBInstanceStatus", ""))
                return current is None

            self._poll(row, gone, "deleted", lambda: seen["state"])
            message = f"deleted; final snapshot {snapshot}" if snapshot else "deleted (no final snapshot)"
            return self._done(row, message, deleted=True, request_id=request_id)

        return verify

    # --- load balancers -------------------------------------------------------------------

    def _elb_load_balancer_delete(self, row: _Row) -> Callable[[], ActionUpdate]:
        if str(row.resource.details.get("subtype") or "").lower() == "classic":
            return self._delete_classic_lb(row)
        return self._delete_v2_lb(row)

    def _describe_v2_lb(self, elbv2: Any, row: _Row) -> dict[str, Any] | None:
        arn = row.resource.arn or ""
        key = {"LoadBalancerArns": [arn]} if ":loadbalancer/" in arn else {"Names": [row.resource.id]}
        try:
            found = elbv2.describe_load_balancers(**key).get("LoadBalancers", [])
        except ClientError as exc:
            if _is_not_found(exc):
                return None
            raise
        return found[0] if found else None

    def _delete_v2_lb(self, row: _Row) -> Callable[[], ActionUpdate]:
        elbv2 = self.session.client("elbv2", row.region)
        try:
            lb = self._describe_v2_lb(elbv2, row)
            if lb is None:
                raise _gone()
            arn = lb["LoadBalancerArn"]
            described = elbv2.describe_tags(ResourceArns=[arn]).get("TagDescriptions", [])
            attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn).get("Attributes", [])
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        self._check_tags(tag_dict(described[0].get("Tags")) if described else {})
        protection = {a.get("Key"): a.get("Value") for a in attributes}.get("deletion_protection.enabled")
        if str(protection).lower() == "true":
            raise _Refused("deletion protection is on (deletion_protection.enabled); tracker-tui never switches it off")
        try:
            response = self._call(row, elbv2, "delete_load_balancer", LoadBalancerArn=arn)
        except ClientError as exc:
            raise _Failed(_message(exc), _code(exc), _request_id(exc.response)) from None
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            self._poll(row, lambda: self._describe_v2_lb(elbv2, row) is None, "deleted", lambda: "still listed")
            return self._done(row, "deleted (its target groups are kept)", deleted=True, request_id=request_id)

        return verify

    @staticmethod
    def _classic_lb_exists(elb: Any, name: str) -> bool:
        try:
            found = elb.describe_load_balancers(LoadBalancerNames=[name]).get("LoadBalancerDescriptions", [])
        except ClientError as exc:
            if _is_not_found(exc):
                return False
            raise
        return bool(found)

    def _delete_classic_lb(self, row: _Row) -> Callable[[], ActionUpdate]:
        elb = self.session.client("elb", row.region)
        name = row.resource.id
        try:
            if not self._classic_lb_exists(elb, name):
                raise _gone()
            described = elb.describe_tags(LoadBalancerNames=[name]).get("TagDescriptions", [])
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        self._check_tags(tag_dict(described[0].get("Tags")) if described else {})
        try:
            response = self._call(row, elb, "delete_load_balancer", LoadBalancerName=name)
        except ClientError as exc:
            raise _Failed(_message(exc), _code(exc), _request_id(exc.response)) from None
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            self._poll(row, lambda: not self._classic_lb_exists(elb, name), "deleted", lambda: "still listed")
            return self._done(row, "deleted", deleted=True, request_id=request_id)

        return verify

    # --- log groups -----------------------------------------------------------------------

    @staticmethod
    def _describe_log_group(logs: Any, name: str) -> dict[str, Any] | None:
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name):
            for group in page.get("logGroups", []):
                if group.get("logGroupName") == name:
                    return group
        return None

    def _log_group_tags(self, logs: Any, group: dict[str, Any]) -> dict[str, str]:
        """The group's tags, which the scan does not list: ListTagsForResource, else ListTagsLogGroup."""
        arn = group.get("logGroupArn") or str(group.get("arn") or "").removesuffix(":*")
        first_error: BaseException | None = None
        if arn:
            try:
                return dict(logs.list_tags_for_resource(resourceArn=arn).get("tags") or {})
            except ClientError as exc:
                first_error = exc
        try:
            return dict(logs.list_tags_log_group(logGroupName=group["logGroupName"]).get("tags") or {})
        except ClientError as exc:
            failure = first_error or exc
            raise _Refused(
                f"cannot read its tags ({_code(failure)}: {_message(failure)}); refusing without checking",
                _code(failure),
            ) from None

    def _logs_log_group_delete(self, row: _Row) -> Callable[[], ActionUpdate]:
        logs = self.session.client("logs", row.region)
        name = row.resource.id
        try:
            group = self._describe_log_group(logs, name)
        except ClientError as exc:
            raise _Refused(f"cannot re-read it ({_code(exc)}: {_message(exc)})", _code(exc)) from None
        if group is None:
            raise _gone()
        self._check_tags(self._log_group_tags(logs, group))
        if group.get("deletionProtectionEnabled"):
            raise _Refused("deletion protection is on (deletionProtectionEnabled); tracker-tui never switches it off")
        try:
            response = self._call(row, logs, "delete_log_group", logGroupName=name)
        except ClientError as exc:
            raise _Failed(_message(exc), _code(exc), _request_id(exc.response)) from None
        request_id = _request_id(response)

        def verify() -> ActionUpdate:
            self._poll(row, lambda: self._describe_log_group(logs, name) is None, "deleted", lambda: "still listed")
            return self._done(row, "deleted", deleted=True, request_id=request_id)

        return verify


def _audit_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The call's parameters for the audit line (a DeleteObjects batch as its size, not 1,000 keys)."""
    out = {k: v for k, v in params.items() if k != "Delete"}
    if "Delete" in params:
        out["object_versions"] = len(params["Delete"].get("Objects", []))
    return out


def _handler_name(kind: str) -> str:
    """``ec2:elastic-ip`` -> ``ec2_elastic_ip`` (the runner's method names)."""
    return kind.replace(":", "_").replace("-", "_")
