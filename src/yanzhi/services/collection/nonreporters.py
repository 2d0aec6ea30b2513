"""Non-reporters and 催报: the enterprises expected to report for a period (the rule of
completeness, ``workflow.expected_to_report``) that have not, with what a township
officer needs to chase them — name, USCC, industry, the last period reported, a contact,
the reminders already sent — and sending reminders: each one recorded (who, when, to
whom) and delivered as a 催报 notification to the enterprise's accounts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from yanzhi.core.errors import InvalidInput
from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import Period, label_zh, parse_ytd
from yanzhi.ingest.industry import load_industry_classes
from yanzhi.services.collection.workflow import expected_to_report
from yanzhi.services.database import require_schema
from yanzhi.services.notifications.inbox import beijing
from yanzhi.services.notifications.send import Message, deliver, notify
from yanzhi.storage import notifications as store
from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.datamodels import EnterpriseRow, RdReportRow
from yanzhi.storage.db import transaction
from yanzhi.storage.notifymodels import EnterpriseReminderRow
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.users import list_users

NO_CONTACT = "—"


@dataclass(frozen=True)
class NonReporter:
    """An enterprise expected to report for the period that has not: where it is, its
    industry (GB/T 4754 class), the last period it reported (None: never), the register's
    联系人 and 联系电话 and a contact e-mail (the register's, else its accounts' e-mail
    addresses; "—" for each one unknown), the reminders of this period."""

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


@dataclass(frozen=True)
class ReminderResult:
    """Reminders sent: the enterprises reminded, the notifications added for their
    accounts, and the e-mail delivery that followed."""

    period: str
    reminded: list[str]
    notifications: int
    emailed: int
    email_failed: int


def _district(tree: OrgTree, township: str) -> tuple[str | None, str | None]:
    for a in tree.ancestors(township):
        if a.level is Level.DISTRICT:
            return a.code, a.name
    return None, None


def nonreporters(
    engine: Engine, *, period: Period | str, townships: Iterable[str]
) -> list[NonReporter]:
    """The enterprises of ``townships`` expected to report for ``period`` with no report
    for it, by township and name."""
    require_schema(engine)
    p = parse_ytd(str(period), months=False)
    codes = sorted(set(townships))
    reported = select(RdReportRow.enterprise_id).where(RdReportRow.period == str(p))
    with transaction(engine) as session:
        tree = load_org_tree(session)
        rows = list(
            session.scalars(
                select(EnterpriseRow)
                .where(
                    expected_to_report(p.year),
                    EnterpriseRow.township_code.in_(codes),
                    EnterpriseRow.id.not_in(reported),
                )
                .order_by(EnterpriseRow.township_code, EnterpriseRow.name, EnterpriseRow.uscc)
            )
        )
        ids = [r.id for r in rows]
        last = _last_periods(session, ids)
        reminded = store.reminders(session, str(p), ids)
        contacts = _contacts(session, [r.uscc for r in rows])
        names = {u.username: u.display_name for u in list_users(session)}
    classes = load_industry_classes()
    out = []
    for r in rows:
        d_code, d_name = _district(tree, r.township_code)
        sent = reminded.get(r.id, [])
        lp = last.get(r.id)
        cls = classes.get(r.industry_code)
        out.append(
            NonReporter(
                uscc=r.uscc,
                name=r.name,
                township=r.township_code,
                township_name=tree.get(r.township_code).name,
                district=d_code,
                district_name=d_name,
                industry_code=r.industry_code,
                industry=cls.name if cls else NO_CONTACT,
                last_period=lp,
                last_period_zh=label_zh(lp) if lp else "从未报送",
                contact_person=r.contact_person or NO_CONTACT,
                contact_phone=r.contact_phone or NO_CONTACT,
                contact=r.contact_email or contacts.get(r.uscc, NO_CONTACT),
                reminders=len(sent),
                last_reminded_at=beijing(sent[-1].reminded_at) if sent else None,
                last_reminded_by=sent[-1].reminded_by if sent else None,
                last_reminded_by_name=names.get(sent[-1].reminded_by, sent[-1].reminded_by)
                if sent
                else None,
            )
        )
    return out


def _last_periods(session: object, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in range(0, len(ids), 500):
        q = (
            select(RdReportRow.enterprise_id, func.max(RdReportRow.period))
            .where(RdReportRow.enterprise_id.in_(ids[chunk : chunk + 500]))
            .group_by(RdReportRow.enterprise_id)
        )
        out.update({i: p for i, p in session.execute(q)})  # type: ignore[attr-defined]
    return out


def _contacts(session: object, usccs: list[str]) -> dict[str, str]:
    """The e-mail addresses of each enterprise's active accounts."""
    found: dict[str, list[str]] = {}
    for user in store.active_users(session, role="enterprise"):  # type: ignore[arg-type]
        if user.enterprise and user.email:
            found.setdefault(user.enterprise, []).append(user.email)
    wanted = set(usccs)
    return {k: "、".join(v) for k, v in found.items() if k in wanted}


def remind(
    engine: Engine, *, period: Period | str, usccs: list[str], townships: Iterable[str], actor: str
) -> ReminderResult:
    """Send a 催报 reminder to each enterprise ``usccs`` — each must be a non-reporter of
    ``period`` in ``townships`` (else ``InvalidInput``; the caller checks the townships
    are the principal's): recorded, and a notification to each of its active accounts,
    e-mailed when e-mail is on."""
    p = parse_ytd(str(period), months=False)
    wanted = list(dict.fromkeys(usccs))
    if not wanted:
        raise InvalidInput("choose at least one enterprise", "请至少选择一家企业")
    listed = {n.uscc: n for n in nonreporters(engine, period=p, townships=townships)}
    missing = [u for u in wanted if u not in listed]
    if missing:
        raise InvalidInput(
            f"not a non-reporter of {p}: {', '.join(missing[:5])}",
            f"以下企业不在 {p.label_zh()} 未报企业名单中: {'、'.join(missing[:5])}",
        )
    added = 0
    with transaction(engine) as session:
        for e in store.enterprises_by_uscc(session, wanted):
            users = store.active_users(session, role="enterprise", enterprise=e.uscc)
            msg = Message(
                kind="reminder",
                title=f"催报: 请尽快报送{p.label_zh()}研发数据",
                body=(
                    f"{e.name}（统一社会信用代码 {e.uscc}）: 贵单位尚未报送{p.label_zh()}的"
                    f"研发活动数据，请尽快登录研值平台或向所在乡镇（街道）报送。"
                ),
                link=f"/enterprises/{e.uscc}",
            )
            added += notify(session, users, msg, actor=actor)
            store.add_reminder(
                session,
                EnterpriseReminderRow(
                    enterprise_id=e.id,
                    period=str(p),
                    township_code=e.township_code,
                    reminded_by=actor[:100],
                    recipients=len(users),
                ),
            )
            record(
                session,
                WriteContext(actor),
                action="create",
                entity="enterprise_reminder",
                key=f"{e.uscc}:{p}",
                changes={"recipients": [None, len(users)]},
            )
    report = deliver(engine)
    return ReminderResult(str(p), wanted, added, report.sent, report.failed)
