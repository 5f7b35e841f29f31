#!/usr/bin/env python3
"""Convert the shared vectors (tests/vectors/*.json) to conformance operations.

    python3 tests/conformance/convert_vectors.py [--vectors DIR] [--out DIR]

writes `DIR/vectors.jsonl` (the operations) and `DIR/vectors.expected.jsonl` (what the vectors
say each one must answer; give it to `run --expected`). Every positive vector becomes two
operations: `sign` (expects the vector's canonical string, signature and Authorization) and
`verify` of the request with that Authorization at `now = timestamp` (expects the key id). Every
negative vector becomes one `verify` operation expecting its machine code (and skew).

Standard library only (Python 3.9+).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from protocol import dump_line  # noqa: E402

DEFAULT_VECTORS = os.path.normpath(os.path.join(HERE, "..", "vectors"))


def convert(doc_name: str, vector: Dict[str, Any]) -> List[Tuple[Dict[str, Any], Dict[str, Any]]]:
    """(operation, expected output) pairs for one vector."""
    name = "%s:%s" % (doc_name, vector["name"])
    req = vector["request"]
    if "expected" in vector:
        exp = vector["expected"]
        sign = {
            "op": "sign",
            "id": name + ":sign",
            "key_id": vector["key_id"],
            "secret_hex": vector["secret_hex"],
            "algorithm": vector["algorithm"],
            "timestamp": vector["timestamp"],
            "nonce": vector["nonce"],
            "method": req["method"],
            "url": req["url"],
            "headers": req["headers"],
            "body_b64": req["body_b64"],
        }
        if vector.get("signed_headers") is not None:
            sign["signed_headers"] = vector["signed_headers"]
        verify = {
            "op": "verify",
            "id": name + ":verify",
            "keys": [{"key_id": vector["key_id"], "secret_hex": vector["secret_hex"]}],
            "now": vector["timestamp"],
            "window": 300,
            "seen_nonces": [],
            "method": req["method"],
            "url": req["url"],
            "headers": req["headers"] + [["Authorization", exp["authorization"]]],
            "body_b64": req["body_b64"],
        }
        return [
            (sign, {"id": sign["id"], "canonical_string": exp["canonical_string"],
                    "signature": exp["signature"], "authorization": exp["authorization"]}),
            (verify, {"id": verify["id"], "ok": True, "key_id": vector["key_id"]}),
        ]
    cfg = vector["verifier"]
    verify = {
        "op": "verify",
        "id": name,
        "keys": cfg["keys"],
        "now": cfg["now"],
        "window": cfg["window"],
        "seen_nonces": cfg.get("seen_nonces", []),
        "method": req["method"],
        "url": req["url"],
        "headers": req["headers"],
        "body_b64": req["body_b64"],
    }
    expected: Dict[str, Any] = {"id": name, "ok": False, "error": vector["expected_error"]}
    if "expected_skew" in vector:
        expected["skew"] = vector["expected_skew"]
    return [(verify, expected)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vectors", default=DEFAULT_VECTORS, help="directory of the shared vectors (default: %(default)s)")
    ap.add_argument("--out", default=".", help="output directory (default: the current directory)")
    args = ap.parse_args()
    files = sorted(f for f in os.listdir(args.vectors) if f.endswith(".json"))
    if not files:
        print("convert_vectors: no *.json vectors in %s" % args.vectors, file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    ops_path = os.path.join(args.out, "vectors.jsonl")
    exp_path = os.path.join(args.out, "vectors.expected.jsonl")
    n = 0
    with open(ops_path, "wb") as ops, open(exp_path, "wb") as exp:
        for fname in files:
            with open(os.path.join(args.vectors, fname), encoding="utf-8") as f:
                doc = json.load(f)
            if doc.get("version") != 1:
                print("convert_vectors: %s: unknown version %r" % (fname, doc.get("version")), file=sys.stderr)
                return 1
            for vector in doc["vectors"]:
                for op, expected in convert(fname[: -len(".json")], vector):
                    ops.write(dump_line(op))
                    exp.write(dump_line(expected))
                    n += 1
    print("convert_vectors: %d operations from %d files -> %s (expected: %s)" % (n, len(files), ops_path, exp_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
