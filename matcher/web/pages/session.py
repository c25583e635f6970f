"""Signing in to the pages: a server-side session behind a cookie, and form tokens.

A municipality or provider signs in with its API key, the programme's staff with the admin key
(for the staff's pages only: reviewing feedback, starting the evaluation; a shorter session
and a SameSite=Strict cookie, as it is the most valuable one). The browser then holds only a random
session token in an HttpOnly cookie (SameSite=Lax; Secure over https); the database holds the
token's hash, the role, the key's hash and the session's form token (`matcher.store.sessions`).
A session ends when its holder signs out, after `SESSION_SECONDS`, or when its key is revoked.

Every form of the account pages carries the session's form token (the synchronizer-token
pattern), checked in constant time besides the Origin check that all page posts pass. The
sign-in form, before there is a session, carries a token that must equal a cookie set with the
form (double submit; SameSite=Strict, so another site's post never carries it).
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

from flask import current_app, g, request
from werkzeug.wrappers import Response

from matcher.domain.access import Actor, Viewer
from matcher.domain.schema import display_name
from matcher.keys import KeyRing, hash_key
from matcher.web.core.current import current_catalog, service

SESSION_COOKIE = "matcher_sitzung"
LOGIN_COOKIE = "matcher_anmeldung"
SESSION_SECONDS = 8 * 3600  # a working day; after it, sign in again
STAFF_SESSION_SECONDS = 2 * 3600  # staff's: a tuning session, not a day (the master key's)
STAFF_NAME = "Programmteam"
LOGIN_SECONDS = 3600  # how long a sign-in form stays usable
PAGE_ROLES = ("municipality", "provider", "admin")  # who signs in to the pages (SECURITY.md)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what our tokens look like; anything else is noise


@dataclass(frozen=True)
class Account:
    """Who is signed in: the role of their key, its owner's name, the form token."""

    role: str
    name: str
    csrf: str

    @property
    def actor(self) -> Actor:
        return Actor(self.role)

    @property
    def kind(self) -> str:
        """'municipality', 'provider' or 'admin' (the programme's staff)."""
        return self.actor.kind

    @property
    def staff(self) -> bool:
        return self.actor.is_admin

    @property
    def owner(self) -> str:
        return self.actor.owner


def _keys() -> KeyRing:
    return current_app.extensions["matcher_keys"]


def owner_name(role: str) -> str | None:
    """The name of the municipality or provider a page role belongs to (the staff's for the
    admin key); None if there is none."""
    actor = Actor(role)
    if actor.is_admin:
        return STAFF_NAME
    if actor.kind not in PAGE_ROLES:
        return None
    kind = "municipalities" if actor.kind == "municipality" else "providers"
    item = current_catalog().get(kind, actor.owner)
    return display_name(item) if item is not None else None


def current_account() -> Account | None:
    """The signed-in account of this request (looked up once), or None."""
    if "account" in g:
        return g.account
    account = None
    token = request.cookies.get(SESSION_COOKIE, "")
    if _TOKEN.fullmatch(token):
        found = service().sessions.find(token)
        # A revoked key (deleted from the keys file, service restarted) ends its sessions.
        if found is not None and _keys().role_for_hash(found.key_hash) == found.role:
            name = owner_name(found.role)
            if name is not None:
                account = Account(found.role, name, found.csrf)
    g.account = account
    return account


def role_of_key(key: str) -> str | None:
    """The role of an API key typed into the sign-in form, or None."""
    key = key.strip()
    return _keys().role_for(key) if key else None


def open_session(response: Response, role: str, key: str) -> None:
    """Start a session for `role` (a fresh token: no session fixation) and set its cookie."""
    old = request.cookies.get(SESSION_COOKIE, "")
    if _TOKEN.fullmatch(old):
        service().sessions.end(old)
    staff = Actor(role).is_admin
    seconds = STAFF_SESSION_SECONDS if staff else SESSION_SECONDS
    token, _ = service().sessions.open(role, hash_key(key.strip()), seconds)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=seconds,
        path="/",
        secure=request.is_secure,
        httponly=True,
        # Lax: Strict would look signed out after following a link from an e-mail; staff's
        # session is Strict, as no other site's link or form should ever carry it.
        samesite="Strict" if staff else "Lax",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/anmelden", httponly=True, samesite="Strict")


def end_session(response: Response) -> None:
    """Forget this request's session in the database and in the browser."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if _TOKEN.fullmatch(token):
        service().sessions.end(token)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=request.is_secure, httponly=True, samesite="Lax"
    )
    g.account = None


def login_token() -> str:
    """The sign-in form's token: the browser's sign-in cookie, or a new one to be set."""
    if "login_token" not in g:
        sent = request.cookies.get(LOGIN_COOKIE, "")
        g.login_token = sent if _TOKEN.fullmatch(sent) else secrets.token_urlsafe(32)
        g.login_token_new = g.login_token != sent
    return g.login_token


def set_login_cookie(response: Response) -> Response:
    """After a page that showed the sign-in form: its cookie, if it is new."""
    if g.get("login_token_new"):
        response.set_cookie(
            LOGIN_COOKIE,
            g.login_token,
            max_age=LOGIN_SECONDS,
            path="/anmelden",
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
    return response


def _same(expected: str, sent: str) -> bool:
    return bool(expected) and bool(sent) and hmac.compare_digest(expected, sent)


def sign_in_token_ok() -> bool:
    """True if the sign-in form's token equals the sign-in cookie."""
    return _same(request.cookies.get(LOGIN_COOKIE, ""), request.form.get("csrf_token", ""))


def form_token_ok() -> bool:
    """True if a form posted with a session carries that session's form token."""
    account = current_account()
    return account is not None and _same(account.csrf, request.form.get("csrf_token", ""))


def page_viewer() -> Viewer:
    """Whom this page is for (the signed-in account's role, else anonymous), made once per
    request: a results page asks for every card's contact, and a provider's viewer reads every
    open need."""
    if "matcher_page_viewer" not in g:
        me = current_account()
        g.matcher_page_viewer = service().viewer(me.actor.role if me is not None else None)
    found: Viewer = g.matcher_page_viewer
    return found
