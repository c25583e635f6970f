"""Several instances on one database: an index snapshot built by one process is loaded by
another (as docs/scaling.md describes), with only the writes since the snapshot applied.

On the fixture corpus (tests/fixtures: a few items of each kind), with the real encoder: what is
tested is the snapshot and the catching up, which do not depend on the corpus's size (on the
demo corpus the two builds took a minute of encoding per database)."""

import json
import shutil

import pytest

from tests.helpers import FIXTURES, pg_database_or_skip, run_cli

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_second_instance_serves_from_the_snapshot_and_catches_up(db, tmp_path):
    url = pg_database_or_skip() if db == "postgresql" else f"sqlite:///{tmp_path / 'shared.db'}"
    env = {"MATCHER_DB_URL": url, "MATCHER_DATA_DIR": str(FIXTURES)}
    builder, instance = tmp_path / "builder", tmp_path / "instance"
    built = run_cli(["build"], builder, **env)
    assert built.returncode == 0, built.stderr
    # Ship the snapshot; then a write reaches the database after it was taken.
    shutil.copytree(builder / "index", instance / "index")
    snapshot = {
        str(p.relative_to(instance / "index")): p.read_bytes()
        for p in (instance / "index").rglob("*")
        if p.is_file()
    }
    need = tmp_path / "need.csv"
    need.write_text(
        "id;municipality;title;description\n"
        "n-snap;mossautal;Glasfaser für Aussiedlerhöfe;Die Höfe am Ortsrand sind nicht versorgt\n",
        encoding="utf-8",
    )
    added = run_cli(["import", "needs", str(need)], builder, **env)
    assert added.returncode == 0, added.stderr
    started = run_cli(["build"], instance, **env)
    assert started.returncode == 0, started.stderr
    lines = {
        line.split(":")[0].split()[-1]: line
        for line in started.stdout.splitlines()
        if "Index" in line
    }
    for kind in ("projects", "offerings", "providers"):
        assert " 0 neu kodiert" in lines[kind], lines[kind]
        assert (instance / "index" / f"{kind}.faiss").read_bytes() == snapshot[f"{kind}.faiss"]
        # The lexical snapshot was loaded as it is, not analysed again and saved anew.
        config = f"{kind}.lexical.json"
        assert (instance / "index" / config).read_bytes() == snapshot[config]
    assert " 1 neu kodiert" in lines["needs"]  # only the write since the snapshot
    found = run_cli(
        ["search", "Glasfaser Aussiedlerhöfe", "--kind", "municipalities", "--json"],
        instance,
        **env,
    )
    assert found.returncode == 0, found.stderr
    # No fixture item speaks of fibre: Mossautal is found by the need written after the snapshot.
    assert [hit["id"] for hit in json.loads(found.stdout)][:1] == ["mossautal"], found.stdout
