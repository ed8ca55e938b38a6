"""IAM users and roles (global: scanned once, region ``global``).

GetAccountAuthorizationDetails returns users and roles *with their tags*, up to a thousand a
page, so the scan needs a few pages instead of one ListUserTags / ListRoleTags call per item
(which made IAM the longest chain of calls in a scan).  Where that call is denied (it needs
iam:GetAccountAuthorizationDetails, part of ReadOnlyAccess and SecurityAudit but not of every
hand-made policy) the scan falls back to ListUsers / ListRoles plus per-item tag calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import botocore.exceptions

from tracker_tui.aws.kinds.base import ITEM_ERRORS, CellContext, KindSpec, error_code, known, tag_dict, ts
from tracker_tui.aws.kinds.console import console_page
from tracker_tui.model import GLOBAL_REGION, Resource
from tracker_tui.pricing.basis import free

USER = "iam:user"
ROLE = "iam:role"

#: Codes that mean "not allowed to call GetAccountAuthorizationDetails": use the fallback.
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def _tags(ctx: CellContext, fetch: Callable[..., dict[str, Any]], name: str, **kwargs: Any) -> dict[str, str]:
    try:
        return tag_dict(fetch(**kwargs).get("Tags"))
    except ITEM_ERRORS as exc:  # listed without tags, noted on its row
        ctx.unreadable("tags", exc, name)
        return {}


def _authorization_details(ctx: CellContext, what: str, key: str) -> Iterator[list[dict[str, Any]]]:
    """Pages of UserDetailList / RoleDetailList; raises ClientError (denied) before the first page."""
    iam = ctx.client("iam")
    for page in ctx.pages(iam, "get_account_authorization_details", Filter=[what]):
        yield page.get(key, [])


def _user(ctx: CellContext, user: dict[str, Any], tags: dict[str, str]) -> Resource:
    details = {
        "path": user.get("Path"),
        "user_id": user.get("UserId"),
        "password_last_used": ts(user.get("PasswordLastUsed")),
        "groups": user.get("GroupList") or None,
        "attached_policies": (
            len(user.get("AttachedManagedPolicies") or []) if "AttachedManagedPolicies" in user else None
        ),
        "inline_policies": len(user.get("UserPolicyList") or []) if "UserPolicyList" in user else None,
    }
    return Resource(
        kind=USER,
        id=user["UserName"],
        account_id=ctx.account_id,
        arn=user.get("Arn"),
        name=user["UserName"],
        region=GLOBAL_REGION,
        state="active",
        created=ts(user.get("CreateDate")),
        tags=tags,
        details=known(details),
    )


def _role(ctx: CellContext, role: dict[str, Any], tags: dict[str, str]) -> Resource:
    path = role.get("Path", "/")
    details = {
        "path": path,
        "role_id": role.get("RoleId"),
        "description": role.get("Description") or None,
        "max_session_duration_s": role.get("MaxSessionDuration"),
        "service_linked": path.startswith("/aws-service-role/"),
        "last_used": ts((role.get("RoleLastUsed") or {}).get("LastUsedDate")),
        "last_used_region": (role.get("RoleLastUsed") or {}).get("Region"),
        "attached_policies": (
            len(role.get("AttachedManagedPolicies") or []) if "AttachedManagedPolicies" in role else None
        ),
        "inline_policies": len(role.get("RolePolicyList") or []) if "RolePolicyList" in role else None,
    }
    return Resource(
        kind=ROLE,
        id=role["RoleName"],
        account_id=ctx.account_id,
        arn=role.get("Arn"),
        name=role["RoleName"],
        region=GLOBAL_REGION,
        state="active",
        created=ts(role.get("CreateDate")),
        tags=tags,
        details=known(details),
    )


def _list(
    ctx: CellContext,
    what: str,
    mapper: Callable[[CellContext, dict[str, Any], dict[str, str]], Resource],
    list_operation: str,
    list_key: str,
    tags_operation: str,
    name_param: str,
) -> Iterator[list[Resource]]:
    """Users or roles with their tags: GetAccountAuthorizationDetails, or the per-item fallback."""
    started = False
    try:
        for items in _authorization_details(ctx, what, f"{what}DetailList"):
            started = True
            yield [mapper(ctx, item, tag_dict(item.get("Tags"))) for item in items]
        return
    except botocore.exceptions.ClientError as exc:
        if started or error_code(exc) not in _DENIED:
            raise  # only a denial of the very first call falls back (no row twice)
    iam = ctx.client("iam")
    fetch_tags = getattr(iam, tags_operation)
    for page in ctx.pages(iam, list_operation):
        items = page.get(list_key, [])
        tag_sets = ctx.fan_out(
            lambda item: _tags(ctx, fetch_tags, item[name_param], **{name_param: item[name_param]}), items
        )
        yield [mapper(ctx, item, tags) for item, tags in zip(items, tag_sets, strict=True)]


def list_users(ctx: CellContext) -> Iterator[list[Resource]]:
    return _list(ctx, "User", _user, "list_users", "Users", "list_user_tags", "UserName")


def list_roles(ctx: CellContext) -> Iterator[list[Resource]]:
    return _list(ctx, "Role", _role, "list_roles", "Roles", "list_role_tags", "RoleName")


USERS = KindSpec(
    id=USER,
    console=console_page("iam/home#/users/details/{name}"),
    aliases=("users",),
    label="user",
    title="IAM users",
    service="iam",
    scope="global",
    lister=list_users,
    iam_actions=("iam:GetAccountAuthorizationDetails",),
    # Where GetAccountAuthorizationDetails is denied (it also reads every policy), the lister
    # lists and reads tags item by item instead.
    iam_fallbacks={"iam:GetAccountAuthorizationDetails": ("iam:ListUsers", "iam:ListUserTags")},
    estimator=free("IAM is free"),
    rules=(),
    verbs={},
    billed_as="",  # IAM is free
)

ROLES = KindSpec(
    id=ROLE,
    console=console_page("iam/home#/roles/details/{name}"),
    aliases=("roles",),
    label="role",
    title="IAM roles",
    service="iam",
    scope="global",
    lister=list_roles,
    iam_actions=("iam:GetAccountAuthorizationDetails",),
    # Where GetAccountAuthorizationDetails is denied (it also reads every policy), the lister
    # lists and reads tags item by item instead.
    iam_fallbacks={"iam:GetAccountAuthorizationDetails": ("iam:ListRoles", "iam:ListRoleTags")},
    estimator=free("IAM is free"),
    rules=(),
    verbs={},
    billed_as="",  # IAM is free
)
