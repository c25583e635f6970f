"""`matcher procurement` and `matcher programmes` (no index needed); bad input is exit code 2
with the field named."""

from __future__ import annotations

from click.testing import CliRunner

from matcher.cli import main


def test_procurement_names_the_procedure_its_source_and_the_draft(tmp_path):
    args = ["--home", str(tmp_path), "procurement", "10001", "--date", "2026-03-01"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "10.001 EUR (Liefer- und Dienstleistungen) am 01.03.2026: Verhandlungsvergabe" in (
        result.output
    )
    assert "Entwurf, nicht in Kraft" in result.output
    assert "Hinweis, keine Rechtsberatung" in result.output


def test_an_absurd_value_is_exit_code_2_naming_the_field(tmp_path):
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "procurement", "--", "-5"])
    assert result.exit_code == 2 and "value_eur" in result.output


def test_programmes_are_listed_with_their_stand(tmp_path):
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "programmes", "list"])
    assert result.exit_code == 0, result.output
    assert "starke-heimat-hessen-smarte-kommunen" in result.output and "Stand" in result.output
