"""Finding adapters and talking to them (standard library only).

A runtime is an adapter file in `adapters/`: its name is the file name without the extension,
and the extension says how it is started:

    <name>.py            $SIGWIRE_PYTHON (default: the runner's own interpreter) <file>
    <name>.js .mjs .cjs  $SIGWIRE_NODE (default: node) <file>
    <name>.sh            bash <file>
    <name> (executable)  <file>

Files whose name starts with `_` or `.` are helpers, not adapters. `--adapter NAME=COMMAND` on the
command line adds (or replaces) a runtime with any command (split like a shell would).
"""

from __future__ import annotations

import os
import queue
import shlex
import subprocess
import sys
import threading
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ADAPTERS = os.path.join(HERE, "adapters")


def discover(directory: str = ADAPTERS) -> Dict[str, List[str]]:
    """Runtime name -> command, for every adapter file in `directory`."""
    found: Dict[str, List[str]] = {}
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        if entry.startswith(("_", ".")) or not os.path.isfile(path):
            continue
        name, ext = os.path.splitext(entry)
        if ext == ".py":
            cmd = [os.environ.get("SIGWIRE_PYTHON") or sys.executable, path]
        elif ext in (".js", ".mjs", ".cjs"):
            cmd = [os.environ.get("SIGWIRE_NODE") or "node", path]
        elif ext == ".sh":
            cmd = ["bash", path]
        elif ext == "" and os.access(path, os.X_OK):
            cmd = [path]
        else:
            continue
        found[name] = cmd
    return found


def parse_adapter_option(text: str) -> "tuple[str, List[str]]":
    """`NAME=COMMAND` -> (name, argv)."""
    name, sep, command = text.partition("=")
    if not sep or not name or not command.strip():
        raise ValueError("--adapter takes NAME=COMMAND, got %r" % text)
    return name, shlex.split(command)


class Session:
    """One adapter process answering one line at a time (for the shrinker).

    The protocol requires adapters to flush after each answer, so a line sent gets its answer
    without closing stdin. A crashed or hung adapter is restarted on the next call.
    """

    def __init__(self, name: str, cmd: List[str], stderr_path: Optional[str] = None, timeout: float = 60.0):
        self.name, self.cmd, self.timeout = name, cmd, timeout
        self.stderr_path = stderr_path
        self.proc: Optional[subprocess.Popen] = None
        self.lines: "queue.Queue[Optional[bytes]]" = queue.Queue()

    def _start(self) -> None:
        err = open(self.stderr_path, "ab") if self.stderr_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        if self.stderr_path:
            err.close()
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, self.lines), daemon=True).start()

    @staticmethod
    def _pump(proc: subprocess.Popen, lines: "queue.Queue[Optional[bytes]]") -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def ask(self, line: bytes) -> Optional[bytes]:
        """The answer line to `line`, or None when the adapter died or hung on it."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        try:
            self.proc.stdin.write(line)
            self.proc.stdin.flush()
            answer = self.lines.get(timeout=self.timeout)
        except (BrokenPipeError, OSError, queue.Empty):
            answer = None
        if answer is None:
            self.close()
        return answer

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
