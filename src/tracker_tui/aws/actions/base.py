"""What an action is, and the one helper every handler works through.

A handler is a function ``(Step) -> Verify``: it re-reads its resource through the step,
refuses with a reason when the resource is not in a state to act on or is protected,
makes the one mutating call through the step (audited, DryRun first for EC2), and returns
a function that verifies the outcome.  The step holds every rail, so a handler holds only
what is particular to its kind.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from botocore.exceptions import ClientError, WaiterError

from tracker_tui.aws.kinds import REGISTRY, price_resources
from tracker_tui.aws.kinds.base import CellContext, Lister, code_of, error_code, message_of
from tracker_tui.config import DEFAULT_LOG_RETENTION_DAYS, DEFAULT_NONCURRENT_DAYS
from tracker_tui.findings import local_findings
from tracker_tui.model import Finding, Resource
from tracker_tui.offhours import OffHours

if TYPE_CHECKING:
    from tracker_tui.aws.actions.runner import ActionRunner

T = TypeVar("T")

#: Error codes that mean "not found" whatever the kind.
GENERIC_NOT_FOUND = frozenset({"404", "NotFound"})


class Status(enum.StrEnum):
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
class Choice:
    """A box the confirm dialog offers when the plan holds a row of an action that declares it
    (``ActionSpec.choices``), as aws-nuke's per-resource settings are declared by the resource.

    The action's module owns the declaration, its handler and plan callbacks read the answer
    through it (``ActionOptions.choice``), so a choice cannot drift from the action it shapes,
    and its default is the one place that says what happens when nobody touches the box.
    """

    #: Names the box (its widget id is ``choice-<key>``); unique across every action's choices.
    key: str
    label: str
    #: What the action does when the user leaves the box alone.
    default: bool


@dataclass
class ActionOptions:
    """What shapes a run: the run-wide settings, and the user's answers to the actions' ``Choice`` boxes."""

    protected_tags: tuple[str, ...] = ("do-not-delete", "protected")
    #: The boxes the user answered in the confirm dialog, by their declaration; a box not
    #: here keeps its declared default.
    choices: Mapping[Choice, bool] = field(default_factory=dict)
    #: The retention ``m`` sets on a log group that has none (days; the config's ``log_retention_days``).
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    #: The days after which ``m``'s rule has S3 delete a noncurrent version (the config's ``noncurrent_days``).
    noncurrent_days: int = DEFAULT_NONCURRENT_DAYS
    #: The off-hours schedule ``z`` puts the rows on (``tracker_tui.offhours``); None: no ``z`` run.
    schedule: OffHours | None = None
    #: Upper bound on waiting for an action to be verified (seconds).
    verify_timeout: float = 300.0
    poll_interval: float = 5.0

    def choice(self, choice: Choice) -> bool:
        """The user's answer to ``choice``, or its declared default."""
        return self.choices.get(choice, choice.default)

    def choosing(self, answers: Mapping[Choice, bool]) -> ActionOptions:
        """These options with ``answers`` given to their boxes (the rest as they were)."""
        return dataclasses.replace(self, choices={**self.choices, **answers})


@dataclass(frozen=True)
class PlannedAction:
    """One row of a confirm dialog: what will be done to a resource, or why nothing will."""

    resource: Resource
    #: The action, e.g. "stop", "terminate", "delete", "release"; None when nothing applies.
    action: str | None
    #: Why nothing applies (known without any API call), e.g. "read-only kind".
    skip_reason: str | None = None
    #: Estimated monthly saving if it is done (None: unknown).
    saving: float | None = None
    #: What the dialog must show beside the row, e.g. the RDS final snapshot's name.
    note: str = ""
    #: What the action leaves behind, named at plan time so the dialog shows the name the
    #: run uses (an RDS final snapshot); None when nothing is kept.
    artifact: str | None = None


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
    #: Other rows the action made or changed, as re-read (``z``: its schedules' row; removing a
    #: schedule: the rows it untagged), so the table shows them without a rescan.
    related: tuple[Resource, ...] = ()


