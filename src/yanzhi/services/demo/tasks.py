"""Synthetic demo of task follow-up and registers (every name marked 演示, every row
synthetic): owners, a milestone per task and year 2023–2027, quarterly progress reports
up to the current quarter with a few silent and overdue tasks, and register entries
spread over the districts and townships from 2023 to 2026 (plus stock before 2023 for
the registers counted as levels). Running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.lifecycle import LIFECYCLES
from yanzhi.core.periods import Period, label_zh, parse_period
from yanzhi.core.registers import (
    FUNDING_LINES,
    LAB_LEVELS,
    LISTS,
    SCENARIO_FIELDS,
    TALENT_CATEGORIES,
    WON,
)
from yanzhi.core.tasks import TaskStatus
from yanzhi.services.demo import leads, reforms
from yanzhi.services.tasks import registers
from yanzhi.storage import tasks as store
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.models import TaskRow
from yanzhi.storage.orgunits import list_org_units
from yanzhi.storage.plans import get_plan, list_plans

DEMO = "演示"
DEMO_ACTOR = f"{DEMO}:市科技局"
"""Who the demo's task reports and register entries are by (shown on the task pages)."""
SILENT = ("P2.T4", "P4.T2", "P6.T3")  # no report this quarter: phantom owners
OVERDUE = ("P1.T2", "P3.T4", "P5.T3")  # last year's milestone not done
BEHIND = ("P3.T4", "P5.T3")


