"""What `matcher serve` hands gunicorn, in-process and from the settings; the group's one
mapping of domain errors to the exit code; nothing done at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from matcher.cli import main
from matcher.config import SERVING_STATEMENT_TIMEOUT, Settings
from matcher.web.server import Server, serving_settings
from tests.helpers import make_settings


def test_serving_settings_split_the_cores_and_bound_statements(tmp_path):
    settings = make_settings(tmp_path)
    serving = serving_settings(settings)
    assert serving.workers == 2
    assert serving.encoder_threads == max(1, (os.cpu_count() or 1) // 2)
    assert serving.db_statement_timeout == SERVING_STATEMENT_TIMEOUT
    assert serving_settings(settings, workers=64).encoder_threads == 1
    chosen = make_settings(tmp_path, encoder_threads=3, db_statement_timeout=1.5)
    assert serving_settings(chosen, workers=4).encoder_threads == 3
    assert serving_settings(chosen).db_statement_timeout == 1.5
    assert settings.encoder_threads is None  # the caller's settings are left alone


def test_gunicorn_options_come_from_the_settings(tmp_path):
    server = Server(serving_settings(make_settings(tmp_path)), "127.0.0.1:8123", None)
    cfg = server.cfg
    assert (cfg.worker_class_str, cfg.threads, cfg.keepalive) == ("gthread", 8, 5)
    assert (cfg.workers, cfg.timeout, cfg.graceful_timeout) == (2, 120, 10)
    assert cfg.bind == ["127.0.0.1:8123"]
    server.reload()  # `kill -HUP`: the same options again
    assert server.cfg.threads == 8 and server.cfg.workers == 2
    tuned = make_settings(
        tmp_path, workers=3, worker_threads=4, keepalive=2, worker_timeout=30, graceful_timeout=5
    )
    cfg = Server(tuned, "127.0.0.1:8123", None).cfg
    assert (cfg.workers, cfg.threads, cfg.keepalive, cfg.timeout, cfg.graceful_timeout) == (
        3,
        4,
        2,
        30,
        5,
    )


def test_importing_the_cli_and_the_server_does_no_work(tmp_path):
    """`matcher serve` sizes OpenBLAS before numpy loads; `matcher.web.wsgi` builds no app and
    opens no service until a server calls `create()`."""
    home = tmp_path / "home"
    code = (
        "import sys, matcher.cli, matcher.web, matcher.web.server; "
        "print(sorted(m for m in ('numpy', 'flask', 'matcher.service') if m in sys.modules)); "
        "import matcher.web.wsgi; print(hasattr(matcher.web.wsgi, 'app'))"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**environ, "MATCHER_HOME": str(home)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "False"]
    assert not home.exists()


def test_a_domain_error_is_one_line_and_exit_code_2(tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith("MATCHER_")]:
        monkeypatch.delenv(key)
    done = CliRunner().invoke(main, ["--home", str(tmp_path), "keys", "add", "kaiser"])
    assert done.exit_code == 2
    assert (
        done.stderr.startswith("Fehler: unknown role 'kaiser'") and "Traceback" not in done.output
    )
    monkeypatch.setenv("MATCHER_ENCODR", "minilm")
    done = CliRunner().invoke(main, ["keys", "add", "admin"])
    assert done.exit_code == 2 and "MATCHER_ENCODR" in done.stderr


def test_settings_handed_over_on_standard_input(tmp_path, monkeypatch):
    """How a server's master hands its settings to the `matcher build` it runs first."""
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "elsewhere"))  # ignored
    settings = Settings(home=tmp_path / "home", keys_file=tmp_path / "k.json")
    done = CliRunner().invoke(
        main, ["--settings-stdin", "keys", "add", "admin"], input=settings.model_dump_json()
    )
    assert done.exit_code == 0, done.output
    assert json.loads((tmp_path / "k.json").read_text())["keys"][0]["role"] == "admin"


def test_bench_sizes_must_be_numbers():
    done = CliRunner().invoke(main, ["bench", "--sizes", "viele"])
    assert done.exit_code == 2 and "expected numbers like 10000,100000" in done.output
