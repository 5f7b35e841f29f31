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

#: The stable machine codes of the signing profiles (core/src/profiles/error.rs): the only values
#: an `error` field of a profile operation may hold.
PROFILE_ERROR_CODES = (
    "invalid_request",
    "invalid_credentials",
    "invalid_settings",
    "missing_header",
    "missing_signature",
    "malformed_signature",
    "unsupported_algorithm",
    "unknown_key",
    "credential_scope_mismatch",
    "timestamp_out_of_tolerance",
    "webhook_timestamp_out_of_tolerance",
    "signature_expired",
    "digest_mismatch",
    "insufficient_coverage",
    "signature_mismatch",
    "replayed_nonce",
)

SIGN_OK_FIELDS = {"id", "canonical_string", "signature", "authorization"}

#: The sigwire-v1 operations and the profile operations (README "Profile operations").
SIGWIRE_OPS = ("sign", "verify")
PROFILE_OPS = ("profile_sign", "profile_verify", "profile_sign_response", "profile_verify_response",
               "webhook_sign", "webhook_verify")
OPS = SIGWIRE_OPS + PROFILE_OPS
#: Operations whose failure answer carries `"ok": false`.
VERIFY_OPS = ("verify", "profile_verify", "profile_verify_response", "webhook_verify")

#: What a successful answer to each profile operation holds (besides `id`).
PROFILE_OK_FIELDS = {
    "profile_sign": {"url", "headers"},
    "profile_verify": {"ok", "key_id"},
    "profile_sign_response": {"headers"},
    "profile_verify_response": {"ok", "key_id"},
    "webhook_sign": {"headers"},
    "webhook_verify": {"ok", "timestamp", "msg_id", "secret_index"},
}


def is_unsupported(out: Any) -> bool:
    """`{"id": …, "unsupported": "<why>"}`: the runtime has no API for this operation."""
    return isinstance(out, dict) and set(out) == {"id", "unsupported"} and isinstance(out.get("unsupported"), str)


def _header_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h) for h in value)


def _check_profile_output(op: str, out: Dict[str, Any]) -> List[str]:
    problems: List[str] = []
    err = out.get("error")
    if err is not None:
        if err not in PROFILE_ERROR_CODES:
            problems.append("error %r is not a profile machine code" % (err,))
        allowed = {"id", "error"} | ({"ok"} if op in VERIFY_OPS else set())
        if op in VERIFY_OPS and out.get("ok") is not False:
            problems.append('a failed %s must carry "ok": false' % op)
    else:
        allowed = {"id"} | PROFILE_OK_FIELDS[op]
        if op == "profile_sign" and not (isinstance(out.get("url"), str) and _header_list(out.get("headers"))):
            problems.append('a successful profile_sign is {"id", "url": str, "headers": [[name, value], ...]}')
        if op in ("webhook_sign", "profile_sign_response") and not _header_list(out.get("headers")):
            problems.append('a successful %s is {"id", "headers": [[name, value], ...]}' % op)
        if op in ("profile_verify", "profile_verify_response") and (
                out.get("ok") is not True or not isinstance(out.get("key_id"), str)):
            problems.append('a successful %s is {"id", "ok": true, "key_id"}' % op)
        if op == "webhook_verify" and not (
                out.get("ok") is True and isinstance(out.get("secret_index"), int)
                and (out.get("timestamp") is None or isinstance(out.get("timestamp"), int))
                and (out.get("msg_id") is None or isinstance(out.get("msg_id"), str))
                and {"timestamp", "msg_id"} <= set(out)):
            problems.append('a successful webhook_verify is {"id", "ok": true, "timestamp", "msg_id", "secret_index"}')
    extra = set(out) - allowed
    if extra:
        problems.append("unexpected fields %s" % sorted(extra))
    return problems


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
    if is_unsupported(out):
        return problems
    if op in PROFILE_OPS:
        return problems + _check_profile_output(op, out)
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
    if is_unsupported(out):
        return "unsupported"
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
            if not isinstance(case, dict) or case.get("op") not in OPS:
                raise SystemExit('%s:%d: each line must be an object with "op" one of %s' % (path, n, ", ".join(OPS)))
            cases.append(case)
    return cases


def dump_line(value: Any) -> bytes:
    """One JSON line (ASCII only, so any adapter's JSON reader takes it), newline-terminated."""
    return (json.dumps(value, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
