"""The profile middleware (sigwire.profile_middleware) in FastAPI (ASGI) and Flask (WSGI), and a
Stripe webhook verified inside a FastAPI handler over the raw body."""

from __future__ import annotations

import json

import pytest

from sigwire import profiles
from sigwire.profile_middleware import ProfileMiddleware, ProfileWSGIMiddleware

fastapi = pytest.importorskip("fastapi")
testclient = pytest.importorskip("fastapi.testclient")
flask = pytest.importorskip("flask")

AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BODY = json.dumps({"symbol": "BTCUSDT", "qty": 2}).encode()


def aws_verifier() -> profiles.AwsSigV4Verifier:
    return profiles.AwsSigV4Verifier("eu-west-1", "execute-api", {AKID: SECRET})


def signed(url: str, body: bytes = BODY, secret: str = SECRET) -> profiles.SignedRequest:
    signer = profiles.AwsSigV4(AKID, secret, "eu-west-1", "execute-api")
    return signer.sign("POST", url, {"Content-Type": "application/json"}, body)


def fastapi_app() -> "fastapi.FastAPI":
    app = fastapi.FastAPI()
    app.add_middleware(ProfileMiddleware, verifier=aws_verifier(), exempt_paths=["/health"])

    @app.post("/v1/orders")
    async def create(request: fastapi.Request) -> dict:
        return {"akid": request.state.sigwire_profile.access_key_id, "body": (await request.body()).decode()}

    @app.get("/health")
    async def health() -> dict:
        return {"ok": True}

    return app


def test_asgi_accepts_a_sigv4_request_and_passes_the_body_on() -> None:
    client = testclient.TestClient(fastapi_app(), base_url="http://testserver")
    s = signed("http://testserver/v1/orders?x=1")
    r = client.post("/v1/orders?x=1", content=s.body, headers=dict(s.headers))
    assert r.status_code == 200, r.text
    assert r.json() == {"akid": AKID, "body": BODY.decode()}


@pytest.mark.parametrize(
    "tamper, code",
    [
        (lambda h, b: (h, b + b" "), "signature_mismatch"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "Authorization"}, b), "missing_signature"),
    ],
)
def test_asgi_refuses_with_the_error_code(tamper, code) -> None:  # type: ignore[no-untyped-def]
    client = testclient.TestClient(fastapi_app(), base_url="http://testserver")
    s = signed("http://testserver/v1/orders")
    headers, body = tamper(dict(s.headers), s.body)
    r = client.post("/v1/orders", content=body, headers=headers)
    assert r.status_code in (400, 401)
    assert r.json() == {"error": code}


def test_asgi_wrong_secret_and_exempt_path() -> None:
    client = testclient.TestClient(fastapi_app(), base_url="http://testserver")
    s = signed("http://testserver/v1/orders", secret="not-the-secret")
    r = client.post("/v1/orders", content=s.body, headers=dict(s.headers))
    assert (r.status_code, r.json()) == (401, {"error": "signature_mismatch"})
    assert client.get("/health").json() == {"ok": True}


def test_asgi_body_limit() -> None:
    app = fastapi.FastAPI()
    app.add_middleware(ProfileMiddleware, verifier=aws_verifier(), body_limit=16)
    client = testclient.TestClient(app, base_url="http://testserver")
    s = signed("http://testserver/v1/orders")
    r = client.post("/v1/orders", content=s.body, headers=dict(s.headers))
    assert (r.status_code, r.json()) == (413, {"error": "body_too_large"})


def test_asgi_rfc9421() -> None:
    app = fastapi.FastAPI()
    app.add_middleware(ProfileMiddleware, verifier=profiles.Rfc9421Verifier({"k1": b"0123456789abcdef0123"}))

    @app.post("/hook")
    async def hook(request: fastapi.Request) -> dict:
        return {"keyid": request.state.sigwire_profile.key_id}

    client = testclient.TestClient(app, base_url="http://testserver")
    s = profiles.Rfc9421("k1", b"0123456789abcdef0123").sign(
        "POST", "http://testserver/hook", {"Content-Type": "application/json"}, BODY
    )
    assert client.post("/hook", content=s.body, headers=dict(s.headers)).json() == {"keyid": "k1"}
    bad = dict(s.headers)
    r = client.post("/hook", content=BODY + b"x", headers=bad)
    assert r.status_code == 401 and r.json()["error"] in ("digest_mismatch", "signature_mismatch")


