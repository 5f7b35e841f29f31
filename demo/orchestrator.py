#!/usr/bin/env python3
"""The Sigwire demo's orchestrator (standard library only; scripts/demo builds and calls it).

1. Starts the verifying server (`sigwire-server`, Rust) on an ephemeral 127.0.0.1 port with the
   demo key.
2. Runs every client program at once. Each signs the fixed request of demo/fixed_request.json
   offline (fixed timestamp and nonce), sends one live signed request (fresh timestamp and nonce)
   to the server, and prints one JSON line: runtime, fixed_signature, live_status, live_verdict
   (and fixed_authorization, live_nonce, echo_body; the Python client also the exact bytes of its
   live request and of a signed request it never sent).
3. Prints the table and checks: every fixed signature (and Authorization header) identical, and
   equal to the independent SPEC.md re-implementation (tests/spec_reimpl, plain Python); every
   live request accepted, its nonce logged by the server.
4. Attacks the server with the Python client's bytes: the accepted request sent again (replay,
   expects `replayed_nonce`), the unsent request with a changed body (expects
   `signature_mismatch`), then that request unchanged (control, expects acceptance).

Exits 1 when anything differs from those expectations, or when a runtime could not be built.

    orchestrator.py --server-bin PATH --client NAME=SHELL_COMMAND... [--missing NAME=REASON...]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLIENT_TIMEOUT = 120  # seconds per client (they run in parallel; Chromium and the JVM start in ~2-5 s)


def fixed_request() -> Dict[str, Any]:
    """The demo's fixed request (demo/fixed_request.json)."""
    return json.loads((HERE / "fixed_request.json").read_text(encoding="utf-8"))


def client_env(fixed: Dict[str, Any], live_url: str) -> Dict[str, str]:
    """The environment every client reads the fixed request and the live URL from."""
    env = dict(os.environ)
    env.update({
        "SIGWIRE_DEMO_KEY_ID": fixed["key_id"],
        "SIGWIRE_DEMO_SECRET_HEX": fixed["secret_hex"],
        "SIGWIRE_DEMO_ALGORITHM": fixed["algorithm"],
        "SIGWIRE_DEMO_METHOD": fixed["method"],
        "SIGWIRE_DEMO_URL": fixed["url"],
        "SIGWIRE_DEMO_CONTENT_TYPE": fixed["content_type"],
        "SIGWIRE_DEMO_BODY": fixed["body"],
        "SIGWIRE_DEMO_TIMESTAMP": str(fixed["timestamp"]),
        "SIGWIRE_DEMO_NONCE": fixed["nonce"],
        "SIGWIRE_DEMO_LIVE_URL": live_url,
    })
    return env


# --------------------------------------------------------------------------------------------
# the server


