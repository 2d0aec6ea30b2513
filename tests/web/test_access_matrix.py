"""The access-control matrix: every role × every route × objects inside and outside the
role's scope, generated from the app's own routes at test time, so a route added
anywhere is covered without touching this file — unless its path names an object of a
kind this file does not know, and then the first test fails until the kind is listed.

What each cell should be comes from the rules in yanzhi.services.access.scope (can_see_unit,
sees_task, ACTIONS) and yanzhi.services.access (check_enterprise), never from a table of
expected statuses. Hard failures: a server error anywhere; a 2xx for an object outside
the caller's scope; a response body (JSON, or an HTML page's links and page data) naming
a unit, enterprise or task outside the scope; a 403 for an object inside the scope of a
role allowed to read it; a write (submit, approve, unlock, import, …) that a role not
allowed by scope.ACTIONS, or a scoped role outside its scope, gets done. In-scope cells
answering 404 and writes whose body could not be made valid are reported, not failed."""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.openapi.utils import get_openapi
from sqlalchemy import select
from starlette.routing import Mount
from tests.web.conftest import Site
from tests.web.routes import all_routes, choices, fill, params_of, request_body

from yanzhi.core.orgtree import OrgTree
from yanzhi.services.access import scope
from yanzhi.services.access.principal import (
    PermissionDenied,
    Principal,
    check_enterprise,
    home_of,
)
from yanzhi.services.plan import orgunits
from yanzhi.services.tasks.updates import board
from yanzhi.storage.datamodels import SubmissionRow
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.plans import get_plan

ROLES = ("admin", "analyst", "district", "township", "leader", "owner", "enterprise")
SCOPED = {"district", "township", "owner", "enterprise"}

