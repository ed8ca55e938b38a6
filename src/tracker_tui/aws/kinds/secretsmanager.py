"""Secrets Manager secrets, those scheduled for deletion included.

ListSecrets gives everything a user needs, tags too, so one paginated call is the whole
cell.  ``IncludePlannedDeletion`` keeps secrets scheduled for deletion in the list: they
cost nothing, but they are still there (and can be restored) until their deletion date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import CellContext, KindSpec, known, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource, format_cost
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
    rules=(),
    verbs={},
    billed_as="AWS Secrets Manager",
)
