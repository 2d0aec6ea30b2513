"""诊断+提升 casework: a case per enterprise, assigned to a township officer (an account)
or a named service provider; visits with their findings and the actions agreed from the
catalogue (``core.casework.ACTIONS``), each with a due date; reminders of overdue actions
through the notifications; closing. Every write is audited. Who may: the roles of
``casework`` (``services.access.scope.ACTIONS``) for enterprises in their scope; reading
needs ``read_enterprises``, and an enterprise account reads its own case only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from yanzhi.core import casework as cw
from yanzhi.core.errors import Conflict, InvalidInput, NotFound
from yanzhi.core.orgtree import OrgTree
from yanzhi.services.access.principal import Principal, check_list
from yanzhi.services.access.scope import require
from yanzhi.services.database import require_schema
from yanzhi.services.enterprises.caseeffect import intensities, outcome, outcome_of, ranked_frame
from yanzhi.services.enterprises.caseresults import CaseAction, CaseDetail, CaseSummary, CaseVisit
from yanzhi.services.enterprises.diagnosis import enterprise_in
from yanzhi.services.notifications.send import Message, deliver, notify
from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.casemodels import CaseActionRow, CaseRow, CaseVisitRow
from yanzhi.storage.datamodels import EnterpriseRow
from yanzhi.storage.db import transaction
from yanzhi.storage.notifications import active_users
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.usermodels import UserRow
from yanzhi.storage.users import get_user

REMIND_EVERY = 7  # days between two reminders of the same overdue action


def _writer(principal: Principal) -> None:
    require(principal, "casework")


def _reader(principal: Principal) -> None:
    if principal.role != "enterprise":
        require(principal, "read_enterprises")


def _current(session: Session, enterprise_id: int) -> CaseRow | None:
    """The enterprise's open case, else its latest one."""
    rows = session.scalars(
        select(CaseRow).where(CaseRow.enterprise_id == enterprise_id).order_by(CaseRow.id)
    ).all()
    return next((r for r in reversed(rows) if r.status == cw.OPEN), rows[-1] if rows else None)


def _assignee(c: CaseRow) -> str:
    return c.assignee_user or c.provider or "—"


def _action(a: CaseActionRow, today: dt.date, *, followed: bool = True) -> CaseAction:
    """An action as shown; ``followed``: its case is open (a closed case's unfinished
    actions are no longer chased, so none is overdue)."""
    return CaseAction(
        id=a.id,
        action=a.action,
        action_zh=cw.ACTION_ZH.get(a.action, a.action),
        due_on=a.due_on.isoformat(),
        status=a.status,
        status_zh=cw.ACTION_STATUS_ZH.get(a.status, a.status),
        done_on=a.done_on.isoformat() if a.done_on else None,
        overdue=followed and a.status == cw.PENDING and a.due_on < today,
        reminded_on=a.reminded_on.isoformat() if a.reminded_on else None,
    )


def _places(tree: OrgTree, township: str) -> tuple[str | None, str | None]:
    if township not in tree:
        return None, None
    parent = tree.parent(township)
    return tree.get(township).name, parent.name if parent else None


def _detail(
    session: Session, c: CaseRow, ent: EnterpriseRow, tree: OrgTree, today: dt.date
) -> CaseDetail:
    visits = session.scalars(
        select(CaseVisitRow).where(CaseVisitRow.case_id == c.id).order_by(CaseVisitRow.visited_on)
    ).all()
    actions = session.scalars(
        select(CaseActionRow).where(CaseActionRow.case_id == c.id).order_by(CaseActionRow.id)
    ).all()
    township, district = _places(tree, ent.township_code)
    return CaseDetail(
        id=c.id,
        uscc=ent.uscc,
        name=ent.name,
        district=district,
        township=township,
        diagnosis_year=c.diagnosis_year,
        status=c.status,
        status_zh=cw.CASE_STATUS_ZH.get(c.status, c.status),
        assignee_user=c.assignee_user,
        provider=c.provider,
        assignee=_assignee(c),
        reason=c.reason,
        opened_on=c.opened_on.isoformat(),
        opened_by=c.opened_by,
        closed_on=c.closed_on.isoformat() if c.closed_on else None,
        closing_note=c.closing_note,
        visits=[
            CaseVisit(
                id=v.id,
                visited_on=v.visited_on.isoformat(),
                visitor=v.visitor,
                findings=v.findings,
                actions=[
                    _action(a, today, followed=c.status == cw.OPEN)
                    for a in actions
                    if a.visit_id == v.id
                ],
            )
            for v in visits
        ],
        open_actions=[
            _action(a, today, followed=c.status == cw.OPEN)
            for a in actions
            if a.status == cw.PENDING
        ],
        outcome=outcome_of(ent.uscc, c.diagnosis_year, None, None),  # filled by the caller
        synthetic=bool(c.synthetic or ent.synthetic),
    )


