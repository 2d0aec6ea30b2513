"""Every page a role's menu offers, and the detail pages reachable from them (every
indicator, a district, a township, a task, each register, the evaluation of a unit, the
enterprise lists, an enterprise, the data desk, the reports and their previews, the
notifications, the admin pages), shows Chinese only in its visible text: no English
words outside a short allowlist, no raw identifiers, no Python values, no period codes,
no bare web addresses (the rules of tests/web/chinese_support.py, shared with the
documents). Visible text is what a reader sees: the text of the elements (not <script>
or <style>) and the title/alt/placeholder/aria-label attributes — except what a page
marks translate="no": names a user typed (the signed-in account's user name)."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from tests.web.area_support import few_draws  # noqa: F401 (few Monte Carlo draws here)
from tests.web.chinese_support import problems
from tests.web.conftest import Site

ROLES = ("admin", "analyst", "district", "township", "leader", "owner", "enterprise")
# Words a Chinese page may show besides the shared allowlist:
PAGE_ALLOWED = {
    "English",  # the language switch names the other language in that language
    "Excel",  # the name of the file format on export buttons (导出 Excel)
    "Word",  # the name of the file format of a document
    "PDF",  # the name of the file format of a document
    "Office",  # Office 文件: the office suite's files, as its users call them
    "API",  # API 令牌: the tokens of the programming interface have no other name
    "CSV",  # a file format, named like Excel (填报说明, the upload form)
    "WPS",  # WPS Office, the Chinese office suite townships save files with
    "GB",  # GB/T 4754-2017, GB 32100-2015: national standards are cited by their code
    "GBK",  # text encodings as Chinese Windows and Excel name them (填报说明)
    "UTF",
    "Unicode",
}
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area"}
SHOWN_ATTRS = {"title", "alt", "placeholder", "aria-label"}
# Findings not fixed yet, by page (a regular expression on the page's address) and by
# finding (a regular expression on "英文: word", "代码: …"): printed by the test, not
# failed, each with why it is still there. Anything else on any page fails. Shrink this.
OUTSTANDING: list[tuple[str, str, str]] = [
    (
        r"^/$",
        r"英文: (cnmaps|MIT)$",
        "the map data's project and licence, named as its licence asks",
    ),
]
# A whole count printed with decimals (200.00 人年/万人 for a target of 200, 3.00 家):
WHOLE_WITH_DECIMALS = re.compile(
    r"\d\.0+\s*(家|件|个|项|人年|人)(?![/\u4e00-\u9fff])|\d\.00\s*(件|人年|人)/万人"
)
SKIP = re.compile(
    r"^/(api/|static/|lang/|logout|login)|\.(xlsx|csv|docx|pdf|css|js|png|svg|json)$"
    r"|^/reports/download/|/evidence/"
)


class _Visible(HTMLParser):
    """The text a reader sees, and the links of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._verbatim: list[str] = []  # open elements marked translate="no"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        if tag not in VOID and (values.get("translate") == "no" or self._verbatim):
            self._verbatim.append(tag)
        self.parts += [v for k, v in attrs if k in SHOWN_ATTRS and v]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self._verbatim and self._verbatim[-1] == tag:
            self._verbatim.pop()
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and not self._verbatim:
            self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    """(visible text, links) of an HTML page."""
    parser = _Visible()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip()), parser.links


def _menu(url: str, depth: int) -> bool:
    """A page of the role's menu (each role reads its own: scope changes what it shows)."""
    return depth == 1 and urlsplit(url).path.count("/") == 1


def _in_line(text: str, issue: str) -> str:
    """The issue with the first line of the page that shows it."""
    word = issue.split(": ", 1)[1]
    line = next((ln for ln in text.splitlines() if word in ln), "")
    return f"{issue} «{line[:120]}»"


def _outstanding(url: str, issue: str) -> bool:
    return any(re.search(p, url) and re.search(f, issue) for p, f, _ in OUTSTANDING)


def _shape(path: str) -> str:
    """The route a path belongs to: one page per shape is enough (a digit stands for any
    digit, so a district's code and a township's are two shapes), except indicators:
    every one is read, each has its own unit, precision and sources."""
    if path.startswith("/indicators/"):
        return path
    return re.sub(r"\d", "9", re.sub(r"/[0-9A-Z]{18}(?=/|$)", "/{uscc}", path))


def _crawl(site: Site, role: str, seen: set[str], found: dict[str, list[str]]) -> set[str]:
    """Visit the role's menu (every role its own) and what its pages link to (up to three
    levels down), one page per shape not yet ``seen`` by any role; put each page's
    problems in ``found``; return the pages visited."""
    client = site.as_role(role)
    queue: deque[tuple[str, int]] = deque([("/", 0)])
    visited: set[str] = set()
    mine: set[str] = set()  # the shapes this role has queued
    while queue:
        url, depth = queue.popleft()
        path = urlsplit(url).path
        key = _shape(path)
        if url in visited or (depth > 0 and key in seen and not _menu(url, depth)):
            continue
        visited.add(url)
        seen.add(key)
        r = client.get(url)
        assert r.status_code == 200, (role, url, r.status_code, r.text[:200])
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        text, links = visible(r.text)
        shown = urlsplit(str(r.url)).path  # after a redirect (an enterprise user's /)
        issues = problems(text, PAGE_ALLOWED)
        issues += [f"小数: {m.group(0)}" for m in WHOLE_WITH_DECIMALS.finditer(text)]
        if issues := [i for i in issues if not _outstanding(shown, i)]:
            found[f"{role} {url}"] = [_in_line(text, i) for i in issues]
        if depth >= 3:
            continue
        for link in links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if SKIP.search(parts.path) or "page=" in parts.query:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            key = _shape(parts.path)
            menu = depth == 0 and parts.path.count("/") == 1  # /indicators, /data, …
            if target not in visited and key not in mine and (menu or key not in seen):
                mine.add(key)
                queue.append((target, depth + 1))
    return visited


