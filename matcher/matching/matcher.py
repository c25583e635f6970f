"""The matcher: builds one context per query and runs the rankers and presenters of each
direction over it. It is a plain value over `MatchData`; comparing ranking configs means
building another matcher (`with_config`), never changing this one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.domain.errors import NotFoundError
from matcher.domain.schema import Filters, Municipality, Need, Offering, Project, text_of
from matcher.matching import reasons
from matcher.matching.context import MatchData, Query, QueryContext
from matcher.matching.documents import PassageIndex, rank_documents
from matcher.matching.joint import joint_groups
from matcher.matching.leads import LeadMatch, adopters, ranked
from matcher.matching.peers import profile_peers, rank_peers, structural_peers
from matcher.matching.projects import rank_projects
from matcher.matching.providers import rank_providers
from matcher.matching.results import (
    ItemRef,
    JointProjects,
    LeadsResult,
    MatchResult,
    MunicipalityResult,
    NeedMatches,
    PeersResult,
    ProjectResult,
    ProviderRef,
    ProviderResult,
    SimilarResult,
)
from matcher.matching.testfields import rank_testfields
from matcher.ranking.config import RankingConfig

RESULT_KINDS = ("projects", "municipalities", "providers")
# Asked for by name only: the test fields where a solution could be piloted, and the Toolbox's
# documents with the passage that fits.
MORE_KINDS = ("testfields", "documents")
# Each open need on a municipality's page, and each joint project, shows this many matches.
NEED_MATCHES = 3
JOINT_MATCHES = 2


class Matcher:
    """Ranked, explained results of every direction over one snapshot of the data."""

    def __init__(self, data: MatchData) -> None:
        self.data = data

    def with_config(self, config: RankingConfig) -> Matcher:
        """A matcher over the same data with another ranking config."""
        return Matcher(self.data.with_config(config))

    # -- queries -----------------------------------------------------------------------------

    def context(self, query: Query) -> QueryContext:
        """A fresh context for one query."""
        return QueryContext(self.data, query)

    def item_query(self, kind: str, item_id: str, **kw: object) -> Query:
        """A query made of an item's own text and stored vector."""
        item = self.data.catalog.get(kind, item_id)
        if item is None:
            raise NotFoundError(f"{kind}: no item with id {item_id!r}")
        vector = self.data.indexes.vectors[kind].vectors([item_id])[0]
        categories = frozenset(str(c) for c in getattr(item, "categories", []))
        return self.data.query(text_of(item), vector, item_categories=categories, **kw)

    # -- a challenge -------------------------------------------------------------------------

    def projects(self, ctx: QueryContext, k: int) -> list[ProjectResult]:
        return [reasons.project(ctx, s) for s in rank_projects(ctx)[:k]]

    def providers(self, ctx: QueryContext, k: int) -> list[ProviderResult]:
        return [reasons.provider(ctx, r) for r in rank_providers(ctx)[:k]]

    def municipalities(self, ctx: QueryContext, k: int) -> list[MunicipalityResult]:
        return [reasons.municipality(ctx, r) for r in rank_peers(ctx)[:k]]

    def match(
        self,
        query: Query,
        kinds: Sequence[str] = RESULT_KINDS,
        k: int = 10,
        passages: PassageIndex | None = None,
    ) -> MatchResult:
        """Projects, peer municipalities and providers for a challenge; test fields and
        documents (in `passages`) when asked for."""
        ctx = self.context(query)
        found: dict[str, list] = {}
        if "projects" in kinds:
            found["projects"] = self.projects(ctx, k)
        if "municipalities" in kinds:
            found["municipalities"] = self.municipalities(ctx, k)
        if "providers" in kinds:
            found["providers"] = self.providers(ctx, k)
        if "testfields" in kinds:
            found["testfields"] = rank_testfields(ctx, k)
        if "documents" in kinds and passages is not None:
            found["documents"] = rank_documents(ctx, k, passages)
        return MatchResult(**found)

    # -- directions that start from an item ---------------------------------------------------

    def _town(self, municipality_id: str) -> Municipality:
        town = self.data.catalog.municipality(municipality_id)
        if town is None:
            raise NotFoundError(f"municipalities: no item with id {municipality_id!r}")
        return town

    def peers(
        self, municipality_id: str, k: int = 10, filters: Filters | None = None
    ) -> PeersResult:
        """Peers of a town by what its projects and needs are about and by structure, and its
        open needs with matching projects and providers."""
        town = self._town(municipality_id)
        filters = filters or Filters()

        def context_of(item: Project | Need, own: frozenset[str]) -> QueryContext:
            kind = "projects" if isinstance(item, Project) else "needs"
            return self.context(
                self.item_query(kind, item.id, asker=town, filters=filters, exclude=own)
            )

        ranked_peers = profile_peers(self.data, town, filters, context_of)
        if len(ranked_peers) < k:
            skip = {r.town.id for r in ranked_peers}
            ranked_peers += structural_peers(self.data, town, filters, skip)[
                : k - len(ranked_peers)
            ]
        # Peers are explained from the town's point of view: distance and size to it.
        shown = self.context(
            self.data.query(
                town.name, np.zeros(self.data.indexes.encoder.dim, np.float32), asker=town
            )
        )
        needs = []
        for need in self.data.catalog.needs_of_municipality.get(town.id, []):
            if need.status == "erledigt":
                continue
            ctx = self.context(
                self.item_query(
                    "needs", need.id, asker=town, filters=filters, home_towns=frozenset({town.id})
                )
            )
            needs.append(
                NeedMatches(
                    id=need.id,
                    title=need.title,
                    status=need.status,
                    projects=self.projects(ctx, NEED_MATCHES),
                    providers=self.providers(ctx, NEED_MATCHES),
                )
            )
        return PeersResult(
            municipality=reasons.town_summary(town),
            peers=[reasons.municipality(shown, r) for r in ranked_peers[:k]],
            needs=needs,
        )

    def leads(self, item_id: str, k: int = 10, filters: Filters | None = None) -> LeadsResult:
        """Municipalities for a provider or one offering: open needs that match, then towns
        like its reference customers with no such project yet."""
        catalog = self.data.catalog
        provider_id, offerings, customers, found = self.lead_matches(item_id, filters)
        provider = catalog.providers[provider_id]
        return LeadsResult(
            provider=ProviderRef(id=provider.id, name=provider.name),
            offerings=[ItemRef(id=o.id, title=o.title) for o in offerings],
            leads=[reasons.lead(catalog, lead, customers) for lead in ranked(found, k)],
        )

    def lead_matches(
        self, item_id: str, filters: Filters | None = None
    ) -> tuple[str, list[Offering], frozenset[str], dict[str, LeadMatch]]:
        """(provider id, its offerings asked about, its customers, town id → lead) for a
        provider or one offering, before presenting."""
        catalog, filters = self.data.catalog, filters or Filters()
        offerings: list[Offering]
        if item_id in catalog.offerings:
            offerings = [catalog.offerings[item_id]]
            provider_id = offerings[0].provider
        elif item_id in catalog.providers:
            provider_id = item_id
            offerings = catalog.offerings_of_provider.get(item_id, [])
        else:
            raise NotFoundError(f"no provider or offering with id {item_id!r}")
        customers = frozenset(
            m for p in catalog.reference_projects(provider_id) for m in p.municipalities
        )
        queries = [
            (self.item_query("offerings", o.id, filters=filters), o.title, o.references)
            for o in offerings
        ] or [(self.item_query("providers", provider_id, filters=filters), "", [])]
        found: dict[str, LeadMatch] = {}
        for q, label, refs in queries:
            projects = [p for r in refs if (p := catalog.projects.get(r))]
            towns = catalog.towns(
                m
                for p in projects or catalog.reference_projects(provider_id)
                for m in p.municipalities
            )
            for mid, lead in adopters(self.context(q), towns, set(customers), label, False).items():
                if mid in found:
                    found[mid].absorb(lead)
                else:
                    found[mid] = lead
        return provider_id, offerings, customers, found

    def similar(
        self, project_id: str, k: int = 10, filters: Filters | None = None
    ) -> SimilarResult:
        """Projects like this one elsewhere, and the towns that could adopt it."""
        project = self.data.catalog.projects.get(project_id)
        if project is None:
            raise NotFoundError(f"projects: no item with id {project_id!r}")
        home = frozenset(project.municipalities)
        q = self.item_query(
            "projects",
            project_id,
            filters=filters or Filters(),
            exclude=frozenset({project_id}),
            home_towns=home,
        )
        ctx = self.context(q)
        towns = self.data.catalog.towns(project.municipalities)
        found = adopters(ctx, towns, set(home), project.title)
        return SimilarResult(
            project=reasons.project_summary(self.data.catalog, project),
            similar=self.projects(ctx, k),
            adopters=[reasons.lead(self.data.catalog, lead) for lead in ranked(found, k)],
        )

    def joint_projects(self, k: int = 10, filters: Filters | None = None) -> JointProjects:
        """Groups of nearby smaller towns with the same open need, best first."""
        items = []
        for group in joint_groups(self.data, filters or Filters())[:k]:
            # A member's own project may be the model: the others can join those who run it.
            ctx = self.context(self.data.query(group.text, group.vector))
            items.append(
                reasons.joint_project(
                    self.data.catalog,
                    group,
                    self.providers(ctx, JOINT_MATCHES),
                    self.projects(ctx, JOINT_MATCHES),
                )
            )
        return JointProjects(items=items)
