"""A secret passed in the wrong argument never shows in an exception (issue 12, item 10).

``Signer("k1", "hmac-sha512", secret)`` used to raise ``algorithm "<the secret>" is not
offered``. Each case below misplaces a secret-looking value into another argument or option and
checks that neither its text nor its start appears in the exception's ``str``, ``repr``, args or
message (nor in its cause's).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

import sigwire

MISPLACED = "my-very-secret-signing-key-0001"
#: Not a valid header name either (spaces and "="), so header-name checks refuse it too.
MISPLACED_ODD = "my very secret signing key 0002=="
GOOD = b"0123456789abcdef0123456789abcdef"


def texts(err: BaseException) -> str:
    parts = [str(err), repr(err), *(str(a) for a in err.args)]
    parts.append(str(getattr(err, "message", "")))
    if err.__cause__ is not None:
        parts.append(texts(err.__cause__))
    return "\n".join(parts)


def assert_no_echo(fn: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as info:
        fn()
    shown = texts(info.value)
    for value in (MISPLACED, MISPLACED_ODD):
        assert value[:12] not in shown, shown
    return info.value


def test_secret_as_algorithm() -> None:
    err = assert_no_echo(lambda: sigwire.Signer("k1", "hmac-sha512", MISPLACED))
    assert isinstance(err, sigwire.UnsupportedAlgorithm)
    assert "hmac-sha256" in str(err), "the message still says what to use"


def test_secret_as_a_bad_signed_header_name() -> None:
    err = assert_no_echo(lambda: sigwire.Signer("k1", GOOD, signed_headers=["x-tenant", MISPLACED_ODD]))
    assert isinstance(err, sigwire.InvalidRequest)
    assert "signed_headers[1]" in str(err), str(err)


def test_secret_as_a_valid_signed_header_name_missing_at_signing() -> None:
    signer = sigwire.Signer("k1", GOOD, signed_headers=[MISPLACED])
    err = assert_no_echo(lambda: signer.sign("GET", "https://api.example.com/"))
    assert isinstance(err, sigwire.InvalidRequest)
    assert "missing" in str(err), str(err)


def test_secret_as_key_id_or_swapped_with_the_secret() -> None:
    assert_no_echo(lambda: sigwire.Signer(MISPLACED_ODD, GOOD))
    assert_no_echo(lambda: sigwire.Signer("k1", GOOD, algorithm=MISPLACED_ODD))
    assert_no_echo(lambda: sigwire.Verifier({MISPLACED_ODD: GOOD}))


def test_client_options() -> None:
    assert_no_echo(lambda: sigwire.Client("https://api.example.com", "k1", GOOD, algorithm=MISPLACED))
    assert_no_echo(lambda: sigwire.Client("https://api.example.com", "k1", GOOD, signed_headers=[MISPLACED_ODD]))
    assert_no_echo(
        lambda: sigwire.Client("https://api.example.com", "k1", GOOD, default_headers={MISPLACED_ODD: "x-api-key"})
    )


def test_client_signed_header_missing_at_send() -> None:
    client = sigwire.Client("http://127.0.0.1:9", "k1", GOOD, signed_headers=[MISPLACED], max_attempts=1)
    err = assert_no_echo(lambda: client.get("/"))
    assert isinstance(err, sigwire.InvalidRequest) and "missing" in str(err), str(err)