def _with_outcome(engine: Engine, d: CaseDetail) -> CaseDetail:
    return d.model_copy(update={"outcome": outcome(engine, d.uscc, d.diagnosis_year)})


def case_of(
    engine: Engine, uscc: str, *, principal: Principal, today: dt.date | None = None
) -> CaseDetail | None:
    """The enterprise's open case (else its latest; None: it never had one) with visits,
    actions and its outcome from approved reports."""
    _reader(principal)
    require_schema(engine)
    day = today or dt.date.today()
    with transaction(engine) as session:
        ent, tree = enterprise_in(session, uscc, principal)
        c = _current(session, ent.id)
        found = _detail(session, c, ent, tree, day) if c else None
    return _with_outcome(engine, found) if found else None


def _check_assignee(
    session: Session, tree: OrgTree, ent: EnterpriseRow, user: str | None, provider: str | None
) -> tuple[str | None, str | None]:
    user = (user or "").strip() or None
    provider = (provider or "").strip()[:200] or None
    if (user is None) == (provider is None):
        raise InvalidInput(
            "assign the case to a township officer or to a service provider, one of them",
            "请指派给一名乡镇(街道)工作人员或一家服务机构(二选一)",
        )
    if user is not None:
        row = get_user(session, user)
        ok = (
            row is not None
            and row.active
            and row.role == "township_officer"
            and row.unit in tree
            and tree.is_within(ent.township_code, row.unit or "")
        )
        if not ok:
            raise InvalidInput(
                f"{user} is not an active township officer of the enterprise's township",
                f"{user} 不是该企业所在乡镇(街道)的在岗工作人员账号",
            )
    return user, provider


def open_case(
    engine: Engine,
    uscc: str,
    *,
    principal: Principal,
    diagnosis_year: int,
    assignee_user: str | None = None,
    provider: str | None = None,
    today: dt.date | None = None,
    synthetic: bool = False,
) -> CaseDetail:
    """Open a case for the enterprise from the diagnosis of ``diagnosis_year`` (its reason
    is the prioritised list's, when it is on it); ``Conflict`` while it has an open case."""
    _writer(principal)
    require_schema(engine)
    day = today or dt.date.today()
    ranked, _tree = ranked_frame(engine, diagnosis_year)
    hit = ranked[ranked["uscc"] == uscc.strip().upper()] if len(ranked) else ranked
    reason = (
        f"优先诊断清单第{int(hit['rank'].iloc[0])}位: {hit['reason'].iloc[0]}"
        if len(hit)
        else f"不在{diagnosis_year}年优先诊断清单上"
    )
    with transaction(engine) as session:
        ent, tree = enterprise_in(session, uscc, principal)
        check_list(principal)
        current = _current(session, ent.id)
        if current is not None and current.status == cw.OPEN:
            raise Conflict(
                f"{ent.uscc} already has an open case", f"{ent.name}已有跟进中的服务案件"
            )
        user, prov = _check_assignee(session, tree, ent, assignee_user, provider)
        c = CaseRow(
            enterprise_id=ent.id,
            diagnosis_year=diagnosis_year,
            status=cw.OPEN,
            assignee_user=user,
            provider=prov,
            reason=reason,
            opened_on=day,
            opened_by=principal.name[:100],
            synthetic=synthetic,
        )
        session.add(c)
        session.flush()
        record(
            session,
            WriteContext(principal.name),
            action="create",
            entity="enterprise_case",
            key=f"{ent.uscc}#{c.id}",
            changes={
                "diagnosis_year": [None, diagnosis_year],
                "assignee": [None, user or prov],
                "reason": [None, reason],
            },
        )
        found = _detail(session, c, ent, tree, day)
    return _with_outcome(engine, found)


def _open_case(session: Session, uscc: str, principal: Principal) -> tuple[CaseRow, EnterpriseRow]:
    ent, _tree = enterprise_in(session, uscc, principal)
    c = _current(session, ent.id)
    if c is None or c.status != cw.OPEN:
        raise NotFound(f"{ent.uscc} has no open case", f"{ent.name}没有跟进中的服务案件")
    return c, ent


@dataclass(frozen=True)
class Agreed:
    """An action agreed at a visit: its catalogue code and due date (None: the usual days
    of the catalogue after the visit)."""

    action: str
    due_on: dt.date | None = None


