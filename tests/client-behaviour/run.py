#!/usr/bin/env python3
"""Runs the client-behaviour table (scenarios.json) against every available driver and compares.

    python3 tests/client-behaviour/run.py [--require rust,wasm-node] [--skip chromium] [driver ...]

Each driver is a program that takes the table path and the origin URL, runs every scenario with a
fresh client, and prints one JSON line per scenario: {"name", "ok", "status", "kind"}. This script
starts the scenario server (server.py), runs each driver, checks every outcome against the table's
ONE expected outcome and what the server saw against the table's `seen`, and exits non-zero on
any difference. A driver whose runtime is not built on this machine is reported NOT RUN (a
failure if named in --require).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from server import ScenarioServers  # noqa: E402

TABLE = os.path.join(HERE, "scenarios.json")
DRIVERS = os.path.join(HERE, "drivers")


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def drivers():
    """name -> (command or None when not available, why not)."""
    out = {}
    rust = os.environ.get("SIGWIRE_BEHAVIOUR_RUST") or os.path.join(target_dir(), "debug", "examples", "behaviour")
    out["rust"] = ([rust], None) if os.path.exists(rust) else (None, "no %s (cargo build -p sigwire-client --example behaviour)" % rust)
    py = os.environ.get("SIGWIRE_BEHAVIOUR_PYTHON") or os.path.join(ROOT, "build", "python-venv", "bin", "python")
    if os.path.exists(py) and subprocess.run([py, "-c", "import sigwire"], capture_output=True).returncode == 0:
        out["python"] = ([py, os.path.join(HERE, "drivers", "python.py")], None)
    else:
        out["python"] = (None, "no %s with sigwire installed (scripts/ci/python.sh makes it)" % py)
    node = shutil.which("node")
    wasm_dist = [os.path.join(ROOT, "sdk-wasm", "dist", f) for f in ("sigwire_wasm_bg.wasm", "sigwire_wasm_ext_bg.wasm")]
    if node and all(os.path.exists(f) for f in wasm_dist):
        out["wasm-node"] = ([node, os.path.join(HERE, "drivers", "wasm-node.mjs")], None)
    else:
        out["wasm-node"] = (None, "no node or no sdk-wasm/dist (sdk-wasm/scripts/build.sh)")
    for manifest in sorted(glob.glob(os.path.join(DRIVERS, "*.json"))):
        name, cmd, why = manifest_driver(manifest)
        if name in out:
            raise SystemExit("driver %s is registered twice (%s)" % (name, manifest))
        out[name] = (cmd, why)
    return out


def expand(word):
    """A manifest word with {root}, {drivers} and {target} replaced (README.md 'Adding a driver')."""
    return word.replace("{root}", ROOT).replace("{drivers}", DRIVERS).replace("{target}", target_dir())


def manifest_driver(path):
    """(name, command or None, why not) of a driver manifest drivers/<name>.json: {"name",
    "command": [...], "check": [...] (optional: the driver is available when it exits 0),
    "how": why it may be unavailable}. The command's first word is looked up on PATH."""
    m = json.load(open(path))
    name = m["name"]
    cmd = [expand(w) for w in m["command"]]
    exe = cmd[0] if os.path.isabs(cmd[0]) else shutil.which(cmd[0])
    if exe is None:
        return name, None, "%s not on PATH; %s" % (cmd[0], m.get("how", ""))
    cmd[0] = exe
    if "check" in m:
        check = [expand(w) for w in m["check"]]
        found = check[0] if os.path.isabs(check[0]) else shutil.which(check[0])
        ok = found is not None and subprocess.run([found] + check[1:], capture_output=True, timeout=120).returncode == 0
        if not ok:
            return name, None, m.get("how", "its check failed: %s" % " ".join(check))
    return name, cmd, None