# Path parameter -> kind of object. Names that mean one thing everywhere:
BY_NAME = {
    "unit": "unit",
    "uscc": "enterprise",
    "username": "account",
    "token_id": "token",
    "period": "period",
    "action": "workflow",
    "sha256": "evidence",
    "lg": "lang",
    "batch_id": "batch",  # an exchange batch: only its sender (a machine token) sees it
}
# Names whose meaning depends on the collection before them (/units/{code}, /tasks/{code}):
AMBIGUOUS = {"code", "kind", "name", "id"}
BY_SEGMENT = {
    "units": "unit",
    "tasks": "task",
    "indicators": "indicator",
    "registers": "register",
    "templates": "template",
    "reports": "report",
    "download": "report",  # /reports/download/{kind}
    "preview": "report",  # /reports/preview/{kind}
    "lists": "list",
    "enterprises": "enterprise",
}
SCOPED_KINDS = {"unit", "enterprise", "task", "account", "token"}
# Query parameters that select an object of a scoped kind:
QUERY_KINDS = {
    "unit": "unit",
    "township": "unit",
    "district": "unit",
    "parent": "unit",
    "uscc": "enterprise",
    "enterprise": "enterprise",
    "task": "task",
}
QUERY_BY_ROUTE = {("/api/v1/reports/{kind}", "code"): "unit"}
# The action a role needs to read under a path (default "read"):
READ_ACTIONS = [
    (r"^(/api/v1)?/admin(/|$)", "admin"),
    (r"^(/api/v1)?/evaluation(/|$)", "evaluate"),
    (r"^(/api/v1)?/(enterprises|lists|cases)(/|$)", "read_enterprises"),
    (r"^(/api/v1)?/data/nonreporters", "read_enterprises"),
    (r"^(/api/v1)?/reports(/|$)", "reports"),
]
# Writes: path pattern -> the scope.ACTIONS entry that allows it ("{action}": the path's
# own {action} parameter; None: open to every signed-in user, for their own session/tokens).
WRITE_ACTIONS: list[tuple[str, str | None]] = [
    (r"^(/api/v1)?/(auth/|login$|logout$|tokens)", None),
    (r"^/admin/calendar/(rules|overrides)$", "admin"),  # the calendar page's forms
    (r"^(/api/v1)?/admin(/|$)", "admin"),
    (r"^/api/v1/data/calendar/(rules|overrides)$", "admin"),  # the reporting calendar
    (r"/registers/\{kind\}/import$", "register_write"),
    (r"/submissions/\{unit\}/\{period\}/(submit|approve|unlock)$", "<last>"),
    (r"/submissions/\{unit\}/\{period\}/\{action\}$", "{action}"),
    (r"^(/api/v1/data/imports|/data)$", "import"),
    (r"/tasks/\{code\}/reports?$", "task_report"),
    (r"/tasks/\{code\}/comments?$", "comment"),
    (r"/tasks/\{code\}/(owners|milestones?)$", "task_manage"),
    (r"/tasks/supervision/remind$", "task_manage"),
    (r"/data/nonreporters/remind$", "remind"),
    (r"/enterprises/\{uscc\}/case(/|$)", "casework"),
    (r"/evaluation/assessment/\{unit\}/submit$", "submit"),
    (r"/evaluation/assessment/(\{unit\}/review|publish|lock)$", "approve"),
    (r"^(/api/v1)?/notifications/read$", None),
    # machine tokens only (no person's role may send filings): test_exchange_e2e.py checks
    (r"^/api/v1/exchange/filings", None),
]
# Page forms read by hand (no request body in their schema) take the body of this API route:
BODY_FROM = {
    "/tasks/{code}/report": "/tasks/{code}/reports",
    "/evaluation/assessment/{unit}/submit": "/evaluation/assessment/{unit}/submit",
    "/evaluation/assessment/{unit}/review": "/evaluation/assessment/{unit}/review",
    "/evaluation/assessment/publish": "/evaluation/assessment/publish",
    "/evaluation/assessment/lock": "/evaluation/assessment/lock",
}
UNIT_KEYS = {"code", "unit", "unit_code", "township", "township_code", "district"}
UNIT_KEYS |= {"district_code", "parent", "parent_code", "org_unit", "org_unit_code"}
# An entry with nothing but these only names a unit (a choice in a form, a label): the
# division list is public reference data, so such entries are not checked; an entry
# with any figure or record about the unit is.
IDENTITY = {"code", "name", "name_en", "level", "kind", "kind_zh", "parent", "parent_code"}
ENTERPRISE_KEYS = {"uscc", "enterprise"}
TASK_KEYS = {"code", "task", "task_code"}
PAGE_DATA = re.compile(r'<script type="application/json" id="page-data">(.*?)</script>', re.S)
LINKS = {
    "unit": re.compile(r'href="(?:/api/v1)?/(?:evaluation/)?units/([^/"?#]+)'),
    "enterprise": re.compile(r'href="(?:/api/v1)?/enterprises/([0-9A-Z]{18})'),
    "task": re.compile(r'href="(?:/api/v1)?/tasks/([^/"?#]+)'),
}


@dataclass
class World:
    """The demo's objects, the accounts' principals and the sample of each kind."""

    tree: OrgTree
    people: dict[str, Principal]
    townships: dict[str, str]  # uscc -> township
    tasks: dict[str, tuple[str | None, list[str]]]  # code -> (lead, co-units)
    samples: dict[str, list[str]]
    fixed: dict[str, str]
    report: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    cells: int = 0
    outside: dict[str, int] = field(default_factory=dict)  # out-of-scope cells per kind

    def reset(self) -> None:
        self.report, self.failures, self.cells = [], [], 0

    def sees(self, who: str, kind: str, value: str) -> bool:
        p = self.people[who]
        if kind == "unit":
            return scope.can_see_unit(p, value, self.tree)
        if kind == "enterprise":
            if p.role != "enterprise" and not scope.can(p, "read_enterprises"):
                return False
            try:
                check_enterprise(p, uscc=value, township=self.townships[value], tree=self.tree)
            except PermissionDenied:
                return False
            return True
        if kind == "task":
            lead, co = self.tasks[value]
            return scope.can(p, "read") and scope.sees_task(p, lead, co, self.tree)
        if kind in ("account", "token"):
            return scope.can(p, "admin")
        return True

    def may_change(self, who: str, kind: str, value: str) -> bool:
        p = self.people[who]
        if kind == "unit":
            return scope.can_change_unit(p, value, self.tree)
        return self.sees(who, kind, value)


