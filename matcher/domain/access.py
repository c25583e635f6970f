"""Who may change what: the tenancy rules, checked on what a write finally changes.

Roles: `admin` (everything), `municipality:<id>` (its own record, its needs, the projects it
takes part in, the test fields in it that no host owns), `provider:<id>` (its own record and
offerings), `host:<id>` (a host organisation that is neither, such as a stadium operator: the
test fields whose `host` it is). A write is checked after names
were resolved and official records merged, on every record it will change, before and after:
a request body that looks harmless cannot rewrite another town through a merge. Naming another
party (a town or provider on a project, a project as an offering's reference) needs its
consent: the other party named it first (a town listed the provider on its project), or an
admin makes the change. Only an admin changes a record's identity (id, AGS, kind), creates
municipalities or providers, or imports files.

Districts and associations are actors like municipalities: the key `municipality:<id of the
district>` owns the district's record, its needs and the projects it takes part in, and
nothing of its member municipalities (a district runs its own projects; a town's project stays
the town's). Likewise a member town has no rights over its district's or association's items.
Naming a new member of an association needs an admin, as naming a town on a project needs
that town's consent. Removing another town from a joint project, or deleting it, needs an admin
(one co-owner must not take a joint project over); removing a provider from a project withdraws
the town's consent, and the provider's offerings no longer cite it. Who an actor is (name,
district, kind, official key) changes only by an admin: a town could otherwise pose as another.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.domain.catalog import Catalog
from matcher.domain.errors import PermissionDenied
from matcher.domain.schema import Entity, Municipality, Need, Offering, Project, Provider, TestField

ROLE_KINDS = ("municipality", "provider", "host")


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a role string as stored with an API key."""

    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def kind(self) -> str:
        """'admin', 'municipality' or 'provider'."""
        return self.role.partition(":")[0]

    @property
    def owner(self) -> str:
        """The id of the municipality or provider the role belongs to ('' for admin)."""
        return self.role.partition(":")[2]


SYSTEM = Actor("admin")  # local, trusted callers: the CLI, notebooks, tests


@dataclass(frozen=True)
class Viewer:
    """Whom an answer is for, and so which private fields (contact addresses) it may carry.

    The one rule (SECURITY.md, "Privacy"): without a key, none. An admin and every
    municipality, district or association key see every contact: the programme's point is
    that towns talk to towns and to providers. A provider key sees its own record's, the
    projects' that name it (its references), and the towns' that reported an open need, which
    asks for offers; no other town's, project's or provider's. `open_need_towns` are the ids
    of those towns, taken from the data when the viewer is made.
    """

    role: str | None
    open_need_towns: frozenset[str] = frozenset()

    def may_see_private(self, item: Entity) -> bool:
        if self.role is None:
            return False
        actor = Actor(self.role)
        if actor.is_admin or actor.kind == "municipality":
            return True
        if isinstance(item, TestField):
            # A test field asks providers to apply: its contact is theirs to see, as the
            # contact of a town with an open need is; a host sees its own.
            return actor.kind == "provider" or (actor.kind == "host" and item.host == actor.owner)
        if actor.kind != "provider":
            return False
        if isinstance(item, Provider):
            return item.id == actor.owner
        if isinstance(item, Project):
            return actor.owner in item.providers
        if isinstance(item, Municipality):
            return item.id in self.open_need_towns
        return False


def viewer_for(catalog: Catalog, role: str | None) -> Viewer:
    """The viewer of a role over the data as it is now."""
    if role is None or Actor(role).kind != "provider":
        return Viewer(role)
    towns = frozenset(n.municipality for n in catalog.needs.values() if n.status == "offen")
    return Viewer(role, towns)


def owns(actor: Actor, item: Entity) -> bool:
    """True if the actor may change this record."""
    if actor.is_admin:
        return True
    if actor.kind == "municipality":
        if isinstance(item, Project):
            return actor.owner in item.municipalities
        if isinstance(item, Need):
            return item.municipality == actor.owner
        if isinstance(item, Municipality):
            return item.id == actor.owner
        if isinstance(item, TestField):
            # A host's test field is the host's alone, wherever it lies.
            return item.host is None and item.municipality == actor.owner
    if actor.kind == "host":
        return isinstance(item, TestField) and item.host == actor.owner
    if actor.kind == "provider":
        if isinstance(item, Offering):
            return item.provider == actor.owner
        if isinstance(item, Provider):
            return item.id == actor.owner
    return False


