"""Who to contact about a project, municipality or provider, and a prepared German message.

Contacts are role mailboxes (`contact_email`; a project's office in `contact`), shown in the
pages to signed-in municipalities and providers only, as the API shows them only to callers
with a key (SECURITY.md). "Kontakt aufnehmen" is a mailto: link with a subject and a body that
quotes the challenge the user searched with, so the message can be sent from the user's own
mail program: the matcher sends no mail and learns nothing about who wrote to whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from matcher.domain.access import owns
from matcher.domain.catalog import Catalog
from matcher.domain.schema import LINE_BREAKING, Municipality, Project, Provider
from matcher.web.core.current import current_catalog
from matcher.web.pages.session import current_account, page_viewer

# The challenge is quoted up to this many characters: mail programs and the systems that hand
# them a mailto: link cut long links (about 2,000 characters in some), and umlauts and spaces
# take three to six characters each once encoded.
MAX_QUOTED_CHARS = 400


@dataclass(frozen=True)
class Contact:
    """A role mailbox for an item: whom it reaches and how to greet them."""

    kind: str  # projects, municipalities, providers
    name: str  # the project's title, the municipality's or provider's name
    email: str
    office: str = ""  # a project's contact role ("Ordnungsamt der Gemeinde Mossautal")


def contact_of(catalog: Catalog, kind: str, item_id: str) -> Contact | None:
    """The contact of an item, or None if it has no mailbox. A project without its own
    mailbox is reached through its first municipality's."""
    item = catalog.get(kind, item_id)
    if isinstance(item, Project):
        email = item.contact_email
        for town_id in item.municipalities:
            town = catalog.municipality(town_id)
            if email or town is None:
                break
            email = town.contact_email
        return Contact(kind, item.title, email, item.contact) if email else None
    if isinstance(item, Municipality | Provider) and item.contact_email:
        return Contact(kind, item.name, item.contact_email)
    return None


_SUBJECTS = {
    "projects": "Anfrage zu Ihrem Projekt „{name}“",
    "municipalities": "Austausch mit {name} über den Smart Region Matcher",
    "providers": "Anfrage an {name} über den Smart Region Matcher",
}
_ABOUT = {
    "projects": "auf Ihr Projekt „{name}“",
    "municipalities": "auf Ihre Kommune",
    "providers": "auf Ihr Angebot",
}


def _one_line(text: str) -> str:
    """`text` without control characters or line breaks (each becomes a space), so that nothing
    built into the link, however it was stored or typed, adds a header ("%0D%0ABcc: …")."""
    return " ".join(LINE_BREAKING.sub(" ", text).split())


def _quoted(text: str) -> str:
    text = _one_line(text)
    if len(text) > MAX_QUOTED_CHARS:
        text = text[:MAX_QUOTED_CHARS].rsplit(" ", 1)[0] + " …"
    return f"„{text}“"


def message(contact: Contact, challenge: str | None, signer: str) -> tuple[str, str]:
    """Subject and body of the prepared German message: the subject one line, the body lines
    joined with CR LF (as RFC 6068 wants them), each line without control characters."""
    name, signer = _one_line(contact.name), _one_line(signer)
    subject = _SUBJECTS[contact.kind].format(name=name)
    about = _ABOUT[contact.kind].format(name=name)
    lines = [
        "Guten Tag,",
        "",
        "über den Smart Region Matcher des Programms „Smart Region Hessen“ sind wir "
        f"{about} aufmerksam geworden.",
    ]
    if challenge and challenge.strip():
        lines += ["", "Unsere Herausforderung:", _quoted(challenge)]
    lines += [
        "",
        "Wir würden uns gern mit Ihnen darüber austauschen. Hätten Sie in den nächsten Wochen "
        "Zeit für ein kurzes Gespräch?",
        "",
        "Mit freundlichen Grüßen",
        signer,
    ]
    return subject, "\r\n".join(lines)


def mailto(contact: Contact, challenge: str | None, signer: str) -> str:
    """A mailto: link (RFC 6068) with the prepared subject and body."""
    subject, body = message(contact, challenge, signer)
    address = quote(contact.email, safe="@")
    return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def contact_card(kind: str, item_id: str, challenge: str | None = None) -> dict:
    """For the contact partial: whether the item has a contact, and only for a signed-in
    account the contact itself and the prepared message's mailto: link."""
    data = current_catalog()
    found = contact_of(data, kind, item_id)
    signed_in = current_account()
    item = data.get(kind, item_id)
    # Staff (the admin key) may change everything, but own nothing: they see the contact.
    own = (
        signed_in is not None
        and item is not None
        and not signed_in.staff
        and owns(signed_in.actor, item)
    )
    hidden = {"exists": found is not None, "own": own, "contact": None, "href": None}
    if found is None or signed_in is None or item is None or own:  # nobody writes to themselves
        return hidden
    # The API's one rule (`Viewer`): e.g. a provider's account sees a town's mailbox only when
    # the town reported an open need.
    if not page_viewer().may_see_private(item):
        return hidden
    return {
        "exists": True,
        "own": False,
        "contact": found,
        "href": mailto(found, challenge, signed_in.name),
    }
