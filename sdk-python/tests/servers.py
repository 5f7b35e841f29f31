"""Real servers on 127.0.0.1 (ephemeral ports) for the HTTP tests: a FastAPI app under uvicorn
(ASGI middleware) and a Flask app under Werkzeug (WSGI middleware)."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from typing import Any, Dict, Iterator, Tuple

from fastapi import FastAPI, Request
from flask import Flask, request

import sigwire

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _report(method: str, key_id: str, scope_key_id: str, path: str, query: str, body: bytes) -> Dict[str, Any]:
    return {
        "key_id": key_id,
        "scope_key_id": scope_key_id,
        "method": method,
        "path": path,
        "query": query,
        "body_len": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }


def make_asgi_app(verifier: sigwire.Verifier) -> Any:
    from sigwire.asgi import SigwireMiddleware

    app = FastAPI()
    app.add_middleware(SigwireMiddleware, verifier=verifier, exempt_paths=["/health"])

    @app.get("/health")
    async def health() -> Dict[str, str]:
        return {"status": "ok"}

    @app.api_route("/echo/{rest:path}", methods=METHODS)
    async def echo(request: Request, rest: str) -> Dict[str, Any]:
        body = await request.body()
        return _report(
            request.method,
            request.state.sigwire_key_id,
            request.scope["sigwire.key_id"],
            rest,
            request.url.query,
            body,
        )

    @app.post("/json")
    async def json_endpoint(payload: Dict[str, Any], request: Request) -> Dict[str, Any]:
        return {"payload": payload, "key_id": request.state.sigwire_key_id}

    return app


def make_wsgi_app(verifier: sigwire.Verifier) -> Any:
    from sigwire.wsgi import SigwireMiddleware

    app = Flask("sigwire-test")
    app.wsgi_app = SigwireMiddleware(app.wsgi_app, verifier, exempt_paths=["/health"])  # type: ignore[method-assign]

    @app.get("/health")
    def health() -> Dict[str, str]:
        return {"status": "ok"}

    @app.route("/echo/<path:rest>", methods=METHODS)
    def echo(rest: str) -> Dict[str, Any]:
        body = request.get_data()
        key_id = request.environ["sigwire.key_id"]
        return _report(request.method, key_id, key_id, rest, request.query_string.decode("latin-1"), body)

    @app.post("/json")
    def json_endpoint() -> Dict[str, Any]:
        return {"payload": request.get_json(), "key_id": request.environ["sigwire.key_id"]}

    return app


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


def run_uvicorn(app: Any) -> Iterator[Tuple[str, int]]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def run_werkzeug(app: Any) -> Iterator[Tuple[str, int]]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _wait_port(port)
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
