from decimal import Decimal

import pytest

from collab.numbers import parse_number


@pytest.mark.parametrize(
    ("given", "expected"),
    [(12, "12"), (" 12.5 % ", "12.5"), (0.1, "0.1"), (Decimal("3.25"), "3.25"), ("-4", "-4")],
)
def test_numbers_people_type_are_read(given, expected):
    assert parse_number(given) == Decimal(expected)


NOT_NUMBERS = [True, None, "", "abc", "1\x00", "9" * 21, "NaN", "Infinity", [1], {"a": 1}]


@pytest.mark.parametrize("given", NOT_NUMBERS)
def test_anything_else_is_a_field_message_not_a_crash(given):
    with pytest.raises(ValueError, match="Enter a number"):
        parse_number(given)
