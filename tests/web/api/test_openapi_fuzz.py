"""Schema-driven fuzzing of every endpoint from the OpenAPI document (schemathesis): no 500,
and every response conforms to what the document says. Runs on the fixture corpus with the
fake encoder, so the document cannot drift from the real endpoints."""

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from matcher.service import MatcherService
from matcher.web import create_app
from tests.helpers import FIXTURES, make_settings
from tools.fakes import FakeEncoder

_home = Path(tempfile.mkdtemp(prefix="matcher-fuzz-"))
# Limits high enough that hundreds of generated requests a minute are not refused.
_settings = make_settings(
    _home,
    admin_key="fuzz-admin-key-with-32-characters-or-more",
    rate_limit_match="100000 per minute",
    rate_limit_write="100000 per minute",
    rate_limit_feedback="100000 per minute",
    rate_limit_contacts="100000 per minute",
)
_service = MatcherService(_settings, encoder=FakeEncoder())
_service.build(FIXTURES)
app = create_app(_settings, _service, {"TESTING": True})

schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
# Cases per operation: 25 in CI; scripts/fuzz.py raises it for long runs and reads the tally.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
TALLY: Counter[str] = Counter()


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value) -> bytes:
    """The import endpoints take JSON Lines as a plain string body."""
    return value.encode("utf-8") if isinstance(value, str) else str(value).encode("utf-8")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors_and_responses_match_the_document(case):
    # Every other check runs. Left out: "schema-valid data must be accepted", which cannot
    # hold for ids that must name existing items (an unknown asker is rightly a 400).
    response = case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
    TALLY["cases"] += 1
    TALLY[f"status {response.status_code // 100}xx"] += 1
    report = os.environ.get("FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(TALLY), encoding="utf-8")
