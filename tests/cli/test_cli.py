"""The CLI end to end, on every test database: init, plan show/validate/load, orgunits."""

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.storage.db import make_engine

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()


def run(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def dump(url: str) -> list:
    """Every row of every table, to show that a refused command changed nothing."""
    eng = make_engine(url)
    tables = [
        "org_unit",
        "plan",
        "indicator",
        "indicator_target",
        "programme",
        "task",
        "task_target",
        "guarantee",
        "guarantee_rule",
        "audit_log",
    ]
    with eng.connect() as c:
        rows = [
            (t, sorted(map(tuple, c.execute(text(f"SELECT * FROM {t}")).all()), key=repr))
            for t in tables
        ]
    eng.dispose()
    return rows


@pytest.fixture
def inited(db_url):
    run("init", "--database", db_url)
    return db_url


def test_plan_show_json_has_6_programmes_24_tasks_and_5_headline_indicators(inited):
    data = json.loads(run("plan", "show", "--json", "--database", inited).stdout)
    assert len(data["programmes"]) == 6
    assert sum(len(p["tasks"]) for p in data["programmes"]) == 24
    assert all({"code", "title", "tasks"} <= p.keys() for p in data["programmes"])
    assert all(
        {"code", "title", "targets"} <= t.keys() for p in data["programmes"] for t in p["tasks"]
    )
    headline = {
        i["code"]: (i["target"], i["target_year"], i["unit"], i["direction"])
        for i in data["indicators"]
        if i["headline"]
    }
    assert headline == {
        "RD_GDP": (3.75, 2027, "%", "up"),
        "IND_RD_INTENSITY": (3.4, 2027, "%", "up"),
        "HT_SHARE": (66, 2027, "%", "up"),
        "HVIP_PER_10K": (20, 2027, "件/万人", "up"),
        "RD_STAFF_PER_10K": (200, 2027, "人年/万人", "up"),
    }
    assert all(
        {"code", "name", "unit", "direction", "target", "target_year"} <= i.keys()
        for i in data["indicators"]
    )


def test_plan_show_prints_a_readable_tree(inited):
    out = run("plan", "show", "--database", inited).stdout
    assert "P3.T2" in out and "深化关键核心技术攻关" in out and "未分配" in out


def test_orgunits_list(inited):
    units = json.loads(run("orgunits", "list", "--json", "--database", inited).stdout)
    assert len(units) == 173
    assert sum(u["kind"] == "zone" for u in units) == 6
    districts = json.loads(
        run("orgunits", "list", "--level", "district", "--json", "--database", inited).stdout
    )
    assert len(districts) == 10
    beilun = json.loads(
        run("orgunits", "list", "--parent", "330206", "--json", "--database", inited).stdout
    )
    assert (
        len(beilun) == 12
        and {"code": "330206401", "name": "保税区", "kind": "zone"}.items()
        <= next(u for u in beilun if u["code"] == "330206401").items()
    )
    bad = run("orgunits", "list", "--level", "county", "--database", inited, code=2)
    assert "unknown level" in bad.output


def test_init_twice_changes_nothing(inited):
    before = dump(inited)
    out = json.loads(run("init", "--json", "--database", inited).stdout)
    assert out["units_created"] == 0 and out["plan_changes"] == 0
    assert dump(inited) == before


@pytest.mark.parametrize(
    "name",
    [
        "wrong_type",
        "missing_target",
        "task_under_unknown_programme",
        "duplicate_code",
        "many_errors",
    ],
)
def test_a_bad_plan_is_refused_with_every_error_and_nothing_is_loaded(inited, name):
    path = DATA / "bad" / "plans" / f"{name}.yaml"
    n_expected = sum(ln.startswith("# expect:") for ln in path.read_text("utf-8").splitlines())
    report = json.loads(run("plan", "validate", str(path), "--json", code=1).stdout)
    assert report["ok"] is False and len(report["errors"]) == n_expected
    before = dump(inited)
    out = run("plan", "load", str(path), "--database", inited, code=1)
    assert "nothing was stored" in out.output and "未写入" in out.output
    assert dump(inited) == before


def test_plan_validate_ok(ningbo_plan_path):
    out = run("plan", "validate", str(ningbo_plan_path)).stdout
    assert "valid" in out and "24 tasks" in out


def test_plan_load_edit_reload(inited, tmp_path, ningbo_plan_path):
    edited = tmp_path / "plan.yaml"
    shutil.copy(ningbo_plan_path, edited)
    again = json.loads(run("plan", "load", str(edited), "--json", "--database", inited).stdout)
    assert again["changed"] is False
    text_ = edited.read_text("utf-8").replace("value: 3.75", "value: 3.8", 1)
    assert text_ != edited.read_text("utf-8")
    edited.write_text(text_, "utf-8")
    res = json.loads(run("plan", "load", str(edited), "--json", "--database", inited).stdout)
    assert (res["created"], res["updated"], res["deleted"]) == (0, 1, 0)
    assert res["changes"] == ["~ indicator_target ningbo-315-2023-2027:RD_GDP/target:2027: value"]
    eng = make_engine(inited)
    with eng.connect() as c:
        row = c.execute(
            text(
                "SELECT actor, action, changes FROM audit_log "
                "WHERE entity = 'indicator_target' AND action = 'update'"
            )
        ).one()
    eng.dispose()
    changes = row.changes if isinstance(row.changes, dict) else json.loads(row.changes)
    assert row.action == "update" and changes == {"value": [3.75, 3.8]}


def test_commands_on_an_uninitialised_database_say_what_to_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    out = run("plan", "show", "--database", url, code=2)
    assert "yanzhi init" in out.output
    out = run("orgunits", "list", "--database", f"sqlite:///{tmp_path}/no/such/dir.db", code=2)
    assert "does not exist" in out.output


def test_a_second_city_loads_its_own_plan(db_url):
    from yanzhi.ingest.planfile import builtin_plan_path

    run("init", "--database", db_url, "--plan", str(builtin_plan_path("example")))
    data = json.loads(run("plan", "show", "--json", "--database", db_url).stdout)
    assert data["plan"]["synthetic"] is True and data["plan"]["region"] != "330200"


def test_users_take_their_scope_with_org_unit_and_the_old_flag_still_works(inited):
    """Every option that names an org unit is ``--org-unit`` (glossary); ``--unit`` warns."""
    pw = "correct-horse-1\ncorrect-horse-1\n"
    res = runner.invoke(
        app,
        [
            "users",
            "add",
            "wang",
            "--role",
            "township_officer",
            "--org-unit",
            "330212001",
            "--json",
            "--database",
            inited,
        ],
        input=pw,
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        [
            "users",
            "add",
            "li",
            "--role",
            "district_officer",
            "--unit",
            "330212",
            "--json",
            "--database",
            inited,
        ],
        input=pw,
    )
    assert res.exit_code == 0, res.output
    assert "已弃用" in res.stderr and "--org-unit" in res.stderr
    users = {
        u["username"]: u for u in json.loads(run("users", "list", "--json", "-d", inited).stdout)
    }
    assert (users["wang"]["unit"], users["li"]["unit"]) == ("330212001", "330212")
    run("users", "set", "li", "--org-unit", "330206", "--database", inited)
    users = {
        u["username"]: u for u in json.loads(run("users", "list", "--json", "-d", inited).stdout)
    }
    assert users["li"]["unit"] == "330206"
