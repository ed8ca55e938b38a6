"""Customer-managed KMS keys (AWS-managed keys are free and not the account's to manage).

ListKeys gives ids only, so each key is described (DescribeKey: manager, state, spec,
deletion date) and, when it is the customer's, its tags read (ListResourceTags) in the same
worker; the region's aliases come from one paginated ListAliases beside the first page's
keys.  Key rotation is left out: it is one more call per key (GetKeyRotationStatus).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import (
    ITEM_ERRORS,
    CellContext,
    KindSpec,
    Related,
    Rule,
    default_evidence,
    error_code,
    item_error_code,
    known,
    own_cost,
    tag_dict,
    ts,
)
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "kms:key"

#: Key states that are not billed (the key is scheduled for deletion).
PENDING_DELETION = frozenset({"PendingDeletion", "PendingReplicaDeletion"})


def list_keys(ctx: CellContext) -> Iterator[list[Resource]]:
    kms = ctx.client("kms")
    aliases: dict[str, list[str]] | None = None
    for page in ctx.pages(kms, "list_keys"):
        keys = list(page.get("Keys", []))
        jobs: list[functools.partial[Any]] = [functools.partial(_key, ctx, kms, key["KeyId"]) for key in keys]
        # The aliases once, beside the first keys' reads; a region with no keys pays for neither.
        need_aliases = aliases is None and bool(keys)
        if need_aliases:
            jobs.append(functools.partial(_aliases, ctx, kms))
        results = ctx.fan_out(lambda job: job(), jobs) if jobs else []
        if need_aliases:
            aliases = results.pop()
        batch = []
        for key, found in zip(keys, results, strict=True):
            if found is not None:
                meta, tags = found
                batch.append(_resource(ctx, key, meta, tags, (aliases or {}).get(key["KeyId"], [])))
        yield batch


def _key(ctx: CellContext, kms: Any, key_id: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """(KeyMetadata, tags) of a customer-managed key; None for an AWS-managed one or one gone.

    A key whose DescribeKey is denied (its key policy leaves the scanner out) is kept with
    what is known: AWS-managed keys can always be described in their own account.
    """
    try:
        meta = dict(kms.describe_key(KeyId=key_id).get("KeyMetadata") or {})
    except ITEM_ERRORS as exc:
        if error_code(exc) == "NotFoundException":
            return None
        ctx.unreadable("description", exc, key_id)
        return {"DescribeError": item_error_code(exc)}, {}
    if meta.get("KeyManager") != "CUSTOMER":
        return None
    try:
        tags = tag_dict(kms.list_resource_tags(KeyId=key_id).get("Tags"), key="TagKey", value="TagValue")
    except ITEM_ERRORS as exc:  # listed without tags, noted on its row
        ctx.unreadable("tags", exc, key_id)
        tags = {}
    return meta, tags


def _aliases(ctx: CellContext, kms: Any) -> dict[str, list[str]]:
    """The region's alias names by the key they point at (empty when they cannot be listed)."""
    found: dict[str, list[str]] = {}
    try:
        for page in ctx.pages(kms, "list_aliases"):
            for alias in page.get("Aliases", []):
                if alias.get("TargetKeyId"):
                    found.setdefault(str(alias["TargetKeyId"]), []).append(str(alias.get("AliasName", "")))
    except ITEM_ERRORS as exc:  # the keys are listed without their alias names
        ctx.unreadable("aliases", exc)
        return {}
    return found


def _resource(
    ctx: CellContext, key: dict[str, Any], meta: dict[str, Any], tags: dict[str, str], aliases: list[str]
) -> Resource:
    key_id = str(key["KeyId"])
    names = sorted(a.removeprefix("alias/") for a in aliases)
    details = {
        "key_manager": meta.get("KeyManager"),
        "key_spec": meta.get("KeySpec"),
        "key_usage": meta.get("KeyUsage"),
        "origin": meta.get("Origin"),
        "description": meta.get("Description") or None,
        "aliases": names or None,
        "multi_region": meta.get("MultiRegion"),
        "deletion_date": ts(meta.get("DeletionDate")),
        "describe_error": meta.get("DescribeError"),
    }
    return Resource(
        kind=KIND,
        id=key_id,
        account_id=ctx.account_id,
        arn=meta.get("Arn") or key.get("KeyArn") or ctx.arn("kms", f"key/{key_id}"),
        name=tags.get("Name", "") or (names[0] if names else "") or str(meta.get("Description") or ""),
        region=ctx.region,
        state=str(meta.get("KeyState") or ("unknown" if "DescribeError" in meta else "")),
        created=ts(meta.get("CreationDate")),
        tags=tags,
        details=known(details),
    )


def estimate_key(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    if r.state in PENDING_DELETION:
        when = str(r.details.get("deletion_date") or "")[:10] or "a date not given"
        return 0.0, f"pending deletion on {when}: no charge (it bills again if the deletion is cancelled)"
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    fee = cat.fee("kms_key_month")
    if fee is None:
        return None, "no catalogue price for KMS keys"
    monthly = cents(fee)
    denied = r.details.get("describe_error")
    what = f"key (DescribeKey: {denied}; assumed customer-managed)" if denied else "customer-managed key"
    state = " (disabled keys bill too)" if r.state == "Disabled" else ""
    return monthly, f"{what}, {format_cost(monthly)}/mo{state} + requests, usage-dependent"


def _disabled_evidence(r: Resource, related: Related, saving: float | None) -> str:
    return (
        "disabled: it encrypts and decrypts nothing, yet AWS bills every customer-managed key that "
        f"is not pending deletion; {default_evidence(r, related, saving)}; scheduling its deletion "
        "(a 7-30 day wait, cancellable) ends the charge"
    )


#: A disabled customer key still bills its monthly fee.
DISABLED_KEY = Rule(
    id="kms-disabled-key",
    label="disabled KMS key",
    applies=lambda r: r.state == "Disabled",
    saving=own_cost,
    evidence=_disabled_evidence,
    # A disabled key may still guard data someone will want to read again (it can be enabled
    # again); once deleted, what it encrypted cannot be decrypted.  So: medium, and no verb.
    confidence="medium",
)


SPEC = KindSpec(
    id=KIND,
    console=console_page("kms/home?region={region}#/kms/keys/{id}"),
    aliases=("key", "keys"),
    label="kms",
    title="KMS keys (customer-managed)",
    service="kms",
    scope="regional",
    lister=list_keys,
    iam_actions=("kms:ListKeys", "kms:DescribeKey", "kms:ListResourceTags", "kms:ListAliases"),
    estimator=estimate_key,
    rules=(DISABLED_KEY,),
    verbs={},
    billed_as="AWS Key Management Service",
)