Verify = Callable[[], ActionUpdate]


def _no_note(resource: Resource, options: ActionOptions, artifact: str | None) -> str:
    return ""


def _whole_cost(resource: Resource) -> float | None:
    return resource.monthly_cost


@dataclass(frozen=True)
class ActionSpec:
    """One action on one kind: its handler and what the plan says about it.

    The kind's ``KindSpec.verbs`` maps a key to the action; this says how it is done.
    """

    kind: str
    action: str
    handler: Callable[[Step], Verify]
    #: What the confirm dialog says beside the row (a final snapshot, a replacement, ...).
    note: Callable[[Resource, ActionOptions, str | None], str] = _no_note
    #: What doing it saves a month (default: all the row costs; unknown stays unknown).
    saving: Callable[[Resource], float | None] = _whole_cost
    #: What doing it saves a month when that depends on the run's options (``z``: the schedule
    #: chosen); ``plan`` uses it instead of ``saving`` when set.
    saving_with: Callable[[Resource, ActionOptions], float | None] | None = None
    #: Names what the action will leave behind, at plan time (None: nothing).
    artifact: Callable[[Resource, ActionOptions, datetime], str | None] | None = None
    #: The boxes the confirm dialog offers for it, each declared with its default; its handler
    #: and callbacks read the answers through them (``step.choice``, ``options.choice``).
    choices: tuple[Choice, ...] = ()
    #: One row of it confirms with ``y``; anything else (and any run of several rows)
    #: needs the account's name typed.
    single_key: bool = False
    #: The IAM actions its handler needs: its re-reads and protection checks, the mutating
    #: call (EC2's DryRun asks the same permission), the verification, and what AWS
    #: authorises besides the call (an RDS final snapshot).  ``tracker-tui permissions``
    #: puts them in the verb's statement; tests/test_permissions.py records the handler's
    #: calls and holds this to them.  The runner's identity check is the connect statement's.
    iam_actions: tuple[str, ...] = ()
    #: Actions the handler calls only when one of ``iam_actions`` is refused, by that action
    #: (as ``KindSpec.iam_fallbacks``): left out of the policy, counted by ``--check``.
    iam_fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def named_fix(resource: Resource, action: str = "modify") -> Finding | None:
    """The finding ``action`` realises on ``resource`` when it changes the row to a type the
    finding names (``Finding.target``: an instance type, a DB class): of those, the one that saves
    the most (an unknown saving counts least, the first of equals wins); None when none does."""
    named = [f for f in resource.findings if f.action == action and f.target]
    return max(named, key=lambda f: (f.monthly_saving is not None, f.monthly_saving or 0.0), default=None)


