"""The SYNTHETIC demo's major reforms (重大改革), policy documents (政策文件) and their
pay-outs (政策兑现): every name starts with 演示, every entry is synthetic. The policies
linked to 研发后补助 and 研发准备金 pay out about what yanzhi's own calculation of those rules
gives (60–90 % of it: not every eligible enterprise applies), so the page's comparison
shows what a bureau would see."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.registers import REFORM_STATUSES
from yanzhi.services.access.principal import SYSTEM
from yanzhi.services.enterprises.budget import budget
from yanzhi.services.tasks import registers

DEMO = "演示"
KINDS = ("reform", "policy", "policy_payout")

REFORMS = (
    ("科技成果赋权改革", "市科技局"),
    ("科研经费“包干制”改革", "市财政局"),
    ("“揭榜挂帅”项目组织方式改革", "市科技局"),
    ("科技创新券跨区域通用通兑", "市科技局"),
    ("科技人才分类评价改革", "市人力社保局"),
    ("概念验证中心建设运营机制", "市科技局"),
    ("乡镇(街道)科技创新工作评价", "市科技局"),
    ("科技金融“先用后转”机制", "市地方金融管理局"),
)
POLICIES = (
    # name, issuer, measures, rules due, rules issued, linked rule, yearly (beneficiaries, 万元)
    ("关于高水平建设一流创新型城市的政策意见", "宁波市人民政府", 30, 8, 6, None, (0, 0)),
    (
        "企业研发投入后补助实施办法",
        "宁波市科技局 宁波市财政局",
        12,
        2,
        2,
        "企业研发投入后补助",
        None,
    ),
    (
        "企业研发准备金制度实施细则",
        "宁波市科技局 宁波市财政局",
        9,
        1,
        1,
        "企业研发准备金补助",
        None,
    ),
    ("科技创新券管理办法", "宁波市科技局", 15, 2, 1, None, (900, 6000.0)),
    ("科技型企业创新积分制试点工作方案", "宁波市科技局", 10, 3, 1, None, (0, 0)),
)


def _reforms(rng: random.Random, city: str, today: dt.date) -> list[dict[str, Any]]:
    out = []
    for i, (name, lead) in enumerate(REFORMS, 1):
        status = REFORM_STATUSES[min(i % 4, 3)] if i != 8 else REFORM_STATUSES[0]
        due = today + dt.timedelta(days=rng.randint(-90, 200))
        out.append(
            {
                "code": f"{DEMO}-R{i:02d}",
                "name": f"{DEMO}:{name}",
                "org_unit_code": city,
                "fields": {
                    "lead": f"{DEMO}:{lead}",
                    "status": status,
                    "next_milestone": None
                    if status == "已完成"
                    else f"{DEMO}:完成第{i % 3 + 1}阶段",
                    "next_due": None if status == "已完成" else due.isoformat(),
                    "evidence": f"{DEMO}:进展材料{i:02d}",
                },
                "valid_from": dt.date(2023 + i % 3, 1 + i, 1),
                "valid_to": None,
                "list_name": None,
                "synthetic": True,
            }
        )
    return out


def _estimate(engine: Engine, rule: str, year: int) -> tuple[int, float] | None:
    rows = budget(engine, year=year, principal=SYSTEM)
    if not rows:
        return None
    city = rows[-1]
    if rule == "企业研发投入后补助":
        return city.post_subsidy_count, city.post_subsidy_total
    return city.reserve_fund_count, city.reserve_fund_total


def _policies(
    engine: Engine, rng: random.Random, city: str, today: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    policies, payouts = [], []
    for i, (name, issuer, measures, due, issued, rule, yearly) in enumerate(POLICIES, 1):
        code = f"{DEMO}-P{i:02d}"
        policies.append(
            {
                "code": code,
                "name": f"{DEMO}:{name}",
                "org_unit_code": city,
                "fields": {
                    "issuer": f"{DEMO}:{issuer}",
                    "doc_number": f"{DEMO}甬政〔2023〕{i}号",
                    "measures": measures,
                    "rules_due": due,
                    "rules_issued": issued,
                    "rule": rule,
                },
                "valid_from": dt.date(2023, 3 + i, 10),
                "valid_to": None,
                "list_name": None,
                "synthetic": True,
            }
        )
        for year in range(2023, today.year):
            if rule:
                found = _estimate(engine, rule, year)
                if found is None:
                    continue
                share = rng.uniform(0.6, 0.9)
                n, amount = round(found[0] * share), round(found[1] * share, 2)
            elif yearly and yearly[0]:
                n = round(yearly[0] * rng.uniform(0.8, 1.2))
                amount = round(yearly[1] * rng.uniform(0.8, 1.2), 2)
            else:
                continue
            payouts.append(
                {
                    "code": f"{code}-{year}",
                    "name": f"{DEMO}:{name}{year}年兑现",
                    "org_unit_code": city,
                    "fields": {"policy": code, "year": year, "beneficiaries": n, "amount": amount},
                    "valid_from": dt.date(year, 12, 31),
                    "valid_to": None,
                    "list_name": None,
                    "synthetic": True,
                }
            )
    return policies, payouts


def load(engine: Engine, *, city: str, actor: str, seed: int, today: dt.date) -> dict[str, int]:
    """Write the demo's reforms, policies and pay-outs (nothing if they are there)."""
    if any(registers.list_register(engine, k) for k in KINDS):
        return {}
    rng = random.Random(seed * 7 + 3)
    policies, payouts = _policies(engine, rng, city, today)
    made = {}
    for kind, entries in (
        ("reform", _reforms(rng, city, today)),
        ("policy", policies),
        ("policy_payout", payouts),
    ):
        made[kind] = registers.save_entries(engine, kind, entries, actor=actor)["created"]
    return made
