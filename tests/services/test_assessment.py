"""A full year's 考核 of two districts on the demo database: self-assessment, the city's
review with its comments, publication with the score kept, locking; every step audited and
refused out of turn (issue #21 item 4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from yanzhi.core.errors import Conflict, InvalidInput, NotPermitted
from yanzhi.services.access.principal import Principal
from yanzhi.services.evaluation import assessment as svc
from yanzhi.services.evaluation.evaluate import evaluate

YEAR = 2025
CITY = Principal("analyst", "city_analyst")


@pytest.fixture(scope="module")
def demo(demo_db: str) -> Iterator[Engine]:  # the shared small demo (tests/conftest.py)
    from yanzhi.storage.db import make_engine

    engine = make_engine(demo_db)
    yield engine
    engine.dispose()


def _two(engine: Engine) -> tuple[str, str]:
    found = svc.assessments(engine, year=YEAR, principal=CITY)
    return found[0].unit_code, found[1].unit_code


def test_a_full_year_for_two_districts(demo: Engine, tmp_path: Path) -> None:
    a, b = _two(demo)
    index = {
        str(r["uCode"]): float(r["Index"])
        for r in evaluate(demo, level="district", year=YEAR).results.to_dict("records")
    }
    officer_a = Principal("officer-a", "district_officer", unit=a)
    # the district submits: 90 % of its key work done, one national lab (2 points)
    svc.submit(
        demo,
        year=YEAR,
        unit=a,
        principal=officer_a,
        reported={"tasks": 90},
        claims={"B1": {"count": 1, "evidence": "国科发〔2025〕1号"}},
    )
    with pytest.raises(NotPermitted):  # not its district
        svc.submit(demo, year=YEAR, unit=b, principal=officer_a, reported={"tasks": 50}, claims={})
    with pytest.raises(InvalidInput, match="佐证"):
        svc.submit(
            demo, year=YEAR, unit=a, principal=officer_a, reported={}, claims={"B2": {"count": 1}}
        )
    svc.submit(
        demo,
        year=YEAR,
        unit=b,
        principal=Principal("officer-b", "district_officer", unit=b),
        reported={"tasks": 70},
        claims={"M1": {"count": 1, "evidence": "通报"}},
    )
    with pytest.raises(Conflict):  # not reviewed: nothing to publish
        svc.publish(demo, year=YEAR, principal=CITY)
    # the city reviews: A's completion adjusted to 80 % with the reason; B as submitted
    with pytest.raises(InvalidInput, match="理由"):
        svc.review(demo, year=YEAR, unit=a, principal=CITY, adjustments={"tasks": {"value": 80}})
    svc.review(
        demo,
        year=YEAR,
        unit=a,
        principal=CITY,
        adjustments={"tasks": {"value": 80, "comment": "两项工作未按期完成"}},
    )
    svc.review(demo, year=YEAR, unit=b, principal=CITY, adjustments={})
    with pytest.raises(Conflict):  # reviewed: the district can no longer change it
        svc.submit(demo, year=YEAR, unit=a, principal=officer_a, reported={"tasks": 99}, claims={})
    published = {x.unit_code: x for x in svc.publish(demo, year=YEAR, principal=CITY)}
    sa, sb = published[a].score, published[b].score
    assert sa.total == pytest.approx(
        round(round(60 * (0.6 + 0.4 * index[a] / 100), 2) + 32.0 + 2.0, 2)
    )
    assert sb.total == pytest.approx(
        round(round(60 * (0.6 + 0.4 * index[b] / 100), 2) + 28.0 - 2.0, 2)
    )
    tasks_a = next(p for p in sa.parts if p.code == "tasks")
    assert (tasks_a.value, tasks_a.adjusted, tasks_a.comment) == (80.0, True, "两项工作未按期完成")
    assert {published[a].rank, published[b].rank} == {1, 2}
    assert published[a].state_zh == "已公示"
    # the score stays as published, whatever the scheme file says later
    assert svc.lock(demo, year=YEAR, principal=CITY) == 2
    again = {x.unit_code: x for x in svc.assessments(demo, year=YEAR, principal=CITY)}
    assert again[a].score.total == sa.total and again[a].state == "locked"
    with pytest.raises(Conflict):
        svc.review(demo, year=YEAR, unit=a, principal=CITY, adjustments={})
    # a district officer sees its own district only
    mine = svc.assessments(demo, year=YEAR, principal=officer_a)
    assert [x.unit_code for x in mine] == [a]
    with demo.connect() as c:
        actions = [
            r[0]
            for r in c.execute(
                text("SELECT action FROM audit_log WHERE entity = 'assessment' ORDER BY id")
            )
        ]
        stored = c.execute(
            text("SELECT result FROM assessment WHERE unit_code = :u"), {"u": a}
        ).scalar()
    assert actions.count("submit") == 2 and actions.count("lock") == 2
    assert json.loads(stored)["total"] == sa.total
    # the district's 述职 material draws on the published result
    import docx

    from yanzhi.reports import district as district_doc
    from yanzhi.views.reports.district import district_report

    report = district_report(demo, code=a, year=YEAR, uncertainty=0)
    assert report.assessment is not None and report.assessment["score"]["total"] == sa.total
    out = district_doc.WRITERS["docx"](report, tmp_path / "district.docx")
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "年度考核" in body and f"得分{sa.total:.2f}分" in body and "两项工作未按期完成" in body
