"""From a match to a project: funding programmes, a grant estimate, the procurement path.

Programmes are records in the database (`ProgrammeStore`, filled once from the shipped
`matcher/data/programmes.jsonl`), kept by staff (admin); the procurement rules are the shipped
dated data (`procurement_rules.json`). A funding check matches the idea once (projects only) for
its topics and its funded references, then judges every programme by the rules in
`matcher.domain.funding`. Joint groups get their programmes from the same judgement, after
ranking: the order of the groups never changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from matcher.config import PACKAGE_DATA
from matcher.domain.access import Actor, check_programme_writer
from matcher.domain.catalog import Catalog
from matcher.domain.errors import ValidationError
from matcher.domain.funding import (
    Check,
    FundingCheck,
    FundingRequest,
    LeadSuggestion,
    Programme,
    ProgrammeFit,
    ReuseOffer,
    call_status,
    check_amount,
    check_date,
    check_programme,
    estimate,
    euros,
    fold,
    programme_for,
    share_for,
    stand,
)
from matcher.domain.geography import LAENDER
from matcher.domain.procurement import (
    OfferingKind,
    OrderKind,
    ProcurementPath,
    Rules,
    load_rules,
    offering_kind_of,
    path_for,
)
from matcher.domain.schema import (
    CATEGORY_LABELS,
    MIN_CHALLENGE_CHARS,
    Category,
    Municipality,
    Project,
)
from matcher.importing.records import parse_records
from matcher.matching.results import JointProject, JointProjects, ProjectResult
from matcher.service.answers import Answers, Ask
from matcher.service.home import Home
from matcher.service.replica import Replica
from matcher.store.programmes import ProgrammeStore

PROGRAMMES_FILE = PACKAGE_DATA / "programmes.jsonl"
RULES_FILE = PACKAGE_DATA / "procurement_rules.json"
# How many matching projects a check reads for its topics and its funded references: the
# answer's first page, as a user sees it.
PROJECTS_READ = 10
# The idea's topics come from this many of the confident matches (more would drift off topic).
TOPIC_PROJECTS = 3
STATE_ORDER = {"offen": 0, "laufend": 0, "naechste_runde": 1, "geschlossen": 2}


@dataclass(frozen=True)
class _Idea:
    text: str
    categories: list[str]
    applicants: list[Municipality]
    own_project: str | None


def shipped_programmes() -> list[Programme]:
    """The records shipped with the package."""
    lines = PROGRAMMES_FILE.read_text(encoding="utf-8").splitlines()
    return [Programme.model_validate_json(line) for line in lines if line.strip()]


def parse_programmes(data: bytes) -> list[Programme]:
    """JSONL of programme records, each valid and free of contradictions, ids unique; else one
    ValidationError naming every line and field (nothing is written)."""
    return parse_records(Programme, data, "Programme", check_programme)


class Funding:
    """Programmes, funding checks and procurement paths."""

    def __init__(self, home: Home, replica: Replica, answers: Answers) -> None:
        self._home = home
        self._replica = replica
        self._answers = answers
        self._store: ProgrammeStore | None = None
        self._made = threading.Lock()

    @property
    def store(self) -> ProgrammeStore:
        """The programme records, the table made (and filled) on first use, once a process."""
        with self._made:
            if self._store is None:
                self._store = ProgrammeStore(self._home.store, shipped_programmes())
            return self._store

    @functools.cached_property
    def rules(self) -> Rules:
        return load_rules(RULES_FILE)

    # -- programmes as data ------------------------------------------------------------------

    def create(self, programme: Programme, actor: Actor) -> Programme:
        check_programme_writer(actor)
        check_programme(programme)
        self.store.create(programme)
        return programme

    def replace(self, programme_id: str, programme: Programme, actor: Actor) -> Programme:
        check_programme_writer(actor)
        if programme.id != programme_id:
            raise ValidationError(
                "id: passt nicht zur Adresse", [("id", "muss der id in der Adresse gleichen")]
            )
        check_programme(programme)
        self.store.replace(programme)
        return programme

    def delete(self, programme_id: str, actor: Actor) -> None:
        check_programme_writer(actor)
        self.store.delete(programme_id)

    def import_bytes(self, data: bytes, actor: Actor) -> int:
        check_programme_writer(actor)
        items = parse_programmes(data)
        self.store.upsert_all(items)
        return len(items)

    def funded_projects(self, programme_id: str) -> list[Project]:
        """The projects whose `funding` names this programme (for a programme's page)."""
        programmes = self.store.all()
        self.store.get(programme_id)  # NotFoundError for an unknown id
        with self._replica.snapshot() as view:
            return [
                p
                for p in sorted(view.catalog.projects.values(), key=lambda p: p.id)
                if (found := programme_for(p.funding, programmes)) and found.id == programme_id
            ]

    # -- the funding check -------------------------------------------------------------------

    def check(self, request: FundingRequest) -> FundingCheck:
        on = check_date(request.date or dt.date.today())
        cost = check_amount(request.cost_eur, "cost_eur") if request.cost_eur is not None else None
        with self._replica.snapshot() as view:
            idea = self._idea(view.catalog, request)
        matched = self._answers.match(
            Ask.of(idea.text, ["projects"], PROJECTS_READ, idea.applicants[0].id)
        ).projects
        confident = [p for p in matched if p.confidence != "niedrig"]
        topics = Counter(c for p in confident[:TOPIC_PROJECTS] for c in p.categories)
        categories = list(dict.fromkeys([*idea.categories, *(c for c, _ in topics.most_common())]))
        references = [p for p in confident if p.id != idea.own_project]
        with self._replica.snapshot(fresh=False) as view:
            fits = self._fits(
                view.catalog, idea.applicants, categories, idea.text, references, cost, on
            )
        return FundingCheck(
            date=on,
            text=idea.text,
            municipalities=[m.name for m in idea.applicants],
            municipality_ids=[m.id for m in idea.applicants],
            joint=len(idea.applicants) >= 2,
            cost_eur=int(cost) if cost is not None else None,
            categories=categories,
            programmes=fits,
            disclaimer="Angaben ohne Gewähr; Stand je Programm angegeben",
        )

    def _idea(self, catalog: Catalog, request: FundingRequest) -> _Idea:
        given = [x for x in ("text", "need", "project") if getattr(request, x)]
        if len(given) != 1:
            raise ValidationError(
                "text: genau eines von text, need oder project angeben",
                [("text", "genau eines von text, need oder project angeben")],
            )
        categories: list[str] = []
        towns: list[str] = list(request.municipalities)
        own = None
        if request.need:
            need = catalog.needs.get(request.need)
            if need is None:
                raise ValidationError("need: unbekannt", [("need", "kein Bedarf mit dieser id")])
            text, categories = (
                f"{need.title}. {need.description}",
                [str(c) for c in need.categories],
            )
            towns = towns or [need.municipality]
        elif request.project:
            project = catalog.projects.get(request.project)
            if project is None:
                raise ValidationError(
                    "project: unbekannt", [("project", "kein Projekt mit dieser id")]
                )
            text = f"{project.title}. {project.description}"
            categories = [str(c) for c in project.categories]
            towns, own = towns or list(project.municipalities), project.id
        else:
            text = (request.text or "").strip()
            if len(text) < MIN_CHALLENGE_CHARS:
                raise ValidationError(
                    "text: zu kurz", [("text", f"mindestens {MIN_CHALLENGE_CHARS} Zeichen")]
                )
        if not towns:
            raise ValidationError(
                "municipalities: wer beantragt?",
                [("municipalities", "mindestens eine antragstellende Kommune (id)")],
            )
        applicants = []
        for i, town_id in enumerate(dict.fromkeys(towns)):
            town = catalog.municipality(town_id)
            if town is None:
                raise ValidationError(
                    f"municipalities.{i}: unbekannte Kommune",
                    [(f"municipalities.{i}", f"keine Kommune mit der id {town_id!r}")],
                )
            applicants.append(town)
        return _Idea(text.strip(), categories, applicants, own)

    def _fits(
        self,
        catalog: Catalog,
        applicants: list[Municipality],
        categories: list[str],
        text: str,
        references: list[ProjectResult],
        cost: Decimal | None,
        on: dt.date,
    ) -> list[ProgrammeFit]:
        programmes = self.store.all()
        funded = {
            p.id: found.id
            for p in references
            if (project := catalog.projects.get(p.id)) is not None
            and (found := programme_for(project.funding, programmes)) is not None
        }
        fits = [
            _assess(p, applicants, categories, text, references, funded, cost, on)
            for p in programmes
        ]
        fits.sort(
            key=lambda f: (
                not f.fits,
                STATE_ORDER[f.status.state],
                -(f.estimate.grant_eur if f.estimate else 0),
                f.id,
            )
        )
        return fits

    # -- joint groups ------------------------------------------------------------------------

    def with_programmes(self, groups: JointProjects, on: dt.date | None = None) -> JointProjects:
        """The groups as ranked, each with its fitting programmes (no cost: shares and
        maxima, no estimate) and a suggested lead."""
        on = on or dt.date.today()
        with self._replica.snapshot(fresh=False) as view:
            catalog = view.catalog
            items = []
            for group in groups.items:
                towns = [t for m in group.members if (t := catalog.municipality(m.id))]
                if not towns:
                    items.append(group)
                    continue
                fits = self._fits(
                    catalog, towns, group.categories, group.title, group.projects, None, on
                )
                items.append(
                    group.model_copy(
                        update={
                            "programmes": [f for f in fits if f.fits],
                            "lead": suggest_lead(group, towns, catalog),
                        }
                    )
                )
        return groups.model_copy(update={"items": items})

    # -- procurement -------------------------------------------------------------------------

    def procurement(
        self,
        value_eur: float,
        kind: OrderKind,
        on: dt.date | None = None,
        offering: str | None = None,
        contract: OfferingKind | None = None,
    ) -> ProcurementPath:
        on = check_date(on or dt.date.today())
        if offering and contract is None:
            with self._replica.snapshot() as view:
                item = view.catalog.items["offerings"].get(offering)
                if item is None:
                    raise ValidationError(
                        "offering: unbekannt", [("offering", "kein Angebot mit dieser id")]
                    )
                text = f"{getattr(item, 'title', '')} {getattr(item, 'description', '')}"
            contract = offering_kind_of(text, self.rules)
        return path_for(self.rules, value_eur, kind, on, contract)


def _land(town: Municipality) -> str | None:
    return LAENDER.get(town.ags[:2]) if town.ags else None


def _assess(
    programme: Programme,
    applicants: list[Municipality],
    categories: list[str],
    text: str,
    references: list[ProjectResult],
    funded: dict[str, str],
    cost: Decimal | None,
    on: dt.date,
) -> ProgrammeFit:
    """One programme against the applicants and the idea, rule by rule."""
    checks = [
        _kinds(programme, applicants),
        _lands(programme, applicants),
        _joint(programme, len(applicants)),
        _topic(programme, categories, text),
    ]
    share = share_for(programme, len(applicants))
    grant = None
    if cost is not None and share.percent is not None:
        grant = estimate(programme, cost, share.percent)
        checks.append(_amount(programme, grant.grant_eur, grant.capped))
    elif cost is not None:
        checks.append(Check(name="betrag", ok=None, reason=share.reason))
    else:
        checks.append(Check(name="betrag", ok=None, reason="ohne Kostenschätzung nicht geprüft"))
    status = call_status(programme, on)
    checks.append(_deadline(status.state, status.label, status.days_left))
    line = programme.reuse_line()
    reuse = []
    if line is not None:
        reuse = [
            ReuseOffer(
                line=line,
                project=p.id,
                project_title=p.title,
                municipalities=p.municipalities,
                reason=(
                    f"„{p.title}“ wurde über dieses Programm gefördert – "
                    f"{', '.join(p.municipalities)} fragen"
                ),
            )
            for p in references
            if funded.get(p.id) == programme.id
        ]
    lines = [x for x in programme.lines if not x.reuse or reuse]
    return ProgrammeFit(
        id=programme.id,
        title=programme.title,
        funder=programme.funder,
        fits=not any(c.ok is False for c in checks),
        checks=checks,
        share=share,
        estimate=grant,
        status=status,
        lines=lines,
        reuse=reuse,
        max_grant_eur=programme.max_grant_eur,
        contact=programme.contact,
        source_url=programme.source_url,
        checked=programme.checked,
        unverified=programme.unverified,
        disclaimer=stand(programme),
    )


def _kinds(programme: Programme, applicants: list[Municipality]) -> Check:
    wrong = [t.name for t in applicants if t.kind not in programme.actor_kinds]
    limit = programme.max_population
    large = [t.name for t in applicants if limit and (t.population or 0) > limit]
    if large:
        people = f"{limit:,}".replace(",", ".")
        return Check(
            name="antragsberechtigt",
            ok=False,
            reason=f"nur Orte bis {people} Einwohner: nicht {', '.join(large)}",
        )
    if wrong:
        return Check(
            name="antragsberechtigt",
            ok=False,
            reason=f"nicht antragsberechtigt: {', '.join(wrong)} (Art der Körperschaft)",
        )
    return Check(name="antragsberechtigt", ok=True, reason="Antragsteller sind antragsberechtigt")


def _lands(programme: Programme, applicants: list[Municipality]) -> Check:
    if not programme.land:
        return Check(name="land", ok=True, reason="bundesweit")
    outside = [t.name for t in applicants if (_land(t) or programme.land) != programme.land]
    if outside:
        return Check(
            name="land", ok=False, reason=f"nicht in {programme.land}: {', '.join(outside)}"
        )
    unknown = [t.name for t in applicants if _land(t) is None]
    reason = f"alle in {programme.land}"
    if unknown:
        reason += " (ohne amtlichen Schlüssel angenommen)"
    return Check(name="land", ok=True, reason=reason)


def _joint(programme: Programme, count: int) -> Check:
    if programme.joint == "erforderlich" and count < programme.min_partners:
        return Check(
            name="verbund",
            ok=False,
            reason=f"nur im Verbund ab {programme.min_partners} Partnern",
        )
    if programme.joint == "bevorzugt":
        reason = (
            f"Gemeinschaftsvorhaben von {count} Kommunen – bevorzugt"
            if count >= 2
            else "allein möglich, Gemeinschaftsvorhaben werden bevorzugt"
        )
        return Check(name="verbund", ok=True, reason=reason)
    return Check(name="verbund", ok=True, reason="allein oder gemeinsam möglich")


def _topic(programme: Programme, categories: list[str], text: str) -> Check:
    if not programme.categories and not programme.keywords:
        return Check(name="thema", ok=True, reason="themenoffen")
    shared = [c for c in categories if c in programme.categories]
    words = [k for k in programme.keywords if fold(k) in fold(text)]
    if shared or words:
        named = [CATEGORY_LABELS[Category(c)] for c in shared[:2]] + [f"„{w}“" for w in words[:2]]
        return Check(name="thema", ok=True, reason=f"passt zum Thema: {', '.join(named)}")
    if not categories:
        return Check(name="thema", ok=None, reason="Thema nicht erkannt – bitte selbst prüfen")
    wanted = ", ".join(CATEGORY_LABELS[c] for c in programme.categories[:3])
    return Check(name="thema", ok=False, reason=f"anderes Thema (das Programm: {wanted} …)")


def _amount(programme: Programme, grant: int, capped: bool) -> Check:
    if programme.min_grant_eur is not None and grant < programme.min_grant_eur:
        return Check(
            name="betrag",
            ok=False,
            reason=f"Förderung {euros(grant)} unter dem Mindestbetrag "
            f"{euros(programme.min_grant_eur)}",
        )
    if capped:
        return Check(
            name="betrag",
            ok=True,
            reason=f"Förderung auf den Höchstbetrag {euros(programme.max_grant_eur or 0)} begrenzt",
        )
    return Check(name="betrag", ok=True, reason=f"Förderung {euros(grant)} im Rahmen des Programms")


def _deadline(state: str, label: str, days: int | None) -> Check:
    if state == "offen" and days is not None:
        return Check(name="frist", ok=True, reason=f"{label}, noch {days} Tage bis zur Frist")
    if state == "laufend":
        return Check(name="frist", ok=True, reason=f"{label}, Programm endet in {days} Tagen")
    if state == "naechste_runde":
        return Check(name="frist", ok=None, reason=label)
    return Check(name="frist", ok=False, reason=label)


def suggest_lead(
    group: JointProject, towns: list[Municipality], catalog: Catalog
) -> LeadSuggestion:
    """Who could lead: the member that already ran a fitting project, else the district all
    members share, else the largest member."""
    by_id = {t.id: t for t in towns}
    for project in group.projects:
        ran = [i for i in project.municipality_ids if i in by_id]
        if ran:
            town = by_id[ran[0]]
            return LeadSuggestion(
                id=town.id,
                name=town.name,
                reason=f"{town.name} hat „{project.title}“ schon umgesetzt",
            )
    districts = {t.district for t in towns}
    if len(districts) == 1 and (district := districts.pop()):
        record = next(
            (
                m
                for m in catalog.municipalities.values()
                if m.kind == "kreis" and (m.district == district or m.name == district)
            ),
            None,
        )
        return LeadSuggestion(
            id=record.id if record else None,
            name=record.name if record else district,
            reason=f"alle Mitglieder liegen im {district}: der Kreis kann koordinieren",
        )
    largest = max(towns, key=lambda t: (t.population or 0, t.id))
    people = f"{largest.population:,}".replace(",", ".") if largest.population else "?"
    return LeadSuggestion(
        id=largest.id,
        name=largest.name,
        reason=f"{largest.name} ist mit {people} Einwohnern die größte Mitgliedskommune",
    )
