"""A real nginx on 127.0.0.1 in front of a server, with the shipped deploy/nginx/matcher.conf.

Everything nginx writes (pid, logs, temporary files) stays in the folder given; the shipped
file is included with only its two addresses changed (the upstream port and the listen port).
"""

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tools.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "deploy" / "nginx" / "matcher.conf"
UPSTREAM = "server 127.0.0.1:8000;"  # the shipped upstream, the default of `matcher serve`
LISTEN = "listen 80;"  # the shipped listen line
START_SECONDS = 10  # nginx answers within milliseconds; this much means it will not

MAIN_CONF = """\
{user}worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{
    worker_connections 1024;
}}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/matcher.conf;
}}
"""


def binary() -> str | None:
    """The nginx program: on PATH, else Debian's /usr/sbin/nginx; None if neither exists."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"{SHIPPED} should contain {old!r} exactly once")
    return text.replace(old, new)


def write_config(directory: Path, upstream_port: int, listen_port: int) -> Path:
    """nginx.conf in `directory` that includes a copy of the shipped file with these ports."""
    site = _replace_once(SHIPPED.read_text(), UPSTREAM, f"server 127.0.0.1:{upstream_port};")
    site = _replace_once(site, LISTEN, f"listen 127.0.0.1:{listen_port};")
    (directory / "matcher.conf").write_text(site)
    # As root, nginx would run its workers as `nobody`, who cannot enter a private test folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = directory / "nginx.conf"
    config.write_text(MAIN_CONF.format(user=user, dir=directory))
    return config


def start(directory: Path, upstream_port: int):
    """nginx in the foreground, proxying a free port on 127.0.0.1 to `upstream_port`:
    (process, base URL). Waits until nginx answers (any status, e.g. a 502 while the upstream
    is not there)."""
    program = binary()
    if program is None:
        raise AssertionError("nginx is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = write_config(directory, upstream_port, port)
    log = directory / "nginx.out"
    with log.open("w") as out:
        process = subprocess.Popen(
            # -e: the error log from the very start (Debian's built-in one is stderr).
            [program, "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx stopped:\n{log.read_text()}\n{_error_log(directory)}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2):
                return process, base
        except urllib.error.HTTPError:
            return process, base
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise AssertionError(f"nginx did not answer:\n{_error_log(directory)}")


def _error_log(directory: Path) -> str:
    path = directory / "error.log"
    return path.read_text() if path.exists() else ""


def stop(process) -> None:
    process.terminate()  # SIGTERM: nginx's fast shutdown
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
