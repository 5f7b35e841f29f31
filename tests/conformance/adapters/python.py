"""Conformance adapter "python": the Python SDK (`pip install ./sdk-python`), run by the
interpreter that has it installed (the runner uses $SIGWIRE_PYTHON). Argument conversion only:
every answer comes from `sigwire.Signer`, `sigwire.KeyStore`, `sigwire.InMemoryReplayStore` and
`sigwire.Verifier`, and for the profile operations `sigwire.profiles` (_python_profiles.py)."""

import base64
import json
import sys

import sigwire
from _python_profiles import OPS as PROFILE_OPS

HEX = frozenset("0123456789abcdefABCDEF")


def secret(text):
    if not isinstance(text, str) or len(text) % 2 or not set(text) <= HEX:
        raise sigwire.InvalidSecret("secret_hex is not hex")
    return bytes.fromhex(text)


def request(op):
    return op["method"], op["url"], [tuple(h) for h in op["headers"]], base64.b64decode(op["body_b64"])


def sign(op):
    signer = sigwire.Signer(op["key_id"], secret(op["secret_hex"]), op["algorithm"], op.get("signed_headers"))
    method, url, headers, body = request(op)
    fixed = {"timestamp": op["timestamp"], "nonce": op["nonce"]}
    auth = signer.sign(method, url, headers, body, **fixed)["Authorization"]
    canonical = signer.canonical_string(method, url, headers, body, **fixed)
    # The SDK returns the header; the signature is its last parameter (SPEC §5).
    signature = auth[auth.rindex('signature="') + len('signature="'):-1]
    return {"canonical_string": canonical, "signature": signature, "authorization": auth}


def verify(op):
    keys = sigwire.KeyStore()
    for k in op["keys"]:
        keys.insert(k["key_id"], secret(k["secret_hex"]), k.get("not_after"))
    seen = op.get("seen_nonces") or []
    now, window = op["now"], op["window"]
    replay = sigwire.InMemoryReplayStore(capacity=len(seen) + 16)
    for s in seen:
        replay.check_and_record(s["key_id"], s["nonce"], now + max(window, 0), now)
    verifier = sigwire.Verifier(keys, window=window, replay_store=replay)
    return {"ok": True, "key_id": verifier.verify(*request(op), now=now)}


def answer(line):
    op = json.loads(line)
    out = {"id": op.get("id")}
    try:
        if op["op"] in PROFILE_OPS:
            out.update(PROFILE_OPS[op["op"]](op))
        else:
            out.update(sign(op) if op["op"] == "sign" else verify(op))
    except sigwire.SigwireError as e:
        if op["op"] in ("verify", "profile_verify", "profile_verify_response", "webhook_verify"):
            out["ok"] = False
        out["error"] = e.code
        if isinstance(e, sigwire.StaleTimestamp):
            out["skew"] = e.skew_seconds
    except Exception as e:  # not a SigwireError (TypeError, OverflowError...): the runner flags it
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
