"""An installed package ranks like the checkout: a non-editable install in a fresh venv, run
from another directory, ships the tuned ranking config and the demo corpus as package data,
gives the checkout's top 10 for demo challenges, and serves with no checkout in reach.

Nothing is downloaded: the fresh venv reaches the project venv's third-party packages through a
plain path line in a .pth file (which does not run that directory's .pth files, so the project's
editable-install hook stays off), and pip builds without isolation from that setuptools.

To save two encodings of the demo, the checkout's side is the session's built demo home, and the
installed build starts from its embedding cache (item vectors; the installed encoder still
encodes every query).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from matcher.config import FAST_ENCODER, REPO_ROOT
from matcher.service import MatcherService
from matcher.store.tables import embeddings
from tests.helpers import DEMO_DATA, make_settings
from tools.live_server import KEY, call, free_port, stop

pytestmark = pytest.mark.slow

# What the build reads: the top-level files (pyproject.toml, README.md, licences) and the packages
# of [tool.setuptools.packages.find]. Built from a copy, so that the build leaves no build/ in the
# shared checkout.
PACKAGES = ("matcher",)
KINDS = ("projects", "providers", "municipalities")
QUERIES_PER_KIND = 4
STORE_FILE = "matcher.sqlite3"  # the SQLite store in a home (Settings.database_url)


def _queries(kind: str) -> list[str]:
    """The first few demo challenges of a kind, from its judgments."""
    with (DEMO_DATA / "judgments" / f"{kind}.csv").open(encoding="utf-8") as f:
        texts = dict.fromkeys(row["query"] for row in csv.DictReader(f))
    return list(texts)[:QUERIES_PER_KIND]


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


class Installed:
    """The package installed into a fresh venv, and a place to run it outside the checkout."""

    def __init__(self, root: Path) -> None:
        self.venv = root / "venv"
        self.elsewhere = root / "elsewhere"
        self.elsewhere.mkdir()
        self.home = root / "home"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def env(self, **extra: str) -> dict[str, str]:
        environ = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("MATCHER_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
        }
        environ.update(
            PATH=f"{self.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            MATCHER_HOME=str(self.home),
            MATCHER_ENCODER=FAST_ENCODER,
            MATCHER_PROGRESS="false",
            HF_HUB_OFFLINE="1",
        )
        environ.update(extra)
        return environ

    def run(self, args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """A command of the fresh venv, in a directory outside the checkout."""
        return subprocess.run(
            args,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=self.elsewhere,
            timeout=600,
        )

    def python_c(self, code: str) -> str:
        done = self.run([str(self.python), "-c", code])
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("packaging")
    source = root / "source"
    source.mkdir()
    for path in REPO_ROOT.iterdir():
        if path.is_file():
            shutil.copy2(path, source)
    for package in PACKAGES:
        shutil.copytree(
            REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    inst = Installed(root)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(inst.venv)], check=True)
    purelib = inst.python_c("import sysconfig; print(sysconfig.get_path('purelib'))")
    # pip, setuptools and the dependencies: the project venv's, by a plain path line.
    (Path(purelib) / "project_venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = inst.run(
        [
            str(inst.python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--ignore-installed",  # never touch the project venv's editable install
            "--quiet",
            str(source),
        ]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return inst


def _only_the_embedding_cache(built: Path, home: Path) -> None:
    """`home` gets a store holding nothing but the embedding cache of the `built` home: a
    build there imports its demo corpus as into an empty store, and its encoder encodes no item
    the session's build already encoded (same texts, same model; queries are still encoded)."""
    home.mkdir(parents=True)
    shutil.copy2(built / STORE_FILE, home / STORE_FILE)
    with contextlib.closing(sqlite3.connect(home / STORE_FILE)) as db, db:
        tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for (name,) in tables:
            if name != embeddings.name and not name.startswith("sqlite_"):
                db.execute(f'DELETE FROM "{name}"')


@pytest.fixture(scope="module")
def installed_home(installed: Installed, demo_home) -> Path:
    """The demo built by the installed `matcher`, on a store seeded with the session's
    embedding cache (the build imports the installed package's corpus; it encodes nothing)."""
    _only_the_embedding_cache(demo_home, installed.home)
    done = installed.run([str(installed.venv / "bin" / "matcher"), "build"])
    assert done.returncode == 0, done.stdout + done.stderr
    return installed.home


def test_installed_package_is_not_the_checkout_and_ships_its_data(installed: Installed):
    module = Path(installed.python_c("import matcher; print(matcher.__file__)"))
    assert module.is_relative_to(installed.venv), module
    paths = json.loads(
        installed.python_c(
            "import json; from matcher.config import load_settings; s = load_settings(); "
            "print(json.dumps([str(s.ranking_path), str(s.demo_dir)]))"
        )
    )
    ranking, demo = (Path(p) for p in paths)
    assert ranking.is_relative_to(installed.venv), ranking
    assert ranking.read_bytes() == (DEMO_DATA / "ranking.json").read_bytes()
    assert demo.is_relative_to(installed.venv), demo
    assert _files(demo) == _files(DEMO_DATA)  # the corpus, ranking.json and every judgment


def _top10(run, kind: str) -> list[list[str]]:
    done = run(
        ["search", "-", "--kind", kind, "-k", "10", "--json"], "\n".join(_queries(kind)) + "\n"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert len(answers) == QUERIES_PER_KIND
    return [[hit["id"] for hit in answer] for answer in answers]


def test_installed_package_ranks_like_the_checkout(
    installed: Installed, installed_home, demo_copy, use_encoder
):
    """The installed `matcher search` against the checkout's service in this process, on a copy
    of the session's demo home (built from the checkout's matcher/data by the same encoder
    profile; the same `service.search` the command calls), not on a second build of its own."""
    checkout = MatcherService(make_settings(demo_copy("checkout-home")), encoder=use_encoder)
    checkout.open()
    matcher = str(installed.venv / "bin" / "matcher")
    try:
        for kind in KINDS:
            theirs = _top10(lambda args, stdin: installed.run([matcher, *args], stdin), kind)
            ours = [[hit.id for hit in checkout.search(q, kind, 10)] for q in _queries(kind)]
            assert all(theirs) and theirs == ours, kind
    finally:
        checkout.close()


def test_installed_package_serves_without_a_checkout(installed: Installed, installed_home):
    port = free_port()
    log = installed_home / "server.log"
    with log.open("w") as out:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(
            [str(installed.venv / "bin" / "matcher"), "serve", "--port", str(port)],
            env=installed.env(MATCHER_ADMIN_KEY=KEY, MATCHER_WORKERS="1"),
            cwd=installed.elsewhere,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.time() + 240
        while True:
            assert process.poll() is None, log.read_text()
            try:
                status, body = call(f"http://127.0.0.1:{port}/health")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, log.read_text()
            time.sleep(0.5)
        assert body["status"] == "ok" and body["counts"]["projects"] > 0, body
        # The pages' templates and static files are package data too.
        for path, kind in (("/projekte", "text/html"), ("/static/site.css", "text/css")):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as page:
                assert page.status == 200 and page.headers.get_content_type() == kind, path
    finally:
        stop(process)
