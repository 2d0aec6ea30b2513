"""The headers of a file sent for download: ``Content-Disposition: attachment`` with the
file's (Chinese) name for browsers (RFC 6266 / RFC 5987 ``filename*``) and an ASCII
fallback for old clients."""

from __future__ import annotations

import re
from urllib.parse import quote


def attachment(name: str) -> dict[str, str]:
    """``{"Content-Disposition": …}`` for a download named ``name``."""
    stem, dot, ext = name.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem if dot else name).strip("-") or "yanzhi"
    fallback = f"{ascii_stem}.{ext}" if dot else ascii_stem
    value = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return {"Content-Disposition": value}
