"""Demo accounts, one per role, with fresh random passwords (printed once by `yanzhi
demo`). Scopes: a district (鄞州区 where it exists, else the first district), a township
in it, the first department of the plan as task owner, and an enterprise located in
that township (a 高企 or 科技型中小企业 where there is one)."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine

from yanzhi.services.access import users
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan

PREFERRED_DISTRICT = "330212"


@dataclass(frozen=True)
class DemoScopes:
    """The units the demo accounts are scoped to."""

    district: str
    township: str
    department: str | None
    enterprise: str | None


@dataclass(frozen=True)
class DemoAccount:
    """A demo account with its fresh password (shown once)."""

    username: str
    password: str
    role: str
    unit: str | None
    enterprise: str | None
    display_name: str

    def to_dict(self) -> dict[str, Any]:
        """The account as a plain mapping (field names as keys)."""
        return asdict(self)


def scopes(engine: Engine) -> DemoScopes:
    """A district (鄞州区 where it exists), a township in it holding enterprises, the plan's
    first department and an enterprise of that township (a technology enterprise first)."""
    with transaction(engine) as session:
        tree = load_org_tree(session)
        plan = get_plan(session)
        index = enterprise_index(session)
    districts = [d.code for d in tree.by_level("district")]
    district = PREFERRED_DISTRICT if PREFERRED_DISTRICT in districts else districts[0]
    towns = [u.code for u in tree.children(district)]
    located = set(index["township_code"]) if "township_code" in index else set()
    township = next((t for t in towns if t in located), towns[0] if towns else district)
    here = index[index["township_code"] == township] if len(index) else index
    tech = (
        here[here["hightech"].fillna(False) | here["tech_sme"].fillna(False)] if len(here) else here
    )
    # a technology enterprise where there is one: its own page then has innovation points
    ent = list(tech["uscc"]) + list(here["uscc"]) if len(here) else []
    return DemoScopes(
        district=district,
        township=township,
        department=plan.departments[0].code if plan.departments else None,
        enterprise=str(ent[0]) if ent else None,
    )


def demo_email(username: str) -> str:
    """A demo account's e-mail address, in the reserved ``.invalid`` domain (RFC 2606):
    it shows where notifications would go and can reach no one."""
    return f"{username}@yanzhi-demo.invalid"


def create(engine: Engine, *, actor: str = "demo") -> list[DemoAccount]:
    """Create (or reset the passwords of) the demo accounts; returns them with passwords."""
    s = scopes(engine)
    wanted: list[tuple[str, str, str | None, str | None, str]] = [
        ("admin", "admin", None, None, "演示管理员"),
        ("analyst", "city_analyst", None, None, "演示市级分析员"),
        ("district", "district_officer", s.district, None, "演示区县联络员"),
        ("township", "township_officer", s.township, None, "演示乡镇联络员"),
        ("leader", "leader", None, None, "演示领导"),
    ]
    if s.department:
        wanted.append(("owner", "task_owner", s.department, None, "演示任务责任单位"))
    if s.enterprise:
        wanted.append(("enterprise", "enterprise", None, s.enterprise, "演示企业用户"))
    existing = {u.username for u in users.list_users(engine)}
    out: list[DemoAccount] = []
    for name, role, unit, uscc, label in wanted:
        password = secrets.token_urlsafe(9)
        if name in existing:
            users.update_user(
                engine,
                name,
                actor=actor,
                password=password,
                role=role,
                unit=unit or "",
                enterprise=uscc or "",
                email=demo_email(name),
                active=True,
            )
        else:
            users.create_user(
                engine,
                username=name,
                password=password,
                role=role,
                unit=unit,
                enterprise=uscc,
                display_name=label,
                email=demo_email(name),
                actor=actor,
            )
        out.append(DemoAccount(name, password, role, unit, uscc, label))
    return out
