"""The German web pages: search and answers, item pages, lists, joint projects, the signed-in
area, the staff's relevance page; with their templates and static files.

`install` adds them to the app, with everything they need app-wide: the German error page for
every request that is not the API's, the template globals of the signed-in account and its
contacts, and no shared caching of a page shown to a signed-in account.
"""

from __future__ import annotations

from flask import Flask, Response, g, make_response, render_template

from matcher.web.core import errors
from matcher.web.pages.account import account
from matcher.web.pages.browse import browse
from matcher.web.pages.contact import contact_card
from matcher.web.pages.documents import install as install_toolbox
from matcher.web.pages.exchange import austausch, exchange_of
from matcher.web.pages.funding import foerderung
from matcher.web.pages.public import public
from matcher.web.pages.session import current_account
from matcher.web.pages.team import team
from matcher.web.pages.testfields import testfelder

# The error page's heading and text by status; others get the general one.
ERROR_PAGES = {
    400: (
        "Eingabe nicht verständlich",
        "Die Anfrage konnte nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben.",
    ),
    404: ("Nicht gefunden", "Diese Seite oder diesen Eintrag gibt es nicht (mehr)."),
    409: ("Konflikt", "Das geht so nicht: andere Einträge verweisen noch darauf."),
    503: (
        "Vorübergehend nicht verfügbar",
        "Der Dienst ist gerade nicht bereit. Bitte versuchen Sie es gleich noch einmal.",
    ),
}
OTHER_ERROR = ("Ein Fehler ist aufgetreten", "Bitte versuchen Sie es später noch einmal.")


def install(app: Flask) -> None:
    """Register the pages on `app`."""
    app.register_blueprint(public)  # search, item pages, joint projects, feedback
    app.register_blueprint(team)  # relevance; staff: feedback review, evaluation jobs
    app.register_blueprint(account)  # sign-in, reporting needs, projects, offerings
    app.register_blueprint(browse)  # list pages: /projekte, /kommunen, /anbieter
    app.register_blueprint(foerderung)  # /foerderung, a joint group's sheet and CSV
    app.register_blueprint(testfelder)  # /testfelder: test fields, applications
    app.add_template_global(current_account, "account")
    app.add_template_global(contact_card, "contact")
    app.register_blueprint(austausch)  # /austausch: exchange groups and events
    app.add_template_global(exchange_of, "exchange_of")  # a town page's „Austausch“
    install_toolbox(app)  # /vorlagen, uploads; a project's documents, an answer's templates
    app.after_request(_private_when_signed_in)
    errors.render_pages_with(app, error_page)


def error_page(status: int) -> Response:
    """The German error page for `status`."""
    heading, text = ERROR_PAGES.get(status, OTHER_ERROR)
    return make_response(render_template("error.html", heading=heading, text=text), status)


def _private_when_signed_in(response: Response) -> Response:
    """A page shown to a signed-in account (with contacts) is not kept by shared caches."""
    if g.get("account") is not None:
        response.headers.setdefault("Cache-Control", "private, no-store")
        response.vary.add("Cookie")
    return response
