"""Lambda functions: listed unpriced (usage-dependent), priced from their usage when the
CloudWatch checks run (``lambda-usage``: Invocations and Duration over the window)."""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, known, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Thresholds
from tracker_tui.aws.kinds.metric import IDLE_DAYS, MetricQuery, MetricRule, Series, Verdict, count
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import cents, unit, usage_dependent
from tracker_tui.pricing.catalogue import load_catalogue

KIND = "lambda:function"


def list_functions(ctx: CellContext) -> Iterator[list[Resource]]:
    # ListFunctions carries no tags; fetching them per function would cost one call each,
    # so they are left to the details/actions paths.
    lam = ctx.client("lambda")
    for page in ctx.pages(lam, "list_functions"):
        batch = []
        for fn in page.get("Functions", []):
            details = {
                "runtime": fn.get("Runtime") or fn.get("PackageType"),
                "memory_mb": fn.get("MemorySize"),
                "timeout_s": fn.get("Timeout"),
                "architectures": fn.get("Architectures"),
                "code_size_bytes": fn.get("CodeSize"),
                "handler": fn.get("Handler"),
                "package_type": fn.get("PackageType"),
                "last_modified": ts(fn.get("LastModified")),
                "ephemeral_storage_mb": (fn.get("EphemeralStorage") or {}).get("Size"),
            }
            batch.append(
                Resource(
                    kind=KIND,
                    id=fn["FunctionName"],
                    account_id=ctx.account_id,
                    arn=fn.get("FunctionArn"),
                    name=fn["FunctionName"],
                    region=ctx.region,
                    state=fn.get("State") or "active",
                    created=None,
                    tags={},
                    details=known(details),
                )
            )
        yield batch


def _architecture(r: Resource) -> str:
    archs = r.details.get("architectures") or ["x86_64"]
    return "arm64" if "arm64" in archs else "x86_64"


def _judge_usage(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    """The window's requests and GB-seconds at the region's rates, scaled to a month."""
    days = int(limits[IDLE_DAYS])
    calls, millis = sum(values["invocations"]), sum(values["duration"])
    memory = float(r.details.get("memory_mb") or 0)
    arch = _architecture(r)
    cat = load_catalogue()
    per_million = cat.service_price("lambda_usage", r.region, "request_million")
    per_gb_second = cat.service_price("lambda_usage", r.region, f"gb_second_{arch}")
    gb_seconds = millis / 1000 * memory / 1024
    used = (
        f"{count(calls)} requests, {count(round(gb_seconds, 1))} GB-s ({count(round(millis / 1000, 1))} s x "
        f"{count(memory)} MB, {arch}) over {days} days"
    )
    if per_million is None or per_gb_second is None or not memory:
        why = "memory size unknown" if not memory else f"no catalogue price for Lambda in {r.region}"
        return Verdict(False, used, cost=(None, f"{used}; {why}"))
    window = calls / 1e6 * per_million + gb_seconds * per_gb_second
    hours = cat.hours_per_month
    monthly = cents(window * hours / (days * 24))
    basis = (
        f"{used}: {count(calls)} x ${unit(per_million)}/1M + {count(round(gb_seconds, 1))} GB-s x "
        f"${per_gb_second:.10f}".rstrip("0")
        + f"/GB-s = ${window:,.4f}, x {hours} h / {days * 24} h = {format_cost(monthly)}/mo (the account's free "
        "tier and the billed rounding of each call up to the ms not counted)"
    )
    return Verdict(False, used, cost=(monthly, basis))


def _modified(r: Resource) -> str | None:
    """A function last changed before the window existed all through it (ListFunctions gives
    no creation time)."""
    return r.details.get("last_modified")


#: ``lambda-usage``: not a finding: the function's cost from what it ran.  Lambda publishes
#: Invocations and Duration only when it is invoked: a function changed before the window with
#: no datapoints ran nothing, and costs $0.00 (said so).
LAMBDA_USAGE = MetricRule(
    id="lambda-usage",
    label="Lambda usage (priced)",
    applies=lambda r: True,
    queries=(
        MetricQuery("invocations", "AWS/Lambda", "Invocations", "Sum", "FunctionName", sparse=True),
        MetricQuery("duration", "AWS/Lambda", "Duration", "Sum", "FunctionName", sparse=True),
    ),
    judge=_judge_usage,
    saving=lambda r: None,
    saving_basis=lambda r, saving: "",
    action=None,
    finds=False,
    existed_since=_modified,
)


SPEC = KindSpec(
    id=KIND,
    console=console_page("lambda/home?region={region}#/functions/{id}"),
    aliases=("function", "functions"),
    label="fn",
    title="Lambda functions",
    service="lambda",
    scope="regional",
    lister=list_functions,
    iam_actions=("lambda:ListFunctions",),
    estimator=usage_dependent("usage-dependent (requests and GB-seconds)"),
    rules=(),
    verbs={},
    billed_as="AWS Lambda",
    metric_rules=(LAMBDA_USAGE,),
)
