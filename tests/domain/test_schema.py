import pytest
from pydantic import ValidationError

from matcher.domain.schema import Category, Filters, Need, Project, model_for, text_of


def test_project_needs_only_id_title_and_dedupes_lists():
    p = Project(id="p1", title="Titel", categories=["energie", "energie"])
    assert p.categories == [Category.energie]
    assert text_of(p) == "Titel"


def test_unknown_field_category_and_status_are_rejected():
    with pytest.raises(ValidationError):
        Project(id="p1", title="T", colour="red")
    with pytest.raises(ValidationError):
        Project(id="p1", title="T", categories=["kochen"])
    with pytest.raises(ValidationError):
        Need(id="n", municipality="m", title="T", status="vielleicht")


def test_ids_must_not_be_blank_or_contain_slashes():
    with pytest.raises(ValidationError):
        Project(id="  ", title="T")
    with pytest.raises(ValidationError):
        Project(id="a/b", title="T")


def test_model_for_unknown_kind_is_a_domain_error():
    from matcher.domain.errors import ValidationError as DomainValidation

    with pytest.raises(DomainValidation):
        model_for("recipes")


def test_filters_empty():
    assert Filters().is_empty()
    assert not Filters(region="Kassel").is_empty()