def check_seen(scenario, entries):
    """Differences between what the origin/foreign server saw and the table's `seen`."""
    want = scenario["seen"]
    name = scenario["name"]
    mine = [e for e in entries if e["origin"] == "origin" and e["scenario"] == name]
    problems = []
    if len(mine) != want["attempts"]:
        problems.append("attempts seen %d, want %d" % (len(mine), want["attempts"]))
    if not all(e["authorization"] for e in mine):
        problems.append("an attempt at the origin was not signed")
    if want.get("distinct_nonces"):
        nonces = [e["auth"].get("nonce") for e in mine]
        if len(set(nonces)) != len(nonces):
            problems.append("a nonce was reused across attempts")
    if want.get("idempotency_key") == "stable_and_signed":
        keys = {e["idempotency_key"] for e in mine}
        if len(keys) != 1 or None in keys:
            problems.append("Idempotency-Key not one stable value: %s" % sorted(map(str, keys)))
        for e in mine:
            if "idempotency-key" not in e["auth"].get("signedHeaders", "").split(";"):
                problems.append("Idempotency-Key not signed (signedHeaders=%r)" % e["auth"].get("signedHeaders"))
                break
    if "gap_ms" in want and len(mine) >= 2:
        lo, hi = want["gap_ms"]
        gap = (mine[1]["t"] - mine[0]["t"]) * 1000
        if not lo <= gap <= hi:
            problems.append("gap between attempts %d ms, want %d..%d" % (gap, lo, hi))
    if "last_timestamp_offset_s" in want and mine:
        got = mine[-1].get("timestamp_offset_s")
        if got is None or abs(got - want["last_timestamp_offset_s"]) > 2:
            problems.append("last timestamp offset %s s, want %d" % (got, want["last_timestamp_offset_s"]))
    if "foreign" in want:
        theirs = [e for e in entries if e["origin"] == "foreign"]
        if len(theirs) != want["foreign"]["requests"]:
            problems.append("foreign origin saw %d requests, want %d" % (len(theirs), want["foreign"]["requests"]))
        if not want["foreign"]["authorization"] and any(e["authorization"] for e in theirs):
            problems.append("Authorization reached the foreign origin")
    return problems


def check_outcome(scenario, got):
    want = scenario["outcome"]
    if got is None:
        return ["no outcome reported"]
    return ["%s: got %r, want %r" % (k, got.get(k), v) for k, v in want.items() if got.get(k) != v]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("only", nargs="*")
    ap.add_argument("--require", default="")
    ap.add_argument("--skip", default="", help="drivers not to run here (comma-separated; reported as skipped, never as passing)")
    args = ap.parse_args()
    table = json.load(open(TABLE))
    required = [r for r in args.require.split(",") if r]
    servers = ScenarioServers(table)
    failures = 0
    results = {}
    try:
        skipped = [d for d in args.skip.split(",") if d]
        for name, (cmd, why) in drivers().items():
            if args.only and name not in args.only:
                continue
            if name in skipped:
                print("%-12s SKIPPED here (--skip)" % name)
                failures += name in required
                continue
            if cmd is None:
                print("%-12s NOT RUN: %s" % (name, why))
                failures += name in required
                continue
            started = time.time()
            per_scenario = {}
            for scenario in table["scenarios"]:
                servers.recorder.reset()
                # 120 s: the chromium driver starts a browser per scenario (~18 s at load 20 here);
                # a driver out of time reports no outcome, which fails the scenario.
                try:
                    proc = subprocess.run(cmd + [TABLE, servers.origin_url, scenario["name"]],
                                          capture_output=True, text=True, timeout=120)
                    out, err, rc = proc.stdout, proc.stderr, proc.returncode
                except subprocess.TimeoutExpired as e:
                    out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
                    err, rc = "%s: timed out after 120 s\n" % scenario["name"], 124
                got = None
                for line in out.splitlines():
                    if line.startswith("{"):
                        got = json.loads(line)
                if rc != 0 and got is None:
                    sys.stderr.write(err[-2000:])
                time.sleep(0.05)  # late requests (none expected) land before the check
                problems = check_outcome(scenario, got) + check_seen(scenario, servers.recorder.entries())
                per_scenario[scenario["name"]] = (got, problems)
                failures += bool(problems)
            results[name] = per_scenario
            print("%-12s %d scenarios in %.1f s" % (name, len(per_scenario), time.time() - started))
            for sname, (got, problems) in per_scenario.items():
                print("  %-4s %-45s %s" % ("ok" if not problems else "FAIL", sname,
                                          json.dumps({k: got.get(k) for k in ("ok", "status", "kind")}) if got else "-"))
                for p in problems:
                    print("         " + p)
    finally:
        servers.stop()
    # The same table for every runtime: any two drivers that disagree on a scenario fail too.
    names = list(results)
    for sname in [s["name"] for s in table["scenarios"]]:
        seen = {json.dumps({k: (results[d][sname][0] or {}).get(k) for k in ("ok", "status", "kind")}) for d in names}
        if len(seen) > 1:
            print("DIFFERENCE %s: %s" % (sname, {d: results[d][sname][0] for d in names}))
            failures += 1
    print("client-behaviour: %s (%d failure(s))" % ("PASS" if failures == 0 else "FAIL", failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
