#!/usr/bin/env python3
"""Differential test: Sigwire's SigV4 (core/examples/sigv4_sign) against botocore.

Generates N random requests from a seed (printed; pass --seed to replay), signs each with
botocore (SigV4Auth / S3SigV4Auth for headers, SigV4QueryAuth / S3SigV4QueryAuth for presigned
URLs) and with the Rust example binary, and compares the canonical requests and signatures. On the
first difference it shrinks the request (drops headers, query parameters, path segments, body)
while the difference remains and prints the smallest one found.

Inputs are generated the way botocore expects them: the URL path and query are already
percent-encoded with the SigV4 rules (botocore signs the URL's query as given), there are no
repeated header names (botocore keeps headers in a dict), and presigned URLs carry no repeated
query keys and no body (botocore moves a body into the query when presigning).
"""
import argparse
import json
import random
import subprocess
import sys
import time
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CHARS = list("abcXYZ019-._~ +%=&@!$*'(),;:/?#[]\"<>") + ["é", "ß", "☃", "😀"]
HEADER_NAMES = ["X-Custom-A", "x-meta-b", "Content-Type", "X-Amz-Meta-Note", "Accept", "If-Match", "X-Trace"]


def enc(s):
    return quote(s, safe="-_.~")


def rand_text(rng, lo, hi):
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(lo, hi)))


def gen_case(rng, i):
    s3 = rng.random() < 0.4
    presign = rng.random() < 0.3
    method = "GET" if presign else rng.choice(["GET", "POST", "PUT", "DELETE"])
    host = rng.choice(["example.amazonaws.com", "bucket.s3.us-west-2.amazonaws.com", "api.example.com:8443"])
    segs = []
    for _ in range(rng.randint(0, 4)):
        r = rng.random()
        if not s3 and r < 0.1:
            segs.append(rng.choice([".", ".."]))
        elif not s3 and r < 0.15:
            segs.append("")
        else:
            segs.append(enc(rand_text(rng, 1, 8)))
    path = "/" + "/".join(segs) + ("/" if segs and rng.random() < 0.3 else "")
    pairs = []
    for _ in range(rng.randint(0, 4)):
        key = enc(rand_text(rng, 1, 6))
        if presign and any(k == key for k, _ in pairs):
            continue
        if not presign and pairs and rng.random() < 0.15:
            key = pairs[0][0]  # a repeated key
        value = enc(rand_text(rng, 0, 8))
        pairs.append((key, value))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    url = f"https://{host}{path}" + (f"?{query}" if query else "")
    headers = []
    for name in rng.sample(HEADER_NAMES, rng.randint(0, 3)):
        name = "".join(c.upper() if rng.random() < 0.3 else c for c in name)
        value = "".join(rng.choice("ab  \tc12-=,;") for _ in range(rng.randint(1, 12)))
        if name.lower() == "content-type" and presign:
            continue
        headers.append([name, value])
    body = "" if method in ("GET", "DELETE") or rng.random() < 0.2 else rand_text(rng, 0, 40)
    return {
        "id": i,
        "method": method,
        "url": url,
        "headers": headers,
        "body": body,
        "region": rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2"]),
        "service": "s3" if s3 else rng.choice(["service", "execute-api", "dynamodb"]),
        "time": rng.randint(1_420_070_400, 1_893_456_000),
        "access_key": "AKID" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(12)),
        "secret": "".join(rng.choice("abcdefABCDEF0123456789/+") for _ in range(40)),
        "token": ("tok/" + rand_text(rng, 5, 20).encode("utf-8").hex()) if rng.random() < 0.3 else None,
        "s3": s3,
        "presign": presign,
        "expires": rng.randint(1, 604800),
        "unsigned": presign and s3,
    }


def boto_sign(case):
    creds = Credentials(case["access_key"], case["secret"], case["token"])
    if case["presign"]:
        cls = S3SigV4QueryAuth if case["s3"] else SigV4QueryAuth
        auth = cls(creds, case["service"], case["region"], expires=case["expires"])
    else:
        cls = S3SigV4Auth if case["s3"] else SigV4Auth
        auth = cls(creds, case["service"], case["region"])
    req = AWSRequest(method=case["method"], url=case["url"], headers=dict(case["headers"]), data=case["body"].encode())
    req.context["timestamp"] = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(case["time"]))
    auth._modify_request_before_signing(req)
    creq = auth.canonical_request(req)
    sts = auth.string_to_sign(req, creq)
    return creq, auth.signature(sts, req)


def rust_sign(binary, cases):
    text = "".join(json.dumps(c) + "\n" for c in cases)
    out = subprocess.run([binary], input=text.encode(), capture_output=True, check=True).stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def differs(binary, case):
    try:
        creq, sig = boto_sign(case)
    except Exception as e:  # botocore itself rejects the request: not a Sigwire difference
        return None
    r = rust_sign(binary, [case])[0]
    if r.get("signature") != sig:
        return {"botocore_canonical_request": creq, "sigwire": r}
    return None


def shrink(binary, case):
    """Greedy shrinking: keep any simplification that still shows a difference."""
    changed = True
    while changed:
        changed = False
        candidates = []
        for i in range(len(case["headers"])):
            c = json.loads(json.dumps(case))
            del c["headers"][i]
            candidates.append(c)
        base, _, query = case["url"].partition("?")
        if query:
            parts = query.split("&")
            for i in range(len(parts)):
                c = dict(case)
                rest = "&".join(parts[:i] + parts[i + 1:])
                c["url"] = base + ("?" + rest if rest else "")
                candidates.append(c)
        scheme_host, _, path = base.partition("://")[2].partition("/")
        segs = path.split("/")
        if len(segs) > 1 or segs[0]:
            for i in range(len(segs)):
                c = dict(case)
                c["url"] = "https://" + scheme_host + "/" + "/".join(segs[:i] + segs[i + 1:]) + ("?" + query if query else "")
                candidates.append(c)
        if case["body"]:
            candidates.append(dict(case, body=""))
        if case["token"]:
            candidates.append(dict(case, token=None))
        for c in candidates:
            if c != case and differs(binary, c):
                case, changed = c, True
                break
    return case


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"botocore differential: {args.count} requests, seed {seed} (replay: --seed {seed})")
    rng = random.Random(seed)
    cases = [gen_case(rng, i) for i in range(args.count)]
    expected = {}
    skipped = 0
    for c in cases:
        try:
            expected[c["id"]] = boto_sign(c)
        except Exception:
            skipped += 1
    results = rust_sign(args.binary, cases)
    kinds = {"header": 0, "presign": 0, "s3": 0}
    for c, r in zip(cases, results):
        if c["id"] not in expected:
            continue
        creq, sig = expected[c["id"]]
        if r.get("signature") != sig:
            print(f"FIRST DIFFERENCE (seed {seed}, case {c['id']}); shrinking...")
            small = shrink(args.binary, c)
            d = differs(args.binary, small) or {}
            print(json.dumps({"request": small, **d}, indent=2, ensure_ascii=False))
            return 1
        kinds["presign" if c["presign"] else "header"] += 1
        kinds["s3"] += c["s3"]
    print(f"botocore differential: {len(expected)} identical ({kinds['header']} header-signed, "
          f"{kinds['presign']} presigned, {kinds['s3']} with S3 rules); {skipped} rejected by botocore")
    return 0


if __name__ == "__main__":
    sys.exit(main())
