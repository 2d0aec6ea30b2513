"""Enterprise pages and API (issue #8): an enterprise sees only itself, officers only
their townships' enterprises, lists equal the service."""

from __future__ import annotations

import io
import json
import re

from markupsafe import escape
from openpyxl import load_workbook
from tests.web.area_support import (
    enterprise_elsewhere,
    few_draws,  # noqa: F401  (autouse: few draws)
)
from tests.web.conftest import Site

from yanzhi.services.access.principal import SYSTEM, Principal
from yanzhi.services.enterprises import lists
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index

# --------------------------------------------------------------------------- enterprises


def test_enterprise_user_sees_its_own_diagnosis_only(site: Site) -> None:
    own = site.accounts["enterprise"]["enterprise"]
    c = site.as_role("enterprise")
    r = c.get(f"/api/v1/enterprises/{own}/diagnosis")
    assert r.status_code == 200 and r.json()["enterprise"]["uscc"] == own
    assert r.json()["policies"]["benefits"]
    other = enterprise_elsewhere(site, site.accounts["township"]["unit"])
    assert c.get(f"/api/v1/enterprises/{other}/diagnosis").status_code == 403
    assert c.get(f"/api/v1/enterprises/{other}").status_code == 403
    assert c.get(f"/enterprises/{other}").status_code == 403
    assert c.get("/api/v1/enterprises").status_code == 403
    assert c.get("/api/v1/lists/priority").status_code == 403
    page = c.get(f"/enterprises/{own}")
    assert page.status_code == 200 and 'id="intensity-chart"' in page.text
    # the chart's 1–N月 periods by their Chinese names, not their codes (2026-01..11)
    found = re.search(r'id="page-data" data-page="enterprise">(.*?)</script>', page.text, re.S)
    assert found is not None
    ytd = [label for label, _ in json.loads(found[1])["ytd"]]
    assert ytd and all(re.fullmatch(r"\d{4}年1(-\d{1,2})?月", x) for x in ytd), ytd


def test_township_officer_and_enterprises_of_another_township(site: Site) -> None:
    town = site.accounts["township"]["unit"]
    c = site.as_role("township")
    own = site.accounts["enterprise"]["enterprise"]
    assert c.get(f"/api/v1/enterprises/{own}").status_code == 200
    with transaction(site.engine) as session:
        index = enterprise_index(session)
    other = str(index.loc[index["township_code"] != town, "uscc"].iloc[0])
    assert c.get(f"/api/v1/enterprises/{other}").status_code == 403
    assert c.get(f"/api/v1/enterprises/{other}/diagnosis").status_code == 403
    assert c.get(f"/enterprises/{other}").status_code == 403
    assert c.get("/api/v1/enterprises/NOSUCHUSCC").status_code == 404
    found = c.get("/api/v1/enterprises?size=500").json()
    assert found["total"] == int((index["township_code"] == town).sum())
    assert {e["township_code"] for e in found["items"]} == {town}
    assert site.as_role("owner").get("/api/v1/enterprises").status_code == 403


def test_search_by_name_and_uscc(site: Site) -> None:
    own = site.accounts["enterprise"]["enterprise"]
    c = site.as_role("analyst")
    by_uscc = c.get(f"/api/v1/enterprises?q={own[-8:].lower()}").json()
    assert [e["uscc"] for e in by_uscc["items"]] == [own]
    name = by_uscc["items"][0]["name"]
    by_name = c.get("/api/v1/enterprises", params={"q": name}).json()
    assert own in [e["uscc"] for e in by_name["items"]]
    page = c.get("/enterprises", params={"q": name})
    assert page.status_code == 200 and own in page.text
    everyone = c.get("/api/v1/enterprises?size=7&page=2").json()
    assert everyone["total"] == 400 and len(everyone["items"]) == 7


def test_lists_equal_the_service_and_export(site: Site) -> None:
    c = site.as_role("district")
    data = c.get("/api/v1/lists/visit?size=500").json()
    me = Principal("district", "district_officer", unit=site.accounts["district"]["unit"])
    expected = lists.visit(site.engine, year=data["year"], principal=me)
    assert data["items"] == [r.to_dict() for r in expected] and data["total"] == len(expected)
    r = c.get("/enterprises/lists/visit?export=list")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))
    assert len(rows) == 1 + len(expected)
    points = c.get("/api/v1/lists/points?size=500").json()["items"]
    city = {p.uscc: p.rank for p in lists.points(site.engine, year=data["year"], principal=SYSTEM)}
    assert points and all(p["rank"] == city[p["uscc"]] for p in points)  # city-wide ranks
    assert c.get("/api/v1/lists/doubling").json()["items"][0]["year"] == 2022
    assert c.get("/api/v1/lists/nonsense").status_code == 422


