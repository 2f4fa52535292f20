"""Logger and metrics shared by every function.

The logger is Powertools' JSON logger with a formatter that runs every record through
`eckospace.redaction` after it is assembled, so nothing a handler or a library logs (messages,
extra keys, exceptions) can carry a token, secret, password, card number or email to the logs.
"""

from __future__ import annotations

import json
import sys
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.logger import Logger

from eckospace import config
from eckospace.redaction import redact

if TYPE_CHECKING:
    from aws_lambda_powertools.metrics import Metrics


class RedactingFormatter(LambdaPowertoolsFormatter):
    # Powertools annotates `log` as a LogRecord, but its format() passes the log dict.
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


FAULTS_NAMESPACE, FAULTS_METRIC = "EckoSpace", "Faults"


def record_fault() -> None:
    """Counts one 500 answer in CloudWatch (embedded metric format: a log line CloudWatch reads as a
    metric, no API call). A 500 is a bug, and a handled one is no Lambda error: the function's
    rollback alarm adds this count to its errors, so a canary that answers 500s is rolled back."""
    function = config.function_name()
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": FAULTS_NAMESPACE,
                    "Dimensions": [["FunctionName"]],
                    "Metrics": [{"Name": FAULTS_METRIC, "Unit": "Count"}],
                }
            ],
        },
        "FunctionName": function,
        FAULTS_METRIC: 1,
    }
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
