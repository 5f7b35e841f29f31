#!/usr/bin/env bash
# SigV4 signing of one POST with a 1 KiB JSON body, in one run: Sigwire (Rust core, release),
# botocore SigV4Auth and aws4. Prints ns per signature and the ratios. Not a CI gate (timings on a
# shared machine are noisy); run it by hand. Needs the venv/node_modules that run.sh installs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
rust=$(cargo run --locked --release -q -p sigwire-core --example sigv4_bench 200000 | sed 's/.*"ns_per_sign":\([0-9]*\).*/\1/')
boto=$("$ROOT/build/profiles-venv/bin/python" - <<'PY'
import time
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
body = '{"data":"' + "x" * (1024 - 11) + '"}'
auth = SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "execute-api", "us-east-1")
n = 5000
start = time.perf_counter()
for _ in range(n):
    req = AWSRequest(method="POST", url="https://api.example.com/v1/orders?account=42",
                     headers={"Content-Type": "application/json"}, data=body.encode())
    auth.add_auth(req)
print(int((time.perf_counter() - start) / n * 1e9))
PY
)
node_ns=$(cd tests/profiles && node -e '
const aws4 = require("aws4");
const body = "{\"data\":\"" + "x".repeat(1024 - 11) + "\"}";
const n = 20000; const t = process.hrtime.bigint();
for (let i = 0; i < n; i++) aws4.sign({ host: "api.example.com", path: "/v1/orders?account=42", method: "POST", service: "execute-api", region: "us-east-1",
  headers: { "Content-Type": "application/json" }, body }, { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" });
console.log(Number((process.hrtime.bigint() - t) / BigInt(n)));')
echo "sigwire (Rust core): ${rust} ns/sign"
echo "botocore SigV4Auth:  ${boto} ns/sign  (Rust core is $(( boto / rust ))x faster)"
echo "aws4 (npm):          ${node_ns} ns/sign  (Rust core is $(( node_ns / rust ))x faster)"
