"""sigwire.Client(base_url, profile=...) against a local server that verifies the profile with
sigwire.profiles' own verifier: a 503 first, so the call takes two attempts, each signed again
(distinct RFC 9421 nonces), and a Binance signature appended exactly once per attempt."""

from __future__ import annotations

import http.server
import threading
from typing import Iterator, List, Tuple

import pytest

import sigwire
from sigwire import profiles

KEY = b"0123456789abcdef0123456789abcdef"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    log: List[Tuple[str, str, List[Tuple[str, str]], bytes]]


def _handler(verify):  # type: ignore[no-untyped-def]
    class H(http.server.BaseHTTPRequestHandler):
        def _any(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            server: _Server = self.server  # type: ignore[assignment]
            headers = list(self.headers.items())
            server.log.append((self.command, self.path, headers, body))
            status, text = verify(server, self.command, self.path, headers, body)
            out = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = _any

        def log_message(self, *args: object) -> None:
            pass

    return H


@pytest.fixture
def rfc_server() -> Iterator[_Server]:
    verifier = profiles.Rfc9421Verifier({"client-1": KEY})

    def verify(server, method, path, headers, body):  # type: ignore[no-untyped-def]
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            verifier.verify(method, base + path, headers, body)
        except profiles.ProfileError as e:
            return 401, '{"error":"%s"}' % e.code
        return (503, "{}") if len(server.log) == 1 else (200, "{}")

    s = _Server(("127.0.0.1", 0), _handler(verify))
    s.log = []
    t = threading.Thread(target=s.serve_forever, daemon=True)
    t.start()
    yield s
    s.shutdown()


def test_client_signs_each_attempt_with_the_profile(rfc_server: _Server) -> None:
    base = f"http://127.0.0.1:{rfc_server.server_address[1]}"
    with sigwire.Client(base, profile=profiles.Rfc9421("client-1", KEY), base_delay=0.01) as c:
        assert KEY.decode() not in repr(c)
        r = c.get("/v1/orders", query={"status": "open"})
        assert r.status == 200 and r.attempts == 2
    assert len(rfc_server.log) == 2
    inputs = [dict((k.lower(), v) for k, v in h)["signature-input"] for _, _, h, _ in rfc_server.log]
    assert inputs[0] != inputs[1]  # signed again (a fresh nonce), not replayed


def test_kraken_is_refused_as_a_client_profile() -> None:
    with pytest.raises(profiles.InvalidSettings):
        sigwire.Client("http://127.0.0.1:1", profile=profiles.Kraken("k", "c2VjcmV0"))
