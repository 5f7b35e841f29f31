#!/usr/bin/env bash
# scripts/bench section (issue 17 part 2): a large body signed and sent by the Python and the Node
# clients to the reference server and verified there, in bounded memory on every side.
#
# Each client sends STREAM_BYTES (default 1 GiB) from a generator (readable once: spooled to a
# temporary file while it is hashed, then streamed by the Rust runtime under the SDK) to
# sigwire-server (release build, spool threshold 1 MiB: it hashes while spooling and verifies the
# digest). Measured in the same run, as scripts/bench.d/stream.sh does:
#   - added resident memory per side: peak reset (/proc/<pid>/clear_refs) right before the upload,
#     then VmHWM - VmRSS-before, for the client process and for the server (target <= 16 MiB each);
#   - the SDK's BodyHasher (the core's, through the binding) over STREAM_BYTES in 1 MiB updates,
#     per CPU second, beside `openssl speed -evp sha256` (64 KiB blocks; target >= 0.80);
#   - the end-to-end upload rate (spool + send + server spool + verify), wall clock.
#
#   scripts/bench stream-sdk                 # 1 GiB
#   STREAM_BYTES=$((64<<20)) scripts/bench stream-sdk
# Interpreters/builds: $SIGWIRE_BENCH_PYTHON (must import sigwire; else build/bench/python-venv
# with a release `pip install ./sdk-python`, as the python section); the Node addon is built in
# release (as the node section) unless $SIGWIRE_NATIVE_PATH is set; $SIGWIRE_SERVER_BIN overrides
# the server binary. Prints ROW lines (see scripts/bench).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/bench.d/lib/stream-server.bash"
BYTES="${STREAM_BYTES:-$((1024 * 1024 * 1024))}"
OUT="$ROOT/build/bench"
mkdir -p "$OUT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# A plain optimised build measures the same hashing and I/O as fat LTO and builds in minutes.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
SECRET=0123456789abcdef0123456789abcdef
SECRET_HEX=3031323334353637383961626364656630313233343536373839616263646566

if [ -z "${SIGWIRE_SERVER_BIN:-}" ]; then
  nice -n 19 cargo build --locked --release -p sigwire-server --bin sigwire-server >&2
  SIGWIRE_SERVER_BIN="$TARGET_DIR/release/sigwire-server"
fi
if [ -z "${SIGWIRE_NATIVE_PATH:-}" ]; then
  nice -n 19 cargo build --locked --release -p sigwire-node >&2
  cp "$TARGET_DIR/release/libsigwire_node.so" "$OUT/sigwire.node"
  export SIGWIRE_NATIVE_PATH="$OUT/sigwire.node"
fi
if [ -n "${SIGWIRE_BENCH_PYTHON:-}" ]; then
  PY="$SIGWIRE_BENCH_PYTHON"
else
  VENV="$OUT/python-venv"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  PY="$VENV/bin/python"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$PY" -m pip install --quiet --force-reinstall --no-deps ./sdk-python >&2
fi

start_stream_server "$SIGWIRE_SERVER_BIN" stream-sdk "$SECRET_HEX"
export STREAM_URL="http://127.0.0.1:$PORT" STREAM_BYTES="$BYTES" STREAM_SECRET="$SECRET"

OPENSSL_MBS="$(openssl_sha256_mbs)"
MIB=$((BYTES / 1024 / 1024))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

# --- Python ------------------------------------------------------------------------------------
echo "== Python: sending $BYTES bytes" >&2
BEFORE="$(server_reset)"
nice -n 0 "$PY" - >"$WORK/py.out" <<'PY'
import os, time
from pathlib import Path
import sigwire

def kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])

n, url, secret = int(os.environ["STREAM_BYTES"]), os.environ["STREAM_URL"], os.environ["STREAM_SECRET"].encode()
piece = os.urandom(1 << 20)
def body():
    for _ in range(n >> 20):
        yield piece
    if n & ((1 << 20) - 1):
        yield piece[: n & ((1 << 20) - 1)]
