"""One number, one truth (issue #15, point 9): each headline figure read from every place
that shows it — the CLI's JSON, the API, the rendered page and the documents — is the same
figure. Each test reads a concept from all its places and compares; none of them computes
the figure itself."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import docx
import pytest
from openpyxl import load_workbook
from tests.web.conftest import Site
from typer.testing import CliRunner

from yanzhi.cli.main import app as cli
from yanzhi.core.zhtext import punctuate

runner = CliRunner()
CITY = "330200"


def cli_json(site: Site, *args: str) -> Any:
    """The CLI's ``--json`` answer on the site's database."""
    r = runner.invoke(cli, [*args, "--database", site.url, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def api(site: Site, path: str) -> Any:
    """The API's answer for a city-wide analyst."""
    r = site.as_role("analyst").get(f"/api/v1{path}")
    assert r.status_code == 200, r.text
    return r.json()


def html(site: Site, path: str) -> str:
    r = site.as_role("analyst").get(path)
    assert r.status_code == 200, r.text
    return r.text


def data_values(page: str, codes: set[str] | None = None) -> dict[str, float]:
    """The ``data-value`` of each card (``data-indicator``) of a rendered page, of the
    indicators ``codes`` if given."""
    cards = re.findall(
        r'data-indicator="([^"]+)".*?class="value" data-value="([^"]*)"', page, flags=re.S
    )
    return {code: float(v) for code, v in cards if codes is None or code in codes}


@pytest.fixture(scope="module")
def latest(site: Site) -> str:
    """The bulletin's period: the latest approved YTD period of the demo."""
    return str(cli_json(site, "warnings")["stopped"]["period"])


@pytest.fixture(scope="module")
def bulletin(site: Site, latest: str) -> str:
    """The monthly bulletin (docx) as text: paragraphs, then table rows ' | '-joined."""
    out = site.folder / "bulletin.docx"
    r = runner.invoke(
        cli, ["report", "monthly", "--period", latest, "--out", str(out), "--database", site.url]
    )
    assert r.exit_code == 0, r.output
    d = docx.Document(str(out))
    lines = [p.text for p in d.paragraphs]
    lines += [" | ".join(c.text for c in row.cells) for t in d.tables for row in t.rows]
    return "\n".join(lines)


def test_headline_values_are_one_figure_in_cli_api_pages_and_bulletin(
    site: Site, bulletin: str
) -> None:
    from_cli = {i["indicator"]: i["value"] for i in cli_json(site, "status")["indicators"]}
    assert len(from_cli) == 5 and all(v is not None for v in from_cli.values())
    cockpit_api = {i["indicator"]: i["value"] for i in api(site, "/cockpit")["headline"]}
    assert cockpit_api == from_cli
    for code, value in from_cli.items():
        assert api(site, f"/indicators/{code}")["status"]["value"] == value, code
    assert data_values(html(site, "/"), set(from_cli)) == from_cli
    assert data_values(html(site, f"/units/{CITY}"), set(from_cli)) == from_cli
    names = {i["indicator"]: i["name"] for i in cli_json(site, "status")["indicators"]}
    for code, value in from_cli.items():
        # the bulletin's headline table prints the value with two decimals
        row = next(r for r in bulletin.splitlines() if r.startswith(names[code] + " | "))
        assert row.split(" | ")[1] == f"{value:.2f}", row


