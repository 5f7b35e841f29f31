#!/usr/bin/env bash
# Cross-runtime conformance (tests/conformance/): every runtime must give byte-identical answers.
#
#  1. builds every runtime's adapter: the Rust core's (tests/conformance/rust-adapter, --locked);
#     the Python SDK in a fresh virtualenv (`pip install ./sdk-python`); the Node SDK in a scratch
#     project (`npm install <repo>/sdk-node`, which builds the native addon); the WASM SDK
#     (sdk-wasm/scripts/build.sh with scripts/wasm-toolchain.sh) for Node and for headless
#     Chromium (Debian's chromium driven by playwright-core); the Kotlin SDK (bindings/uniffi
#     library + generated bindings + sdk-kotlin, compiled with the adapter by kotlinc, on the JVM);
#  2. self-tests the runner and shrinker (deliberately broken adapters must be caught);
#  3. converts the shared vectors (tests/vectors/*.json) and runs them through every runtime,
#     also against the answers the vectors state;
#  4. generates SIGWIRE_FUZZ_COUNT (default 10000) random valid and adversarial operations with a
#     printed seed (SIGWIRE_FUZZ_SEED to replay one) and runs them through every runtime; any
#     difference fails, and the first few are shrunk to small reproducers (printed, and kept under
#     build/conformance/fuzz/shrunk/);
#  5. generates SIGWIRE_PROFILE_FUZZ_COUNT (default 10000) random signing-profile operations
#     (tests/conformance/fuzz_profiles.py: profile_sign/profile_verify under aws-sigv4, rfc9421 and
#     the exchange presets, profile_sign_response/profile_verify_response (RFC 9421 responses),
#     webhook_sign/webhook_verify for every webhook provider) with the same
#     seed and runs them through every runtime with profiles; a runtime without an API for an
#     operation answers "unsupported", which the runner prints as NOT CHECKED (never as passing).
#
# Runtimes: rust, spec-python (tests/spec_reimpl, the independent oracle), python, node, wasm-node,
# wasm-chromium, kotlin. Builds shared with the SDKs' own CI scripts use the same target dirs
# (target/python, target/node, target/wasm, target/uniffi) and tool folders, so what those
# scripts built is reused, not rebuilt.
# Knobs: SIGWIRE_FUZZ_SEED, SIGWIRE_FUZZ_COUNT, SIGWIRE_PROFILE_FUZZ_COUNT, SIGWIRE_CONFORMANCE_RUNTIMES (comma list to run a
# subset; the builds of runtimes not listed are skipped), SIGWIRE_CONFORMANCE_CLIPPY=0 (skip clippy
# on the Rust adapter). Idempotent; exits non-zero on failure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

