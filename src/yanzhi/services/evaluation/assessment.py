"""The annual assessment (考核) of the districts: the scheme (``data/assessment/``) scores
each district's composite index of the year, the completion of its key work as it reports
it, and the bonus and penalty items it claims with evidence (:mod:`yanzhi.core.assessment`).

The steps, each audited: the district fills in and **submits** its self-assessment
(``submit``: a district officer of that district, or an admin); the city **reviews** it,
adjusting a part's value or an item's count with a comment (``approve``: admin, city
analyst); the city **publishes** the year (公示: every district reviewed; the score is kept
as published); after the publicity period it **locks** the year (nothing changes after).
A district sees its own assessment; the city all."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, select

from yanzhi.core.assessment import ItemScore, PartScore, Scheme, Score, score
from yanzhi.core.errors import Conflict, InvalidInput
from yanzhi.ingest.assessmentfile import read_scheme
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import require, require_unit
from yanzhi.services.database import has_synthetic, require_schema
from yanzhi.services.evaluation.evaluate import evaluate
from yanzhi.storage.assessmodels import AssessmentRow
from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree

STATE_ZH = {
    "draft": "填报中",
    "submitted": "已提交",
    "reviewed": "已审核",
    "published": "已公示",
    "locked": "已锁定",
}


@dataclass(frozen=True)
class Assessment:
    """A district's assessment of a year: its state, its inputs and its score (as published
    once published; else as it stands)."""

    scheme: str
    scheme_name: str
    year: int
    unit_code: str
    unit_name: str
    state: str
    state_zh: str
    reported: dict[str, Any]
    claims: dict[str, Any]
    adjustments: dict[str, Any]
    score: Score
    rank: int | None  # among the districts of the year, once published
    updated_by: str | None
    assumption: str | None
    synthetic: bool = False  # the database holds generated (demo) data


def _index(engine: Engine, year: int) -> dict[str, float]:
    """Each district's composite index of ``year`` (the district evaluation's ``Index``)."""
    result = evaluate(engine, level="district", year=year)
    return {str(r["uCode"]): float(r["Index"]) for r in result.results.to_dict("records")}


def _row(session: Any, scheme: Scheme, year: int, unit: str) -> AssessmentRow | None:
    return session.scalar(
        select(AssessmentRow).where(
            AssessmentRow.scheme == scheme.code,
            AssessmentRow.year == year,
            AssessmentRow.unit_code == unit,
        )
    )


def _scored(scheme: Scheme, row: AssessmentRow | None, index: float | None) -> Score:
    if row is not None and row.result:
        return _score_from(json.loads(row.result))
    return score(
        scheme,
        index=index,
        reported=json.loads(row.reported) if row else {},
        claims=json.loads(row.claims) if row else {},
        adjustments=json.loads(row.adjustments) if row else {},
    )


def _score_from(d: dict[str, Any]) -> Score:
    return Score(
        parts=[PartScore(**p) for p in d["parts"]],
        bonus=[ItemScore(**i) for i in d["bonus"]],
        penalty=[ItemScore(**i) for i in d["penalty"]],
        bonus_points=d["bonus_points"],
        penalty_points=d["penalty_points"],
        total=d["total"],
        full_marks=d["full_marks"],
        notes=d["notes"],
    )


def assessments(
    engine: Engine, *, year: int, principal: Principal, scheme_file: str | None = None
) -> list[Assessment]:
    """Every district's assessment of ``year`` the principal may see (a district officer:
    its own), in division-code order; published ones ranked by their published total."""
    require(principal, "evaluate")
    scheme = read_scheme(scheme_file)
    require_schema(engine)
    with transaction(engine) as session:
        tree = load_org_tree(session)
        rows = {
            r.unit_code: r
            for r in session.scalars(
                select(AssessmentRow).where(
                    AssessmentRow.scheme == scheme.code, AssessmentRow.year == year
                )
            )
        }
    districts = [d for d in tree.by_level("district")]
    if principal.unit and principal.role not in ("admin", "city_analyst", "leader"):
        districts = [
            d
            for d in districts
            if tree.is_within(principal.unit, d.code) or tree.is_within(d.code, principal.unit)
        ]
    needs_index = any(not (r := rows.get(d.code)) or not r.result for d in districts)
    index = _index(engine, year) if needs_index else {}
    out = []
    for d in districts:
        row = rows.get(d.code)
        s = _scored(scheme, row, index.get(d.code))
        state = row.state if row else "draft"
        out.append(
            Assessment(
                scheme.code,
                scheme.name,
                year,
                d.code,
                d.name,
                state,
                STATE_ZH[state],
                json.loads(row.reported) if row else {},
                json.loads(row.claims) if row else {},
                json.loads(row.adjustments) if row else {},
                s,
                None,
                row.updated_by if row else None,
                scheme.assumption,
            )
        )
    published = sorted(
        (a for a in out if a.state in ("published", "locked")), key=lambda a: -a.score.total
    )
    ranks = {a.unit_code: n for n, a in enumerate(published, 1)}
    synthetic = has_synthetic(engine)
    return [
        Assessment(**{**a.__dict__, "rank": ranks.get(a.unit_code), "synthetic": synthetic})
        for a in out
    ]


def _apply(
    session: Any,
    scheme: Scheme,
    *,
    year: int,
    unit: str,
    actor: str,
    action: str,
    allowed: tuple[str, ...],
    change: dict[str, Any],
    state: str,
) -> None:
    """One step on a district's assessment in ``session``: refused (409) unless its state is
    ``allowed``; the row created on the first step; audited."""
    row = _row(session, scheme, year, unit)
    current = row.state if row else "draft"
    if current not in allowed:
        raise Conflict(
            f"{unit} {year}: the assessment is {current}; {action} needs {'/'.join(allowed)}",
            f"{unit} {year}年考核当前为“{STATE_ZH[current]}”, 不能{_ACTION_ZH[action]}",
        )
    if row is None:
        row = AssessmentRow(
            scheme=scheme.code,
            year=year,
            unit_code=unit,
            state="draft",
            reported="{}",
            claims="{}",
            adjustments="{}",
            updated_by=actor,
        )
        session.add(row)
    for key, value in change.items():
        setattr(row, key, value if key == "result" else json.dumps(value, ensure_ascii=False))
    row.state, row.updated_by, row.updated_at = state, actor, dt.datetime.now(dt.UTC)
    record(
        session,
        WriteContext(actor),
        action=action,
        entity="assessment",
        key=f"{scheme.code}:{year}:{unit}",
        changes={
            "state": [current, state],
            **{k: [None, v] for k, v in change.items() if k != "result"},
        },
    )


_ACTION_ZH = {"submit": "提交自评", "review": "审核", "publish": "公示", "lock": "锁定"}


def _check_claims(scheme: Scheme, reported: dict[str, Any], claims: dict[str, Any]) -> None:
    selfs = {p.code for p in scheme.parts if p.source == "self"}
    items = {i.code for i in (*scheme.bonus, *scheme.penalty)}
    for code, value in reported.items():
        if code not in selfs:
            raise InvalidInput(f"no self-reported part {code}", f"考核方案中没有自评项 {code}")
        if not 0 <= float(value) <= 100:
            raise InvalidInput(f"{code}: a rate 0–100", f"{code}: 完成率须在0到100之间")
    for code, claim in claims.items():
        if code not in items:
            raise InvalidInput(f"no bonus or penalty item {code}", f"考核方案中没有加扣分项 {code}")
        if int(claim.get("count", 0)) < 0:
            raise InvalidInput(f"{code}: count >= 0", f"{code}: 次数不能为负")
        if int(claim.get("count", 0)) > 0 and not claim.get("evidence"):
            raise InvalidInput(f"{code}: evidence needed", f"{code}: 申报加扣分须附佐证材料")


def submit(
    engine: Engine,
    *,
    year: int,
    unit: str,
    reported: dict[str, Any],
    claims: dict[str, Any],
    principal: Principal,
    scheme_file: str | None = None,
) -> None:
    """The district's self-assessment: its values of the self-reported parts (a rate 0–100)
    and its bonus / penalty items ({code: {count, evidence}}); again while not reviewed."""
    require(principal, "submit")
    with transaction(engine) as session:
        require_unit(principal, unit, load_org_tree(session), write=True)
    scheme = read_scheme(scheme_file)
    _check_claims(scheme, reported, claims)
    require_schema(engine)
    with transaction(engine) as session:
        _apply(
            session,
            scheme,
            year=year,
            unit=unit,
            actor=principal.name,
            action="submit",
            allowed=("draft", "submitted"),
            change={"reported": reported, "claims": claims},
            state="submitted",
        )


def review(
    engine: Engine,
    *,
    year: int,
    unit: str,
    adjustments: dict[str, Any],
    principal: Principal,
    scheme_file: str | None = None,
) -> None:
    """The city's review: adjustments {code: {value or count, comment}} (a comment is
    required for each); again while not published."""
    require(principal, "approve")
    for code, a in adjustments.items():
        if not str(a.get("comment") or "").strip():
            raise InvalidInput(f"{code}: an adjustment needs a comment", f"{code}: 调整须说明理由")
    scheme = read_scheme(scheme_file)
    require_schema(engine)
    with transaction(engine) as session:
        _apply(
            session,
            scheme,
            year=year,
            unit=unit,
            actor=principal.name,
            action="review",
            allowed=("submitted", "reviewed"),
            change={"adjustments": adjustments},
            state="reviewed",
        )


def publish(
    engine: Engine, *, year: int, principal: Principal, scheme_file: str | None = None
) -> list[Assessment]:
    """公示: the year's reviewed assessments → published, each score kept as it is (the
    districts not yet reviewed stay as they are, to be published when they are)."""
    require(principal, "approve")
    found = assessments(engine, year=year, principal=principal, scheme_file=scheme_file)
    ready = [a for a in found if a.state == "reviewed"]
    if not ready:
        raise Conflict("no reviewed assessment to publish", "没有已审核、待公示的考核结果")
    scheme = read_scheme(scheme_file)
    with transaction(engine) as session:  # the year's publication: all or nothing
        for a in ready:
            _apply(
                session,
                scheme,
                year=year,
                unit=a.unit_code,
                actor=principal.name,
                action="publish",
                allowed=("reviewed",),
                change={"result": json.dumps(asdict(a.score), ensure_ascii=False)},
                state="published",
            )
    return assessments(engine, year=year, principal=principal, scheme_file=scheme_file)


def lock(engine: Engine, *, year: int, principal: Principal, scheme_file: str | None = None) -> int:
    """After the publicity period: the year's published assessments locked, all or nothing
    (the count)."""
    require(principal, "approve")
    scheme = read_scheme(scheme_file)
    require_schema(engine)
    with transaction(engine) as session:
        units = list(
            session.scalars(
                select(AssessmentRow.unit_code).where(
                    AssessmentRow.scheme == scheme.code,
                    AssessmentRow.year == year,
                    AssessmentRow.state == "published",
                )
            )
        )
        if not units:
            raise Conflict("nothing published to lock", "没有已公示、待锁定的考核结果")
        for unit in units:
            _apply(
                session,
                scheme,
                year=year,
                unit=unit,
                actor=principal.name,
                action="lock",
                allowed=("published",),
                change={},
                state="locked",
            )
    return len(units)


@dataclass(frozen=True)
class Published:
    """A district's published 考核 of a year: its score as published, its rank among the
    districts published, and how many were."""

    unit_code: str
    year: int
    state_zh: str
    score: Score
    rank: int
    published: int


def published(
    engine: Engine, *, year: int, unit: str, scheme_file: str | None = None
) -> Published | None:
    """The district's 考核 of ``year`` once published (or locked), read as published
    (nothing is computed); None before."""
    scheme = read_scheme(scheme_file)
    with transaction(engine) as session:
        rows = list(
            session.scalars(
                select(AssessmentRow).where(
                    AssessmentRow.scheme == scheme.code,
                    AssessmentRow.year == year,
                    AssessmentRow.state.in_(("published", "locked")),
                )
            )
        )
    scores = {r.unit_code: (_score_from(json.loads(r.result or "{}")), r.state) for r in rows}
    if unit not in scores:
        return None
    order = sorted(scores, key=lambda u: -scores[u][0].total)
    s, state = scores[unit]
    return Published(unit, year, STATE_ZH[state], s, order.index(unit) + 1, len(order))
