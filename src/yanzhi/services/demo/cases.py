"""The demo's 诊断+提升 cases (SYNTHETIC, 演示) written to the case tables: each case as
:mod:`yanzhi.core.demo_cases` planned it — opened on the diagnosis of its year, assigned
to a demo service provider, with its visits, agreed actions (done or still pending) and,
for some, closed. Audited as one demo write."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select

from yanzhi.core import casework as cw
from yanzhi.core.demo_cases import DIAGNOSIS_YEAR, DemoCase
from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.casemodels import CaseActionRow, CaseRow, CaseVisitRow
from yanzhi.storage.datamodels import EnterpriseRow
from yanzhi.storage.db import transaction


def load(engine: Engine, cases: Sequence[DemoCase], *, actor: str) -> int:
    """Write the demo cases; returns how many (enterprises not in the database skipped)."""
    if not cases:
        return 0
    written = 0
    with transaction(engine) as session:
        ids = dict(
            session.execute(
                select(EnterpriseRow.uscc, EnterpriseRow.id).where(
                    EnterpriseRow.uscc.in_([c.uscc for c in cases])
                )
            ).all()
        )
        for c in cases:
            if c.uscc not in ids:
                continue
            row = CaseRow(
                enterprise_id=ids[c.uscc],
                diagnosis_year=DIAGNOSIS_YEAR,
                status=cw.CLOSED if c.closed_on else cw.OPEN,
                provider=c.provider,
                reason=f"优先诊断清单第{c.rank}位: {c.reason}(演示)",
                opened_on=c.opened_on,
                opened_by=actor,
                closed_on=c.closed_on,
                closing_note="演示案件: 年度服务完成" if c.closed_on else None,
                synthetic=True,
            )
            session.add(row)
            session.flush()
            for v in c.visits:
                visit = CaseVisitRow(
                    case_id=row.id,
                    visited_on=v.visited_on,
                    visitor=v.visitor,
                    findings=v.findings,
                    recorded_by=actor,
                )
                session.add(visit)
                session.flush()
                for a in v.actions:
                    session.add(
                        CaseActionRow(
                            case_id=row.id,
                            visit_id=visit.id,
                            action=a.action,
                            due_on=a.due_on,
                            status=cw.DONE if a.done_on else cw.PENDING,
                            done_on=a.done_on,
                        )
                    )
            written += 1
        record(
            session,
            WriteContext(actor, reason="演示数据"),
            action="create",
            entity="enterprise_case",
            key=f"demo:{DIAGNOSIS_YEAR}",
            changes={"cases": [None, written]},
        )
    return written
