"""The pages say how a result relates to the asker: „Ihr Projekt“, „bereits Kunde“."""

from __future__ import annotations

import pytest

from tests.helpers import lighting_need_of_mossautal


@pytest.fixture
def pages(app_service, pages_client):
    app_service.upsert("needs", [lighting_need_of_mossautal()])
    return pages_client


def test_the_askers_own_project_is_marked_on_the_start_page(pages):
    html = pages.get("/?text=Rufbus+f%C3%BCr+die+D%C3%B6rfer&wir=Mossautal").get_data(as_text=True)
    assert "Rufbus für die Ortsteile" in html and "Ihr Projekt" in html
    anonymous = pages.get("/?text=Rufbus+f%C3%BCr+die+D%C3%B6rfer").get_data(as_text=True)
    assert "Ihr Projekt" not in anonymous


def test_a_lead_that_is_a_customer_is_marked_on_the_provider_page(pages):
    html = pages.get("/anbieter/lichtwerk").get_data(as_text=True)
    assert "Mossautal" in html and "bereits Kunde" in html
