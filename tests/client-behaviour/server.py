"""The scenario server of the client-behaviour suite (Python standard library only).

Two HTTP servers on 127.0.0.1: the origin (``/s/<scenario>`` answers as scenarios.json's ``server``
list says, one entry per attempt, the last repeated) and a foreign origin (records and answers 200,
the target of cross-origin redirects). It records every request (headers, time, the parsed
``Authorization`` parameters) for run.py to check. It does not verify signatures: the vectors and
the conformance suite do that; here only behaviour is checked (timestamps, nonces, signed header
lists, which headers reach which origin, timing).

Server steps: ``status``, ``json`` (body), ``retry_after`` (header value), ``server_clock_s``
(the ``Date`` header is this far from the real clock) with ``retry_after_date_in_s`` (an HTTP-date
``Retry-After`` that many seconds after that ``Date``), ``verify_clock_s`` (a server clock this far
off: a timestamp more than 300 s from it gets 401 ``stale_timestamp`` with
``X-Sigwire-Server-Time``, else 200), ``redirect_foreign`` (307 to that path on the foreign
origin), ``delay_ms`` (sleep before answering).

CORS (for the Chromium driver, whose page is on a third origin): every answer carries
``Access-Control-Allow-Origin: *`` and exposes the headers the client reads (``Date``,
``Retry-After``, ``X-Sigwire-Server-Time``, ``Location``); a preflight ``OPTIONS`` is answered 204
and NOT recorded (it is the browser's, not a client attempt). Other clients ignore these headers.
"""

import email.utils
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
WINDOW_S = 300
# CORS for a page on another origin (the Chromium driver): what a client sends and reads.
CORS_ALLOW_HEADERS = "authorization, idempotency-key, content-type"
CORS_EXPOSE = "Date, Retry-After, X-Sigwire-Server-Time, Location"


def http_date(unix):
    return email.utils.formatdate(unix, usegmt=True)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.log = []

    def add(self, entry):
        with self.lock:
            self.log.append(entry)

    def count(self, origin, name):
        with self.lock:
            return sum(1 for e in self.log if e["origin"] == origin and e["scenario"] == name)

    def reset(self):
        with self.lock:
            self.log = []

    def entries(self):
        with self.lock:
            return list(self.log)


def handler(origin, table, recorder, foreign_base):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self, status, body=b"", headers=(), date=None):
            try:
                self._write(status, body, headers, date)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (the timeout scenario)

        def _cors(self):
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", CORS_EXPOSE)

        def do_OPTIONS(self):
            """A CORS preflight: allowed, answered, not recorded (no client attempt)."""
            self.send_response_only(204)
            self._cors()
            self.send_header("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE")
            self.send_header("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS)
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _write(self, status, body, headers, date):
            self.send_response_only(status)
            self._cors()
            self.send_header("Date", http_date(date if date is not None else time.time()))
            self.send_header("Content-Length", str(len(body)))
            if body:
                self.send_header("Content-Type", "application/json")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            name = path[3:] if path.startswith("/s/") else path
            auth = dict(AUTH_PARAM.findall(self.headers.get("Authorization", "")))
            entry = {
                "origin": origin, "scenario": name, "method": self.command, "t": time.time(),
                "authorization": "Authorization" in self.headers, "auth": auth,
                "idempotency_key": self.headers.get("Idempotency-Key"), "body_len": len(body),
            }
            if origin == "foreign":
                recorder.add(entry)
                return self._answer(200, b"{}")
            scenario = table.get(name)
            if scenario is None:
                return self._answer(404, b'{"error":"no_such_scenario"}')
            n = recorder.count(origin, name)
            recorder.add(entry)
            steps = scenario["server"]
            step = steps[min(n, len(steps) - 1)]
            if step.get("delay_ms"):
                time.sleep(step["delay_ms"] / 1000)
            if "verify_clock_s" in step:
                server_now = int(time.time() + step["verify_clock_s"])
                ts = int(auth.get("timestamp", "0") or 0)
                entry["timestamp_offset_s"] = ts - int(time.time())
                if abs(ts - server_now) > WINDOW_S:
                    return self._answer(401, b'{"error":"stale_timestamp"}',
                                        [("X-Sigwire-Server-Time", str(server_now))], date=server_now)
                return self._answer(200, b'{"ok":true}', [("X-Sigwire-Server-Time", str(server_now))],
                                    date=server_now)
            headers = []
            date = None
            if "redirect_foreign" in step:
                headers.append(("Location", foreign_base() + step["redirect_foreign"]))
            if "retry_after" in step:
                headers.append(("Retry-After", step["retry_after"]))
            if "server_clock_s" in step:
                date = int(time.time()) + step["server_clock_s"]
                if "retry_after_date_in_s" in step:
                    headers.append(("Retry-After", http_date(date + step["retry_after_date_in_s"])))
            status = step.get("status", 200)
            text = step.get("json", "" if 300 <= status < 400 else '{"ok":true}')
            return self._answer(status, text.encode(), headers, date)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    return Handler


class ScenarioServers:
    """The origin and the foreign origin, started on free ports."""

    def __init__(self, table):
        self.recorder = Recorder()
        by_name = {s["name"]: s for s in table["scenarios"]}
        self.foreign = ThreadingHTTPServer(("127.0.0.1", 0), handler("foreign", by_name, self.recorder, None))
        self.origin = ThreadingHTTPServer(
            ("127.0.0.1", 0), handler("origin", by_name, self.recorder, lambda: self.foreign_url))
        for srv in (self.origin, self.foreign):
            threading.Thread(target=srv.serve_forever, daemon=True).start()

    @property
    def origin_url(self):
        return "http://127.0.0.1:%d" % self.origin.server_address[1]

    @property
    def foreign_url(self):
        # Another origin: another port (and the other loopback spelling).
        return "http://localhost:%d" % self.foreign.server_address[1]

    def stop(self):
        for srv in (self.origin, self.foreign):
            srv.shutdown()
            srv.server_close()


if __name__ == "__main__":
    import sys
    servers = ScenarioServers(json.load(open(sys.argv[1])))
    print(json.dumps({"origin": servers.origin_url, "foreign": servers.foreign_url}), flush=True)
    threading.Event().wait()
