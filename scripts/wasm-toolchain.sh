#!/usr/bin/env bash
# wasm32-unknown-unknown toolchain for Sigwire.
#
# rustup cannot add the wasm32 target on our machines (only crates.io, PyPI, npm
# and Debian's apt are reachable), so wasm builds use Debian's own Rust toolchain
# (rustc-web/cargo-web, /usr/bin/{rustc,cargo}) and build std from source
# (rust-web-src) with -Zbuild-std, linking with Debian's wasm-ld-16.
# Everything goes to target/wasm so it never fights rustup's artifacts in target/.
#
# Usage:
#   scripts/wasm-toolchain.sh install
#       apt packages (rustc-web cargo-web rust-web-src lld-16, binaryen if available)
#       + wasm-bindgen-cli $WASM_BINDGEN_VERSION (built with rustup's cargo). Idempotent.
#   scripts/wasm-toolchain.sh build <package> [extra cargo args]
#       release build of a workspace package for wasm32; prints the .wasm path(s) on stdout.
#   scripts/wasm-toolchain.sh check <package> [extra cargo args]
#       `cargo check` of a workspace package for wasm32 (CI: proves it compiles for wasm).
#   scripts/wasm-toolchain.sh bindgen <path.wasm> <outdir> web|nodejs
#       wasm-bindgen, then `wasm-opt -Oz` on the result if wasm-opt is installed.
#
# Environment knobs (defaults were measured smallest on a wasm-bindgen+hmac+sha2 probe):
#   WASM_OPT_LEVEL=s          cargo opt-level for `build` (s beat z by ~3% after wasm-opt;
#                             empty = keep the workspace profile's)
#   WASM_PANIC=immediate-abort  panic strategy; immediate-abort drops all panic formatting
#                             (~40% smaller; a panic is a bare `unreachable` trap either way
#                             on wasm32). Set WASM_PANIC=abort to keep the std panic machinery
#                             (e.g. for console_error_panic_hook messages).
#   WASM_REFERENCE_TYPES=0    rustc enables reference-types by default, making wasm-bindgen
#                             emit an externref table; Debian 12's binaryen 108 rewrites that
#                             table as anyref and the module then fails at init in Node/browsers.
#                             Set to 1 only with binaryen >= 116 (or WASM_OPT=0).
#   WASM_RUSTFLAGS            extra rustflags for the wasm target (appended)
#   WASM_OPT=0                skip wasm-opt in `bindgen`
#
# Crate-side requirements:
#   wasm-bindgen = "=<WASM_BINDGEN_VERSION>" (the CLI must match the crate exactly);
#   getrandom 0.3 on wasm32 needs features = ["wasm_js"]. From 0.3.4 the feature alone
#   selects the backend; 0.3.0-0.3.3 also need the --cfg below, kept because it is harmless.
set -euo pipefail

WASM_BINDGEN_VERSION="0.2.130"

APT_PACKAGES=(rustc-web cargo-web rust-web-src lld-16)
APT_OPTIONAL=(binaryen)          # wasm-opt
TARGET=wasm32-unknown-unknown
DEB_CARGO=/usr/bin/cargo
DEB_RUSTC=/usr/bin/rustc
WASM_LD="wasm-ld-16"
BUILD_STD=("-Zbuild-std=std,panic_abort")
GETRANDOM_CFG='--cfg getrandom_backend="wasm_js"'

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="$ROOT/target/wasm"
CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"

