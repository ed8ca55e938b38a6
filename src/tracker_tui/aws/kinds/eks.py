"""EKS clusters: the control plane's hourly fee, standard or extended support by version and date.

ListClusters gives names only, so each cluster is described (DescribeCluster: version, status,
tags, upgrade policy) and its managed node groups counted (ListNodegroups), side by side.
Worker nodes are EC2 instances or Fargate tasks and bill on their own rows; the cluster row
is the control plane alone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import botocore.exceptions

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, Related, Rule, error_code, known, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource, format_cost
from tracker_tui.pricing.basis import Estimate, PriceBook, cents, hourly_basis, rate, unknown_region
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

KIND = "eks:cluster"

#: Kubernetes minor version -> (end of standard support, end of extended support), UTC dates.
#: From the Amazon EKS user guide, "Amazon EKS Kubernetes release calendar"
#: (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html; source
#: awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc): 1.29 to 1.34
#: as that table lists them today; 1.23 from its FAQ; 1.24 as AWS's extended-support launch
#: notes give it; 1.35 as endoflife.date lists it; 1.25 to 1.28 from the calendar's earlier
#: editions (no longer on the page, not re-checked).  Extended support ends twelve months
#: after standard support.  Billing for extended support starts at the beginning of the
#: end-of-standard day (UTC), so that day is already extended; once extended support is over
#: too, AWS upgrades the control plane itself.
SUPPORT_CALENDAR: dict[str, tuple[date, date]] = {
    "1.23": (date(2023, 10, 11), date(2024, 10, 11)),
    "1.24": (date(2024, 1, 31), date(2025, 1, 31)),
    "1.25": (date(2024, 5, 1), date(2025, 5, 1)),
    "1.26": (date(2024, 6, 11), date(2025, 6, 11)),
    "1.27": (date(2024, 7, 24), date(2025, 7, 24)),
    "1.28": (date(2024, 11, 26), date(2025, 11, 26)),
    "1.29": (date(2025, 3, 23), date(2026, 3, 23)),
    "1.30": (date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": (date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": (date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": (date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": (date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": (date(2027, 3, 27), date(2028, 3, 27)),
}

#: What the cluster row leaves out, in every basis.
NODES_NOTE = "worker nodes (EC2, Fargate) bill on their own rows"


def minor_version(version: str) -> str:
    """``1.28`` from ``1.28``, ``1.28.3`` or ``v1.28``."""
    parts = version.strip().lstrip("v").split(".")
    return ".".join(parts[:2])


def list_clusters(ctx: CellContext) -> Iterator[list[Resource]]:
    eks = ctx.client("eks")
    for page in ctx.pages(eks, "list_clusters"):
        names = list(page.get("clusters", []))
        # Every cluster's DescribeCluster and ListNodegroups at once: two calls deep, not three.
        jobs: list[functools.partial[Any]] = [functools.partial(_describe, eks, n) for n in names]
        jobs += [functools.partial(_nodegroup_count, ctx, eks, n) for n in names]
        results = ctx.fan_out(lambda job: job(), jobs)
        described, counts = results[: len(names)], results[len(names) :]
        batch = []
        for name, cluster, nodegroups in zip(names, described, counts, strict=True):
            if cluster is not None:
                batch.append(_resource(ctx, name, cluster, nodegroups))
        yield batch


def _describe(eks: Any, name: str) -> dict[str, Any] | None:
    """The cluster, or None when it was deleted since ListClusters."""
    try:
        return dict(eks.describe_cluster(name=name).get("cluster") or {})
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise


def _nodegroup_count(ctx: CellContext, eks: Any, name: str) -> int | None:
    """How many managed node groups it has (None when they cannot be listed)."""
    try:
        return sum(len(page.get("nodegroups", [])) for page in ctx.pages(eks, "list_nodegroups", clusterName=name))
    except ITEM_ERRORS as exc:
        ctx.unreadable("node groups", exc, name)
        return None


def _resource(ctx: CellContext, name: str, cluster: dict[str, Any], nodegroups: int | None) -> Resource:
    version = str(cluster.get("version") or "")
    vpc = cluster.get("resourcesVpcConfig") or {}
    calendar = SUPPORT_CALENDAR.get(minor_version(version)) if version else None
    details = {
        "version": version or None,
        "platform_version": cluster.get("platformVersion"),
        "support_type": (cluster.get("upgradePolicy") or {}).get("supportType"),
        "standard_support_ends": calendar[0].isoformat() if calendar else None,
        "endpoint_public_access": vpc.get("endpointPublicAccess"),
        "endpoint_private_access": vpc.get("endpointPrivateAccess"),
        "nodegroups": nodegroups,
        "vpc_id": vpc.get("vpcId"),
    }
    tags = {str(k): str(v) for k, v in (cluster.get("tags") or {}).items()}
    return Resource(
        kind=KIND,
        id=name,
        account_id=ctx.account_id,
        arn=cluster.get("arn") or ctx.arn("eks", f"cluster/{name}"),
        name=tags.get("Name", "") or name,
        region=ctx.region,
        state=str(cluster.get("status") or ""),
        created=ts(cluster.get("createdAt")),
        tags=tags,
        details=known(details),
    )


def estimate_cluster(r: Resource, cat: Catalogue, book: PriceBook | None, *, now: datetime | None = None) -> Estimate:
    """The control plane's fee: standard, or extended support once its version's standard support ended.

    ``now`` (default: the current time) decides which; a cluster whose upgrade policy is
    STANDARD is never billed extended support (AWS upgrades it at the end of standard support).
    """
    if not cat.knows_region(r.region):
        return unknown_region(r.region)
    standard = cat.fee("eks_cluster_hourly")
    extended = cat.fee("eks_extended_support_hourly")
    if standard is None or extended is None:
        return None, "no catalogue price for the EKS control plane"
    hours = cat.hours_per_month
    version = str(r.details.get("version") or "")
    if not version:
        return None, (
            f"Kubernetes version unknown: ${rate(standard)}/h on standard support, ${rate(extended)}/h on extended"
        )
    minor = minor_version(version)
    calendar = SUPPORT_CALENDAR.get(minor)
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    what = f"EKS control plane {r.region}, Kubernetes {minor}"
    if calendar is None:
        what += " (not in tracker-tui's support calendar: standard assumed)"
        monthly, basis = hourly_basis(what, standard, hours)
        return monthly, f"{basis}; {NODES_NOTE}"
    standard_ends, extended_ends = calendar
    if today < standard_ends:
        monthly, basis = hourly_basis(f"{what} on standard support until {standard_ends}", standard, hours)
        return monthly, f"{basis}; {NODES_NOTE}"
    if str(r.details.get("support_type") or "").upper() == "STANDARD":
        monthly, basis = hourly_basis(
            f"{what}: standard support ended {standard_ends}; upgrade policy STANDARD, so AWS upgrades it "
            "automatically instead of billing extended support",
            standard,
            hours,
        )
        return monthly, f"{basis}; {NODES_NOTE}"
    if today < extended_ends:
        until = f"until {extended_ends}, then AWS upgrades it"
    else:
        until = f"ended {extended_ends}: AWS upgrades it automatically"
    monthly, basis = hourly_basis(
        f"{what} on extended support (standard support ended {standard_ends}; extended {until})", extended, hours
    )
    return monthly, f"{basis}; {NODES_NOTE}"


def extended_support_since(r: Resource, now: datetime | None = None) -> date | None:
    """The day its version's standard support ended, when the control plane bills extended
    support ``now`` (default: the current time); None while in standard support, for a version
    the calendar does not know, or with the upgrade policy STANDARD (AWS upgrades it instead)."""
    version = str(r.details.get("version") or "")
    calendar = SUPPORT_CALENDAR.get(minor_version(version)) if version else None
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    if calendar is None or today < calendar[0]:
        return None
    if str(r.details.get("support_type") or "").upper() == "STANDARD":
        return None
    return calendar[0]


def _extended_fee_saving(r: Resource, related: Related) -> float | None:
    """The extended hourly fee less the standard one, for a month (None: not priced)."""
    cat = load_catalogue()
    standard, extended = cat.fee("eks_cluster_hourly"), cat.fee("eks_extended_support_hourly")
    if r.monthly_cost is None or standard is None or extended is None:
        return None
    return cents((extended - standard) * cat.hours_per_month)


def _extended_fee_evidence(r: Resource, related: Related, saving: float | None) -> str:
    cat = load_catalogue()
    standard, extended = cat.fee("eks_cluster_hourly"), cat.fee("eks_extended_support_hourly")
    minor = minor_version(str(r.details.get("version") or ""))
    since = extended_support_since(r)
    today = datetime.now(UTC).date()
    supported = sorted((v for v, (ends, _) in SUPPORT_CALENDAR.items() if today < ends), key=_numeric)
    upgrade = f" ({supported[0]} or later today)" if supported else ""
    if saving is None or standard is None or extended is None:
        return (
            f"Kubernetes {minor}: standard support ended {since}, so the control plane bills extended support; "
            f"the fee is unknown here ({r.cost_basis or 'not priced'})"
        )
    return (
        f"Kubernetes {minor}: standard support ended {since}, so the control plane bills ${rate(extended)}/h "
        f"(extended support) instead of ${rate(standard)}/h: ${rate(extended - standard)}/h x "
        f"{cat.hours_per_month} h = {format_cost(saving)}/mo more; upgrading to a version in standard support"
        f"{upgrade} ends it (one minor version at a time; check the add-ons and node groups first)"
    )


def _numeric(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


#: ``eks-extended-support``: a control plane past its version's standard support bills six times the fee.
EKS_EXTENDED_SUPPORT = Rule(
    id="eks-extended-support",
    label="EKS cluster on extended support",
    applies=lambda r: extended_support_since(r) is not None,
    saving=_extended_fee_saving,
    evidence=_extended_fee_evidence,
    # The fee difference is AWS's published one and is billed for certain; no verb: a
    # Kubernetes upgrade is the owner's to plan (add-ons, APIs removed, node groups after).
    confidence="high",
)


SPEC = KindSpec(
    id=KIND,
    console=console_page("eks/home?region={region}#/clusters/{id}"),
    aliases=("kubernetes", "k8s"),
    label="eks",
    title="EKS clusters",
    service="eks",
    scope="regional",
    lister=list_clusters,
    iam_actions=("eks:ListClusters", "eks:DescribeCluster", "eks:ListNodegroups"),
    estimator=estimate_cluster,
    rules=(EKS_EXTENDED_SUPPORT,),
    verbs={},
    billed_as="Amazon Elastic Container Service for Kubernetes",
)
