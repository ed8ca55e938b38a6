"""SageMaker notebook instances and real-time inference endpoints.

Both list calls give summaries only.  Per notebook the lister asks DescribeNotebookInstance
(volume size, internet access) and ListTags side by side; per endpoint DescribeEndpoint
(the variants' current instance counts) then DescribeEndpointConfig (their instance types),
with ListTags beside them.  Prices are the catalogue's instance-hours; ML storage volumes
are not in the catalogue and are named, not priced.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import botocore.exceptions

from tracker_tui.aws.kinds.base import (
    ITEM_ERRORS,
    CellContext,
    InPlace,
    KindSpec,
    Schedulable,
    error_code,
    known,
    tag_dict,
    ts,
)
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
from tracker_tui.aws.kinds.offhours import no_off_hours
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, count_text, hourly_basis, number, rate, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

NOTEBOOK = "sagemaker:notebook-instance"
ENDPOINT = "sagemaker:endpoint"

#: SageMaker answers "does not exist" with a ValidationException ("RecordNotFound",
#: "Could not find endpoint ..."); for a read by name that is the only thing it means.
NOT_FOUND = frozenset({"ValidationException", "ResourceNotFound"})


def _side_by_side(ctx: CellContext, items: list[dict[str, Any]], *reads: Callable[[dict[str, Any]], Any]) -> list[Any]:
    """Every read of every item in one fan-out: ``[[read(item) for item in items] for read in reads]``."""
    jobs = [functools.partial(read, item) for read in reads for item in items]
    results = ctx.fan_out(lambda job: job(), jobs)
    n = len(items)
    return [results[i * n : (i + 1) * n] for i in range(len(reads))]


def _tags(ctx: CellContext, client: Any, arn: str | None, name: str) -> dict[str, str]:
    if not arn:
        return {}
    try:
        return tag_dict(client.list_tags(ResourceArn=arn).get("Tags"))
    except ITEM_ERRORS as exc:  # listed without tags, noted on its row
        ctx.unreadable("tags", exc, name)
        return {}


# --- notebook instances ---------------------------------------------------------------------


def list_notebook_instances(ctx: CellContext) -> Iterator[list[Resource]]:
    sm = ctx.client("sagemaker")
    for page in ctx.pages(sm, "list_notebook_instances"):
        items = list(page.get("NotebookInstances", []))
        described, tag_sets = _side_by_side(
            ctx,
            items,
            lambda nb: _describe_notebook(ctx, sm, nb["NotebookInstanceName"]),
            lambda nb: _tags(ctx, sm, nb.get("NotebookInstanceArn"), nb["NotebookInstanceName"]),
        )
        yield [
            _notebook(ctx, summary, full, tags) for summary, full, tags in zip(items, described, tag_sets, strict=True)
        ]


def _describe_notebook(ctx: CellContext, sm: Any, name: str) -> dict[str, Any]:
    """DescribeNotebookInstance's answer; empty when it cannot be read (the summary still maps)."""
    try:
        return dict(sm.describe_notebook_instance(NotebookInstanceName=name))
    except ITEM_ERRORS as exc:
        ctx.unreadable("description", exc, name)
        return {}


def _notebook(ctx: CellContext, summary: dict[str, Any], full: dict[str, Any], tags: dict[str, str]) -> Resource:
    item = {**summary, **{k: v for k, v in full.items() if k != "ResponseMetadata"}}
    name = item["NotebookInstanceName"]
    details = {
        "instance_type": item.get("InstanceType"),
        "volume_size_gb": item.get("VolumeSizeInGB"),
        "direct_internet_access": item.get("DirectInternetAccess"),
        "root_access": item.get("RootAccess"),
        "last_modified": ts(item.get("LastModifiedTime")),
        "platform": item.get("PlatformIdentifier"),
        "lifecycle_config": item.get("NotebookInstanceLifecycleConfigName"),
        "subnet_id": item.get("SubnetId"),
        "failure_reason": item.get("FailureReason"),
    }
    return Resource(
        kind=NOTEBOOK,
        id=name,
        account_id=ctx.account_id,
        arn=item.get("NotebookInstanceArn") or ctx.arn("sagemaker", f"notebook-instance/{name.lower()}"),
        name=tags.get("Name", "") or name,
        region=ctx.region,
        state=str(item.get("NotebookInstanceStatus") or ""),
        created=ts(item.get("CreationTime")),
        tags=tags,
        details=known(details),
    )


