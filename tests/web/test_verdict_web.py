"""The verdict is the one headline on the cockpit, indicator and unit pages and in their API
answers: the same label and sentence as services/monitoring/status.py, with the progress status
since the base year only as a secondary line (issue #15, point 1)."""

from __future__ import annotations

import html
import re

import pytest
from tests.web.conftest import Site
from tests.web.monitor_helpers import DISTRICT, by_code, status_of

CARD = re.compile(
    r'<article class="card kpi[^"]*"[^>]*data-indicator="(?P<code>[A-Z_0-9]+)"'
    r"(?P<body>.*?)</article>",
    re.S,
)
VERDICT = re.compile(
    r'<div class="verdict" data-verdict="(?P<level>[a-z_]+)"><span class="status st-[a-z_]+">'
    r"(?P<label>[^<]+)</span>"
    r'<p class="verdict-reason small-print">(?P<reason>[^<]*)</p>',
    re.S,
)


def _cards(page: str) -> dict[str, re.Match[str]]:
    out = {}
    for card in CARD.finditer(page):
        found = VERDICT.search(card["body"])
        assert found, card["body"]
        # one badge only: the verdict; the method's status is the secondary line
        assert card["body"].count('class="status ') == 1
        assert "进展评估(基期以来)" in card["body"]
        out[card["code"]] = found
    return out


def _same(found: re.Match[str], st: dict[str, object]) -> None:
    assert found["level"] == st["verdict"]
    assert html.unescape(found["label"]) == st["verdict_zh"]
    assert html.unescape(found["reason"]) == st["verdict_reason_zh"]


def test_cockpit_shows_the_city_verdicts_of_the_service(site: Site) -> None:
    expected = by_code(status_of(site)["indicators"])
    cards = _cards(site.as_role("analyst").get("/").text)
    assert set(cards) == set(expected) and len(cards) == 5
    for code, found in cards.items():
        _same(found, expected[code])
    api = site.as_role("analyst").get("/api/v1/cockpit").json()
    for i in api["headline"]:
        st = expected[i["indicator"]]
        assert (i["verdict"], i["verdict_reason_zh"]) == (st["verdict"], st["verdict_reason_zh"])
    for d in api["districts"]:
        mine = by_code(status_of(site, unit=d["code"])["indicators"])
        for code, v in d["indicators"].items():
            assert v["verdict_zh"] == mine[code]["verdict_zh"]


def test_indicator_page_shows_the_verdict_of_the_service(site: Site) -> None:
    st = by_code(status_of(site, unit=DISTRICT)["indicators"])["RD_GDP"]
    page = site.as_role("analyst").get(f"/indicators/RD_GDP?unit={DISTRICT}").text
    cards = _cards(page)
    _same(cards["RD_GDP"], st)
    assert "结论依据" in page and "状态依据" not in page
    # the facts are in Chinese: no raw method codes on a Chinese page
    facts_card = page.split('id="status-explanation"', 1)[1].split("</article>", 1)[0]
    assert "进展评估(基期以来)" in facts_card and st["status_zh"] in facts_card
    assert "random_walk" not in facts_card and ">target<" not in facts_card
    api = site.as_role("analyst").get(f"/api/v1/indicators/RD_GDP?unit={DISTRICT}").json()
    assert api["status"]["verdict_reason_zh"] == st["verdict_reason_zh"]
    facts = by_code(api["explanation"], key="key")
    assert facts["progress_status"]["value"] == st["status_zh"]
    assert facts["forecast_method"]["value"] == "近5年对数随机游走(含漂移)"


def test_unit_page_shows_the_verdicts_of_the_service(site: Site) -> None:
    expected = by_code(status_of(site, unit=DISTRICT)["indicators"])
    page = site.as_role("analyst").get(f"/units/{DISTRICT}").text
    cards = _cards(page)
    assert set(cards) == set(expected)
    for code, found in cards.items():
        _same(found, expected[code])
    # raw values of tasks and submissions are not shown on the Chinese page
    for raw in (">on_track<", ">draft<", ">approved<", ">submitted<", ">behind<"):
        assert raw not in page, raw
    api = site.as_role("analyst").get(f"/api/v1/units/{DISTRICT}").json()
    for row in api["headline"]:
        assert row["verdict_zh"] == expected[row["indicator"]]["verdict_zh"]


def test_english_page_shows_the_english_verdict(site: Site) -> None:
    st = by_code(status_of(site)["indicators"])["RD_GDP"]
    page = html.unescape(site.as_role("analyst").get("/?lang=en").text)
    cards = page.split('id="headline"', 1)[1].split("</section>", 1)[0]
    assert st["verdict_en"] in cards and st["verdict_reason_en"] in cards
    assert st["verdict_reason_zh"] not in cards


def test_task_page_shows_each_target_against_its_path(site: Site) -> None:
    from yanzhi.services.tasks.targets import list_targets

    rows = [t for t in list_targets(site.engine) if t.task == "P5.T1"]
    page = html.unescape(site.as_role("analyst").get("/tasks/P5.T1").text)
    table = page.split('id="table-targets"', 1)[1].split("</table>", 1)[0]
    assert "按进度应达" in table and "进展评估(基期以来)" in table
    for t in rows:
        assert t.verdict_zh in table and t.verdict_reason_zh in table
    api = site.as_role("analyst").get("/api/v1/tasks/P5.T1").json()
    by = {t["code"]: t for t in api["targets"]}
    for t in rows:
        assert by[t.code]["verdict"] == t.verdict
        assert by[t.code]["expected_now"] == pytest.approx(t.expected_now)
