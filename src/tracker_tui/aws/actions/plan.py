"""Planning: what a verb would do to each selected row, and why not, without calling AWS.

The kind says which action a verb means (``KindSpec.verbs``); the action's spec says what
the confirm dialog must show beside the row and what doing it saves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from tracker_tui.aws.actions.base import ActionOptions, ActionSpec, Choice, PlannedAction
from tracker_tui.aws.actions.registry import ACTION_SPECS
from tracker_tui.aws.kinds import REGISTRY
from tracker_tui.model import Resource

#: What the user pressed: ``s`` is "stop" (pause for a Redshift cluster), ``ctrl+d`` is
#: "delete" (terminate for an instance, release for an Elastic IP, deregister for an AMI),
#: "start" (``u``) brings back what "stop" stopped (start, resume), "modify" (``m``) changes
#: a resource in place (a gp2 volume to gp3), "schedule" (``z``) puts it on the run's off-hours
#: schedule (``ActionOptions.schedule``).
Verb = Literal["stop", "delete", "start", "modify", "schedule"]


def action_for(kind: str, verb: str) -> str | None:
    """The action ``verb`` means for ``kind`` (None: it takes none)."""
    spec = REGISTRY.get(kind)
    return spec.verbs.get(verb) if spec is not None else None


def skip_reason(kind: str, verb: str) -> str:
    """Why ``verb`` does nothing to a row of ``kind``, in plain words (the kind is shown beside it)."""
    spec = REGISTRY.get(kind)
    if spec is None or not spec.verbs:
        return "read-only kind"
    return f"no {verb} action"


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
        verb: "stop" (``s``), "delete" (``ctrl+d``), "start" (``u``), "modify" (``m``) or
            "schedule" (``z``).
        options: the run's options (the answers to the actions' boxes name what is kept).
        now: the plan time, which names what actions leave behind (default: now, UTC).
    """
    options = options or ActionOptions()
    now = now or datetime.now(UTC)
    out = []
    for resource in resources:
        action = action_for(resource.kind, verb)
        spec = ACTION_SPECS.get((resource.kind, action)) if action is not None else None
        if action is None or spec is None:
            out.append(PlannedAction(resource, None, skip_reason=skip_reason(resource.kind, verb)))
            continue
        artifact = spec.artifact(resource, options, now) if spec.artifact is not None else None
        out.append(
            PlannedAction(
                resource,
                action,
                saving=spec.saving_with(resource, options) if spec.saving_with else spec.saving(resource),
                note=spec.note(resource, options, artifact),
                artifact=artifact,
            )
        )
    return out


def spec_of(planned: PlannedAction) -> ActionSpec | None:
    """The spec of a planned row's action (None when it is skipped)."""
    if planned.action is None:
        return None
    return ACTION_SPECS.get((planned.resource.kind, planned.action))


def choices_for(planned: Sequence[PlannedAction]) -> list[Choice]:
    """The boxes the confirm dialog offers for a plan: each action's, once, in plan order."""
    seen: dict[Choice, None] = {}
    for item in planned:
        spec = spec_of(item)
        for choice in spec.choices if spec is not None else ():
            seen.setdefault(choice)
    return list(seen)


def needs_typed_name(planned: Sequence[PlannedAction]) -> bool:
    """Typing the account name is required unless the plan acts on one row with a one-key action."""
    acting = [p for p in planned if p.action]
    if len(acting) != 1:
        return True
    spec = spec_of(acting[0])
    return not (spec is not None and spec.single_key)


def skipped_by_reason(planned: Sequence[PlannedAction]) -> list[tuple[str, list[tuple[str, int]]]]:
    """The skipped rows grouped by reason, each reason once with its kinds and their counts.

    Each entry is (reason, [(kind, rows), ...]): reasons by how many rows they cover, kinds
    likewise (ties by name), so a long selection reads in two lines instead of one a row.
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
