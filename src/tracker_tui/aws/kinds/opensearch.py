"""OpenSearch Service domains (OpenSearch and Elasticsearch engines).

ListDomainNames returns every domain in one answer (the API has no pagination); the lister
then asks DescribeDomains for up to five names a call and ListTags per domain, all side by
side.  The price is the data nodes, dedicated masters and UltraWarm nodes by the hour plus
the EBS storage of every data node.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, known, tag_dict
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    Dimensions,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    unknown_saving,
)
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, count_text, number, rate, unit, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "opensearch:domain"

#: DescribeDomains takes at most five names a call.
DESCRIBE_BATCH = 5
#: gp3 volumes include this much; more is provisioned (and billed) on top.
GP3_BASELINE_IOPS = 3000
GP3_BASELINE_MIBPS = 125


def list_domains(ctx: CellContext) -> Iterator[list[Resource]]:
    client = ctx.client("opensearch")
    names = [d["DomainName"] for d in client.list_domain_names().get("DomainNames", [])]
    ctx.check_cancelled()
    if not names:
        yield []
        return
    batches = [names[i : i + DESCRIBE_BATCH] for i in range(0, len(names), DESCRIBE_BATCH)]
    jobs: list[functools.partial[Any]] = [functools.partial(_describe, client, batch) for batch in batches]
    jobs += [functools.partial(_tags, ctx, client, ctx.arn("es", f"domain/{name}"), name) for name in names]
    results = ctx.fan_out(lambda job: job(), jobs)
    statuses = [status for found in results[: len(batches)] for status in found]
    tags_by_name = dict(zip(names, results[len(batches) :], strict=True))
    yield [_resource(ctx, status, tags_by_name.get(status["DomainName"], {})) for status in statuses]


def _describe(client: Any, names: list[str]) -> list[dict[str, Any]]:
    return list(client.describe_domains(DomainNames=names).get("DomainStatusList", []))


def _tags(ctx: CellContext, client: Any, arn: str, name: str) -> dict[str, str]:
    try:
        return tag_dict(client.list_tags(ARN=arn).get("TagList"))
    except ITEM_ERRORS as exc:  # listed without tags, noted on its row
        ctx.unreadable("tags", exc, name)
        return {}


def domain_state(status: dict[str, Any]) -> str:
    """One word for the domain's flags: deleting, creating, upgrading, processing or active."""
    if status.get("Deleted"):
        return "deleting"
    if status.get("Created") is False:
        return "creating"
    if status.get("UpgradeProcessing"):
        return "upgrading"
    if status.get("Processing"):
        return "processing"
    return "active"


def _resource(ctx: CellContext, status: dict[str, Any], tags: dict[str, str]) -> Resource:
    name = status["DomainName"]
    cluster = status.get("ClusterConfig") or {}
    ebs = status.get("EBSOptions") or {}
    masters = bool(cluster.get("DedicatedMasterEnabled"))
    warm = bool(cluster.get("WarmEnabled"))
    ebs_on = bool(ebs.get("EBSEnabled"))
    zones = (cluster.get("ZoneAwarenessConfig") or {}).get("AvailabilityZoneCount")
    details = {
        "engine_version": status.get("EngineVersion"),
        "instance_type": cluster.get("InstanceType"),
        "instance_count": cluster.get("InstanceCount"),
        "dedicated_master": masters,
        "master_type": cluster.get("DedicatedMasterType") if masters else None,
        "master_count": cluster.get("DedicatedMasterCount") if masters else None,
        "warm_enabled": warm,
        "warm_type": cluster.get("WarmType") if warm else None,
        "warm_count": cluster.get("WarmCount") if warm else None,
        "ebs_enabled": ebs_on,
        "volume_type": ebs.get("VolumeType") if ebs_on else None,
        "volume_size_gb": ebs.get("VolumeSize") if ebs_on else None,
        "iops": ebs.get("Iops") if ebs_on else None,
        "throughput_mibps": ebs.get("Throughput") if ebs_on else None,
        "zone_awareness": cluster.get("ZoneAwarenessEnabled"),
        "availability_zones": zones if cluster.get("ZoneAwarenessEnabled") else None,
        "multi_az_with_standby": cluster.get("MultiAZWithStandbyEnabled"),
        "endpoint": status.get("Endpoint") or (status.get("Endpoints") or {}).get("vpc"),
    }
    return Resource(
        kind=KIND,
        id=name,
        account_id=ctx.account_id,
        arn=status.get("ARN") or ctx.arn("es", f"domain/{name}"),
        name=tags.get("Name", "") or name,
        region=ctx.region,
        state=domain_state(status),
        # DescribeDomains says nothing of when a domain was made.
        created=None,
        tags=tags,
        details=known(details),
    )


