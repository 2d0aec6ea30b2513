"""`yanzhi evaluate` on a small demo panel: JSON shape, the workbook, bad options."""

import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from yanzhi.cli.main import app

runner = CliRunner()


def run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def test_json_shape_and_workbook(demo_db, tmp_path):
    out = tmp_path / "district.xlsx"
    data = json.loads(
        run("evaluate", "--level", "district", "--year", 2024, "--uncertainty", 20,
            "--out", out, "--json", "--database", demo_db).stdout
    )  # fmt: skip
    assert data["ok"] is True and data["level"] == "district" and data["year"] == 2024
    assert data["n_units"] == 10 and data["synthetic"] is True
    assert data["uncertainty"] == {"draws": 20, "seed": 1}
    assert data["workbook"] == str(out)
    first = data["results"][0]
    keys = {"uCode", "uName", "Rank", "GroupRank", "Grade", "Score", "Index", "Bonus",
            "Deduction", "ScoreChange", "RankChange", "RankQ5", "RankQ95", "Strengths",
            "Weaknesses", "Lifts", "Drags", "INPUT", "ACTORS", "OUTPUT", "ENV"}  # fmt: skip
    assert keys <= first.keys()
    assert first["Rank"] == 1 and isinstance(first["Strengths"], list)
    wb = load_workbook(out)
    ranked = [r for r in wb["排名"].iter_rows(values_only=True) if isinstance(r[0], int | float)]
    assert len(ranked) == 10  # one row per district, under the title, label and header


def test_human_output_township(demo_db):
    text = run("evaluate", "--level", "township", "--year", 2024, "--database", demo_db).stdout
    assert "SYNTHETIC" in text and "Top 10" in text and "Bottom 5" in text
    assert "zone" in text


def test_bad_level_exits_2(demo_db):
    result = run("evaluate", "--level", "village", "--year", 2024, "--database", demo_db, code=2)
    assert "township" in result.output
    result = run("evaluate", "--level", "district", "--year", 1990, "--json",
                 "--database", demo_db, code=2)  # fmt: skip
    assert json.loads(result.stdout)["ok"] is False
