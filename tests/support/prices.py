"""Pricing a bare row against the shipped catalogue (the estimators' tests), and prices as the AWS
Price List API answers them (the live prices' tests).

Expected numbers are worked by hand from the catalogue (us-east-1 price x region factor,
rounded to 5 decimals; x 730 h; rounded to cents half up) so a change to a price or a rule
shows up as a plain number."""

from __future__ import annotations

import json
from typing import Any

from tracker_tui.aws.kinds import estimate
from tracker_tui.model import Resource

#: The shipped catalogue's edition, as a basis names it.
CAT = "catalogue 2026-10-15"


def res(kind: str, region: str = "us-east-1", state: str = "", **details: Any) -> Resource:
    """A bare row of ``kind``: what an estimator sees before anything else is known."""
    return Resource(kind=kind, id=f"{kind}-1", region=region, account_id="123456789012", state=state, details=details)


def cost(resource: Resource) -> float | None:
    return estimate(resource)[0]


def basis(resource: Resource) -> str:
    return estimate(resource)[1]


def offer(usd: str, unit: str = "Hrs", tiers: list[tuple[str, str, str]] | None = None) -> str:
    """One GetProducts PriceList entry, as the API returns it: a JSON document in a string."""
    dims = {
        f"SKU.TERM.R{i}": {
            "unit": unit,
            "beginRange": begin,
            "endRange": end,
            "description": "on demand",
            "appliesTo": [],
            "rateCode": f"SKU.TERM.R{i}",
            "pricePerUnit": {"USD": price},
        }
        for i, (begin, end, price) in enumerate(tiers or [("0", "Inf", usd)])
    }
    return json.dumps(
        {
            "product": {"productFamily": "Compute Instance", "sku": "SKU", "attributes": {}},
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": {
                    "SKU.TERM": {
                        "sku": "SKU",
                        "offerTermCode": "TERM",
                        "effectiveDate": "2026-11-01T00:00:00Z",
                        "priceDimensions": dims,
                        "termAttributes": {},
                    }
                }
            },
            "version": "20261101",
            "publicationDate": "2026-11-01T00:00:00Z",
        }
    )