def estimate_notebook(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    d = r.details
    itype = str(d.get("instance_type") or "")
    size = number(d.get("volume_size_gb"))
    storage = f"{count_text(size)} GB ML storage volume" if size is not None else "its ML storage volume"
    if (r.state or "").lower() == "stopped":
        return 0.0, f"stopped: no instance charge; {storage} still bills (ML storage not priced)"
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    if not itype:
        return None, "notebook instance type unknown"
    hourly = cat.service_price("sagemaker_notebook_hourly", r.region, itype)
    if hourly is None:
        return None, f"no catalogue price for {itype} notebooks in {r.region}"
    monthly, basis = hourly_basis(f"{itype} notebook {r.region} (catalogue {cat.as_of})", hourly, cat.hours_per_month)
    return monthly, f"{basis} + {storage}, ML storage not priced"


# --- real-time endpoints ------------------------------------------------------------------------


def list_endpoints(ctx: CellContext) -> Iterator[list[Resource]]:
    sm = ctx.client("sagemaker")
    for page in ctx.pages(sm, "list_endpoints"):
        items = list(page.get("Endpoints", []))
        described, tag_sets = _side_by_side(
            ctx,
            items,
            lambda ep: _describe_endpoint(ctx, sm, ep["EndpointName"]),
            lambda ep: _tags(ctx, sm, ep.get("EndpointArn"), ep["EndpointName"]),
        )
        yield [
            _endpoint(ctx, summary, full, config, tags)
            for summary, (full, config), tags in zip(items, described, tag_sets, strict=True)
        ]


def _describe_endpoint(ctx: CellContext, sm: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(DescribeEndpoint, DescribeEndpointConfig of its config); empty where they cannot be read."""
    try:
        endpoint = dict(sm.describe_endpoint(EndpointName=name))
    except ITEM_ERRORS as exc:
        ctx.unreadable("description", exc, name)
        return {}, {}
    config_name = endpoint.get("EndpointConfigName")
    if not config_name:
        return endpoint, {}
    try:
        return endpoint, dict(sm.describe_endpoint_config(EndpointConfigName=config_name))
    except botocore.exceptions.ClientError as exc:
        # The config may have been deleted while the endpoint runs on (AWS allows it).
        if error_code(exc) not in NOT_FOUND:
            ctx.unreadable("endpoint config", exc, name)
        return endpoint, {}
    except ITEM_ERRORS as exc:
        ctx.unreadable("endpoint config", exc, name)
        return endpoint, {}


def endpoint_variants(endpoint: dict[str, Any], config: dict[str, Any]) -> list[dict[str, Any]]:
    """Each production variant: its instance type (from the config) and current instance count
    (from the endpoint), or its serverless memory and concurrency."""
    configured = {v.get("VariantName"): v for v in config.get("ProductionVariants", [])}
    running = {v.get("VariantName"): v for v in endpoint.get("ProductionVariants", [])}
    out = []
    for name in [*running, *(n for n in configured if n not in running)]:
        now, planned = running.get(name, {}), configured.get(name, {})
        serverless = now.get("CurrentServerlessConfig") or planned.get("ServerlessConfig")
        variant: dict[str, Any] = {"name": name}
        if serverless:
            variant["serverless_memory_mb"] = serverless.get("MemorySizeInMB")
            variant["serverless_max_concurrency"] = serverless.get("MaxConcurrency")
        else:
            variant["instance_type"] = planned.get("InstanceType")
            planned_count = now.get("DesiredInstanceCount", planned.get("InitialInstanceCount"))
            variant["instance_count"] = now.get("CurrentInstanceCount", planned_count)
        out.append(known(variant))
    return out


def _endpoint(
    ctx: CellContext, summary: dict[str, Any], full: dict[str, Any], config: dict[str, Any], tags: dict[str, str]
) -> Resource:
    name = summary["EndpointName"]
    details = {
        "endpoint_config": full.get("EndpointConfigName"),
        "variants": endpoint_variants(full, config) if full else None,
        "last_modified": ts(summary.get("LastModifiedTime")),
        "failure_reason": full.get("FailureReason"),
    }
    return Resource(
        kind=ENDPOINT,
        id=name,
        account_id=ctx.account_id,
        arn=summary.get("EndpointArn") or ctx.arn("sagemaker", f"endpoint/{name.lower()}"),
        name=tags.get("Name", "") or name,
        region=ctx.region,
        state=str(full.get("EndpointStatus") or summary.get("EndpointStatus") or ""),
        created=ts(summary.get("CreationTime")),
        tags=tags,
        details=known(details),
    )


def estimate_endpoint(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    """Instance variants: count x hourly x 730.  Serverless variants bill per request and
    compute-second: usage-dependent, so an all-serverless endpoint is None and a mixed one
    names its serverless part."""
    variants = r.details.get("variants")
    if not isinstance(variants, list) or not variants:
        return None, "production variants unknown"
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    hours = cat.hours_per_month
    parts: list[str] = []
    serverless: list[str] = []
    total = 0.0
    for variant in variants:
        name = str(variant.get("name") or "?")
        if "instance_type" not in variant:
            serverless.append(name)
            continue
        itype = str(variant.get("instance_type") or "")
        count = number(variant.get("instance_count"))
        if count is None:
            return None, f"variant {name}: instance count unknown"
        hourly = cat.service_price("sagemaker_hosting_hourly", r.region, itype)
        if hourly is None:
            return None, f"no catalogue price for {itype or 'unknown'} endpoint instances in {r.region}"
        cost = cents(count * hourly * hours)
        total += cost
        parts.append(f"{name} {count_text(count)} x {itype} x ${rate(hourly)}/h x {hours} h = {format_cost(cost)}")
    usage = f"serverless variant {', '.join(serverless)}: per request and compute time, usage-dependent"
    if not parts:
        return None, usage
    monthly = cents(total)
    basis = f"real-time endpoint {r.region} (catalogue {cat.as_of}): " + "; ".join(parts)
    if len(parts) > 1:
        basis += f"; total {format_cost(monthly)}"
    if serverless:
        basis += f"; + {usage}"
    return monthly, basis


def _only_variant(r: Resource) -> dict[str, Any] | None:
    """The endpoint's one production variant when it has exactly one, on instances; else None."""
    variants = r.details.get("variants")
    if not isinstance(variants, list) or len(variants) != 1:
        return None
    [variant] = variants
    return variant if isinstance(variant, dict) and variant.get("name") and "instance_type" in variant else None


def _idle_endpoint_applies(r: Resource) -> bool:
    """InService endpoints with one instance-backed variant.

    AWS publishes ``Invocations`` per variant (EndpointName, VariantName), with no series for the
    endpoint as a whole, and a rule reads one dimension set per row: with two variants, one
    variant's silence says nothing of the other's traffic, so those endpoints are not checked.
    A serverless variant bills per request: idle, it costs (next to) nothing, so none to find.
    """
    return (r.state or "") == "InService" and _only_variant(r) is not None


def _variant_dimension(r: Resource) -> Dimensions:
    variant = _only_variant(r)
    return (("VariantName", str(variant["name"])),) if variant is not None else ()


def _judge_invocations(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    daily = values["invocations"]
    total = sum(daily)
    variant = _only_variant(r)
    name = variant["name"] if variant is not None else "?"
    return Verdict(
        total <= 0,
        f"Invocations of variant {name} over {limits[IDLE_DAYS]:g} days ({days_text(daily)}): {count(total)}",
    )


def _endpoint_basis(r: Resource, saving: float | None) -> str:
    if saving is None:
        return unknown_saving(r)
    config = r.details.get("endpoint_config")
    kept = f"its configuration {config} and model stay" if config else "its configuration and model stay"
    return (
        f"deleting it saves its instances, {format_cost(saving)}/mo ({r.cost_basis}); "
        f"{kept}, so it can be created again"
    )


IDLE_SAGEMAKER_ENDPOINT = MetricRule(
    id="idle-sagemaker-endpoint",
    label="idle SageMaker endpoint (no invocations)",
    applies=_idle_endpoint_applies,
    queries=(MetricQuery("invocations", "AWS/SageMaker", "Invocations", "Sum", "EndpointName"),),
    judge=_judge_invocations,
    more_dimensions=_variant_dimension,
    saving=lambda r: r.monthly_cost,
    saving_basis=_endpoint_basis,
    action="delete",
)


#: ``z``: StopNotebookInstance and StartNotebookInstance take one notebook: a pair per row.
NOTEBOOK_SCHEDULABLE = Schedulable(
    short="notebook",
    service="sagemaker",
    stop="stopNotebookInstance",
    start="startNotebookInstance",
    field="NotebookInstanceName",
    many=False,
    iam_actions=("sagemaker:StopNotebookInstance", "sagemaker:StartNotebookInstance"),
    running_state="InService",
    stopped_state="Stopped",
    states=frozenset({"InService", "Stopped", "Pending", "Stopping"}),
    arn_resource="notebook-instance",
)
NOTEBOOK_NO_OFF_HOURS = no_off_hours(NOTEBOOK_SCHEDULABLE, estimate_notebook)(Thresholds())


NOTEBOOKS = KindSpec(
    id=NOTEBOOK,
    console=console_page("sagemaker/home?region={region}#/notebook-instances/{id}"),
    aliases=("notebook", "notebooks"),
    label="nb",
    title="SageMaker notebook instances",
    service="sagemaker",
    scope="regional",
    lister=list_notebook_instances,
    iam_actions=("sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance", "sagemaker:ListTags"),
    estimator=estimate_notebook,
    rules=(NOTEBOOK_NO_OFF_HOURS,),
    verbs={"stop": "stop", "start": "start", "schedule": "schedule"},
    billed_as="Amazon SageMaker",
    not_found_codes=NOT_FOUND,
    in_place={NOTEBOOK_NO_OFF_HOURS.id: InPlace("schedule")},
    off_hours=NOTEBOOK_SCHEDULABLE,
)

ENDPOINTS = KindSpec(
    id=ENDPOINT,
    console=console_page("sagemaker/home?region={region}#/endpoints/{id}"),
    aliases=("sagemaker-endpoint",),
    label="smep",
    title="SageMaker endpoints",
    service="sagemaker",
    scope="regional",
    lister=list_endpoints,
    iam_actions=(
        "sagemaker:ListEndpoints",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:ListTags",
    ),
    estimator=estimate_endpoint,
    rules=(),
    verbs={"delete": "delete"},
    billed_as="Amazon SageMaker",
    not_found_codes=NOT_FOUND,
    metric_rules=(IDLE_SAGEMAKER_ENDPOINT,),
)
