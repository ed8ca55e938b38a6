"""The demo estate's Secrets Manager secrets, through the public APIs: a few per environment,
one scheduled for deletion."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder

#: Per environment: (secret, scheduled for deletion).
SECRETS: dict[str, list[tuple[str, bool]]] = {
    "prod": [("prod/orders/db", False), ("prod/payments/stripe-key", False), ("prod/legacy-crm/db", True)],
    "prod-eu": [("prod-eu/orders/db", False)],
    "staging": [("staging/orders/db", False), ("staging/ci/deploy-token", False)],
    "dev": [("dev/scratch/api-key", False)],
}


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's secrets; how many the scan will list."""
    client = s.c("secretsmanager")
    for name, retire in SECRETS.get(env, []):
        client.create_secret(Name=name, SecretString='{"password": "demo-only"}', Tags=s.tags(env=env))
        if retire:
            client.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    return len(SECRETS.get(env, []))
