"""Redirect hardening of ``sigwire.Client`` (the Rust client through PyO3; issue 12 items 5, 6):
a change of origin drops every credential and the body; a chain that left the origin is never
signed again. Also ``sign=False``. Origin A is the reference server; origin C is a recording
``http.server`` that answers with the redirect the test chooses."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional

import pytest

import sigwire
from test_client import FAST, KEY, SECRET, Server

SENSITIVE = ["authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token", "x-tenant-secret"]


class Foreign:
    """Records requests; answers 307 to ``self.location`` when set, else 200 ``{}``."""

    def __init__(self) -> None:
        self.seen: List[Dict[str, Any]] = []
        self.location: Optional[str] = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.seen.append({"method": self.command, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                if outer.location:
                    self.send_response(307)
                    self.send_header("Location", outer.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[Any]:
    a, c = Server(), Foreign()
    yield a, c
    a.close()
    c.close()


def client(a: Server) -> sigwire.Client:
    return sigwire.Client(a.base, KEY, SECRET, sensitive_headers=["X-Tenant-Secret"], **{**FAST, "max_attempts": 1})


def test_cross_origin_redirect_drops_credentials_and_body(servers: Any) -> None:
    a, c = servers
    a.fault("/upload", {"type": "redirect", "location": c.base + "/landing"})
    headers = {"Cookie": "session=s3cr3t", "X-Api-Key": "k-1", "Proxy-Authorization": "Basic eA==",
               "X-Auth-Token": "t", "X-Tenant-Secret": "mine", "Accept": "application/json"}
    r = client(a).post("/upload", headers=headers, json={"card": "4111"})
    assert r.status == 200
    (hop,) = c.seen
    for name in SENSITIVE + ["content-type"]:
        assert name not in hop["headers"], name
    assert hop["headers"]["accept"] == "application/json"
    assert (hop["method"], hop["body"]) == ("POST", b""), "307 keeps the method, not the body"


def test_chain_that_left_the_origin_is_not_signed_on_return(servers: Any) -> None:
    a, c = servers
    c.location = a.base + "/admin/delete-everything?confirm=yes"
    a.fault("/orders", {"type": "redirect", "location": c.base + "/bounce"})
    with pytest.raises(sigwire.MissingAuthorization):
        client(a).post("/orders", body=b"payload")
    assert c.seen[0]["body"] == b""


def test_sign_false_sends_no_authorization(servers: Any) -> None:
    a, _ = servers
    with pytest.raises(sigwire.MissingAuthorization):
        client(a).get("/private", sign=False)
    assert client(a).get("/private").status == 200