log() { printf 'wasm-toolchain: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '/^# Usage:/,/^# Environment/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

SUDO=""
apt_updated=0
apt_get() {
    if [ "$apt_updated" = 0 ]; then
        log "apt-get update"
        $SUDO apt-get update -qq >/dev/null
        apt_updated=1
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

wasm_bindgen_bin() {
    if [ -x "$CARGO_HOME_DIR/bin/wasm-bindgen" ]; then echo "$CARGO_HOME_DIR/bin/wasm-bindgen"
    else command -v wasm-bindgen || true; fi
}

cmd_install() {
    local missing=() p
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || die "need root (or sudo) for apt-get"
        SUDO=sudo
    fi
    for p in "${APT_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "apt-get install ${missing[*]}"
        apt_get "${missing[@]}"
    fi
    for p in "${APT_OPTIONAL[@]}"; do
        pkg_installed "$p" && continue
        log "apt-get install $p (optional)"
        apt_get "$p" || log "warning: optional package $p not installed; wasm-opt step will be skipped"
    done
    command -v "$WASM_LD" >/dev/null || die "$WASM_LD not found after installing lld-16"
    if [ ! -x "$DEB_CARGO" ] || [ ! -x "$DEB_RUSTC" ]; then die "Debian cargo/rustc missing after install"; fi

    # wasm-bindgen-cli must equal the wasm-bindgen crate version exactly.
    local wb have=""
    wb="$(wasm_bindgen_bin)"
    [ -z "$wb" ] || have="$("$wb" --version 2>/dev/null | awk '{print $2}')"
    if [ "$have" = "$WASM_BINDGEN_VERSION" ]; then
        log "wasm-bindgen-cli $WASM_BINDGEN_VERSION already installed"
    else
        local cargo="$CARGO_HOME_DIR/bin/cargo"
        [ -x "$cargo" ] || cargo="$DEB_CARGO"   # no rustup: Debian's cargo builds it too
        log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
        # --locked first; the registry mirror here can lack a crate the upstream
        # lockfile pins (seen: webpki-roots 1.0.11), so fall back to a fresh resolve.
        "$cargo" install -q --force wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --locked \
            || { log "--locked failed; retrying without it";
                 "$cargo" install -q --force wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"; }
    fi
    log "ready: $("$DEB_RUSTC" --version), $("$WASM_LD" --version | head -n1)," \
        "$("$(wasm_bindgen_bin)" --version)," \
        "$(command -v wasm-opt >/dev/null && wasm-opt --version || echo 'no wasm-opt')"
}

require_toolchain() {
    if [ ! -x "$DEB_CARGO" ] || [ ! -x "$DEB_RUSTC" ] || ! command -v "$WASM_LD" >/dev/null; then
        die "Debian Rust toolchain missing: run '$0 install' first"
    fi
}

# Run Debian's cargo for wasm32 with std built from source.
deb_cargo() {
    local sub="$1"; shift
    local rustflags="$GETRANDOM_CFG"
    [ "${WASM_REFERENCE_TYPES:-0}" = 1 ] || rustflags+=" -Ctarget-feature=-reference-types"
    case "${WASM_PANIC:-immediate-abort}" in
        immediate-abort) rustflags+=" -Zunstable-options -Cpanic=immediate-abort" ;;
        abort) ;;
        *) die "WASM_PANIC must be immediate-abort or abort" ;;
    esac
    rustflags+="${WASM_RUSTFLAGS:+ $WASM_RUSTFLAGS}"
    # Debian's toolchain first on PATH; pin rustc/rustdoc explicitly so a rustup
    # proxy or an inherited RUSTC (e.g. when called from cargo) can't sneak in.
    # RUSTFLAGS (not target.*.rustflags) so a caller's RUSTFLAGS can't silently
    # override ours; with --target it applies to target crates only, not build scripts.
    env -u RUSTC_WRAPPER -u RUSTC_WORKSPACE_WRAPPER -u CARGO_ENCODED_RUSTFLAGS \
        -u CARGO_BUILD_TARGET -u CARGO_TARGET_DIR -u RUSTUP_TOOLCHAIN \
        PATH="/usr/bin:$PATH" RUSTC="$DEB_RUSTC" RUSTDOC=/usr/bin/rustdoc \
        RUSTC_BOOTSTRAP=1 RUSTFLAGS="$rustflags" \
        "$DEB_CARGO" "$sub" \
        --manifest-path "$ROOT/Cargo.toml" \
        --target "$TARGET" --target-dir "$TARGET_DIR" \
        "${BUILD_STD[@]}" \
        --config "target.$TARGET.linker=\"$WASM_LD\"" \
        "$@"
}

