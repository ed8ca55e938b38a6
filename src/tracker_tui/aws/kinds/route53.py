"""Route 53 hosted zones (global: scanned once, region ``global``).

ListHostedZones gives each zone's name, record count and whether it is private; its tags
come from ListTagsForResources, ten zones a call, side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, known, tag_dict
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import GLOBAL_REGION, Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents
from tracker_tui.pricing.catalogue import Catalogue

KIND = "route53:hosted-zone"

#: ListTagsForResources takes at most ten resource ids a call.
TAGS_BATCH = 10


def zone_id(raw: str) -> str:
    """``Z0123`` from ListHostedZones' ``/hostedzone/Z0123``."""
    return raw.rsplit("/", 1)[-1]


def list_hosted_zones(ctx: CellContext) -> Iterator[list[Resource]]:
    route53 = ctx.client("route53")
    for page in ctx.pages(route53, "list_hosted_zones"):
        zones = list(page.get("HostedZones", []))
        ids = [zone_id(z["Id"]) for z in zones]
        batches = [ids[i : i + TAGS_BATCH] for i in range(0, len(ids), TAGS_BATCH)]
        tags: dict[str, dict[str, str]] = {}
        for found in ctx.fan_out(lambda batch: _tags(ctx, route53, batch), batches):
            tags.update(found)
        yield [_resource(ctx, zone, tags.get(zone_id(zone["Id"]), {})) for zone in zones]


def _tags(ctx: CellContext, route53: Any, ids: list[str]) -> dict[str, dict[str, str]]:
    try:
        reply = route53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=ids)
    except ITEM_ERRORS as exc:  # these zones are listed without tags, noted on their rows
        ctx.unreadable("tags", exc, *ids)
        return {}
    return {str(s.get("ResourceId")): tag_dict(s.get("Tags")) for s in reply.get("ResourceTagSets", [])}


def _resource(ctx: CellContext, zone: dict[str, Any], tags: dict[str, str]) -> Resource:
    ident = zone_id(zone["Id"])
    config = zone.get("Config") or {}
    private = bool(config.get("PrivateZone"))
    details = {
        "zone_name": zone.get("Name"),
        "private_zone": private,
        "record_count": zone.get("ResourceRecordSetCount"),
        "comment": config.get("Comment") or None,
        "linked_service": (zone.get("LinkedService") or {}).get("ServicePrincipal"),
    }
    return Resource(
        kind=KIND,
        id=ident,
        account_id=ctx.account_id,
        arn=f"arn:{ctx.partition}:route53:::hostedzone/{ident}",
        name=str(zone.get("Name") or ident).rstrip(".") or ident,
        region=GLOBAL_REGION,
        state="private" if private else "public",
        # ListHostedZones says nothing of when a zone was made.
        created=None,
        tags=tags,
        details=known(details),
    )


def estimate_zone(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    fee = cat.fee("route53_zone_month")
    if fee is None:
        return None, "no catalogue price for Route 53 hosted zones"
    monthly = cents(fee)
    return monthly, (
        f"hosted zone, {format_cost(monthly)}/mo (the rate of an account's first 25 zones; more cost less each)"
        " + queries, usage-dependent"
    )


SPEC = KindSpec(
    id=KIND,
    console=console_page("route53/v2/hostedzones#ListRecordSets/{id}"),
    aliases=("dns", "route53"),
    label="zone",
    title="Route 53 hosted zones",
    service="route53",
    scope="global",
    lister=list_hosted_zones,
    iam_actions=("route53:ListHostedZones", "route53:ListTagsForResources"),
    estimator=estimate_zone,
    rules=(),
    verbs={},
    billed_as="Amazon Route 53",
)
