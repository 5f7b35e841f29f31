#!/usr/bin/env python3
"""Self-test of the runner and the shrinker, with deliberately broken adapters.

    python3 tests/conformance/selftest.py

Needs only the standard library: the reference adapter here is `spec-python`, and the broken
ones are small wrappers around it written to a temporary directory. Checks that the runner
exits 0 when runtimes agree and 1 on a difference, a crash, a runtime that cannot start, a
protocol violation or a wrong expected answer, and that the shrinker cuts a differing case
down to a small reproducer that still shows the difference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "run")
SPEC_ADAPTER = os.path.join(HERE, "adapters", "spec-python.py")

# A wrapper around the spec adapter with one behaviour changed.
MUTANT = r'''
import json, runpy, sys
adapter = runpy.run_path(%(adapter)r)
answer = adapter["answer"]
mode = sys.argv[1]
for n, line in enumerate(sys.stdin.buffer, 1):
    if not line.strip():
        continue
    out = answer(line)
    op = json.loads(line)
    if mode == "tilde" and "%%7E" in op.get("url", "").upper():
        out = {"id": op["id"], "error": "invalid_request"} if op["op"] == "sign" else {"id": op["id"], "ok": False, "error": "invalid_request"}
    elif mode == "crash" and n == 3:
        sys.exit(3)
    elif mode == "badcode":
        out["debug"] = True
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
'''


# A fake profile runtime: answers webhook_sign with fixed headers (or a given behaviour).
PROFILE_FAKE = r'''
import json, sys
mode = sys.argv[1]
for line in sys.stdin.buffer:
    if not line.strip():
        continue
    op = json.loads(line)
    if mode == "unsupported":
        out = {"id": op["id"], "unsupported": "no profiles here"}
    elif mode == "badcode":
        out = {"id": op["id"], "error": "invalid_secret"}  # a sigwire-v1 code, not a profile code
    else:
        out = {"id": op["id"], "headers": [["X-Sig", "v1=" + op["provider"]]]}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
'''


def case(id_, url, body=b"hello"):
    import base64
    return {"op": "sign", "id": id_, "key_id": "k1", "secret_hex": "00" * 32, "algorithm": "hmac-sha256",
            "timestamp": 1700000000, "nonce": "AAAAAAAAAAAAAAAAAAAAAA", "method": "POST", "url": url,
            "headers": [["Content-Type", "text/plain"], ["X-Long", "x" * 300]],
            "body_b64": base64.b64encode(body).decode()}


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.mutant = os.path.join(self.dir, "mutant.py")
        with open(self.mutant, "w") as f:
            f.write(MUTANT % {"adapter": SPEC_ADAPTER})
        self.cases = os.path.join(self.dir, "cases.jsonl")
        with open(self.cases, "w") as f:
            for i, url in enumerate(["https://api.example.com/a", "https://api.example.com/%7Eu/x?q=1&r=%7e2#frag",
                                     "https://api.example.com/b?x=1", "https://api.example.com/c"]):
                f.write(json.dumps(case("c%d" % i, url, b"some body bytes " * 20)) + "\n")

    def tearDown(self):
        self.tmp.cleanup()

    def run_runner(self, *args):
        p = subprocess.run([sys.executable, RUN, "--out", os.path.join(self.dir, "out")] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=300)
        return p.returncode, p.stdout

    def adapter(self, name, mode):
        return "--adapter=%s=%s %s %s" % (name, sys.executable, self.mutant, mode)

    def test_agreeing_runtimes_pass(self):
        code, out = self.run_runner("--runtimes", "spec-python,copy", self.adapter("copy", "none"), self.cases)
        self.assertEqual(code, 0, out)
        self.assertIn("ALL AGREE", out)
        with open(os.path.join(self.dir, "out", "copy.jsonl")) as f:
            self.assertEqual(len(f.readlines()), 4)

    def test_difference_is_reported_and_shrunk(self):
        code, out = self.run_runner("--runtimes", "spec-python,tilde", self.adapter("tilde", "tilde"), "--shrink", "1", self.cases)
        self.assertEqual(code, 1, out)
        self.assertIn("DIFFERENCE #1: case 2", out)
        self.assertIn("1 difference(s)", out)
        with open(os.path.join(self.dir, "out", "shrunk", "c1.json")) as f:
            shrunk = json.load(f)["case"]
        self.assertIn("%7E", shrunk["url"].upper())
        self.assertEqual(shrunk["body_b64"], "", shrunk)
        self.assertEqual(shrunk["headers"], [], shrunk)
        self.assertLessEqual(len(shrunk["url"]), len("https://a/%7E") + 2, shrunk["url"])

    def test_crash_is_a_failure(self):
        code, out = self.run_runner("--runtimes", "spec-python,crash", self.adapter("crash", "crash"), self.cases)
        self.assertEqual(code, 1, out)
        self.assertIn('stopped answering at case 3 (id "c2")', out)

    def test_missing_runtime_is_a_failure(self):
        code, out = self.run_runner("--runtimes", "spec-python,ghost", "--adapter", "ghost=/nonexistent/adapter", self.cases)
        self.assertEqual(code, 1, out)
        self.assertIn("RUNTIME FAILURE: ghost: cannot start", out)

    def test_protocol_violation_is_a_failure(self):
        code, out = self.run_runner("--runtimes", "spec-python,bad", self.adapter("bad", "badcode"), self.cases)
        self.assertEqual(code, 1, out)
        self.assertIn("unexpected fields ['debug']", out)

    def test_expected_answers(self):
        expected = os.path.join(self.dir, "expected.jsonl")
        with open(self.cases, "rb") as stdin, open(expected, "wb") as stdout:
            subprocess.run([sys.executable, SPEC_ADAPTER], stdin=stdin, stdout=stdout, check=True)
        code, out = self.run_runner("--runtimes", "spec-python", "--expected", expected, self.cases)
        self.assertEqual(code, 0, out)
        with open(expected) as f:
            lines = f.read().splitlines()
        wrong = json.loads(lines[0])
        wrong["signature"] = "0" + wrong["signature"][1:]
        lines[0] = json.dumps(wrong)
        with open(expected, "w") as f:
            f.write("\n".join(lines) + "\n")
        code, out = self.run_runner("--runtimes", "spec-python", "--expected", expected, self.cases)
        self.assertEqual(code, 1, out)
        self.assertIn("signature: first difference at character 0", out)

    def profile_runner(self, *modes):
        fake = os.path.join(self.dir, "fake.py")
        with open(fake, "w") as f:
            f.write(PROFILE_FAKE)
        ops = os.path.join(self.dir, "profile.jsonl")
        with open(ops, "w") as f:
            for i in range(3):
                f.write(json.dumps({"op": "webhook_sign", "id": "w%d" % i, "provider": "github", "secrets": ["s"],
                                    "body_b64": "", "timestamp": 1, "msg_id": None}) + "\n")
        names = ["r%d" % i for i in range(len(modes))]
        adapters = ["--adapter=%s=%s %s %s" % (n, sys.executable, fake, m) for n, m in zip(names, modes)]
        return self.run_runner("--runtimes", ",".join(names), *adapters, ops)

    def test_unsupported_is_reported_not_passed(self):
        code, out = self.profile_runner("ok", "ok", "unsupported")
        self.assertEqual(code, 0, out)
        self.assertIn('NOT CHECKED: r2 answered "unsupported" to 3 operation(s)', out)
        self.assertIn("webhook_sign/github=3", out)
        self.assertIn("3 unsupported answers not checked", out)
        code, out = self.profile_runner("ok", "unsupported")
        self.assertIn("NOT CHECKED: 3 operation(s) had fewer than two answers to compare", out)

    def test_profile_answers_need_profile_codes(self):
        code, out = self.profile_runner("ok", "badcode")
        self.assertEqual(code, 1, out)
        self.assertIn("error 'invalid_secret' is not a profile machine code", out)

    def test_fuzz_is_deterministic(self):
        fuzz = os.path.join(HERE, "fuzz.py")
        a = subprocess.run([sys.executable, fuzz, "--seed", "7", "--count", "300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        b = subprocess.run([sys.executable, fuzz, "--seed", "7", "--count", "300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        self.assertEqual(a.stdout, b.stdout)
        self.assertIn(b"seed 7", a.stderr)
        ops = [json.loads(l) for l in a.stdout.splitlines()]
        self.assertEqual(len(ops), 300)
        self.assertEqual({o["op"] for o in ops}, {"sign", "verify"})


    def test_profile_fuzz_is_deterministic(self):
        # The spec adapter answers "unsupported" to every profile operation, so the verify material
        # is not signed and those slots stay sign operations: enough to check determinism here.
        fuzz = os.path.join(HERE, "fuzz_profiles.py")
        cmd = [sys.executable, fuzz, "--seed", "7", "--count", "200", "--signer", "%s %s" % (sys.executable, SPEC_ADAPTER)]
        a = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        b = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        self.assertEqual(a.stdout, b.stdout)
        self.assertIn(b"seed 7", a.stderr)
        ops = [json.loads(l) for l in a.stdout.splitlines()]
        self.assertEqual(len(ops), 200)
        self.assertEqual({o["op"] for o in ops}, {"profile_sign", "profile_sign_response", "webhook_sign"})
        self.assertEqual({o["profile"] for o in ops if o["op"] == "profile_sign"},
                         {"aws-sigv4", "rfc9421", "binance", "coinbase", "kraken", "okx", "bybit"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