class Server:
    """sigwire-server on 127.0.0.1:0; stops when we close its stdin (--exit-on-stdin-eof)."""

    def __init__(self, binary: str, key: str) -> None:
        self.proc = subprocess.Popen(
            [binary, "--host", "127.0.0.1", "--port", "0", "--print-port", "--key", key, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.stderr: List[str] = []
        line: List[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(30)
        threading.Thread(target=self._drain, daemon=True).start()
        if not line or not line[0].strip().isdigit():
            self.stop()
            raise RuntimeError(f"sigwire-server did not print its port: {''.join(self.stderr)[-500:]}")
        self.port = int(line[0])

    def _drain(self) -> None:
        for text in self.proc.stderr:  # type: ignore[union-attr]
            self.stderr.append(text)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def http_call(port: int, method: str, target: str, headers: List[Tuple[str, str]], body: bytes
              ) -> Tuple[int, Dict[str, str], bytes]:
    """Sends one request to 127.0.0.1:port with exactly these header lines (http.client adds Host)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def server_code(body: bytes) -> Optional[str]:
    """The machine code of a rejection ({"error": code}), if the body is one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data.get("error") if isinstance(data, dict) else None


# --------------------------------------------------------------------------------------------
# the clients


def run_clients(clients: List[Tuple[str, str]], env: Dict[str, str]) -> Dict[str, Dict[str, Any]]:
    """Runs every client at once; returns name -> its JSON record, or {"error": ...}."""
    started = {}
    for name, command in clients:
        started[name] = (time.monotonic(), subprocess.Popen(
            ["bash", "-c", command], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    results: Dict[str, Dict[str, Any]] = {}
    for name, (t0, proc) in started.items():
        try:
            out, err = proc.communicate(timeout=max(1.0, CLIENT_TIMEOUT - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            results[name] = {"error": f"timed out after {CLIENT_TIMEOUT} s", "stderr": err}
            continue
        lines = [line for line in out.splitlines() if line.strip().startswith("{")]
        if proc.returncode != 0 or not lines:
            results[name] = {"error": f"exit status {proc.returncode}", "stderr": err, "stdout": out}
            continue
        try:
            record = json.loads(lines[-1])
        except ValueError as e:
            results[name] = {"error": f"unreadable output ({e})", "stdout": out}
            continue
        record["seconds"] = time.monotonic() - t0
        results[name] = record
    return results


# --------------------------------------------------------------------------------------------
# output


OK = "\u2713"   # check mark
BAD = "\u2717"  # cross


def table(rows: List[List[str]], header: List[str]) -> str:
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule] + [fmt(r) for r in rows])


def spec_signature(fixed: Dict[str, Any]) -> Tuple[Optional[str], Optional[str]]:
    """(signature, canonical string) of the fixed request by tests/spec_reimpl (plain Python)."""
    path = ROOT / "tests" / "spec_reimpl" / "sigwire_spec.py"
    if not path.exists():
        return None, None
    spec = importlib.util.spec_from_file_location("sigwire_spec", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    canonical, signature, _ = module.sign(
        fixed["key_id"], fixed["secret_hex"], fixed["algorithm"], fixed["timestamp"], fixed["nonce"],
        fixed["method"], fixed["url"], [["Content-Type", fixed["content_type"]]], fixed["body"].encode(),
    )
    return signature, canonical


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-bin", required=True, help="the sigwire-server binary")
    parser.add_argument("--client", action="append", default=[], metavar="NAME=SHELL_COMMAND")
    parser.add_argument("--missing", action="append", default=[], metavar="NAME=REASON",
                        help="a runtime that could not be built (shown as such; the demo then fails)")
    parser.add_argument("--order", default="rust,python,node,browser,kotlin", help="row order (comma list)")
    args = parser.parse_args()

    clients = [tuple(c.split("=", 1)) for c in args.client]
    missing = dict(tuple(m.split("=", 1)) for m in args.missing)
    order = [n for n in args.order.split(",") if n in missing or any(n == c[0] for c in clients)]
    order += [c[0] for c in clients if c[0] not in order] + [m for m in missing if m not in order]

    fixed = fixed_request()
    failures: List[str] = []
    print()
    print("Sigwire demo: one request signed offline in every runtime, then live requests to a verifying server")
    print()
    print(f"  fixed request   {fixed['method']} {fixed['url']}")
    print(f"                  Content-Type: {fixed['content_type']}")
    print(f"                  {fixed['body']}")
    print(f"                  key id {fixed['key_id']} (32-byte demo secret), {fixed['algorithm']}, "
          f"timestamp {fixed['timestamp']}, nonce {fixed['nonce']}")

    server = Server(args.server_bin, f"{fixed['key_id']}:{fixed['secret_hex']}")
    try:
        live_url = f"http://127.0.0.1:{server.port}{fixed['live_path']}"
        print(f"  server          sigwire-server (Rust, verifies with sigwire-core) on http://127.0.0.1:{server.port}")
        print(f"  live requests   POST {live_url}  (fresh timestamp and nonce each)")
        print()
        t0 = time.monotonic()
        results = run_clients(clients, client_env(fixed, live_url))
        clients_seconds = time.monotonic() - t0

        expected, _ = spec_signature(fixed)
        reference = expected or (results.get("rust") or {}).get("fixed_signature")
        rows = []
        for name in order:
            r = results.get(name)
            if name in missing:
                rows.append([name, f"not built: {missing[name]}", "-", BAD])
            elif r is None or "error" in r:
                err = (r or {}).get("error", "did not run")
                rows.append([name, f"FAILED: {err}", "-", BAD])
            else:
                status = r.get("live_status")
                same = reference is None or r.get("fixed_signature") == reference
                accepted = status == 200 and str(r.get("live_verdict", "")).startswith("accepted")
                mark = OK if same and accepted else BAD + (" signature differs" if not same else " not accepted")
                rows.append([r.get("runtime", name), r.get("fixed_signature") or "?", f"{status} {r.get('live_verdict')}", mark])
        print(table(rows, ["runtime", f"signature of the fixed request ({fixed['algorithm']}, hex)", "live request -> server", ""]))
        print()
        width = max(len(n) for n in order)
        for name in order:
            r = results.get(name) or {}
            if r.get("via"):
                print(f"  {name.ljust(width)}  {r['via']}")
        print()

        ran = {n: r for n, r in results.items() if "error" not in r}
        for name, r in results.items():
            if "error" in r:
                failures.append(f"{name} client failed: {r['error']}")
                detail = (r.get("stderr") or r.get("stdout") or "").strip().splitlines()[-15:]
                print(f"{BAD} {name} client failed ({r['error']}):")
                for line in detail:
                    print(f"      {line}")
        for name, reason in missing.items():
            failures.append(f"{name} not built: {reason}")

        # Identical signatures, equal to the independent re-implementation.
        sigs = {r.get("fixed_signature") for r in ran.values()}
        auths = {r.get("fixed_authorization") for r in ran.values()}
        if len(ran) >= 1 and len(sigs) == 1 and len(auths) == 1 and (expected is None or sigs == {expected}):
            spec_note = "the SPEC.md re-implementation in plain Python (tests/spec_reimpl)"
            if len(ran) > 1:
                tail = f", and equal to {spec_note}" if expected else ""
                print(f"{OK} the {len(ran)} fixed signatures and Authorization headers are byte-identical{tail}")
            else:
                tail = f" and equals {spec_note}" if expected else ""
                print(f"{OK} the fixed signature of the one runtime that ran is well-formed{tail}")
        else:
            failures.append("the fixed signatures differ")
            print(f"{BAD} the fixed signatures differ: {sorted(s or '?' for s in sigs)} (spec: {expected})")

        # Live requests accepted, and really seen by the server.
        accepted = [n for n, r in ran.items() if r.get("live_status") == 200 and str(r.get("live_verdict", "")).startswith("accepted")]
        body_ok = [n for n in accepted if ran[n].get("echo_body") in (None, fixed["body"])]
        status, _, body = http_call(server.port, "GET", "/_control/nonces?path=" + urllib.parse.quote("/v1/payments"), [], b"")
        logged = json.loads(body).get("nonces", {}).get("/v1/payments", []) if status == 200 else []
        seen = [n for n in accepted if ran[n].get("live_nonce") in logged]
        distinct = len({ran[n].get("live_nonce") for n in accepted})
        if ran and len(accepted) == len(ran) and len(body_ok) == len(ran) and len(seen) == len(ran) and distinct == len(ran):
            print(f"{OK} {len(accepted)}/{len(ran)} live requests accepted by the server, each with its own nonce "
                  f"(the server's log lists all {len(seen)}), body echoed unchanged")
        else:
            failures.append("not every live request was accepted")
            print(f"{BAD} live requests: {len(accepted)}/{len(ran)} accepted, {len(seen)} nonces in the server's log, "
                  f"{distinct} distinct, {len(body_ok)} bodies echoed unchanged")
        print()

        # Replay and tamper, with the Python client's exact bytes.
        print("Replay and tampering, with the exact bytes of the Python client's requests:")
        py = ran.get("python")
        if not py or "live_request" not in py:
            failures.append("no Python client output to replay and tamper with")
            print(f"{BAD} skipped: the Python client did not run")
        else:
            attack_rows = []

            def attack(label: str, req: Dict[str, Any], body_bytes: bytes, want_status: int, want_code: Optional[str]) -> None:
                url = urllib.parse.urlsplit(req["url"])
                target = url.path + ("?" + url.query if url.query else "")
                headers = [(k, str(len(body_bytes)) if k.lower() == "content-length" else v) for k, v in req["headers"]
                           if k.lower() != "host"]
                status, response_headers, answer = http_call(server.port, req["method"], target, headers, body_bytes)
                code = server_code(answer) if status != 200 else None
                got = f"{status} {code}" if code else f"{status} accepted"
                good = status == want_status and code == want_code
                if want_code is not None and "x-sigwire-server-time" not in response_headers:
                    good = False
                    got += " (no X-Sigwire-Server-Time)"
                verdict = f"{OK} {'rejected' if want_code else 'accepted'}, as expected" if good else f"{BAD} expected {want_status} {want_code or 'accepted'}"
                if not good:
                    failures.append(f"{label}: got {got}")
                attack_rows.append([label, got, verdict])

            live = py["live_request"]
            attack("replay   python's accepted request, resent byte for byte", live,
                   base64.b64decode(live["body_b64"]), 401, "replayed_nonce")
            unsent = py["unsent_request"]
            original = base64.b64decode(unsent["body_b64"])
            tampered = original.replace(b'"100.00"', b'"900.00"')
            if tampered == original:
                tampered = original + b" "
            attack("tamper   a freshly signed request, amount changed 100.00 -> 900.00" if b'"900.00"' in tampered
                   else "tamper   a freshly signed request, body changed", unsent,
                   tampered, 401, "signature_mismatch")
            attack("control  that same signed request, unchanged", unsent, original, 200, None)
            print(table(attack_rows, ["request", "server's answer", "check"]))
        print()
        print(f"(clients ran in parallel in {clients_seconds:.1f} s; "
              + ", ".join(f"{n} {r['seconds']:.1f} s" for n, r in ran.items() if "seconds" in r) + ")")
    finally:
        server.stop()

    if failures:
        print(f"\n{BAD} DEMO FAILED:")
        for f in failures:
            print(f"    - {f}")
        return 1
    print(f"\n{OK} demo passed: identical signatures in {len(ran)} runtimes, live requests accepted, replay and tampering rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
