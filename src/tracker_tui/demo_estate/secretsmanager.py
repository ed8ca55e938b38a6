"""The demo estate's Secrets Manager secrets, through the public APIs: a few per environment,
one scheduled for deletion, one made long ago and never read since (``secret-unused``)."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker_tui.demo_estate.core import RegionSeeder

#: Per environment: (secret, what became of it: "" in use, "retired" scheduled for deletion,
#: "stale" created long ago and never read since).
SECRETS: dict[str, list[tuple[str, str]]] = {
    "prod": [
        ("prod/orders/db", ""),
        ("prod/payments/stripe-key", ""),
        ("prod/legacy-crm/db", "retired"),
        ("prod/partners/sftp-legacy", "stale"),
    ],
    "prod-eu": [("prod-eu/orders/db", "")],
    "staging": [("staging/orders/db", ""), ("staging/ci/deploy-token", "")],
    "dev": [("dev/scratch/api-key", "")],
}

#: When the stale secret was made.
STALE_CREATED = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's secrets; how many the scan will list."""
    client = s.c("secretsmanager")
    for name, fate in SECRETS.get(env, []):
        made = client.create_secret(Name=name, SecretString='{"password": "demo-only"}', Tags=s.tags(env=env))
        if fate == "retired":
            client.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        elif fate == "stale":
            backdate(s, str(made["ARN"]), STALE_CREATED)
    return len(SECRETS.get(env, []))


def backdate(s: RegionSeeder, arn: str, created: datetime) -> bool:
    """Date a secret's creation back to ``created``; False when it cannot be (a server in
    another process: the secret stays dated today, and is no finding).

    moto stamps CreatedDate with the time of the CreateSecret call, and no API changes it
    (LastAccessedDate it always leaves empty: never read).  So, as ``tracker_tui.demo`` dates
    its archived snapshots back, the demo sets it on moto's in-process model, which is the one
    the demo server answers from; scans read it back through ListSecrets like any account's.
    Nothing else is touched: no clock is changed, so no other call sees another time.
    """
    if s.endpoint is not None:
        return False
    from moto.secretsmanager.models import FakeSecret, secretsmanager_backends

    account = arn.split(":")[4]
    secret = secretsmanager_backends[account][s.region].secrets[arn]
    if not isinstance(secret, FakeSecret):  # a replica: dated by its primary
        return False
    secret.created_date = int(created.timestamp())
    return True
