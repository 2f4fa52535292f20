"""Scrubbing of secrets and personal data from anything that is about to be logged.

Two nets: keys whose name says what they hold (password, token, secret, authorization, card,
email, ...) have their whole value replaced, and free text is scanned for the shapes of bearer
tokens, JWTs, Stripe keys and webhook secrets, card numbers (Luhn-checked) and email addresses.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"

_SENSITIVE_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|authorization|cookie|api[-_]?key|x-api-key|signature|"
    r"private[-_]?key|client[-_]?secret|card|pan$|cvc|cvv|iban|email|e-mail|refresh|session[-_]?id|"
    r"otp|pin$|ssn",
    re.IGNORECASE,
)

_TEXT_PATTERNS = (
    # "Bearer <anything>" and "Basic <anything>" credentials in free text
    re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    # JWTs (three base64url segments, header starting with '{"')
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    # Stripe secret / restricted keys and webhook signing secrets
    re.compile(r"\b(sk|rk)_(live|test)_[A-Za-z0-9]{8,}|\bwhsec_[A-Za-z0-9+/=]{8,}"),
    # PEM private keys
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL),
    # email addresses
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
)

# 13 to 19 digits, optionally grouped by spaces or dashes: card number candidates
_CARD_CANDIDATE = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _redact_card(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    return REDACTED if _luhn_ok(digits) else match.group(0)


def redact_text(text: str) -> str:
    for pattern in _TEXT_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return _CARD_CANDIDATE.sub(_redact_card, text)


def is_sensitive_key(key: str) -> bool:
    return bool(_SENSITIVE_KEY.search(key))


def redact(value: Any, _depth: int = 0) -> Any:
    """A copy of `value` with sensitive keys blanked and sensitive text patterns replaced."""
    if _depth > 20:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and is_sensitive_key(key) and item not in (None, "")
                else redact(item, _depth + 1)
            )
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(item, _depth + 1) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    # Anything else (an exception, a custom object) would be str()-ed by the JSON serializer.
    return redact_text(str(value))
