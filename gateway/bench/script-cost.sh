#!/usr/bin/env bash
# What the gateway's admission script costs inside redis-server (issue 15), not a CI test.
#   gateway/bench/script-cost.sh [BASE_REV]   (default BASE_REV: HEAD)
# Takes the admission script from gateway/src/admission.rs in the working tree and at BASE_REV
# (up to 672eb84 it was GCRA_FN + ADMIT_LUA, with another argument order; since then the
# arguments changed once more, for the gateway's estimate of the server clock: admit_args knows
# all three), and for each (the current script with the clock estimate, as the gateway runs it):
#   * instructions per call: redis-server under callgrind (collecting only inside EVALSHA),
#     CALLS (default 5000) admissions with every limit on (claim, both failure budgets, rate);
#   * usec_per_call from INFO commandstats: ROUNDS (default 3) interleaved rounds of N (default
#     100000) admissions against one plain redis-server (wall-clock: depends on the machine's load);
#   * cold: usec_per_call and the round trip (p50) when admissions come one at a time, GAP_US
#     (default 2000) apart, as at the judged 500 req/s: an idle redis-server runs the script with
#     cold caches, at several times its back-to-back cost. COLD (default 2000) calls per version,
#     the two versions interleaved, each on its own redis-server.
# Each admission claims a fresh nonce; the limiter keys are one per key id, as in production.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${1:-HEAD}"
CALLS="${CALLS:-5000}"; N="${N:-100000}"; ROUNDS="${ROUNDS:-3}"; COLD="${COLD:-2000}"; GAP_US="${GAP_US:-2000}"
for tool in redis-server redis-cli redis-benchmark valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || { echo "script-cost: $tool is needed" >&2; exit 1; }
done
TMP=$(mktemp -d); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
extract() { python3 -c 'import re,sys
s=sys.stdin.read()
c=lambda n: re.search(r"const %s: &str = r\"(.*?)\";\n" % n, s, re.S).group(1)
a=c("ADMIT_LUA")
sys.stdout.write(c("GCRA_FN") + a if "gcra(" in a else a)'; }
extract < "$ROOT/gateway/src/admission.rs" > "$TMP/tree.lua"
git -C "$ROOT" show "$BASE:gateway/src/admission.rs" | extract > "$TMP/base.lua"
source "$ROOT/gateway/bench/lib.sh"
wait_up() { for _ in $(seq 200); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
# The script's arguments after its 5 keys, by its shape: up to 672eb84 (failure limiters first),
# 56f971e (the rate first), then with the gateway's estimate of the server clock (ARGV[6]). Rate
# limit T = 1 ms with a burst no run reaches (a refusal skips the write and would be cheaper).
admit_args() { # script now now_ms
  if grep -q 'gcra(' "$1"; then echo "$2 $(($2 + 1)) 6 1 2 1 1000 1 1000 1 1 100000000"
  elif grep -q "ARGV\[6\] ~= ''" "$1"; then echo "$2 $(($2 + 1)) 6 1 100000000 $3 1 1000 1 1000"
  else echo "$2 $(($2 + 1)) 6 1 100000000 1 1000 1 1000"; fi
}
admit_keys() { # script prefix
  if grep -q 'gcra(' "$1"; then echo "$2:epoch $2:replay:k:__rand_int__ $2:rl:fail-ip:127.0.0.1 $2:rl:fail-key:k $2:rl:key:k"
  else echo "$2:epoch $2:replay:k:__rand_int__ $2:rl:key:k $2:rl:fail-ip:127.0.0.1 $2:rl:fail-key:k"; fi
}
admissions() { # port sha count prefix script
  local now; now=$(date +%s)
  # shellcheck disable=SC2046
  redis-benchmark -p "$1" -n "$3" -c 4 -r 100000000 -q EVALSHA "$2" 5 $(admit_keys "$5" "$4") \
    $(admit_args "$5" "$now" "$(date +%s%3N)") >/dev/null
}

echo "instructions per admission in redis-server (callgrind, $CALLS calls):"
for v in base tree; do
  P=$(port)
  valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$v" --collect-atstart=no --toggle-collect='evalGenericCommand*' \
    redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null 2>&1 & PIDS+=($!)
  wait_up "$P"
  sha=$(redis-cli -p "$P" script load "$(cat "$TMP/$v.lua")")
  admissions "$P" "$sha" "$CALLS" "$v" "$TMP/$v.lua"
  redis-cli -p "$P" shutdown nosave >/dev/null 2>&1 || true
  sleep 1
  total=$(callgrind_annotate "$TMP/cg.$v" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  label=$([ "$v" = base ] && echo "$BASE" || echo "working tree")
  echo "  $label: $((total / CALLS)) instructions"
done

echo "usec_per_call (INFO commandstats), one redis-server, $ROUNDS interleaved rounds of $N calls, load $(cut -d' ' -f1 /proc/loadavg):"
P=$(port)
redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null & PIDS+=($!)
wait_up "$P"
for v in base tree; do eval "SHA_$v=\$(redis-cli -p $P script load \"\$(cat $TMP/$v.lua)\")"; done
for round in $(seq "$ROUNDS"); do
  for v in base tree; do
    redis-cli -p "$P" config resetstat >/dev/null
    admissions "$P" "$(eval echo "\$SHA_$v")" "$N" "$v" "$TMP/$v.lua"
    echo "  round $round, $([ "$v" = base ] && echo "$BASE" || echo "working tree"): $(redis-cli -p "$P" info commandstats | tr -d '\r' | grep '^cmdstat_evalsha' | grep -o 'usec_per_call=[0-9.]*')"
  done
done

echo "cold: one admission at a time, ${GAP_US} us apart, $COLD each, interleaved, load $(cut -d' ' -f1 /proc/loadavg):"
for v in base tree; do
  P=$(port)
  redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null & PIDS+=($!)
  wait_up "$P"
  eval "PORT_$v=$P"
done
python3 - "$COLD" "$GAP_US" "$BASE" "$PORT_base" "$TMP/base.lua" "$PORT_tree" "$TMP/tree.lua" <<'PY'
import socket, sys, time
n, gap, base = int(sys.argv[1]), int(sys.argv[2]) / 1e6, sys.argv[3]
def enc(*a):
    a = [x if isinstance(x, bytes) else str(x).encode() for x in a]
    return b"*%d\r\n" % len(a) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in a)
class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l
    def reply(self):
        l = self.line()
        if l[:1] == b"*":
            return [self.reply() for _ in range(int(l[1:]))]
        if l[:1] == b"$":
            k = int(l[1:])
            while len(self.buf) < k + 2:
                self.buf += self.s.recv(65536)
            v, self.buf = self.buf[:k], self.buf[k + 2:]
            return v
        return l
    def call(self, *a):
        self.s.sendall(enc(*a))
        return self.reply()
versions = []
for label, port, path in ((base, sys.argv[4], sys.argv[5]), ("working tree", sys.argv[6], sys.argv[7])):
    body = open(path).read()
    c = Conn(int(port))
    c.call("SET", "p:epoch", int(time.time()) - 100)  # past: every admission is a fresh claim
    shape = "old" if "gcra(" in body else "clock" if "ARGV[6] ~= ''" in body else "lean"
    versions.append((label, c, c.call("SCRIPT", "LOAD", body).decode(), shape, []))
for i in range(n):
    for label, c, sha, shape, times in versions:
        now = int(time.time())
        if shape == "old":
            args = [5, "p:epoch", f"p:replay:k:{i}", "p:rl:fail-ip:127.0.0.1", "p:rl:fail-key:k", "p:rl:key:k",
                    now, now - 1, 6, 1, 2, 1, 1000, 1, 1000, 1, 1, 100000000]
        else:
            clock = [int(time.time() * 1000)] if shape == "clock" else []
            args = [5, "p:epoch", f"p:replay:k:{i}", "p:rl:key:k", "p:rl:fail-ip:127.0.0.1", "p:rl:fail-key:k",
                    now, now - 1, 6, 1, 100000000, *clock, 1, 1000, 1, 1000]
        t0 = time.perf_counter_ns()
        r = c.call("EVALSHA", sha, *args)
        times.append((time.perf_counter_ns() - t0) / 1000)
        if not isinstance(r, list) or r[0] != b":1":
            sys.exit(f"{label}: not admitted: {r}")
        time.sleep(gap)
for label, c, sha, shape, times in versions:
    times.sort()
    stats = c.call("INFO", "commandstats").decode()
    usec = next(l.split("usec_per_call=")[1].split(",")[0] for l in stats.split("\r\n") if l.startswith("cmdstat_evalsha"))
    print(f"  {label}: usec_per_call {usec}, round trip p50 {times[len(times) // 2]:.0f} us (python client)")
PY
