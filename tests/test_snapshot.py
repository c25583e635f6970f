"""Several instances on one database: an index snapshot built by one process is loaded by
another (as docs/scaling.md describes), with only the writes since the snapshot applied."""

import shutil

import pytest

from tests.helpers import pg_database_or_skip, run_cli

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_second_instance_serves_from_the_snapshot_and_catches_up(db, tmp_path):
    url = pg_database_or_skip() if db == "postgresql" else f"sqlite:///{tmp_path / 'shared.db'}"
    builder, instance = tmp_path / "builder", tmp_path / "instance"
    built = run_cli(["build"], builder, MATCHER_DB_URL=url)
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
    added = run_cli(["import", "needs", str(need)], builder, MATCHER_DB_URL=url)
    assert added.returncode == 0, added.stderr
    started = run_cli(["build"], instance, MATCHER_DB_URL=url)
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
        MATCHER_DB_URL=url,
    )
    assert found.returncode == 0, found.stderr
    assert "mossautal" in found.stdout
