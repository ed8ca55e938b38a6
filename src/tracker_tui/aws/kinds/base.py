"""What a resource kind is: how to list it and map the API's items to ``Resource``.

A kind module defines one ``list_*`` generator per kind and registers a ``KindSpec``.
The generator yields one batch of resources per API page, so the engine can stream
them out and stop between pages when the scan is cancelled.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import botocore.exceptions

from tracker_tui.aws.kinds.console import Page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import MetricRule
from tracker_tui.aws.regions import partition_of
from tracker_tui.aws.session import TIMEOUT_CODE, TIMEOUT_ERRORS, UNREACHABLE_CODE, AwsSession, RegionUnreachable
from tracker_tui.model import GLOBAL_REGION, Resource, format_cost, iso_utc, parse_iso
from tracker_tui.pricing.basis import Estimator, cents

T = TypeVar("T")
R = TypeVar("R")

#: regional: one cell per region.  global: one cell, resources in region "global" (IAM).
#: account: one cell that lists account-wide and places each resource in its own region (S3).
Scope = Literal["regional", "global", "account"]


class ScanCancelled(Exception):
    """Raised inside a cell when the scan was cancelled; the cell stops between pages."""


#: What a per-item read (one bucket's tags, one table's description) may raise and still
#: leave its row listed: AWS's refusals and errors, and the transport's give-ups (timeouts,
#: refused or dropped connections).  Anything else is a bug and fails the cell.
ITEM_ERRORS: tuple[type[Exception], ...] = (
    botocore.exceptions.ClientError,
    botocore.exceptions.HTTPClientError,  # ReadTimeoutError, ConnectionClosedError, ...
    botocore.exceptions.ConnectionError,  # ConnectTimeoutError, EndpointConnectionError, ...
)


def item_error_code(exc: BaseException) -> str:
    """A short code for a failed per-item read: AWS's error code, ``Timeout`` for an endpoint
    that did not answer, else the exception's class name."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return error_code(exc) or "ClientError"
    if isinstance(exc, TIMEOUT_ERRORS):
        return TIMEOUT_CODE
    if isinstance(exc, RegionUnreachable):
        return UNREACHABLE_CODE
    return type(exc).__name__


