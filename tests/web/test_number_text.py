"""How a page prints a number: a value that rounds to zero has no sign (the attribution
table printed "-0.00"); other negatives keep theirs; missing is a dash, never 0."""

from yanzhi.web.render import _fmt


def test_rounded_zero_has_no_sign() -> None:
    assert _fmt(-0.0003) == "0.00" and _fmt(-0.004, 2) == "0.00" and _fmt(-0.04, 1) == "0.0"
    assert _fmt(-0.006) == "-0.01" and _fmt(-1234.5) == "-1,234.50"
    assert _fmt(float("nan")) == "—" and _fmt(None) == "—"
