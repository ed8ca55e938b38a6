"""tracker-tui's off-hours schedules (EventBridge Scheduler), one row per stop/start pair.

``z`` writes its schedules into the schedule group ``tracker-tui``, two at a time: ``<pair>-stop``
and ``<pair>-start`` (``offhours.schedule_names``).  This kind lists that group (ListSchedules,
then GetSchedule per schedule for its expression, zone and target input) and pairs them back, so
``:schedules`` shows one line per schedule and ``ctrl+d`` removes both halves at once.  A half
pair is a row too, ``incomplete``, and says what it does alone: a stop with no start stops its
rows and nothing starts them again; a start with no stop never stops them.  A region with no
group has nothing scheduled: an empty cell, not an error.

The pairs are built once the whole group is read (the two halves may come on different pages),
so the cell yields one batch.

Schedules carry no tags of their own (EventBridge Scheduler tags schedule groups only): every
row carries its group's, so a protected tag on the group (``do-not-delete``) keeps its
schedules from ``ctrl+d``.

Price: EventBridge Scheduler bills per invocation (one per firing, whatever the target does with
it), and the first 14 million a month are free: a pair costs $0.00, and its basis counts the
invocations its crons fire a month, so the figure is never a silent $0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import botocore.exceptions

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, Schedulable, error_code, known, tag_dict, ts
from tracker_tui.aws.kinds.console import q
from tracker_tui.aws.regions import partition_of
from tracker_tui.model import Resource
from tracker_tui.offhours import (
    FREE_INVOCATIONS,
    GROUP,
    PRICE_PER_MILLION,
    ScheduleError,
    cron_events,
    invocations_cost,
    next_fire,
    pair_of,
    parse,
)
from tracker_tui.pricing.basis import Estimate, PriceBook, number
from tracker_tui.pricing.catalogue import Catalogue

KIND = "scheduler:schedule"

#: How ``z`` starts every schedule's description: ``tracker-tui off-hours: <text> (stop)``.
DESCRIPTION_PREFIX = "tracker-tui off-hours: "
#: The states of a pair's row besides EventBridge's own ENABLED and DISABLED.
MIXED = "mixed"
INCOMPLETE = "incomplete"
#: GetSchedule (and ListSchedules of a group that does not exist) answer this for "no such thing".
NOT_FOUND = frozenset({"ResourceNotFoundException"})
VERBS = ("stop", "start")

_TARGET = re.compile(r"arn:[a-z-]+:scheduler:::aws-sdk:([a-z0-9-]+):([A-Za-z0-9]+)")
_DESCRIBED_VERB = re.compile(r"\s*\((?:stop|start)\)\s*$")


def group_arn(region: str, account_id: str) -> str:
    """The ARN of the group ``tracker-tui`` in ``region`` (what its tags are read and set on)."""
    return f"arn:{partition_of(region)}:scheduler:{region}:{account_id}:schedule-group/{GROUP}"


# --- what a schedule's target is ------------------------------------------------------------------


def target_of(arn: str) -> tuple[str, str] | None:
    """(service, operation) of a universal target (``arn:aws:scheduler:::aws-sdk:ec2:stopInstances``)."""
    found = _TARGET.fullmatch(arn or "")
    return (found[1], found[2]) if found else None


def schedulable_of(arn: str) -> tuple[str, Schedulable, str] | None:
    """(kind id, how it is scheduled, ``stop`` or ``start``) of the kind a target stops or starts,
    read from the registry's ``off_hours`` declarations; None for any other target."""
    from tracker_tui.aws.kinds import REGISTRY  # the registry imports this module

    target = target_of(arn)
    if target is None:
        return None
    service, operation = target
    for spec in REGISTRY.values():
        way = spec.off_hours
        if way is not None and way.service == service and operation in (way.stop, way.start):
            return spec.id, way, "stop" if operation == way.stop else "start"
    return None


def target_ids(item: Mapping[str, Any]) -> list[str]:
    """The ids a schedule's target input names (``Schedulable.ids_in``); [] when unreadable."""
    target = item.get("Target") or {}
    found = schedulable_of(str(target.get("Arn") or ""))
    if found is None:
        return []
    try:
        data = json.loads(str(target.get("Input") or ""))
    except ValueError:
        return []
    return found[1].ids_in(data)


def schedule_text(description: str | None) -> str | None:
    """The schedule ``z`` wrote in a description (``office-hours MON-FRI 08:00-19:00 Europe/Paris``);
    None when it is not one of tracker-tui's descriptions or names no schedule."""
    text = (description or "").strip()
    if not text.startswith(DESCRIPTION_PREFIX):
        return None
    text = _DESCRIBED_VERB.sub("", text[len(DESCRIPTION_PREFIX) :])
    try:
        return parse(text).text
    except ScheduleError:
        return None


