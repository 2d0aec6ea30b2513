"""What a principal may see and do. The web pages, the API and the CLI all ask here.

Seeing: a scope is an org unit with its descendants. A scoped user also sees the totals
of the units above their scope (the district and city figures their own data add up to)
but never a sibling's: a township officer sees the city, their district and their own
township, not the next township. City-wide roles (admin, city analyst, a city leader)
see everything. A task owner (a department) sees the city totals and the tasks it leads
or co-leads. An enterprise user sees only its own enterprise.

Doing: each action lists the roles allowed; data writes are further limited to the
scope (a township officer imports and submits only their own township's data)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from yanzhi.core.labels import ROLE_ZH
from yanzhi.core.orgtree import OrgTree
from yanzhi.services.access.principal import PermissionDenied, Principal

CITY_WIDE = ("admin", "city_analyst")

ACTIONS: dict[str, tuple[str, ...]] = {
    "read": (
        "admin",
        "city_analyst",
        "district_officer",
        "township_officer",
        "leader",
        "task_owner",
    ),
    "read_enterprises": ("admin", "city_analyst", "district_officer", "township_officer", "leader"),
    "import": ("admin", "city_analyst", "district_officer", "township_officer"),
    "submit": ("admin", "district_officer", "township_officer"),
    "remind": ("admin", "city_analyst", "district_officer", "township_officer"),
    "casework": ("admin", "city_analyst", "district_officer", "township_officer"),
    "approve": ("admin", "city_analyst"),
    "unlock": ("admin",),
    "override_status": ("admin", "city_analyst"),
    "task_report": ("admin", "task_owner"),
    "task_manage": ("admin", "city_analyst"),
    "comment": ("admin", "leader"),
    "register_write": ("admin", "city_analyst"),
    "evaluate": ("admin", "city_analyst", "district_officer", "township_officer", "leader"),
    "reports": (
        "admin",
        "city_analyst",
        "district_officer",
        "township_officer",
        "leader",
        "task_owner",
    ),
    "admin": ("admin",),
}


def can(principal: Principal, action: str) -> bool:
    """Whether ``principal``'s role may do ``action`` (a key of :data:`ACTIONS`)."""
    return principal.role in ACTIONS[action]


ACTION_ZH = {
    "read": "查看监测数据",
    "read_enterprises": "查看企业数据",
    "import": "导入数据",
    "submit": "上报数据",
    "approve": "审核数据",
    "unlock": "解锁已审核数据",
    "override_status": "人工调整指标结论",
    "task_report": "填报任务进展",
    "task_manage": "管理任务",
    "comment": "批示",
    "register_write": "维护名录清单",
    "evaluate": "查看综合评价",
    "reports": "下载报告",
    "admin": "系统管理",
    "remind": "催报",
    "casework": "诊断服务跟进",
}


def require(principal: Principal, action: str) -> None:
    """``PermissionDenied`` unless ``principal``'s role may do ``action``; the message
    says, in Chinese, what the role may do instead and whom to ask."""
    if not can(principal, action):
        role = ROLE_ZH.get(principal.role, principal.role)
        allowed = [ACTION_ZH[a] for a, roles in ACTIONS.items() if principal.role in roles]
        zh = (
            f"您的账号角色为「{role}」, 无权{ACTION_ZH.get(action, '执行此操作')}。"
            f"本账号可以: {'、'.join(allowed) or '—'}。如需此权限, 请联系系统管理员。"
        )
        raise PermissionDenied(f"role {principal.role} may not {action}", zh)


def org_scope(principal: Principal, tree: OrgTree) -> str | None:
    """The org unit a principal's view is limited to (None: the whole tree)."""
    if principal.role in CITY_WIDE or principal.unit is None:
        return None
    if principal.unit in tree:
        return principal.unit
    return None if principal.role == "task_owner" else principal.unit


def can_see_unit(principal: Principal, code: str, tree: OrgTree) -> bool:
    """Whether ``principal`` may read unit ``code``: city-wide roles every unit, an officer
    its own unit, the units below it and those above it; a task owner the city totals only,
    an enterprise user no unit."""
    if principal.role == "enterprise":
        return False
    if code not in tree:
        return False
    if principal.role == "task_owner":
        return not tree.ancestors(code)  # the city totals only
    scope = org_scope(principal, tree)
    if scope is None:
        return True
    if scope not in tree:
        return False
    return tree.is_within(code, scope) or any(a.code == code for a in tree.ancestors(scope))


