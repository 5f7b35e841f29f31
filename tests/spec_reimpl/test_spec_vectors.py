"""Run every vector in tests/vectors/*.json through the independent Python implementation.

Positive vectors (with "expected") must reproduce canonical_string, signature and authorization
byte for byte. Negative vectors (with "expected_error") must make verify() fail with that code
(and, when given, that skew). An empty vector set is a failure, not a skip.
"""

import base64
import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sigwire_spec as sw  # noqa: E402

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"


def _load():
    positive, negative, problems = [], [], []
    files = sorted(VECTORS_DIR.glob("*.json")) if VECTORS_DIR.is_dir() else []
    for f in files:
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except ValueError as e:
            problems.append("%s: not JSON (%s)" % (f.name, e))
            continue
        if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("vectors"), list):
            problems.append('%s: not {"version":1, "vectors":[...]}' % f.name)
            continue
        for i, v in enumerate(doc["vectors"]):
            name = v.get("name") or "%s#%d" % (f.name, i)
            vid = "%s:%s" % (f.stem, name)
            if "expected" in v and "expected_error" in v:
                problems.append("%s: both expected and expected_error" % vid)
            elif "expected" in v:
                positive.append(pytest.param(v, id=vid))
            elif "expected_error" in v:
                negative.append(pytest.param(v, id=vid))
            else:
                problems.append("%s: neither expected nor expected_error" % vid)
    return files, positive, negative, problems


FILES, POSITIVE, NEGATIVE, PROBLEMS = _load()


def _request(v):
    r = v["request"]
    headers = [list(h) for h in r.get("headers", [])]
    body = base64.b64decode(r.get("body_b64", "") or "", validate=True)
    return r["method"], r["url"], headers, body


def test_vectors_present():
    assert FILES, "no *.json vector files in %s" % VECTORS_DIR
    assert POSITIVE or NEGATIVE, "vector files hold no vectors: %s" % [f.name for f in FILES]


def test_vector_files_well_formed():
    assert not PROBLEMS, PROBLEMS


@pytest.mark.parametrize("v", POSITIVE)
def test_positive_vector(v):
    method, url, headers, body = _request(v)
    canonical, signature, authorization = sw.sign(
        v["key_id"], v["secret_hex"], v.get("algorithm"), v["timestamp"], v["nonce"],
        method, url, headers, body, v.get("signed_headers"),
    )
    exp = v["expected"]
    assert canonical == exp["canonical_string"]
    assert signature == exp["signature"]
    assert authorization == exp["authorization"]


@pytest.mark.parametrize("v", NEGATIVE)
def test_negative_vector(v):
    method, url, headers, body = _request(v)
    ver = v["verifier"]
    with pytest.raises(sw.SpecError) as ei:
        sw.verify(
            method, url, headers, body, ver.get("keys", []), ver["now"], ver.get("window"),
            [dict(n) for n in ver.get("seen_nonces", [])],
        )
    assert ei.value.code == v["expected_error"]
    if "expected_skew" in v:
        assert ei.value.skew == v["expected_skew"]


@pytest.mark.parametrize("v", POSITIVE)
def test_positive_vector_verifies(v):
    """Cross-check: our verifier accepts the expected Authorization header of each positive vector."""
    method, url, headers, body = _request(v)
    headers = headers + [["Authorization", v["expected"]["authorization"]]]
    seen = []
    keys = [{"key_id": v["key_id"], "secret_hex": v["secret_hex"]}]
    assert sw.verify(method, url, headers, body, keys, int(v["timestamp"]), 300, seen) == v["key_id"]
    assert seen == [{"key_id": v["key_id"], "nonce": v["nonce"]}]