with sigwire.Client(url, "stream-sdk", secret, attempt_timeout=900.0, total_timeout=900.0) as c:
    c.get("/warm")
    Path("/proc/self/clear_refs").write_text("5")
    before = kib("VmRSS")
    t = time.perf_counter()
    r = c.put("/big", body=body())
    wall = time.perf_counter() - t
    extra = kib("VmHWM") - before
assert r.json()["body_len"] == n, r.json()
h = sigwire.BodyHasher()
cpu, t = time.thread_time(), time.perf_counter()
for _ in body():
    h.update(_)
h.finish()
cpu, hwall = time.thread_time() - cpu, time.perf_counter() - t
print(f"client_extra_kib={extra} upload_mb_s={n / wall / 1e6:.1f} hash_mb_s={n / cpu / 1e6:.1f} hash_wall_mb_s={n / hwall / 1e6:.1f}")
PY
PY_SERVER=$(( $(server_kib VmHWM) - BEFORE ))

# --- Node --------------------------------------------------------------------------------------
echo "== Node: sending $BYTES bytes" >&2
BEFORE="$(server_reset)"
SDK="$ROOT/sdk-node" nice -n 0 node - >"$WORK/node.out" <<'JS'
'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
const { Readable } = require('node:stream');
const { Client, BodyHasher } = require(process.env.SDK);
const kib = (f) => Number(fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${f}:`)).split(/\s+/)[1]);
const n = Number(process.env.STREAM_BYTES);
const piece = crypto.randomBytes(1 << 20);
function* body() {
  for (let i = 0; i < Math.floor(n / (1 << 20)); i++) yield piece;
  if (n % (1 << 20)) yield piece.subarray(0, n % (1 << 20));
}
(async () => {
  const c = new Client({ baseUrl: process.env.STREAM_URL, keyId: 'stream-sdk', secret: process.env.STREAM_SECRET, timeouts: { attemptMs: 900000, totalMs: 900000 } });
  await c.get('/warm');
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const before = kib('VmRSS');
  let t = process.hrtime.bigint();
  const r = await c.put('/big', { body: Readable.from(body()) });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const extra = kib('VmHWM') - before;
  if (r.json().body_len !== n) throw new Error(`server saw ${r.json().body_len} bytes`);
  const h = new BodyHasher();
  const cpu0 = process.cpuUsage();
  t = process.hrtime.bigint();
  for (const p of body()) h.update(p);
  h.finish();
  const cpu = process.cpuUsage(cpu0);
  const hwall = Number(process.hrtime.bigint() - t) / 1e9;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(`client_extra_kib=${extra} upload_mb_s=${(n / wall / 1e6).toFixed(1)} hash_mb_s=${(n / cpuS / 1e6).toFixed(1)} hash_wall_mb_s=${(n / hwall / 1e6).toFixed(1)}`);
})().catch((e) => { console.error(e); process.exit(1); });
JS
NODE_SERVER=$(( $(server_kib VmHWM) - BEFORE ))

for lang in py node; do
  line="$(cat "$WORK/$lang.out")"
  field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$line"; }
  name=Python; server="$PY_SERVER"
  [ "$lang" = node ] && { name=Node; server="$NODE_SERVER"; }
  printf 'ROW\tstream-sdk\t%s MiB upload: %s client extra RSS\t%s\t-\t-\t<= 16 MiB\n' "$MIB" "$name" "$(mib "$(field client_extra_kib)")"
  printf 'ROW\tstream-sdk\t%s MiB upload: server extra RSS (reference server, %s client)\t%s\t-\t-\t<= 16 MiB\n' "$MIB" "$name" "$(mib "$server")"
  printf 'ROW\tstream-sdk\t%s MiB upload end to end, %s client (spool + send + server spool + verify)\t%s MB/s\t-\t-\t-\n' "$MIB" "$name" "$(field upload_mb_s)"
  printf 'ROW\tstream-sdk\t%s BodyHasher SHA-256, 1 MiB updates (per CPU s; wall: %s MB/s)\t%s MB/s\topenssl speed -evp sha256: %s MB/s\t%s\t>= 0.80\n' \
    "$name" "$(field hash_wall_mb_s)" "$(field hash_mb_s)" "$OPENSSL_MBS" "$(ratio "$(field hash_mb_s)" "$OPENSSL_MBS")"
done
