"""The data commands end to end: import / validate with --json and exit codes, the
workflow commands, templates, and the demo data set imported through the CLI."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yanzhi.cli.main import app

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()


def run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def db(db_url):
    run("init", "--database", db_url)
    return db_url


def test_import_json_report_and_exit_codes(db):
    out = json.loads(
        run(
            "import",
            "enterprises",
            DATA / "imports" / "enterprises.csv",
            "--json",
            "--database",
            db,
        ).stdout
    )
    assert {k: out[k] for k in ("ok", "rows", "created", "updated")} == {
        "ok": True,
        "rows": 20,
        "created": 20,
        "updated": 0,
    }
    assert out["errors"] == [] and out["warnings"] == []
    bad = DATA / "bad" / "data" / "rd__uscc.csv"
    out = json.loads(run("validate", "rd", bad, "--json", "--database", db, code=1).stdout)
    assert out["ok"] is False and out["rows"] == 20 and out["created"] == out["updated"] == 0
    (err,) = out["errors"]
    assert (err["rule"], err["row"], err["column"]) == (
        "uscc",
        4,
        "统一社会信用代码",
    )  # the 4th line of the file
    text = run("import", "rd", bad, "--database", db, code=1).output
    assert "nothing was stored" in text and "统一社会信用代码" in text


def test_validate_is_a_dry_run_and_reimport_says_no_change(db):
    run("import", "enterprises", DATA / "imports" / "enterprises.csv", "--database", db)
    rd = DATA / "imports" / "rd_2024-01..05.csv"
    out = json.loads(run("validate", "rd", rd, "--json", "--database", db).stdout)
    assert out["ok"] and out["dry_run"] and out["created"] == 20
    run("import", "rd", rd, "--database", db)
    assert "no change" in run("import", "rd", rd, "--database", db).stdout


def test_workflow_commands(db):
    run("import", "enterprises", DATA / "imports" / "enterprises.csv", "--database", db)
    run("import", "rd", DATA / "imports" / "rd_2024-01..05.csv", "--database", db)
    out = json.loads(
        run(
            "submit", "--period", "2024年1-5月", "--org-unit", "330206", "--json", "--database", db
        ).stdout
    )
    assert out["period"] == "2024-01..05" and len(out["changed"]) == 12
    run("approve", "--period", "2024-01..05", "--org-unit", "330206", "--database", db)
    run("unlock", "--period", "2024-01..05", "--org-unit", "330206001", "--database", db, code=2)
    run(
        "unlock",
        "--period",
        "2024-01..05",
        "--org-unit",
        "330206001",
        "--reason",
        "更正",
        "--database",
        db,
    )
    rows = json.loads(
        run(
            "completeness",
            "--period",
            "2024-01..05",
            "--level",
            "district",
            "--json",
            "--database",
            db,
        ).stdout
    )
    beilun = next(r for r in rows if r["code"] == "330206")
    assert (beilun["expected"], beilun["received"]) == (10, 10)
    assert beilun["statuses"] == {"approved": 11, "draft": 1}


def test_template_command(tmp_path):
    out = tmp_path / "t.xlsx"
    run("template", "enterprises", "--out", out)
    assert out.stat().st_size > 0
    run("template", "nonsense", "--out", out, code=2)


def test_demo_data_imports_with_zero_errors_and_matches_the_published_totals(db, tmp_path):
    out = json.loads(
        run(
            "demo-data",
            "--enterprises",
            400,
            "--seed",
            7,
            "--out",
            tmp_path,
            "--json",
            "--database",
            db,
        ).stdout
    )
    assert out["imports"] and all(i["ok"] and i["errors"] == 0 for i in out["imports"])
    assert {p.suffix for p in tmp_path.iterdir()} >= {".csv", ".xlsx", ".txt"}
    from sqlalchemy import text

    from yanzhi.storage.db import make_engine

    eng = make_engine(db)
    with eng.connect() as c:
        totals = dict(
            c.execute(
                text(
                    "SELECT period, sum(rd_expense) FROM rd_report WHERE period IN "
                    "('2021-01..12', '2022-01..12', '2024-01..06', '2024-01..11') GROUP BY period"
                )
            ).all()
        )
        synthetic = c.execute(
            text("SELECT count(*) FROM enterprise WHERE synthetic = :f OR name NOT LIKE '演示%'"),
            {"f": False},
        ).scalar()
        gdp = c.execute(
            text(
                "SELECT value, synthetic FROM statistic WHERE element = 'gdp' "
                "AND org_unit_code = '330200' AND period = '2024'"
            )
        ).one()
    eng.dispose()
    # 万元; published: 503.0 亿 (2021), 599.3 亿 (2022), 316.2 亿 (2024 1–6), 611.4 亿 (2024 1–11)
    assert totals["2021-01..12"] == pytest.approx(5_030_000, rel=1e-3)
    assert totals["2022-01..12"] == pytest.approx(5_993_000, rel=1e-3)
    assert totals["2024-01..06"] == pytest.approx(3_162_000, rel=1e-3)
    assert totals["2024-01..11"] == pytest.approx(6_114_000, rel=1e-3)
    assert synthetic == 0
    assert gdp.value == pytest.approx(18147.7) and not gdp.synthetic


def test_the_old_unit_flags_still_work_with_a_deprecation_message(db):
    """``--unit`` was both the money unit (import) and the org unit (workflow); it is now
    ``--money-unit`` / ``--org-unit`` and the old spelling warns on stderr for a release."""
    run("import", "enterprises", DATA / "imports" / "enterprises.csv", "--database", db)
    rd = DATA / "imports" / "rd_2024-01..05.csv"
    new = json.loads(run("validate", "rd", rd, "--money-unit", "万元", "--json", "-d", db).stdout)
    res = run("validate", "rd", rd, "--unit", "万元", "--json", "-d", db)
    assert json.loads(res.stdout) == new and "--money-unit" in res.stderr
    assert "已弃用" in res.stderr and "deprecated" in res.stderr
    res = run("submit", "--period", "2024-01..05", "--unit", "330206", "--json", "-d", db)
    assert len(json.loads(res.stdout)["changed"]) == 12 and "--org-unit" in res.stderr
    run("approve", "--period", "2024-01..05", "-d", db, code=2)  # no unit at all