def _pair_and_verb(summary: Mapping[str, Any]) -> tuple[str, str]:
    """(pair, ``stop``/``start``) of a schedule: by its name as ``z`` makes them, else (a name
    someone else chose) by what its target does, the schedule standing alone as its own pair."""
    name = str(summary.get("Name") or "")
    paired = pair_of(name)
    if paired is not None:
        return paired
    found = schedulable_of(str((summary.get("Target") or {}).get("Arn") or ""))
    return name, found[2] if found is not None else "stop"


# --- listing ---------------------------------------------------------------------------------------


def list_schedules(ctx: CellContext) -> Iterator[list[Resource]]:
    client = ctx.client("scheduler")
    summaries: list[dict[str, Any]] = []
    try:
        for page in ctx.pages(client, "list_schedules", GroupName=GROUP):
            summaries.extend(page.get("Schedules", []))
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) in NOT_FOUND:  # no group here: tracker-tui never scheduled anything in this region
            return
        raise
    if not summaries:
        return
    pairs = [_pair_and_verb(s) for s in summaries]
    items = ctx.fan_out(lambda job: _get_schedule(ctx, client, *job), list(zip(summaries, pairs, strict=True)))
    halves: dict[str, dict[str, dict[str, Any]]] = {}
    for (pair, verb), item in zip(pairs, items, strict=True):
        if item is not None:  # None: deleted between the listing and the read
            halves.setdefault(pair, {})[verb] = item
    if not halves:
        return
    tags = _group_tags(ctx, client, list(halves))
    yield [_row(ctx, pair, halves[pair], tags) for pair in sorted(halves)]


def _get_schedule(
    ctx: CellContext, client: Any, summary: dict[str, Any], pair: tuple[str, str]
) -> dict[str, Any] | None:
    """GetSchedule's answer over the listing's; None when it is gone; the listing alone (no
    expression, zone or input) when it cannot be read, noted on the pair's row."""
    try:
        full = client.get_schedule(Name=summary["Name"], GroupName=GROUP)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) in NOT_FOUND:
            return None
        ctx.unreadable("schedule", exc, pair[0])
        return dict(summary)
    except ITEM_ERRORS as exc:
        ctx.unreadable("schedule", exc, pair[0])
        return dict(summary)
    return {**summary, **{k: v for k, v in full.items() if k != "ResponseMetadata"}}


def _group_tags(ctx: CellContext, client: Any, pairs: Sequence[str]) -> dict[str, str]:
    try:
        reply = client.list_tags_for_resource(ResourceArn=group_arn(ctx.region, ctx.account_id))
    except ITEM_ERRORS as exc:  # listed without tags, noted on every row
        ctx.unreadable("tags", exc, *pairs)
        return {}
    return tag_dict(reply.get("Tags"))


def invocations_per_month(expressions: Sequence[str]) -> float | None:
    """How many times a month these crons fire together (each firing is one invocation, however
    many rows its target names); None when one of them is not a cron of tracker-tui's form."""
    weekly = 0
    for expression in expressions:
        events = cron_events(expression)
        if events is None:
            return None
        weekly += len(events)
    return round(weekly * 365.25 / 7 / 12, 1)


def _row(ctx: CellContext, pair: str, halves: dict[str, dict[str, Any]], tags: dict[str, str]) -> Resource:
    ordered = [(verb, halves[verb]) for verb in VERBS if verb in halves]
    # The first half read whole (a half GetSchedule could not read has the listing's fields only).
    first = next((item for _, item in ordered if _read(item)), ordered[0][1])
    states = {str(item.get("State") or "") for _, item in ordered}
    if len(ordered) < len(VERBS):
        state = INCOMPLETE
    else:
        state = states.pop() if len(states) == 1 else MIXED
    text = next((t for t in (schedule_text(item.get("Description")) for _, item in ordered) if t), None)
    targets: list[str] = []
    for _, item in ordered:
        targets += [i for i in target_ids(item) if i not in targets]
    target = schedulable_of(str((first.get("Target") or {}).get("Arn") or ""))
    service = target_of(str((first.get("Target") or {}).get("Arn") or ""))
    zones = {verb: item.get("ScheduleExpressionTimezone") for verb, item in ordered if _read(item)}
    expressions = {verb: str(item.get("ScheduleExpression") or "") for verb, item in ordered}
    details: dict[str, Any] = {
        "group": GROUP,
        "schedule": text,
        "zone": first.get("ScheduleExpressionTimezone"),
        "target_service": service[0] if service else None,
        "target_kind": target[0] if target else None,
        "targets": targets,
        "role_arn": (first.get("Target") or {}).get("RoleArn"),
        "invocations_per_month": invocations_per_month(list(expressions.values())),
    }
    for verb, item in ordered:
        details[f"{verb}_name"] = item.get("Name")
        details[f"{verb}_expression"] = item.get("ScheduleExpression")
        details[f"{verb}_state"] = item.get("State")
    if len(set(zones.values())) > 1:
        details["start_zone"] = zones.get("start")
    notes = _notes(halves)
    if notes:
        details["note"] = "; ".join(notes)
    return Resource(
        kind=KIND,
        id=pair,
        account_id=ctx.account_id,
        arn=first.get("Arn"),
        name=_name(text or pair, target[0] if target else None, targets),
        region=ctx.region,
        state=state,
        created=min((c for c in (ts(item.get("CreationDate")) for _, item in ordered) if c), default=None),
        tags=tags,
        details=known(details),
    )


