import re

import pytest

from yanzhi.core.uscc import (
    UsccError,
    check_character,
    is_valid,
    make,
    normalise,
    valid_many,
    validate,
)

# Public registrations of well-known companies (check characters verified by hand
# with the GB 32100-2015 weights 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28).
REAL = ["914403001922038216", "91110108551385082Q", "91440300708461136T", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code):
    assert validate(code) == code


def test_check_character_by_hand():
    # 91350100M000100Y4: values 9,1,3,5,0,1,0,0,M=21,0,0,0,1,0,0,Y=30,4
    # Σ value·weight = 9+3+27+135+26+420+8+900+112 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91440300192203821", "18"),
        ("914403001922038217", "check character should be 6"),
        ("9144030019220382I6", "invalid character"),
        ("91440300192203821O", "invalid character"),
    ],
)
def test_invalid_codes_say_why(code, reason):
    with pytest.raises(UsccError, match=reason) as caught:
        validate(code)
    assert not is_valid(code)
    # each language alone: the Chinese reason holds no English and the English no Chinese
    assert caught.value.zh and not re.search(r"[A-Za-z]{3,}", caught.value.zh)
    assert caught.value.en and not re.search(r"[\u4e00-\u9fff]", caught.value.en)


def test_normalise_full_width_and_case():
    assert normalise(" ９１１１０１０８５５１３８５０８２ｑ ") == "91110108551385082Q"
    assert is_valid("91110108551385082q")


def test_make_builds_valid_fictional_codes():
    code = make("91330282YX0000012")
    assert is_valid(code) and len(code) == 18
    with pytest.raises(UsccError):
        make("91330282YX000001")


def test_valid_many_agrees_with_validate_on_codes_as_written():
    """The check character computed for all codes at once (import checks) gives what
    validate gives for each code as written; a code it marks False is asked why."""
    good = [make(f"91330200YX{i:07d}") for i in range(300)]
    wrong_check = [c[:17] + ("0" if c[17] != "0" else "1") for c in good[:50]]
    odd = ["", "abc", good[0].lower(), None, "Ｉ" * 18, "I" + good[0][1:], good[1] + " "]
    codes = [*good, *wrong_check, *odd]
    expected = [isinstance(c, str) and c == normalise(c) and is_valid(c) for c in codes]
    assert valid_many(codes).tolist() == expected
    assert sum(expected) == 300
