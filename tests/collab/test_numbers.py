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


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1,000.5", "1000.5"), ("１２３", "123"), ("１，２３４．５", "1234.5"), ("－３", "-3"),
        ("12,345 %", "12345"), ("1 000", "1000"),
    ],
)
def test_thousands_commas_and_full_width_digits(given, expected):
    assert parse_number(given) == Decimal(expected)


@pytest.mark.parametrize("given", ["1,5", "1,00", "1,0000", ",5", "1,000,00"])
def test_an_ambiguous_comma_is_refused_not_guessed(given):
    with pytest.raises(ValueError, match="comma only between groups of three digits"):
        parse_number(given)
