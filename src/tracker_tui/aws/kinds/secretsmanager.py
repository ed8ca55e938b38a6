"""Secrets Manager secrets, those scheduled for deletion included.

ListSecrets gives everything a user needs, tags too, so one paginated call is the whole
cell.  ``IncludePlannedDeletion`` keeps secrets scheduled for deletion in the list: they
cost nothing, but they are still there (and can be restored) until their deletion date.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from tracker_tui.aws.kinds.base import (
    CellContext,
    KindSpec,
    Related,
    Rule,
    age_days,
    default_evidence,
    known,
    own_cost,
    tag_dict,
    ts,
)
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.model import Resource, format_cost, parse_iso
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "secretsmanager:secret"

#: The state of a secret scheduled for deletion (the same word as a KMS key's).
PENDING_DELETION = "PendingDeletion"


def list_secrets(ctx: CellContext) -> Iterator[list[Resource]]:
    client = ctx.client("secretsmanager")
    for page in ctx.pages(client, "list_secrets", IncludePlannedDeletion=True):
        yield [_resource(ctx, secret) for secret in page.get("SecretList", [])]


def _resource(ctx: CellContext, secret: dict[str, Any]) -> Resource:
    name = str(secret["Name"])
    tags = tag_dict(secret.get("Tags"))
    deleted = ts(secret.get("DeletedDate"))
    details = {
        "description": secret.get("Description") or None,
        "last_accessed": ts(secret.get("LastAccessedDate")),
        "last_changed": ts(secret.get("LastChangedDate")),
        "last_rotated": ts(secret.get("LastRotatedDate")),
        "rotation_enabled": bool(secret.get("RotationEnabled")),
        "deletion_date": deleted,
        "owning_service": secret.get("OwningService"),
        "primary_region": secret.get("PrimaryRegion"),
        "kms_key_id": secret.get("KmsKeyId"),
    }
    return Resource(
        kind=KIND,
        id=name,
        account_id=ctx.account_id,
        arn=secret.get("ARN"),
        name=tags.get("Name", "") or name,
        region=ctx.region,
        state=PENDING_DELETION if deleted else "active",
        created=ts(secret.get("CreatedDate")),
        tags=tags,
        details=known(details),
    )


def estimate_secret(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    if r.state == PENDING_DELETION:
        when = str(r.details.get("deletion_date") or "")[:10] or "a date not given"
        return 0.0, f"scheduled for deletion on {when}: no charge"
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    fee = cat.fee("secret_month")
    if fee is None:
        return None, "no catalogue price for Secrets Manager secrets"
    monthly = cents(fee)
    return monthly, f"secret, {format_cost(monthly)}/mo + API calls, usage-dependent"


#: ``secret-unused``: a secret not read for more than this many days.
SECRET_UNUSED_DAYS = Knob(
    "secret_unused_days",
    90,
    "secret-unused: a secret not read (never read: created) more than this many days ago",
    1,
    3650,
    whole=True,
)


def last_read_days(r: Resource, now: datetime | None = None) -> int | None:
    """Whole days since ``LastAccessedDate`` (AWS keeps the day only); None when never read."""
    last = parse_iso(r.details.get("last_accessed"))
    return None if last is None else max(0, ((now or datetime.now(UTC)) - last).days)


def _unused(r: Resource, max_days: float) -> bool:
    # A secret another service owns (an RDS master password, say) lives and dies with it.
    if r.state == PENDING_DELETION or r.details.get("owning_service"):
        return False
    read = last_read_days(r)
    if read is not None:
        return read > max_days
    created = age_days(r)
    return created is not None and created > max_days


def _unused_evidence(r: Resource, related: Related, saving: float | None, *, max_days: float) -> str:
    read = last_read_days(r)
    limit = f"over the {max_days:g}-day limit, secret_unused_days"
    if read is not None:
        when = f"last read {str(r.details.get('last_accessed'))[:10]} ({read} days ago, {limit})"
    else:
        when = f"never read since it was created {r.created} ({age_days(r)} days ago, {limit})"
    return (
        f"{when}; {default_evidence(r, related, saving)}; it may still be a break-glass credential kept for a bad "
        "day: ask its owner before scheduling its deletion (a 7-30 day wait, cancellable)"
    )


def secret_unused(limits: Thresholds) -> Rule:
    """Secrets not read for more than ``secret_unused_days`` (never read: created that long ago)."""
    max_days = limits[SECRET_UNUSED_DAYS]
    return Rule(
        id="secret-unused",
        label="unused secret",
        applies=lambda r: _unused(r, max_days),
        saving=own_cost,
        evidence=functools.partial(_unused_evidence, max_days=max_days),
        # Unread is not unneeded: a break-glass credential is read only on the worst day.  No
        # verb: a deleted secret's value is gone once its recovery window ends.
        confidence="medium",
        knobs=(SECRET_UNUSED_DAYS,),
        bind=secret_unused,
    )


#: ``secret-unused`` at the default age.
SECRET_UNUSED = secret_unused(Thresholds())


SPEC = KindSpec(
    id=KIND,
    console=console_page("secretsmanager/secret?name={name}&region={region}"),
    aliases=("secret", "secrets"),
    label="sec",
    title="Secrets Manager secrets",
    service="secretsmanager",
    scope="regional",
    lister=list_secrets,
    iam_actions=("secretsmanager:ListSecrets",),
    estimator=estimate_secret,
    rules=(SECRET_UNUSED,),
    verbs={},
    billed_as="AWS Secrets Manager",
)
