import json

from sqlalchemy import text
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.storage.db import make_engine

runner = CliRunner()


def run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def test_enterprise_policy_and_lists_commands(demo_db, tmp_path):
    eng = make_engine(demo_db)
    with eng.connect() as c:
        a, b = [r[0] for r in c.execute(text("SELECT uscc FROM enterprise ORDER BY uscc LIMIT 2"))]
    eng.dispose()
    d = json.loads(run("enterprise", "diagnose", a, "--json", "--database", demo_db).stdout)
    assert d["enterprise"]["uscc"] == a
    run("enterprise", "show", b, "--as-enterprise", a, "--database", demo_db, code=2)
    calc = json.loads(
        run("policy", "calc", a, "--year", "2025", "--json", "--database", demo_db).stdout
    )
    assert calc["rules_version"] == "2026.3" and len(calc["benefits"]) == 4
    rules = json.loads(run("policy", "rules", "--json").stdout)
    assert any(r["set_locally"] for r in rules["rules"])
    out = tmp_path / "p.xlsx"
    run("lists", "priority", "--year", "2025", "--out", out, "--database", demo_db)
    assert out.stat().st_size > 0
    run("lists", "points", "--year", "2025", "--json", "--database", demo_db)
    run("enterprise", "diagnose", "NOPE", "--database", demo_db, code=2)


def test_post_subsidy_and_budget_commands_give_the_services_figures(demo_db, tmp_path):
    from yanzhi.services.access.principal import SYSTEM
    from yanzhi.services.enterprises import budget

    eng = make_engine(demo_db)
    rows = budget.budget(eng, year=2025, principal=SYSTEM)
    per = budget.enterprise_amounts(eng, year=2025, principal=SYSTEM)
    eng.dispose()
    got = json.loads(
        run("lists", "budget", "--year", "2025", "--json", "--database", demo_db).stdout
    )
    assert got == [r.to_dict() for r in rows] and got[-1]["district"] == "全市合计"
    shown = run("lists", "budget", "--year", "2025", "--database", demo_db).stdout
    assert f"{rows[-1].budget_total:,.2f}" in shown and "本平台假设" in shown
    out = tmp_path / "b.xlsx"
    run("lists", "budget", "--year", "2025", "--out", out, "--database", demo_db)
    assert out.stat().st_size > 0
    paid = per[per["post_subsidy"] > 0].iloc[0]
    calc = json.loads(
        run(
            "policy", "calc", paid["uscc"], "--year", "2025", "--json", "--database", demo_db
        ).stdout
    )
    ps = next(b for b in calc["benefits"] if b["rule"] == "RD_POST_SUBSIDY")
    assert ps["amount"] == paid["post_subsidy"] and ps["eligible"]
    assert ps["explanation"].startswith("【本平台假设】") and ps["assumption"]
    text_out = run("policy", "calc", paid["uscc"], "--year", "2025", "--database", demo_db).stdout
    assert "本平台假设" in text_out and f"{paid['post_subsidy']:,.2f}" in text_out


def test_diagnosis_report_as_docx_and_pdf(demo_db, tmp_path):
    import subprocess

    from docx import Document

    eng = make_engine(demo_db)
    with eng.connect() as c:
        uscc = c.execute(
            text(
                "SELECT e.uscc FROM enterprise e JOIN rd_report r ON r.enterprise_id = e.id "
                "WHERE r.period = '2025-01..12' AND r.rd_expense > 0 LIMIT 1"
            )
        ).scalar()
    eng.dispose()
    d = json.loads(run("enterprise", "diagnose", uscc, "--json", "--database", demo_db).stdout)
    docx_path, pdf_path = tmp_path / "d.docx", tmp_path / "d.pdf"
    run("enterprise", "diagnose", uscc, "--out", docx_path, "--database", demo_db)
    run("enterprise", "diagnose", uscc, "--out", pdf_path, "--database", demo_db)
    body = "\n".join(p.text for p in Document(str(docx_path)).paragraphs)
    cells = [c.text for t in Document(str(docx_path)).tables for r in t.rows for c in r.cells]
    assert d["enterprise"]["name"] in body and "演示数据" in body
    assert f"{d['latest']['rd_expense']:,.2f}" in cells  # 研发费用(万元) by year
    text_ = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "企业研发诊断报告" in text_ and d["enterprise"]["uscc"] in text_
    fonts = subprocess.run(
        ["pdffonts", str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    assert "CID" in fonts  # a CJK font is embedded: no missing-glyph boxes
    run("enterprise", "diagnose", uscc, "--out", tmp_path / "d.txt", "--database", demo_db, code=2)
