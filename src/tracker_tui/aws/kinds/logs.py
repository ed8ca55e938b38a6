"""CloudWatch Logs log groups (stored bytes and retention).

Tags are not listed: ListTagsForResource is one call per group and accounts hold tens of
thousands of groups.  Actions re-read a group's tags before touching it.
"""

from __future__ import annotations

from typing import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, ts
from tracker_tui.model import Resource


def list_log_groups(ctx: CellContext) -> Iterator[list[Resource]]:
    logs = ctx.client("logs")
    for page in ctx.pages(logs, "describe_log_groups"):
        batch = []
        for group in page.get("logGroups", []):
            name = group["logGroupName"]
            retention = group.get("retentionInDays")
            arn = group.get("logGroupArn") or (group.get("arn") or "").removesuffix(":*") or None
            details = {
                "stored_bytes": group.get("storedBytes", 0),
                "retention_days": retention,
                "retention": f"{retention} days" if retention else "never expires",
                "log_group_class": group.get("logGroupClass", "STANDARD"),
                "metric_filter_count": group.get("metricFilterCount"),
                "kms_key_id": group.get("kmsKeyId"),
            }
            batch.append(
                Resource(
                    kind="logs:log-group",
                    id=name,
                    account_id=ctx.account_id,
                    arn=arn or ctx.arn("logs", f"log-group:{name}"),
                    name=name,
                    region=ctx.region,
                    # Log groups have no lifecycle; the state column shows what matters
                    # about them instead: whether anything ever expires.
                    state=f"retain-{retention}d" if retention else "no-retention",
                    created=ts(group.get("creationTime")),
                    tags={},
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


KINDS = [KindSpec("logs:log-group", "logs", "regional", list_log_groups, "CloudWatch log groups", ("delete",))]
