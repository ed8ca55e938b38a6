"""The registry of resource kinds: one module per service family, one line each here."""

from __future__ import annotations

from tracker_tui.aws.kinds import autoscaling, awslambda, ec2, elasticache, elb, iam, logs, rds, s3
from tracker_tui.aws.kinds.base import CellContext, KindSpec, ScanCancelled
from tracker_tui.model import KIND_IDS

_MODULES = (ec2, s3, rds, awslambda, elb, logs, iam, autoscaling, elasticache)

REGISTRY: dict[str, KindSpec] = {spec.id: spec for module in _MODULES for spec in module.KINDS}
# Display order follows model.KIND_IDS.
REGISTRY = {kind: REGISTRY[kind] for kind in KIND_IDS}


class UnknownKindError(ValueError):
    """A kind the user named does not exist."""


def resolve_kinds(requested: list[str] | None) -> list[KindSpec]:
    """The specs for the requested kind ids (every kind when none), in display order.

    Raises:
        UnknownKindError: naming the first unknown kind and the valid ones.
    """
    wanted = [k.strip() for k in (requested or []) if k and k.strip()]
    if not wanted:
        return list(REGISTRY.values())
    for kind in wanted:
        if kind not in REGISTRY:
            raise UnknownKindError(f"unknown kind '{kind}' (known: {', '.join(REGISTRY)})")
    return [spec for kind, spec in REGISTRY.items() if kind in wanted]


__all__ = ["REGISTRY", "CellContext", "KindSpec", "ScanCancelled", "UnknownKindError", "resolve_kinds"]
