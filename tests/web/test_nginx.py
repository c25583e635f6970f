"""The shipped nginx configuration (deploy/nginx/matcher.conf) in front of a real `matcher serve`:
50 slow clients (headers, then a body byte a second) do not hold up anyone else, because nginx
reads every body before gunicorn sees the request. A bare server is held by 16 such clients
(measured with `python -m tools.slow_clients`, README "Behind nginx"; not asserted here, as
timed assertions against the bare server would be flaky).

A second test checks what nginx passes on: one X-Forwarded-For address (the socket's, whatever
the client sent), no client-made forwarding headers, the whole body at once, and bodies over
the service's limit refused before they reach it. Everything runs on 127.0.0.1, every loop is
bounded in seconds, and nginx and the servers are stopped in `finally`.
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tools import live_nginx
from tools.live_server import call, free_port, serve, stop
from tools.slow_clients import attack

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        live_nginx.binary() is None,
        reason="nginx is not installed (neither on PATH nor /usr/sbin/nginx; .ci/run installs it)",
    ),
]

SLOW_SOCKETS = 50  # three times the threads of a bare server's two workers (2 × 8)
ATTACK_SECONDS = 10.0  # /health is probed every 0.5 s from the 2nd to the 10th second
PROBE_TIMEOUT = 5.0  # a probe is given up after this (it should take milliseconds)
QUICK = 1.0  # seconds within which every probe must be answered meanwhile
MAX_BODY = 10 * 1024 * 1024  # the service's default MATCHER_MAX_BODY_BYTES
MATCH = {"text": "Straßenbeleuchtung auf LED umrüsten", "k": 3, "kinds": ["projects"]}


def test_nginx_keeps_slow_clients_off_the_server(tmp_path, demo_copy):
    # The session's built demo (a copy): the server loads it instead of encoding it again.
    home, proxy = demo_copy("nginx-home"), tmp_path / "nginx"
    server, upstream = serve(home, MATCHER_TRUSTED_PROXIES="1")
    nginx = None
    try:
        nginx, base = live_nginx.start(proxy, int(upstream.rsplit(":", 1)[1]))
        report = attack(base, SLOW_SOCKETS, ATTACK_SECONDS, probe_timeout=PROBE_TIMEOUT)
        print("\n" + report.summary())
        # nginx held every slow client to the end: none refused (limit_conn) or timed out.
        assert report.connected == report.held == SLOW_SOCKETS, report.summary()
        assert len(report.probes) >= 15
        slow = [p for p in report.probes if p.status != 200 or p.seconds >= QUICK]
        assert not slow, report.summary()
        # A whole request still goes through, on the upstream keep-alive connections.
        status, found = call(base + "/api/v1/match", "POST", MATCH, timeout=10)
        assert status == 200 and found["projects"], found
    finally:
        if nginx is not None:
            live_nginx.stop(nginx)
        stop(server)


def _recorder(seen: list[dict]) -> type[BaseHTTPRequestHandler]:
    """An upstream handler that records what nginx passes on (path, headers, body, when) in
    `seen` and answers 200."""

    class Recorder(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.append(
                {"path": self.path, "headers": self.headers, "body": body, "at": time.monotonic()}
            )
            answer = json.dumps({"status": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:  # quiet
            pass

    return Recorder


def _send(port: int, head: str, parts: list[bytes], pause: float = 0.0) -> bytes:
    """A raw request to nginx: `head`, then the body `parts` with `pause` seconds between;
    returns the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        for n, part in enumerate(parts):
            if n:
                time.sleep(pause)
            sock.sendall(part)
        return sock.makefile("rb").readline()


def test_nginx_passes_one_forwarded_address_and_whole_bodies(tmp_path):
    seen: list[dict] = []
    upstream = ThreadingHTTPServer(("127.0.0.1", free_port()), _recorder(seen))
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    nginx = None
    try:
        nginx, base = live_nginx.start(tmp_path, upstream.server_address[1])
        port = int(base.rsplit(":", 1)[1])
        head = (
            "POST /api/v1/feedback HTTP/1.1\r\nHost: matcher.example\r\n"
            "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Host: evil.example\r\n"
            "X-Forwarded-Ssl: on\r\nForwarded: for=203.0.113.7;proto=https\r\n"
            "Content-Type: application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"
        )
        sent = time.monotonic()
        status = _send(port, head, [b"{ ", b" }"], pause=1.0)
        assert status.startswith(b"HTTP/1.1 200"), status
        (request,) = [r for r in seen if r["path"] == "/api/v1/feedback"]
        # The request reached the upstream only when its body was complete, in one piece.
        assert request["body"] == b"{  }" and request["at"] - sent >= 1.0
        headers = request["headers"]
        assert headers.get_all("X-Forwarded-For") == ["127.0.0.1"]  # replaced, not appended
        assert headers["X-Forwarded-Proto"] == "http" and headers["Host"] == "matcher.example"
        for made_up in ("X-Forwarded-Host", "X-Forwarded-Ssl", "Forwarded"):
            assert made_up not in headers, made_up
        # A body over the service's limit is refused by nginx from its header alone.
        big = head.replace("Content-Length: 4", f"Content-Length: {MAX_BODY + 1}")
        assert _send(port, big, []).startswith(b"HTTP/1.1 413")
        assert len([r for r in seen if r["path"] == "/api/v1/feedback"]) == 1
    finally:
        if nginx is not None:
            live_nginx.stop(nginx)
        upstream.shutdown()
        upstream.server_close()
