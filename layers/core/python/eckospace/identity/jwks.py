"""The platform's published public keys (JWKS, an SSM parameter) and the verifier built on them.

Read through Powertools' parameters utility with our own SSM client (short timeouts, standard
retries), cached for five minutes; a token naming a key id not yet seen forces one early refetch
(see `TokenVerifier`), so a freshly rotated key is usable at once.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from eckospace import aws
from eckospace.config import Settings, settings

if TYPE_CHECKING:
    from eckospace.identity.tokens import TokenVerifier

JWKS_PARAMETER_SETTING = "ECKO_JWKS_PARAMETER"
JWKS_CACHE_SECONDS = 300


@cache
def _provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=aws.client("ssm"))


def published_jwks(*, force: bool = False) -> dict[str, Any]:
    jwks: dict[str, Any] = _provider().get(
        Settings.require(JWKS_PARAMETER_SETTING), transform="json", max_age=JWKS_CACHE_SECONDS, force_fetch=force
    )
    return jwks


@cache
def verifier() -> TokenVerifier:
    # Imported here: the JWKS endpoint publishes keys and never needs PyJWT or cryptography.
    from eckospace.identity.tokens import TokenVerifier

    config = settings()
    return TokenVerifier(
        lambda force: published_jwks(force=force), issuer=config.token_issuer, audience=config.token_audience
    )
