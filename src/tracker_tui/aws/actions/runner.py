"""The run: every planned row through validate -> preflight -> act -> verify.

1. the caller identity must still be the scanned account (checked once a minute);
2. the handler re-reads the resource and re-checks its state and protections (``Step``);
3. EC2 calls go first with ``DryRun=True`` so a missing permission refuses first;
4. the call is made, written to the audit log before (no line, no call) and after;
5. the result is verified (waiter or bounded polling).

One failure never stops the rest of a bulk run.  Nothing here imports Textual.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionUpdate,
    Failed,
    PlannedAction,
    Refused,
    Status,
    Step,
    code_of,
    message_of,
    request_id_of,
)
from tracker_tui.aws.actions.registry import ACTION_SPECS
from tracker_tui.aws.session import AwsSession
from tracker_tui.store import AuditLog

UpdateSink = Callable[[ActionUpdate], None]

#: How long a confirmed caller identity is trusted before it is asked again (seconds).
IDENTITY_RECHECK_SECONDS = 60.0


def _audit_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The call's parameters for the audit line (a DeleteObjects batch as its size, not 1,000 keys)."""
    out = {k: v for k, v in params.items() if k != "Delete"}
    if "Delete" in params:
        out["object_versions"] = len(params["Delete"].get("Objects", []))
    return out


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
        options: protected tags, the answers to the actions' boxes (``Choice``), bounds.
        audit: where every mutating call is logged before and after (default: the user's
            ``AuditLog``).  A call whose "before" line cannot be written is not made.
    """

    session: AwsSession
    expected_account: str
    options: ActionOptions = field(default_factory=ActionOptions)
    audit: AuditLog | None = None
    #: What the run's rows share and is read or made once per run: a ``z`` run's execution role,
    #: its schedule group per region, the schedules already in a region (by the handler's keys).
    shared: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
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
        steps: list[Step | None] = [None] * len(planned)

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
                account = item.resource.account_id or self.expected_account
                steps[index] = Step(item, account, item.resource.region, self)
                report(index, ActionUpdate(item.resource, item.action, Status.REQUESTED))

        for index, step in enumerate(steps):
            if step is None:
                continue
            if cancel is not None and cancel.is_set():
                report(index, ActionUpdate(step.resource, step.action, Status.SKIPPED, "cancelled before it started"))
                continue
            report(index, ActionUpdate(step.resource, step.action, Status.IN_PROGRESS))
            final = self._act(step)
            if final is not None:
                report(index, final)

        for index, step in enumerate(steps):
            if step is None or step.verify is None or finals[index] is not None:
                continue
            report(index, self._verify(step))
        return [f for f in finals if f is not None]

    def _act(self, step: Step) -> ActionUpdate | None:
        """Validate, pre-flight and act on one row: its final update, or None when it awaits verification."""
        resource, action = step.resource, step.action
        spec = ACTION_SPECS.get((resource.kind, action))
        try:
            if spec is None:
                raise Refused(f"{resource.kind}: tracker-tui cannot {action} it")
            self._check_account(step)
            step.verify = spec.handler(step)
            step.deadline = time.monotonic() + self.options.verify_timeout
            return None
        except Refused as refusal:
            return ActionUpdate(
                resource, action, Status.REFUSED, refusal.message, refusal.code, deleted=refusal.deleted
            )
        except Failed as failure:
            return ActionUpdate(
                resource, action, Status.FAILED, failure.message, failure.code, request_id=failure.request_id
            )
        except (ClientError, BotoCoreError) as exc:
            request_id = request_id_of(getattr(exc, "response", None))
            return ActionUpdate(resource, action, Status.FAILED, message_of(exc), code_of(exc), request_id=request_id)
        except Exception as exc:  # noqa: BLE001 - one odd row never stops the rest
            return ActionUpdate(resource, action, Status.FAILED, f"{type(exc).__name__}: {exc}", type(exc).__name__)

    def _verify(self, step: Step) -> ActionUpdate:
        assert step.verify is not None
        try:
            return step.verify()
        except Failed as failure:
            return ActionUpdate(
                step.resource, step.action, Status.FAILED, failure.message, failure.code, request_id=failure.request_id
            )
        except (ClientError, BotoCoreError) as exc:
            return ActionUpdate(
                step.resource, step.action, Status.FAILED, f"could not verify: {message_of(exc)}", code_of(exc)
            )
        except Exception as exc:  # noqa: BLE001
            return ActionUpdate(
                step.resource,
                step.action,
                Status.FAILED,
                f"could not verify: {type(exc).__name__}: {exc}",
                type(exc).__name__,
            )

    # --- rails across rows --------------------------------------------------------------------

    def _check_account(self, step: Step) -> None:
        """The row belongs to the expected account and the caller identity is still that account."""
        if step.resource.account_id and step.resource.account_id != self.expected_account:
            raise Refused(
                f"the row belongs to account {step.resource.account_id}, but this run acts on {self.expected_account}"
            )
        if self._identity_refusal is not None:
            raise Refused(self._identity_refusal)
        now = time.monotonic()
        if self._identity_checked_at is not None and now - self._identity_checked_at < IDENTITY_RECHECK_SECONDS:
            return
        try:
            account = str(self.session.client("sts").get_caller_identity()["Account"])
        except (ClientError, BotoCoreError) as exc:
            raise Refused(
                f"cannot confirm the caller identity ({code_of(exc)}: {message_of(exc)})", code_of(exc)
            ) from None
        if account != self.expected_account:
            self._identity_refusal = (
                f"identity changed: credentials now belong to account {account}, "
                f"rows were scanned in {self.expected_account}"
            )
            raise Refused(self._identity_refusal)
        self._identity_checked_at = now

    # --- the audit log around every call ---------------------------------------------------------

    def _audit(self, step: Step, **fields: Any) -> None:
        entry = {
            "account": step.account,
            "region": step.region,
            "kind": step.resource.kind,
            "id": step.resource.id,
            "action": step.action,
        }
        entry.update(fields)
        assert self.audit is not None
        self.audit.record(**entry)

    def _audit_or_refuse(self, step: Step, **fields: Any) -> None:
        """A line that must be on disk before a call goes out: no line, no call."""
        try:
            self._audit(step, **fields)
        except OSError as exc:
            raise Refused(f"cannot write the audit log ({exc}); nothing was called", "AuditLogUnwritable") from None

    def _audit_after(self, step: Step, **fields: Any) -> None:
        # The call has answered: a log that cannot be written now must not hide its outcome.
        try:
            self._audit(step, **fields)
        except OSError:
            pass

    def audited_call(self, step: Step, client: Any, method: str, **params: Any) -> dict[str, Any]:
        """Make one mutating call, with an audit line on disk before it and one after it answers."""
        operation = client.meta.method_to_api_mapping.get(method, method)
        self._audit_or_refuse(
            step, phase="before", operation=operation, params=_audit_params(params), request_id=None, result=None
        )
        try:
            response: dict[str, Any] = getattr(client, method)(**params)
        except (ClientError, BotoCoreError) as exc:
            self._audit_after(
                step,
                phase="after",
                operation=operation,
                request_id=request_id_of(getattr(exc, "response", None)) or None,
                result="error",
                code=code_of(exc),
                message=message_of(exc),
            )
            raise
        self._audit_after(
            step, phase="after", operation=operation, request_id=request_id_of(response) or None, result="ok"
        )
        return response

    def dry_run(self, step: Step, client: Any, method: str, **params: Any) -> dict[str, Any] | None:
        """Pre-flight an EC2 call with ``DryRun=True``; refuse unless AWS answers DryRunOperation.

        Returns None after a proper dry run, or the response when the endpoint ignored
        ``DryRun`` and carried the call out (moto 5.2 does for DeleteNatGateway): then an
        "after" line records the change.
        """
        operation = client.meta.method_to_api_mapping.get(method, method)
        # A DryRun is a call too: an endpoint that ignores DryRun carries it out, so it gets
        # its own "before" line, and no call when that line cannot be written.
        self._audit_or_refuse(
            step, phase="before", operation=operation, params={**params, "DryRun": True}, request_id=None, result=None
        )
        try:
            response: dict[str, Any] = getattr(client, method)(DryRun=True, **params)
        except ClientError as exc:
            code = code_of(exc)
            ok = code == "DryRunOperation"
            self._audit_or_refuse(
                step,
                phase="dry-run",
                operation=operation,
                params=params,
                request_id=request_id_of(exc.response) or None,
                result="ok" if ok else "denied",
                code=code,
                message=None if ok else message_of(exc),
            )
            if ok:
                return None
            raise Refused(f"DryRun denied: {code} {message_of(exc)}", code) from None
        self._audit_after(
            step,
            phase="after",
            operation=operation,
            params={**params, "DryRun": True},
            request_id=request_id_of(response) or None,
            result="ok",
            message="the endpoint ignored DryRun=True and carried the call out",
        )
        return response
