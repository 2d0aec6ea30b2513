"""Report downloads (issue #9): the catalogue is scoped, files open in Word / Excel, a
period without data is refused."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from tests.web.conftest import Site

from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.services.plan.orgunits import org_tree
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index

DRAWS = 8  # the web's YANZHI_EVALUATION_DRAWS in this module: keeps it fast


@pytest.fixture(scope="module", autouse=True)
def few_draws() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YANZHI_EVALUATION_DRAWS", str(DRAWS))
        yield


_RESULTS: dict[tuple[str, str, int], EvaluationResult] = {}


def service(site: Site, level: str, year: int) -> EvaluationResult:
    key = (site.url, level, year)
    if key not in _RESULTS:
        _RESULTS[key] = evaluate(site.engine, level=level, year=year, uncertainty=DRAWS, seed=1)
    return _RESULTS[key]


def ranking(site: Site, user: str, level: str = "township") -> dict[str, Any]:
    r = site.as_role(user).get(f"/api/v1/evaluation?level={level}&size=500")
    assert r.status_code == 200, r.text
    return dict(r.json())


def by_code(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    keys = ("Score", "Rank", "GroupRank", "Grade", "RankQ5", "RankQ95")
    return {r["uCode"]: tuple(r[k] for k in keys) for r in rows}


def enterprise_elsewhere(site: Site, township: str) -> str:
    """An enterprise located in another district than ``township``."""
    with transaction(site.engine) as session:
        index = enterprise_index(session)
    other = index[index["township_code"].str[:6] != township[:6]]
    return str(other["uscc"].iloc[0])


# --------------------------------------------------------------------------- reports


def test_report_catalogue_is_scoped(site: Site) -> None:
    def kinds(user: str) -> list[str]:
        return [i["kind"] for i in site.as_role(user).get("/api/v1/reports").json()["items"]]

    assert kinds("analyst") == ["monthly", "evaluation", "district", "supervision", "diagnosis"]
    assert kinds("leader")[:2] == ["monthly", "evaluation"]
    assert kinds("district") == ["district", "supervision", "diagnosis"]
    assert kinds("enterprise") == ["diagnosis"]
    district = site.as_role("district").get("/api/v1/reports").json()["items"][0]
    assert district["choices"]["code"] == [
        {"code": site.accounts["district"]["unit"], "name": "鄞州区"}
    ]
    page = site.as_role("district").get("/reports")
    assert page.status_code == 200 and 'id="report-district"' in page.text
    assert 'id="report-monthly"' not in page.text


def test_district_report_docx_and_another_district_is_refused(site: Site) -> None:
    code = site.accounts["district"]["unit"]
    c = site.as_role("district")
    r = c.get(f"/api/v1/reports/district?code={code}&format=docx")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment;")
    doc = Document(io.BytesIO(r.content))
    assert "鄞州区" in doc.paragraphs[0].text and "述职材料" in doc.paragraphs[0].text
    assert doc.paragraphs[0].style.name == "Heading 1"
    other = next(d.code for d in org_tree(site.engine).by_level("district") if d.code != code)
    assert c.get(f"/api/v1/reports/district?code={other}").status_code == 403
    assert c.get(f"/reports/download/district?code={other}").status_code == 403
    assert site.as_role("township").get(f"/api/v1/reports/district?code={code}").status_code == 200
    assert c.get("/api/v1/reports/monthly").status_code == 403
    assert c.get("/api/v1/reports/evaluation").status_code == 403
    assert site.as_role("owner").get(f"/api/v1/reports/district?code={code}").status_code == 403


def test_monthly_bulletin_docx_and_a_period_without_data(site: Site) -> None:
    c = site.as_role("analyst")
    r = c.get("/api/v1/reports/monthly?format=docx&period=2026-10")
    assert r.status_code == 200, r.text
    doc = Document(io.BytesIO(r.content))
    assert "月度监测报告" in doc.paragraphs[0].text
    none = c.get("/api/v1/reports/monthly?format=docx&period=2015-05")
    assert none.status_code == 404
    assert "无法生成月报" in none.json()["error"]["message"]
    page = c.get("/reports/download/monthly?format=pdf&period=2015-05")
    assert page.status_code == 404 and "无法生成月报" in page.text
    assert c.get("/api/v1/reports/monthly?period=2015-13").status_code == 400
    assert c.get("/api/v1/reports/district?format=xlsx").status_code == 400


def test_evaluation_report_xlsx_opens_and_is_cached(site: Site) -> None:
    c = site.as_role("leader")
    r = c.get("/api/v1/reports/evaluation?format=xlsx&level=district")
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content))
    assert {"Method", "Results", "Scorecards", "Uncertainty"} <= set(wb.sheetnames)
    again = site.as_role("analyst").get("/api/v1/reports/evaluation?format=xlsx&level=district")
    assert again.content == r.content


def test_enterprise_downloads_its_own_diagnosis(site: Site) -> None:
    own = site.accounts["enterprise"]["enterprise"]
    c = site.as_role("enterprise")
    r = c.get("/api/v1/reports/diagnosis?format=docx")
    assert r.status_code == 200 and own in r.headers["content-disposition"]
    assert Document(io.BytesIO(r.content)).paragraphs
    other = enterprise_elsewhere(site, site.accounts["township"]["unit"])
    assert c.get(f"/api/v1/reports/diagnosis?uscc={other}").status_code == 403


def test_every_report_kind_has_a_writer() -> None:
    """One table of report kinds (views.reports.catalogue.KINDS): each has a writer in
    reports.files.WRITERS and its formats are ones the download can send."""
    from yanzhi.reports.files import WRITERS
    from yanzhi.views.reports.catalogue import KINDS, MEDIA

    assert list(WRITERS) == list(KINDS)
    assert all(set(k.formats) <= set(MEDIA) for k in KINDS.values())
