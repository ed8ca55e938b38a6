"""The registry of resource kinds: one ``KindSpec`` per kind, one line each here.

Everything else reads its kinds from here: the scan (listers), pricing (estimators), the
cost panel (rules), the coverage grid (labels), the action plan (verbs).  A kind's module
holds its listing, its price and its rules; its mutating handlers live in ``aws/actions/``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from tracker_tui.aws.kinds import (
    autoscaling,
    awslambda,
    dynamodb,
    ec2_elastic_ip,
    ec2_image,
    ec2_instance,
    ec2_nat_gateway,
    ec2_snapshot,
    ec2_volume,
    ec2_vpc_endpoint,
    efs,
    eks,
    elasticache,
    elb,
    iam,
    kms,
    logs,
    offhours,
    opensearch,
    rds,
    rds_snapshot,
    redshift,
    route53,
    s3,
    sagemaker,
    scheduler,
    secretsmanager,
)
from tracker_tui.aws.kinds.base import CellContext, KindSpec, Rule, ScanCancelled
from tracker_tui.aws.kinds.knobs import KNOBS, Knob, Thresholds
from tracker_tui.aws.kinds.metric import MetricRule
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import Estimate, PriceBook
from tracker_tui.pricing.catalogue import Catalogue, load_catalogue

#: The kinds this build knows, in display order (the table, the coverage grid, the inventory's rows).
SPECS: tuple[KindSpec, ...] = (
    ec2_instance.SPEC,
    ec2_volume.SPEC,
    ec2_snapshot.SPEC,
    ec2_image.SPEC,
    ec2_elastic_ip.SPEC,
    ec2_nat_gateway.SPEC,
    ec2_vpc_endpoint.SPEC,
    s3.SPEC,
    rds.SPEC,
    rds_snapshot.SPEC,
    dynamodb.SPEC,
    redshift.SPEC,
    efs.SPEC,
    awslambda.SPEC,
    elb.SPEC,
    logs.SPEC,
    iam.USERS,
    iam.ROLES,
    autoscaling.SPEC,
    elasticache.SPEC,
    eks.SPEC,
    sagemaker.NOTEBOOKS,
    sagemaker.ENDPOINTS,
    opensearch.SPEC,
    route53.SPEC,
    kms.SPEC,
    secretsmanager.SPEC,
    scheduler.SPEC,
)



class Registry(dict[str, KindSpec]):
    """The kinds by id, in display order, with the one way to add one.

    Everything derived from it (the ids, the display order, the rules by id) is asked of
    it when needed rather than copied at import, so a kind registered later (a test's fake
    kind, say) is seen everywhere at once.
    """

    def __init__(self, specs: Iterable[KindSpec]) -> None:
        super().__init__()
        for spec in specs:
            self.register(spec)

    def register(self, spec: KindSpec) -> None:
        """Add a kind at the end of the display order.

        Raises:
            ValueError: a kind with this id is already registered.
        """
        if spec.id in self:
            raise ValueError(f"kind {spec.id} is already registered")
        self[spec.id] = spec

    @contextmanager
    def registered(self, spec: KindSpec) -> Iterator[KindSpec]:
        """``spec`` registered for the duration of a ``with`` block (tests)."""
        self.register(spec)
        try:
            yield spec
        finally:
            del self[spec.id]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self)

    def rules(self) -> dict[str, Rule]:
        """Every rule of every kind, by id, in display order."""
        return {rule.id: rule for spec in self.values() for rule in spec.rules}

    def metric_rules(self) -> dict[str, MetricRule]:
        """Every CloudWatch rule (``idle-*``, ``rightsize-*``) of every kind, by id.  One finding
        may be declared as several rules whose rows never overlap (a load balancer's traffic is
        read from its type's namespace); they agree on all but their rows and queries (tested),
        and the first stands for them here."""
        found: dict[str, MetricRule] = {}
        for spec in self.values():
            for rule in spec.metric_rules:
                if rule.finds:  # a usage rule prices its row: no finding has its id
                    found.setdefault(rule.id, rule)
        return found

    def finding_labels(self) -> dict[str, str]:
        """The Savings panel's words for every finding id, rules and metric rules alike."""
        labels = {fid: rule.label for fid, rule in self.rules().items()}
        labels.update((fid, rule.label) for fid, rule in self.metric_rules().items())
        return labels


REGISTRY = Registry(SPECS)


class UnknownKindError(ValueError):
    """A kind the user named does not exist."""


def resolve_kinds(requested: list[str] | None) -> list[KindSpec]:
    """The specs for the requested kind ids (every kind when none), in display order.

    Raises:
        UnknownKindError: naming the first unknown kind and the valid ones.
    """
    wanted = [k.strip() for k in (requested or []) if k and k.strip()]
    if not wanted:
        return list(REGISTRY.values())
    for kind in wanted:
        if kind not in REGISTRY:
            raise UnknownKindError(f"unknown kind '{kind}' (known: {', '.join(REGISTRY)})")
    return [spec for spec in REGISTRY.values() if spec.id in wanted]


def estimate(resource: Resource, catalogue: Catalogue | None = None, book: PriceBook | None = None) -> Estimate:
    """``(monthly USD or None, basis)`` for one resource, from its kind's estimator.

    ``book`` (optional) holds prices fetched from the AWS Price List API: they win over the
    catalogue's; any failure there falls back to the catalogue's answer.  Never raises for odd
    details: a value that cannot be read gives ``None`` and a basis naming the problem.
    """
    spec = REGISTRY.get(resource.kind)
    if spec is None:
        return None, f"no estimator for kind {resource.kind}"
    try:
        if spec.off_hours is not None:
            cat = catalogue or load_catalogue()
            return offhours.scheduled_estimate(spec.estimator, spec.off_hours, resource, cat, book)
        return spec.estimator(resource, catalogue or load_catalogue(), book)
    except Exception as exc:  # noqa: BLE001 - one odd resource must not break a scan
        return None, f"could not estimate: {type(exc).__name__}: {exc}"


def price_resources(
    resources: Iterable[Resource], catalogue: Catalogue | None = None, book: PriceBook | None = None
) -> list[Resource]:
    """Copies of ``resources`` with ``monthly_cost`` and ``cost_basis`` set."""
    cat = catalogue or load_catalogue()
    out = []
    for resource in resources:
        cost, basis = estimate(resource, cat, book)
        out.append(dataclasses.replace(resource, monthly_cost=cost, cost_basis=basis))
    return out


def rules_of(kind: str, limits: Thresholds | None = None) -> tuple[Rule, ...]:
    """The rules a kind declares, as they judge under ``limits`` (default: the declared
    defaults); none for a kind this build does not know."""
    spec = REGISTRY.get(kind)
    if spec is None:
        return ()
    return spec.rules if limits is None else _bound(kind, limits)


@functools.lru_cache(maxsize=256)
def _bound(kind: str, limits: Thresholds) -> tuple[Rule, ...]:
    """Built once per kind and thresholds: rules are looked up for every row as it streams in."""
    return tuple(rule.bound(limits) for rule in REGISTRY[kind].rules)


def sort_resources(resources: Sequence[Resource]) -> list[Resource]:
    """The inventory's row order: account, kind (display order), region, id."""
    order = {kind: index for index, kind in enumerate(REGISTRY)}
    last = len(order)
    return sorted(resources, key=lambda r: (r.account_id, order.get(r.kind, last), r.region, r.id))


__all__ = [
    "REGISTRY",
    "Registry",
    "SPECS",
    "KNOBS",
    "CellContext",
    "KindSpec",
    "Knob",
    "Rule",
    "ScanCancelled",
    "Thresholds",
    "UnknownKindError",
    "estimate",
    "price_resources",
    "resolve_kinds",
    "rules_of",
    "sort_resources",
]