def test_policies_of_a_year_are_the_same_in_the_api_the_page_and_the_service(
    site: Site,
) -> None:
    """One figure, one truth: ``/api/v1/enterprises/{uscc}/policies?year=``, the page's
    ``?policy_year=`` and ``yanzhi policy calc`` (the service) give the same result."""
    from yanzhi.services.enterprises.diagnosis import policy_calc

    own = site.accounts["enterprise"]["enterprise"]
    c = site.as_role("enterprise")
    years = c.get(f"/api/v1/enterprises/{own}/diagnosis").json()["intensity"]["annual"]
    year = int(years[0]["period"][:4])
    api = c.get(f"/api/v1/enterprises/{own}/policies?year={year}")
    assert api.status_code == 200
    service = policy_calc(site.engine, own, year=year, principal=SYSTEM).to_dict()
    service = json.loads(json.dumps(service))  # as `yanzhi policy calc --json` prints it
    assert api.json() == service
    sd = service["benefits"][0]
    assert sd["applied"] and all(a["source"] in sd["explanation"] for a in sd["applied"])
    page = c.get(f"/enterprises/{own}?policy_year={year}")
    assert page.status_code == 200
    assert f"{sd['amount']:,.2f}" in page.text and sd["applied"][0]["source"] in page.text
    assert f"<strong>{year}年</strong>" in page.text
    assert c.get(f"/api/v1/enterprises/{own}/policies?year=1999").status_code == 422
    assert c.get(f"/enterprises/{own}?policy_year=2001").status_code == 404
    other = enterprise_elsewhere(site, site.accounts["township"]["unit"])
    assert c.get(f"/api/v1/enterprises/{other}/policies?year={year}").status_code == 403


def test_the_budget_by_district_is_the_same_in_the_api_the_page_and_the_export(
    site: Site,
) -> None:
    """研发后补助 and 研发准备金 by district: the API, the list page and its Excel give the
    service's figures; a district officer sees only the district; an enterprise's own
    post-subsidy on its page is the API's, with its 本平台假设 reason."""
    from yanzhi.services.enterprises import budget
    from yanzhi.services.enterprises.diagnosis import policy_calc

    c = site.as_role("analyst")
    data = c.get("/api/v1/lists/budget?size=500").json()
    expected = budget.budget(site.engine, year=data["year"], principal=SYSTEM)
    assert data["items"] == [r.to_dict() for r in expected]
    city = expected[-1]
    assert city.district == "全市合计" and city.budget_total > 0
    page = c.get(f"/enterprises/lists/budget?year={data['year']}")
    assert page.status_code == 200
    assert "预算合计(万元)" in page.text and f"{city.budget_total:,.2f}" in page.text
    assert 'id="budget-basis"' in page.text and "本平台假设" in page.text
    sheet = load_workbook(io.BytesIO(c.get("/enterprises/lists/budget?export=list").content))
    rows = list(sheet.worksheets[1].iter_rows(values_only=True))
    assert "预算合计(万元)" in rows[0] and len(rows) == 1 + len(expected)
    total = rows[0].index("预算合计(万元)")
    assert rows[-1][total] == city.budget_total
    d = site.as_role("district")
    me = Principal("district", "district_officer", unit=site.accounts["district"]["unit"])
    mine = budget.budget(site.engine, year=data["year"], principal=me)
    got = d.get("/api/v1/lists/budget").json()["items"]
    assert got == [r.to_dict() for r in mine] and len(got) == 1
    assert got[0] == next(r.to_dict() for r in expected if r.district == got[0]["district"])
    per = budget.enterprise_amounts(site.engine, year=data["year"], principal=SYSTEM)
    paid = per[per["post_subsidy"] > 0].iloc[0]
    api = c.get(f"/api/v1/enterprises/{paid['uscc']}/policies?year={data['year']}").json()
    ps = next(b for b in api["benefits"] if b["rule"] == "RD_POST_SUBSIDY")
    assert ps["amount"] == paid["post_subsidy"]
    service = policy_calc(site.engine, paid["uscc"], year=data["year"], principal=SYSTEM)
    assert api == json.loads(json.dumps(service.to_dict()))
    shown = c.get(f"/enterprises/{paid['uscc']}?policy_year={data['year']}").text
    assert f"{ps['amount']:,.2f}" in shown and ps["explanation"] in shown
    assert str(escape("本平台假设:" + ps["assumption"])) in shown