def estimate_domain(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    hours = cat.hours_per_month
    parts: list[str] = []
    total = 0.0
    nodes = [("data", d.get("instance_type"), d.get("instance_count"))]
    if d.get("dedicated_master"):
        nodes.append(("master", d.get("master_type"), d.get("master_count")))
    if d.get("warm_enabled"):
        nodes.append(("UltraWarm", d.get("warm_type"), d.get("warm_count")))
    for role, itype, raw_count in nodes:
        count = number(raw_count)
        if not itype or count is None:
            return None, f"{role} node type or count unknown"
        hourly = cat.service_price("opensearch_instance_hourly", r.region, str(itype))
        if hourly is None:
            return None, f"no catalogue price for {itype} ({role} nodes) in {r.region}"
        cost = cents(count * hourly * hours)
        total += cost
        parts.append(f"{count_text(count)} {role} x {itype} x ${rate(hourly)}/h x {hours} h = {format_cost(cost)}")
    data_nodes = number(d.get("instance_count")) or 0.0
    note = ""
    if d.get("ebs_enabled"):
        vtype = str(d.get("volume_type") or "")
        size = number(d.get("volume_size_gb"))
        gb_month = cat.service_price("opensearch_storage_gb_month", r.region, vtype)
        if gb_month is None:
            return None, f"no catalogue price for {vtype or 'unknown'} EBS storage on OpenSearch in {r.region}"
        if size is None:
            return None, "EBS volume size unknown"
        cost = cents(size * data_nodes * gb_month)
        total += cost
        parts.append(
            f"EBS {vtype} {count_text(size)} GB x {count_text(data_nodes)} nodes x ${unit(gb_month)}/GB-mo"
            f" = {format_cost(cost)}"
        )
        iops, mibps = number(d.get("iops")) or 0, number(d.get("throughput_mibps")) or 0
        if vtype == "gp3" and (iops > GP3_BASELINE_IOPS or mibps > GP3_BASELINE_MIBPS):
            note = "; + gp3 IOPS/throughput above the baseline, not priced"
    monthly = cents(total)
    return monthly, (
        f"OpenSearch {r.region} (catalogue {cat.as_of}): " + " + ".join(parts) + f"; total {format_cost(monthly)}{note}"
    )


#: The domain states that bill and serve (a domain being made or deleted is not checked).
_SERVING = frozenset({"active", "processing", "upgrading"})


def _client_id(r: Resource) -> Dimensions:
    """AWS/ES publishes a domain's metrics with its account as ``ClientId`` beside ``DomainName``."""
    return (("ClientId", r.account_id),)


def _judge_requests(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    searches, indexing = values["search"], values["indexing"]
    searched, indexed = sum(searches), sum(indexing)
    return Verdict(
        searched <= 0 and indexed <= 0,
        f"SearchRate over {limits[IDLE_DAYS]:g} days ({days_text(searches)}): sum {count(searched)}; "
        f"IndexingRate ({days_text(indexing)}): sum {count(indexed)}",
    )


def _domain_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return unknown_saving(r)
    return (
        f"deleting it saves its cost, {format_cost(saving)}/mo ({r.cost_basis}); the tool does not delete "
        "domains: take a manual snapshot to S3 first, then delete it in the console or CLI"
    )


IDLE_OPENSEARCH = MetricRule(
    id="idle-opensearch",
    label="idle OpenSearch domain (no searches, no indexing)",
    applies=lambda r: (r.state or "") in _SERVING,
    # The domain's series (DomainName, ClientId); AWS also publishes them per node (with NodeId).
    queries=(
        MetricQuery("search", "AWS/ES", "SearchRate", "Sum", "DomainName"),
        MetricQuery("indexing", "AWS/ES", "IndexingRate", "Sum", "DomainName"),
    ),
    judge=_judge_requests,
    more_dimensions=_client_id,
    saving=lambda r: r.monthly_cost,
    saving_basis=_domain_basis,
    action=None,
    # Nobody searching for 14 days may still be a store kept for rare look-ups (an audit trail).
    confidence="medium",
)


SPEC = KindSpec(
    id=KIND,
    console=console_page("aos/home?region={region}#opensearch/domains/{id}"),
    aliases=("elasticsearch", "search"),
    label="os",
    title="OpenSearch domains",
    service="opensearch",
    scope="regional",
    lister=list_domains,
    iam_actions=("es:ListDomainNames", "es:DescribeDomains", "es:ListTags"),
    estimator=estimate_domain,
    rules=(),
    verbs={},
    billed_as="Amazon OpenSearch Service",
    metric_rules=(IDLE_OPENSEARCH,),
)