def can_change_unit(principal: Principal, code: str, tree: OrgTree) -> bool:
    """Writes need the unit inside the scope (the units above it are read-only)."""
    if principal.role in CITY_WIDE:
        return True
    scope = org_scope(principal, tree)
    return scope is not None and scope in tree and code in tree and tree.is_within(code, scope)


def require_unit(principal: Principal, code: str, tree: OrgTree, *, write: bool = False) -> None:
    """``PermissionDenied`` unless ``principal`` may read unit ``code`` (or, with ``write``,
    change it: see :func:`can_see_unit` and :func:`can_change_unit`)."""
    ok = can_change_unit(principal, code, tree) if write else can_see_unit(principal, code, tree)
    if not ok:
        raise PermissionDenied(
            f"unit {code} is outside {principal.name}'s scope / 单位 {code} 超出 "
            f"{principal.name} 的权限范围"
        )


def visible_units(principal: Principal, codes: Iterable[str], tree: OrgTree) -> list[str]:
    """The codes among ``codes`` that ``principal`` may read, in their order."""
    return [c for c in codes if can_see_unit(principal, c, tree)]


def sees_task(
    principal: Principal, lead: str | None, co_units: Iterable[str], tree: OrgTree
) -> bool:
    """Tasks: city-wide roles and city leaders see all; a task owner its own; a district
    or township user the tasks its unit (or a unit inside it) leads or co-leads."""
    if principal.role == "enterprise":
        return False
    scope = org_scope(principal, tree)
    if principal.role != "task_owner" and scope is None:
        return True
    mine = principal.unit
    for u in [lead, *co_units]:
        if u is None:
            continue
        if u == mine:
            return True
        if scope is not None and scope in tree and u in tree and tree.is_within(u, scope):
            return True
    return False


@dataclass(frozen=True)
class Scope:
    """What one principal may see and do, resolved once per request (``resolve``) at the
    edge — the web dependency, the CLI command — and passed down. Use cases filter with
    it instead of asking the rules above unit by unit.

    ``visible`` holds every org unit the principal may read (its own subtree plus the
    units above it, or the whole tree); ``writable`` the units whose data it may change;
    ``root`` the unit its view is limited to (None: the whole tree); ``actions`` what it
    may do (``ACTIONS``)."""

    principal: Principal
    tree: OrgTree = field(repr=False)
    root: str | None
    visible: frozenset[str] = field(repr=False)
    writable: frozenset[str] = field(repr=False)
    actions: frozenset[str]

    @property
    def role(self) -> str:
        return self.principal.role

    @property
    def city_wide(self) -> bool:
        """Sees every unit (admin, city analyst, city-level leader)."""
        return self.root is None and self.principal.role not in ("task_owner", "enterprise")

    def can(self, action: str) -> bool:
        return action in self.actions

    def require(self, action: str) -> None:
        if action not in self.actions:
            require(self.principal, action)  # raises with the message

    def sees(self, code: str) -> bool:
        return code in self.visible

    def require_unit(self, code: str, *, write: bool = False) -> None:
        if code not in (self.writable if write else self.visible):
            require_unit(self.principal, code, self.tree, write=write)  # raises

    def units(self, codes: Iterable[str]) -> list[str]:
        """``codes`` cut to the visible ones, in order."""
        return [c for c in codes if c in self.visible]

    def sees_task(self, lead: str | None, co_units: Iterable[str]) -> bool:
        return sees_task(self.principal, lead, co_units, self.tree)


def resolve(principal: Principal, tree: OrgTree) -> Scope:
    """The principal's scope over ``tree``, computed once."""
    visible = frozenset(u.code for u in tree if can_see_unit(principal, u.code, tree))
    writable = frozenset(u.code for u in tree if can_change_unit(principal, u.code, tree))
    actions = frozenset(a for a, roles in ACTIONS.items() if principal.role in roles)
    return Scope(principal, tree, org_scope(principal, tree), visible, writable, actions)
