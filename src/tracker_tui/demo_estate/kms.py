"""The demo estate's KMS keys, through the public APIs: each with an alias, some scheduled for
deletion (still listed, no longer billed)."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder

#: Per environment: (key alias, scheduled for deletion).
KEYS: dict[str, list[tuple[str, bool]]] = {
    "prod": [("prod-data", False), ("prod-backups", False), ("prod-old-app", True)],
    "prod-eu": [("prod-eu-data", False)],
    "staging": [("staging-data", False), ("staging-retired", True)],
    "dev": [("dev-data", False)],
}


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's keys; how many the scan will list."""
    kms = s.c("kms")
    for alias, retire in KEYS.get(env, []):
        key = kms.create_key(Description=f"{alias} envelope key", Tags=[{"TagKey": "env", "TagValue": env}])
        key_id = key["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key_id)
        if retire:
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    return len(KEYS.get(env, []))
