"""Reading policy documents for drafting (issue #22): UTF-8 and GBK text, DOCX, PDF with a
text layer; unreadable files are refused in Chinese and English; the indicator catalogue
matches names and variants to the built-in plan's formulas."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
import weasyprint

from yanzhi.core.issues import InputRejected
from yanzhi.core.plandraft import draft_plan
from yanzhi.ingest.plandoc import builtin_places, read_catalogue, read_document
from yanzhi.ingest.planfile import builtin_plan_path, read_plan

FIXTURES = Path(__file__).parents[1] / "data" / "plandraft"


def body(name: str) -> str:
    """A fixture's text without its header line (title, issuer, source)."""
    head, text = (FIXTURES / name).read_text("utf-8").split("\n", 1)
    assert head.startswith("# 标题") and "来源" in head
    return text


def docx_bytes(text: str) -> bytes:
    d = docx.Document()
    for line in text.split("\n"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pdf_bytes(text: str) -> bytes:
    paras = "".join(
        f"<p>{line.replace('&', '&amp;').replace('<', '&lt;')}</p>" for line in text.split("\n")
    )
    html = f"<html><body style='font-family: sans-serif; font-size: 11pt'>{paras}</body></html>"
    return weasyprint.HTML(string=html).write_pdf()


def _headline(text: str) -> list[tuple[str, float, int]]:
    d = draft_plan(text, read_catalogue(), builtin_places())
    return [
        (i["code"], i["target"]["value"], i["target"]["year"]) for i in d.document["indicators"]
    ]


SEED_TARGETS = [
    ("RD_GDP", 3.75, 2027),
    ("IND_RD_INTENSITY", 3.4, 2027),
    ("HT_SHARE", 66, 2027),
    ("HVIP_PER_10K", 20, 2027),
    ("RD_STAFF_PER_10K", 200, 2027),
]


def test_gbk_text_reads_as_the_utf8_text():
    text = body("ningbo-315-seed.txt")
    assert read_document(text.encode("gbk"), "seed-gbk.txt") == text
    assert _headline(read_document(text.encode("gbk"), "seed-gbk.txt")) == SEED_TARGETS


def test_a_docx_drafts_like_its_text():
    text = body("ningbo-315-seed.txt")
    got = read_document(docx_bytes(text), "seed.docx")
    assert got.split("\n") == text.rstrip("\n").split("\n")
    d = draft_plan(got, read_catalogue(), builtin_places())
    assert len(d.document["programmes"]) == 6
    assert sum(len(p["tasks"]) for p in d.document["programmes"]) == 24


def test_a_pdf_with_a_text_layer_drafts_its_targets_despite_wrapped_lines():
    text = body("dongtou-315-2023-2027.txt")
    pdf = pdf_bytes(text)
    got = read_document(pdf, "dongtou.pdf")
    assert got.count("\n") > text.count("\n")  # the page wrapped long lines
    assert ("RD_GDP", 3.4, 2027) in _headline(got)
    assert ("RD_STAFF_PER_10K", 209, 2027) in _headline(got)
    seed_pdf = read_document(pdf_bytes(body("ningbo-315-seed.txt")), "seed.pdf")
    assert _headline(seed_pdf) == SEED_TARGETS


def test_a_scan_without_text_and_binary_files_are_refused_in_chinese_and_english():
    scan = weasyprint.HTML(
        string="<html><body><div style='height:5cm;background:#000'></div></body></html>"
    ).write_pdf()
    with pytest.raises(InputRejected) as exc:
        read_document(scan, "scan.pdf")
    assert exc.value.issues[0].rule == "no_text" and "文字识别" in exc.value.issues[0].message_zh
    with pytest.raises(InputRejected) as exc:
        read_document(b"\x00\x01\x02\xff" * 100, "blob.bin")
    assert exc.value.issues[0].file == "blob.bin" and "UTF-8" in exc.value.issues[0].message_en
    with pytest.raises(InputRejected) as exc:
        read_document(b"PK\x03\x04 not a zip", "broken.docx")
    assert exc.value.issues[0].rule == "bad_docx"


def test_the_catalogue_matches_variants_to_the_built_in_formulas():
    cat = read_catalogue()
    ningbo = {i.code: i for i in read_plan(builtin_plan_path()).plan.indicators}
    cases = {
        "全社会研究与试验发展经费支出占地区生产总值比重": "RD_GDP",
        "R&D经费投入强度": "RD_GDP",
        "全社会研究与试验发展(R&D)经费支出占地区生产总值比重": "RD_GDP",
        "规模以上工业企业研发费用占营业收入比重": "IND_RD_INTENSITY",
        "每万人口高价值发明专利拥有量": "HVIP_PER_10K",
        "有效高新技术企业数量": "HTE_COUNT",
    }
    for name, code in cases.items():
        m = cat.match(name)
        assert m is not None and m.entry.code == code and m.confidence >= 0.8, name
        assert m.entry.indicator["formula"]["numerator"] == ningbo[code].formula.numerator
    near = cat.match("每万名就业人员研发人员数量")
    assert near is not None and near.entry.code == "RD_STAFF_PER_10K" and near.confidence < 0.8
    assert cat.match("高技术制造业增加值占规模以上工业增加值的比重") is None
    assert cat.match("区域科技创新指数") is None
