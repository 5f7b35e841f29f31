"""The conformance protocol shared by the runner, the vector converter, the fuzzer and the shrinker.

Standard library only (Python 3.9+). See README.md for the protocol itself.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

#: The stable machine codes of SPEC.md §7: the only values an `error` field may hold.
ERROR_CODES = (
    "missing_authorization",
    "malformed_authorization",
    "unsupported_algorithm",
    "unknown_key",
    "stale_timestamp",
    "replayed_nonce",
    "signature_mismatch",
    "invalid_request",
    "invalid_secret",
    "invalid_key_id",
    "invalid_config",
    "replay_store_unavailable",
)

SIGN_OK_FIELDS = {"id", "canonical_string", "signature", "authorization"}


def canonical(value: Any) -> str:
    """One text per JSON value: object keys sorted, no spacing, non-ASCII kept as is.

    Two outputs are "the same" when their canonical texts are equal: every string is compared
    code point for code point (so byte for byte in UTF-8), numbers by their JSON text.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def check_output(case: Dict[str, Any], out: Any) -> List[str]:
    """Problems with one output line (empty when it follows the protocol for `case`)."""
    problems: List[str] = []
    if not isinstance(out, dict):
        return ["the output is not a JSON object"]
    if canonical(out.get("id")) != canonical(case.get("id")):
        problems.append("id %s does not echo the input id %s" % (canonical(out.get("id")), canonical(case.get("id"))))
    op = case.get("op")
    err = out.get("error")
    if err is not None:
        if err not in ERROR_CODES:
            problems.append("error %r is not a Sigwire machine code" % (err,))
        allowed = {"id", "error", "skew"} | ({"ok"} if op == "verify" else set())
        if op == "verify" and out.get("ok") is not False:
            problems.append('a failed verify must carry "ok": false')
        if err == "stale_timestamp" and not isinstance(out.get("skew"), int):
            problems.append("stale_timestamp must carry an integer skew")
        if err != "stale_timestamp" and "skew" in out:
            problems.append("only stale_timestamp carries a skew")
    elif op == "sign":
        allowed = SIGN_OK_FIELDS
        for f in ("canonical_string", "signature", "authorization"):
            if not isinstance(out.get(f), str):
                problems.append("a successful sign must carry the string %s" % f)
    elif op == "verify":
        allowed = {"id", "ok", "key_id"}
        if out.get("ok") is not True or not isinstance(out.get("key_id"), str):
            problems.append('a successful verify is {"id", "ok": true, "key_id"}')
    else:
        return problems + ["the input op %r is unknown" % (op,)]
    extra = set(out) - allowed
    if extra:
        problems.append("unexpected fields %s" % sorted(extra))
    return problems


def outcome(out: Optional[Dict[str, Any]]) -> str:
    """A short label of an output for statistics: `ok` or the error code."""
    if out is None:
        return "(no answer)"
    if "error" in out:
        return str(out["error"])
    return "ok"


def load_cases(path: str) -> List[Dict[str, Any]]:
    """The operations of a JSON Lines file, blank lines skipped; each keeps its raw line."""
    cases = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                case = json.loads(raw)
            except ValueError as e:
                raise SystemExit("%s:%d: not JSON: %s" % (path, n, e))
            if not isinstance(case, dict) or case.get("op") not in ("sign", "verify"):
                raise SystemExit('%s:%d: each line must be an object with "op": "sign" or "verify"' % (path, n))
            cases.append(case)
    return cases


def dump_line(value: Any) -> bytes:
    """One JSON line (ASCII only, so any adapter's JSON reader takes it), newline-terminated."""
    return (json.dumps(value, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
