#!/usr/bin/env python3
"""Shrink a case on which runtimes disagree to a small reproducer.

    python3 tests/conformance/shrink.py [--runtimes a,b,...] [--adapter NAME=COMMAND ...]
                                        [--out DIR] FILE

FILE is a `differences.jsonl` written by `run` (every case in it is shrunk) or a JSON/JSON Lines
file of operations. `run --shrink N` calls the same code on its first N differences.

Greedy: it tries smaller variants of the operation (list items dropped, the body and every
string shortened, non-ASCII characters replaced by `a`, ...) and keeps a variant when the
runtimes still split into the same groups (same runtimes agreeing with each other) as on the
original. Each adapter runs once as a persistent process answering one line at a time. The result
goes to DIR/shrunk/<id>.json (the operation and every runtime's answer) and DIR/shrunk/<id>.jsonl
(the operation alone, to re-run with `run`).

Standard library only (Python 3.9+).
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import sys
import time
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from protocol import canonical, dump_line  # noqa: E402
from runtimes import Session, discover, parse_adapter_option  # noqa: E402

NO_ANSWER = "<no answer: the adapter crashed or hung>"
Partition = FrozenSet[FrozenSet[str]]


def size(case: Dict[str, Any]) -> int:
    return len(json.dumps(case, ensure_ascii=True, sort_keys=True))


def string_candidates(s: str) -> Iterator[str]:
    """Shorter or plainer variants of `s`, most aggressive first."""
    n = len(s)
    if n == 0:
        return
    yield ""
    chunk = n // 2
    while chunk >= 1:
        for start in range(0, n, chunk):
            yield s[:start] + s[start + chunk:]
        chunk //= 2
    for i, c in enumerate(s):
        if ord(c) > 0x7E or (ord(c) < 0x20 and c not in "\t"):
            yield s[:i] + "a" + s[i + 1:]
    for i, c in enumerate(s):
        if c.isalpha() and c.isascii() and c not in "aA":
            yield s[:i] + ("A" if c.isupper() else "a") + s[i + 1:]
        elif c.isdigit() and c not in "01":
            yield s[:i] + "1" + s[i + 1:]


def bytes_candidates(b: bytes) -> Iterator[bytes]:
    n = len(b)
    if n == 0:
        return
    yield b""
    chunk = n // 2
    while chunk >= 1:
        for start in range(0, n, chunk):
            yield b[:start] + b[start + chunk:]
        if chunk == 1 or (n > 256 and chunk <= 64):  # byte by byte only for small bodies
            break
        chunk //= 2
    for i in range(min(n, 64)):
        if b[i] != 0x61:
            yield b[:i] + b"a" + b[i + 1:]


Path = Tuple[Any, ...]


def walk(value: Any, path: Path = ()) -> Iterator[Tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for k in value:
            yield from walk(value[k], path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, path + (i,))


def replaced(case: Dict[str, Any], path: Path, new: Any, delete: bool = False) -> Dict[str, Any]:
    out = copy.deepcopy(case)
    target = out
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return out


OPTIONAL_FIELDS = ("signed_headers", "not_after",
                   # profile operations (README "Profile operations")
                   "session_token", "passphrase", "label", "components", "unsigned_payload", "presign_expires",
                   "required_components", "max_age", "max_ahead", "max_clock_skew", "msg_id")


def candidates(case: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    """Smaller variants of an operation (the `op` and `id` fields are kept)."""
    nodes = [(p, v) for p, v in walk(case) if p and p[0] not in ("op", "id")]
    # 1. drop optional fields and list items
    for path, value in nodes:
        if isinstance(path[-1], str) and path[-1] in OPTIONAL_FIELDS:
            yield replaced(case, path, None, delete=True)
        if isinstance(value, list):
            for i in range(len(value)):
                yield replaced(case, path + (i,), None, delete=True)
    # 2. the body
    if isinstance(case.get("body_b64"), str):
        try:
            body = base64.b64decode(case["body_b64"])
        except ValueError:
            body = None
        if body is not None:
            for b in bytes_candidates(body):
                yield replaced(case, ("body_b64",), base64.b64encode(b).decode())
    # 3. every other string, longest first
    strings = sorted(((p, v) for p, v in nodes if isinstance(v, str) and p != ("body_b64",)), key=lambda pv: -len(pv[1]))
    for path, value in strings:
        for s in string_candidates(value):
            yield replaced(case, path, s)
    # 4. round numbers (time only moves together: now follows timestamp-free cases only)
    for path, value in nodes:
        if path in (("window",),) and isinstance(value, int) and value not in (0, 300):
            yield replaced(case, path, 300)


class Oracle:
    """Asks every runtime about one operation and groups the runtimes by answer."""

    def __init__(self, sessions: Dict[str, Session]):
        self.sessions = sessions
        self.asked = 0

    def answers(self, case: Dict[str, Any]) -> Dict[str, str]:
        self.asked += 1
        line = dump_line(case)
        out = {}
        for name, session in self.sessions.items():
            raw = session.ask(line)
            if raw is None:
                out[name] = NO_ANSWER
                continue
            try:
                out[name] = canonical(json.loads(raw))
            except ValueError:
                out[name] = "<not JSON> " + raw.decode("utf-8", "replace")
        return out

    @staticmethod
    def partition(answers: Dict[str, str]) -> Partition:
        groups: Dict[str, List[str]] = {}
        for name, text in answers.items():
            groups.setdefault(text, []).append(name)
        return frozenset(frozenset(g) for g in groups.values())


def shrink_case(case: Dict[str, Any], oracle: Oracle, budget: int = 4000, seconds: float = 120.0,
                log: Callable[[str], None] = lambda s: None) -> Tuple[Optional[Dict[str, Any]], Dict[str, str]]:
    """The smallest variant of `case` found that splits the runtimes like `case` does.

    Returns (None, answers) when the runtimes agree on `case` run alone (not reproducible).
    """
    answers = oracle.answers(case)
    target = oracle.partition(answers)
    if len(target) < 2:
        return None, answers
    current, current_size = case, size(case)
    tries, deadline = 0, time.monotonic() + seconds
    improved = True
    while improved and tries < budget and time.monotonic() < deadline:
        improved = False
        for cand in candidates(current):
            if size(cand) >= current_size:
                continue
            tries += 1
            got = oracle.answers(cand)
            if oracle.partition(got) == target:
                current, current_size, answers, improved = cand, size(cand), got, True
                break
            if tries >= budget or time.monotonic() >= deadline:
                break
    log("shrunk %s from %d to %d characters in %d tries" % (canonical(case.get("id")), size(case), current_size, tries))
    return current, answers


def file_name(case_id: Any) -> str:
    text = case_id if isinstance(case_id, str) else canonical(case_id)
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:100] or "case"


def shrink_differences(diffs: List[Dict[str, Any]], runtimes: Dict[str, List[str]], out_dir: str) -> int:
    """Shrinks each difference record (as written to differences.jsonl); returns how many were shrunk."""
    shrunk_dir = os.path.join(out_dir, "shrunk")
    os.makedirs(shrunk_dir, exist_ok=True)
    sessions: Dict[str, Session] = {}
    done = 0
    try:
        for record in diffs:
            involved = [n for g in record["groups"] for n in g["runtimes"] if n in runtimes]
            if len(involved) < 2:
                print("\nSHRINK %s: only one runtime besides the expected answers; nothing to shrink" % canonical(record["id"]))
                continue
            for n in involved:
                if n not in sessions:
                    sessions[n] = Session(n, runtimes[n], os.path.join(out_dir, n + ".shrink.stderr"))
            oracle = Oracle({n: sessions[n] for n in involved})
            small, answers = shrink_case(record["case"], oracle, log=lambda s: print("\n" + s))
            if small is None:
                print("SHRINK %s: the runtimes agree on this case run alone (not reproducible in isolation)" % canonical(record["id"]))
                continue
            base = os.path.join(shrunk_dir, file_name(record["id"]))
            with open(base + ".json", "w", encoding="utf-8") as f:
                json.dump({"case": small, "answers": {n: answer_value(t) for n, t in answers.items()}}, f,
                          ensure_ascii=False, indent=2)
                f.write("\n")
            with open(base + ".jsonl", "wb") as f:
                f.write(dump_line(small))
            print("REPRODUCER (%s.jsonl):\n  %s" % (base, canonical(small)))
            groups: Dict[str, List[str]] = {}
            for n, t in answers.items():
                groups.setdefault(t, []).append(n)
            for t, names in groups.items():
                print("  %s: %s" % (", ".join(names), t))
            done += 1
    finally:
        for s in sessions.values():
            s.close()
    return done


def answer_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", help="differences.jsonl from run, or operations (JSON or JSON Lines)")
    ap.add_argument("--runtimes", help="comma-separated runtimes (default: every adapter)")
    ap.add_argument("--adapter", action="append", default=[], metavar="NAME=COMMAND")
    ap.add_argument("--out", default=".", help="directory for shrunk/ (default: the current directory)")
    args = ap.parse_args()
    known = discover()
    for text in args.adapter:
        name, cmd = parse_adapter_option(text)
        known[name] = cmd
    names = [n.strip() for n in args.runtimes.split(",")] if args.runtimes else list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        ap.error("unknown runtime(s) %s" % ", ".join(unknown))
    with open(args.file, encoding="utf-8") as f:
        text = f.read()
    try:
        items = [json.loads(text)]
    except ValueError:
        items = [json.loads(l) for l in text.splitlines() if l.strip()]
    records = []
    for item in items:
        if "case" in item:  # a differences.jsonl record or a shrunk/*.json file
            case = item["case"]
        else:
            case = item
        records.append({"id": case.get("id"), "case": case, "groups": [{"runtimes": names}]})
    done = shrink_differences(records, {n: known[n] for n in names}, args.out)
    return 0 if done == len(records) else 1


if __name__ == "__main__":
    sys.exit(main())
