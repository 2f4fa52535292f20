"""Logger and metrics shared by every function.

The logger is Powertools' JSON logger with a formatter that runs every record through
`eckospace.redaction` after it is assembled, so nothing a handler or a library logs (messages,
extra keys, exceptions) can carry a token, secret, password, card number or email to the logs.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.logger import Logger

from eckospace.redaction import redact

if TYPE_CHECKING:
    from aws_lambda_powertools.metrics import Metrics


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return super().serialize(redact(log))


@cache
def logger() -> Logger:
    return Logger(logger_formatter=RedactingFormatter(), utc=True)


@cache
def metrics() -> Metrics:
    # Imported on first use: functions that publish no metrics never pay for the module.
    from aws_lambda_powertools.metrics import Metrics

    return Metrics(namespace="EckoSpace")