def record_visit(
    engine: Engine,
    uscc: str,
    *,
    principal: Principal,
    visited_on: dt.date,
    visitor: str,
    findings: str,
    actions: Sequence[Agreed] = (),
    today: dt.date | None = None,
) -> CaseDetail:
    """Record a visit to the enterprise of its open case, with the actions agreed."""
    _writer(principal)
    require_schema(engine)
    day = today or dt.date.today()
    if not visitor.strip() or not findings.strip():
        raise InvalidInput("a visit needs who visited and the findings", "走访须填写走访人和发现")
    if visited_on > day:
        raise InvalidInput("the visit date is in the future", "走访日期不能晚于今天")
    for a in actions:
        if a.action not in cw.ACTION_ZH:
            raise InvalidInput(
                f"unknown action {a.action!r}; one of {', '.join(cw.ACTION_ZH)}",
                f"未知的服务措施 {a.action}; 可选: {'、'.join(cw.ACTION_ZH.values())}",
            )
    with transaction(engine) as session:
        c, ent = _open_case(session, uscc, principal)
        if visited_on < c.opened_on:
            raise InvalidInput(
                f"the visit date is before the case was opened ({c.opened_on})",
                f"走访日期早于立案日期({c.opened_on.isoformat()})",
            )
        v = CaseVisitRow(
            case_id=c.id,
            visited_on=visited_on,
            visitor=visitor.strip()[:100],
            findings=findings.strip(),
            recorded_by=principal.name[:100],
        )
        session.add(v)
        session.flush()
        for a in actions:
            due = a.due_on or visited_on + dt.timedelta(days=cw.due_days(a.action))
            session.add(CaseActionRow(case_id=c.id, visit_id=v.id, action=a.action, due_on=due))
        record(
            session,
            WriteContext(principal.name),
            action="create",
            entity="case_visit",
            key=f"{ent.uscc}#{c.id}",
            changes={
                "visited_on": [None, visited_on.isoformat()],
                "visitor": [None, v.visitor],
                "actions": [None, [a.action for a in actions]],
            },
        )
        session.flush()
        found = _detail(session, c, ent, load_org_tree(session), day)
    return _with_outcome(engine, found)


def complete_action(
    engine: Engine,
    uscc: str,
    action_id: int,
    *,
    principal: Principal,
    done_on: dt.date | None = None,
) -> CaseDetail:
    """Mark an agreed action of the enterprise's open case done."""
    _writer(principal)
    day = done_on or dt.date.today()
    with transaction(engine) as session:
        c, ent = _open_case(session, uscc, principal)
        a = session.get(CaseActionRow, action_id)
        if a is None or a.case_id != c.id:
            raise NotFound(f"no action {action_id} in this case", "该案件没有这项措施")
        old = a.status
        a.status, a.done_on = cw.DONE, day
        record(
            session,
            WriteContext(principal.name),
            action="update",
            entity="case_action",
            key=f"{ent.uscc}#{c.id}/{a.id}",
            changes={"status": [old, cw.DONE], "done_on": [None, day.isoformat()]},
        )
        found = _detail(session, c, ent, load_org_tree(session), day)
    return _with_outcome(engine, found)


def close_case(
    engine: Engine,
    uscc: str,
    *,
    principal: Principal,
    note: str,
    today: dt.date | None = None,
) -> CaseDetail:
    """Close the enterprise's open case with a note."""
    _writer(principal)
    day = today or dt.date.today()
    if not note.strip():
        raise InvalidInput("closing a case needs a note", "结案须填写结案说明")
    with transaction(engine) as session:
        c, ent = _open_case(session, uscc, principal)
        c.status, c.closed_on, c.closing_note = cw.CLOSED, day, note.strip()
        record(
            session,
            WriteContext(principal.name),
            action="update",
            entity="enterprise_case",
            key=f"{ent.uscc}#{c.id}",
            changes={"status": [cw.OPEN, cw.CLOSED], "closing_note": [None, c.closing_note]},
        )
        found = _detail(session, c, ent, load_org_tree(session), day)
    return _with_outcome(engine, found)


