"""The Python driver of the client-behaviour suite (sigwire.Client: the Rust client behind PyO3):
runs one scenario with a fresh client and prints its outcome as one JSON line.

    python drivers/python.py <scenarios.json> <origin URL> <scenario name>
"""

import json
import sys

import sigwire


def main():
    table_path, origin, name = sys.argv[1:4]
    table = json.load(open(table_path))
    base = table["client"]
    scenario = next(s for s in table["scenarios"] if s["name"] == name)
    own = dict(base, **scenario.get("client", {}))
    client = sigwire.Client(
        origin,
        base["key_id"],
        base["secret"].encode(),
        max_attempts=own["max_attempts"],
        base_delay=own["base_delay_ms"] / 1000,
        max_delay=own["max_delay_ms"] / 1000,
        attempt_timeout=own["attempt_timeout_ms"] / 1000,
        total_timeout=own["total_timeout_ms"] / 1000,
    )
    kwargs = {"body": scenario["body"].encode()} if "body" in scenario else {}
    try:
        r = client.request(scenario["method"], "/s/" + name, **kwargs)
        out = {"name": name, "ok": True, "status": r.status, "kind": None}
    except sigwire.SigwireError as e:
        out = {"name": name, "ok": False, "kind": getattr(e, "kind", None) or e.code,
               "status": getattr(e, "status", None), "code": e.code}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
