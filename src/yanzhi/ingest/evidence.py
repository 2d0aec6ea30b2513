"""Evidence files of task reports: the type is told by the file's first bytes (never by
its name), the size is limited (YANZHI_MAX_EVIDENCE_MB), and an accepted file is copied
under YANZHI_EVIDENCE_DIR by its SHA-256. Files are never executed, opened by another
program or rendered; Office documents are only listed as zip archives.

Accepted: PDF, PNG, JPEG, GIF, WEBP, DOCX / XLSX / PPTX (a zip with the right content
type), DOC / XLS / PPT (OLE). Everything else is refused — executables, scripts, HTML,
other archives.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from yanzhi import config
from yanzhi.core.issues import InputRejected, Issue

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OLE_MIME = "application/x-ole-storage"  # .doc / .xls / .ppt
ACCEPTED = "PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, DOC, XLS, PPT"


@dataclass(frozen=True)
class Evidence:
    file_name: str
    sha256: str
    size: int
    mime: str
    source: Path


@dataclass(frozen=True)
class StoredEvidence:
    evidence: Evidence
    stored_path: str  # relative to the evidence folder


def _reject(name: str, rule: str, zh: str, en: str) -> InputRejected:
    return InputRejected([Issue(rule, zh, en, file=name)], what=name)


def max_bytes() -> int:
    return int(config.settings().max_evidence_mb * 1024 * 1024)


def evidence_dir() -> Path:
    return config.settings().evidence_dir


def check(path: Path) -> Evidence:
    """The file's type, size and hash; InputRejected when it is missing, empty, too large
    or of a type that is not accepted."""
    name = path.name
    if not path.is_file():
        raise _reject(
            name,
            "evidence_missing",
            f"证明材料文件不存在: {path}",
            f"evidence file not found: {path}",
        )
    size = path.stat().st_size
    if size == 0:
        raise _reject(name, "evidence_empty", "证明材料文件为空", "the evidence file is empty")
    if size > max_bytes():
        raise _reject(
            name,
            "evidence_too_large",
            f"证明材料过大: {size / 2**20:.1f} MB, 上限 {max_bytes() / 2**20:.0f} MB",
            f"evidence file too large: {size / 2**20:.1f} MB; the limit is "
            f"{max_bytes() / 2**20:.0f} MB (YANZHI_MAX_EVIDENCE_MB)",
        )
    mime = sniff(path)
    if mime is None:
        raise _reject(
            name,
            "evidence_type",
            f"不接受的文件类型(按文件内容判断); 可接受: {ACCEPTED}",
            f"file type not accepted (judged by its content, not its name); accepted: {ACCEPTED}",
        )
    return Evidence(name, _sha256(path), size, mime, path)


def sniff(path: Path) -> str | None:
    """The MIME type of an accepted file by its first bytes, or None."""
    with path.open("rb") as fh:
        head = fh.read(16)
    for magic, mime in MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(OLE):
        return None if _is_msi(path) else OLE_MIME
    if head.startswith(b"PK\x03\x04"):
        return _office_zip(path)
    return None


def _office_zip(path: Path) -> str | None:
    """An Office Open XML document: [Content_Types].xml and its main part; nothing that
    would run (macros are refused)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None
    for prefix, mime in OOXML.items():
        if any(n.startswith(prefix) for n in names):
            return mime
    return None


MSI_CLSIDS = {
    bytes.fromhex("84100c00000000000000c00000000046"),  # Windows Installer package
    bytes.fromhex("86100c00000000000000c00000000046"),  # Windows Installer patch
}


def _is_msi(path: Path) -> bool:
    """An OLE file whose root storage is a Windows Installer package (an executable)."""
    with path.open("rb") as fh:
        header = fh.read(512)
        if len(header) < 512:
            return False
        sector = 1 << int.from_bytes(header[0x1E:0x20], "little")
        first_dir = int.from_bytes(header[0x30:0x34], "little")
        fh.seek((first_dir + 1) * sector + 0x50)
        return fh.read(16) in MSI_CLSIDS


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store(evidence: Evidence, folder: Path | None = None) -> StoredEvidence:
    """Copy the file under ``folder`` as ``ab/<sha256>`` (once: same bytes, same file)."""
    root = folder or evidence_dir()
    relative = f"{evidence.sha256[:2]}/{evidence.sha256}"
    target = root / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.copyfile(evidence.source, partial)
        partial.chmod(0o444)
        partial.replace(target)
    return StoredEvidence(evidence, relative)