def _read(item: Mapping[str, Any]) -> bool:
    """Whether GetSchedule's answer is in ``item`` (the listing has no expression)."""
    return "ScheduleExpression" in item


def _name(text: str, kind: str | None, targets: Sequence[str]) -> str:
    """What the table's name column shows first: what it stops, then when (the pairs of one
    region often share a schedule, and a narrow column cuts the end): ``rds orders-db:
    office-hours MON-FRI 08:00-19:00 UTC``, ``ec2 x6: ...``."""
    noun = kind.split(":", 1)[0] if kind else "?"
    what = targets[0] if len(targets) == 1 else f"x{len(targets)}"
    return f"{noun} {what}: {text}"


def _notes(halves: dict[str, dict[str, Any]]) -> list[str]:
    """What is wrong with a pair, in words: a missing half, halves that disagree (as far as both
    could be read)."""
    stop, start = halves.get("stop"), halves.get("start")
    if stop is None and start is not None:
        return [f"only {start.get('Name')} exists: it starts its rows and nothing stops them"]
    if start is None and stop is not None:
        return [f"only {stop.get('Name')} exists: it stops its rows and nothing starts them again"]
    assert stop is not None and start is not None
    notes: list[str] = []
    if not (_read(stop) and _read(start)):
        return notes
    if target_ids(stop) != target_ids(start):
        notes.append(
            f"the stop schedule names {', '.join(target_ids(stop)) or 'nothing'}, "
            f"the start schedule {', '.join(target_ids(start)) or 'nothing'}"
        )
    if stop.get("ScheduleExpressionTimezone") != start.get("ScheduleExpressionTimezone"):
        notes.append(
            f"the stop schedule runs in {stop.get('ScheduleExpressionTimezone')}, "
            f"the start schedule in {start.get('ScheduleExpressionTimezone')}"
        )
    return notes


# --- when, and what it costs -------------------------------------------------------------------------


def next_events(r: Resource, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """(next stop, next start) of a pair's row, in its zone; None for a half that is missing,
    disabled, or whose cron is not of tracker-tui's form."""
    d = r.details
    zone = str(d.get("zone") or "")

    def fire(verb: str, in_zone: str) -> datetime | None:
        expression = d.get(f"{verb}_expression")
        if not expression or d.get(f"{verb}_state") != "ENABLED":
            return None
        return next_fire(str(expression), in_zone, now)

    return fire("stop", zone), fire("start", str(d.get("start_zone") or zone))


def estimate_schedule(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    """$0.00 inside EventBridge Scheduler's free tier, with the invocations its crons fire a month."""
    invocations = number(r.details.get("invocations_per_month"))
    if invocations is None:
        return 0.0, (
            "$0.00 in the free tier: its invocations a month are unknown (a cron tracker-tui did not write); "
            f"EventBridge Scheduler's first {FREE_INVOCATIONS // 1_000_000} million a month are free, "
            f"then ${PRICE_PER_MILLION:.2f} per million"
        )
    return 0.0, f"$0.00 in the free tier: {invocations_cost(invocations)}"


def _console_page(r: Resource, base: str) -> str:
    name = r.details.get("stop_name") or r.details.get("start_name") or r.id
    return f"{base}/scheduler/home?region={r.region}#schedules/{q(GROUP)}/{q(str(name))}"


SPEC = KindSpec(
    id=KIND,
    console=_console_page,
    aliases=("schedules", "schedule"),
    label="sched",
    title="Off-hours schedules",
    service="scheduler",
    scope="regional",
    lister=list_schedules,
    iam_actions=("scheduler:ListSchedules", "scheduler:GetSchedule", "scheduler:ListTagsForResource"),
    estimator=estimate_schedule,
    rules=(),
    verbs={"delete": "delete"},
    # Free: a pair's price is $0.00 by construction (the free tier; its basis counts the
    # invocations).  Above the free tier Cost Explorer would show the invocations under "CloudWatch
    # Events" (AWS Knowledge Center, "eventbridge-reduce-charges"), beside every event bus's
    # charges no kind lists, so the bill view leaves that line uncovered rather than set $0 against it.
    billed_as="",
    not_found_codes=NOT_FOUND,
)
