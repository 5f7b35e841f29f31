"""Large bodies (>= 64 KiB) are hashed with the GIL released."""

from __future__ import annotations

import threading
import time
from typing import List

import pytest

import sigwire
from conftest import SECRET

URL = "https://api.example.com/upload"


def _progress_during(call) -> int:  # type: ignore[no-untyped-def]
    """How many times the main thread runs Python code while ``call`` runs in a worker."""
    window: List[float] = []
    started = threading.Event()

    def worker() -> None:
        started.set()
        t0 = time.perf_counter()
        call()
        window.extend([t0, time.perf_counter()])

    ticks: List[float] = []
    t = threading.Thread(target=worker)
    t.start()
    started.wait()
    while t.is_alive():
        ticks.append(time.perf_counter())
    t.join()
    t0, t1 = window
    # Ignore ticks near the edges (thread switch latency).
    return sum(1 for x in ticks if t0 + 0.002 < x < t1 - 0.002)


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_large_body_releases_gil(kind) -> None:  # type: ignore[no-untyped-def]
    body = kind(b"x" * (64 << 20))
    s = sigwire.Signer("k", SECRET)
    v = sigwire.Verifier({"k": SECRET})
    # Make sure the call lasts long enough to measure (it hashes 64 MiB: tens of ms at least).
    start = time.perf_counter()
    headers = s.sign("POST", URL, None, body)
    assert time.perf_counter() - start > 0.01
    assert _progress_during(lambda: s.sign("POST", URL, None, body)) > 100
    assert _progress_during(lambda: v.verify("POST", URL, headers, body)) > 100


def test_threshold_constant() -> None:
    assert sigwire.LARGE_BODY_THRESHOLD == 64 * 1024


def test_concurrent_signing_is_consistent() -> None:
    s = sigwire.Signer("k", SECRET)
    body = bytes(range(256)) * 1024  # 256 KiB: released path
    ref = s.sign("POST", URL, None, body, timestamp=1, nonce="A" * 22)
    results: List[dict] = []

    def work() -> None:
        for _ in range(20):
            results.append(s.sign("POST", URL, None, body, timestamp=1, nonce="A" * 22))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == ref for r in results)
