"""The indicator pages and their API: the numbers are services/monitoring/status.py's and
analysis.py's, unknown codes are 404, the pages render and their tables export to Excel."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from tests.web.conftest import Site
from tests.web.monitor_helpers import DISTRICT, by_code, own_town, status_of

from yanzhi.services.monitoring import analysis
from yanzhi.services.plan import orgunits


def test_indicator_list_equals_the_status_service_headline_first(site: Site) -> None:
    r = site.as_role("analyst").get("/api/v1/indicators")
    assert r.status_code == 200
    data = r.json()
    items = data["items"]
    expected = status_of(site, headline_only=False)["indicators"]
    assert data["total"] == len(expected) and data["unit"]["code"] == "330200"
    assert {i["indicator"]: i["value"] for i in items} == {
        e["indicator"]: e["value"] for e in expected
    }
    flags = [i["headline"] for i in items]
    assert flags == sorted(flags, reverse=True) and flags.count(True) == 5  # headline first
    got = by_code(items)
    for e in expected:
        assert got[e["indicator"]]["status"] == e["status"]
        assert got[e["indicator"]]["p_meet"] == e["forecast"]["probability_meeting_target"]


def test_indicator_api_equals_status_for_the_city_and_a_district(site: Site) -> None:
    c = site.as_role("analyst")
    city = by_code(status_of(site)["indicators"])["RD_GDP"]
    got = c.get("/api/v1/indicators/RD_GDP").json()
    assert got["status"]["value"] == city["value"] and got["status"]["value"] is not None
    assert got["status"]["status"] == city["status"]
    assert got["status"]["assessment"] == city["assessment"]
    assert got["status"]["forecast"] == city["forecast"]
    assert got["status"]["target_path"] == city["assessment"]["interim_targets"]
    facts = {f["key"]: f["value"] for f in got["explanation"]}
    assert facts["base_value"] == city["assessment"]["base_value"]
    assert facts["p_meet"] == city["forecast"]["probability_meeting_target"]

    dist = by_code(status_of(site, unit=DISTRICT)["indicators"])["IND_RD_INTENSITY"]
    got = c.get(f"/api/v1/indicators/IND_RD_INTENSITY?unit={DISTRICT}").json()
    assert got["unit"]["code"] == DISTRICT
    assert got["status"]["series"] == dist["series"] and got["status"]["ytd"] == dist["ytd"]
    ytd = got["periods"]["ytd"]
    assert ytd[dist["ytd"]["period"]] == pytest.approx(dist["ytd"]["value"])


def test_children_values_equal_the_status_of_each_child(site: Site) -> None:
    r = site.as_role("district").get(
        f"/api/v1/indicators/IND_RD_INTENSITY/children?unit={DISTRICT}&size=500"
    )
    assert r.status_code == 200
    kids = r.json()["items"]
    tree = orgunits.org_tree(site.engine)
    assert [k["code"] for k in kids] == [u.code for u in tree.children(DISTRICT)]
    compared = 0
    for k in kids:
        try:
            one = status_of(site, unit=k["code"], headline_only=False)
        except LookupError:  # a township without any data in the small demo
            assert k["value"] is None and k["status"] == "not_available"
            continue
        want = by_code(one["indicators"])["IND_RD_INTENSITY"]
        assert (k["value"], k["status"], k["year"]) == (want["value"], want["status"], want["year"])
        compared += want["value"] is not None
    assert compared >= 3


def test_attribution_equals_the_analysis_service(site: Site) -> None:
    c = site.as_role("analyst")
    got = c.get("/api/v1/indicators/IND_RD_INTENSITY/attribution?by=district&from=2022&to=2025")
    assert got.status_code == 200, got.text
    data = got.json()
    want = analysis.attribution(
        site.engine, indicator="IND_RD_INTENSITY", start="2022", end="2025", by="district"
    ).to_dict()
    assert data["change"] == pytest.approx(want["change"])
    assert len(data["groups"]) == len(want["groups"]) == 10
    assert data["top_contributors"]["positive"][0]["name"]  # names for the analyst
    # inside a district: the district's townships only
    inside = c.get(
        f"/api/v1/indicators/IND_RD_INTENSITY/attribution?unit={DISTRICT}&from=2022&to=2025"
    ).json()
    assert inside["by"] == "township"
    assert inside["groups"] and all(
        g["township_code"].startswith(DISTRICT) for g in inside["groups"]
    )


def test_attribution_is_cut_to_what_the_principal_may_see(site: Site) -> None:
    url = "/api/v1/indicators/IND_RD_INTENSITY/attribution?by=township&from=2022&to=2025"
    town = site.as_role("township").get(url).json()
    assert [g["township_code"] for g in town["groups"]] == [own_town(site)]
    for side in ("positive", "negative"):
        assert all(e["township_code"] == own_town(site) for e in town["top_contributors"][side])
    owner = site.as_role("owner").get(url).json()
    assert owner["top_contributors"] is None  # a department does not read enterprises
    assert owner["groups"] == []  # and sees no township


def test_township_drilldown_lists_its_top_enterprises_in_scope(site: Site) -> None:
    r = site.as_role("township").get(
        f"/api/v1/indicators/IND_RD_INTENSITY/children?unit={own_town(site)}"
    )
    assert r.status_code == 200
    data = r.json()
    assert data["items"] == [] and data["enterprises"] is not None
    found = data["enterprises"]["positive"] + data["enterprises"]["negative"]
    assert found and all(e["township_code"] == own_town(site) and e["name"] for e in found)


def test_bad_attribution_requests_are_4xx(site: Site) -> None:
    c = site.as_role("analyst")
    base = "/api/v1/indicators/IND_RD_EXPENSE/attribution"
    assert c.get(base).status_code == 400  # not a ratio
    assert c.get(base.replace("IND_RD_EXPENSE", "RD_GDP") + "?by=industry").status_code == 400
    bad = c.get("/api/v1/indicators/IND_RD_INTENSITY/attribution?from=yesterday")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    assert c.get("/api/v1/indicators/IND_RD_INTENSITY/attribution?by=planet").status_code == 422
    counted = c.get("/api/v1/indicators/ENT_RD_ACTIVE_SHARE/attribution")
    assert counted.status_code == 400


def test_unknown_indicator_codes_are_404(site: Site) -> None:
    c = site.as_role("analyst")
    assert c.get("/api/v1/indicators/NO_SUCH").status_code == 404
    assert c.get("/api/v1/indicators/NO_SUCH/children").status_code == 404
    assert c.get("/api/v1/indicators/RD_GDP?unit=999999").status_code == 404
    assert c.get("/indicators/NO_SUCH").status_code == 404


def test_indicator_pages_render_with_the_indicator_names(site: Site) -> None:
    c = site.as_role("district")
    r = c.get("/indicators")
    assert r.status_code == 200 and "全社会R&amp;D经费支出占地区生产总值比重" in r.text
    r = c.get(f"/indicators/IND_RD_INTENSITY?unit={DISTRICT}")
    assert r.status_code == 200
    assert "规上工业企业研发费用支出占营业收入比重" in r.text and 'id="page-data"' in r.text
    assert 'id="trend"' in r.text and 'id="attribution-chart"' in r.text
    r = site.as_role("township").get(f"/indicators/IND_RD_INTENSITY?unit={own_town(site)}")
    assert r.status_code == 200 and "影响最大的企业" in r.text and "/enterprises/" in r.text
    r = c.get("/indicators/IND_RD_EXPENSE")  # no attribution: a note, not an error
    assert r.status_code == 200 and 'id="attribution-note"' in r.text
    en = site.login("analyst")
    en.get("/lang/en")
    r = en.get("/indicators/RD_GDP")
    assert r.status_code == 200 and "Gross domestic expenditure on R&amp;D" in r.text


def test_indicator_tables_export_to_excel(site: Site) -> None:
    c = site.as_role("district")
    r = c.get("/indicators?export=indicators")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))
    assert len(rows) == 1 + len(status_of(site, headline_only=False)["indicators"])
    r = c.get(f"/indicators/IND_RD_INTENSITY?unit={DISTRICT}&export=children")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))
    assert rows[0][0] == "单位" and len(rows) > 5


def test_the_target_sources_are_in_the_api_and_beside_the_target(site: Site) -> None:
    """Every point of the plan names its source (issue #15, point 6): the API's indicator
    carries them and the page prints each under the target."""
    c = site.as_role("analyst")
    ind = c.get("/api/v1/indicators/HT_SHARE").json()["indicator"]
    assert "主要目标" in ind["target"]["source"]
    assert ind["baseline"]["source"].startswith("本平台假设")
    assert [p["year"] for p in ind["plan_interim_targets"]] == [2024, 2025]
    assert all("kjj.ningbo.gov.cn" in p["source"] for p in ind["plan_interim_targets"])
    html = c.get("/indicators/HT_SHARE").text
    block = html.split('id="target-sources"', 1)[1].split("</ul>", 1)[0]
    assert block.count("<li") == 4 and "主要目标" in block and "本平台假设" in block


def test_the_ytd_value_gives_both_growths_on_page_and_api(site: Site) -> None:
    c = site.as_role("analyst")
    ytd = c.get("/api/v1/indicators/IND_RD_EXPENSE").json()["status"]["ytd"]
    assert ytd["yoy_level"] == pytest.approx(ytd["value"] / ytd["previous_year_value"] - 1)
    assert ytd["yoy_comparable"] is not None and ytd["comparable_enterprises"] > 0
    html = c.get("/indicators/IND_RD_EXPENSE").text
    assert f"{ytd['yoy_comparable'] * 100:.1f}%" in html.split('data-key="yoy_comparable"')[1]
    assert f"{ytd['yoy_level'] * 100:.1f}%" in html.split('data-key="yoy_level"')[1]
