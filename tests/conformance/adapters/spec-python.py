"""Conformance adapter "spec-python": tests/spec_reimpl/sigwire_spec.py, the plain-Python
implementation written from SPEC.md alone (standard library only). It shares no code with the
Rust core, which makes it the independent oracle of the runner."""

import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "spec_reimpl"))
import sigwire_spec as spec  # noqa: E402

HEX = frozenset("0123456789abcdefABCDEF")


def secret(text):
    if not isinstance(text, str) or len(text) % 2 or not set(text) <= HEX:
        raise spec.SpecError("invalid_secret")
    return bytes.fromhex(text)


def sign(op):
    cs, sig, auth = spec.sign(
        op["key_id"], secret(op["secret_hex"]), op["algorithm"], op["timestamp"], op["nonce"],
        op["method"], op["url"], [tuple(h) for h in op["headers"]], base64.b64decode(op["body_b64"]),
        op.get("signed_headers"),
    )
    return {"canonical_string": cs, "signature": sig, "authorization": auth}


def verify(op):
    keys = []
    for k in op["keys"]:
        keys.append({"key_id": k["key_id"], "secret_hex": secret(k["secret_hex"]), "not_after": k.get("not_after")})
    seen = [{"key_id": s["key_id"], "nonce": s["nonce"]} for s in op.get("seen_nonces") or []]
    key_id = spec.verify(
        op["method"], op["url"], [tuple(h) for h in op["headers"]], base64.b64decode(op["body_b64"]),
        keys, op["now"], op["window"], seen,
    )
    return {"ok": True, "key_id": key_id}


def answer(line):
    op = json.loads(line)
    out = {"id": op.get("id")}
    if op.get("op") not in ("sign", "verify"):
        # SPEC.md is sigwire-v1 only: the signing profiles have no independent implementation here.
        out["unsupported"] = "the spec implementation covers sigwire-v1 only"
        return out
    try:
        out.update(sign(op) if op["op"] == "sign" else verify(op))
    except spec.SpecError as e:
        if op["op"] == "verify":
            out["ok"] = False
        out["error"] = e.code
        if e.code == "stale_timestamp":
            out["skew"] = e.skew
    except Exception as e:  # not a spec error: report it, never die (the runner flags it)
        out["error"] = "adapter_error: %s: %s" % (type(e).__name__, e)
    return out


def main():
    out = sys.stdout
    for line in sys.stdin.buffer:
        if line.strip():
            out.write(json.dumps(answer(line)) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
