"""Encoders side by side on a tiny corpus with fake encoders: each gets a service of its own,
the table has dense and hybrid for each, and differences are paired against the first."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from matcher.embeddings.base import Encoder, normalize
from matcher.evaluation import encoders as compared
from matcher.evaluation import judgments as judged
from tests.helpers import FIXTURES, make_settings
from tools.fakes import FakeEncoder

JUDGMENTS = """query_id,query,kind,item_id,grade
t1,Straßenbeleuchtung auf LED umrüsten und nachts dimmen,projects,p-licht,3
t1,Straßenbeleuchtung auf LED umrüsten und nachts dimmen,projects,p-licht2,2
t2,Ein Rufbus soll die Dörfer mit dem Bahnhof verbinden,projects,p-bus,3
t3,Die Verwaltung will die elektronische Akte einführen,projects,p-akte,3
t4,Wer rüstet Straßenbeleuchtung auf LED um?,providers,lichtwerk,3
t5,Software für Rufbus im ländlichen Raum,providers,mobilfluss,3
"""


class NoiseEncoder(Encoder):
    """Vectors that know nothing of the text's meaning (a hash of the whole text)."""

    name = "fake-noise-16"
    dim = 16

    def encode(self, texts: list[str]) -> np.ndarray:
        seeds = [int(hashlib.sha256(t.encode()).hexdigest()[:8], 16) for t in texts]
        rows = [np.random.default_rng(s).normal(size=self.dim) for s in seeds]
        return normalize(np.asarray(rows).reshape(len(texts), self.dim))


def make(spec: str) -> Encoder:
    return {"words": FakeEncoder, "noise": NoiseEncoder}[spec]()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES, data)
    (data / "judgments").mkdir()
    (data / "judgments" / "all.csv").write_text(JUDGMENTS, encoding="utf-8")
    return data


def test_each_encoder_side_by_side_against_the_first(corpus, tmp_path):
    settings = make_settings(tmp_path / "home", data_dir=corpus)
    judgments = judged.load(corpus)
    tables = compared.demo_table(
        settings, ["words", "noise"], judgments, split="all", make_encoder=make
    )
    assert set(tables) == {"projects", "providers"}
    rows = {(r["system"], r["encoder"]): r for r in tables["projects"]}
    assert list(rows) == [
        ("dense", "words"),
        ("dense", "noise"),
        ("hybrid", "words"),
        ("hybrid", "noise"),
    ]
    assert all(r["queries"] == 3 for r in rows.values())
    for system in compared.SYSTEMS:
        base, other = rows[(system, "words")], rows[(system, "noise")]
        assert base["ndcg@10_delta"] == 0.0 and base["ndcg@10_delta_ci"] == (0.0, 0.0)
        assert other["ndcg@10_delta"] == pytest.approx(other["ndcg@10"] - base["ndcg@10"])
        lo, hi = other["ndcg@10_ci"]
        assert lo <= other["ndcg@10"] <= hi
    # Vectors that know the words find the right project; noise does not, dense alone.
    assert rows[("dense", "words")]["ndcg@10"] > rows[("dense", "noise")]["ndcg@10"]
    # Beside nDCG, each encoder's hybrid carries how sure its „hoch“ is, and the old rules'.
    for spec in ("words", "noise"):
        sure = rows[("hybrid", spec)]["confidence"]
        assert set(sure) == {"calibrated", "rules"} and sure["rules"]["results"] > 0
    assert "confidence" not in rows[("dense", "words")]
    assert "„hoch“" in compared.format_demo(tables, "all")
    # Each encoder had a store and index of its own; the home's own store was not made.
    root = settings.home / compared.ROOT_NAME
    for spec in ("words", "noise"):
        assert (compared.home_of(root, spec) / "matcher.sqlite3").exists()
        assert (compared.home_of(root, spec) / "index").is_dir()
    assert not (settings.home / "matcher.sqlite3").exists()
    text = compared.format_demo(tables, "all")
    assert "ΔnDCG vs words" in text and "hybrid  noise" in text


def test_the_halves_partition_the_queries():
    qids = [f"q{i:03d}" for i in range(60)]
    tune, held_out = compared.chosen(qids, "tune"), compared.chosen(qids, "held-out")
    assert sorted(tune + held_out) == qids and tune and held_out
    assert compared.chosen(qids, "all") == qids
    with pytest.raises(ValueError, match="split"):
        compared.chosen(qids, "half")


def test_spec_homes_are_safe_folder_names(tmp_path):
    assert compared.home_of(tmp_path, "use+e5:0.5").name == "use+e5_0.5"
    for spec in ("st:../x", "..", "", "a/b"):
        assert compared.home_of(tmp_path, spec).parent == tmp_path, spec


def test_a_home_built_from_other_demo_files_is_built_anew(corpus, tmp_path):
    from matcher.store import Store

    settings = make_settings(tmp_path / "home", data_dir=corpus)
    judgments = judged.load(corpus)
    home = compared.home_of(settings.home / compared.ROOT_NAME, "words")

    def projects_in_store() -> int:
        store = Store(f"sqlite:///{home / 'matcher.sqlite3'}")
        try:
            return store.count("projects")
        finally:
            store.close()

    compared.demo_table(settings, ["words"], judgments, split="all", make_encoder=make)
    assert projects_in_store() == 4
    with (corpus / "projects.jsonl").open("a", encoding="utf-8") as f:
        f.write(
            '{"id": "p-neu", "title": "Bürgerbus am Wochenende", "description": "Ehrenamtliche '
            'fahren samstags.", "categories": ["mobilitaet"], "municipalities": ["brensbach"]}\n'
        )
    compared.demo_table(settings, ["words"], judgments, split="all", make_encoder=make)
    assert projects_in_store() == 5
    assert (home / compared.FINGERPRINT).read_text().strip() == compared.demo_fingerprint(corpus)
