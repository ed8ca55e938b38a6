"""CloudWatch Logs log groups (stored bytes and retention).

Tags are not listed: ListTagsForResource is one call per group and accounts hold tens of
thousands of groups.  Actions re-read a group's tags before touching it.
"""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, Rule, default_evidence, known, own_cost, ts
from tracker_tui.aws.kinds.console import q
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import GIB, Estimate, PriceBook, cents, gb_text, number, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "logs:log-group"


def list_log_groups(ctx: CellContext) -> Iterator[list[Resource]]:
    logs = ctx.client("logs")
    for page in ctx.pages(logs, "describe_log_groups"):
        batch = []
        for group in page.get("logGroups", []):
            name = group["logGroupName"]
            retention = group.get("retentionInDays")
            arn = group.get("logGroupArn") or (group.get("arn") or "").removesuffix(":*") or None
            details = {
                "stored_bytes": group.get("storedBytes", 0),
                "retention_days": retention,
                "retention": f"{retention} days" if retention else "never expires",
                "log_group_class": group.get("logGroupClass", "STANDARD"),
                "metric_filter_count": group.get("metricFilterCount"),
                "kms_key_id": group.get("kmsKeyId"),
            }
            batch.append(
                Resource(
                    kind=KIND,
                    id=name,
                    account_id=ctx.account_id,
                    arn=arn or ctx.arn("logs", f"log-group:{name}"),
                    name=name,
                    region=ctx.region,
                    # Log groups have no lifecycle; the state column shows what matters
                    # about them instead: whether anything ever expires.
                    state=f"retain-{retention}d" if retention else "no-retention",
                    created=ts(group.get("creationTime")),
                    tags={},
                    details=known(details),
                )
            )
        yield batch


def estimate_log_group(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    price = cat.logs_storage_gb_month(r.region)
    stored = number(r.details.get("stored_bytes"))
    if price is None:  # pragma: no cover - every listed region has a logs factor
        return unknown_region(r.region)
    if stored is None:
        return None, "stored bytes unknown"
    gb = stored / GIB
    monthly = cents(gb * price)
    basis = f"log storage {r.region}, {gb_text(gb)} GB x ${unit(price)}/GB-mo = {format_cost(monthly)}"
    note = cat.note("logs")
    return monthly, basis + (f" {note}" if note else "")


NO_RETENTION = Rule(
    id="no-retention",
    label="no retention",
    # Setting a retention (or deleting old data) saves up to what it stores today.
    applies=lambda r: not r.details.get("retention_days"),
    saving=own_cost,
    # ``m``: PutRetentionPolicy with the config's log_retention_days (aws/actions/logs.py).
    action="modify",
    evidence=lambda r, related, saving: "no retention set, so it keeps every event; "
    + default_evidence(r, related, saving),
)

def _console_page(r: Resource, base: str) -> str:
    # CloudWatch's log-group fragment encodes twice, with "$" for "%" ("/" is "$252F").
    path = q(q(r.id)).replace("%", "$")
    return f"{base}/cloudwatch/home?region={r.region}#logsV2:log-groups/log-group/{path}"


SPEC = KindSpec(
    id=KIND,
    console=_console_page,
    aliases=("log", "log-groups"),
    label="logs",
    title="CloudWatch log groups",
    service="logs",
    scope="regional",
    lister=list_log_groups,
    iam_actions=("logs:DescribeLogGroups",),
    estimator=estimate_log_group,
    rules=(NO_RETENTION,),
    verbs={"delete": "delete", "modify": "modify"},
    billed_as="AmazonCloudWatch",
    not_found_codes=frozenset({"ResourceNotFoundException"}),
)
