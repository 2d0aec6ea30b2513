"""Non-reporters and 催报 on the data desk (数据报送 › 未报企业): the enterprises of the
caller's townships expected to report for a period that have not, and sending them
reminders. Reading needs ``read_enterprises``; reminding needs ``remind`` and each
enterprise inside the caller's writable units — a township officer reminds only its
own township's enterprises (403 with a Chinese message otherwise)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.errors import NotFound
from yanzhi.core.orgtree import Level
from yanzhi.core.periods import label_zh
from yanzhi.services.access.principal import PermissionDenied
from yanzhi.services.access.scope import Scope
from yanzhi.services.collection import nonreporters as service
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import get_enterprise
from yanzhi.views.data import _period


class NonReporterItem(BaseModel):
    """An enterprise that has not reported: identity, place, industry (GB/T 4754 class
    and its Chinese name), last period reported (``last_period_zh``: 2026年1-10月, or
    从未报送), 联系人, 联系电话 and a contact e-mail ("—" when not known), the reminders
    sent for this period."""

    uscc: str
    name: str
    township: str
    township_name: str
    district: str | None
    district_name: str | None
    industry_code: str
    industry: str
    last_period: str | None
    last_period_zh: str
    contact_person: str
    contact_phone: str
    contact: str
    reminders: int
    last_reminded_at: str | None
    last_reminded_by: str | None
    last_reminded_by_name: str | None


class TownshipCount(BaseModel):
    """Non-reporters of one township and how many of them have been reminded."""

    code: str
    name: str
    district_name: str | None
    count: int
    reminded: int


class NonReporters(BaseModel):
    """The non-reporters of ``period`` within ``unit`` (the caller's scope by default),
    by township, and whether the caller may send reminders."""

    period: str | None
    period_zh: str
    unit: str | None
    unit_name: str
    items: list[NonReporterItem]
    townships: list[TownshipCount]
    may_remind: bool
    synthetic: bool = False  # the database holds generated (demo) data
    total: int | None = None  # the API: items that match its table parameters (all pages)
    page: int = 1
    size: int | None = None


class RemindersSent(BaseModel):
    """Reminders sent: the enterprises, the notifications added for their accounts, the
    e-mails the server took and those that failed (kept and retried)."""

    period: str
    reminded: list[str]
    notifications: int
    emailed: int
    email_failed: int


def _townships(scope: Scope, unit: str | None) -> tuple[str | None, str, list[str]]:
    root = unit or scope.root
    tree = scope.tree
    if root is not None:
        if root not in tree:
            raise NotFound(f"unknown unit {root}", f"未知单位 {root}")
        scope.require_unit(root)
        name = tree.get(root).name
        units = tree.descendants(root, include_self=True)
    else:
        name = "全市"
        units = list(tree)
    codes = [u.code for u in units if u.level is Level.TOWNSHIP]
    return root, name, scope.units(codes)


def nonreporter_list(
    engine: Engine, scope: Scope, *, period: str | None = None, unit: str | None = None
) -> NonReporters:
    """The non-reporters of ``period`` (default the newest) in ``unit`` (default the
    caller's own unit or the city), cut to the townships the caller may see."""
    scope.require("read_enterprises")
    root, name, townships = _townships(scope, unit)
    p = _period(engine, period)
    if p is None:
        return NonReporters(
            period=None, period_zh="—", unit=root, unit_name=name, items=[], townships=[],
            may_remind=False,
        )  # fmt: skip
    rows = service.nonreporters(engine, period=p, townships=townships)
    items = [NonReporterItem(**asdict(r)) for r in rows]
    counts = Counter(r.township for r in rows)
    reminded = Counter(r.township for r in rows if r.reminders)
    first = {r.township: r for r in reversed(rows)}
    return NonReporters(
        period=p,
        period_zh=label_zh(p),
        unit=root,
        unit_name=name,
        items=items,
        townships=[
            TownshipCount(
                code=c,
                name=first[c].township_name,
                district_name=first[c].district_name,
                count=n,
                reminded=reminded[c],
            )
            for c, n in sorted(counts.items())
        ],
        may_remind=scope.can("remind"),
    )


def remind(engine: Engine, scope: Scope, *, period: str | None, usccs: list[str]) -> RemindersSent:
    """Send 催报 reminders to the enterprises ``usccs``; each must lie in a township the
    caller may change (403 naming the enterprise otherwise)."""
    scope.require("remind")
    p = _period(engine, period)
    if p is None:
        raise NotFound("no reporting period yet", "尚无报告期")
    with transaction(engine) as session:
        for uscc in usccs:
            e = get_enterprise(session, uscc)
            if e is None:
                raise NotFound(f"unknown enterprise {uscc}", f"未知企业 {uscc}")
            if e.township_code not in scope.writable:
                raise PermissionDenied(
                    f"{uscc} lies outside {scope.principal.name}'s units; it may not be reminded",
                    f"企业 {e.name}（{uscc}）不在本账号管辖的乡镇（街道）内，不能催报；"
                    "请由其所在乡镇（街道）或区县办理",
                )
    townships = [c for c in scope.writable if scope.tree.get(c).level is Level.TOWNSHIP]
    sent = service.remind(
        engine, period=p, usccs=usccs, townships=townships, actor=scope.principal.name
    )
    return RemindersSent(**asdict(sent))
