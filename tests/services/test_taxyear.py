"""高企 status for a tax year from the register's attribute versions and the certificates
they record (国科发火〔2016〕32号 第九条、第十条: valid three years from the year of issue)."""

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from yanzhi.services.enterprises.taxyear import hightech_for_year


def _versions(*rows):
    cols = ["valid_from", "industry_code", "hightech", "hightech_cert_year", "tech_sme"]
    frame = pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)
    frame["valid_from"] = pd.to_datetime(frame["valid_from"]).dt.date
    return frame


def _ent(hightech, cert):
    return SimpleNamespace(
        hightech=hightech,
        hightech_cert_year=cert,
        industry_code="3411",
        tech_sme=False,
        above_size_industrial=True,
    )


TODAY = _ent(True, 2022)


def test_certificates_cover_three_years_from_the_year_of_issue():
    versions = _versions(
        (dt.date(2019, 1, 1), "3411", False, None, False),
        (dt.date(2019, 12, 31), "3411", True, 2019, False),
        (dt.date(2022, 12, 31), "3411", True, 2022, False),
    )
    got = [hightech_for_year(versions, TODAY, y, 3)[0] for y in range(2019, 2026)]
    assert got == [True, True, True, True, True, True, False]


def test_a_lapsed_certificate_is_not_renewed_by_todays_flag():
    versions = _versions(
        (dt.date(2019, 1, 1), "3411", True, 2018, False),
        (dt.date(2021, 1, 1), "3411", False, None, False),
    )
    today = _ent(False, None)
    assert [hightech_for_year(versions, today, y, 3)[0] for y in (2019, 2020, 2021)] == [
        True,
        True,
        False,
    ]


def test_a_certificate_registered_late_still_covers_its_years():
    # the register learnt in May 2023 of a certificate issued in 2022
    versions = _versions(
        (dt.date(2019, 1, 1), "3411", False, None, False),
        (dt.date(2023, 5, 1), "3411", True, 2022, False),
    )
    assert hightech_for_year(versions, TODAY, 2022, 3) == (True, None)


def test_before_the_register_the_status_is_unknown_with_the_reason():
    versions = _versions((dt.date(2021, 1, 1), "3411", False, None, False))
    today = _ent(False, None)
    status, why = hightech_for_year(versions, today, 2019, 3)
    assert status is None
    assert why == "企业名录自2021年1月1日起才有属性记录,无法判断2019年是否为高新技术企业"