@pytest.fixture(scope="module")
def world(site: Site) -> World:
    tree = orgunits.org_tree(site.engine)
    acc = site.accounts
    people = {
        n: Principal(n, a["role"], unit=a["unit"], enterprise=a["enterprise"])
        for n, a in acc.items()
    }
    city = tree.roots()[0].code
    district, township = acc["district"]["unit"], acc["township"]["unit"]
    other_district = next(u.code for u in tree.children(city) if u.code != district)
    sibling = next(u.code for u in tree.children(district) if u.code != township)
    far = tree.children(other_district)[0].code
    with transaction(site.engine) as s:
        index = enterprise_index(s)
        plan = get_plan(s)
        periods = sorted(set(s.scalars(select(SubmissionRow.period).distinct())))
    located = dict(zip(index["uscc"], index["township_code"], strict=True))
    own = acc["enterprise"]["enterprise"]

    def first(where: Any) -> list[str]:
        return [u for u, t in located.items() if u != own and where(t)][:1]

    enterprises = [own, *first(lambda t: t == township)]  # own, a neighbour in its township,
    enterprises += first(lambda t: t != township and tree.is_within(t, district))  # its district
    enterprises += first(lambda t: tree.is_within(t, other_district))  # and further away
    tasks = {t.code: (t.lead, t.co_units) for t in board(site.engine).tasks}
    dept = acc["owner"]["unit"]
    mine = next(c for c, (lead, co) in tasks.items() if dept == lead or dept in co)
    theirs = next(c for c, (lead, co) in tasks.items() if dept != lead and dept not in co)
    task_samples = [mine, theirs]
    local = [c for c, (lead, co) in tasks.items() if any(u in tree for u in [lead, *co])]
    task_samples += local[:1]
    return World(
        tree=tree,
        people=people,
        townships=located,
        tasks=tasks,
        samples={
            "unit": [city, district, township, sibling, other_district, far],
            "enterprise": enterprises,
            "task": task_samples,
            "account": ["admin"],
            "token": [],
        },
        fixed={
            "indicator": plan.indicators[0].code,
            "register": "scenario",
            "template": "rd",
            "period": periods[-1] if periods else "2026-01..10",
            "evidence": "0" * 64,
            "lang": "en",
            "report": "monthly",
            "list": "priority",
            "workflow": "submit",
            "batch": "no-such-batch",  # a person's token is refused (401) before the lookup
        },
    )


# ----------------------------------------------------------------------------- routes


def kind_of(path: str, name: str) -> str | None:
    if name in BY_NAME:
        return BY_NAME[name]
    if name in AMBIGUOUS:
        segments = path.split("/")
        at = next(i for i, s in enumerate(segments) if "{" + name in s)
        return BY_SEGMENT.get(segments[at - 1])
    return None


def read_action(path: str) -> str:
    return next((a for pattern, a in READ_ACTIONS if re.search(pattern, path)), "read")


def summary(lines: list[str], shown: int = 40) -> str:
    more = f"\n… and {len(lines) - shown} more" if len(lines) > shown else ""
    return f"{len(lines)} failed cells:\n" + "\n".join(lines[:shown]) + more


def test_every_path_parameter_has_a_known_kind(site: Site) -> None:
    found = {(p, m) for p, r in all_routes(site.app) for m in r.methods}
    assert {("/", "GET"), ("/api/v1/admin/users", "POST"), ("/admin/audit", "GET")} <= found
    unknown = [
        f"{path} {{{name}}}"
        for path, _ in all_routes(site.app)
        for name in params_of(path)
        if kind_of(path, name) is None
    ]
    assert not unknown, (
        "routes with path parameters of unknown kind (add them to BY_NAME / BY_SEGMENT in "
        f"tests/web/test_access_matrix.py so the matrix checks them): {unknown}"
    )


