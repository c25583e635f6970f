"""The `matcher` command as a user runs it: a real process, the real encoder, a real database."""

import json

import pytest

from tests.helpers import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli-home")
    done = run_cli(["build"], home)
    assert done.returncode == 0, done.stderr
    assert "importiert:   263 projects" in done.stdout
    return home


def test_search_json_has_the_documented_fields(home):
    done = run_cli(["search", "Straßenlaternen nachts dimmen", "-k", "3", "--json"], home)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == 3
    for r in results:
        assert {"id", "title", "categories", "score", "municipalities", "explanation"} <= set(r)
        assert isinstance(r["municipalities"][0], str)


def test_batch_mode_reads_one_query_per_line(home):
    done = run_cli(
        ["search", "-", "--kind", "providers", "-k", "2"],
        home,
        stdin="Rufbus für Dörfer\n\nSirenen und Warnung der Bevölkerung\n",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2 and all(len(json.loads(line)) <= 2 for line in lines)


def test_text_output_and_rebuild_is_a_no_op(home):
    done = run_cli(["search", "Hausarzt fehlt im Dorf"], home)
    assert done.returncode == 0 and " 1. " in done.stdout
    again = run_cli(["build"], home)
    assert "0 neu kodiert" in again.stdout and "importiert" not in again.stdout


def test_bad_import_is_refused_with_line_numbers(home, tmp_path):
    bad = tmp_path / "p.csv"
    bad.write_text("id,title,categories\np-x,Gut,energie\np-y,Schlecht,kochen\n")
    done = run_cli(["import", "projects", str(bad)], home)
    assert done.returncode == 2 and "line 3" in done.stderr and "Traceback" not in done.stderr
    check = run_cli(["search", "Gut", "--json"], home)
    assert all(r["id"] != "p-x" for r in json.loads(check.stdout))


def test_mistyped_setting_is_refused(home):
    done = run_cli(["search", "Licht"], home, MATCHER_ENCODR="minilm")
    assert done.returncode == 2 and "MATCHER_ENCODR" in done.stderr


@pytest.mark.postgres
def test_build_and_search_on_postgresql(tmp_path, requires_pg):
    url = requires_pg
    assert run_cli(["build"], tmp_path, MATCHER_DB_URL=url).returncode == 0
    done = run_cli(["search", "Rufbus", "--json", "-k", "1"], tmp_path, MATCHER_DB_URL=url)
    assert done.returncode == 0 and json.loads(done.stdout)[0]["id"].startswith("prj-")


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["peers", "mossautal"], "peers"),
        (["leads", "lichtwerk"], "leads"),
        (["similar", "prj-en-01"], "similar"),
        (["joint-projects"], None),
    ],
)
def test_direction_commands_print_json(home, args, key):
    done = run_cli([*args, "--json", "-k", "3"], home)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    results = found[key] if key else found
    assert 1 <= len(results) <= 3


def test_unknown_id_is_a_clear_error(home):
    done = run_cli(["peers", "atlantis"], home)
    assert done.returncode == 2 and "atlantis" in done.stderr and "Traceback" not in done.stderr