def test_stopped_rd_totals_agree_in_cli_api_unit_page_and_bulletin(
    site: Site, bulletin: str
) -> None:
    s = cli_json(site, "warnings")["stopped"]
    assert s["total"] == s["reported_zero"] + s["not_reported"] > 0
    listed = cli_json(site, "warnings")["stopped_enterprises"]
    assert len(listed) == s["total"]  # no display cap
    unit = api(site, f"/units/{CITY}")["warnings"]
    assert len(unit["stopped_enterprises"]) == s["total"]
    assert {k: unit["stopped"][k] for k in ("total", "reported_zero", "not_reported")} == {
        k: s[k] for k in ("total", "reported_zero", "not_reported")
    }
    page = html(site, f"/units/{CITY}")
    m = re.search(r'class="stopped-total" data-total="(\d+)">([^<]*)<', page)
    assert m and int(m.group(1)) == s["total"]
    assert f"{s['total']} 家企业停止研发" in m.group(2)
    assert f"未报送 {s['not_reported']} 家)" in m.group(2)  # the bulletin's own wording
    for e in listed[:5]:
        assert e["name"] in page
    assert (
        punctuate(
            f"{s['total']} 家企业停止研发(报送研发费用为零 {s['reported_zero']} 家, "
            f"未报送 {s['not_reported']} 家)"
        )
        in bulletin
    )  # documents print Chinese punctuation


def _rows(answer: Any) -> list[dict[str, Any]]:
    """A list answer's rows, whether the answer is the rows or an object holding them."""
    return list(answer if isinstance(answer, list) else answer["rows"])


def test_priority_list_size_agrees_in_cli_api_page_and_excel(site: Site) -> None:
    year = 2025
    from_cli = _rows(cli_json(site, "lists", "priority", "--year", str(year)))
    assert from_cli, "the demo has enterprises at or above 5 %"
    from_api = api(site, f"/lists/priority?year={year}&size=500")
    assert from_api["total"] == len(from_cli)
    assert {r["uscc"] for r in from_api["items"]} == {r["uscc"] for r in from_cli}
    r = site.as_role("analyst").get(f"/enterprises/lists/priority?year={year}&export=list")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[1].iter_rows(values_only=True))
    assert len(rows) - 1 == len(from_cli)


def test_each_headline_verdict_is_one_verdict_in_cli_api_pages_and_bulletin(
    site: Site, bulletin: str
) -> None:
    rows = cli_json(site, "status")["indicators"]
    from_cli = {i["indicator"]: (i["verdict"], i["verdict_zh"]) for i in rows}
    assert len(from_cli) == 5
    cockpit = {
        i["indicator"]: (i["verdict"], i["verdict_zh"]) for i in api(site, "/cockpit")["headline"]
    }
    assert cockpit == from_cli
    for code in from_cli:
        st = api(site, f"/indicators/{code}")["status"]
        assert (st["verdict"], st["verdict_zh"]) == from_cli[code], code
    for path in ("/", f"/units/{CITY}"):
        page = html(site, path)
        for code, (level, _) in from_cli.items():
            card = page.split(f'data-indicator="{code}"', 1)[1]
            assert re.search(r'data-verdict="([^"]+)"', card).group(1) == level, (path, code)
    names = {i["indicator"]: i["name"] for i in rows}
    for code, (_, zh) in from_cli.items():
        row = next(r for r in bulletin.splitlines() if r.startswith(names[code] + " | "))
        assert row.split(" | ")[4] == zh, row  # the bulletin's 结论 column


def test_ytd_rd_and_its_two_growths_agree_in_cli_api_cockpit_and_bulletin(
    site: Site, bulletin: str
) -> None:
    ytd = cli_json(site, "status", "--indicator", "IND_RD_EXPENSE")["indicators"][0]["ytd"]
    assert ytd["yoy_comparable"] is not None and ytd["yoy_level"] is not None
    panel = api(site, "/cockpit")["ytd"]  # the cockpit's 1–N月 panel, latest period
    assert panel["period"] == ytd["period"]
    card = next(r for r in panel["rows"] if r["indicator"] == "IND_RD_EXPENSE")
    for key in ("value", "yoy_comparable", "yoy_level", "comparable_enterprises"):
        assert card[key] == pytest.approx(ytd[key], rel=1e-12), key
    page = html(site, "/").split('id="table-ytd"', 1)[1].split('"IND_RD_EXPENSE">', 1)[1]
    for key in ("yoy_comparable", "yoy_level"):
        m = re.search(rf'data-key="{key}" data-value="([^"]+)"', page)
        assert m and float(m.group(1)) == pytest.approx(ytd[key], rel=1e-12), key
    g = ytd["yoy_comparable"]
    assert (
        punctuate(
            f"按可比口径计算同比{'增长' if g >= 0 else '下降'} {abs(g):.1%}"
            f"(两期均有已审核报表的 {ytd['comparable_enterprises']:,} 家企业)"
        )
        in bulletin
    )
    level = ytd["yoy_level"]
    assert f"按总量计算同比{'增长' if level >= 0 else '下降'} {abs(level):.1%}" in bulletin


