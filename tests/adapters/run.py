#!/usr/bin/env python3
"""One table of bad requests, sent over real sockets to every server adapter; each must answer
the table's status and JSON body (issue 11: `core::wire` is the single source of both).

    build/python-venv/bin/python tests/adapters/run.py [adapter ...]

Adapters (each on 127.0.0.1 with the same key, secret and 1 KiB body limit):
  tower    sigwire-server (the tower layer in server/src/layer.rs; $SIGWIRE_SERVER_BIN or
           <target>/debug/sigwire-server)
  asgi     sigwire.asgi.SigwireMiddleware under uvicorn        (apps.py)
  wsgi     sigwire.wsgi.SigwireMiddleware under werkzeug       (apps.py)
  express  sdk-node's expressMiddleware in Express 5           (apps.js)
  fastify  sdk-node's fastifyPlugin in Fastify 5               (apps.js)
Needs: this interpreter with sigwire, uvicorn and werkzeug (scripts/ci/python.sh's venv); node
with express@5 and fastify@5 on $NODE_PATH and sdk-node's addon built (scripts/ci/node.sh).
A missing adapter is a failure, never a skip. Exits non-zero on any difference.
"""

import json
import os
import socket
import subprocess
import sys
import time

import sigwire

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KEY_ID, SECRET, LIMIT = "adapter-key", "0123456789abcdef0123456789abcdef", 1024
SIGNER = sigwire.Signer(KEY_ID, SECRET.encode())
CT = ("Content-Type", "application/json")

# Rows: (name, build(host) -> (request-target, [(header, value)], body bytes, chunked?), status,
# machine code or None for "reaches the app"). Expected values are written here by hand from
# SPEC.md §7 and core::wire; nothing is copied from an adapter's answer.


def signed(host, body=b"{}", target="/v1/pay", url=None):
    url = url or "http://%s%s" % (host, target)
    return SIGNER.sign("POST", url, {"Content-Type": "application/json"}, body)["Authorization"]


def row_missing(host):
    return "/v1/pay", [CT], b"{}", False


def row_duplicated(host):
    a = signed(host)
    return "/v1/pay", [CT, ("Authorization", a), ("Authorization", signed(host))], b"{}", False


def row_malformed(host):
    return "/v1/pay", [CT, ("Authorization", "HMAC nonsense")], b"{}", False


def row_declared_over(host):
    body = b"x" * (2 * LIMIT)
    return "/v1/pay", [CT, ("Authorization", signed(host, body))], body, False


def row_chunked_over(host):
    body = b"y" * (2 * LIMIT)
    return "/v1/pay", [CT, ("Authorization", signed(host, body))], body, True


def row_chunked_ok(host):
    body = b'{"a":1}'
    return "/v1/pay", [CT, ("Authorization", signed(host, body))], body, True


def row_absolute_form(host):
    return "http://%s/v1/pay" % host, [CT, ("Authorization", signed(host))], b"{}", False


def row_absolute_other_authority(host):
    # The client signed the target's URL, but the Host line disagrees with its authority: the
    # core refuses a Host that is not the signed URL's authority (SPEC.md §4, the host line).
    url = "http://other.example/v1/pay"
    return url, [CT, ("Authorization", signed(host, url=url))], b"{}", False


def row_fragment(host):
    return "/v1/pay#f", [CT, ("Authorization", signed(host))], b"{}", False


def row_tampered(host):
    return "/v1/pay", [CT, ("Authorization", signed(host, b"{}"))], b"{ }", False


def row_signed(host):
    return "/v1/pay", [CT, ("Authorization", signed(host))], b"{}", False


TABLE = [
    ("missing Authorization", row_missing, 401, "missing_authorization"),
    ("duplicated Authorization", row_duplicated, 401, "malformed_authorization"),
    ("malformed Authorization", row_malformed, 401, "malformed_authorization"),
    ("declared length over the limit", row_declared_over, 413, "body_too_large"),
    ("chunked, no length, over the limit", row_chunked_over, 413, "body_too_large"),
    ("chunked, no length, signed, within the limit", row_chunked_ok, 200, None),
    ("absolute-form target, signed", row_absolute_form, 200, None),
    ("absolute-form, authority other than Host", row_absolute_other_authority, 400, "invalid_request"),
    ("bad URL: '#' in the target", row_fragment, 400, "invalid_request"),
    ("tampered body", row_tampered, 401, "signature_mismatch"),
    ("signed", row_signed, 200, None),
]

