"""Documentation: every public item has a docstring, docstring examples run, README code
compiles, and the stubs match the runtime signatures."""

from __future__ import annotations

import doctest
import inspect
import re
from pathlib import Path

import pytest

import sigwire
import sigwire.asgi
import sigwire.httpx
import sigwire.requests
import sigwire.redis
import sigwire.wsgi

MODULES = [sigwire, sigwire.asgi, sigwire.wsgi, sigwire.requests, sigwire.httpx, sigwire.redis]
SDK = Path(__file__).resolve().parents[1]


def _public_items():  # type: ignore[no-untyped-def]
    for mod in MODULES:
        assert mod.__doc__, mod.__name__
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj) or inspect.isroutine(obj):
                yield f"{mod.__name__}.{name}", obj
                if inspect.isclass(obj):
                    for attr, member in vars(obj).items():
                        if attr.startswith("_"):
                            continue
                        if inspect.isroutine(member) or isinstance(member, property) or inspect.isdatadescriptor(member):
                            yield f"{mod.__name__}.{name}.{attr}", member


@pytest.mark.parametrize("name,obj", list(_public_items()), ids=lambda x: x if isinstance(x, str) else "")
def test_public_items_have_docstrings(name: str, obj: object) -> None:
    doc = getattr(obj, "__doc__", None)
    assert doc and doc.strip(), f"{name} has no docstring"


@pytest.mark.parametrize("cls", [sigwire.Signer, sigwire.Verifier, sigwire.KeyStore])
def test_native_docstring_examples_run(cls: type) -> None:
    assert cls.__doc__ and ">>>" in cls.__doc__
    test = doctest.DocTestParser().get_doctest(cls.__doc__, dict(vars(sigwire)), cls.__name__, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 0


def test_readme_python_blocks_compile() -> None:
    text = (SDK / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    for block in blocks:
        compile(block, "README.md", "exec")


def test_typed_package_markers() -> None:
    pkg = Path(sigwire.__file__).parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "_native.pyi").exists()


def test_stub_signatures_match_runtime() -> None:
    # Parameter names of the native methods as PyO3 exposes them (stubtest checks the rest in CI).
    assert list(inspect.signature(sigwire.Signer.sign).parameters) == [
        "self", "method", "url", "headers", "body", "timestamp", "nonce",
    ]
    assert list(inspect.signature(sigwire.Verifier.verify).parameters) == [
        "self", "method", "url", "headers", "body", "now",
    ]
