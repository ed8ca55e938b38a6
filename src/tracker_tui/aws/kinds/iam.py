"""IAM users and roles (global: scanned once, region ``global``)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import botocore.exceptions

from tracker_tui.aws.kinds.base import CellContext, KindSpec, tag_dict, ts
from tracker_tui.model import GLOBAL_REGION, Resource


def _tags(fetch: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, str]:
    try:
        return tag_dict(fetch(**kwargs).get("Tags"))
    except botocore.exceptions.ClientError:
        return {}


def list_users(ctx: CellContext) -> Iterator[list[Resource]]:
    iam = ctx.client("iam")
    for page in ctx.pages(iam, "list_users"):
        users = page.get("Users", [])
        # ListUsers omits tags; ask per user, side by side.
        tag_sets = ctx.fan_out(lambda u: _tags(iam.list_user_tags, UserName=u["UserName"]), users)
        batch = []
        for user, tags in zip(users, tag_sets):
            details = {
                "path": user.get("Path"),
                "user_id": user.get("UserId"),
                "password_last_used": ts(user.get("PasswordLastUsed")),
            }
            batch.append(
                Resource(
                    kind="iam:user",
                    id=user["UserName"],
                    account_id=ctx.account_id,
                    arn=user.get("Arn"),
                    name=user["UserName"],
                    region=GLOBAL_REGION,
                    state="active",
                    created=ts(user.get("CreateDate")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


def list_roles(ctx: CellContext) -> Iterator[list[Resource]]:
    iam = ctx.client("iam")
    for page in ctx.pages(iam, "list_roles"):
        roles = page.get("Roles", [])
        tag_sets = ctx.fan_out(lambda r: _tags(iam.list_role_tags, RoleName=r["RoleName"]), roles)
        batch = []
        for role, tags in zip(roles, tag_sets):
            path = role.get("Path", "/")
            details = {
                "path": path,
                "role_id": role.get("RoleId"),
                "description": role.get("Description") or None,
                "max_session_duration_s": role.get("MaxSessionDuration"),
                "service_linked": path.startswith("/aws-service-role/"),
                "last_used": ts((role.get("RoleLastUsed") or {}).get("LastUsedDate")),
            }
            batch.append(
                Resource(
                    kind="iam:role",
                    id=role["RoleName"],
                    account_id=ctx.account_id,
                    arn=role.get("Arn"),
                    name=role["RoleName"],
                    region=GLOBAL_REGION,
                    state="active",
                    created=ts(role.get("CreateDate")),
                    tags=tags,
                    details={k: v for k, v in details.items() if v is not None},
                )
            )
        yield batch


KINDS = [
    KindSpec("iam:user", "iam", "global", list_users, "IAM users"),
    KindSpec("iam:role", "iam", "global", list_roles, "IAM roles"),
]
