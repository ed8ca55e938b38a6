"""What each action verb needs of IAM: its handlers' declared actions, as ``aws.permissions`` parts.

Here, not in ``aws.permissions``, because only this layer may read the handlers: the
read-only modules never import ``aws.actions`` (import-linter holds them to it).
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker_tui.aws.actions.registry import ACTION_SPECS
from tracker_tui.aws.kinds import REGISTRY, KindSpec
from tracker_tui.aws.permissions import Part


def verb_parts(kinds: Sequence[KindSpec] | None = None) -> list[Part]:
    """One part per (action, kind) handler of ``kinds`` (default: every kind), by action then
    in the kinds' display order: each action verb's statement gathers its kinds' parts."""
    wanted = {spec.id for spec in (REGISTRY.values() if kinds is None else kinds)}
    order = {kind: index for index, kind in enumerate(REGISTRY)}
    specs = sorted(
        (spec for spec in ACTION_SPECS.values() if spec.kind in wanted),
        key=lambda spec: (spec.action, order.get(spec.kind, len(order)), spec.kind),
    )
    return [
        Part(spec.action, f"action {spec.action}", spec.kind, tuple(spec.iam_actions), dict(spec.iam_fallbacks))
        for spec in specs
    ]