def test_the_district_report_warns_of_what_the_district_page_shows(site: Site) -> None:
    district = "330212"  # the demo accounts' district
    out = site.folder / "district.docx"
    r = runner.invoke(
        cli,
        ["report", "district", district, "--year", "2025", "--out", str(out),
         "--database", site.url],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    page = api(site, f"/units/{district}")["warnings"]
    names = {i["indicator"]: i["name"] for i in cli_json(site, "status")["indicators"]}
    towns: dict[str, list[str]] = {}
    for w in page["off_track"]:
        if w["unit"] == district:  # the district's own indicator: its verdict is named
            assert f"{names[w['indicator']]}" in text and w["verdict_zh"] in text, w
        else:
            towns.setdefault(names[w["indicator"]], []).append(w["name"])
    for name, listed in towns.items():  # as many townships behind as the page lists
        said = re.search(
            rf"{re.escape(name)}有(\d+)个乡镇（街道）难以达标或存在风险，进展最慢的是([^，]+)", text
        )
        assert said and int(said.group(1)) == len(listed), (name, len(listed))
        assert set(said.group(2).split("、")) <= set(listed)
    s = page["stopped"]
    if s and s["total"]:
        assert (
            punctuate(
                f"{s['total']} 家企业停止研发(报送研发费用为零 {s['reported_zero']} 家, "
                f"未报送 {s['not_reported']} 家)"
            )
            in text
        )
    falling = page["falling_townships"]
    if falling:
        assert f"有{len(falling)}个乡镇（街道）研发费用同比下降" in text
        biggest = text.split("研发费用同比下降")[1].split("降幅较大的是")[1].split("。")[0]
        named = re.findall(r"([^、，（]+)（[\d.]+亿元", biggest)
        assert named and set(named) <= {w["name"] for w in falling}


def _page_counts(page: str) -> dict[str, tuple[int, int, int]]:
    """Per unit code, the 按时 / 逾期 / 未报 cells of the data desk's completeness table."""
    card = page.split('id="completeness-card"', 1)[1].split("</section>", 1)[0]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", card, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        if cells:
            out[cells[0]] = tuple(int(c.replace(",", "")) for c in cells[4:7])
    return out


def test_on_time_late_and_missing_agree_in_cli_api_page_and_bulletin(
    site: Site, latest: str, bulletin: str
) -> None:
    draft = api(site, "/data/submissions?size=1")["period"]  # the demo's latest, a draft
    rows = cli_json(site, "completeness", "--period", draft, "--level", "district")
    counts = {r["code"]: (r["on_time"], r["late"], r["missing"]) for r in rows}
    assert sum(c[1] for c in counts.values()) > 0 and sum(c[2] for c in counts.values()) > 0
    answer = api(site, f"/data/completeness?period={draft}&level=district&size=100")
    assert {r["code"]: (r["on_time"], r["late"], r["missing"]) for r in answer["items"]} == counts
    assert [d["due"] for d in answer["deadlines"]] == [
        rows[0]["due"],
        "2026-11-12",
        rows[0]["unit_due"],
    ]
    page = html(site, f"/data?period={draft}&level=district")
    assert _page_counts(page) == counts
    assert "报送截止" in page and "2026年11月10日" in page  # 1–10月: 次月10日
    city = cli_json(site, "completeness", "--period", latest, "--level", "city")[0]
    sentence = (
        f"其中按时报送{city['on_time']:,}家、逾期报送{city['late']:,}家, 未报{city['missing']:,}家"
    )
    assert punctuate(sentence) in bulletin
