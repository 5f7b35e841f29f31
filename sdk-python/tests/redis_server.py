"""A real Debian ``redis-server`` for the tests: 127.0.0.1, a free port, no persistence,
``noeviction`` (docs/redis-layout.md §3), stopped after. ``stop()``/``start()`` simulate an outage
and a restart that lost every key."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Optional

import pytest


def redis_server_binary() -> Optional[str]:
    """``redis-server`` on PATH; when missing, the tests skip — unless ``SIGWIRE_REQUIRE_REDIS=1``
    (CI), where they fail."""
    found = shutil.which("redis-server")
    if found is None and os.environ.get("SIGWIRE_REQUIRE_REDIS") == "1":
        raise RuntimeError("redis-server is required (apt-get install redis-server)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process on ``127.0.0.1:<port>``."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sigwire-redis-")
        self.proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_server():  # type: ignore[no-untyped-def]
    pytest.importorskip("redis")
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("redis-server not installed")
    server = RedisServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.close()
