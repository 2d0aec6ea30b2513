"""Report downloads (issue #9): the catalogue is scoped, files open in Word / Excel, a
period without data is refused."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import load_workbook
from tests.web.area_support import (
    enterprise_elsewhere,
    few_draws,  # noqa: F401  (autouse: few draws)
)
from tests.web.conftest import Site

from yanzhi.services.plan.orgunits import org_tree

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
    assert doc.paragraphs[0].style.name == "文件标题"
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
    assert "科技创新监测月报" in doc.paragraphs[0].text
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
    assert {"说明", "指标权重", "排名", "各单位得分", "插补说明"} <= set(wb.sheetnames)
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


def test_preview_shows_the_document_the_download_holds(site: Site) -> None:
    """The reports page's preview is the same content as the file: the Word file's title,
    headings and table captions all appear in the preview, with a download link per format;
    the preview is checked like the download (a township officer gets no city bulletin)."""
    import re

    c = site.as_role("analyst")
    period = c.get("/api/v1/reports").json()["items"][0]["choices"]["period"][0]
    r = c.get(f"/reports/preview/monthly?period={period}&format=pdf")
    assert r.status_code == 200 and 'class="doc doc-preview"' in r.text
    word = Document(io.BytesIO(c.get(f"/api/v1/reports/monthly?period={period}").content))
    shown = re.sub(r"<[^>]+>", "", r.text)
    headings = [p.text for p in word.paragraphs if p.style.name.endswith("标题") and p.text]
    assert len(headings) > 8
    for text in headings:
        assert text in shown, text
    for fmt in ("docx", "pdf", "xlsx"):
        assert f"/reports/download/monthly?format={fmt}&amp;period={period}" in r.text
    assert c.get("/reports/document.css").headers["content-type"].startswith("text/css")
    code = site.accounts["district"]["unit"]
    district = site.as_role("district").get(f"/reports/preview/district?code={code}&year=2025")
    assert district.status_code == 200 and "述职材料" in district.text
    refused = site.as_role("township").get(f"/reports/preview/monthly?period={period}")
    assert refused.status_code == 403


def test_the_command_lines_evaluation_report_has_the_pages_intervals(site: Site) -> None:
    """`yanzhi report evaluation` draws as many method combinations as the evaluation pages
    (YANZHI_EVALUATION_DRAWS) with the same seed, so "与系统评价页面所示一致" holds."""
    import docx
    from typer.testing import CliRunner

    from yanzhi.cli.main import app as cli
    from yanzhi.views.evaluation import draws

    out = site.folder / "evaluation-cli.docx"
    run = CliRunner().invoke(
        cli,
        ["report", "evaluation", "--level", "district", "--year", "2025", "--out", str(out),
         "--database", site.url],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert f"作{draws()}次随机组合" in text
    page = site.as_role("analyst").get("/api/v1/evaluation?level=district&year=2025").json()
    assert page["uncertainty"]["draws"] == draws()
