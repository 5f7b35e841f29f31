"""The profile operations of the protocol for the "python" adapter (README "Profile operations"):
`profile_sign`, `profile_verify`, `profile_sign_response`, `profile_verify_response`, `webhook_sign`,
`webhook_verify` over `sigwire.profiles`.
Argument conversion only; every answer comes from the SDK."""

import base64

from sigwire import profiles as P

HEX = frozenset("0123456789abcdefABCDEF")


def _hex(text):
    if not isinstance(text, str) or len(text) % 2 or not set(text) <= HEX:
        raise P.InvalidCredentials("secret_hex is not hex")
    return bytes.fromhex(text)


def _request(op):
    return op["method"], op["url"], [tuple(h) for h in op["headers"]], base64.b64decode(op["body_b64"])


def _signed(result):
    return {"url": result.url, "headers": [[n, v] for n, v in result.headers]}


def profile_sign(op):
    profile, creds, settings = op["profile"], op["credentials"], op.get("settings") or {}
    method, url, headers, body = _request(op)
    t = op["time"]
    if profile == "aws-sigv4":
        signer = P.AwsSigV4(creds["access_key_id"], creds["secret_access_key"], settings["region"],
                            settings["service"], creds.get("session_token"), s3=bool(settings.get("s3")))
        if settings.get("presign_expires") is not None:
            presigned = signer.presign(method, url, headers, expires_in=settings["presign_expires"], timestamp=t)
            return {"url": presigned, "headers": [list(h) for h in headers]}
        return _signed(signer.sign(method, url, headers, body, timestamp=t,
                                   unsigned_payload=bool(settings.get("unsigned_payload"))))
    if profile == "rfc9421":
        return _signed(_rfc9421(op).sign(method, url, headers, body, created=t, nonce=op.get("nonce")))
    exchanges = {
        "binance": lambda: P.Binance(creds["api_key"], creds["secret"]),
        "coinbase": lambda: P.Coinbase(creds["api_key"], creds["secret"], creds.get("passphrase")),
        "kraken": lambda: P.Kraken(creds["api_key"], creds["secret"]),
        "okx": lambda: P.Okx(creds["api_key"], creds["secret"], creds.get("passphrase")),
        "bybit": lambda: P.Bybit(creds["api_key"], creds["secret"]),
    }
    if profile not in exchanges:
        raise P.InvalidSettings("unknown profile %r" % profile)
    return _signed(exchanges[profile]().sign(method, url, headers, body, timestamp_ms=t))


def profile_verify(op):
    profile, settings = op["profile"], op.get("settings") or {}
    method, url, headers, body = _request(op)
    if profile == "aws-sigv4":
        kwargs = {"s3": bool(settings.get("s3"))}
        if settings.get("max_clock_skew") is not None:
            kwargs["max_clock_skew"] = settings["max_clock_skew"]
        verifier = P.AwsSigV4Verifier(settings["region"], settings["service"],
                                      {k["key_id"]: k["secret"] for k in op["keys"]}, **kwargs)
        return {"ok": True, "key_id": verifier.verify(method, url, headers, body, now=op["now"]).access_key_id}
    if profile == "rfc9421":
        return {"ok": True, "key_id": _rfc9421_verifier(op).verify(method, url, headers, body, now=op["now"]).key_id}
    raise P.InvalidSettings("no verifier for profile %r" % profile)


def _rfc9421(op):
    creds, settings = op["credentials"], op.get("settings") or {}
    return P.Rfc9421(creds["key_id"], _hex(creds["secret_hex"]), label=settings.get("label"),
                     components=settings.get("components"))


def _rfc9421_verifier(op):
    settings = op.get("settings") or {}
    kwargs = {k: settings[k] for k in ("max_age", "max_ahead") if settings.get(k) is not None}
    return P.Rfc9421Verifier({k["key_id"]: _hex(k["secret"]) for k in op["keys"]}, label=settings.get("label"),
                             required_components=settings.get("required_components"), **kwargs)


def _response(op):
    if op["profile"] != "rfc9421":
        raise P.InvalidSettings("no response signing for profile %r" % op["profile"])
    return op["status"], [tuple(h) for h in op["headers"]], base64.b64decode(op["body_b64"])


def profile_sign_response(op):
    signer = _rfc9421(op) if op["profile"] == "rfc9421" else None
    status, headers, body = _response(op)
    signed = signer.sign_response(status, headers, body, created=op["time"], nonce=op.get("nonce"))
    return {"headers": [[n, v] for n, v in signed.headers]}


def profile_verify_response(op):
    verifier = _rfc9421_verifier(op) if op["profile"] == "rfc9421" else None
    status, headers, body = _response(op)
    return {"ok": True, "key_id": verifier.verify_response(status, headers, body, now=op["now"]).key_id}


def webhook_sign(op):
    lines = P.sign_webhook(op["provider"], list(op["secrets"]), base64.b64decode(op["body_b64"]),
                           timestamp=op["timestamp"], id=op.get("msg_id"))
    return {"headers": [[n, v] for n, v in lines.items()]}


def webhook_verify(op):
    event = P.verify_webhook(op["provider"], list(op["secrets"]), [tuple(h) for h in op["headers"]],
                             base64.b64decode(op["body_b64"]), tolerance=op["tolerance"], now=op["now"])
    return {"ok": True, "timestamp": event.timestamp, "msg_id": event.id, "secret_index": event.secret_index}


OPS = {"profile_sign": profile_sign, "profile_verify": profile_verify,
       "profile_sign_response": profile_sign_response, "profile_verify_response": profile_verify_response,
       "webhook_sign": webhook_sign, "webhook_verify": webhook_verify}