def _quarters(today: dt.date) -> list[str]:
    out = []
    for year in range(2023, today.year + 1):
        for q in range(1, 5):
            if (year, q) <= (today.year, (today.month - 1) // 3 + 1):
                out.append(str(Period.of_quarter(year, q)))
    return out


def _per_year(rng: random.Random, kind: str) -> dict[int, int]:
    """New entries per year (before 2023: the stock at the plan's start)."""
    plan = {
        "key_rd_project": (0, 104, 108, 97, 90),
        "breakthrough": (0, 18, 22, 21, 16),
        "tech_list": (0, 10, 10, 8, 6),
        "scenario": (0, 78, 86, 88, 70),
        "laboratory": (55, 8, 9, 8, 6),
        "innovation_centre": (1, 0, 1, 1, 0),
        "innovation_pole": (4, 1, 1, 1, 0),
        "ip_agency": (0, 2, 3, 2, 1),
        "talent": (30, 110, 118, 96, 80),
    }.get(kind, (6, 2, 2, 2, 1))
    return dict(zip((2020, 2023, 2024, 2025, 2026), plan, strict=True))


def _fields(rng: random.Random, kind: str, i: int, year: int) -> dict[str, Any]:
    host = {"host": f"{DEMO}单位{i:03d}"}
    if kind == "scenario":
        return {"field": rng.choice(SCENARIO_FIELDS), **host}
    if kind == "laboratory":
        national = year == 2024 and i == 1
        return {"level": LAB_LEVELS[0] if national else rng.choice(LAB_LEVELS[1:]), **host}
    if kind == "innovation_centre":
        return {"level": "省级", **host}
    if kind == "talent":
        cat = TALENT_CATEGORIES[0] if i % 40 == 1 else rng.choice(TALENT_CATEGORIES[1:3])
        return {"category": cat, **host}
    if kind in ("key_rd_project", "breakthrough", "tech_list"):
        return {"area": rng.choice(("新材料", "智能制造", "生物医药", "数字经济")), **host}
    return {}


def _stage_fields(list_name: str, year: int, i: int) -> dict[str, Any]:
    """An item's stage on its list (core.lifecycle), with what the stage needs: older items
    further along. Drawn from a generator of their own, so that the other registers' entries
    stay as they were."""
    rng = random.Random(year * 1000 + i)
    stages = LIFECYCLES[list_name].stages
    reach = min(len(stages) - 1, max(0, 2026 - year - rng.randint(0, 1)))
    stage = stages[reach]
    fields: dict[str, Any] = {
        "stage": stage,
        "stage_on": dt.date(min(year + reach, 2026), rng.randint(1, 10), 1).isoformat(),
        "owner": f"{DEMO}单位{i:03d}",
    }
    if reach >= 1:  # each list records what its lifecycle needs (the draws stay the same)
        adopters, value = rng.randint(3, 40), round(rng.uniform(50, 3000), 2)
        if list_name == "blocking":
            fields["project"] = f"{DEMO}-{year}-{i:03d}"
        if list_name == "promotion":
            fields["adopters"] = adopters
        if list_name == "transfer":
            fields["contract_value"] = value
    if reach >= 2:
        fields["evidence"] = f"{DEMO}:验收报告{year}-{i:03d}"
    return fields


def _entries(
    rng: random.Random, kind: str, units: list[str], weights: list[float]
) -> list[dict[str, Any]]:
    out = []
    name = registers.register_kind(kind).zh
    for year, n in _per_year(rng, kind).items():
        for i in range(1, n + 1):
            start = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            ended = kind == "key_rd_project" and year < 2025
            fields = _fields(rng, kind, i, year)
            list_name = rng.choice(list(LISTS)) if kind == "tech_list" else None
            if list_name:
                fields |= _stage_fields(list_name, year, i)
            if kind in ("laboratory", "innovation_pole", "breakthrough"):  # 十百千: recognised by
                fields["evidence"] = f"{DEMO}:认定文件{year}-{i:03d}"  # a document (no draw)
            out.append(
                {
                    "code": f"{DEMO}-{year}-{i:03d}",  # unique within the register
                    "name": f"{DEMO}{name}{year}-{i:03d}",
                    "org_unit_code": rng.choices(units, weights)[0],
                    "fields": fields,
                    "list_name": list_name,
                    "valid_from": start,
                    "valid_to": dt.date(year + 2, 12, 31) if ended else None,
                    "synthetic": True,
                }
            )
    return out


def _applications(
    engine: Engine, projects: list[dict[str, Any]], rng: random.Random
) -> list[dict[str, Any]]:
    """The demo's key R&D projects with a synthetic applicant (an enterprise located in the
    project's unit, from the priority list of the year before more often than not),
    funding line, stage and dates; plus the applications that were refused (未立项) and, this
    year, some not yet decided (申报) — every one marked 演示."""
    from yanzhi.services.enterprises.lists import priority_usccs

    with transaction(engine) as session:
        index = enterprise_index(session)
    located: dict[str, list[str]] = {}
    for uscc, town in zip(index["uscc"], index["township_code"], strict=True):
        for unit in (str(town), str(town)[:6]):
            located.setdefault(unit, []).append(str(uscc))
    lists: dict[int, set[str]] = {}

    def applicant(unit: str, year: int, favoured: float) -> str | None:
        if year - 1 not in lists:
            lists[year - 1] = priority_usccs(engine, year - 1) or set()
        pool = sorted(located.get(unit) or located.get(unit[:6]) or [])
        if not pool:
            return None
        listed = [u for u in pool if u in lists[year - 1]]
        return rng.choice(listed if listed and rng.random() < favoured else pool)

    def application(e: dict[str, Any], stage: str, favoured: float) -> dict[str, Any]:
        start: dt.date = e["valid_from"]
        if stage in WON:  # 开始日期 is the 立项日期; the application came before
            applied, decided = start - dt.timedelta(days=rng.randint(60, 120)), start
        else:  # an application not (yet) approved starts on its 申报日期
            applied = min(start, dt.date.today())
            decided = applied + dt.timedelta(days=rng.randint(45, 90))
        fields = {
            **e["fields"],
            "applicant_uscc": applicant(e["org_unit_code"], applied.year, favoured),
            "funding_line": rng.choices(FUNDING_LINES[:4], (6, 2, 1, 1))[0],
            "stage": stage,
            "applied_on": applied.isoformat(),
        }
        if stage != "申报":
            fields["decided_on"] = decided.isoformat()
        out = {**e, "fields": fields, "valid_from": applied if stage not in WON else start}
        if stage == "未立项":  # a refused application leaves the register when decided
            out["valid_to"] = decided
        return out

    out = [application(e, "结题" if e["valid_to"] else "立项", 0.6) for e in projects]
    name = registers.register_kind("key_rd_project").zh
    for e in projects:  # about 4 refused for 5 approved, every year
        year = e["valid_from"].year
        if rng.random() >= 0.8:
            continue
        code = str(e["code"]).replace(f"-{year}-", f"-{year}-R")
        refused = {
            **e,
            "code": code,
            "name": f"{DEMO}{name}申报{code.removeprefix(DEMO + '-')}",
            "valid_to": None,
        }
        pending = year == dt.date.today().year and e["valid_from"].month >= 9
        out.append(application(refused, "申报" if pending else "未立项", 0.25))
    return out


def _register_places(engine: Engine) -> tuple[list[str], list[float]]:
    """The districts and townships with the weight of each as the place of a register entry:
    a township by its enterprises (plus one), a district (city-level entries it reports) by
    0.15 × its enterprises — so projects and scenarios sit where the enterprises are."""
    with transaction(engine) as session:
        org = [u for u in list_org_units(session) if u.level in ("district", "township")]
        index = enterprise_index(session)
    located = index["township_code"].value_counts().to_dict() if len(index) else {}
    parent = {u.code: u.parent_code for u in org}
    per_district: dict[str, float] = {}
    for code, n in located.items():
        if parent.get(code):
            per_district[str(parent[code])] = per_district.get(str(parent[code]), 0.0) + n
    weights = [
        0.15 * per_district.get(u.code, 0.0) + 1 if u.level == "district"
        else float(located.get(u.code, 0)) + 1
        for u in org
    ]  # fmt: skip
    return [u.code for u in org], weights


def _load_registers(engine: Engine, actor: str, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    units, weights = _register_places(engine)
    created = {}
    for kind in registers.REGISTER_KINDS:
        if kind in reforms.KINDS:
            continue  # reforms and policies: services/demo/reforms.py
        if registers.list_register(engine, kind):
            continue  # already loaded: the demo adds, it never rewrites
        entries = _entries(rng, kind, units, weights)
        if kind == "key_rd_project":  # applicants of its own random stream: others unchanged
            entries = _applications(engine, entries, random.Random(seed + 1))
        created[kind] = registers.save_entries(engine, kind, entries, actor=actor)["created"]
        if kind == "tech_list":  # a few items move between the lists (history kept)
            moved = []
            for e in entries[:5]:
                to = "transfer" if e["list_name"] != "transfer" else "promotion"
                first = LIFECYCLES[to].stages[0]  # a move starts the new list's lifecycle
                kept = {k: v for k, v in e["fields"].items() if k in ("area", "host", "owner")}
                moved.append({**e, "list_name": to, "fields": {**kept, "stage": first}})
            registers.save_entries(engine, kind, moved, actor=actor)
    return created


def _load_tasks(engine: Engine, actor: str, seed: int, today: dt.date) -> int:
    rng = random.Random(seed)
    ctx = WriteContext(actor)
    n = 0
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = next(p.id for p in list_plans(session) if p.code == plan.code)
        if any(t.code in leads.TASK_LEADS for t in store.list_tasks(session, pid)):
            leads.add_departments(session, plan_id=pid, plan_code=plan.code, ctx=ctx)
            plan = get_plan(session)
        districts = [u.code for u in list_org_units(session, level="district")]
        depts: list[str | None] = [d.code for d in plan.departments] or [None]
        reported = {r.task_id for r in store.list_reports(session, pid)}
        for k, task in enumerate(store.list_tasks(session, pid)):
            assigned = leads.owners(task.code, [d for d in depts if d], districts)
            if assigned is not None:
                lead, co = assigned
            else:  # a plan the demo does not know: the first department, or a district
                lead = depts[0] if k % 4 else districts[k % len(districts)]
                co = rng.sample(districts, 2)
            store.update_owners(session, task=task, lead=lead, co_units=co, ctx=ctx)
            _milestones(session, task, ctx, today)
            if task.id not in reported:
                n += _reports(session, task, ctx, today)
    return n


def _milestones(session: Session, task: TaskRow, ctx: WriteContext, today: dt.date) -> None:
    for year in range(2023, 2028):
        m = store.upsert_milestone(
            session,
            task=task,
            code=f"{task.code}/M{year}",
            year=year,
            title=f"{DEMO}:{year}年度目标完成",
            due=None,
            note="synthetic",
            ctx=ctx,
        )
        done = year < today.year and not (task.code in OVERDUE and year == today.year - 1)
        if done:
            store.set_milestone_done(
                session, milestone=m, done=True, on=dt.date(year, 12, 20), ctx=ctx
            )


def _reports(session: Session, task: TaskRow, ctx: WriteContext, today: dt.date) -> int:
    quarters = _quarters(today)
    if task.code in SILENT:
        quarters = quarters[:-1]
    delays = 0
    for i, period in enumerate(quarters, 1):
        behind = task.code in BEHIND and i > len(quarters) - 3
        delays += behind
        p = parse_period(period)
        at = min(dt.date(p.year, p.quarter * 3, 28), today)
        store.create_report(
            session,
            task=task,
            period=period,
            status=(TaskStatus.BEHIND if behind else TaskStatus.ON_TRACK).value,
            progress=min(100.0, round(100 * i / 20 * (0.7 if behind else 1.0), 1)),
            narrative=f"{DEMO}:{label_zh(period)}进展情况(合成数据)",
            delay_reason=f"{DEMO}:项目审批延迟" if behind else None,
            delay_count=delays,
            ctx=ctx,
            synthetic=True,
            # never in the future: a report made today before 09:00 UTC must stay the newest
            at=min(
                dt.datetime(at.year, at.month, at.day, 9, tzinfo=dt.UTC), dt.datetime.now(dt.UTC)
            ),
        )
    return len(quarters)


@dataclass(frozen=True)
class DemoTasks:
    """What the task and register demo added (always synthetic)."""

    task_reports: int
    register_entries: dict[str, int]
    synthetic: bool = True


def load(
    engine: Engine, *, actor: str = DEMO_ACTOR, seed: int = 2027, today: dt.date | None = None
) -> DemoTasks:
    """Add the synthetic task and register demo to a database holding the plan."""
    day = today or dt.date.today()
    reports = _load_tasks(engine, actor, seed, day)
    created = _load_registers(engine, actor, seed)
    with transaction(engine) as session:
        city = get_plan(session).meta.region
    created |= reforms.load(engine, city=city, actor=actor, seed=seed, today=day)
    return DemoTasks(task_reports=reports, register_entries=created)