def flask_app() -> "flask.Flask":
    app = flask.Flask("t")

    @app.post("/v1/orders")
    def create() -> dict:
        return {"akid": flask.request.environ["sigwire.profile"].access_key_id, "body": flask.request.get_data().decode()}

    app.wsgi_app = ProfileWSGIMiddleware(app.wsgi_app, aws_verifier())  # type: ignore[method-assign]
    return app


def test_wsgi_accepts_and_refuses() -> None:
    client = flask_app().test_client()
    s = signed("http://localhost/v1/orders")
    r = client.post("/v1/orders", data=s.body, headers=dict(s.headers))
    assert r.status_code == 200, r.data
    assert r.get_json() == {"akid": AKID, "body": BODY.decode()}
    r = client.post("/v1/orders", data=s.body + b"!", headers=dict(s.headers))
    assert (r.status_code, r.get_json()) == (401, {"error": "signature_mismatch"})


def test_stripe_webhook_in_a_fastapi_handler() -> None:
    secret = "whsec_test_secret"
    app = fastapi.FastAPI()

    @app.post("/webhooks/stripe")
    async def stripe(request: fastapi.Request) -> dict:
        try:
            event = profiles.verify_webhook("stripe", secret, request.headers.items(), await request.body())
        except profiles.ProfileError as err:
            raise fastapi.HTTPException(status_code=400, detail=err.code)
        return {"timestamp": event.timestamp}

    client = testclient.TestClient(app)
    payload = b'{"id":"evt_1","type":"payment_intent.succeeded"}'
    headers = profiles.sign_webhook("stripe", secret, payload)
    r = client.post("/webhooks/stripe", content=payload, headers=headers)
    assert r.status_code == 200 and isinstance(r.json()["timestamp"], int)
    # Re-serialised JSON (spaces added) is not the signed bytes.
    r = client.post("/webhooks/stripe", content=json.dumps(json.loads(payload)).encode(), headers=headers)
    assert (r.status_code, r.json()["detail"]) == (400, "signature_mismatch")


def test_readme_stripe_snippet_in_fastapi() -> None:
    """README's FastAPI snippet as written: ``StripeWebhook(...).verify(request.headers, body)``,
    errors as ``HTTPException(e.http_status, e.code)``."""
    stripe_endpoint_secret = "whsec_readme_snippet_secret"
    app = fastapi.FastAPI()
    stripe_hook = profiles.StripeWebhook(stripe_endpoint_secret)

    @app.post("/webhooks/stripe")
    async def stripe_webhook(request: fastapi.Request) -> dict:
        try:
            event = stripe_hook.verify(request.headers, await request.body())
        except profiles.ProfileError as e:
            raise fastapi.HTTPException(status_code=e.http_status, detail=e.code)
        return {"received": event.timestamp}

    client = testclient.TestClient(app)
    payload = b'{"id":"evt_2","object":"event","type":"invoice.paid"}'
    headers = stripe_hook.sign(payload)
    r = client.post("/webhooks/stripe", content=payload, headers=headers)
    assert r.status_code == 200, r.text
    stripe_signature = next(v for k, v in headers.items() if k.lower() == "stripe-signature")
    assert r.json()["received"] == int(stripe_signature.split(",")[0].removeprefix("t="))
    r = client.post("/webhooks/stripe", content=payload + b" ", headers=headers)
    assert (r.status_code, r.json()["detail"]) == (401, "signature_mismatch")
    r = client.post("/webhooks/stripe", content=payload)
    assert (r.status_code, r.json()["detail"]) == (401, "missing_header")
