from __future__ import annotations

import io
import json
import logging

from eckospace.observability import RedactingFormatter
from eckospace.redaction import REDACTED, redact, redact_text

JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_sensitive_keys_are_blanked_at_any_depth():
    data = {
        "user": {"password": "hunter2", "Authorization": "Bearer abc", "client_secret": "s3cr3t", "name": "Ada"},
        "items": [{"card_number": "4242424242424242"}],
        "x-api-key": "k",
    }
    assert redact(data) == {
        "user": {"password": REDACTED, "Authorization": REDACTED, "client_secret": REDACTED, "name": "Ada"},
        "items": [{"card_number": REDACTED}],
        "x-api-key": REDACTED,
    }


def test_secret_shapes_in_free_text_are_replaced():
    text = (
        f"token {JWT} header Bearer abc.def-ghi for ada@example.com paid with 4242 4242 4242 4242 "
        "using sk_test_" + "a" * 24 + " and whsec_" + "b" * 24
    )
    cleaned = redact_text(text)
    for secret in (JWT, "abc.def-ghi", "ada@example.com", "4242 4242 4242 4242", "sk_test_", "whsec_"):
        assert secret not in cleaned
    assert cleaned.count(REDACTED) >= 6


def test_numbers_that_are_not_cards_survive():
    assert redact_text("order 1234567890123 shipped") == "order 1234567890123 shipped"  # fails Luhn


def test_the_logger_never_writes_secrets():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter())
    log = logging.getLogger("redaction-test")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("login failed for ada@example.com", extra={"password": "hunter2", "token": JWT, "attempt": 3})
        try:
            raise ValueError(f"bad token {JWT}")
        except ValueError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "hunter2" not in output and JWT not in output and "ada@example.com" not in output
    first = json.loads(output.splitlines()[0])
    assert first["attempt"] == 3 and first["password"] == REDACTED
