#!/usr/bin/env python3
"""Instructions per call by phase, from callgrind profiles of core/examples/profile_{sign,verify}.

Issue 17 part 1: where a signature's and a verification's instructions go (HMAC, canonicalise,
URL authority, body digest, Authorization parse, replay insert, key lookup, allocation, header
format), and how many are not SHA-256 compression. Each example runs 20,000 calls.

    export CARGO_TARGET_DIR=target/profile
    CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release -p sigwire-core \\
        --example profile_sign --example profile_verify
    valgrind --tool=callgrind --callgrind-out-file=sign.out \\
        --toggle-collect='sigwire_core::sign::Signer::sign_with' $CARGO_TARGET_DIR/release/examples/profile_sign
    valgrind --tool=callgrind --callgrind-out-file=verify.out \\
        --toggle-collect='profile_verify::verify_all' $CARGO_TARGET_DIR/release/examples/profile_verify
    python3 core/benches/phases.py sign.out verify.out

Valgrind hides SHA-NI from the program, so SHA-256 runs in software there: compression dominates
the counts, which is why the non-crypto line is the one to compare. Inlined helpers count in
their caller (url::split is inside canonicalise).
"""
import subprocess, sys, re
def incl(f):
    out = subprocess.run(["callgrind_annotate","--inclusive=yes","--threshold=100",f],capture_output=True,text=True).stdout
    d, by_file = {}, {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(\?\?\?|[^:\s]+):(.*?)( \[.*\])?$", line)
        if m:
            n = int(m.group(1).replace(",","")); fn = m.group(3)
            d[fn] = max(d.get(fn,0), n)
            by_file[(m.group(2).rsplit("/",1)[-1], fn)] = n
    return d, by_file
def absorbed_in_canonical(f):
    """Inclusive cost of the HMAC blocks compressed while canonicalising: MacStream::absorb's
    calls from canonical_into (callgrind's calling tree), or its inlined keyed_mac.rs lines."""
    out = subprocess.run(["callgrind_annotate","--tree=calling","--inclusive=yes","--threshold=100",f],capture_output=True,text=True).stdout
    total, caller = 0, None
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(\*|>)\s+(\S+?):(.*?)( \(\d+x\))?( \[.*\])?$", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        if m.group(2) == "*":
            caller = m.group(4)
        elif caller and caller.startswith("sigwire_core::v1::canonical::canonical_") and (
                m.group(4).endswith("MacStream::absorb") or m.group(3).endswith("keyed_mac.rs")):
            total += n
    return total
N = 20000  # calls per example run
for f in sys.argv[1:]:
    d, by_file = incl(f)
    def g(pat):
        return sum(v for k,v in d.items() if re.fullmatch(pat,k)) / N
    tot = max(d.values())/N
    in_canonical = absorbed_in_canonical(f) / N
    rows = [("total", tot),
      # The HMAC's blocks are compressed partly while the canonical string is built
      # (MacStream::absorb, called from canonical_into) and the
      # rest in MacStream::finish_into.
      ("HMAC (MacStream, incl. SHA-256 compress)", g(r"sigwire_core::keyed_mac::MacStream::finish_into") + in_canonical),
      ("  of which SHA-256 compress", g(r"sha2::sha256::compress256")),
      ("canonicalise (canonical_into, minus HMAC blocks)", g(r"sigwire_core::v1::canonical::canonical_(string|string_streamed|into)") - in_canonical),
      ("  URL authority (url::canonical_authority)", g(r"sigwire_core::url::canonical_authority")),
      ("  body digest (push_body_digest_hex)", g(r"sigwire_core::request::Request::push_body_digest_hex")),
      ("parse Authorization (V1Claim::from_value)", g(r"sigwire_core::v1::V1Claim::from_value|sigwire_core::v1::V1Claim::read|<sigwire_core::v1::SigwireV1 as sigwire_core::scheme::Scheme>::parse")),
      ("replay insert (check_and_record)", g(r"<sigwire_core::replay::InMemoryReplayStore as sigwire_core::replay::ReplayStore>::check_and_record")),
      ("key lookup (active_secrets, or with_active_secrets minus the check it lends to)", g(r"<sigwire_core::keys::InMemoryKeyStore as sigwire_core::keys::KeyStore>::(with_)?active_secrets") - (g(r"<sigwire_core::v1::V1Claim as sigwire_core::scheme::Claim>::check") if g(r"<sigwire_core::keys::InMemoryKeyStore as sigwire_core::keys::KeyStore>::with_active_secrets") else 0)),
      ("allocation (malloc+free+realloc)", g(r"malloc|free|realloc")),
      ("header format (v1::finish_streamed minus HMAC)", g(r"sigwire_core::v1::finish(_streamed)?") - (g(r"sigwire_core::keyed_mac::MacStream::finish_into") if "sign" in f else 0)),
    ]
    print(f)
    for name, v in rows:
        if v: print(f"  {name:<45} {v:>8.0f}")
    print(f"  {'non-crypto (total - compress)':<45} {tot - g(r'sha2::sha256::compress256'):>8.0f}")
