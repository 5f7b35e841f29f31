"""Shared fixtures: the repository's vectors directory and a few constants."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SECRET = b"0123456789abcdef0123456789abcdef"
OTHER_SECRET = b"fedcba9876543210fedcba9876543210"
NONCE = "AAAAAAAAAAAAAAAAAAAAAA"
NOW = 1_700_000_000


def vectors_dir() -> Path:
    """``tests/vectors`` at the repository root (``SIGWIRE_VECTORS`` overrides)."""
    env = os.environ.get("SIGWIRE_VECTORS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "tests" / "vectors"


@pytest.fixture
def signer():  # type: ignore[no-untyped-def]
    import sigwire

    return sigwire.Signer("client-1", SECRET)
