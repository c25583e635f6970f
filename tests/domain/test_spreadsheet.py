"""CSV cells a spreadsheet would run as a formula are written as text, look-alikes included."""

import pytest

from matcher.domain.spreadsheet import safe_cell


@pytest.mark.parametrize(
    "value", ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "＝1+1", "﹢1", "\u22121"]
)
def test_a_formula_start_is_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    ("value", "cell"), [(None, ""), (12, "12"), ("Erbach (Odenwald)", "Erbach (Odenwald)")]
)
def test_other_values_stay_as_they_are(value, cell):
    assert safe_cell(value) == cell
