#!/usr/bin/env bash
# CI for the Python SDK (sdk-python/ over bindings/python/).
#
# From a clean checkout: a fresh virtualenv, a plain `pip install ./sdk-python[requests,httpx]`
# (maturin builds the abi3 extension from bindings/python), the pytest suite (shared vectors,
# Hypothesis, requests/httpx against uvicorn and Flask on 127.0.0.1, sigwire.Client/AsyncClient
# against the reference server `sigwire-server`, built here), mypy --strict on the usage
# example and the package, stubtest on the stubs, an abi3 `pip wheel` check (also run on CPython
# 3.9 and 3.13 when present), and a short benchmark run (its timings never fail CI). The Redis
# replay store and rate limiter (sigwire.redis) are tested against Debian's redis-server, which the
# tests start on 127.0.0.1 with a free port (installed here; missing = failure, never a skip).
# Idempotent; exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

PY="${PYTHON:-python3}"
VENV="${SIGWIRE_PY_VENV:-$ROOT/build/python-venv}"
# A target dir of our own: no lock fights with other builds, and reused across runs.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/python}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
export HYPOTHESIS_STORAGE_DIRECTORY="$VENV/.hypothesis"

log() { printf '\n==> %s\n' "$*"; }

log "toolchain"
if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    else
        echo "error: a Rust toolchain (cargo >= 1.85, e.g. via rustup) is required to build the extension" >&2
        exit 1
    fi
fi
cargo --version
"$PY" --version
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    else
        echo "error: $PY lacks venv/ensurepip (install python3-venv)" >&2
        exit 1
    fi
fi

log "redis-server (for the sigwire.redis tests)"
if ! command -v redis-server >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        [ -f /tmp/.sigwire-apt-updated ] || { apt-get update -qq && touch /tmp/.sigwire-apt-updated; }
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
        echo "error: redis-server is required (apt-get install redis-server)" >&2
        exit 1
    fi
fi
redis-server --version
export SIGWIRE_REQUIRE_REDIS=1

log "fresh virtualenv at $VENV"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
VPY="$VENV/bin/python"

log "pip install ./sdk-python[requests,httpx]"
"$VPY" -m pip install --quiet "./sdk-python[requests,httpx]"
"$VPY" -m pip install --quiet pytest hypothesis fastapi uvicorn flask mypy types-requests "redis>=5,<9"
"$VPY" -c 'import sigwire, sigwire.requests, sigwire.httpx, sigwire.asgi, sigwire.wsgi, sigwire.redis; print("sigwire", sigwire.__version__, "from", sigwire.__file__)'

log "reference server for the HTTP client tests (cargo build -p sigwire-server)"
cargo build --locked -p sigwire-server --bin sigwire-server
export SIGWIRE_SERVER_BIN="$CARGO_TARGET_DIR/debug/sigwire-server"
test -x "$SIGWIRE_SERVER_BIN"

log "pytest sdk-python/tests"
(cd "$ROOT/sdk-python" && "$VPY" -m pytest tests -q -p no:cacheprovider)

log "mypy --strict (usage example, package sources) and stubtest"
(cd "$ROOT/sdk-python" && "$VPY" -m mypy --strict --cache-dir "$VENV/.mypy_cache" examples/usage.py)
(cd "$ROOT/sdk-python" && "$VPY" -m mypy --strict --cache-dir "$VENV/.mypy_cache" python/sigwire)
(cd "$VENV" && "$VPY" -m mypy.stubtest sigwire)
"$VPY" "$ROOT/sdk-python/examples/usage.py"

log "pip wheel ./sdk-python (abi3)"
WHEELS="$VENV/wheels"
rm -rf "$WHEELS"
"$VPY" -m pip wheel --quiet --no-deps -w "$WHEELS" ./sdk-python
ls "$WHEELS"
ls "$WHEELS" | grep -q -- '-cp39-abi3-' || { echo "error: the wheel is not tagged cp39-abi3" >&2; exit 1; }

log "the same abi3 wheel on other CPython versions (those present on this machine)"
find_python() { # $1 = minor version; prints an interpreter path or nothing
    local cand
    for cand in "python3.$1" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3."$1".*/bin/python3; do
        if "$cand" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            command -v "$cand" 2>/dev/null || echo "$cand"
            return
        fi
    done
}
WHEEL="$(ls "$WHEELS"/*.whl)"
for minor in 9 13; do
    other="$(find_python "$minor")"
    if [ -z "$other" ]; then
        echo "CPython 3.$minor not found: skipped"
        continue
    fi
    OVENV="$VENV-py3$minor"
    rm -rf "$OVENV"
    "$other" -m venv "$OVENV"
    "$OVENV/bin/python" -m pip install --quiet "$WHEEL" pytest
    (cd "$ROOT/sdk-python" && "$OVENV/bin/python" -m pytest -q -p no:cacheprovider \
        tests/test_vectors.py tests/test_api.py tests/test_bad_input.py tests/test_gil.py tests/test_client.py)
done

log "benchmark (native vs pure-Python sigwire-v1; timings are informative only)"
"$VPY" "$ROOT/sdk-python/bench/bench.py" --quick

log "python: all checks passed"
