"""The platform's published public keys (JWKS, an SSM parameter) and the verifier built on them.

Read through Powertools' parameters utility with our own SSM client (short timeouts, standard
retries), cached for five minutes; a token naming a key id not yet seen forces one early refetch
(see `TokenVerifier`), so a freshly rotated key is usable at once.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from eckospace import aws
from eckospace.identity import settings

if TYPE_CHECKING:
    from eckospace.identity.tokens import TokenVerifier

JWKS_CACHE_SECONDS = 300


@cache
def _provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=aws.client("ssm"))


def published_jwks(*, force: bool = False) -> dict[str, Any]:
    jwks: dict[str, Any] = _provider().get(
        settings.JWKS_PARAMETER(), transform="json", max_age=JWKS_CACHE_SECONDS, force_fetch=force
    )
    return jwks


@cache
def verifier() -> TokenVerifier:
    # Imported here: the JWKS endpoint publishes keys and never needs PyJWT or cryptography.
    from eckospace.identity.tokens import TokenVerifier

    return TokenVerifier(
        lambda force: published_jwks(force=force), issuer=settings.TOKEN_ISSUER(), audience=settings.TOKEN_AUDIENCE()
    )
