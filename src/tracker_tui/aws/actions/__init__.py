"""Stop, terminate, delete and release, with the safety rails of the product's safety model.

``plan`` says what a verb would do to each selected row (pure); ``ActionRunner`` does it,
each row through validate -> preflight -> act -> verify with an audit line before and after
every call.  The handlers live in one module per kind module they act on (``ec2_image``
for ``aws/kinds/ec2_image.py``, ``dynamodb``, ``sagemaker``, ...; ``ec2`` for the EC2 kinds
of the first estate), each an ``ActionSpec`` keyed by (kind id, action) in ``registry``; the
rails they share are ``base.Step``.  A read-only scan never imports this package.
"""

from __future__ import annotations

from tracker_tui.aws.actions.base import (
    ActionOptions,
    ActionSpec,
    ActionUpdate,
    Choice,
    PlannedAction,
    Status,
)
from tracker_tui.aws.actions.plan import (
    Verb,
    action_for,
    choices_for,
    describe_skipped,
    needs_typed_name,
    plan,
    skip_reason,
    skipped_by_reason,
    spec_of,
)
from tracker_tui.aws.actions.rds import FINAL_SNAPSHOT_PREFIX, final_snapshot_id
from tracker_tui.aws.actions.registry import ACTION_SPECS
from tracker_tui.aws.actions.runner import IDENTITY_RECHECK_SECONDS, ActionRunner, UpdateSink

__all__ = [
    "ACTION_SPECS",
    "FINAL_SNAPSHOT_PREFIX",
    "IDENTITY_RECHECK_SECONDS",
    "ActionOptions",
    "ActionRunner",
    "ActionSpec",
    "ActionUpdate",
    "Choice",
    "PlannedAction",
    "Status",
    "UpdateSink",
    "Verb",
    "action_for",
    "choices_for",
    "describe_skipped",
    "final_snapshot_id",
    "needs_typed_name",
    "plan",
    "skip_reason",
    "skipped_by_reason",
    "spec_of",
]
