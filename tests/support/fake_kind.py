"""A fake 14th kind, SNS topics, in the form a real kind module takes: a lister, an estimator,
a rule and its ``KindSpec``.  Tests register it with ``REGISTRY.registered(TOPICS)``."""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, Rule, own_cost, ts
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import Estimate, PriceBook, hourly_basis
from tracker_tui.pricing.catalogue import Catalogue

FAKE = "sns:topic"


def list_topics(ctx: CellContext) -> Iterator[list[Resource]]:
    sns = ctx.client("sns")
    for page in ctx.pages(sns, "list_topics"):
        yield [
            Resource(
                kind=FAKE,
                id=topic["TopicArn"].rsplit(":", 1)[-1],
                account_id=ctx.account_id,
                arn=topic["TopicArn"],
                name=topic["TopicArn"].rsplit(":", 1)[-1],
                region=ctx.region,
                state="quiet" if topic["TopicArn"].endswith("-old") else "active",
                created=ts(None),
            )
            for topic in page.get("Topics", [])
        ]


def price_topic(r: Resource, cat: Catalogue, book: PriceBook | None) -> Estimate:
    # A made-up flat fee, priced the way real kinds write their basis.
    return hourly_basis(f"topic {r.region}", 0.001, cat.hours_per_month)


QUIET_TOPIC = Rule(
    id="quiet-topic",
    label="quiet topic",
    applies=lambda r: r.state == "quiet",
    saving=own_cost,
)

#: The whole of the fake kind's "module": a lister, an estimator, a rule, and its spec.
TOPICS = KindSpec(
    id=FAKE,
    label="sns",
    title="SNS topics",
    service="sns",
    scope="regional",
    lister=list_topics,
    estimator=price_topic,
    rules=(QUIET_TOPIC,),
    verbs={},
    billed_as="Amazon Simple Notification Service",
)
