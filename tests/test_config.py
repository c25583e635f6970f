from pathlib import Path

import pytest

from matcher.config import describe_settings, load_settings
from matcher.domain.errors import ConfigError


def test_defaults_and_env_override(tmp_path: Path):
    s = load_settings(environ={"MATCHER_HOME": str(tmp_path), "MATCHER_BATCH_SIZE": "8"})
    assert s.batch_size == 8
    assert s.database_url.startswith("sqlite:///") and str(tmp_path.resolve()) in s.database_url
    assert s.encoder == "use+e5"  # the default: the encoder that ranks best on real text


def test_db_url_wins_over_sqlite_default(tmp_path: Path):
    s = load_settings(environ={"MATCHER_DB_URL": "postgresql+psycopg://u@h/db"}, home=tmp_path)
    assert s.database_url == "postgresql+psycopg://u@h/db"


def test_unknown_env_setting_is_rejected():
    with pytest.raises(ConfigError, match="MATCHER_BATCHSIZE"):
        load_settings(environ={"MATCHER_BATCHSIZE": "8"})


def test_toml_file_is_read_and_unknown_keys_rejected(tmp_path: Path):
    good = tmp_path / "good.toml"
    good.write_text('[matcher]\nencoder = "minilm"\n')
    assert load_settings(environ={"MATCHER_CONFIG": str(good)}).encoder == "minilm"
    bad = tmp_path / "bad.toml"
    bad.write_text('[matcher]\nencodr = "minilm"\n')
    with pytest.raises(ConfigError, match="encodr"):
        load_settings(environ={"MATCHER_CONFIG": str(bad)})


def test_mistyped_value_is_rejected():
    with pytest.raises(ConfigError, match="batch_size"):
        load_settings(environ={"MATCHER_BATCH_SIZE": "viele"})


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in describe_settings():
        assert f"MATCHER_{name.upper()}" in readme, name