def list_cases(
    engine: Engine,
    *,
    principal: Principal,
    status: str | None = None,
    today: dt.date | None = None,
) -> list[CaseSummary]:
    """The cases of enterprises in the principal's scope (``status``: open / closed),
    newest first, with their open and overdue actions and the change in intensity."""
    require(principal, "read_enterprises")
    check_list(principal)
    require_schema(engine)
    day = today or dt.date.today()
    with transaction(engine) as session:
        tree = load_org_tree(session)
        q = select(CaseRow, EnterpriseRow).join(
            EnterpriseRow, EnterpriseRow.id == CaseRow.enterprise_id
        )
        if status:
            q = q.where(CaseRow.status == status)
        rows = session.execute(q.order_by(CaseRow.id.desc())).all()
        if principal.unit:
            rows = [
                r
                for r in rows
                if principal.unit in tree and tree.is_within(r[1].township_code, principal.unit)
            ]
        ids = [r[0].id for r in rows]
        actions = session.scalars(
            select(CaseActionRow).where(CaseActionRow.case_id.in_(ids or [-1]))
        ).all()
        visits = session.scalars(
            select(CaseVisitRow.case_id).where(CaseVisitRow.case_id.in_(ids or [-1]))
        ).all()
    years = {r[0].diagnosis_year for r in rows}
    ints = {y: intensities(engine, y) for y in years | {y + 1 for y in years}}
    out = []
    for c, ent in rows:
        mine = [a for a in actions if a.case_id == c.id and a.status == cw.PENDING]
        township, district = _places(tree, ent.township_code)
        before = ints[c.diagnosis_year].get(ent.uscc)
        after = ints[c.diagnosis_year + 1].get(ent.uscc)
        out.append(
            CaseSummary(
                id=c.id,
                uscc=ent.uscc,
                name=ent.name,
                district=district,
                township=township,
                diagnosis_year=c.diagnosis_year,
                status=c.status,
                status_zh=cw.CASE_STATUS_ZH.get(c.status, c.status),
                assignee=_assignee(c),
                opened_on=c.opened_on.isoformat(),
                visits=sum(v == c.id for v in visits),
                actions_open=len(mine),
                actions_overdue=sum(a.due_on < day for a in mine) if c.status == cw.OPEN else 0,
                next_due=min(a.due_on for a in mine).isoformat() if mine else None,
                change_pp=outcome_of(ent.uscc, c.diagnosis_year, before, after).change_pp,
                synthetic=bool(c.synthetic or ent.synthetic),
            )
        )
    return out


@dataclass(frozen=True)
class Reminders:
    """One reminder run: overdue actions found, reminded now, notifications added."""

    overdue: int
    reminded: int
    notifications: int


def _officers(session: Session, tree: OrgTree, ent: EnterpriseRow) -> list[UserRow]:
    """Who answers for an enterprise's case without an assignee account: the officers of
    its township, else of its district, else the city's analysts — never nobody while
    anyone could act."""
    town = str(ent.township_code)
    district = tree.get(town).parent_code if town in tree else None
    return (
        active_users(session, role="township_officer", unit=town)
        or (active_users(session, role="district_officer", unit=district) if district else [])
        or active_users(session, role="city_analyst")
    )


def remind(engine: Engine, *, today: dt.date | None = None, actor: str = "system") -> Reminders:
    """Notify the assignee (a township officer's account; for a service provider, the
    township officers of the enterprise's township, else its district's officers, else the
    city's analysts) of each overdue action of an open case not reminded in the last
    :data:`REMIND_EVERY` days; the action remembers the day."""
    require_schema(engine)
    day = today or dt.date.today()
    overdue = reminded = added = 0
    with transaction(engine) as session:
        tree = load_org_tree(session)
        q = (
            select(CaseActionRow, CaseRow, EnterpriseRow)
            .join(CaseRow, CaseRow.id == CaseActionRow.case_id)
            .join(EnterpriseRow, EnterpriseRow.id == CaseRow.enterprise_id)
            .where(
                CaseRow.status == cw.OPEN,
                CaseActionRow.status == cw.PENDING,
                CaseActionRow.due_on < day,
            )
            .order_by(CaseActionRow.id)
        )
        for a, c, ent in session.execute(q).all():
            overdue += 1
            if a.reminded_on and (day - a.reminded_on).days < REMIND_EVERY:
                continue
            user = get_user(session, c.assignee_user) if c.assignee_user else None
            users = [user] if user is not None and user.active else _officers(session, tree, ent)
            if not users:
                continue  # nobody to tell yet: the next run tries again
            name = cw.ACTION_ZH.get(a.action, a.action)
            msg = Message(
                kind="casework",
                title=f"诊断服务措施逾期: {ent.name} {name}",
                body=(
                    f"{ent.name}(统一社会信用代码 {ent.uscc})的服务措施「{name}」应于"
                    f"{a.due_on.isoformat()}前完成, 目前尚未完成。请跟进并在案件页登记。"
                ),
                link=f"/enterprises/{ent.uscc}/case",
            )
            added += notify(session, users, msg, actor=actor)
            a.reminded_on = day
            reminded += 1
            record(
                session,
                WriteContext(actor),
                action="update",
                entity="case_action",
                key=f"{ent.uscc}#{c.id}/{a.id}",
                changes={"reminded_on": [None, day.isoformat()], "recipients": [None, len(users)]},
            )
    if added:
        deliver(engine)  # e-mail them now when e-mail is on (else they wait in the inbox)
    return Reminders(overdue, reminded, added)
