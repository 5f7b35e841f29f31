#!/usr/bin/env python3
"""swift_sdk_calls.py BINDINGS.swift FILE.swift... — do the generated calls into the Swift SDK
match the UniFFI bindings' declarations?

No Swift compiler runs here, so nothing else checks that generated code calls the SDK with the
argument labels the bindings declare. For every call `HttpClientOptions(...)`, `HttpClient(...)`,
`Header(...)` and `.requestAsync(...)`/`.request(...)` in the generated files, the labels used
must appear, in order, among the declared parameters, and every declared parameter left out
must have a default. Every member assigned on `HttpClientOptions` (`options.x = …`) must be a
declared field, and every `SigwireError.<Case>(…)` pattern must bind as many values as the case
declares. Prints one line per problem and exits 1 if there is any; 0 otherwise.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple


def balanced(text: str, start: int) -> Optional[str]:
    """The text inside the parentheses opening at text[start] == '('."""
    depth = 0
    quote = False
    for j in range(start, len(text)):
        c = text[j]
        if quote:
            if c == "\\":
                continue
            if c == '"':
                quote = False
            continue
        if c == '"':
            quote = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return text[start + 1:j]
    return None


def split_top(args: str) -> List[str]:
    out, depth, cur, quote = [], 0, "", False
    for c in args:
        if quote:
            cur += c
            if c == '"':
                quote = False
            continue
        if c == '"':
            quote = True
        elif c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


def params(decl: str) -> List[Tuple[str, bool]]:
    """(label, has default) per declared parameter; `_` for an unlabelled one."""
    out = []
    for p in split_top(decl):
        head = p.split(":", 1)[0].split()
        out.append((head[0] if head else "_", "=" in p.split(":", 1)[-1]))
    return out


def strip_comments(text: str) -> str:
    """`text` without /* */ and // comments (doc comments hold unbalanced brackets), string
    literals kept."""
    return re.sub(r'("(?:\\.|[^"\\\n])*")|/\*.*?\*/|//[^\n]*', lambda m: m.group(1) or "", text, flags=re.S)


def declarations(bindings: str) -> Dict[str, List[List[Tuple[str, bool]]]]:
    """Every declared init of the SDK types and every `func request…` of HttpClient."""
    bindings = strip_comments(bindings)
    found: Dict[str, List[List[Tuple[str, bool]]]] = {}
    for typ in ("HttpClientOptions", "HttpClient", "Header"):
        m = re.search(rf"\b(?:struct|class)\s+{typ}\b[^{{]*\{{", bindings)
        if not m:
            continue
        body = balanced(bindings, m.end() - 1) or ""
        # Only the type's own members: stop at a nested type declaration.
        for im in re.finditer(r"\b(?:public|open)\s+(?:convenience\s+)?init\s*\(", body):
            inner = balanced(body, im.end() - 1)
            if inner is not None:
                found.setdefault(typ, []).append(params(inner))
        if typ == "HttpClient":
            for fm in re.finditer(r"\b(?:public|open)\s+func\s+(request\w*)\s*\(", body):
                inner = balanced(body, fm.end() - 1)
                if inner is not None:
                    found.setdefault("." + fm.group(1), []).append(params(inner))
        if typ == "HttpClientOptions":
            found["fields:HttpClientOptions"] = [[(f, False) for f in re.findall(r"\bpublic\s+var\s+(\w+)\s*:", body)]]
    m = re.search(r"\benum\s+SigwireError\b[^{]*\{", bindings)
    if m:
        body = balanced(bindings, m.end() - 1) or ""
        for cm in re.finditer(r"\bcase\s+(\w+)\s*\(", body):
            inner = balanced(body, cm.end() - 1)
            if inner is not None:
                found.setdefault("case:" + cm.group(1), []).append(params(inner))
    return found


def fits(used: List[str], declared: List[Tuple[str, bool]]) -> bool:
    """Whether labels `used`, in order, pick declared parameters leaving only defaulted ones out."""
    k = 0
    for label, has_default in declared:
        if k < len(used) and used[k] == label:
            k += 1
        elif not has_default:
            return False
    return k == len(used)


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    decls = declarations(Path(sys.argv[1]).read_text())
    problems: List[str] = []
    for want in ("HttpClientOptions", "HttpClient", "Header", ".requestAsync", "fields:HttpClientOptions", "case:HttpStatus"):
        if want not in decls:
            problems.append(f"{sys.argv[1]}: no declaration of {want} found")
    calls = 0
    for name in sys.argv[2:]:
        text = strip_comments(Path(name).read_text())
        for m in re.finditer(r"(?<![\w.])(HttpClientOptions|HttpClient|Header)\s*\(|\.(requestAsync|request)\s*\(", text):
            key = m.group(1) or "." + m.group(2)
            inner = balanced(text, m.end() - 1)
            if inner is None:
                continue
            used = [a.split(":", 1)[0].strip() if re.match(r"^\w+\s*:", a) else "_" for a in split_top(inner)]
            line = text.count("\n", 0, m.start()) + 1
            calls += 1
            if not any(fits(used, d) for d in decls.get(key, [])):
                problems.append(f"{name}:{line}: {key.lstrip('.')}({''.join(u + ':' for u in used)}) matches no declaration in the bindings")
        fields = {f for f, _ in (decls.get("fields:HttpClientOptions") or [[]])[0]}
        for m in re.finditer(r"\b(?:options|o)\.(\w+)\s*=", text):
            calls += 1
            if fields and m.group(1) not in fields:
                problems.append(f"{name}:{text.count(chr(10), 0, m.start()) + 1}: HttpClientOptions has no field {m.group(1)}")
        for m in re.finditer(r"case\s+\.(\w+)\s*\(", text):
            declared = decls.get("case:" + m.group(1))
            if declared is None:
                continue
            inner = balanced(text, m.end() - 1) or ""
            calls += 1
            if len(split_top(inner)) != len(declared[0]):
                problems.append(f"{name}:{text.count(chr(10), 0, m.start()) + 1}: SigwireError.{m.group(1)} binds "
                                f"{len(split_top(inner))} values, the bindings declare {len(declared[0])}")
    for p in problems:
        print(p)
    print(f"swift_sdk_calls: {calls} SDK calls, assignments and patterns in {len(sys.argv) - 2} files; "
          f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
