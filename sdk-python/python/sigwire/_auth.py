"""What the ``requests`` and ``httpx`` integrations share: building the signer."""

from __future__ import annotations

from typing import Optional, Sequence, Union

from ._native import Signer
from ._types import SecretLike


def make_signer(
    key_id_or_signer: Union[str, Signer],
    secret: Optional[SecretLike],
    algorithm: Optional[str],
    signed_headers: Optional[Sequence[str]],
    signed_header_policy: Optional[str] = None,
) -> Signer:
    """A ``Signer`` from either a ready one or a key id and secret."""
    if isinstance(key_id_or_signer, Signer):
        if secret is not None or algorithm is not None or signed_headers is not None or signed_header_policy is not None:
            raise TypeError(
                "pass either a Signer, or a key id with secret/algorithm/signed_headers/signed_header_policy"
            )
        return key_id_or_signer
    if secret is None:
        raise TypeError("a secret is required with a key id")
    return Signer(key_id_or_signer, secret, algorithm, signed_headers, signed_header_policy=signed_header_policy)
