"""Lambda functions."""

from __future__ import annotations

from collections.abc import Iterator

from tracker_tui.aws.kinds.base import CellContext, KindSpec, known, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import Resource
from tracker_tui.pricing.basis import usage_dependent

KIND = "lambda:function"


def list_functions(ctx: CellContext) -> Iterator[list[Resource]]:
    # ListFunctions carries no tags; fetching them per function would cost one call each,
    # so they are left to the details/actions paths.
    lam = ctx.client("lambda")
    for page in ctx.pages(lam, "list_functions"):
        batch = []
        for fn in page.get("Functions", []):
            details = {
                "runtime": fn.get("Runtime") or fn.get("PackageType"),
                "memory_mb": fn.get("MemorySize"),
                "timeout_s": fn.get("Timeout"),
                "architectures": fn.get("Architectures"),
                "code_size_bytes": fn.get("CodeSize"),
                "handler": fn.get("Handler"),
                "package_type": fn.get("PackageType"),
                "last_modified": ts(fn.get("LastModified")),
                "ephemeral_storage_mb": (fn.get("EphemeralStorage") or {}).get("Size"),
            }
            batch.append(
                Resource(
                    kind=KIND,
                    id=fn["FunctionName"],
                    account_id=ctx.account_id,
                    arn=fn.get("FunctionArn"),
                    name=fn["FunctionName"],
                    region=ctx.region,
                    state=fn.get("State") or "active",
                    created=None,
                    tags={},
                    details=known(details),
                )
            )
        yield batch


SPEC = KindSpec(
    id=KIND,
    console=console_page("lambda/home?region={region}#/functions/{id}"),
    aliases=("function", "functions"),
    label="fn",
    title="Lambda functions",
    service="lambda",
    scope="regional",
    lister=list_functions,
    iam_actions=("lambda:ListFunctions",),
    estimator=usage_dependent("usage-dependent (requests and GB-seconds)"),
    rules=(),
    verbs={},
    billed_as="AWS Lambda",
)
