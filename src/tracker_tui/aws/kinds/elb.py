"""Load balancers: ALB, NLB, GWLB (elbv2) and Classic (elb), as one kind.

Each carries ``details.subtype`` and ``details.target_count`` (registered targets or
instances), so a balancer with nothing behind it shows up as waste; one with targets but no
traffic shows up when the CloudWatch checks run (``idle-load-balancer-traffic``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tracker_tui.aws.kinds.base import (
    ITEM_ERRORS,
    CellContext,
    KindSpec,
    Rule,
    default_evidence,
    known,
    own_cost,
    tag_dict,
    ts,
)
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.aws.kinds.knobs import Knob, Thresholds
from tracker_tui.aws.kinds.metric import (
    IDLE_DAYS,
    MetricQuery,
    MetricRule,
    Series,
    Verdict,
    count,
    days_text,
    hourly_charge_basis,
    whole_cost,
)
from tracker_tui.model import Resource, plural
from tracker_tui.pricing.basis import Estimate, PriceBook, hourly_basis, unknown_region
from tracker_tui.pricing.catalogue import Catalogue

KIND = "elb:load-balancer"


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _state(code: str, target_count: int | None) -> str:
    """An active balancer with nothing registered behind it shows as ``idle`` (unknown: as it is)."""
    return "idle" if code == "active" and target_count == 0 else code


def list_load_balancers(ctx: CellContext) -> Iterator[list[Resource]]:
    yield from _list_v2(ctx)
    yield from _list_classic(ctx)


def _list_v2(ctx: CellContext) -> Iterator[list[Resource]]:
    elbv2 = ctx.client("elbv2")
    balancers: list[dict[str, Any]] = []
    for page in ctx.pages(elbv2, "describe_load_balancers"):
        balancers.extend(page.get("LoadBalancers", []))
    if not balancers:
        return
    arns = [lb["LoadBalancerArn"] for lb in balancers]
    names = {lb["LoadBalancerArn"]: lb["LoadBalancerName"] for lb in balancers}
    # Tags (20 ARNs a call) and target counts are independent: run them side by side.
    tag_chunks = _chunks(arns, 20)
    jobs: list[Any] = [("tags", chunk) for chunk in tag_chunks] + [("targets", None)]
    results = ctx.fan_out(lambda job: _v2_job(ctx, elbv2, job, names), jobs)
    tags: dict[str, dict[str, str]] = {}
    for part in results[:-1]:
        tags.update(part)
    targets: dict[str, int | None] = results[-1]
    batch = []
    for lb in balancers:
        arn = lb["LoadBalancerArn"]
        details = {
            "subtype": lb.get("Type", "application"),
            "scheme": lb.get("Scheme"),
            "dns_name": lb.get("DNSName"),
            "vpc_id": lb.get("VpcId"),
            "availability_zones": [z.get("ZoneName") for z in lb.get("AvailabilityZones", [])],
            "target_count": targets.get(arn, 0),  # None: unreadable, never taken for 0
        }
        lb_tags = tags.get(arn, {})
        batch.append(
            Resource(
                kind=KIND,
                id=lb["LoadBalancerName"],
                account_id=ctx.account_id,
                arn=arn,
                name=lb_tags.get("Name", "") or lb["LoadBalancerName"],
                region=ctx.region,
                state=_state((lb.get("State") or {}).get("Code", "active"), targets.get(arn, 0)),
                created=ts(lb.get("CreatedTime")),
                tags=lb_tags,
                details=known(details),
            )
        )
    yield batch


def _v2_job(ctx: CellContext, elbv2: Any, job: tuple[str, Any], names: dict[str, str]) -> Any:
    what, arns = job
    if what == "tags":
        try:
            reply = elbv2.describe_tags(ResourceArns=list(arns))
        except ITEM_ERRORS as exc:  # these balancers are listed without tags
            ctx.unreadable("tags", exc, *(names[arn] for arn in arns))
            return {}
        return {d["ResourceArn"]: tag_dict(d.get("Tags")) for d in reply.get("TagDescriptions", [])}
    return _v2_target_counts(ctx, elbv2, names)


def _v2_target_counts(ctx: CellContext, elbv2: Any, names: dict[str, str]) -> dict[str, int | None]:
    """Registered targets per load balancer ARN, across all its target groups; None where a
    group's targets could not be read (an unknown count is never a 0, which means idle)."""
    groups: list[dict[str, Any]] = []
    try:
        for page in ctx.pages(elbv2, "describe_target_groups"):
            groups.extend(page.get("TargetGroups", []))
    except ITEM_ERRORS as exc:
        ctx.unreadable("targets", exc, *names.values())
        return dict.fromkeys(names)
    groups = [g for g in groups if g.get("LoadBalancerArns")]

    def health(group: dict[str, Any]) -> int | None:
        try:
            reply = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
        except ITEM_ERRORS as exc:
            ctx.unreadable("targets", exc, *(names[a] for a in group["LoadBalancerArns"] if a in names))
            return None
        return len(reply.get("TargetHealthDescriptions", []))

    counts: dict[str, int | None] = defaultdict(int)
    for group, n in zip(groups, ctx.fan_out(health, groups), strict=True):
        for lb_arn in group["LoadBalancerArns"]:
            known_so_far = counts[lb_arn]
            counts[lb_arn] = None if n is None or known_so_far is None else known_so_far + n
    return counts