@dataclass
class CellContext:
    """Everything a kind's lister needs for one cell."""

    session: AwsSession
    region: str
    account_id: str
    #: The regions the scan covers (account-scoped kinds drop resources outside them).
    regions: Sequence[str] = ()
    cancel: threading.Event = field(default_factory=threading.Event)
    #: Page size to ask for (None: the API's default).  Tests set it small to force paging.
    page_size: int | None = None
    #: How many per-item calls (tags, locations, ...) run at once inside one cell.
    fan_out_workers: int = 16
    #: What per-item reads could not get, by "what (code)": the rows are still listed, and
    #: the cell ends partial (``unreadable``).
    problems: dict[str, int] = field(default_factory=dict)
    #: The same notes by the id of the row they belong to: the engine puts them in that
    #: row's ``details["unreadable"]`` before the row leaves the cell.
    item_notes: dict[str, list[str]] = field(default_factory=dict)
    _problems_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    def client(self, service: str, region: str | None = None) -> Any:
        """The shared client for ``service`` in this cell's region (home region for global cells)."""
        if region is None and self.region != GLOBAL_REGION:
            region = self.region
        return self.session.client(service, region)

    def unreadable(self, what: str, exc: BaseException, *items: str) -> str:
        """Record that ``what`` (``tags``, ``region``, ``size``...) of the rows ``items`` (their
        ids) could not be read, and return the note: ``tags unreadable (Timeout)``.

        The rows are still listed with what is known; the engine adds the note to each one's
        ``details["unreadable"]`` and ends the cell partial.  Thread-safe: ``fan_out`` workers
        call it.
        """
        note = f"{what} unreadable ({item_error_code(exc)})"
        with self._problems_lock:
            self.problems[note] = self.problems.get(note, 0) + max(1, len(items))
            for item in items:
                self.item_notes.setdefault(item, []).append(note)
        return note

    def take_notes(self, resources: Sequence[Resource]) -> list[Resource]:
        """``resources`` with the notes recorded for them in ``details["unreadable"]``."""
        if not self.item_notes:
            return list(resources)
        with self._problems_lock:
            notes = {r.id: self.item_notes.pop(r.id) for r in resources if r.id in self.item_notes}
        if not notes:
            return list(resources)
        return [replace(r, details={**r.details, "unreadable": notes[r.id]}) if r.id in notes else r for r in resources]

    def check_cancelled(self) -> None:
        if self.cancel.is_set():
            raise ScanCancelled()

    def pages(self, client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated operation, checking for cancellation between pages."""
        paginator = client.get_paginator(operation)
        config: dict[str, Any] = {}
        limit_key = paginator._pagination_cfg.get("limit_key")  # noqa: SLF001 - botocore has no public accessor
        if self.page_size and limit_key:
            # Respect the API's own bounds (DescribeNatGateways wants 5..1000): botocore rejects
            # anything outside them before sending.
            input_shape = paginator._model.input_shape  # noqa: SLF001
            member = input_shape.members.get(limit_key) if input_shape is not None else None
            bounds = member.metadata if member is not None else {}
            size = max(self.page_size, bounds.get("min", 1))
            config["PageSize"] = min(size, bounds.get("max", size))
        if config:
            kwargs["PaginationConfig"] = config
        for page in paginator.paginate(**kwargs):
            self.check_cancelled()
            yield page

    def fan_out(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(item) for item in items]`` run on a small pool, results in order.

        Used for per-item detail calls (bucket location, tags) so a cell's chain of calls
        stays short.  ``fn`` must handle its own expected errors; anything else it raises
        (a timeout, say) fails the cell, and the items not started yet are dropped: with an
        endpoint that never answers, waiting them out would cost one give-up time per round
        of ``fan_out_workers`` items instead of one in all.
        """
        self.check_cancelled()
        if len(items) <= 1:
            return [fn(item) for item in items]
        workers = max(1, min(self.fan_out_workers, len(items)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fan-out")
        try:
            futures = [pool.submit(fn, item) for item in items]
            return [future.result() for future in futures]
        finally:
            # On success every future is done; on a failure this cancels the queued ones and
            # still waits for those in flight (a worker thread cannot be interrupted).
            pool.shutdown(wait=True, cancel_futures=True)

    def arn(self, service: str, resource: str, *, region: str | None = None, global_: bool = False) -> str:
        region_part = "" if global_ else (region or self.region)
        return f"arn:{self.partition}:{service}:{region_part}:{self.account_id}:{resource}"


Lister = Callable[[CellContext], Iterable[Sequence[Resource]]]

#: Rows of a rule's ``related_kind`` in the same account and region, by id.
Related = Callable[[str], "Resource | None"]


def no_related(_: str) -> Resource | None:
    """The lookup a rule without a related kind gets."""
    return None


def own_cost(resource: Resource, related: Related) -> float | None:
    """A rule's saving when acting on the row saves all it costs (unknown stays unknown)."""
    return resource.monthly_cost


def named_rows(resource: Resource, related: Related, detail: str) -> list[Resource]:
    """The related rows whose ids ``resource.details[detail]`` lists (those that were scanned)."""
    return [row for row in (related(str(i)) for i in resource.details.get(detail) or []) if row is not None]


def named_rows_cost(resource: Resource, related: Related, detail: str) -> float | None:
    """What the rows ``resource.details[detail]`` lists cost together a month: None when one
    of them was not scanned or is unpriced (a partial sum would understate the saving)."""
    ids = resource.details.get(detail) or []
    rows = named_rows(resource, related, detail)
    if len(rows) != len(ids) or any(row.monthly_cost is None for row in rows):
        return None
    return cents(sum(row.monthly_cost or 0.0 for row in rows))


def default_evidence(resource: Resource, related: Related, saving: float | None) -> str:
    """What a finding says when its rule says nothing more: the row's own price."""
    if resource.monthly_cost is None:
        return f"monthly cost unknown ({resource.cost_basis or 'not priced'})"
    return f"costs {format_cost(resource.monthly_cost)}/mo ({resource.cost_basis or 'no basis'})"


@dataclass(frozen=True)
class Rule:
    """A saving that a kind's rows show from the scan alone (no extra API call).

    ``applies`` looks at the row only and is cheap (run on every row as it streams in);
    ``saving`` gives the monthly saving, or None when it cannot be known (an unpriced row,
    a related row not scanned).  A rule whose saving depends on other rows names their kind
    in ``related_kind`` and reads them through the lookup it gets; ``confirm`` then decides,
    with that lookup, whether it applies after all (a snapshot is orphaned only if its
    volume is not among the scanned ones).  ``evidence`` writes the checkable sentence,
    ``covers`` names the other rows whose cost the saving is (so a total counts them once).
    """

    #: Stable id, the same in every report and filter, e.g. ``unattached-volume``.
    id: str
    #: What the cost panel's line says, e.g. ``unattached volume``.
    label: str
    applies: Callable[[Resource], bool]
    saving: Callable[[Resource, Related], float | None]
    related_kind: str | None = None
    evidence: Callable[[Resource, Related, float | None], str] = default_evidence
    #: ``high`` / ``medium`` / ``low`` (model.CONFIDENCES).
    confidence: str = "high"
    #: The verb that realises it (``delete``, ``modify``, ``stop``...), if any.
    action: str | None = None
    confirm: Callable[[Resource, Related], bool] | None = None
    covers: Callable[[Resource, Related], Sequence[Resource]] | None = None
    #: The thresholds it reads (declared beside it; ``config.toml`` sets them).
    knobs: tuple[Knob, ...] = ()
    #: Builds the rule for given thresholds (a rule with knobs); None: it reads none.
    bind: Callable[[Thresholds], Rule] | None = None
    #: What its action changes the row to (``Finding.target``: a type), if it names one.
    target: Callable[[Resource], str | None] | None = None

    def bound(self, limits: Thresholds) -> Rule:
        """This rule as it judges under ``limits``."""
        return self if self.bind is None else self.bind(limits)

    @property
    def filter(self) -> str:
        """The table filter that shows exactly the rows with this finding."""
        return f"finding:{self.id}"


@dataclass(frozen=True)
class InPlace:
    """How a kind realises one of its findings without losing data (``KindSpec.in_place``):
    the action that does it (a stop, a modify that keeps everything, a delete that keeps a
    snapshot first) and what that saves when it is not the finding's own saving (the kept
    snapshot bills; an archived snapshot still bills at the archive rate)."""

    action: str
    #: What doing it saves a month (None: unknown); default the finding's own saving.
    saving: Callable[[Resource], float | None] | None = None
    #: The rows the action takes (default all): the others are refused, so they reach nothing.
    takes: Callable[[Resource], bool] | None = None

    def realises(self, resource: Resource, finding_saving: float | None) -> float | None:
        """What the fix saves on ``resource``, whose finding saves ``finding_saving``: never
        more than the finding (it is the same billed thing); None on a row it refuses."""
        if self.takes is not None and not self.takes(resource):
            return None
        if self.saving is None:
            return finding_saving
        kept = self.saving(resource)
        if kept is None or finding_saving is None:
            return kept
        return min(kept, finding_saving)


@dataclass(frozen=True)
class Schedulable:
    """How EventBridge Scheduler stops and starts a kind's rows (``KindSpec.off_hours``):
    the universal targets' API (``arn:aws:scheduler:::aws-sdk:<service>:<stop>``), the input
    field naming the rows (as the AWS SDK spells it: ``DbInstanceIdentifier``), and the states
    its price reads running and stopped."""

    #: A few letters for schedule names: ``ec2``, ``rds``.
    short: str
    #: The SDK service and the stop and start operations, as universal targets name them.
    service: str
    stop: str
    start: str
    #: The input field that names the rows, and whether it takes a list (``InstanceIds``) or one.
    field: str
    many: bool
    #: The IAM actions the schedules' role needs (stop, start).
    iam_actions: tuple[str, str]
    #: The state it bills as running, and the one it bills as stopped (what the estimator reads).
    running_state: str
    stopped_state: str
    #: The states a scheduled row is seen in (up, down, and on the way between).
    states: frozenset[str]
    #: How the IAM resource ARN of its rows looks (``instance``, ``db``, ``cluster``, ``notebook-instance``).
    arn_resource: str

    def target_arn(self, verb: str) -> str:
        """``arn:aws:scheduler:::aws-sdk:ec2:stopInstances`` (``verb``: stop or start)."""
        return f"arn:aws:scheduler:::aws-sdk:{self.service}:{self.stop if verb == 'stop' else self.start}"

    def input_for(self, ids: Sequence[str]) -> dict[str, Any]:
        """The target's input naming ``ids`` (one id for a kind whose API takes one)."""
        if self.many:
            return {self.field: list(ids)}
        if len(ids) != 1:
            raise ValueError(f"{self.service}:{self.stop} takes one id, not {len(ids)}")
        return {self.field: ids[0]}

    def ids_in(self, data: Any) -> list[str]:
        """The ids a target's input names (``input_for`` read back); [] for anything else."""
        if not isinstance(data, dict):
            return []
        value = data.get(self.field)
        if isinstance(value, list):
            return [str(v) for v in value if isinstance(v, str)]
        return [value] if isinstance(value, str) else []


#: What a row would cost on each cheaper-candidate type: (type, monthly cost), cheapest first.
Twins = Sequence[tuple[str, float]]


def twin_rule(
    *,
    id: str,
    label: str,
    billed: Callable[[Resource], bool],
    twins: Callable[[Resource], Twins],
    describe: Callable[[Resource, Twins], str],
    confidence: str,
    action: str | None = None,
) -> Rule:
    """A rule that finds a type of the same size that costs less (a current generation, a
    Graviton twin): it applies while the row is ``billed`` and priced and the cheapest of
    ``twins`` costs less; the saving is the difference; ``describe`` writes the evidence from
    the twins (the first is the one named)."""

    def cheaper(r: Resource) -> Twins:
        found = twins(r) if r.monthly_cost is not None else ()
        return found if found and found[0][1] < (r.monthly_cost or 0.0) else ()

    def applies(r: Resource) -> bool:
        return billed(r) and bool(cheaper(r))

    def saving(r: Resource, related: Related) -> float | None:
        found = cheaper(r)
        return cents((r.monthly_cost or 0.0) - found[0][1]) if found else None

    def evidence(r: Resource, related: Related, saving: float | None) -> str:
        found = cheaper(r)
        return describe(r, found) if found else "no priced twin costs less"

    def target(r: Resource) -> str | None:
        found = cheaper(r)
        return found[0][0] if found else None

    return Rule(
        id=id,
        label=label,
        applies=applies,
        saving=saving,
        evidence=evidence,
        confidence=confidence,
        action=action,
        target=target,
    )


#: ``old-snapshot``: a snapshot older than this many days.
SNAPSHOT_MAX_AGE = Knob(
    "snapshot_max_age_days", 365, "old-snapshot: a snapshot older than this many days", 1, 36500, whole=True
)


def age_days(resource: Resource, now: datetime | None = None) -> int | None:
    """Whole days since ``resource.created`` (None when unknown or unreadable)."""
    created = parse_iso(resource.created)
    if created is None:
        return None
    return max(0, ((now or datetime.now(UTC)) - created).days)


def _old(resource: Resource, max_age: float) -> bool:
    age = age_days(resource)
    return age is not None and age > max_age


def _old_evidence(resource: Resource, related: Related, saving: float | None, *, max_age: float) -> str:
    cost = "cost unknown" if resource.monthly_cost is None else f"costs {format_cost(resource.monthly_cost)}/mo"
    return (
        f"created {resource.created} ({age_days(resource)} days ago, over the {max_age:g}"
        f"-day limit, snapshot_max_age_days); {cost} ({resource.cost_basis or 'not priced'})"
    )


def old_snapshot(limits: Thresholds) -> Rule:
    """Snapshots older than ``snapshot_max_age_days`` (EBS and RDS manual snapshots alike)."""
    max_age = limits[SNAPSHOT_MAX_AGE]
    return Rule(
        id="old-snapshot",
        label="old snapshot",
        applies=lambda r: _old(r, max_age),
        saving=own_cost,
        evidence=functools.partial(_old_evidence, max_age=max_age),
        # Old is not unneeded (a yearly backup is meant to be old); the price is an upper bound.
        confidence="medium",
        action="delete",
        knobs=(SNAPSHOT_MAX_AGE,),
        bind=old_snapshot,
    )


#: ``old-snapshot`` at the default age.
OLD_SNAPSHOT = old_snapshot(Thresholds())


@dataclass(frozen=True)
class KindSpec:
    """Everything about one resource kind, in one place.

    The scan lists it, the estimator prices it, the rules find its waste, the coverage
    grid labels it, and the action plan reads its verbs from here.  Rules and verbs have
    no defaults: every kind declares them, even when there are none.  The handlers of the
    verbs live in ``aws/actions/`` (a read-only scan never imports them), keyed by
    ``(kind id, action)``; a completeness test ties the two together.
    """

    id: str
    #: A few letters for the coverage grid's column, e.g. ``vol``.
    label: str
    #: What a list of them is called, e.g. ``EBS volumes``.
    title: str
    #: The botocore service the lister calls (its endpoint data says where it exists).
    service: str
    scope: Scope
    lister: Lister
    estimator: Estimator
    rules: tuple[Rule, ...]
    #: The user's verb (``stop`` for ``s``, ``delete`` for ``ctrl+d``) -> the action taken,
    #: e.g. ``{"stop": "stop", "delete": "terminate"}``.
    verbs: Mapping[str, str]
    #: The Cost Explorer SERVICE its charges appear under on the bill ("" when it is free:
    #: IAM, Auto Scaling groups).  Several kinds may share one (EBS, NAT: "EC2 - Other").
    billed_as: str
    #: Error codes meaning "this resource does not exist (any more)", for re-reads.
    not_found_codes: frozenset[str] = frozenset()
    #: Findings read from CloudWatch metrics (``idle-*``), only when the user asks: they cost.
    metric_rules: tuple[MetricRule, ...] = ()
    #: Its AWS console page (``o``; ``tracker_tui.aws.console`` picks the host).
    console: Page | None = None
    #: More names ``:`` knows it by (beyond its id, its grid label and the noun after the colon).
    aliases: tuple[str, ...] = ()
    #: The IAM actions its lister calls (``ec2:DescribeVolumes``), per-item reads included:
    #: ``tracker-tui permissions`` grants them in the scan statement and ``--check`` asks IAM's
    #: simulator about them.  IAM names, not API names (``aws.permissions.iam_actions`` maps
    #: the few that differ).  Its rules read rows only (a related kind is listed by its own
    #: actions) and its metric rules declare theirs, so this is the lister's alone.
    #: tests/test_permissions.py records every call a scan makes and holds this to it.
    iam_actions: tuple[str, ...] = ()
    #: Actions the lister calls only when one of ``iam_actions`` is refused, by that action
    #: (IAM users: ListUsers and ListUserTags when GetAccountAuthorizationDetails is denied).
    #: The policy leaves them out (least privilege); ``--check`` counts the kind as readable
    #: when they are allowed in its place.
    iam_fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The findings its actions realise without losing data, by finding id (see ``InPlace``):
    #: the Savings panel, the markdown report and the JSON say how much of the saving found
    #: these fixes reach ("fixable in place").  A fix that drops data (a log retention, a
    #: lifecycle rule that expires versions) is not here, however reversible the setting.
    in_place: Mapping[str, InPlace] = field(default_factory=dict)
    #: How EventBridge Scheduler stops and starts its rows off-hours (``z``); None: it cannot.
    off_hours: Schedulable | None = None


# --- small mapping helpers shared by the kind modules ------------------------------------


def known(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` without the fields the API left out (None), as every lister stores them."""
    return {k: v for k, v in details.items() if v is not None}


def tag_dict(tags: Iterable[dict[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` to ``{k: v}`` (None-safe)."""
    return {str(t.get(key, "")): str(t.get(value, "")) for t in (tags or [])}


def ts(value: Any) -> str | None:
    """An API timestamp (datetime, epoch millis or ISO string) as inventory ISO-8601."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, (int, float)):
        return iso_utc(datetime.fromtimestamp(value / 1000.0, tz=UTC))
    if isinstance(value, str):
        try:
            return iso_utc(datetime.fromisoformat(value.replace("Z", "+00:00").replace("+0000", "+00:00")))
        except ValueError:
            return None
    return None


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError (empty for anything else)."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def code_of(exc: BaseException) -> str:
    """The AWS error code, or the exception's type where there is none (a timeout)."""
    return error_code(exc) or type(exc).__name__


def message_of(exc: BaseException) -> str:
    """The AWS error message, or the exception's text where there is none."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Message", "")) or str(exc)
