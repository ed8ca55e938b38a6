"""The demo estate's DynamoDB tables, through the public APIs: provisioned and on-demand,
one with deletion protection, one with a protected tag, each with a global secondary index.

Seeding is on the demo's start-up path, so each region gets its tables in one call each."""

from __future__ import annotations

from typing import Any

from tracker_tui.demo_estate.core import RegionSeeder

#: Per environment: (table, billing mode, RCU, WCU, deletion protection, extra tags).
TABLES: dict[str, list[tuple[str, str, int, int, bool, dict[str, str]]]] = {
    "prod": [
        ("orders", "PROVISIONED", 100, 50, True, {"team": "payments"}),
        ("sessions", "PAY_PER_REQUEST", 0, 0, False, {"team": "web"}),
        ("audit-trail", "PROVISIONED", 25, 25, False, {"team": "security", "do-not-delete": "true"}),
    ],
    "prod-eu": [("orders", "PAY_PER_REQUEST", 0, 0, True, {"team": "payments"})],
    "staging": [("orders", "PROVISIONED", 20, 10, False, {"team": "payments"})],
    "dev": [("scratch", "PAY_PER_REQUEST", 0, 0, False, {"team": "data"})],
}


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's tables; how many the scan will list."""
    ddb = s.c("dynamodb")
    rows = TABLES.get(env, [])
    for name, mode, rcu, wcu, protect, extra in rows:
        params: dict[str, Any] = {
            "TableName": f"{env}-{name}",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "customer", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": mode,
            "DeletionProtectionEnabled": protect,
            "Tags": [{"Key": "env", "Value": env}, *({"Key": k, "Value": v} for k, v in extra.items())],
        }
        index: dict[str, Any] = {
            "IndexName": "by-customer",
            "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
        if mode == "PROVISIONED":
            params["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
            # Provisioned indexes bill their own capacity.
            index["ProvisionedThroughput"] = {
                "ReadCapacityUnits": max(5, rcu // 5),
                "WriteCapacityUnits": max(5, wcu // 5),
            }
        params["GlobalSecondaryIndexes"] = [index]
        ddb.create_table(**params)
    return len(rows)
