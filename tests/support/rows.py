"""Rows for the table's data engine and its widget: a row with defaults, three arrival batches,
random rows, and the order a from-scratch sort gives them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tracker_tui.model import Resource
from tracker_tui.rowstore import format_tags

NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"


def res(
    name: str,
    *,
    kind: str = "ec2:instance",
    region: str = "us-east-1",
    state: str = "running",
    cost: float | None = 10.0,
    account: str = ACCOUNT,
    created: str | None = "2026-11-24T12:00:00Z",
    tags: dict[str, str] | None = None,
) -> Resource:
    return Resource(
        kind=kind,
        id=f"id-{name}",
        region=region,
        account_id=account,
        name=name,
        state=state,
        created=created,
        tags=tags if tags is not None else {"env": "prod", "team": "platform"},
        monthly_cost=cost,
    )


BATCH_1 = [res("charlie", cost=30.0), res("alpha", cost=None, state="stopped")]
BATCH_2 = [res("bravo", kind="ec2:volume", region="eu-west-1", cost=5.0)]
BATCH_3 = [
    res("delta", kind="s3:bucket", region="eu-west-1", cost=100.0, state=""),
    res("echo", kind="iam:role", region="global", cost=None, state=""),
]


def random_rows(count: int, seed: int = 5) -> list[Resource]:
    """``count`` rows with clashing names, kinds in two spellings, unknown costs and ages: a sort's worst case."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        out.append(
            res(
                rng.choice(["alpha", "Bravo", "bravo", "charlie", f"n-{i % 7}"]),
                kind=rng.choice(["ec2:instance", "ec2:volume", "EC2:Volume", "s3:bucket"]),
                region=rng.choice(["us-east-1", "eu-west-1", "global"]),
                state=rng.choice(["running", "stopped", ""]),
                cost=rng.choice([None, 0.0, 5.0, 10.0, 30.0]),
                created=rng.choice([None, "2026-11-24T12:00:00Z", "2025-01-01T00:00:00Z", "2026-11-29T11:00:00Z"]),
                tags=rng.choice([{}, {"env": "prod"}, {"env": "dev", "team": "x"}]),
            )
        )
        out[-1] = Resource(**{**out[-1].to_dict(), "id": f"id-{i}"})
    return out


def reference_order(resources: Sequence[Resource], column: str, reverse: bool) -> list[str]:
    """Ties in arrival order, unknowns last, both directions (a from-scratch reference)."""

    def key(r: Resource) -> Any:
        if column == "cost":
            return r.monthly_cost
        if column == "age":
            return None if not r.created else -datetime.fromisoformat(r.created).timestamp()
        if column == "tags":
            return format_tags(r).lower()
        return (r.account_id if column == "account" else getattr(r, column)).lower()

    known = [r for r in resources if key(r) is not None]
    unknown = [r for r in resources if key(r) is None]
    known.sort(key=key, reverse=reverse)  # stable: ties keep arrival order both ways
    return [r.id for r in known + unknown]
