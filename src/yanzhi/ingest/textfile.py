"""How a text data file is written: its encoding and its delimiter.

Townships send CSV saved by Excel or WPS in UTF-8 (with or without BOM) or GBK/GB18030,
and Excel's "Unicode 文本" export: UTF-16 little-endian with a BOM, tab-separated, CRLF
line ends. UTF-16 without a BOM is recognised by its zero bytes, which every data file has
many of (digits, tabs and line ends are ASCII). Whether a file is tab- or comma-separated
is decided by which reading finds its header (``ingest.tabular``).
"""

from __future__ import annotations

import codecs

ENCODINGS = ("utf-8-sig", "gb18030")  # tried in turn on a file without zero bytes
DELIMITERS = (",", "\t")  # the first wins a tie
_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF16_ZEROS = 0.2  # share of the high bytes that are zero in ASCII-rich UTF-16 text
_CONTROLS = frozenset(chr(c) for c in range(32)) - set("\t\r\n")


class NotText(ValueError):
    """The bytes are not text in any encoding the readers accept (binary content)."""


def sniff_encoding(sample: bytes) -> str | None:
    """The encoding of a file that starts with ``sample`` (the first MB or so): ``utf-16``
    (a BOM), ``utf-16-le`` / ``utf-16-be`` (no BOM), or one of :data:`ENCODINGS`;
    None when no encoding decodes it. :class:`NotText` for binary content."""
    if sample.startswith(_BOMS):
        return "utf-16" if _decodes(sample, "utf-16") else None
    if (utf16 := _bomless_utf16(sample)) is not None:
        return utf16
    if b"\x00" in sample:
        raise NotText
    return next((enc for enc in ENCODINGS if _decodes(sample, enc)), None)


def _bomless_utf16(sample: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when the zero bytes fall on one side of the byte pairs and
    the text decodes to printable characters (binary content does not)."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    low, high = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if high >= _UTF16_ZEROS * pairs and high > 4 * low:
        enc = "utf-16-le"
    elif low >= _UTF16_ZEROS * pairs and low > 4 * high:
        enc = "utf-16-be"
    else:
        return None
    return enc if _decodes(sample[: 2 * pairs], enc, printable=True) else None


def _decodes(sample: bytes, enc: str, *, printable: bool = False) -> bool:
    try:  # an incremental decoder accepts a character cut at the end of the sample
        text = codecs.getincrementaldecoder(enc)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return not (printable and _CONTROLS.intersection(text))