def _list_classic(ctx: CellContext) -> Iterator[list[Resource]]:
    elb = ctx.client("elb")
    for page in ctx.pages(elb, "describe_load_balancers"):
        balancers = page.get("LoadBalancerDescriptions", [])
        if not balancers:
            continue
        names = [lb["LoadBalancerName"] for lb in balancers]
        tags: dict[str, dict[str, str]] = {}
        for part in ctx.fan_out(lambda chunk: _classic_tags(ctx, elb, chunk), _chunks(names, 20)):
            tags.update(part)
        batch = []
        for lb in balancers:
            name = lb["LoadBalancerName"]
            details = {
                "subtype": "classic",
                "scheme": lb.get("Scheme"),
                "dns_name": lb.get("DNSName"),
                "vpc_id": lb.get("VPCId"),
                "availability_zones": lb.get("AvailabilityZones"),
                "target_count": len(lb.get("Instances", [])),
            }
            lb_tags = tags.get(name, {})
            batch.append(
                Resource(
                    kind=KIND,
                    id=name,
                    account_id=ctx.account_id,
                    arn=ctx.arn("elasticloadbalancing", f"loadbalancer/{name}"),
                    name=lb_tags.get("Name", "") or name,
                    region=ctx.region,
                    state=_state("active", len(lb.get("Instances", []))),
                    created=ts(lb.get("CreatedTime")),
                    tags=lb_tags,
                    details=known(details),
                )
            )
        yield batch


def _classic_tags(ctx: CellContext, elb: Any, names: Sequence[str]) -> dict[str, dict[str, str]]:
    """Tags of up to 20 Classic balancers; none (noted on their rows) when they cannot be read."""
    try:
        reply = elb.describe_tags(LoadBalancerNames=list(names))
    except ITEM_ERRORS as exc:
        ctx.unreadable("tags", exc, *names)
        return {}
    return {d["LoadBalancerName"]: tag_dict(d.get("Tags")) for d in reply.get("TagDescriptions", [])}