cmd_build() {
    [ $# -ge 1 ] || usage
    local pkg="$1"; shift
    require_toolchain
    local opt=() pkgid json lvl="${WASM_OPT_LEVEL-s}"
    case "$lvl" in
        "") ;;
        [0-3]) opt=(--config "profile.release.opt-level=$lvl") ;;
        *) opt=(--config "profile.release.opt-level=\"$lvl\"") ;;
    esac
    pkgid="$(cd "$ROOT" && PATH="/usr/bin:$PATH" RUSTC="$DEB_RUSTC" "$DEB_CARGO" pkgid -q -p "$pkg")" \
        || die "no package '$pkg' in $ROOT"
    json="$(mktemp)"; trap 'rm -f "$json"' RETURN
    deb_cargo build --release -p "$pkg" "${opt[@]}" \
        --message-format=json-render-diagnostics "$@" >"$json"
    local out
    out="$(grep -F '"reason":"compiler-artifact"' "$json" | grep -F "\"package_id\":\"$pkgid\"" \
           | grep -o '"[^"]*\.wasm"' | tr -d '"' | sort -u || true)"
    [ -n "$out" ] || die "no .wasm produced for $pkg (is its [lib] crate-type cdylib?)"
    printf '%s\n' "$out"
}

cmd_check() {
    [ $# -ge 1 ] || usage
    local pkg="$1"; shift
    require_toolchain
    deb_cargo check -p "$pkg" "$@"
}

cmd_bindgen() {
    [ $# -eq 3 ] || usage
    local wasm="$1" outdir="$2" tgt="$3" wb
    case "$tgt" in web|nodejs) ;; *) die "bindgen target must be web or nodejs, got '$tgt'";; esac
    [ -f "$wasm" ] || die "no such file: $wasm"
    wb="$(wasm_bindgen_bin)"
    [ -n "$wb" ] || die "wasm-bindgen not installed: run '$0 install' first"
    local have; have="$("$wb" --version | awk '{print $2}')"
    [ "$have" = "$WASM_BINDGEN_VERSION" ] \
        || log "warning: wasm-bindgen CLI is $have, script pins $WASM_BINDGEN_VERSION"
    mkdir -p "$outdir"
    "$wb" --target "$tgt" --out-dir "$outdir" "$wasm"
    local stem bg
    stem="$(basename "$wasm" .wasm)"
    bg="$outdir/${stem}_bg.wasm"
    local ver; ver="$(wasm-opt --version 2>/dev/null | grep -o '[0-9]\+' | head -n1 || true)"
    if [ "${WASM_OPT:-1}" != 0 ] && [ -n "$ver" ] && [ "$ver" -lt 116 ] \
            && wasm-dis "$bg" 2>/dev/null | grep -E '^ *\(table [^ ]+ [0-9 ]+(anyref|externref)\)' >/dev/null; then
        # (no grep -q: an early exit would SIGPIPE wasm-dis and fail the pipeline)
        log "warning: binaryen $ver mangles externref tables; skipping wasm-opt" \
            "(build with WASM_REFERENCE_TYPES=0, the default, to let it run)"
    elif [ "${WASM_OPT:-1}" != 0 ] && [ -n "$ver" ]; then
        local before after
        before=$(stat -c %s "$bg")
        # Features are detected from the module's target_features section.
        if wasm-opt -Oz "$bg" -o "$bg.opt" 2>"$bg.opt.log"; then
            mv "$bg.opt" "$bg"; rm -f "$bg.opt.log"
            after=$(stat -c %s "$bg")
            log "wasm-opt -Oz: $before -> $after bytes"
        else
            log "warning: wasm-opt failed, keeping unoptimised $bg:"; sed 's/^/  /' "$bg.opt.log" >&2
            rm -f "$bg.opt" "$bg.opt.log"
        fi
    else
        log "wasm-opt skipped ($([ -n "$ver" ] && echo 'WASM_OPT=0' || echo 'not installed'))"
    fi
    printf '%s\n' "$outdir"
}

cmd="${1:-}"; [ $# -eq 0 ] || shift
case "$cmd" in
    install) cmd_install "$@" ;;
    build)   cmd_build "$@" ;;
    check)   cmd_check "$@" ;;
    bindgen) cmd_bindgen "$@" ;;
    *)       usage ;;
esac
