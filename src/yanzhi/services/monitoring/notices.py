"""New warnings, told to the people who act on them: after an approval or an unlock has
recomputed the values, the warnings that were not there before — a headline indicator
of the city or a district whose verdict became 难以达标 or 存在风险, a township whose
year-to-date R&D expense now falls year on year — go as 预警 notifications (in the app,
and by e-mail when it is on) to the city analysts and leaders, and to the officers of the
district or township concerned. One notification per person, listing what is new."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Engine

from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import label_zh
from yanzhi.services.monitoring import analysis
from yanzhi.services.notifications.send import Message, notify
from yanzhi.storage import notifications as store
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.storage.stored import read_result, write_result

TOLD = "warnings-told"  # the stored result of the warnings last notified
SHOWN = 10  # warnings listed in one notification; the rest are counted
CITY_ROLES = ("city_analyst", "leader")


@dataclass(frozen=True)
class Notice:
    """One warning: the unit it is about, its sentence and the page that shows it."""

    unit: str
    text: str
    link: str


def current(engine: Engine, only: Collection[str] | None = None) -> dict[tuple[str, ...], Notice]:
    """The warnings now, by key: ("verdict", unit, indicator, verdict) for the city and
    the districts (those in ``only`` when given), ("falling", township, period) for
    townships."""
    w = analysis.warnings(engine, levels=("city", "district"), detail=False, only=only)
    with transaction(engine) as session:
        names = {i.code: i.name for i in get_plan(session).indicators}
    out: dict[tuple[str, ...], Notice] = {}
    for x in w.off_track:
        name = names.get(x.indicator, x.indicator)
        text = f"{x.name}「{name}」{x.verdict_zh}：{x.verdict_reason_zh}"
        link = f"/indicators/{x.indicator}?unit={x.unit}"
        out[("verdict", x.unit, x.indicator, x.verdict)] = Notice(x.unit, text, link)
    for f in w.falling_townships:
        growth = "" if f.growth is None else f"（同比 {f.growth * 100:+.1f}%）"
        text = f"{f.name}{label_zh(f.period)}规上工业企业研发费用低于上年同期{growth}"
        out[("falling", f.unit, f.period)] = Notice(f.unit, text, f"/units/{f.unit}")
    return out


def _recipients(tree: OrgTree, unit: str) -> list[tuple[str, str | None]]:
    """(role, unit) of the accounts told about a warning in ``unit``."""
    out: list[tuple[str, str | None]] = [(r, None) for r in CITY_ROLES]
    for u in [unit, *(a.code for a in tree.ancestors(unit))] if unit in tree else []:
        level = tree.get(u).level
        if level is Level.DISTRICT:
            out.append(("district_officer", u))
        elif level is Level.TOWNSHIP:
            out.append(("township_officer", u))
    return out


def told(engine: Engine) -> dict[tuple[str, ...], Notice]:
    """The warnings as they stood when they were last notified (a stored result, so an
    approval computes the warnings once, after its change, not also before it); the
    warnings now when none were ever stored."""
    hit = read_result(engine, TOLD, "")
    if hit is None:
        return current(engine)
    return {tuple(k): Notice(*n) for k, n in json.loads(hit[1])}


def _remember(engine: Engine, warnings: dict[tuple[str, ...], Notice]) -> None:
    rows = [[list(k), [n.unit, n.text, n.link]] for k, n in warnings.items()]
    write_result(engine, TOLD, "", "", json.dumps(rows, ensure_ascii=False))


def notify_new(
    engine: Engine,
    before: dict[tuple[str, ...], Notice],
    *,
    actor: str,
    why: str,
    changed: Collection[str] | None = None,
) -> int:
    """Tell each person the warnings that are new since ``before`` (:func:`told` before
    the change ``why`` describes, e.g. 鄞州区2026年1-10月数据审核通过), and keep the
    warnings now as the ones told; how many notifications were added. With ``changed``
    (the units whose values the change recomputed) only their verdicts are judged again:
    every other unit's data, hence its verdicts, are as they were."""
    now = current(engine, only=changed)
    if changed is not None:
        kept = {k: n for k, n in before.items() if k[0] == "verdict" and k[1] not in changed}
        now = {**kept, **now}
    _remember(engine, now)
    new = [n for k, n in now.items() if k not in before]
    if not new:
        return 0
    added = 0
    with transaction(engine) as session:
        tree = load_org_tree(session)
        mine: dict[int, list[Notice]] = defaultdict(list)
        people = {}
        for n in new:
            for role, unit in _recipients(tree, n.unit):
                for user in store.active_users(session, role=role, unit=unit):
                    if unit is None and user.unit:  # city roles bound to a unit: not city-wide
                        continue
                    mine[user.id].append(n)
                    people[user.id] = user
        for uid, notices in mine.items():
            lines = [f"{i}. {n.text}" for i, n in enumerate(notices[:SHOWN], 1)]
            more = len(notices) - SHOWN
            if more > 0:
                lines.append(f"另有 {more} 条，请在平台上查看。")
            msg = Message(
                kind="warning",
                title=f"预警: {why}后新增 {len(notices)} 条预警",
                body="\n".join(lines),
                link=notices[0].link if len(notices) == 1 else "/",
            )
            added += notify(session, [people[uid]], msg, actor=actor)
    return added
