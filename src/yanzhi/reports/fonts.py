"""Chinese fonts for documents: the first installed of a preference list (scripts/setup.sh
installs Debian's fonts-wqy-microhei; fonts-noto-cjk is used when present)."""

from __future__ import annotations

import subprocess
from functools import cache

PREFERRED = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "FangSong", "SimHei")


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None when there is none."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    families = {f.strip() for line in out.splitlines() for f in line.split(",")}
    return next((f for f in PREFERRED if f in families), next(iter(sorted(families)), None))


@cache
def _families() -> frozenset[str]:
    try:
        out = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(f.strip() for line in out.splitlines() for f in line.split(","))


def installed(family: str) -> bool:
    return family in _families()


@cache
def cjk_font_file() -> str | None:
    """The file of the CJK font :func:`cjk_font` names (fontconfig's answer), or None."""
    family = cjk_font()
    if family is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{file}", f"{family}:lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out or None


@cache
def matplotlib_cjk_family() -> str | None:
    """Register the CJK font's file with matplotlib's font manager (its own font cache may
    predate the font's installation, and then it silently falls back to DejaVu Sans and
    prints Chinese as empty boxes) and return the family name matplotlib knows it by."""
    path = cjk_font_file()
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())