@pytest.fixture(scope="module")
def crawl(site: Site) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """(role → pages visited, page → problems) over every role."""
    seen: set[str] = set()
    found: dict[str, list[str]] = {}
    visited = {role: _crawl(site, role, seen, found) for role in ROLES}
    return visited, found


def test_every_page_is_chinese_only(
    crawl: tuple[dict[str, set[str]], dict[str, list[str]]],
) -> None:
    assert not crawl[1], "\n".join(f"{page}: {issues}" for page, issues in crawl[1].items())


def test_the_crawl_reaches_the_detail_pages(
    site: Site, crawl: tuple[dict[str, set[str]], dict[str, list[str]]]
) -> None:
    pages = {urlsplit(u).path for urls in crawl[0].values() for u in urls}
    listed = site.as_role("analyst").get("/api/v1/indicators?size=500").json()
    indicators = {r["indicator"] for r in listed["items"]}
    assert len(indicators) == listed["total"] >= 10
    assert {f"/indicators/{c}" for c in indicators} <= pages
    shapes = {_shape(p) for p in pages}
    for expected in (
        "/units/999999",  # a district
        "/units/999999999",  # a township
        "/tasks/supervision",
        "/tasks/guarantees",
        "/tasks/reforms",
        "/registers",
        "/evaluation",
        "/evaluation/method",
        "/evaluation/assessment",
        "/enterprises/{uscc}",
        "/data",
        "/data/nonreporters",
        "/reports",
        "/notifications",
        "/admin",
        "/admin/audit",
        "/admin/tokens",
        "/admin/calendar",
        "/admin/plan-draft",
    ):
        assert expected in shapes, expected
    assert any(re.fullmatch(r"/tasks/P\d+\.T\d+", p) for p in pages)
    assert any(p.startswith("/registers/") for p in pages)
    assert any(p.startswith("/enterprises/lists/") for p in pages)
    assert any(p.startswith("/admin/users/") for p in pages)


def test_the_visible_text_is_what_a_reader_sees() -> None:
    html = (
        '<p title="标题 hint">正文 <a href="/x?code=RD_GDP">链接</a></p>'
        "<script>var on_track = None;</script><style>.draft{}</style>"
        '<input type="submit" value="提交 submit"><span translate="no">admin</span>'
        '<img alt="图 figure"><input name="period" value="2026-01..10">'
    )
    text, links = visible(html)
    assert set(text.split()) == {"标题", "hint", "正文", "链接", "提交", "submit", "图", "figure"}
    assert links == ["/x?code=RD_GDP"]
    assert problems("目标 200.00 人年/万人") == []  # the shared rules do not see decimals
    assert WHOLE_WITH_DECIMALS.search("目标 200.00 人年/万人")
    assert WHOLE_WITH_DECIMALS.search("基期值 10,537.00 家")
    assert not WHOLE_WITH_DECIMALS.search("目标 3.75 % · 185.4 人年/万人 · 200 人年/万人")
    assert not WHOLE_WITH_DECIMALS.search("预测13.0件/万人")


def test_a_source_shows_its_publisher_and_links_the_address() -> None:
    from yanzhi.web.sourcetext import source_html

    note = "科技局工作目标(kjj.ningbo.gov.cn/art/2024/3/20/a.html; ningbo_facts.md §1 [e])"
    html = str(source_html(note))
    text, links = visible(html)
    assert text.replace("\n", "") == "科技局工作目标(宁波市科学技术局网站; 平台资料注记第1节)"
    assert links == ["https://kjj.ningbo.gov.cn/art/2024/3/20/a.html"]
    assert str(source_html("x <b>, zjwlzx.com/n.php?a=1&b=2")) == (
        'x &lt;b&gt;, <a href="https://zjwlzx.com/n.php?a=1&amp;b=2" rel="noopener" '
        'target="_blank">转载网页</a>'
    )
    assert str(source_html(note, "en")) == note  # an English page keeps the address
    assert problems(text) == []


def test_file_pickers_use_the_chinese_macro() -> None:
    """The browser's own file button reads "Choose File" / "No file chosen" in an English
    browser: every template uses _macros.html's file_input instead of a bare input."""
    from pathlib import Path

    import yanzhi.web

    templates = Path(yanzhi.web.__file__).parent / "templates"
    bare = [
        p.name
        for p in templates.rglob("*.html")
        if p.name != "_macros.html" and 'type="file"' in p.read_text(encoding="utf-8")
    ]
    assert bare == []