class Refused(Exception):
    """Nothing was changed: the row is refused with a human reason."""

    def __init__(self, message: str, code: str = "", *, deleted: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.deleted = deleted


class Failed(Exception):
    """A call was made (or started) and did not do what was asked."""

    def __init__(self, message: str, code: str = "", request_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id


def request_id_of(data: Mapping[str, Any] | None) -> str:
    meta = (data or {}).get("ResponseMetadata") or {}
    headers = meta.get("HTTPHeaders") or {}
    return str(meta.get("RequestId") or headers.get("x-amzn-requestid") or headers.get("x-amz-request-id") or "")


def failed(exc: BaseException, prefix: str = "") -> Failed:
    """A call's error as the row's failure (its message, code and request id)."""
    return Failed(f"{prefix}{message_of(exc)}", code_of(exc), request_id_of(getattr(exc, "response", None)))


@dataclass
class _OneResourceContext(CellContext):
    """A scan cell narrowed to one resource, so re-reading reuses the kind's own mapping."""

    only: dict[str, Any] = field(default_factory=dict)

    def pages(self, client: Any, operation: str, **kwargs: Any) -> Any:
        kwargs.update(self.only)
        return super().pages(client, operation, **kwargs)


@dataclass
class Step:
    """One planned action while it runs, with the rails every handler goes through.

    Args:
        planned: the row and what to do to it.
        account: the account it is done in.
        region: the row's region: every client a handler asks for is in it.
        runner: the run (session, options, audit log, identity checks).
    """

    planned: PlannedAction
    account: str
    region: str
    runner: ActionRunner
    verify: Verify | None = None
    deadline: float = 0.0
    #: Anything the final message must add (e.g. that an endpoint ignored DryRun).
    note: str = ""

    @property
    def resource(self) -> Resource:
        return self.planned.resource

    @property
    def action(self) -> str:
        return str(self.planned.action)

    @property
    def options(self) -> ActionOptions:
        return self.runner.options

    def choice(self, choice: Choice) -> bool:
        """The user's answer to one of the action's boxes (its declared default if untouched)."""
        return self.options.choice(choice)

    def client(self, service: str) -> Any:
        """The account's client for ``service`` in the row's own region."""
        return self.runner.session.client(service, self.region)

    # --- re-reading -------------------------------------------------------------------

    def is_not_found(self, exc: BaseException) -> bool:
        """The error says the resource does not exist (codes of its kind, or generic ones)."""
        if not isinstance(exc, ClientError):
            return False
        spec = REGISTRY.get(self.resource.kind)
        codes = spec.not_found_codes if spec is not None else frozenset()
        return error_code(exc) in codes or error_code(exc) in GENERIC_NOT_FOUND

    def find(self, read: Callable[[], T | None]) -> T | None:
        """``read()``, or None when it says the resource is not found (other errors raise)."""
        try:
            return read()
        except ClientError as exc:
            if self.is_not_found(exc):
                return None
            raise

    def reread(self, read: Callable[[], T | None], what: str = "it") -> T:
        """The resource as AWS has it now; refused when it cannot be read or is gone.

        ``read`` returns the item, or None when the resource does not exist any more.
        """
        try:
            item = self.find(read)
        except ClientError as exc:
            raise Refused(f"cannot re-read it ({code_of(exc)}: {message_of(exc)})", code_of(exc)) from None
        if item is None:
            raise gone(what)
        return item

    def read_or_refuse(self, read: Callable[[], T], what: str) -> T:
        """Something a check needs (tags, a protection flag); refused when it cannot be read,
        since acting without checking is what the rails exist to prevent."""
        try:
            return read()
        except ClientError as exc:
            raise Refused(
                f"cannot read its {what} ({code_of(exc)}: {message_of(exc)}); refusing without checking", code_of(exc)
            ) from None

    def check_tags(self, tags: Mapping[str, str]) -> None:
        """Refuse when any protected tag key is set (any value; keys compared without case)."""
        protected = {t.lower() for t in self.options.protected_tags}
        for key in tags:
            if key.lower() in protected:
                raise Refused(f"tag {key} is set")

    @staticmethod
    def refuse(message: str, code: str = "", *, deleted: bool = False) -> NoReturn:
        raise Refused(message, code, deleted=deleted)

    # --- acting -----------------------------------------------------------------------

    def call(self, client: Any, method: str, *, failure: str = "", **params: Any) -> str:
        """The one mutating call, audited before and after; its request id.

        Raises:
            Failed: AWS answered with an error (``failure`` prefixes its message).
        """
        try:
            response = self.runner.audited_call(self, client, method, **params)
        except ClientError as exc:
            raise failed(exc, failure) from None
        return request_id_of(response)

    def ec2_call(self, client: Any, method: str, **params: Any) -> str:
        """An EC2 mutating call, pre-flighted with ``DryRun=True``; its request id."""
        carried_out = self.runner.dry_run(self, client, method, **params)
        if carried_out is not None:
            # Calling again would act twice: what the endpoint did is verified like any call.
            self.note = "the endpoint ignored DryRun=True and carried the call out at once"
            return request_id_of(carried_out)
        return self.call(client, method, **params)

    # --- verifying ----------------------------------------------------------------------

    def poll(self, check: Callable[[], bool], waiting_for: str, last_state: Callable[[], str]) -> None:
        """Call ``check`` until it is True (at least once), bounded by the row's deadline."""
        while True:
            if check():
                return
            if time.monotonic() >= self.deadline:
                raise Failed(
                    f"asked AWS to {self.action} it, but it was not {waiting_for} within "
                    f"{self.options.verify_timeout:g} s (state: {last_state() or 'unknown'}); rescan to check",
                    "VerifyTimeout",
                )
            time.sleep(self.options.poll_interval)

    def poll_state(self, read_state: Callable[[], str | None], target: str, waiting_for: str, start: str) -> str:
        """Poll ``read_state`` (None: gone) until it reads ``target``; the last state seen.

        Gone counts as reaching the target only when the target is ``deleted``.
        """
        seen = {"state": start}

        def reached() -> bool:
            state = read_state()
            seen["state"] = "deleted" if state is None and target == "deleted" else (state or "gone")
            return seen["state"] == target

        self.poll(reached, waiting_for, lambda: seen["state"])
        return seen["state"]

    def poll_gone(self, exists: Callable[[], bool], waiting_for: str, still: str = "still listed") -> None:
        """Poll until ``exists()`` is False."""
        self.poll(lambda: not exists(), waiting_for, lambda: still)

    def wait(self, client: Any, waiter_name: str, **params: Any) -> None:
        """A boto3 waiter bounded by the row's deadline and the run's poll interval."""
        remaining = max(0.0, self.deadline - time.monotonic())
        interval = max(self.options.poll_interval, 0.001)
        attempts = max(1, math.ceil(remaining / interval) + 1)
        try:
            client.get_waiter(waiter_name).wait(WaiterConfig={"Delay": interval, "MaxAttempts": attempts}, **params)
        except WaiterError as exc:
            reason = getattr(exc, "last_response", None) or {}
            code = str((reason.get("Error") or {}).get("Code") or "VerifyTimeout")
            raise Failed(
                f"asked AWS to {self.action} it, but {waiter_name.replace('_', ' ')} was not confirmed within "
                f"{self.options.verify_timeout:g} s ({exc.kwargs.get('reason', exc)}); rescan to check",
                code,
            ) from None

    def reread_resource(self, lister: Lister, **only: Any) -> Resource | None:
        """The resource as its kind's lister maps it now (repriced), or None when it is gone."""
        return self.read_row(lister, self.resource.id, **only)

    def read_row(self, lister: Lister, ident: str, **only: Any) -> Resource | None:
        """The row ``ident`` of ``lister``'s kind in the row's region as it is mapped now
        (priced, with the findings it shows alone), or None when it is not listed."""
        ctx = _OneResourceContext(
            session=self.runner.session,
            region=self.region,
            account_id=self.account,
            regions=(self.region,),
            only=only,
        )
        try:
            for batch in lister(ctx):
                for found in batch:
                    if found.id == ident:
                        return local_findings(price_resources([found]))[0]
        except ClientError as exc:
            if self.is_not_found(exc):
                return None
            raise
        return None

    def done(
        self,
        message: str = "",
        *,
        deleted: bool = False,
        result: Resource | None = None,
        request_id: str = "",
        related: tuple[Resource, ...] = (),
    ) -> ActionUpdate:
        if self.note:
            message = f"{message} ({self.note})" if message else self.note
        return ActionUpdate(
            self.resource,
            self.action,
            Status.DONE,
            message,
            result=result,
            deleted=deleted,
            request_id=request_id,
            related=related,
        )


def gone(what: str = "it") -> Refused:
    return Refused(f"{what} no longer exists (deleted since the scan)", deleted=True)
