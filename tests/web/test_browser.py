"""The site in a real browser (Debian's Chromium driven by Playwright) against a real
uvicorn server on the demo database: the reporting workflow of issue #8 end to end (a
township officer uploads a file with a bad row, fixes it, submits; the city analyst
approves and the cockpit's number moves), the language switch, the district map, a
scoped user refused another township, and no horizontal overflow at phone and laptop
widths. A missing Chromium fails the tests (CI installs it): they are never skipped."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.web.browser_support import (
    DESKTOP,
    PHONE,
    Tab,
    by_id,
    horizontal_overflow,
    logout,
    wait_for_charts,
)
from tests.web.conftest import Site

from yanzhi.core.periods import parse_period
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.submissions import submissions

PERIOD = "2026-01..10"  # the demo's latest period: imported, still a draft
RD = "研发费用(万元)"
REVENUE = "营业收入(万元)"
NEW_RD = 1234.5  # what the fixed file adds to every row's R&D expense (万元): YTD never falls
INDICATOR = "/indicators/IND_RD_INTENSITY"  # headline, year to date, from the reports


def _page_data(page: Any) -> dict[str, Any]:
    data: dict[str, Any] = page.evaluate(
        "() => JSON.parse(document.getElementById('page-data').textContent)"
    )
    return data


def _headline(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in data["headline"] if i["indicator"] == code)


def _status(site: Site, unit: str) -> str | None:
    with transaction(site.engine) as session:
        frame = submissions(session, "rd", [PERIOD])
    rows = frame[frame["org_unit_code"] == unit]
    return None if rows.empty else str(rows["status"].iloc[0])


def _wait_status(site: Site, unit: str, wanted: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while _status(site, unit) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"{unit} {PERIOD} is {_status(site, unit)}, expected {wanted}")
        time.sleep(0.2)


def _township_files(site: Site, town: str, folder: Path) -> tuple[Path, Path, float]:
    """The township's R&D report for the latest period as the officer would fill it in
    (from the demo's own file): one copy with a non-numeric 研发费用 in the first data row
    (file row 2), one fixed copy with NEW_RD more R&D in every row (a YTD figure may not
    fall below the previous month's: large enterprises report more than NEW_RD itself).
    Also the YTD R&D intensity (%) the fixed figures give over the township's above-size
    industrial enterprises."""
    frame = pd.read_excel(site.folder / "files" / f"rd_{PERIOD}.xlsx", skiprows=1, dtype=str)
    with transaction(site.engine) as session:
        index = enterprise_index(session)
    mine = index[index["township_code"] == town]
    rows = frame[frame["统一社会信用代码"].isin(set(mine["uscc"]))].reset_index(drop=True)
    assert len(rows) >= 1, f"the demo has no {PERIOD} reports in {town}"
    fixed = rows.copy()
    fixed[RD] = (rows[RD].astype(float) + NEW_RD).map(lambda v: f"{v:.2f}")
    bad = fixed.copy()
    bad.loc[0, RD] = "abc"
    folder.mkdir(parents=True, exist_ok=True)
    bad_path, fixed_path = folder / f"rd_{town}_bad.csv", folder / f"rd_{town}.csv"
    bad.to_csv(bad_path, index=False, encoding="utf-8-sig")
    fixed.to_csv(fixed_path, index=False, encoding="utf-8-sig")
    above = set(mine.loc[mine["above_size_industrial"].astype(bool), "uscc"])
    counted = fixed[fixed["统一社会信用代码"].isin(above)]
    intensity = (
        counted[RD].astype(float).sum() / counted[REVENUE].astype(float).sum() * 100
        if len(counted)
        else math.nan
    )
    return bad_path, fixed_path, intensity


def _upload(page: Any, path: Path) -> None:
    form = page.locator("#upload-form")
    form.locator("select[name=kind]").select_option("rd")
    form.locator("input[name=period]").fill(PERIOD)
    name = form.locator(".file-name")
    assert name.inner_text() == "未选择文件"  # our label, not the browser's "No file chosen"
    form.locator("input[type=file][name=file]").set_input_files(str(path))
    assert name.inner_text() == path.name
    page.click("#upload-button")


def test_report_fix_submit_approve_and_the_cockpit_moves(
    site: Site, browser: Any, base: str, tmp_path: Path
) -> None:
    town = site.accounts["township"]["unit"]
    bad, fixed, intensity = _township_files(site, town, tmp_path)
    t = Tab(browser, base)
    try:
        page = t.page
        # The township officer: a file with a bad row is refused, row number shown.
        t.login(site, "township")
        t.goto("/data")
        _upload(page, bad)
        errors = page.locator("#validation-errors")
        errors.wait_for(state="visible")
        rows = errors.locator("tbody tr")
        assert rows.count() >= 1
        first = rows.first
        cells = [c.strip() for c in first.locator("td").all_inner_texts()]
        assert "2" in cells, f"row number 2 not shown in {cells}"
        assert "不是数值" in first.inner_text(), first.inner_text()
        assert page.locator('#import-result[data-ok="true"]').count() == 0
        assert _status(site, town) == "draft"

        # The fixed file imports; then the officer submits the period.
        t.goto("/data")
        _upload(page, fixed)
        page.locator('#import-result[data-ok="true"]').wait_for()
        t.goto("/data")
        page.click(by_id(f"submit-{town}-{PERIOD}"))
        _wait_status(site, town, "submitted")
        page.wait_for_load_state()
        logout(page)

        # The city analyst: the latest period is not in the cockpit yet.
        t.login(site, "analyst")
        t.goto("/")
        before = _headline(_page_data(page), "IND_RD_INTENSITY")["ytd"]
        assert before is not None and before["period"] != PERIOD, before
        t.goto(INDICATOR)
        label = parse_period(PERIOD).label_zh()  # the page says 2026年1-10月, not the code
        assert f"{label}累计:" not in page.locator("#indicator-kpi").inner_text()

        t.goto("/data")
        page.click(by_id(f"approve-{town}-{PERIOD}"))
        _wait_status(site, town, "approved")
        page.wait_for_load_state()

        # The cockpit now holds the approved period: the only approved township's figures.
        t.goto("/")
        after = _headline(_page_data(page), "IND_RD_INTENSITY")["ytd"]
        assert after is not None and after["period"] == PERIOD, after
        assert after["value"] == pytest.approx(intensity, rel=1e-6)
        assert after["value"] != before["value"]
        # ... and the indicator page shows it.
        t.goto(INDICATOR)
        shown = page.locator("#indicator-kpi").inner_text()
        assert f"{label}累计: {intensity:,.2f}" in shown, shown
        assert t.errors == [], t.errors
    finally:
        t.close()


def test_language_switch_shows_english(site: Site, tab: Tab) -> None:
    tab.login(site, "analyst")
    tab.goto("/")
    assert "驾驶舱" in tab.page.locator("h1").inner_text()
    with tab.page.expect_navigation():
        tab.page.click("#lang-switch")
    assert tab.page.locator("html").get_attribute("lang") == "en"
    assert "Cockpit" in tab.page.locator("h1").inner_text()
    assert "Cockpit" in tab.page.locator("nav.main-nav").inner_text()
    with tab.page.expect_navigation():
        tab.page.click("#lang-switch")
    assert "驾驶舱" in tab.page.locator("h1").inner_text()


def test_cockpit_map_draws_the_ten_districts(site: Site, tab: Tab) -> None:
    tab.login(site, "analyst")
    tab.goto("/")
    tab.page.locator('#map[data-rendered="1"]').wait_for()
    assert tab.page.locator("#map").get_attribute("data-features") == "10"
    assert tab.page.locator("#map canvas").count() >= 1
    wait_for_charts(tab.page)
    kpis = tab.page.locator(".kpi[data-indicator]")
    assert kpis.count() == 5  # the plan's five headline indicators
    tools = tab.page.evaluate(
        """() => [...document.querySelectorAll('[data-rendered="1"]')].map((el) => {
             const c = echarts.getInstanceByDom(el);
             const t = c && c.getOption().toolbox;
             return t && t.length ? Object.keys(t[0].feature).sort().join(",") : null; })"""
    )
    assert tools and all(t == "dataView,saveAsImage" for t in tools), tools  # every chart
    assert tab.errors == [], tab.errors


def test_township_officer_gets_403_on_another_township(site: Site, tab: Tab) -> None:
    from yanzhi.storage.orgunits import load_org_tree

    own = site.accounts["township"]["unit"]
    with transaction(site.engine) as session:
        tree = load_org_tree(session)
    district = tree.get(own).parent_code
    assert district is not None
    other = next(u.code for u in tree.children(district) if u.code != own)
    tab.login(site, "township")
    response = tab.goto(f"/units/{other}")
    assert response.status == 403
    assert "403" in tab.page.locator("h1").inner_text()
    own_page = tab.goto(f"/units/{own}")
    assert own_page.status == 200


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone-390", "laptop-1366"])
def test_cockpit_has_no_horizontal_overflow(
    site: Site, browser: Any, base: str, viewport: dict[str, int], tmp_path: Path
) -> None:
    t = Tab(browser, base, viewport)
    try:
        t.login(site, "analyst")
        t.goto("/")
        wait_for_charts(t.page)
        t.page.screenshot(path=str(tmp_path / f"cockpit-{viewport['width']}.png"), full_page=True)
        assert horizontal_overflow(t.page) == 0
        assert t.errors == [], t.errors
    finally:
        t.close()


PAGES = [
    "/",
    "/units/330200",
    "/tasks/P1.T1",
    "/tasks/supervision",
    "/evaluation/method",
    "/registers",
    "/indicators",
    INDICATOR,
    "/indicators/RD_GDP?unit=330212",
    "/units",
    "/units/330212",
    "/data",
    "/tasks",
    "/evaluation",
    "/evaluation?level=district",
    "/enterprises",
    "/reports",
]


def squeezed_cells(page: Any) -> list[str]:
    """Table cells so narrow that their text runs one or two characters a line (a table
    should scroll sideways instead): a cell of 3+ characters drawn over 3+ lines while
    narrower than 3 characters of its font."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('table td, table th')].filter((c) => {
             const text = c.innerText.trim();
             if (text.length < 3) return false;
             const style = getComputedStyle(c);
             const size = parseFloat(style.fontSize) || 13;
             const line = parseFloat(style.lineHeight) || size * 1.3;
             const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
             const inner = c.getBoundingClientRect().width - padding;
             return inner < size * 3 && c.getBoundingClientRect().height > line * 2.5;
           }).slice(0, 5).map((c) => c.innerText.trim().slice(0, 20))"""
    )
    return found


def test_every_page_draws_its_charts_without_errors_at_phone_width(
    site: Site, browser: Any, base: str
) -> None:
    t = Tab(browser, base, PHONE)
    try:
        t.login(site, "analyst")
        problems = []
        for path in PAGES:
            t.errors.clear()
            response = t.goto(path)
            if response.status != 200:
                problems.append(f"{path}: HTTP {response.status}")
                continue
            wait_for_charts(t.page)
            if overflow := horizontal_overflow(t.page):
                problems.append(f"{path}: {overflow} px wider than the phone")
            problems += [f"{path}: {e}" for e in t.errors]
            problems += [f"{path}: 表格单元格每行一字: {c}" for c in squeezed_cells(t.page)]
        assert problems == []
    finally:
        t.close()


def test_a_long_table_sorts_and_pages_at_phone_width(site: Site, browser: Any, base: str) -> None:
    """On a 390 px phone the enterprise list's sort links and pager work (server side) and
    the page does not scroll sideways (the table scrolls in its own box)."""
    t = Tab(browser, base, PHONE)
    try:
        t.login(site, "analyst")
        t.goto("/enterprises")
        first = t.page.locator("#table-enterprises tbody tr").first
        sort = t.page.locator('#table-enterprises a.sort[data-sort="uscc"]')
        sort.click()
        t.page.wait_for_url("**enterprises.sort=uscc**")
        smallest = first.locator("td").first.inner_text()
        t.page.locator('#table-enterprises a.sort[data-sort="uscc"]').click()
        t.page.wait_for_url("**enterprises.order=desc**")
        largest = first.locator("td").first.inner_text()
        assert largest > smallest
        t.page.locator("nav.pager a.next").click()
        t.page.wait_for_url("**enterprises.page=2**")
        assert "第 2 / " in t.page.locator("nav.pager").inner_text()
        assert first.locator("td").first.inner_text() < largest
        assert horizontal_overflow(t.page) <= 1
        assert not t.errors
    finally:
        t.close()


def test_map_waits_for_a_container_with_a_size(site: Site, tab: Tab) -> None:
    """ECharts 6.1.0 throws "Cannot read properties of null (reading '0')" when a map is
    laid out in a 0×0 box (apache/echarts#21706; CI met it once on the cockpit). A map
    asked for while its box has no size is drawn once it has one, the latest ask winning."""
    tab.login(site, "analyst")
    tab.goto("/")
    wait_for_charts(tab.page)
    tab.page.evaluate(
        """async () => {
          const d = yz.data(), map = document.getElementById('map');
          map.style.display = 'none';
          window.dispatchEvent(new Event('resize'));
          const pick = document.getElementById('map-indicator');
          pick.selectedIndex = pick.options.length - 1;
          pick.dispatchEvent(new Event('change'));
          const fresh = document.createElement('div');
          fresh.id = 'fresh-map';
          fresh.style.cssText = 'width: 400px; height: 300px; display: none';
          document.body.appendChild(fresh);
          await yz.map(fresh, d.districts, d.headline[0].indicator);
          await yz.map(fresh, d.districts, d.headline[1].indicator);
        }"""
    )
    tab.page.wait_for_timeout(300)
    assert tab.page.evaluate("() => document.getElementById('fresh-map').dataset.rendered") is None
    tab.page.evaluate(
        """() => {
          document.getElementById('map').style.display = '';
          document.getElementById('fresh-map').style.display = 'block';
          window.dispatchEvent(new Event('resize'));
        }"""
    )
    wait_for_charts(tab.page)
    tab.page.wait_for_function("() => document.getElementById('fresh-map').dataset.rendered")
    assert tab.errors == [], tab.errors
    sizes = tab.page.evaluate(
        "() => ['#map', '#fresh-map'].map((s) => "
        "{ const c = document.querySelector(s + ' canvas'); return [c.width, c.height]; })"
    )
    assert all(min(size) > 0 for size in sizes), sizes
    drawn, wanted = tab.page.evaluate(
        """() => {
          const d = yz.data(), ind = d.headline[1].indicator;
          const shown = echarts.getInstanceByDom(document.getElementById('fresh-map'))
            .getOption().series[0].data.map((r) => r.value);
          const v = (x) => (x.visible && x.indicators && x.indicators[ind] || {}).value;
          return [shown, d.districts.map((x) => v(x) ?? null)];
        }"""
    )
    assert drawn == wanted and any(v is not None for v in drawn)
