"""The demo estate's KMS keys, through the public APIs: each with an alias, some scheduled for
deletion (still listed, no longer billed), one disabled (still billed: ``kms-disabled-key``)."""

from __future__ import annotations

from tracker_tui.demo_estate.core import RegionSeeder

#: Per environment: (key alias, what became of it: "" in use, "retired" scheduled for deletion,
#: "disabled" disabled and forgotten).
KEYS: dict[str, list[tuple[str, str]]] = {
    "prod": [("prod-data", ""), ("prod-backups", ""), ("prod-old-app", "retired")],
    "prod-eu": [("prod-eu-data", "")],
    "staging": [("staging-data", ""), ("staging-retired", "retired")],
    "dev": [("dev-data", "disabled")],
}


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's keys; how many the scan will list."""
    kms = s.c("kms")
    for alias, fate in KEYS.get(env, []):
        key = kms.create_key(Description=f"{alias} envelope key", Tags=[{"TagKey": "env", "TagValue": env}])
        key_id = key["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key_id)
        if fate == "retired":
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        elif fate == "disabled":
            kms.disable_key(KeyId=key_id)
    return len(KEYS.get(env, []))
