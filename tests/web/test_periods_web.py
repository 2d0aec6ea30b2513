"""A period on every page (issue #18 item 6): the indicator page takes ``?period=`` (a
1–N月 period for the indicators computed from enterprise reports, a year for the others),
the evaluation and register pages ``?year=``; the page shows the JSON twin's numbers for
the same parameter, the default is the latest period with (approved) data, and anything
else — garbage, a year without data, a future period — is a Chinese 400 page and a coded
API 400 naming the valid range."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.web.conftest import Site
from tests.web.monitor_helpers import DISTRICT

from yanzhi.core.periods import label_zh, parse_period
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values


def stored(site: Site, code: str, kind: str) -> dict[tuple[str, str], float]:
    """Stored totals of ``code`` by (unit, period)."""
    with transaction(site.engine) as s:
        v = indicator_values(s, indicators=[code], kinds=[kind], totals_only=True)
    v = v[v["value"].notna()]
    return {
        (u, p): float(x) for u, p, x in zip(v["unit_code"], v["period"], v["value"], strict=True)
    }


def refused(site: Site, page: str, api: str, range_zh: str) -> None:
    """The page is a Chinese 400 naming the range, the API a coded 400 in both languages."""
    c = site.as_role("analyst")
    r = c.get(api)
    assert r.status_code == 400, api
    err = r.json()["error"]
    assert err["code"] == "period_not_available"
    assert range_zh in err["message_zh"] and err["message_en"] and "choose" in err["message_en"]
    r = c.get(page)
    assert r.status_code == 400, page
    assert range_zh in r.text and "period_not_available" not in r.text


def test_the_january_ytd_period_reads_as_the_month() -> None:
    assert label_zh("2019-01..01") == "2019年1月"
    assert label_zh("2026-01..10") == "2026年1-10月"
    assert label_zh("2026-05") == "2026年5月" and label_zh("2025") == "2025年"
    assert parse_period("2019-01..01").label_zh() == "2019年1月"


def test_the_indicator_page_follows_a_ytd_period_and_equals_the_api(site: Site) -> None:
    c = site.as_role("analyst")
    code = "IND_RD_INTENSITY"
    base = f"/api/v1/indicators/{code}?unit={DISTRICT}"
    latest = c.get(base).json()["selected"]
    periods = latest["periods"]
    cockpit = c.get("/api/v1/cockpit").json()["ytd"]
    assert latest["kind"] == "ytd" and latest["period"] == periods[0] == cockpit["period"]
    earlier = periods[3]
    got = c.get(f"{base}&period={earlier}").json()["selected"]
    assert got["period"] == earlier and got["periods"] == periods
    values = stored(site, code, "ytd")
    p = parse_period(earlier)
    before = str(p.same_period_last_year())
    assert got["value"] == pytest.approx(values[(DISTRICT, earlier)], rel=1e-12)
    assert got["previous"] == pytest.approx(values[(DISTRICT, before)], rel=1e-12)
    assert got["change_points"] == pytest.approx(got["value"] - got["previous"], abs=1e-12)
    assert got["value"] != latest["value"]
    unit_row = next(
        r
        for r in c.get(f"/api/v1/units/{DISTRICT}?period={earlier}").json()["ytd"]["rows"]
        if r["indicator"] == code
    )
    assert unit_row["value"] == got["value"] and unit_row["mom_points"] == got["mom_points"]
    towns = {k["code"]: k for k in got["children"]}
    assert len(towns) > 3
    have = [t for t in towns if (t, earlier) in values]
    assert len(have) > 3
    for town, k in towns.items():
        want = values.get((town, earlier))
        assert k["value"] is None if want is None else k["value"] == pytest.approx(want, rel=1e-12)
    page = c.get(f"/indicators/{code}?unit={DISTRICT}&period={earlier}").text
    picker = page.split('id="period-picker"', 1)[1].split("</form>", 1)[0]
    assert f'value="{earlier}" selected' in picker
    panel = page.split('id="selected-period"', 1)[1].split("</div>", 1)[0]
    assert p.label_zh() + "累计" in panel
    shown = float(re.search(r'data-key="selected-value" data-value="([^"]+)"', panel)[1])
    assert shown == pytest.approx(got["value"], rel=1e-12)
    assert f"{got['change_points']:+.2f} 个百分点" in panel
    assert f"{p.label_zh()}值" in page  # the children's column of the chosen period
    default = c.get(f"/indicators/{code}?unit={DISTRICT}").text
    assert f'value="{periods[0]}" selected' in default


def test_the_picker_groups_ytd_periods_by_year_most_recent_first(site: Site) -> None:
    page = site.as_role("analyst").get("/indicators/IND_RD_INTENSITY").text
    picker = page.split('id="period-picker"', 1)[1].split("</form>", 1)[0]
    years = re.findall(r'<optgroup label="(\d{4})年">', picker)
    assert years == sorted(years, reverse=True) and len(years) == len(set(years)) > 1
    assert "1-1月" not in picker
    if "-01..01" in picker:
        assert re.search(r'value="\d{4}-01\.\.01"[^>]*>\d{4}年1月累计', picker)


def test_the_indicator_page_follows_a_year_for_an_annual_indicator(site: Site) -> None:
    c = site.as_role("analyst")
    code = "RD_GDP"
    latest = c.get(f"/api/v1/indicators/{code}").json()
    sel = latest["selected"]
    assert sel["kind"] == "year" and sel["period"] == str(latest["status"]["year"])
    year = sel["periods"][1]
    got = c.get(f"/api/v1/indicators/{code}?period={year}").json()["selected"]
    values = stored(site, code, "year")
    region = latest["unit"]["code"]
    assert got["value"] == pytest.approx(values[(region, year)], rel=1e-12)
    assert got["value"] == pytest.approx(latest["status"]["series"][year], rel=1e-12)
    assert got["value"] != sel["value"]
    page = c.get(f"/indicators/{code}?period={year}").text
    picker = page.split('id="period-picker"', 1)[1].split("</form>", 1)[0]
    assert f'value="{year}" selected' in picker and "<optgroup" not in picker
    panel = page.split('id="selected-period"', 1)[1].split("</div>", 1)[0]
    assert "最新年度" in panel and f"{year}年" in panel


def test_indicator_periods_without_data_are_refused(site: Site) -> None:
    c = site.as_role("analyst")
    periods = c.get("/api/v1/indicators/IND_RD_INTENSITY").json()["selected"]["periods"]
    first, last = label_zh(periods[-1]), label_zh(periods[0])
    for bad in ("2099-01..05", "garbage", "2025", "2030-01..02"):
        refused(
            site,
            f"/indicators/IND_RD_INTENSITY?period={bad}",
            f"/api/v1/indicators/IND_RD_INTENSITY?period={bad}",
            f"{first}至{last}",
        )
    years = c.get("/api/v1/indicators/RD_GDP").json()["selected"]["periods"]
    future = str(dt.date.today().year + 1)
    for bad in (future, "1990", "2026-01..05", "abc"):
        refused(
            site,
            f"/indicators/RD_GDP?period={bad}",
            f"/api/v1/indicators/RD_GDP?period={bad}",
            f"{years[-1]}年至{years[0]}年",
        )


@pytest.fixture
def few_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YANZHI_EVALUATION_DRAWS", "20")


@pytest.mark.usefixtures("few_draws")
def test_the_evaluation_pages_follow_the_year_and_equal_the_api(site: Site) -> None:
    c = site.as_role("analyst")
    latest = c.get("/api/v1/evaluation?level=district&size=500").json()
    years = latest["years"]
    assert latest["year"] == years[0] and len(years) > 1
    year = years[1]
    older = c.get(f"/api/v1/evaluation?level=district&size=500&year={year}").json()
    assert older["year"] == year and older["previous_year"] == year - 1
    scores = {r["uCode"]: r["Score"] for r in older["items"]}
    assert scores != {r["uCode"]: r["Score"] for r in latest["items"]}
    page = c.get(f"/evaluation?level=district&year={year}").text
    picker = page.split('id="year-form"', 1)[1].split("</form>", 1)[0]
    assert f'value="{year}" selected' in picker and 'name="level" value="district"' in picker
    code, score = next(iter(scores.items()))
    card = c.get(f"/api/v1/evaluation/units/{code}?year={year}").json()
    assert card["year"] == year and card["row"]["Score"] == score and card["years"] == years
    html = c.get(f"/evaluation/units/{code}?year={year}").text
    assert f'value="{year}" selected' in html.split('id="year-form"', 1)[1].split("</form>")[0]
    assert re.search(r'id="score">([^<]+)<', html)[1] == f"{score:,.2f}".rstrip("0").rstrip(".")
    default = c.get(f"/evaluation/units/{code}").text
    assert f'value="{years[0]}" selected' in default
    future = str(dt.date.today().year + 1)
    for bad in (future, str(years[-1] - 1), "garbage"):
        for page_url, api_url in (
            (
                f"/evaluation?level=district&year={bad}",
                f"/api/v1/evaluation?level=district&year={bad}",
            ),
            (f"/evaluation/units/{code}?year={bad}", f"/api/v1/evaluation/units/{code}?year={bad}"),
        ):
            refused(site, page_url, api_url, f"{years[-1]}年至{years[0]}年")


def test_a_register_page_follows_the_year_and_equals_the_api(site: Site) -> None:
    from yanzhi.services.tasks import registers

    c = site.as_role("analyst")
    this = dt.date.today().year
    latest = c.get("/api/v1/registers/scenario").json()
    assert latest["year"] == this and latest["years"] == list(range(this, 2021, -1))
    counts = {y: registers.counts(site.engine, "scenario", year=y) for y in latest["years"]}
    year = next(y for y in latest["years"] if counts[y] != counts[this])
    older = c.get(f"/api/v1/registers/scenario?year={year}").json()
    assert older["year"] == year
    assert {d["code"]: d["count"] for d in older["districts"]} == {
        d["code"]: counts[year].get(d["code"], 0) for d in older["districts"]
    }
    page = c.get(f"/registers/scenario?year={year}").text
    assert f'value="{year}" selected' in page.split('id="year-form"', 1)[1].split("</form>")[0]
    data = page.split('id="page-data" data-page="register">', 1)[1].split("</script>")[0]
    assert f'"year": {year}' in data or f'"year":{year}' in data
    for d in older["districts"]:
        assert f'"count": {d["count"]}' in data or f'"count":{d["count"]}' in data
    for bad in (str(this + 1), "2021", "年"):
        refused(
            site,
            f"/registers/scenario?year={bad}",
            f"/api/v1/registers/scenario?year={bad}",
            f"2022年至{this}年",
        )


def test_an_enterprise_list_refuses_a_year_without_full_year_reports(site: Site) -> None:
    c = site.as_role("analyst")
    latest = c.get("/api/v1/lists/priority?size=500").json()
    page = c.get("/enterprises/lists/priority").text
    picker = page.split('id="year-form"', 1)[1].split("</form>", 1)[0]
    years = [int(y) for y in re.findall(r'value="(\d{4})"', picker)]
    assert latest["year"] == years[0] and f'value="{years[0]}" selected' in picker
    for bad in (str(years[0] + 1), str(years[-1] - 1), "x"):
        refused(
            site,
            f"/enterprises/lists/priority?year={bad}",
            f"/api/v1/lists/priority?year={bad}",
            f"{years[-1]}年至{years[0]}年",
        )


def test_the_cockpit_follows_the_chosen_period_everywhere(site: Site) -> None:
    """The headline card of a YTD indicator carries that period's figure, the completeness
    table is of the chosen period; the old one-line R&D card (always the latest) is gone."""
    c = site.as_role("analyst")
    latest = c.get("/api/v1/cockpit").json()
    assert "rd_ytd" not in latest
    earlier = latest["ytd"]["periods"][4]
    chosen = c.get(f"/api/v1/cockpit?period={earlier}").json()
    assert chosen["period"] == earlier and latest["period"] != earlier
    row = next(r for r in chosen["ytd"]["rows"] if r["indicator"] == "IND_RD_INTENSITY")
    page = c.get(f"/?period={earlier}").text
    assert 'id="rd-ytd"' not in page
    card = page.split('class="card kpi" data-indicator="IND_RD_INTENSITY"', 1)[1].split(
        "</article>"
    )[0]
    m = re.search(r'data-key="ytd" data-period="([^"]+)" data-value="([^"]+)"', card)
    assert m and m[1] == earlier and float(m[2]) == pytest.approx(row["value"], rel=1e-12)
    assert label_zh(earlier) + "累计" in card and f"{row['change_points']:+.2f} 个百分点" in card
    assert f"数据报送完整性 · {label_zh(earlier)}</h2>" in page
    assert f"数据报送完整性 · {label_zh(latest['period'])}</h2>" in c.get("/").text


def test_the_gap_attribution_follows_the_chosen_period(site: Site) -> None:
    """With ?period= (and no from / to) the page's attribution runs from the same period of
    the base year to the chosen one, as the API's attribution with the same parameter."""
    c = site.as_role("analyst")
    code = "IND_RD_INTENSITY"
    periods = c.get(f"/api/v1/indicators/{code}").json()["selected"]["periods"]
    chosen = periods[2]
    p = parse_period(chosen)
    base = f"2022-01..{p.last_month:02d}"
    api = c.get(f"/api/v1/indicators/{code}/attribution?by=district&period={chosen}").json()
    assert (api["start"], api["end"]) == (base, chosen)
    explicit = c.get(
        f"/api/v1/indicators/{code}/attribution?by=district&from={base}&to={chosen}"
    ).json()
    assert explicit["change"] == api["change"]
    default = c.get(f"/api/v1/indicators/{code}/attribution?by=district").json()
    assert default["end"] != chosen
    page = c.get(f"/indicators/{code}?by=district&period={chosen}").text
    block = page.split('id="attribution"', 1)[1].split("</article>", 1)[0]
    assert f"{label_zh(base)} → {label_zh(chosen)}" in block
    assert f"Δ {api['change']:.3f}" in block
    assert f'&amp;period={chosen}&amp;by=township"' in block