# Rows an adapter is known to answer differently, printed loudly and counted as failures unless
# listed here (with the request for the fix): {(adapter, row name): "why, and who fixes it"}.
KNOWN = {
    ("tower", "bad URL: '#' in the target"):
        "hyper's http::Uri drops a fragment while parsing the request line, so the layer never sees "
        "the '#' (the client signed the path without it): 200 where the others refuse 400",
    ("wsgi", "absolute-form, authority other than Host"):
        "werkzeug's server replaces HTTP_HOST with the absolute-form authority (RFC 9112 3.2.2) "
        "before the middleware runs, so Host agrees with the signed URL: 200 where the others refuse 400",
}


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def commands():
    env = {"ADAPTERS_KEY_ID": KEY_ID, "ADAPTERS_SECRET": SECRET, "ADAPTERS_LIMIT": str(LIMIT)}
    server = os.environ.get("SIGWIRE_SERVER_BIN") or os.path.join(target_dir(), "debug", "sigwire-server")
    tower = [server, "--port", "0", "--print-port", "--exit-on-stdin-eof", "--any-authority",
             "--key", "%s:%s" % (KEY_ID, SECRET.encode().hex()), "--body-limit", str(LIMIT)]
    return {
        "tower": tower,
        "asgi": [sys.executable, os.path.join(HERE, "apps.py"), "asgi"],
        "wsgi": [sys.executable, os.path.join(HERE, "apps.py"), "wsgi"],
        "express": ["node", os.path.join(HERE, "apps.js"), "express"],
        "fastify": ["node", os.path.join(HERE, "apps.js"), "fastify"],
    }, env


def start(cmd, env):
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=dict(os.environ, **env), text=True)
    line = proc.stdout.readline().strip()
    if not line.isdigit():
        proc.kill()
        raise RuntimeError("%s printed no port (got %r)" % (cmd[0], line))
    port = int(line)
    deadline = time.time() + 20
    while True:  # the port is bound before the server accepts: wait until it does
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("%s never accepted a connection on port %d" % (cmd[0], port))
            time.sleep(0.05)


def send(port, target, headers, body, chunked):
    host = "127.0.0.1:%d" % port
    lines = ["POST %s HTTP/1.1" % target, "Host: " + host, "Connection: close"]
    names = {n.lower() for n, _ in headers}
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        pieces = [body[i:i + 700] for i in range(0, len(body), 700)]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    else:
        if "content-length" not in names:
            lines.append("Content-Length: %d" % len(body))
        payload = body
    lines += ["%s: %s" % h for h in headers]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "surrogateescape") + payload
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(raw)
        except OSError:
            pass  # refused before the body was read: the answer may still be there
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
    return parse(data)


def parse(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1."):
        return None, {}, data
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out = b""
        while body:
            size, _, rest = body.partition(b"\r\n")
            n = int(size.split(b";")[0] or b"0", 16)
            if n == 0:
                break
            out, body = out + rest[:n], rest[n + 2:]
        body = out
    elif "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return status, headers, body


def judge(status, headers, body, want_status, want_code):
    """Differences from the row's expectation."""
    problems = []
    if status != want_status:
        problems.append("status %s, want %d" % (status, want_status))
    if want_code is None:
        return problems
    try:
        got = json.loads(body)
    except ValueError:
        got = body[:120]
    if got != {"error": want_code}:
        problems.append("body %r, want %r" % (got, {"error": want_code}))
    if not headers.get("content-type", "").startswith("application/json"):
        problems.append("content-type %r" % headers.get("content-type"))
    if headers.get("cache-control") != "no-store":
        problems.append("cache-control %r" % headers.get("cache-control"))
    if not headers.get("x-sigwire-server-time", "").isdigit():
        problems.append("no X-Sigwire-Server-Time")
    return problems


def main():
    only = sys.argv[1:]
    cmds, env = commands()
    started = time.time()
    failures, known = 0, 0
    results = {}
    for name, cmd in cmds.items():
        if only and name not in only:
            continue
        try:
            proc, port = start(cmd, env)
        except (OSError, RuntimeError) as e:
            print("%-8s FAIL: could not start (%s)" % (name, e))
            failures += 1
            continue
        try:
            for row, build, want_status, want_code in TABLE:
                target, headers, body, chunked = build("127.0.0.1:%d" % port)
                status, got_headers, got_body = send(port, target, headers, body, chunked)
                problems = judge(status, got_headers, got_body, want_status, want_code)
                results[(name, row)] = (status, got_body[:80])
                if problems and (name, row) in KNOWN:
                    known += 1
                    print("%-8s KNOWN DIFFERENCE  %-46s %s -- %s" % (name, row, "; ".join(problems), KNOWN[(name, row)]))
                elif problems:
                    failures += 1
                    print("%-8s FAIL  %-46s %s (body %r)" % (name, row, "; ".join(problems), got_body[:100]))
                elif (name, row) in KNOWN:
                    failures += 1  # a fixed difference must leave the list, so the list stays true
                    print("%-8s FAIL  %-46s agrees now: remove it from KNOWN" % (name, row))
                else:
                    print("%-8s ok    %-46s %s %s" % (name, row, status, want_code or ""))
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
    if known:
        print("!" * 78)
        print("!!! %d KNOWN DIFFERENCE(S) between adapters: see the rows above and tests/adapters/README.md" % known)
        print("!" * 78)
    print("adapters: %s (%d failure(s), %d known difference(s)) in %.1f s"
          % ("PASS" if failures == 0 else "FAIL", failures, known, time.time() - started))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
