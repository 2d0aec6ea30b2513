"""Who is asking: a principal with a role and a scope. Services check scope themselves, so
the CLI, the web pages and the API obey the same rules (issue #8 adds users, sessions and
tokens on top of this)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from yanzhi.core.errors import NotPermitted
from yanzhi.core.orgtree import OrgTree

Role = Literal[
    "admin",
    "city_analyst",
    "district_officer",
    "township_officer",
    "leader",
    "task_owner",
    "enterprise",
]
ROLES: tuple[str, ...] = get_args(Role)


class PermissionDenied(NotPermitted):
    """The principal may not see or change this object (``core.errors.NotPermitted``)."""


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    unit: str | None = None  # scope: this org unit and its descendants
    enterprise: str | None = None  # scope of an enterprise user: its USCC

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r} / 未知角色")
        if self.role == "enterprise" and not self.enterprise:
            raise ValueError("an enterprise user needs its USCC / 企业用户须绑定统一社会信用代码")


SYSTEM = Principal("cli", "admin")


def home_of(principal: Principal) -> str:
    """The page a principal lands on after logging in: city roles on the cockpit, a
    district or township officer on its unit's page, a task owner on its tasks, an
    enterprise on its own page (我的企业)."""
    if principal.role in ("district_officer", "township_officer") and principal.unit:
        return f"/units/{principal.unit}"
    if principal.role == "task_owner":
        return "/tasks"
    if principal.role == "enterprise" and principal.enterprise:
        return "/my"
    return "/"


def check_enterprise(principal: Principal, *, uscc: str, township: str, tree: OrgTree) -> None:
    """May ``principal`` see enterprise ``uscc`` (located in ``township``)?"""
    if principal.role == "enterprise":
        if principal.enterprise != uscc:
            raise PermissionDenied(
                f"{principal.name} may only see its own enterprise / 企业用户只能查看本企业"
            )
        return
    if principal.unit and not tree.is_within(township, principal.unit):
        raise PermissionDenied(
            f"{uscc} is outside {principal.name}'s scope {principal.unit} / 超出权限范围"
        )


def check_list(principal: Principal) -> None:
    """Lists of many enterprises are not for enterprise users."""
    if principal.role == "enterprise":
        raise PermissionDenied(
            "enterprise users cannot see lists of other enterprises / 企业用户无权查看企业名单"
        )
