#!/usr/bin/env python3
"""Checks the generated Swift bindings against the built library, without a Swift compiler.

Usage: check_header.py BINDINGS_DIR LIBRARY [--cc clang] [--work DIR]

BINDINGS_DIR holds Sigwire.swift, SigwireFFI.h and SigwireFFI.modulemap (uniffi-bindgen --out-dir);
LIBRARY is the built libsigwire_uniffi.so (or .dylib). Checks, each counted:

 1. the header compiles with clang as C11 (`-fsyntax-only -Wall -Wextra -Werror`; gcc does not
    understand the `_Nonnull`/`_Nullable` annotations);
 2. the module map loads it as the clang module `SigwireFFI` (`-fmodules`, `@import` from Objective-C);
 3. the header declares at least one function, and every declared function (from clang's AST) is
    a defined, exported symbol of the library;
 4. every `uniffi_*`/`ffi_*` symbol the library exports is declared (the header is not stale),
    except the checksum functions of the error's methods, which uniffi-bindgen leaves out;
 5. every FFI function Sigwire.swift calls is declared in the header;
 6. a C program built from the header calls the library's contract-version and API-checksum
    functions and gets exactly the values Sigwire.swift checks when it loads (the same check the
    Swift runtime does, so a Swift app would not fail with "UniFFI API checksum mismatch").

Prints one line per check and ends with `header check: N passed, N failed`; exits 1 on failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PREFIXES = ("uniffi_", "ffi_")
ENUM_METHOD_CHECKSUM = "uniffi_sigwire_uniffi_checksum_method_sigwireerror_"


class Run:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""))
        return ok


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def declared_functions(cc, header):
    """Names of the functions the header declares, from clang's JSON AST."""
    out = sh([cc, "-x", "c", "-std=c11", "-fsyntax-only", "-Xclang", "-ast-dump=json", header])
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    tu = json.loads(out.stdout)
    # stdbool/stddef/stdint declare no functions: every explicit FunctionDecl is the header's.
    return sorted(
        {n["name"] for n in tu.get("inner", []) if n.get("kind") == "FunctionDecl" and not n.get("isImplicit")}
    )


