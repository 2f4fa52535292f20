"""Scheduled functions: `Schedule` events with `rate(...)` expressions run on a timer, with the
event EventBridge sends. `ECKO_SCHEDULE_SPEED` (default 1) runs them that many times faster, to
watch a daily job without waiting a day. `cron(...)` expressions are reported and not run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eckolocal.template import REGION, Template
from eckolocal.workers import InvocationError, Workers

log = logging.getLogger("eckolocal.schedules")

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    function: str
    name: str
    every_seconds: int


def schedules(template: Template) -> list[Schedule]:
    found = []
    for logical_id, spec in template.functions().items():
        for name, event in spec.events.items():
            if event.get("Type") != "Schedule":
                continue
            expression = str(template.resolve(event["Properties"]["Schedule"]))
            match = _RATE.match(expression)
            if match is None:
                log.warning("%s.%s: %s is not run locally (only rate(...) is)", logical_id, name, expression)
                continue
            found.append(Schedule(logical_id, name, int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")]))
    return found


def scheduled_event(schedule: Schedule, account_id: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{account_id}:rule/{schedule.function}-{schedule.name}"],
        "detail": {},
    }


class Scheduler:
    def __init__(self, template: Template, workers: Workers, *, speed: float = 1.0) -> None:
        self.items = schedules(template)
        self.account_id = template.account_id
        self.workers = workers
        self.speed = speed
        self._tasks: list[asyncio.Task[None]] = []

    async def _run(self, schedule: Schedule) -> None:
        while True:
            await asyncio.sleep(schedule.every_seconds / self.speed)
            try:
                await self.workers.invoke(schedule.function, scheduled_event(schedule, self.account_id))
            except InvocationError as error:
                log.warning("scheduled %s failed: %s", schedule.function, error)

    def start(self) -> None:
        self._tasks = [asyncio.get_running_loop().create_task(self._run(item)) for item in self.items]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
