"""Read a policy document for ``yanzhi plan draft``: plain text (UTF-8 or GBK/GB18030),
DOCX (python-docx: paragraphs and table cells in order) or PDF with a text layer (pypdf);
and the indicator catalogue and place names the draft is matched against."""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.plandraft import Catalogue
from yanzhi.core.plandraft.catalogue import catalogue_from
from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions
from yanzhi.ingest.planfile import read_yaml_file
from yanzhi.ingest.textfile import NotText, sniff_encoding

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_MIN_CHARS = 20  # a PDF without a text layer (a scan) yields next to nothing


def _refuse(name: str, rule: str, zh: str, en: str) -> InputRejected:
    return InputRejected([Issue(rule, zh, en, file=name)], what=name)


def read_document(data: bytes, name: str) -> str:
    """The text of a document given as bytes; its kind is told by its content (a DOCX is a
    ZIP, a PDF starts with ``%PDF``), else it is read as text."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _refuse(
            name,
            "file_too_large",
            f"文件过大({len(data)} 字节)",
            f"file too large ({len(data)} bytes)",
        )
    if data.startswith(b"%PDF"):
        text = _pdf_text(data, name)
    elif data.startswith(b"PK"):
        text = _docx_text(data, name)
    else:
        try:
            enc = sniff_encoding(data[:1_000_000])
        except NotText:
            enc = None
        if enc is None:
            raise _refuse(
                name,
                "encoding",
                "无法识别的文件: 应为 UTF-8 或 GBK 文本、DOCX 或带文字层的 PDF",
                "unrecognised file: expected UTF-8 or GBK text, DOCX, or a PDF with a text layer",
            )
        text = data.decode(enc, errors="replace")
    if len(text.strip()) < _MIN_CHARS:
        raise _refuse(
            name,
            "no_text",
            "文件中没有可读取的文字(扫描件请先做文字识别)",
            "the file holds no readable text (run OCR on a scanned document first)",
        )
    return text


def read_document_file(path: str | Path) -> str:
    """The text of a document file (see :func:`read_document`)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise _refuse(
            str(p),
            "file_unreadable",
            f"无法读取文件: {exc.strerror}",
            f"cannot read file: {exc.strerror}",
        ) from None
    return read_document(data, str(p))


def _docx_text(data: bytes, name: str) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _refuse(
            name, "bad_docx", f"不是有效的 DOCX 文件: {exc}", f"not a valid DOCX file: {exc}"
        ) from None
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("\t".join(c.text for c in row.cells))
    return "\n".join(lines)


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise _refuse(
            name, "bad_pdf", f"无法读取 PDF: {exc}", f"cannot read the PDF: {exc}"
        ) from None


def catalogue_path() -> Path:
    return Path(str(resources.files("yanzhi.data").joinpath("plandraft/indicator-catalogue.yaml")))


def read_catalogue(path: Path | None = None) -> Catalogue:
    """The indicator catalogue: its names and variants, with each indicator's definition
    and formula read from the plan file it names (next to the built-in plans)."""
    path = path or catalogue_path()
    spec = read_yaml_file(path, "指标目录", "indicator catalogue")
    plan_path = Path(str(resources.files("yanzhi.data").joinpath(f"plans/{spec['plan']}")))
    plan = read_yaml_file(plan_path, "计划文件", "plan file")
    return catalogue_from(plan, spec.get("indicators") or {}, source=str(spec["plan"]))


def builtin_places() -> dict[str, str]:
    """Place names of the built-in divisions → region codes (宁波市 → 330200)."""
    tree = read_divisions(builtin_divisions_path())
    return {u.name: u.code for u in tree}