CONF="$ROOT/tests/conformance"
WORK="$ROOT/build/conformance"
RUNTIMES="${SIGWIRE_CONFORMANCE_RUNTIMES:-rust,spec-python,python,node,wasm-node,wasm-chromium,kotlin}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
wants() { case ",$RUNTIMES," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

step "toolchain"
command -v cargo >/dev/null 2>&1 || { echo "conformance.sh: cargo is required (Rust toolchain)" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || apt_install python3
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
NEEDS_NODE=0
for r in node wasm-node wasm-chromium kotlin; do wants "$r" && NEEDS_NODE=1; done
if [ "$NEEDS_NODE" = 1 ] && { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
  apt_install nodejs npm
fi
if wants wasm-chromium; then apt_install chromium; fi
if wants kotlin; then apt_install libjna-java openjdk-17-jre-headless; fi
cargo --version
python3 --version
if [ "$NEEDS_NODE" = 1 ]; then echo "node $(node --version), npm $(npm --version)"; fi
mkdir -p "$WORK"

if wants rust; then
  step "build the Rust adapter (tests/conformance/rust-adapter, --locked)"
  CARGO_TARGET_DIR="$ROOT/target/conformance" \
    cargo build --release --locked --quiet --manifest-path "$CONF/rust-adapter/Cargo.toml"
  if [ "${SIGWIRE_CONFORMANCE_CLIPPY:-1}" != 0 ] && cargo clippy --version >/dev/null 2>&1; then
    CARGO_TARGET_DIR="$ROOT/target/conformance" \
      cargo clippy --release --locked --quiet --manifest-path "$CONF/rust-adapter/Cargo.toml" -- -D warnings
  fi
  export SIGWIRE_RUST_ADAPTER="$ROOT/target/conformance/release/sigwire-conformance-rust"
fi

VENV="$WORK/venv"
if wants python; then
  step "install the Python SDK into a fresh virtualenv ($VENV)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # The same target dir as scripts/ci/python.sh: an unchanged extension is not rebuilt.
  CARGO_TARGET_DIR="${SIGWIRE_PY_TARGET_DIR:-$ROOT/target/python}" "$VENV/bin/python" -m pip install --quiet ./sdk-python
  "$VENV/bin/python" -c 'import sigwire; print("sigwire", sigwire.__version__, "from", sigwire.__file__)'
  export SIGWIRE_PYTHON="$VENV/bin/python"
else
  export SIGWIRE_PYTHON="${SIGWIRE_PYTHON:-$(command -v python3)}"
fi

# One scratch project, one `npm install` (a second --no-save install would prune the first).
NODE_PROJECT="$WORK/node-project"
NODE_PKGS=()
if wants node; then NODE_PKGS+=("$ROOT/sdk-node"); fi
if wants wasm-chromium; then NODE_PKGS+=(playwright-core@1.65); fi
if [ ${#NODE_PKGS[@]} -gt 0 ]; then
  step "npm install ${NODE_PKGS[*]} into a scratch project (the Node SDK's install builds its native addon)"
  rm -rf "$NODE_PROJECT"
  mkdir -p "$NODE_PROJECT"
  cat >"$NODE_PROJECT/package.json" <<'JSON'
{ "name": "sigwire-conformance-scratch", "version": "1.0.0", "private": true, "allowScripts": { "sigwire": true } }
JSON
  # The same target dir as scripts/ci/node.sh: an unchanged addon is not rebuilt. playwright-core
  # never downloads a browser; it drives Debian's chromium.
  (cd "$NODE_PROJECT" && CARGO_TARGET_DIR="${SIGWIRE_NODE_TARGET_DIR:-$ROOT/target/node}" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm install --no-save --foreground-scripts --loglevel=error "${NODE_PKGS[@]}")
fi
if wants node; then
  export SIGWIRE_NODE_PACKAGE="$NODE_PROJECT/node_modules/sigwire"
  node -e 'const s = require(process.env.SIGWIRE_NODE_PACKAGE); console.log("sigwire (node) loaded:", typeof s.Signer)'
fi
if wants wasm-chromium; then
  export SIGWIRE_PLAYWRIGHT_CORE="$NODE_PROJECT/node_modules/playwright-core"
  export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
fi

if wants wasm-node || wants wasm-chromium; then
  step "build the WASM SDK (scripts/wasm-toolchain.sh install, sdk-wasm/scripts/build.sh)"
  bash "$ROOT/scripts/wasm-toolchain.sh" install
  bash "$ROOT/sdk-wasm/scripts/build.sh"
  export SIGWIRE_WASM_PACKAGE="$ROOT/sdk-wasm"
fi

if wants kotlin; then
  step "build the Kotlin SDK and adapter (bindings/uniffi, uniffi-bindgen, kotlinc)"
  # kotlinc from npm, pinned like scripts/ci/uniffi.sh, in the same folder.
  KOTLIN_COMPILER_VERSION="${KOTLIN_COMPILER_VERSION:-2.2.20}"
  KOTLIN_TOOLS="$ROOT/build/kotlin-tools"
  export KOTLINC="$KOTLIN_TOOLS/node_modules/kotlin-compiler/bin/kotlinc"
  if [ ! -x "$KOTLINC" ] || ! grep -q "\"version\": \"$KOTLIN_COMPILER_VERSION\"" "$KOTLIN_TOOLS/node_modules/kotlin-compiler/package.json"; then
    mkdir -p "$KOTLIN_TOOLS"
    [ -f "$KOTLIN_TOOLS/package.json" ] || echo '{"name":"sigwire-kotlin-tools","version":"1.0.0","private":true}' >"$KOTLIN_TOOLS/package.json"
    npm install --prefix "$KOTLIN_TOOLS" --no-audit --no-fund --loglevel=error "kotlin-compiler@$KOTLIN_COMPILER_VERSION"
  fi
  # The same dev-profile build and target dir as scripts/ci/uniffi.sh.
  UNIFFI_TARGET="${SIGWIRE_UNIFFI_TARGET_DIR:-$ROOT/target/uniffi}"
  CARGO_TARGET_DIR="$UNIFFI_TARGET" cargo build --locked --quiet -p sigwire-uniffi --features cli
  export SIGWIRE_UNIFFI_LIB_DIR="$UNIFFI_TARGET/debug"
  export SIGWIRE_BINDINGS_DIR="$WORK/uniffi"
  rm -rf "$SIGWIRE_BINDINGS_DIR"
  "$SIGWIRE_UNIFFI_LIB_DIR/uniffi-bindgen" generate --no-format --library "$SIGWIRE_UNIFFI_LIB_DIR/libsigwire_uniffi.so" \
    --language kotlin --out-dir "$SIGWIRE_BINDINGS_DIR" >/dev/null
  JNA_JAR=/usr/share/java/jna.jar OUT="$WORK/kotlin" bash "$CONF/adapters/_kotlin/build.sh"
  export SIGWIRE_KOTLIN_CLASSPATH="$(cat "$WORK/kotlin/classpath")"
fi

step "self-test of the runner and the shrinker"
python3 "$CONF/selftest.py"

step "shared vectors through every runtime ($RUNTIMES), and against the vectors' answers"
python3 "$CONF/convert_vectors.py" --out "$WORK"
"$SIGWIRE_PYTHON" "$CONF/run" --runtimes "$RUNTIMES" --expected "$WORK/vectors.expected.jsonl" \
  --out "$WORK/vectors" "$WORK/vectors.jsonl"

SEED="${SIGWIRE_FUZZ_SEED:-$(python3 -c 'import random; print(random.SystemRandom().randrange(2**32))')}"
COUNT="${SIGWIRE_FUZZ_COUNT:-10000}"
step "differential fuzzing: $COUNT operations, seed $SEED (replay: SIGWIRE_FUZZ_SEED=$SEED scripts/ci/conformance.sh)"
python3 "$CONF/fuzz.py" --seed "$SEED" --count "$COUNT" --out "$WORK/fuzz.jsonl"
if ! "$SIGWIRE_PYTHON" "$CONF/run" --runtimes "$RUNTIMES" --out "$WORK/fuzz" --shrink 5 "$WORK/fuzz.jsonl"; then
  echo "conformance.sh: the runtimes disagree on fuzz seed $SEED; reproducers above and in $WORK/fuzz/shrunk/" >&2
  exit 1
fi

# The spec implementation (tests/spec_reimpl) is sigwire-v1 only: it sits out the profile run.
PROFILE_RUNTIMES="$(echo ",$RUNTIMES," | sed 's/,spec-python,/,/; s/^,//; s/,$//')"
PCOUNT="${SIGWIRE_PROFILE_FUZZ_COUNT:-10000}"
step "profile fuzzing: $PCOUNT operations, seed $SEED, runtimes $PROFILE_RUNTIMES (replay: SIGWIRE_FUZZ_SEED=$SEED scripts/ci/conformance.sh)"
if [ "$(echo "$PROFILE_RUNTIMES" | tr ',' '\n' | grep -c .)" -lt 2 ]; then
  echo "profile fuzzing skipped: fewer than two runtimes with profiles selected ($PROFILE_RUNTIMES)"
else
  python3 "$CONF/fuzz_profiles.py" --seed "$SEED" --count "$PCOUNT" --out "$WORK/fuzz-profiles.jsonl"
  if ! "$SIGWIRE_PYTHON" "$CONF/run" --runtimes "$PROFILE_RUNTIMES" --out "$WORK/fuzz-profiles" --shrink 5 "$WORK/fuzz-profiles.jsonl"; then
    echo "conformance.sh: the runtimes disagree on profile fuzz seed $SEED; reproducers above and in $WORK/fuzz-profiles/shrunk/" >&2
    exit 1
  fi
fi

step "conformance: all runtimes agree (vectors, $COUNT fuzz operations and $PCOUNT profile operations, seed $SEED)"
