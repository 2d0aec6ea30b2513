"""Every document a city analyst can download, in every format, read back as its reader
gets it: the text of the Word file (body, tables, header), the PDF (pdftotext) and every
cell and sheet name of the Excel file is Chinese only — no English words outside a short
allowlist, no raw identifiers (on_track, RD_GDP), no Python values (None, a dict), no
period codes (2026-01..10, 2026Q4) — and carries the 演示 label (the site's data are
synthetic). Word and Excel files also open in LibreOffice (converted to PDF), the office
suite a bureau may use."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook
from tests.web.chinese_support import problems
from tests.web.conftest import Site


def docx_text(data: bytes) -> str:
    word = open_docx(io.BytesIO(data))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    for section in word.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def xlsx_text(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    parts = list(wb.sheetnames)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if isinstance(v, str))
    return "\n".join(parts)


def _requests(site: Site) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, format, parameters) of every document the analyst's catalogue offers."""
    c = site.as_role("analyst")
    items = c.get("/api/v1/reports").json()["items"]
    out = []
    for entry in items:
        kind, choices = entry["kind"], entry["choices"]
        if kind == "monthly":
            variants = [{"period": choices["period"][0]}]
        elif kind == "evaluation":
            year = choices["year"][0]
            variants = [{"level": "township", "year": year}, {"level": "district", "year": year}]
        elif kind == "district":
            variants = [{"code": choices["code"][0]["code"], "year": choices["year"][0]}]
        elif kind == "supervision":
            variants = [{}]
        else:
            continue
        out += [(kind, fmt, v) for v in variants for fmt in entry["formats"]]
    return out


def test_every_document_is_chinese_only_and_labelled(site: Site, tmp_path: Path) -> None:
    c = site.as_role("analyst")
    failures = {}
    for kind, fmt, params in _requests(site):
        r = c.get(f"/api/v1/reports/{kind}", params={**params, "format": fmt})
        assert r.status_code == 200, (kind, fmt, r.text[:300])
        text = {
            "docx": lambda d: docx_text(d),
            "pdf": lambda d: pdf_text(d, tmp_path),
            "xlsx": lambda d: xlsx_text(d),
        }[fmt](r.content)
        found = problems(text)
        if "演示" not in text:
            found.append("缺少演示标注")
        if found:
            failures[f"{kind}.{fmt} {params}"] = found[:15]
    assert not failures, failures


def test_the_checks_catch_what_they_name() -> None:
    assert problems("状态 on_track, 指标 RD_GDP, None, {'a': 1}, 2026-01..10, draft")
    assert set(problems("状态 on_track 指标 RD_GDP draft 2026Q4")) == {
        "代码: on_track",
        "代码: RD_GDP",
        "英文: draft",
        "期别代码: 2026Q4",
    }
    assert problems("R&D经费投入强度 3.1%, GDP 1.2万亿元, PCT 国际专利, 2026年1–10月") == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_word_and_excel_files_open_in_libreoffice(site: Site, tmp_path: Path) -> None:
    c = site.as_role("analyst")
    seen = set()
    for kind, fmt, params in _requests(site):
        if fmt == "pdf" or (kind, fmt) in seen:
            continue
        seen.add((kind, fmt))
        r = c.get(f"/api/v1/reports/{kind}", params={**params, "format": fmt})
        src = tmp_path / f"{kind}.{fmt}"
        src.write_bytes(r.content)
        out = tmp_path / "pdf"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/lo-profile",  # no shared profile lock
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(src),
            ],
            capture_output=True,
            timeout=180,
            check=True,
        )
        converted = out / f"{kind}.pdf"
        assert converted.exists() and converted.stat().st_size > 1000, (kind, fmt)
        assert "演示" in pdf_text(converted.read_bytes(), tmp_path), (kind, fmt)
