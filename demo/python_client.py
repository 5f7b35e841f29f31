"""Demo client: the Python SDK (sigwire, PyO3 over the Rust core) with `requests`.

1. signs the fixed request offline (fixed timestamp and nonce) with `Signer.sign`;
2. sends a live signed request (fresh timestamp and nonce) to the demo server with
   `requests` + `sigwire.requests.HmacAuth`, and reads the server's verdict;
3. prepares (signs, never sends) one more request, for the orchestrator's tamper test.

Prints one JSON line. The exact bytes of the live request and of the unsent one are included
(`live_request`, `unsent_request`) so that the orchestrator can replay and tamper with them.
The fixed request comes from the environment (SIGWIRE_DEMO_*), set by demo/orchestrator.py.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import re
import sys
from typing import Any, Dict, Optional

import requests

import sigwire
from sigwire.requests import HmacAuth


def signature_of(authorization: str) -> str:
    """The hex signature inside an Authorization header value."""
    match = re.search(r'signature="([0-9a-f]+)"', authorization)
    return match.group(1) if match else ""


def wire(prepared: requests.PreparedRequest) -> Dict[str, Any]:
    """A prepared request as the exact pieces that go on the wire."""
    body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
    return {
        "method": prepared.method,
        "url": prepared.url,
        "headers": [[k, v] for k, v in prepared.headers.items()],
        "body_b64": base64.b64encode(body).decode("ascii"),
    }


def verdict(response: requests.Response) -> Dict[str, Any]:
    """The server's answer: accepted (echo with the key id and nonce it saw) or a machine code."""
    try:
        data: Optional[Dict[str, Any]] = response.json()
    except ValueError:
        data = None
    if response.status_code == 200 and data and data.get("key_id"):
        return {"live_verdict": f"accepted (key {data['key_id']})", "live_nonce": data.get("nonce"),
                "echo_body": data.get("body")}
    code = data.get("error") if data else None
    return {"live_verdict": f"rejected: {code or response.text[:80]}", "live_nonce": None}


def main() -> int:
    env = os.environ
    key_id = env["SIGWIRE_DEMO_KEY_ID"]
    secret = bytes.fromhex(env["SIGWIRE_DEMO_SECRET_HEX"])
    headers = {"Content-Type": env["SIGWIRE_DEMO_CONTENT_TYPE"]}
    body = env["SIGWIRE_DEMO_BODY"].encode("utf-8")
    live_url = env["SIGWIRE_DEMO_LIVE_URL"]

    signer = sigwire.Signer(key_id, secret, algorithm=env["SIGWIRE_DEMO_ALGORITHM"])
    fixed = signer.sign(env["SIGWIRE_DEMO_METHOD"], env["SIGWIRE_DEMO_URL"], headers, body,
                        timestamp=int(env["SIGWIRE_DEMO_TIMESTAMP"]), nonce=env["SIGWIRE_DEMO_NONCE"])
    out: Dict[str, Any] = {
        "runtime": f"python {platform.python_version()}",
        "via": f"sigwire {sigwire.__version__} (PyO3) Signer.sign; live: requests + sigwire.requests.HmacAuth",
        "fixed_authorization": fixed["Authorization"],
        "fixed_signature": signature_of(fixed["Authorization"]),
    }

    auth = HmacAuth(signer)
    with requests.Session() as session:
        response = session.post(live_url, data=body, headers=headers, auth=auth, timeout=10)
    out["live_status"] = response.status_code
    out.update(verdict(response))
    out["live_request"] = wire(response.request)

    # Signed like the live one, never sent: the orchestrator changes its body (tamper test).
    unsent = requests.Request("POST", live_url, data=body, headers=headers, auth=auth).prepare()
    out["unsent_request"] = wire(unsent)

    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
