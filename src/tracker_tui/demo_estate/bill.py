"""The demo account's bill: last month per Cost Explorer service, registered with moto's
Cost Explorer so ``b`` and ``tracker-tui bill`` have something real to compare."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, date, datetime
from typing import Any

#: Last month's bill of the demo account, by Cost Explorer SERVICE (USD): near the estate's
#: run-rate where our kinds cover it (usage, snapshots and data transfer on top; instances
#: stopped part of the month below), plus two services no kind covers.
DEMO_BILL = (
    ("EC2 - Other", 3912.75),
    ("Amazon Relational Database Service", 2318.04),
    ("Amazon Elastic Compute Cloud - Compute", 1984.22),
    ("Amazon Redshift", 1602.31),
    ("Amazon ElastiCache", 1241.02),
    ("AWS Support (Business)", 1011.85),
    ("Amazon OpenSearch Service", 731.08),
    ("Amazon Elastic Container Service for Kubernetes", 438.00),
    ("Amazon CloudFront", 412.37),
    ("Amazon SageMaker", 224.57),
    ("Amazon Elastic Load Balancing", 214.93),
    ("Amazon Simple Storage Service", 203.18),
    ("AmazonCloudWatch", 148.61),
    ("Amazon Virtual Private Cloud", 109.45),
    ("Amazon DynamoDB", 61.12),
    ("AWS Lambda", 37.84),
    ("AWS Key Management Service", 6.42),
    ("Amazon Elastic File System", 3.18),
    ("AWS Secrets Manager", 2.97),
    ("Amazon Route 53", 2.41),
)


def demo_bill_results(today: date | None = None) -> dict[str, Any]:
    """The body of moto's ``/moto-api/static/ce/cost-and-usage-results`` for ``DEMO_BILL``:
    one GetCostAndUsage answer for the last full month, grouped by SERVICE."""
    end = (today or datetime.now(UTC).date()).replace(day=1)
    start = end.replace(year=end.year - 1, month=12) if end.month == 1 else end.replace(month=end.month - 1)
    groups = [
        {"Keys": [service], "Metrics": {"UnblendedCost": {"Amount": f"{amount:.10f}", "Unit": "USD"}}}
        for service, amount in DEMO_BILL
    ]
    result = {
        "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
                "Total": {},
                "Groups": groups,
                "Estimated": False,
            }
        ],
        "DimensionValueAttributes": [],
    }
    return {"results": [result]}


def seed_bill(endpoint: str) -> bool:
    """Register the demo's bill with moto's Cost Explorer (one local HTTP call); False if
    moto refused it (the bill view then shows an empty bill: nothing is logged over the TUI).

    moto hands the first GetCostAndUsage request the queued answer and repeats it for the
    same request; nothing tracks usage in moto, so this is the demo's only bill.
    """
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/ce/cost-and-usage-results",
        data=json.dumps(demo_bill_results()).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:  # our own loopback server
            return 200 <= reply.status < 300
    except OSError:
        return False
