"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V):
registration authority (1), organisation type (1), administrative division code (6),
organisation code (9), check character (1). The check character is
``31 − (Σ value(cᵢ)·wᵢ mod 31)`` (31 becomes 0) with weights ``wᵢ = 3ⁱ mod 31``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


class UsccError(ValueError):
    """Not a valid unified social credit code: ``.zh`` and ``.en`` say why (the message
    is both, "zh / en")."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """Upper-case, strip blanks and full-width forms."""
    return code.strip().translate(_FULLWIDTH).upper().replace(" ", "")


_FULLWIDTH = (
    {0xFF10 + i: ord("0") + i for i in range(10)}
    | {0xFF21 + i: ord("A") + i for i in range(26)}
    | {0xFF41 + i: ord("A") + i for i in range(26)}
)


def validate(code: str) -> str:
    """The normalised code, or :class:`UsccError`."""
    c = normalise(code)
    if len(c) != 18:
        raise UsccError(f"应为18位，实为{len(c)}位", f"must be 18 characters, got {len(c)}")
    bad = sorted({ch for ch in c if ch not in _VALUE})
    if bad:
        raise UsccError(
            f"含非法字符 {''.join(bad)}（不得含 I、O、Z、S、V）",
            f"invalid character(s) {''.join(bad)} (I, O, Z, S and V are never used)",
        )
    expected = check_character(c[:17])
    if c[17] != expected:
        raise UsccError(
            f"校验位错误：应为 {expected}，实为 {c[17]}",
            f"check character should be {expected}, got {c[17]}",
        )
    return c


_BYTE_VALUE = np.full(256, -1, dtype=np.int64)
_BYTE_VALUE[[ord(c) for c in CHARSET]] = np.arange(len(CHARSET))


def valid_many(codes: Sequence[object]) -> np.ndarray:
    """For each code, whether it is valid as written (18 characters of the set, the right
    check character), computed for all codes at once. A code marked False may still pass
    :func:`validate` after normalising (lower case, full-width forms, blanks); ask it."""
    out = np.zeros(len(codes), dtype=bool)
    at = [i for i, c in enumerate(codes) if isinstance(c, str) and len(c) == 18 and c.isascii()]
    if not at:
        return out
    raw = "".join(str(codes[i]) for i in at).encode("ascii")
    values = _BYTE_VALUE[np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)]
    check = (31 - (values[:, :17] @ np.array(WEIGHTS)) % 31) % 31
    out[at] = (values >= 0).all(axis=1) & (values[:, 17] == check)
    return out


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except UsccError:
        return False
    return True


def make(first17: str) -> str:
    """Complete 17 characters with their check character (for fictional demo codes)."""
    if len(first17) != 17 or any(ch not in _VALUE for ch in first17):
        raise UsccError(
            f"需要代码字符集中的 17 个字符，收到 {first17!r}",
            f"need 17 characters from the code set, got {first17!r}",
        )
    return first17 + check_character(first17)
