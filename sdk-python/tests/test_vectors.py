"""Every shared vector in tests/vectors/: positive ones sign byte for byte, negative ones fail
verification with their machine code (and skew). An empty or unreadable set fails."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Tuple

import pytest

import sigwire
from conftest import vectors_dir


def _load() -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    positive, negative = [], []
    for f in sorted(vectors_dir().glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        assert doc.get("version") == 1, f"{f.name}: unknown version"
        for v in doc["vectors"]:
            v = dict(v, _id=f"{f.stem}:{v['name']}")
            (positive if "expected" in v else negative).append(v)
    return positive, negative


POSITIVE, NEGATIVE = _load()


def _request(v: Dict[str, Any]) -> Tuple[str, str, List[Tuple[str, str]], bytes]:
    r = v["request"]
    return r["method"], r["url"], [(n, val) for n, val in r["headers"]], base64.b64decode(r["body_b64"])


def test_vectors_present() -> None:
    assert len(POSITIVE) >= 10, f"too few positive vectors in {vectors_dir()}"
    assert len(NEGATIVE) >= 10, f"too few negative vectors in {vectors_dir()}"
    codes = {v["expected_error"] for v in NEGATIVE}
    assert codes <= set(sigwire.ERROR_CODES), codes - set(sigwire.ERROR_CODES)


@pytest.mark.parametrize("v", POSITIVE, ids=[v["_id"] for v in POSITIVE])
def test_positive_sign(v: Dict[str, Any]) -> None:
    method, url, headers, body = _request(v)
    signer = sigwire.Signer(
        v["key_id"], bytes.fromhex(v["secret_hex"]), v["algorithm"], v.get("signed_headers")
    )
    opts = dict(timestamp=v["timestamp"], nonce=v["nonce"])
    exp = v["expected"]
    assert signer.canonical_string(method, url, headers, body, **opts) == exp["canonical_string"]
    signed = signer.sign(method, url, headers, body, **opts)
    assert signed == {"Authorization": exp["authorization"]}
    assert f'signature="{exp["signature"]}"' in signed["Authorization"]
    # The same bytes as bytearray / memoryview / (when UTF-8) str sign identically.
    assert signer.sign(method, url, headers, bytearray(body), **opts) == signed
    assert signer.sign(method, url, headers, memoryview(body), **opts) == signed
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        assert signer.sign(method, url, headers, text, **opts) == signed


@pytest.mark.parametrize("v", POSITIVE, ids=[v["_id"] for v in POSITIVE])
def test_positive_verifies(v: Dict[str, Any]) -> None:
    method, url, headers, body = _request(v)
    verifier = sigwire.Verifier({v["key_id"]: bytes.fromhex(v["secret_hex"])})
    auth = v["expected"]["authorization"]
    got = verifier.verify(method, url, headers + [("Authorization", auth)], body, now=v["timestamp"])
    assert got == v["key_id"]


@pytest.mark.parametrize("v", NEGATIVE, ids=[v["_id"] for v in NEGATIVE])
def test_negative_verify(v: Dict[str, Any]) -> None:
    method, url, headers, body = _request(v)
    cfg = v["verifier"]
    keys = sigwire.KeyStore()
    for k in cfg["keys"]:
        keys.insert(k["key_id"], bytes.fromhex(k["secret_hex"]), k.get("not_after"))
    replay = sigwire.InMemoryReplayStore()
    for seen in cfg.get("seen_nonces", []):
        assert replay.check_and_record(seen["key_id"], seen["nonce"], cfg["now"] + cfg["window"], cfg["now"])
    verifier = sigwire.Verifier(keys, window=cfg["window"], replay_store=replay)
    with pytest.raises(sigwire.SigwireError) as info:
        verifier.verify(method, url, headers, body, now=cfg["now"])
    err = info.value
    assert err.code == v["expected_error"], err
    assert type(err).code == v["expected_error"], "one subclass per code"
    assert err.server_time == cfg["now"]
    if "expected_skew" in v:
        assert isinstance(err, sigwire.StaleTimestamp)
        assert err.skew_seconds == v["expected_skew"]
