import numpy as np

from matcher.embeddings.cache import CachedEncoder
from matcher.store import Store
from tools.fakes import FakeEncoder


def test_rebuild_encodes_only_changed_texts(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    fake = FakeEncoder()
    enc = CachedEncoder(fake, store, batch_size=2)
    first = enc.encode(["Laterne", "Rufbus", "Akte"])
    assert fake.texts_encoded == 3
    again = CachedEncoder(fake, store).encode(["Laterne", "Rufbus", "Akte", "Neu"])
    assert fake.texts_encoded == 4
    assert np.allclose(first, again[:3])


def test_repeated_query_is_encoded_once():
    fake = FakeEncoder()
    enc = CachedEncoder(fake)
    a = enc.encode_query("Straßenlaternen nachts aus")
    b = enc.encode_query("Straßenlaternen nachts aus")
    assert fake.calls == 1 and np.array_equal(a, b)
