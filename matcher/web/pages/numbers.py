"""Numbers in the pages' parameters (`seite`, inhabitants, kilometres, a form's year): ASCII only.

Python's `int()`, `float()` and `str.isdigit()` also take other digits: `"²".isdigit()` is true
and `int("²")` an error (a 500), `int("٣")` is 3 and `float("１２")` is 12.0. Every page reads its
numbers here: plain ASCII digits (and for a decimal one `.` between them), else the project's
ValidationError with the German message it is given, naming the parameter. A page shows that
message as a notice, or lets it become its German 400 page.
"""

from __future__ import annotations

from matcher.domain.errors import ValidationError

MAX_DIGITS = 9  # a whole number below a billion: more than any page needs, far from overflow
MAX_DECIMALS = 3


def _digits(text: str, at_most: int) -> bool:
    """True if `text` is 1 to `at_most` ASCII digits."""
    return 0 < len(text) <= at_most and text.isascii() and text.isdigit()


def whole_number(text: str, field: str, message: str, max_digits: int = MAX_DIGITS) -> int:
    """`text` as a whole number if it is 1 to `max_digits` ASCII digits (no sign, space or `_`),
    else ValidationError(`message`) naming `field`."""
    if not _digits(text, max_digits):
        raise ValidationError(message, [(field, message)])
    return int(text)


def decimal_number(
    text: str,
    field: str,
    message: str,
    max_digits: int = MAX_DIGITS,
    max_decimals: int = MAX_DECIMALS,
) -> float:
    """`text` as a number if it is ASCII digits with at most one `.` between digits ("12.5"),
    else ValidationError(`message`) naming `field` (no exponent, `inf` or `nan`)."""
    whole, dot, fraction = text.partition(".")
    if not _digits(whole, max_digits) or (dot and not _digits(fraction, max_decimals)):
        raise ValidationError(message, [(field, message)])
    return float(text)