# ----------------------------------------------------------------------------- body scans


def leaks(world: World, who: str, data: Any) -> list[str]:
    """The units, enterprises and tasks named in ``data`` that ``who`` may not see.
    Skipped: an entry marked ``"visible": false`` (a map's grey district) and an entry
    that only names a unit (IDENTITY)."""
    p = world.people[who]
    found: list[str] = []

    def seen(kind: str, value: str) -> bool:
        if kind == "unit" and p.role == "enterprise":  # its own location and the units above
            home = world.townships[p.enterprise or ""]
            return value == home or any(a.code == value for a in world.tree.ancestors(home))
        return world.sees(who, kind, value)

    checked = [
        ("unit", UNIT_KEYS, world.tree),
        ("enterprise", ENTERPRISE_KEYS, world.townships),
        ("task", TASK_KEYS, world.tasks),
    ]

    def walk(node: Any, at: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{at}[{i}]")
        elif isinstance(node, dict) and node.get("visible") is not False:
            only_names = not set(node) - IDENTITY
            for key, value in node.items():
                if not isinstance(value, str):
                    walk(value, f"{at}.{key}")
                    continue
                found.extend(
                    f"{kind} {value} at {at}.{key}"
                    for kind, keys, known in checked
                    if key in keys
                    and value in known
                    and not (kind == "unit" and only_names)
                    and not seen(kind, value)
                )

    walk(data, "")
    return found


def scan(world: World, who: str, response: Any) -> list[str]:
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return leaks(world, who, response.json())
    if kind.startswith("text/html"):
        text = response.text
        key = {"unit": "unit", "enterprise": "uscc", "task": "task"}
        found = [
            f"link to {x.split(' at ')[0]}"
            for k, pattern in LINKS.items()
            for v in set(pattern.findall(text))
            for x in leaks(world, who, {key[k]: v})
        ]
        for blob in PAGE_DATA.findall(text):
            found += leaks(world, who, json.loads(blob))
        return found
    return []


# ----------------------------------------------------------------------------- reads


Cell = tuple[list[tuple[str, str]], dict[str, str]]


def read_cells(world: World, path: str, route: Any) -> list[Cell]:
    """For each object to try: its scoped (kind, value) pairs and the path's values."""
    names = params_of(path)
    options: list[list[tuple[str, str, str]]] = []
    for name in names:
        kind = kind_of(path, name) or ""
        if kind in SCOPED_KINDS:
            options.append([(name, kind, v) for v in world.samples[kind]])
        else:
            values = choices(route, name) or [world.fixed[kind]]
            options.append([(name, "", v) for v in values])
    return [
        ([(k, v) for _, k, v in combo if k], {n: v for n, _, v in combo})
        for combo in itertools.product(*options)
    ]


def check_read(world: World, site: Site, who: str, path: str, route: Any) -> None:
    action = read_action(path)
    for scoped, values in read_cells(world, path, route):
        url = fill(path, values)
        r = site.as_role(who).get(url, follow_redirects=False)
        world.cells += 1
        where = f"{who} GET {url} -> {r.status_code}"
        if r.status_code >= 500:
            world.failures.append(f"server error: {where}")
            continue
        visible = all(world.sees(who, k, v) for k, v in scoped)
        allowed = scope.can(world.people[who], action) or any(k == "enterprise" for k, _ in scoped)
        if scoped and not visible:
            for k, v in scoped:
                if not world.sees(who, k, v):
                    world.outside[k] = world.outside.get(k, 0) + 1
            if 200 <= r.status_code < 300:
                world.failures.append(f"out-of-scope object served: {where}")
            elif r.status_code not in (403, 404):
                world.report.append(f"out-of-scope answered {r.status_code}: {where}")
        elif scoped and allowed and r.status_code == 403:
            world.failures.append(f"in-scope object refused: {where} ({r.text[:120]})")
        elif scoped and allowed and r.status_code != 200:
            world.report.append(f"in-scope object not served: {where}")
        if r.status_code == 200:
            world.failures += [f"{where} shows {x}" for x in scan(world, who, r)]


def query_cells(world: World, path: str, route: Any) -> list[tuple[str, str]]:
    return [
        (q.alias, QUERY_BY_ROUTE.get((path, q.alias)) or QUERY_KINDS.get(q.alias, ""))
        for q in route.dependant.query_params
        if QUERY_BY_ROUTE.get((path, q.alias)) or q.alias in QUERY_KINDS
    ]


def check_query(world: World, site: Site, who: str, path: str, route: Any) -> None:
    """A list filtered by an object outside the scope must not show that object."""
    for name, kind in query_cells(world, path, route):
        hidden = [v for v in world.samples[kind] if not world.sees(who, kind, v)]
        for value in hidden[:2]:
            for _, values in read_cells(world, path, route)[:1]:
                r = site.as_role(who).get(fill(path, values), params={name: value})
                world.cells += 1
                where = f"{who} GET {fill(path, values)}?{name}={value} -> {r.status_code}"
                if r.status_code >= 500:
                    world.failures.append(f"server error: {where}")
                elif r.status_code == 200:
                    shown = scan(world, who, r)
                    world.failures += [f"{where} shows {x}" for x in shown]
                    ctype = r.headers.get("content-type", "")
                    if not ctype.startswith(("application/json", "text/html")):
                        world.report.append(f"file served, cannot tell: {where}")


def test_read_matrix(site: Site, world: World) -> None:
    world.reset()
    gets = [(p, r) for p, r in all_routes(site.app) if "GET" in r.methods]
    took: dict[str, float] = {}
    for path, route in gets:
        if any(kind_of(path, n) is None for n in params_of(path)):
            continue  # reported by test_every_path_parameter_has_a_known_kind
        start = time.perf_counter()
        for who in ROLES:
            check_read(world, site, who, path, route)
            check_query(world, site, who, path, route)
        took[path] = time.perf_counter() - start
    print(
        f"\naccess matrix (reads): {world.cells} cells over {len(gets)} GET routes × "
        f"{len(ROLES)} roles; {len(world.report)} reported, {len(world.failures)} failed"
    )
    slowest = sorted(took.items(), key=lambda kv: -kv[1])[:5]
    print("  slowest:", ", ".join(f"{p} {t:.1f}s" for p, t in slowest))
    for line in world.report:
        print("  report:", line)
    assert not world.failures, summary(world.failures)
    assert all(world.outside.get(k, 0) >= 10 for k in ("unit", "enterprise", "task"))


def test_only_an_enterprise_account_has_an_own_page(site: Site, world: World) -> None:
    """/my and /api/v1/my take no object in the path, so the matrix cannot tell whose page
    it is: an enterprise account gets its own enterprise (and no other), every other role
    is sent to its home page (403 from the API)."""
    for who in ROLES:
        c = site.as_role(who)
        page, api = c.get("/my", follow_redirects=False), c.get("/api/v1/my")
        if who == "enterprise":
            assert page.status_code == api.status_code == 200
            assert api.json()["enterprise"]["uscc"] == world.people[who].enterprise
            assert not scan(world, who, page) and not scan(world, who, api)
        else:
            assert (page.status_code, api.status_code) == (303, 403), who
            assert page.headers["location"] == home_of(world.people[who])


def test_the_body_scan_sees_a_leak(world: World) -> None:
    """The scan is not vacuous: a sibling township's figures are a leak for a township
    officer, its own and its district's are not, and a bare name in a form is not."""
    own, sibling = world.samples["unit"][2], world.samples["unit"][3]
    body = {"items": [{"code": own, "value": 1}, {"unit": sibling, "value": 2}]}
    assert leaks(world, "township", body) == [f"unit {sibling} at .items[1].unit"]
    assert leaks(world, "district", body) == []
    assert leaks(world, "township", {"choices": [{"code": sibling, "name": "x"}]}) == []
    assert leaks(world, "township", {"map": [{"code": sibling, "visible": False}]}) == []
    theirs = world.samples["task"][1]
    assert leaks(world, "owner", {"tasks": [{"code": theirs}]}) == [
        f"task {theirs} at .tasks[0].code"
    ]
    other = world.samples["enterprise"][-1]
    assert leaks(world, "enterprise", {"uscc": other}) == [f"enterprise {other} at .uscc"]


# ----------------------------------------------------------------------------- writes


def write_action(path: str, values: dict[str, str]) -> str | None:
    for pattern, action in WRITE_ACTIONS:
        m = re.search(pattern, path)
        if m:
            if action == "<last>":
                return path.rsplit("/", 1)[1]
            if action == "{action}":
                return values["action"]
            return action
    return "?"


def own_value(world: World, who: str, kind: str) -> str:
    """An object of ``kind`` inside ``who``'s scope (so a refusal is about the role)."""
    seen = [v for v in world.samples[kind] if world.sees(who, kind, v)]
    return (seen or world.samples[kind])[-1 if kind == "unit" else 0]


def test_write_matrix(site: Site, world: World) -> None:
    api = next(r.app for r in site.app.routes if isinstance(r, Mount) and r.path == "/api/v1")
    docs = {
        "/api/v1": api.openapi(),
        "": get_openapi(
            title="pages",
            version="1",
            routes=[r for r in site.app.routes if not isinstance(r, Mount)],
        ),
    }
    world.reset()
    unknown, cells = [], 0
    for path, route in all_routes(site.app):
        for method in sorted(route.methods - {"GET", "HEAD"}):
            prefix = "/api/v1" if path.startswith("/api/v1/") else ""
            names = params_of(path)
            kinds = {n: kind_of(path, n) or "" for n in names}
            for combo in itertools.product(
                *[choices(route, n) or [world.fixed.get(kinds[n], "")] for n in names]
            ):
                values = dict(zip(names, combo, strict=True))
                action = write_action(path, values)
                if action == "?":
                    unknown.append(f"{method} {path}")
                    continue
                if action is None:
                    continue
                hints = {
                    "unit": world.samples["unit"][2],
                    "period": world.fixed["period"],
                    "year": 2026,
                    "password": "matrix-pass-1",
                    "username": "matrixuser",
                }
                body = request_body(docs[prefix], path[len(prefix) :], method, hints)
                if not body and path in BODY_FROM:
                    body = request_body(docs["/api/v1"], BODY_FROM[path], method, hints)
                for who in ROLES:
                    targets = []
                    if not scope.can(world.people[who], action):
                        own = {
                            n: own_value(world, who, k)
                            for n, k in kinds.items()
                            if k in SCOPED_KINDS and world.samples[k]
                        }
                        targets.append(({**values, **own}, "role"))
                    elif who in SCOPED:
                        for n, k in kinds.items():
                            hidden = [
                                v
                                for v in world.samples.get(k, [])
                                if k in SCOPED_KINDS and not world.may_change(who, k, v)
                            ]
                            targets += [({**values, n: v}, "scope") for v in hidden[:2]]
                    for filled, why in targets:
                        url = fill(path, filled)
                        r = site.as_role(who).request(method, url, follow_redirects=False, **body)
                        cells += 1
                        where = f"{who} {method} {url} ({action}, outside {why}) -> {r.status_code}"
                        if r.status_code >= 500 or r.status_code < 400:
                            world.failures.append(f"write not refused: {where} {r.text[:160]}")
                        elif r.status_code not in (403, 404):
                            world.report.append(
                                f"write refused but not for access: {where} {r.text[:200]}"
                            )
    print(
        f"\naccess matrix (writes): {cells} cells; "
        f"{len(world.report)} reported, {len(world.failures)} failed"
    )
    for line in world.report:
        print("  report:", line)
    assert not unknown, (
        "writes without a rule (add them to WRITE_ACTIONS in tests/web/test_access_matrix.py): "
        f"{unknown}"
    )
    assert not world.failures, summary(world.failures)
