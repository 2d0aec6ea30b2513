"""`yanzhi indicators compute`, `status`, `attribution`, `warnings` on a small demo panel."""

import json

from typer.testing import CliRunner

from yanzhi.cli.main import app

runner = CliRunner()


def run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def test_compute_status_attribution_warnings(demo_db):
    out = json.loads(run("indicators", "compute", "--json", "--database", demo_db).stdout)
    assert out["rows"] > 1000 and out["approved_only"] is True
    data = json.loads(run("status", "--org-unit", "330282", "--json", "--database", demo_db).stdout)
    first = data["indicators"][0]
    assert {"value", "target", "status", "forecast"} <= first.keys()
    assert first["target"] == 3.75 and data["unit"]["name"] == "慈溪市"
    text = run("status", "--database", demo_db).stdout
    assert "规上工业" in text and "SYNTHETIC" in text
    attr = json.loads(
        run(
            "attribution",
            "--indicator",
            "IND_RD_INTENSITY",
            "--from",
            "2022",
            "--to",
            "2024",
            "--by",
            "township",
            "--json",
            "--database",
            demo_db,
        ).stdout
    )
    assert abs(attr["within"] + attr["structure"] - attr["change"]) < 1e-12
    assert len(attr["groups"]) > 100
    warn = json.loads(run("warnings", "--json", "--database", demo_db).stdout)
    assert set(warn) == {
        "off_track",
        "falling_townships",
        "stopped_enterprises",
        "stopped",
        "synthetic",
    }
    run(
        "override-status",
        "--indicator",
        "RD_GDP",
        "--org-unit",
        "330282",
        "--status",
        "deterioration",
        "--database",
        demo_db,
        code=2,
    )  # no reason
    run(
        "override-status",
        "--indicator",
        "RD_GDP",
        "--org-unit",
        "330282",
        "--status",
        "deterioration",
        "--reason",
        "口径调整",
        "--database",
        demo_db,
    )
    data = json.loads(run("status", "--org-unit", "330282", "--json", "--database", demo_db).stdout)
    assert data["indicators"][0]["status"] == "deterioration"
    run(
        "override-status",
        "--indicator",
        "RD_GDP",
        "--org-unit",
        "330282",
        "--clear",
        "--database",
        demo_db,
    )
    run("attribution", "--by", "county", "--database", demo_db, code=2)
    run("status", "--org-unit", "1", "--database", demo_db, code=2)
