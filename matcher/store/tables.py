"""Table definitions. Relations are tables with foreign keys, so nothing can be orphaned."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from matcher.domain.schema import MAX_ID_CHARS, MAX_TITLE_CHARS

metadata = MetaData()

ID = MAX_ID_CHARS
TITLE = MAX_TITLE_CHARS

municipalities = Table(
    "municipalities",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(TITLE), nullable=False),
    Column("district", String(TITLE), nullable=False, default=""),
    Column("region", String(TITLE), nullable=False, default=""),
    Column("population", Integer),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("ags", String(12), nullable=False, default="", index=True),
    # Added after the first release: a server default, so that the start-up upgrade can add
    # them to an existing table (matcher/store/migrate.py).
    Column("kind", String(20), nullable=False, default="gemeinde", server_default="gemeinde"),
    Column("area_km2", Float),
    Column("contact_email", String(254), nullable=False, default="", server_default=""),
)

# An association's members (a district's follow from its key and are not stored).
municipality_members = Table(
    "municipality_members",
    metadata,
    Column(
        "municipality_id",
        String(ID),
        ForeignKey("municipalities.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "member_id",
        String(ID),
        ForeignKey("municipalities.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
    Column("position", Integer, nullable=False),
)

providers = Table(
    "providers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(TITLE), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("regions", JSON, nullable=False, default=list),
    Column("contact_email", String(254), nullable=False, default="", server_default=""),
)

projects = Table(
    "projects",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("title", String(TITLE), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("categories", JSON, nullable=False, default=list),
    Column("year", Integer),
    Column("status", String(20)),
    Column("funding", String(TITLE), nullable=False, default=""),
    Column("contact", String(TITLE), nullable=False, default=""),
    Column("contact_email", String(254), nullable=False, default="", server_default=""),
)

project_municipalities = Table(
    "project_municipalities",
    metadata,
    Column(
        "project_id", String(ID), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "municipality_id",
        String(ID),
        ForeignKey("municipalities.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
    Column("position", Integer, nullable=False),
)

project_providers = Table(
    "project_providers",
    metadata,
    Column(
        "project_id", String(ID), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "provider_id",
        String(ID),
        ForeignKey("providers.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
    Column("position", Integer, nullable=False),
)

offerings = Table(
    "offerings",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column(
        "provider",
        String(ID),
        ForeignKey("providers.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("title", String(TITLE), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("categories", JSON, nullable=False, default=list),
)

offering_references = Table(
    "offering_references",
    metadata,
    Column(
        "offering_id", String(ID), ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "project_id",
        String(ID),
        ForeignKey("projects.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
    Column("position", Integer, nullable=False),
)

needs = Table(
    "needs",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column(
        "municipality",
        String(ID),
        ForeignKey("municipalities.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("title", String(TITLE), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("categories", JSON, nullable=False, default=list),
    Column("status", String(20), nullable=False, default="offen"),
    Column("date", Date),
)

# Every committed write, in order: other processes (API workers) apply what they have not
# seen yet, so all of them answer from the same data.
changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("op", String(10), nullable=False),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("query", Text, nullable=False),
    Column("item_kind", String(40), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("created", String(40), nullable=False),
    # Who gave it, hashed: "key:<hash of the API key>" or "ip:<hash of the address>"; a client
    # has one verdict per query and item (a new one replaces it).
    Column("client", String(80), nullable=False, default="", server_default=""),
    # "neu", "angenommen" or "verworfen" (staff's decision): anonymous verdicts train the
    # learned ranker only once accepted.
    Column("status", String(20), nullable=False, default="neu", server_default="neu"),
    Index("feedback_by_client", "client", "created"),
)

# Signed-in web sessions (matcher/web/pages/session.py): the cookie holds a random token, the
# table only its SHA-256, the role and the hash of the API key it was opened with (so that
# revoking the key ends the session), the form token against cross-site requests, and when it
# ends.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("role", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("expires", Integer, nullable=False, index=True),
)

# Searches whose challenge is too long for an address (matcher/store/searches.py): the pages
# redirect a search form's post to `/suche/<id>`, the id a hash of the search's fields, so
# back, reload and bookmarks work. Only the form's fields (challenge text, "Wir sind", filters)
# are kept, nothing about who searched; unused ones expire and the table has a bounded size.
saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("query", Text, nullable=False),
    Column("used", BigInteger, nullable=False, index=True),  # seconds since the epoch
)

# A signed-in account's visits to its area (matcher/store/visits.py): the change sequence when
# this visit (session) began and when the previous one did, so the area can mark matches that
# were added or changed since the last visit. `visit` is a hash of the session's form token.
area_visits = Table(
    "area_visits",
    metadata,
    Column("role", String(200), primary_key=True),
    Column("visit", String(64), nullable=False),
    Column("seen", Integer, nullable=False),
    Column("before", Integer),
)

# Funding programmes (matcher/store/programmes.py): one validated record (JSON) a row, kept by
# staff; an empty table is filled with the records shipped with the package.
programmes = Table(
    "programmes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("record", JSON, nullable=False),
)

# Background jobs (staff's evaluation on /relevanz): any worker shows a job's state and result,
# whichever worker runs it. `running` holds the job's kind while it runs and is NULL after: its
# unique constraint lets one job of a kind run at a time, also across workers and machines.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("state", String(20), nullable=False),  # "laeuft", "fertig" or "fehler"
    Column("running", String(40), unique=True),
    Column("worker", String(200), nullable=False, default=""),  # host:pid that runs it
    Column("started", Float, nullable=False),  # seconds since the epoch
    Column("finished", Float),
    Column("result", Text),  # JSON, once done
    Index("jobs_by_kind", "kind", "id"),
)

# Embedding cache: vectors keyed by model and a hash of the text, so a rebuild re-encodes
# only texts that changed.
embeddings = Table(
    "embedding_cache",
    metadata,
    Column("model", String(300), primary_key=True),
    Column("text_hash", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)

# Test fields (issue 24): places where providers pilot a solution; where one lies is a
# municipality (its owner unless a host organisation, `host`, owns it). Lists and dates are
# JSON and ISO text, read back through the model.
testfields = Table(
    "testfields",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("title", String(TITLE), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column(
        "municipality",
        String(ID),
        ForeignKey("municipalities.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("host", String(ID), index=True),
    Column("host_name", String(TITLE), nullable=False, default=""),
    Column("place_type", String(40), nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("area_ha", Float),
    Column("categories", JSON, nullable=False, default=list),
    Column("facilities", JSON, nullable=False, default=list),
    Column("data_licence", String(TITLE), nullable=False, default=""),
    Column("available_from", String(10)),
    Column("available_until", String(10)),
    Column("max_pilot_months", Integer),
    Column("slots", Integer, nullable=False, default=1),
    Column("payer", String(20), nullable=False, default="anbieter"),
    Column("conditions", JSON, nullable=False, default=list),
    Column("conditions_note", Text, nullable=False, default=""),
    Column("evaluation", Text, nullable=False, default=""),
    Column("report_published", Boolean, nullable=False, default=False),
    Column("call", String(20), nullable=False, default="laufend"),
    Column("deadline", String(10)),
    Column("contact", String(TITLE), nullable=False, default=""),
    Column("contact_email", String(254), nullable=False, default=""),
)

# Providers' applications to pilot on a test field (matcher/store/testfields.py): who applied
# with what, and where the pilot stands. Seen only by the field's owner, the applicant and
# admins (matcher/domain/testfields.py).
testfield_applications = Table(
    "testfield_applications",
    metadata,
    Column("id", String(40), primary_key=True),
    Column(
        "testfield",
        String(ID),
        ForeignKey("testfields.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column(
        "provider",
        String(ID),
        ForeignKey("providers.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("offering", String(ID)),
    Column("message", Text, nullable=False),
    Column("needs", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("created", String(40), nullable=False),
    Column("updated", String(40), nullable=False),
)

ENTITY_TABLES = {
    "municipalities": municipalities,
    "projects": projects,
    "providers": providers,
    "offerings": offerings,
    "needs": needs,
    "testfields": testfields,
}

# kind → {field: (link table, owner column, target column)}
LINKS = {
    "municipalities": {"members": (municipality_members, "municipality_id", "member_id")},
    "projects": {
        "municipalities": (project_municipalities, "project_id", "municipality_id"),
        "providers": (project_providers, "project_id", "provider_id"),
    },
    "offerings": {"references": (offering_references, "offering_id", "project_id")},
}

# Exchange groups and events (matcher/store/exchange.py): one validated record (JSON) a row,
# kept by staff. A group's members are rows of their own, so that a town that is deleted leaves
# its groups (CASCADE) and no group names a town that does not exist.
exchange_groups = Table(
    "exchange_groups",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("record", JSON, nullable=False),  # without its members
)

exchange_group_members = Table(
    "exchange_group_members",
    metadata,
    Column(
        "group_id",
        String(ID),
        ForeignKey("exchange_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "municipality_id",
        String(ID),
        ForeignKey("municipalities.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, nullable=False, default=0),  # the order the record lists them in
)

exchange_events = Table(
    "exchange_events",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("date", Date, nullable=False, index=True),
    Column("record", JSON, nullable=False),
)

# The Toolbox (matcher/store/documents.py): uploaded files kept once by their SHA-256, in the
# database (so that a document and its file are written in one transaction on SQLite and
# PostgreSQL alike), and the documents of projects with their extracted text (the passage
# index is rebuilt from it). A file stays while a document refers to it; a project with
# documents cannot be deleted before them.
document_blobs = Table(
    "document_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column(
        "project",
        String(ID),
        ForeignKey("projects.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column(
        "sha256",
        String(64),
        ForeignKey("document_blobs.sha256", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("record", JSON, nullable=False),  # the validated `Document` (without its text)
    Column("text", Text, nullable=False),
)
