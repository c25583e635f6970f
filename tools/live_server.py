"""A real `matcher serve` process on 127.0.0.1 for tests that talk HTTP or drive a browser."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from matcher.config import FAST_ENCODER

KEY = "server-test-admin-key-with-32-characters-or-more"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None, key=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def serve(home, console=False, **env):
    """A real `matcher serve` (2 workers) on `home`; with `console`, started as a user does,
    through the venv's `matcher` script with the venv's bin not on PATH."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    environ.update(
        MATCHER_HOME=str(home),
        MATCHER_PROGRESS="false",
        MATCHER_ADMIN_KEY=KEY,
        MATCHER_ENCODER=FAST_ENCODER,  # the fast profile, unless `env` names another
        HF_HUB_OFFLINE="1",
    )
    environ.update(env)
    command = [sys.executable, "-m", "matcher.cli"]
    if console:
        command = [str(Path(sys.executable).parent / "matcher")]
        environ["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    log = home / "server.log"
    with log.open("w") as out:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--workers", "2"],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            if call(base + "/health")[0] == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise AssertionError("server did not come up")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
