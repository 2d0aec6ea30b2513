"""One definition per count (issue #15, point 3): 高新技术企业 and 科技型中小企业 show the
official statistic and the register count, each labelled with its source and date, on the
indicator page and the 双倍增 page alike — and the API says the same."""

from __future__ import annotations

import datetime as dt

from tests.web.conftest import Site

from yanzhi.core.zhtext import date_zh
from yanzhi.services.enterprises import lists
from yanzhi.services.enterprises.counts import count_bases


def test_statistic_and_register_counts_agree_on_both_pages_and_the_api(site: Site) -> None:
    c = site.as_role("analyst")
    bases = {b.indicator: b for b in count_bases(site.engine)}
    doubling = c.get("/api/v1/lists/doubling").json()["counts"]
    doubling_page = c.get("/enterprises/lists/doubling").text
    assert [d["indicator"] for d in doubling] == ["HTE_COUNT", "TECH_SME_COUNT"]
    for d in doubling:
        b = bases[d["indicator"]]
        ind = c.get(f"/api/v1/indicators/{b.indicator}").json()
        assert ind["counts"] == d  # the indicator and the doubling API agree
        # the statistic is the indicator's own latest value; the register counts flags
        assert (
            ind["status"]["value"] == d["statistic"]
            and ind["status"]["year"] == d["statistic_year"]
        )
        assert d["register_count"] == b.register_count and d["register_as_of"]
        page = c.get(f"/indicators/{b.indicator}").text
        for html in (page, doubling_page):
            assert b.label_zh in html
            assert f"统计口径：{d['statistic']:,.0f} 家({d['statistic_year']}年末)" in html
            assert (
                f"名录口径：登记在册 {d['register_count']:,} 家，截至{date_zh(d['register_as_of'])}"
                in html
            )
    # the doubling table's latest year is the register count at that year end
    last = c.get("/api/v1/lists/doubling?size=50").json()["items"]
    today = dt.date.today()  # year ends passed have a count, those to come none
    assert all(
        isinstance(r["hightech"], int) == (dt.date(r["year"], 12, 31) <= today) for r in last
    )


def test_doubling_leaves_year_ends_still_to_come_missing(site: Site) -> None:
    rows = {r.year: r for r in lists.doubling(site.engine, today=dt.date(2025, 6, 30))}
    assert rows[2024].hightech is not None and rows[2024].hightech_on_path is not None
    for y in (2025, 2026, 2027):
        assert rows[y].hightech is None and rows[y].tech_sme is None  # not yet: not the 2025 count
        assert rows[y].hightech_on_path is None and rows[y].hightech_path > rows[2024].hightech_path


def test_the_cohort_is_the_same_count_in_every_place(site: Site) -> None:
    """双倍增 as a cohort: the city's current count is the indicator page's register count;
    its year-end stocks are the doubling list's; the districts add up to the city; the API,
    the page, the CLI and the supervision report say the same."""
    import json

    import docx
    from typer.testing import CliRunner

    from yanzhi.cli.main import app as cli

    c = site.as_role("analyst")
    body = c.get("/api/v1/lists/doubling?size=50").json()
    cohort = body["cohort"]
    rows = body["items"]
    bases = {b.concept: b for b in count_bases(site.engine)}
    page = c.get("/enterprises/lists/doubling").text
    run = CliRunner().invoke(cli, ["lists", "cohort", "--json", "--database", site.url])
    assert run.exit_code == 0, run.output
    from_cli = json.loads(run.stdout)
    assert from_cli["concepts"] == cohort["concepts"]
    for k in cohort["concepts"]:
        city, flag = k["city"], k["concept"]
        assert city["now"] == bases[flag].register_count
        assert {y["year"]: y["stock"] for y in city["years"]} == {r["year"]: r[flag] for r in rows}
        assert city["target"] == 2 * city["base"] == 2 * rows[0][flag]
        assert sum(d["now"] for d in k["districts"]) == city["now"]
        assert sum(d["net"] for d in k["districts"]) == city["net"]
        assert city["net"] == city["entered"] - city["left"]
        assert f'<strong class="cohort-now">{city["now"]:,}</strong>' in page
        if flag == "tech_sme":
            assert city["lapsed"] is None  # no reason on record for a tech SME's departure
    district = site.as_role("district").get("/api/v1/lists/doubling").json()["cohort"]
    unit = site.accounts["district"]["unit"]
    assert [d["unit_code"] for d in district["concepts"][0]["districts"]] == [unit]
    out = site.folder / "supervision-doubling.docx"
    run = CliRunner().invoke(
        cli, ["report", "supervision", "--out", str(out), "--database", site.url]
    )
    assert run.exit_code == 0, run.output
    table = next(t for t in docx.Document(str(out)).tables if t.rows[0].cells[3].text == "当前在册")
    hightech = cohort["concepts"][0]["city"]
    assert table.rows[1].cells[3].text == f"{hightech['now']:,}"
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    stat = bases["hightech"]  # the statistic beside the register, with its source
    assert f"统计口径{stat.statistic:,.0f}家" in text and "来源：演示数据" in text
