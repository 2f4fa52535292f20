"""Each function runs in worker processes of its own, like Lambda sandboxes.

A worker is started on first use with only that function's environment (plus the AWS settings a
sandbox has), pays its cold start once, and then serves one invocation at a time. A function gets
more workers under concurrent load (up to `max_workers`), and idle workers are reaped, so many
functions never mean many resident processes. A worker that times out is killed, as Lambda does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eckolocal.template import REGION, FunctionSpec

_RUNTIME_DIR = Path(__file__).resolve().parent.parent  # the directory holding the eckolocal package
_STREAM_LIMIT = 64 * 1024 * 1024  # one JSON line holds a whole event (bodies up to ~10 MB)


class InvocationError(Exception):
    """The function raised, timed out or crashed. `payload` is Lambda's error document."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage", "function failed"))
        self.payload = payload


@dataclass
class InvocationStats:
    cold_starts: int = 0
    invocations: int = 0
    init_ms: list[float] = field(default_factory=list)


def sandbox_environment(spec: FunctionSpec, aws_env: dict[str, str]) -> dict[str, str]:
    """What the function sees in os.environ: a Lambda-like base, the AWS settings, its own variables."""
    python_path = [str(spec.code_dir), *(str(p) for p in spec.layer_dirs), str(_RUNTIME_DIR)]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "PYTHONPATH": os.pathsep.join(python_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python_local",
        "_HANDLER": spec.handler,
    }
    env.update(aws_env)
    env.update(spec.environment)
    return env


class Worker:
    def __init__(self, process: asyncio.subprocess.Process, init: dict[str, Any]) -> None:
        self.process = process
        self.init = init
        self.last_used = time.monotonic()
        self._killed = False

    @classmethod
    async def start(cls, spec: FunctionSpec, env: dict[str, str]) -> Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "eckolocal.runtime",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            limit=_STREAM_LIMIT,
            cwd=str(spec.code_dir),
        )
        assert process.stdout is not None
        line = await process.stdout.readline()
        if not line:
            await process.wait()
            raise InvocationError(
                {"errorMessage": f"worker for {spec.name} exited during init", "errorType": "Runtime.ExitError"}
            )
        return cls(process, json.loads(line))

    @property
    def alive(self) -> bool:
        return not self._killed and self.process.returncode is None

    async def invoke(self, event: dict[str, Any], *, timeout: float, request_id: str) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        deadline_ms = int((time.time() + timeout) * 1000)
        line = json.dumps({"event": event, "deadline_ms": deadline_ms, "request_id": request_id}) + "\n"
        self.process.stdin.write(line.encode())
        await self.process.stdin.drain()
        try:
            answer_line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        except TimeoutError:
            self.kill()
            raise InvocationError(
                {"errorMessage": f"Task timed out after {timeout:.2f} seconds", "errorType": "Sandbox.Timedout"}
            ) from None
        finally:
            self.last_used = time.monotonic()
        if not answer_line:
            self.kill()
            raise InvocationError(
                {"errorMessage": "Runtime exited without providing a reason", "errorType": "Runtime.ExitError"}
            )
        answer = json.loads(answer_line)
        if "error" in answer:
            raise InvocationError(answer["error"])
        return answer["result"]

    def kill(self) -> None:
        if self.alive:
            self._killed = True
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()


class FunctionPool:
    def __init__(self, spec: FunctionSpec, env: dict[str, str], *, max_workers: int) -> None:
        self.spec = spec
        self.env = env
        self.max_workers = max_workers
        self.stats = InvocationStats()
        self._idle: list[Worker] = []
        self._busy = 0
        self._available = asyncio.Condition()

    async def _acquire(self) -> Worker:
        async with self._available:
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        self._busy += 1
                        return worker
                if self._busy < self.max_workers:
                    self._busy += 1
                    break
                await self._available.wait()
        try:
            worker = await Worker.start(self.spec, self.env)
        except BaseException:
            async with self._available:
                self._busy -= 1
                self._available.notify()
            raise
        self.stats.cold_starts += 1
        self.stats.init_ms.append(worker.init.get("init_ms", 0.0))
        return worker

    async def _release(self, worker: Worker) -> None:
        async with self._available:
            self._busy -= 1
            if worker.alive:
                self._idle.append(worker)
            self._available.notify()

    async def invoke(self, event: dict[str, Any], *, request_id: str | None = None) -> Any:
        worker = await self._acquire()
        try:
            self.stats.invocations += 1
            return await worker.invoke(
                event, timeout=float(self.spec.timeout), request_id=request_id or str(uuid.uuid4())
            )
        finally:
            await self._release(worker)

    async def reap_idle(self, idle_seconds: float) -> None:
        now = time.monotonic()
        async with self._available:
            keep = []
            for worker in self._idle:
                if now - worker.last_used > idle_seconds:
                    worker.kill()
                else:
                    keep.append(worker)
            self._idle = keep

    async def close(self) -> None:
        async with self._available:
            for worker in self._idle:
                worker.kill()
                with contextlib.suppress(Exception):
                    await worker.process.wait()
            self._idle.clear()


class Workers:
    """Every function's pool, created lazily, plus the idle reaper."""

    def __init__(
        self,
        specs: dict[str, FunctionSpec],
        aws_env: dict[str, str],
        *,
        max_workers: int = 4,
        idle_seconds: float = 300.0,
    ) -> None:
        self.specs = specs
        self.aws_env = aws_env
        self.max_workers = max_workers
        self.idle_seconds = idle_seconds
        self.pools: dict[str, FunctionPool] = {}
        self._reaper: asyncio.Task[None] | None = None

    def pool(self, logical_id: str) -> FunctionPool:
        pool = self.pools.get(logical_id)
        if pool is None:
            spec = self.specs[logical_id]
            pool = self.pools[logical_id] = FunctionPool(
                spec, sandbox_environment(spec, self.aws_env), max_workers=self.max_workers
            )
        return pool

    async def invoke(self, logical_id: str, event: dict[str, Any], *, request_id: str | None = None) -> Any:
        return await self.pool(logical_id).invoke(event, request_id=request_id)

    def start_reaper(self) -> None:
        async def reap_forever() -> None:
            while True:
                await asyncio.sleep(min(30.0, self.idle_seconds / 2))
                for pool in list(self.pools.values()):
                    await pool.reap_idle(self.idle_seconds)

        self._reaper = asyncio.get_running_loop().create_task(reap_forever())

    async def close(self) -> None:
        if self._reaper:
            self._reaper.cancel()
        for pool in self.pools.values():
            await pool.close()