def _identity(before: Entity, after: Entity) -> None:
    if after.id != before.id:
        raise PermissionDenied(
            f"only an admin may merge {before.id!r} into another record ({after.id!r})"
        )
    if isinstance(before, Municipality) and isinstance(after, Municipality):
        if after.ags != before.ags:
            raise PermissionDenied("only an admin may change a municipality's AGS")
        if after.kind != before.kind:
            raise PermissionDenied("only an admin may change what kind of actor a record is")
        # Name and district say who an actor is: a town renamed "Laubach" posed as Laubach
        # (its projects showed as Laubach's, the real Laubach's writes by name failed).
        if after.name != before.name or after.district != before.district:
            raise PermissionDenied("only an admin may change a municipality's name or district")
    if isinstance(before, Provider) and isinstance(after, Provider) and after.name != before.name:
        raise PermissionDenied("only an admin may change a provider's name")


def _consent(catalog: Catalog, actor: Actor, before: Entity | None, after: Entity) -> None:
    """New parties named by the change must have named this actor first; a town removes only
    itself from a joint project (another party, or an admin, removes the others), and withdraws
    its project from a provider's references by removing the provider."""
    if isinstance(after, Project):
        old = before if isinstance(before, Project) else None
        dropped = set(old.municipalities if old else ()) - set(after.municipalities)
        dropped.discard(actor.owner)
        if dropped:
            raise PermissionDenied(
                f"removing other municipalities from a project needs them or an admin: "
                f"{sorted(dropped)}"
            )
        towns = set(after.municipalities) - set(old.municipalities if old else ()) - {actor.owner}
        if towns:
            raise PermissionDenied(
                f"naming other municipalities on a project needs their consent: {sorted(towns)}"
            )
        providers = set(after.providers) - set(old.providers if old else ())
        if providers:
            raise PermissionDenied(
                f"naming providers on a project needs an admin: {sorted(providers)}"
            )
    if isinstance(after, Municipality):
        old_members = set(before.members) if isinstance(before, Municipality) else set()
        members = set(after.members) - old_members
        if members:
            raise PermissionDenied(
                f"naming members of an association needs an admin: {sorted(members)}"
            )
    if isinstance(after, Offering):
        old_refs = set(before.references) if isinstance(before, Offering) else set()
        for ref in set(after.references) - old_refs:
            project = catalog.projects.get(ref)
            if project is None or after.provider not in project.providers:
                raise PermissionDenied(
                    f"project {ref!r} does not name provider {after.provider!r}: a reference "
                    "needs the municipality's consent (it lists the provider on its project)"
                )


def check_change(
    catalog: Catalog, actor: Actor, kind: str, before: Entity | None, after: Entity | None
) -> None:
    """PermissionDenied unless the actor may turn `before` into `after` (None: not there)."""
    if actor.is_admin:
        return
    if before is None and after is not None and kind in ("municipalities", "providers"):
        raise PermissionDenied(f"only an admin may create {kind}")
    for state in (before, after):
        if state is not None and not owns(actor, state):
            raise PermissionDenied(f"the key's role {actor.kind} does not own {kind} {state.id!r}")
    if isinstance(before, Project) and after is None and set(before.municipalities) - {actor.owner}:
        raise PermissionDenied(
            "deleting a joint project needs an admin: the other municipalities run it too"
        )
    if before is not None and after is not None:
        _identity(before, after)
    if after is not None:
        _consent(catalog, actor, before, after)


def check_programme_writer(actor: Actor) -> None:
    """Funding programme records are staff's: only an admin creates, replaces, deletes or
    imports them (a town could otherwise raise its own grant share)."""
    if not actor.is_admin:
        raise PermissionDenied("Förderprogramme pflegen nur Mitarbeitende (Admin-Schlüssel)")


def check_documents_writer(actor: Actor, project: Project) -> None:
    """A project's documents (the Toolbox) are its towns': only a municipality taking part in
    the project, or an admin, attaches or deletes them (a provider named on it does not)."""
    if not owns(actor, project):
        raise PermissionDenied(
            "Dokumente eines Projekts verwalten nur die beteiligten Kommunen und Mitarbeitende "
            f"(Admin); dieser Zugang ({actor.kind}) gehört nicht zum Projekt {project.id!r}"
        )
