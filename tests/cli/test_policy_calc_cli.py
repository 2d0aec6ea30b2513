"""`yanzhi policy calc` answers for every year from 2019, naming the rule and document, and
uses the 高企 status of the tax year rather than today's."""

import json

from sqlalchemy import text
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.storage.db import make_engine

runner = CliRunner()


def calc(uscc, year, db, *extra):
    result = runner.invoke(
        app, ["policy", "calc", uscc, "--year", str(year), "--json", "--database", db, *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _scalar(db, sql, **params):
    eng = make_engine(db)
    with eng.connect() as c:
        value = c.execute(text(sql), params).scalar()
    eng.dispose()
    return value


def _one(db, where):
    return _scalar(db, f"SELECT uscc FROM enterprise WHERE {where} ORDER BY uscc")


def test_every_year_from_2019_names_rule_and_document(demo_db):
    uscc = _one(demo_db, "substr(industry_code, 1, 2) BETWEEN '13' AND '43' AND NOT hightech")
    expected = {2019: "99号", 2020: "99号", 2021: "2021年第13号", 2022: "2021年第13号"}
    for year in range(2019, 2027):
        sd = calc(uscc, year, demo_db)["benefits"][0]
        assert sd["source"] and sd["applied"], year
        assert expected.get(year, "2023年第7号") in sd["source"], (year, sd["source"])
        assert sd["status"] in {"partial", "complete"} and sd["missing"]
        rate = sd["details"]["rate"]
        assert rate == 0.25 and sd["amount"] == round(sd["details"]["extra_deduction"] * rate, 4)
    # 2026 has no December report yet: computed from the latest 1–N月累计 and said so
    assert any("全年报表尚无" in m for m in calc(uscc, 2026, demo_db)["benefits"][0]["missing"])


def test_hightech_rate_only_while_the_certificate_is_valid(demo_db):
    uscc = _one(demo_db, "hightech AND hightech_cert_year >= 2023")
    cert = _scalar(demo_db, "SELECT hightech_cert_year FROM enterprise WHERE uscc = :u", u=uscc)
    before = calc(uscc, cert - 1, demo_db)["benefits"][0]
    during = calc(uscc, cert, demo_db)["benefits"][0]
    assert before["details"]["rate"] == 0.25 and during["details"]["rate"] == 0.15
    assert calc(uscc, cert - 1, demo_db)["inputs"]["hightech"] is False


def test_small_low_profit_inputs_from_the_command_line(demo_db):
    uscc = _one(demo_db, "NOT hightech AND substr(industry_code, 1, 2) <> '16'")
    sd = calc(
        uscc, 2024, demo_db, "--taxable-income", "200", "--employees", "50", "--assets", "1000"
    )["benefits"][0]
    assert sd["details"]["small_low_profit"] is True
    assert not any("从业人数" in m for m in sd["missing"])