def estimate_load_balancer(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    subtype = str(r.details.get("subtype") or "").lower()
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    lb = cat.elb(subtype, r.region)
    if lb is None:
        return None, (
            f"no catalogue price for {cat.elb_label(subtype or 'unknown')} in {r.region}; "
            "`tracker-tui prices update` fetches it"
        )
    if (r.state or "").lower() == "failed":
        return 0.0, f"{lb.label} failed to provision: not billed"
    monthly, basis = hourly_basis(f"{lb.label} {r.region}", lb.hourly, cat.hours_per_month)
    if lb.usage_note:
        basis += f" {lb.usage_note}"
    return monthly, basis


def _no_targets(r: Resource) -> bool:
    targets = r.details.get("target_count")
    return isinstance(targets, int) and not isinstance(targets, bool) and targets == 0


IDLE_LOAD_BALANCER = Rule(
    id="idle-load-balancer",
    label="no targets",
    applies=_no_targets,
    saving=own_cost,
    evidence=lambda r, related, saving: "0 registered targets; " + default_evidence(r, related, saving),
    action="delete",
)


# --- idle-load-balancer-traffic: targets behind it, but no traffic (CloudWatch) -------------------

#: ``idle-load-balancer-traffic``: requests (ALB, Classic), or new flows and concurrent flows
#: (NLB), over the window at most this.
IDLE_LB_REQUESTS = Knob(
    "idle_lb_requests",
    0.0,
    "idle-load-balancer-traffic: requests (ALB, Classic) or flows (NLB) over the window at most this",
    0.0,
    1e15,
)


def _targets(r: Resource) -> int | None:
    targets = r.details.get("target_count")
    return targets if isinstance(targets, int) and not isinstance(targets, bool) else None


def arn_metric_name(arn: str) -> str:
    """How ELB names an ALB or NLB in its metrics' ``LoadBalancer`` dimension: its ARN after
    ``loadbalancer/`` (``app/web/50dc6c495c0c9188``, ``net/edge/7e3b1f0c2d4a5b6c``); "" unknown."""
    _, found, suffix = arn.partition(":loadbalancer/")
    return suffix if found else ""


def metric_name(r: Resource) -> str:
    """The ``LoadBalancer`` dimension of an ALB or NLB row (``arn_metric_name``)."""
    return arn_metric_name(r.arn or "")


def classic_name(r: Resource) -> str:
    """How ELB names a Classic balancer in its metrics' ``LoadBalancerName`` dimension."""
    return r.id


def _serving(subtype: str, name: Callable[[Resource], str]) -> Callable[[Resource], bool]:
    """Active balancers of ``subtype`` with targets registered (those without are
    ``idle-load-balancer``'s, and an unknown count is neither) and a name to read metrics by."""

    def applies(r: Resource) -> bool:
        return (
            (r.state or "").lower() == "active"
            and str(r.details.get("subtype") or "").lower() == subtype
            and (_targets(r) or 0) > 0
            and bool(name(r))
        )

    return applies


def _judge_requests(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    daily = values["requests"]
    total = sum(daily)
    idle = total <= limits[IDLE_LB_REQUESTS]
    return Verdict(
        idle,
        f"{plural(_targets(r) or 0, 'registered target')}; RequestCount over {limits[IDLE_DAYS]:g} days "
        f"({days_text(daily)}): {count(total)} requests "
        f"({'at most' if idle else 'more than'} {count(limits[IDLE_LB_REQUESTS])})",
    )


def _judge_flows(r: Resource, values: Series, limits: Thresholds) -> Verdict:
    new, active = values["new_flows"], values["active_flows"]
    limit = limits[IDLE_LB_REQUESTS]
    # A flow opened before the window and still open counts: a long-lived connection is traffic.
    idle = sum(new) <= limit and max(active) <= limit
    return Verdict(
        idle,
        f"{plural(_targets(r) or 0, 'registered target')}; over {limits[IDLE_DAYS]:g} days: NewFlowCount "
        f"({days_text(new)}) {count(sum(new))} new flows, ActiveFlowCount ({days_text(active)}) highest daily "
        f"maximum {count(max(active))} ({'at most' if idle else 'not both at most'} {count(limit)})",
    )


def _traffic_rule(
    subtype: str,
    name: Callable[[Resource], str],
    queries: tuple[MetricQuery, ...],
    judge: Callable[[Resource, Series, Thresholds], Verdict],
) -> MetricRule:
    return MetricRule(
        id="idle-load-balancer-traffic",
        label="load balancer with targets but no traffic",
        applies=_serving(subtype, name),
        queries=queries,
        judge=judge,
        knobs=(IDLE_LB_REQUESTS,),
        saving=whole_cost,
        saving_basis=hourly_charge_basis,
        action="delete",
        # Targets are registered, so something was meant to use it: a standby or seasonal balancer.
        confidence="medium",
        dimension=name,
    )


# One finding, three declarations: a rule's queries are fixed, and each balancer type
# publishes its traffic in a namespace (and under a dimension) of its own.  ``applies``
# keeps them apart (no row is read by two).  Gateway Load Balancers are not checked.
IDLE_LB_TRAFFIC_ALB = _traffic_rule(
    "application",
    metric_name,
    (MetricQuery("requests", "AWS/ApplicationELB", "RequestCount", "Sum", "LoadBalancer", sparse=True),),
    _judge_requests,
)
IDLE_LB_TRAFFIC_NLB = _traffic_rule(
    "network",
    metric_name,
    (
        MetricQuery("new_flows", "AWS/NetworkELB", "NewFlowCount", "Sum", "LoadBalancer", sparse=True),
        MetricQuery("active_flows", "AWS/NetworkELB", "ActiveFlowCount", "Maximum", "LoadBalancer", sparse=True),
    ),
    _judge_flows,
)
IDLE_LB_TRAFFIC_CLASSIC = _traffic_rule(
    "classic",
    classic_name,
    (MetricQuery("requests", "AWS/ELB", "RequestCount", "Sum", "LoadBalancerName", sparse=True),),
    _judge_requests,
)

SPEC = KindSpec(
    id=KIND,
    console=console_page("ec2/home?region={region}#LoadBalancers:search={name}"),
    aliases=("lb", "alb", "nlb"),
    label="elb",
    title="Load balancers",
    service="elbv2",
    scope="regional",
    lister=list_load_balancers,
    iam_actions=(
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
    ),
    estimator=estimate_load_balancer,
    rules=(IDLE_LOAD_BALANCER,),
    verbs={"delete": "delete"},
    billed_as="Amazon Elastic Load Balancing",
    not_found_codes=frozenset({"LoadBalancerNotFound"}),
    metric_rules=(IDLE_LB_TRAFFIC_ALB, IDLE_LB_TRAFFIC_NLB, IDLE_LB_TRAFFIC_CLASSIC),
)
