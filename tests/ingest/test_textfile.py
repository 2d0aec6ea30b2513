"""Telling a text data file's encoding from its first bytes, as townships' files come:
UTF-8 (with or without BOM), GBK, and UTF-16 with or without a BOM."""

import codecs
from pathlib import Path

import pytest

from yanzhi.ingest.textfile import NotText, sniff_encoding

BAD = Path(__file__).parents[1] / "data" / "bad" / "data"
# 一 is U+4E00: in UTF-16 LE its first byte is zero, as an ASCII character's second is
TEXT = "统一社会信用代码\t报告期\t营业收入(万元)\r\n91330206YX0000001Q\t2024年1-11月\t900\r\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
    ],
    ids=["utf-16 BOM LE", "utf-16 BOM BE", "utf-16-le", "utf-16-be", "utf-8 BOM", "utf-8", "gbk"],
)
def test_each_encoding_is_told_and_decodes_the_text(data, expected):
    enc = sniff_encoding(data)
    assert enc == expected
    assert codecs.decode(data, enc).lstrip("\ufeff") == TEXT


def test_a_sample_cut_inside_a_character_is_still_told():
    data = codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")
    assert sniff_encoding(data[:-1]) == "utf-16"
    assert sniff_encoding(TEXT.encode("utf-16-le")[:-1]) == "utf-16-le"
    assert sniff_encoding(TEXT.encode("utf-8")[:2]) == "utf-8-sig"  # 统 cut after 2 bytes


def test_binary_content_is_not_text():
    with pytest.raises(NotText):
        sniff_encoding((BAD / "rd__binary_file.csv").read_bytes())
    # zero bytes in every other place, but as control characters: not UTF-16 text
    with pytest.raises(NotText):
        sniff_encoding(bytes(range(1, 31)).replace(b"", b"\x00")[1:] * 10)


def test_bytes_no_encoding_decodes_are_unknown():
    assert sniff_encoding(b"\x81\x20" * 50) is None  # a GBK lead byte before a space
    lone_surrogate = codecs.BOM_UTF16_LE + b"\x00\xdc" + b"a\x00" * 10
    assert sniff_encoding(lone_surrogate) is None