def exported_symbols(library):
    dynamic = [] if library.endswith(".a") else ["-D"]
    out = sh(["nm", *dynamic, "--defined-only", library])
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    names = set()
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in "TtWw":
            names.add(parts[2].lstrip("_") if sys.platform == "darwin" else parts[2])
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bindings")
    ap.add_argument("library")
    ap.add_argument("--cc", default=os.environ.get("CC_CLANG", "clang"))
    ap.add_argument("--work", default=None)
    args = ap.parse_args()

    header = os.path.join(args.bindings, "SigwireFFI.h")
    modulemap = os.path.join(args.bindings, "SigwireFFI.modulemap")
    swift = os.path.join(args.bindings, "Sigwire.swift")
    work = args.work or tempfile.mkdtemp(prefix="sigwire-swift-check.")
    os.makedirs(work, exist_ok=True)
    run = Run()

    for f in (header, modulemap, swift, args.library):
        run.check(f"input exists: {os.path.basename(f)}", os.path.isfile(f), f)
    if run.failed:
        return finish(run)

    # 1. the header compiles as C with clang.
    # Included twice from a C file: `#pragma once` and the include guards must hold.
    unit = os.path.join(work, "include_twice.c")
    with open(unit, "w") as f:
        f.write('#include "SigwireFFI.h"\n#include "SigwireFFI.h"\nint unit(void) { return (int)sizeof(RustBuffer); }\n')
    out = sh([args.cc, "-x", "c", "-std=c11", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-I", args.bindings, unit])
    run.check("clang -fsyntax-only -Wall -Wextra -Werror on SigwireFFI.h (C11)", out.returncode == 0, out.stderr.strip())

    # 2. the module map: module SigwireFFI, imported from Objective-C with clang modules.
    mod_dir = os.path.join(work, "module")
    shutil.rmtree(mod_dir, ignore_errors=True)
    os.makedirs(mod_dir)
    shutil.copy(header, mod_dir)
    shutil.copy(modulemap, os.path.join(mod_dir, "module.modulemap"))
    probe = os.path.join(work, "import_probe.m")
    with open(probe, "w") as f:
        f.write("@import SigwireFFI;\nint probe(void) { return (int)sizeof(RustBuffer); }\n")
    out = sh([args.cc, "-fsyntax-only", "-fmodules", f"-fmodules-cache-path={work}/modcache", "-I", mod_dir, probe])
    run.check("module map: `@import SigwireFFI;` compiles (clang -fmodules)", out.returncode == 0, out.stderr.strip())

    # 3. every declared function exists in the library.
    try:
        declared = declared_functions(args.cc, header)
    except RuntimeError as e:
        run.check("clang AST of the header", False, str(e))
        return finish(run)
    exported = exported_symbols(args.library)
    run.check(f"header declares functions ({len(declared)})", len(declared) > 0)
    missing = [n for n in declared if n not in exported]
    run.check(
        f"every declared function is exported by {os.path.basename(args.library)}",
        not missing,
        f"{len(missing)} missing: {', '.join(missing[:10])}",
    )

    # 4. the library exports nothing the header does not declare (header is up to date).
    # uniffi-bindgen 0.32 declares no checksum function for methods of enums (the error's
    # `error_code()` etc.) and checks none; the methods themselves are declared and checked.
    ours = sorted(n for n in exported if n.startswith(PREFIXES) and "sigwire" in n)
    undeclared = [n for n in ours if n not in set(declared) and not n.startswith(ENUM_METHOD_CHECKSUM)]
    run.check(
        f"every exported uniffi symbol ({len(ours)}) is declared in the header",
        len(ours) > 0 and not undeclared,
        f"undeclared: {', '.join(undeclared[:10])}",
    )

    # 5. the Swift source only calls declared FFI functions.
    swift_src = open(swift, encoding="utf-8").read()
    called = sorted(set(re.findall(r"\b((?:uniffi|ffi)_sigwire_uniffi_\w+)\s*\(", swift_src)))
    unknown = [n for n in called if n not in set(declared)]
    run.check(
        f"every FFI function Sigwire.swift calls ({len(called)}) is declared",
        len(called) > 0 and not unknown,
        f"unknown: {', '.join(unknown[:10])}",
    )

    # 6. contract version and API checksums, as the Swift runtime checks them at load time.
    contract = re.search(r"let bindings_contract_version = (\d+)", swift_src)
    checksums = re.findall(r"if \((uniffi_sigwire_uniffi_checksum_\w+)\(\) != (\d+)\)", swift_src)
    if not run.check(f"Sigwire.swift states a contract version and checksums ({len(checksums)})", contract and checksums):
        return finish(run)
    contract_fn = "ffi_sigwire_uniffi_uniffi_contract_version"
    lines = [
        '#include <stdio.h>',
        '#include "SigwireFFI.h"',
        "int main(void) {",
        "    int bad = 0;",
        f"    if ({contract_fn}() != {contract.group(1)}u) {{",
        f'        printf("contract version %u, Swift expects {contract.group(1)}\\n", (unsigned){contract_fn}()); bad++; }}',
    ]
    for fn, value in checksums:
        lines.append(
            f'    if ({fn}() != {value}) {{ printf("{fn}: library %u, Swift expects {value}\\n", (unsigned){fn}()); bad++; }}'
        )
    lines += [f'    printf("%d of {len(checksums) + 1} values differ\\n", bad);', "    return bad != 0;", "}"]
    source = os.path.join(work, "checksums.c")
    with open(source, "w") as f:
        f.write("\n".join(lines) + "\n")
    exe = os.path.join(work, "checksums")
    lib_dir = os.path.dirname(os.path.abspath(args.library))
    out = sh([args.cc, "-std=c11", "-Wall", "-Werror", "-I", args.bindings, source, "-o", exe,
              "-L", lib_dir, "-lsigwire_uniffi", f"-Wl,-rpath,{lib_dir}"])
    if run.check("C program over the header links against the library", out.returncode == 0, out.stderr.strip()):
        res = sh([exe])
        run.check(
            f"contract version and {len(checksums)} API checksums match what Sigwire.swift expects",
            res.returncode == 0,
            res.stdout.strip(),
        )
    return finish(run)


def finish(run):
    print(f"header check: {run.passed} passed, {run.failed} failed")
    return 0 if run.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
