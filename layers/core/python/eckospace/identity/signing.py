"""The active private signing key, for the functions that mint access tokens.

Read from Secrets Manager (`ECKO_SIGNING_KEYS_SECRET`) through Powertools' parameters utility with
our own client, cached for five minutes: after a rotation, new tokens carry the new key within
that time, while verifiers already know it (the JWKS is published first).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eckospace import aws
from eckospace.identity import settings
from eckospace.identity.keys import KeyRing, SigningKey

KEYS_CACHE_SECONDS = 300


@cache
def _provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def active_signing_key() -> SigningKey:
    document = _provider().get(settings.SIGNING_KEYS_SECRET(), max_age=KEYS_CACHE_SECONDS)
    return KeyRing.from_json(document).active
